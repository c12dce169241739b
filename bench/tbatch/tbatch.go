package tbatch

import (
	"errors"
	"fmt"
	"math"
)

// DefaultNumWindows is the number of windows the original code cuts the
// timeline into (jodie.py: tbatch_timespan = timespan / 500).
const DefaultNumWindows = 500

// Sentinel errors of [ComputeWindowed]; the returned errors wrap them and say
// which value is wrong.
var (
	ErrUnsorted   = errors.New("tbatch: times not in increasing order")
	ErrBadTime    = errors.New("tbatch: time is NaN or infinite")
	ErrOutOfRange = errors.New("tbatch: time outside the window range")
	ErrBadOptions = errors.New("tbatch: invalid window options")
)

// Rule says how [ComputeWindowed] places window boundaries.
type Rule uint8

const (
	// Grid cuts time into equal windows starting at Start: interaction j is
	// in window floor((t_j - Start) / L). Windows that hold no interaction
	// are skipped.
	Grid Rule = iota
	// Rolling is the rule of the original code: the current window is closed
	// right after the first interaction whose time exceeds the window's start
	// time by strictly more than L, and that interaction's time becomes the
	// start time of the next window. The first window starts at Start.
	Rolling
)

// String returns "grid" or "rolling".
func (r Rule) String() string {
	switch r {
	case Grid:
		return "grid"
	case Rolling:
		return "rolling"
	}
	return fmt.Sprintf("Rule(%d)", uint8(r))
}

// MarshalText implements [encoding.TextMarshaler], so a Rule reads and writes
// as "grid" or "rolling" in configuration files.
func (r Rule) MarshalText() ([]byte, error) {
	if r > Rolling {
		return nil, fmt.Errorf("%w: unknown rule %d", ErrBadOptions, uint8(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; it accepts "grid" and
// "rolling".
func (r *Rule) UnmarshalText(text []byte) error {
	switch string(text) {
	case "grid":
		*r = Grid
	case "rolling":
		*r = Rolling
	default:
		return fmt.Errorf("%w: unknown rule %q (want grid or rolling)", ErrBadOptions, text)
	}
	return nil
}

// WindowOptions configures [ComputeWindowed]. The zero value is 500 grid
// windows over the time range of the given interactions.
type WindowOptions struct {
	// Rule places the window boundaries. Default Grid.
	Rule Rule
	// NumWindows is the number of windows the range [Start, End] is cut into,
	// giving the window length L = (End - Start) / NumWindows. Default 500
	// (DefaultNumWindows). Ignored when Length > 0. With this form every time
	// must lie in [Start, End]; an interaction at exactly End belongs to the
	// last window. A zero-length range gives a single window.
	NumWindows int
	// Length, when > 0, is the window length L itself, in the unit of the
	// times; it overrides NumWindows and End. Use it to window a part of a
	// dataset (the training part) with a length taken from the whole
	// dataset, as the original code does. Windows continue past the last
	// interaction as far as needed; every time must be >= Start. Default 0:
	// use NumWindows.
	Length float64
	// Start and End delimit the time range. Start is where the first window
	// starts; End is used only by the NumWindows form. Default (both zero):
	// the first and the last of the given times.
	Start, End float64
}

// Batches is a sequence of t-batches grouped into windows, stored flat so
// that a training loop reads it without allocating. All three slices are
// owned by the Batches; a Batch or Order slice must not be modified.
//
// The windows partition the interactions into consecutive index ranges, in
// time order; each window's batches hold exactly the interactions of its
// range. The zero value holds no interaction.
type Batches struct {
	// Order holds the interaction indices grouped by batch: batch k is
	// Order[BatchStart[k]:BatchStart[k+1]], in increasing index (time) order.
	Order []int32
	// BatchStart has NumBatches()+1 entries; BatchStart[0] = 0 and the last
	// entry is len(Order).
	BatchStart []int32
	// WindowStart has NumWindows()+1 entries: window w is made of the batches
	// WindowStart[w] to WindowStart[w+1]-1. WindowStart[0] = 0 and the last
	// entry is NumBatches(). Every window holds at least one batch.
	WindowStart []int32
}

// Len returns the number of interactions.
func (b *Batches) Len() int { return len(b.Order) }

// NumBatches returns the number of t-batches.
func (b *Batches) NumBatches() int {
	if len(b.BatchStart) == 0 {
		return 0
	}
	return len(b.BatchStart) - 1
}

// Batch returns the indices of the interactions in batch k, in increasing
// order. The slice aliases b.Order: do not modify it.
func (b *Batches) Batch(k int) []int32 {
	return b.Order[b.BatchStart[k]:b.BatchStart[k+1]:b.BatchStart[k+1]]
}

// NumWindows returns the number of windows.
func (b *Batches) NumWindows() int {
	if len(b.WindowStart) == 0 {
		return 0
	}
	return len(b.WindowStart) - 1
}

// Window returns the batches of window w as a half-open range: the window is
// made of batches first, first+1, ..., end-1. A training loop runs them in
// order, sums their losses, then takes one backward pass.
func (b *Batches) Window(w int) (first, end int) {
	return int(b.WindowStart[w]), int(b.WindowStart[w+1])
}

// MeanBatchSize returns the mean number of interactions per t-batch, or 0
// when there is none.
func (b *Batches) MeanBatchSize() float64 {
	nb := b.NumBatches()
	if nb == 0 {
		return 0
	}
	return float64(len(b.Order)) / float64(nb)
}

// Sequential returns batches of one interaction each, in index order, with
// the same windows as b: the "without t-Batch" schedule of the paper's
// timing experiment, under the same truncated backpropagation.
func (b *Batches) Sequential() *Batches { return b.SequentialInto(nil) }

// SequentialInto is [Batches.Sequential] writing into dst, reusing its slices
// when they are large enough; a nil dst is allocated. It returns dst. dst
// must not be b.
func (b *Batches) SequentialInto(dst *Batches) *Batches {
	if dst == nil {
		dst = new(Batches)
	}
	if dst == b {
		panic("tbatch: SequentialInto with dst == b")
	}
	n := len(b.Order)
	dst.Order = grow(dst.Order, n)
	dst.BatchStart = grow(dst.BatchStart, n+1)
	for j := range n {
		dst.Order[j] = int32(j)
		dst.BatchStart[j] = int32(j)
	}
	dst.BatchStart[n] = int32(n)
	nw := b.NumWindows()
	dst.WindowStart = grow(dst.WindowStart, nw+1)
	dst.WindowStart[0] = 0
	for w := 1; w <= nw; w++ {
		// Windows are consecutive index ranges, so the first interaction of
		// window w is the position in Order where its first batch starts.
		dst.WindowStart[w] = b.BatchStart[b.WindowStart[w]]
	}
	return dst
}

// SplitLarger returns b with every batch of more than max interactions cut
// into consecutive batches of at most max (in index order), windows kept.
// The pieces of a batch share no user or item, so they are still valid
// t-batches and the k-th and (k+1)-th interactions of any user or item still
// land in strictly increasing batches: a model computes the same thing, in
// more steps. It bounds the memory of one batch's autodiff graph, which
// Algorithm 2 does not (at 1M users the first t-batch of a window can hold
// ~90,000 interactions, one per item). b itself is returned when no batch is
// larger than max or max <= 0; otherwise Order is shared with b.
func (b *Batches) SplitLarger(max int) *Batches {
	if max <= 0 {
		return b
	}
	extra := 0
	for k := range b.NumBatches() {
		extra += (len(b.Batch(k)) - 1) / max
	}
	if extra == 0 {
		return b
	}
	out := &Batches{Order: b.Order, BatchStart: make([]int32, 0, len(b.BatchStart)+extra), WindowStart: make([]int32, len(b.WindowStart))}
	for w := range b.NumWindows() {
		first, end := b.Window(w)
		out.WindowStart[w] = int32(len(out.BatchStart))
		for k := first; k < end; k++ {
			for start := b.BatchStart[k]; start < b.BatchStart[k+1]; start += int32(max) {
				out.BatchStart = append(out.BatchStart, start)
			}
		}
	}
	out.WindowStart[b.NumWindows()] = int32(len(out.BatchStart))
	out.BatchStart = append(out.BatchStart, int32(len(b.Order)))
	return out
}

// Compute runs Algorithm 2 of the paper over the whole sequence: one window.
// users[j] and items[j] are the dense ids (>= 0) of interaction j, in time
// order. It panics if the slices differ in length or an id is negative.
// Memory is O(len(users) + max id).
func Compute(users, items []int32) *Batches {
	var bd Builder
	return bd.Compute(nil, users, items)
}

// ComputeWindowed runs Algorithm 2 inside each time window, with the
// last-batch counters reset at every window boundary, as the original code
// does (see the package documentation). times[j] is the time of interaction
// j and must not decrease. Unlike the original code, the last, partial
// window is kept, so every interaction is in exactly one batch. It panics as
// [Compute] does, and also if times has another length.
func ComputeWindowed(users, items []int32, times []float64, opt WindowOptions) (*Batches, error) {
	var bd Builder
	return bd.ComputeWindowed(nil, users, items, times, opt)
}

// Builder computes t-batches reusing its own buffers and the destination's
// slices, so that recomputing the batches every epoch does not allocate once
// the buffers have grown. The zero value is ready to use. A Builder is not
// safe for concurrent use.
type Builder struct {
	// lastU[u] and lastI[i] are the 1-based batch, within the current window,
	// in which user u and item i last appeared; 0 means not yet. They are all
	// zero between calls: each window resets only the entries it touched.
	lastU, lastI []int32
	batchOf      []int32 // global batch id of each interaction
	winStart     []int32 // index of the first interaction of each window, then n
}

// Compute is [Compute] writing into dst (allocated when nil). It returns dst.
func (bd *Builder) Compute(dst *Batches, users, items []int32) *Batches {
	n, maxU, maxI := checkIDs(users, items)
	bd.winStart = append(bd.winStart[:0], 0)
	if n > 0 {
		bd.winStart = append(bd.winStart, int32(n))
	}
	return bd.build(dst, users, items, maxU, maxI)
}

// ComputeWindowed is [ComputeWindowed] writing into dst (allocated when nil).
// It returns dst, or nil and an error, leaving dst unchanged, when a time or
// an option is invalid.
func (bd *Builder) ComputeWindowed(dst *Batches, users, items []int32, times []float64, opt WindowOptions) (*Batches, error) {
	n, maxU, maxI := checkIDs(users, items)
	if len(times) != n {
		panic(fmt.Sprintf("tbatch: %d times for %d interactions", len(times), n))
	}
	if err := bd.windows(times, opt); err != nil {
		return nil, err
	}
	return bd.build(dst, users, items, maxU, maxI), nil
}

// windows checks the times and the options and fills bd.winStart.
func (bd *Builder) windows(times []float64, opt WindowOptions) error {
	if opt.Rule > Rolling {
		return fmt.Errorf("%w: unknown Rule %d", ErrBadOptions, uint8(opt.Rule))
	}
	if opt.NumWindows < 0 {
		return fmt.Errorf("%w: NumWindows = %d, want >= 0", ErrBadOptions, opt.NumWindows)
	}
	if math.IsNaN(opt.Length) || math.IsInf(opt.Length, 0) || opt.Length < 0 {
		return fmt.Errorf("%w: Length = %g, want a finite value >= 0", ErrBadOptions, opt.Length)
	}
	if !finite(opt.Start) || !finite(opt.End) {
		return fmt.Errorf("%w: Start = %g, End = %g, want finite values", ErrBadOptions, opt.Start, opt.End)
	}
	n := len(times)
	for j, t := range times {
		if !finite(t) {
			return fmt.Errorf("%w: times[%d] = %g", ErrBadTime, j, t)
		}
		if j > 0 && t < times[j-1] {
			return fmt.Errorf("%w: times[%d] = %g is before times[%d] = %g", ErrUnsorted, j, t, j-1, times[j-1])
		}
	}
	bd.winStart = append(bd.winStart[:0], 0)
	if n == 0 {
		return nil
	}

	start, end := opt.Start, opt.End
	if start == 0 && end == 0 {
		start, end = times[0], times[n-1]
	}
	byCount := !(opt.Length > 0)
	var length float64
	nw := opt.NumWindows
	if byCount {
		if nw == 0 {
			nw = DefaultNumWindows
		}
		if end < start {
			return fmt.Errorf("%w: End = %g is before Start = %g", ErrBadOptions, end, start)
		}
		length = (end - start) / float64(nw)
		// Times are sorted, so the first and the last bound them all.
		if times[0] < start || times[n-1] > end {
			return fmt.Errorf("%w: times span [%g, %g], range is [%g, %g]", ErrOutOfRange, times[0], times[n-1], start, end)
		}
	} else {
		length = opt.Length
		if times[0] < start {
			return fmt.Errorf("%w: times[0] = %g is before Start = %g", ErrOutOfRange, times[0], start)
		}
	}

	switch opt.Rule {
	case Grid:
		if length == 0 {
			break // zero-length range: all times equal Start, one window
		}
		last := float64(nw - 1)
		prev := math.Inf(-1)
		for j, t := range times {
			// The window index stays a float: with a tiny Length it may
			// exceed any integer type, and only changes of it matter. It
			// never decreases, since times do not.
			w := math.Floor((t - start) / length)
			if byCount && w > last {
				w = last // t == End, or rounding just below End
			}
			if j > 0 && w != prev {
				bd.winStart = append(bd.winStart, int32(j))
			}
			prev = w
		}
	case Rolling:
		// jodie.py: after adding interaction j, "if timestamp -
		// tbatch_start_time > tbatch_timespan" process the window and set
		// tbatch_start_time = timestamp.
		ws := start
		for j, t := range times {
			if t-ws > length {
				if j+1 < n {
					bd.winStart = append(bd.winStart, int32(j+1))
				}
				ws = t
			}
		}
	}
	// The original code drops the interactions after the last closed
	// window; closing the partial window here keeps them.
	bd.winStart = append(bd.winStart, int32(n))
	return nil
}

// build runs Algorithm 2 in each window of bd.winStart and groups the
// interactions by batch into dst. maxU and maxI are the largest ids (-1 when
// there is no interaction).
func (bd *Builder) build(dst *Batches, users, items []int32, maxU, maxI int32) *Batches {
	if dst == nil {
		dst = new(Batches)
	}
	n := len(users)
	bd.lastU = growZero(bd.lastU, int(maxU)+1)
	bd.lastI = growZero(bd.lastI, int(maxI)+1)
	bd.batchOf = grow(bd.batchOf, n)
	lastU, lastI, batchOf := bd.lastU, bd.lastI, bd.batchOf

	nw := len(bd.winStart) - 1
	dst.WindowStart = grow(dst.WindowStart, nw+1)
	dst.WindowStart[0] = 0
	base := int32(0) // global id of the current window's first batch
	for w := range nw {
		lo, hi := int(bd.winStart[w]), int(bd.winStart[w+1])
		us, is := users[lo:hi], items[lo:hi]
		var nb int32
		for j := range us {
			u, i := us[j], is[j]
			k := max(lastU[u], lastI[i]) + 1 // Algorithm 2, line 6
			lastU[u], lastI[i] = k, k
			nb = max(nb, k)
			batchOf[lo+j] = base + k - 1
		}
		// Reset only what this window touched: O(window), not O(#users).
		for j := range us {
			lastU[us[j]] = 0
			lastI[is[j]] = 0
		}
		base += nb
		dst.WindowStart[w+1] = base
	}

	// Counting sort by batch id. Placing interactions in index order keeps
	// each batch sorted by time.
	nb := int(base)
	bs := grow(dst.BatchStart, nb+1)
	clear(bs)
	for _, k := range batchOf[:n] {
		bs[k+1]++
	}
	for k := 1; k <= nb; k++ {
		bs[k] += bs[k-1]
	}
	order := grow(dst.Order, n)
	for j, k := range batchOf[:n] {
		order[bs[k]] = int32(j)
		bs[k]++
	}
	// bs[k] now holds the end of batch k, that is the start of batch k+1.
	copy(bs[1:], bs[:nb])
	bs[0] = 0
	dst.Order, dst.BatchStart = order, bs
	return dst
}

// checkIDs panics on programmer errors in the id slices and returns their
// length and largest ids (-1 when empty).
func checkIDs(users, items []int32) (n int, maxU, maxI int32) {
	n = len(users)
	if len(items) != n {
		panic(fmt.Sprintf("tbatch: %d users for %d items", n, len(items)))
	}
	if n > math.MaxInt32 {
		panic(fmt.Sprintf("tbatch: %d interactions, at most %d supported", n, math.MaxInt32))
	}
	maxU, maxI = -1, -1
	for j := range n {
		if users[j] < 0 {
			panic(fmt.Sprintf("tbatch: users[%d] = %d is negative", j, users[j]))
		}
		if items[j] < 0 {
			panic(fmt.Sprintf("tbatch: items[%d] = %d is negative", j, items[j]))
		}
		maxU = max(maxU, users[j])
		maxI = max(maxI, items[j])
	}
	return n, maxU, maxI
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// grow returns s resliced to n entries, reallocating when its capacity is too
// small; the contents are unspecified.
func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// growZero is grow for the last-batch arrays. Their whole backing array is
// kept zero between calls (each window resets what it touched), so
// reslicing within capacity yields zeros too.
func growZero(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
