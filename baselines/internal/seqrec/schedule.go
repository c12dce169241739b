package seqrec

import (
	"fmt"
	"math/rand/v2"

	"github.com/tibench/tibench/bench/tbatch"
)

// Schedule is a sequence of steps grouped into backpropagation windows, stored flat so that a
// training loop walks it without allocating. Every step holds rows of distinct users (and of
// distinct items when built by Coupled); every user's rows come in increasing order across steps.
type Schedule struct {
	Rows        []int32 // row indices grouped by step
	StepStart   []int32 // step k is Rows[StepStart[k]:StepStart[k+1]]
	WindowStart []int32 // window w is steps WindowStart[w] to WindowStart[w+1]-1
}

// NumSteps is the number of steps.
func (s *Schedule) NumSteps() int { return max(0, len(s.StepStart)-1) }

// NumWindows is the number of windows.
func (s *Schedule) NumWindows() int { return max(0, len(s.WindowStart)-1) }

// Step returns the rows of step k (aliasing Rows).
func (s *Schedule) Step(k int) []int32 {
	return s.Rows[s.StepStart[k]:s.StepStart[k+1]:s.StepStart[k+1]]
}

// Window returns window w's steps as the half-open range [first, end).
func (s *Schedule) Window(w int) (first, end int) {
	return int(s.WindowStart[w]), int(s.WindowStart[w+1])
}

// WindowRows is the number of rows in window w.
func (s *Schedule) WindowRows(w int) int {
	first, end := s.Window(w)
	return int(s.StepStart[end] - s.StepStart[first])
}

func (s *Schedule) reset() {
	s.Rows, s.StepStart, s.WindowStart = s.Rows[:0], append(s.StepStart[:0], 0), append(s.WindowStart[:0], 0)
}

// cutWindows groups the steps into windows of at most steps steps.
func (s *Schedule) cutWindows(steps int) {
	s.WindowStart = s.WindowStart[:1]
	for k := steps; k < s.NumSteps(); k += steps {
		s.WindowStart = append(s.WindowStart, int32(k))
	}
	if s.NumSteps() > 0 {
		s.WindowStart = append(s.WindowStart, int32(s.NumSteps()))
	}
}

// Lanes schedules rows [lo, hi) for models whose users are independent (every user's state
// depends on its own interactions only): lanes users run in parallel, one interaction each per
// step, and a lane whose user has no more rows takes the next user at the following step — the
// session-parallel mini-batches of GRU4Rec (Hidasi et al., ICLR'16) with truncated BPTT windows of
// bptt steps. Users start in order of first appearance, or in an order shuffled by r when r is
// not nil (training). The buffers of dst and of the builder are reused.
type Lanes struct {
	count, start, cur []int32 // per user: rows in range, first index into byUser, cursor
	byUser            []int32 // rows grouped by user, increasing within a user
	order             []int32 // users in the order they take lanes
	lane              []int32 // lane -> user, -1 when free
}

// Build writes the schedule of users[lo:hi] into dst.
func (lb *Lanes) Build(dst *Schedule, users []int32, numUsers, lo, hi, lanes, bptt int, r *rand.Rand) {
	if lanes < 1 || bptt < 1 || lo < 0 || hi > len(users) || lo > hi {
		panic(fmt.Sprintf("seqrec: Lanes.Build(lo %d, hi %d of %d, lanes %d, bptt %d)", lo, hi, len(users), lanes, bptt))
	}
	lb.count = zeroed(lb.count, numUsers)
	lb.start = grow(lb.start, numUsers)
	lb.cur = grow(lb.cur, numUsers)
	lb.order = lb.order[:0]
	for _, u := range users[lo:hi] {
		if lb.count[u] == 0 {
			lb.order = append(lb.order, u)
		}
		lb.count[u]++
	}
	at := int32(0)
	for _, u := range lb.order {
		lb.start[u], lb.cur[u] = at, at
		at += lb.count[u]
	}
	lb.byUser = grow(lb.byUser, hi-lo)
	for i := lo; i < hi; i++ {
		u := users[i]
		lb.byUser[lb.cur[u]] = int32(i)
		lb.cur[u]++
	}
	for _, u := range lb.order {
		lb.cur[u] = lb.start[u]
	}
	if r != nil {
		r.Shuffle(len(lb.order), func(i, j int) { lb.order[i], lb.order[j] = lb.order[j], lb.order[i] })
	}
	lb.lane = grow(lb.lane, lanes)
	for l := range lb.lane {
		lb.lane[l] = -1
	}
	dst.reset()
	next := 0
	for {
		before := len(dst.Rows)
		for l, u := range lb.lane {
			if u < 0 {
				if next == len(lb.order) {
					continue
				}
				u = lb.order[next]
				next++
				lb.lane[l] = u
			}
			dst.Rows = append(dst.Rows, lb.byUser[lb.cur[u]])
			lb.cur[u]++
			if lb.cur[u] == lb.start[u]+lb.count[u] {
				lb.lane[l] = -1
			}
		}
		if len(dst.Rows) == before {
			break
		}
		dst.StepStart = append(dst.StepStart, int32(len(dst.Rows)))
	}
	dst.cutWindows(bptt)
}

// TBatchWindows is the number of time windows inside which Coupled computes t-batches: 500, as
// the original JODIE code (srijankr/jodie cuts the timeline into windows of (t_last − t_first)/500
// and resets the t-batch counters at each boundary; see package tbatch), which bounds how far apart
// in time the interactions of one t-batch may be.
const TBatchWindows = 500

// Coupled schedules rows [lo, hi) for models that score every item with the items' own recurrent
// states (rrn): t-batches (JODIE's Algorithm 2, package tbatch) computed inside TBatchWindows grid
// windows of the range's time span, so that every user and every item appears at most once per
// step and each one's interactions come in order; t-batches larger than maxRows are split into
// consecutive pieces (still valid steps); windows are groups of bptt steps.
type Coupled struct {
	tb  tbatch.Builder
	out tbatch.Batches
}

// Build writes the schedule of rows [lo, hi) into dst.
func (cb *Coupled) Build(dst *Schedule, users, items []int32, times []float64, lo, hi, maxRows, bptt int) error {
	dst.reset()
	if hi == lo {
		return nil
	}
	b, err := cb.tb.ComputeWindowed(&cb.out, users[lo:hi], items[lo:hi], times[lo:hi], tbatch.WindowOptions{NumWindows: TBatchWindows})
	if err != nil {
		return fmt.Errorf("seqrec: t-batches of rows [%d,%d): %w", lo, hi, err)
	}
	for k := range b.NumBatches() {
		batch := b.Batch(k)
		for len(batch) > 0 {
			n := min(len(batch), maxRows)
			for _, i := range batch[:n] {
				dst.Rows = append(dst.Rows, i+int32(lo))
			}
			dst.StepStart = append(dst.StepStart, int32(len(dst.Rows)))
			batch = batch[n:]
		}
	}
	dst.cutWindows(bptt)
	return nil
}

// Sequential schedules rows [lo, hi) one per step, in order, in windows of bptt steps: the exact
// streaming order, for evaluating coupled models.
func Sequential(dst *Schedule, lo, hi, bptt int) {
	dst.reset()
	for i := lo; i < hi; i++ {
		dst.Rows = append(dst.Rows, int32(i))
		dst.StepStart = append(dst.StepStart, int32(len(dst.Rows)))
	}
	dst.cutWindows(bptt)
}

func zeroed(s []int32, n int) []int32 {
	s = grow(s, n)
	clear(s)
	return s
}
