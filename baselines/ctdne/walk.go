package ctdne

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
)

// Bias is a temporal walk's selection rule, for the start edge and for each next edge.
type Bias string

// The selection rules of CTDNE (Nguyen et al. 2018, §3.1–3.2).
const (
	// BiasUniform: every candidate equally likely (the paper's best variant on most graphs).
	BiasUniform Bias = "uniform"
	// BiasExponential: start edges weighted exp((T(e) − t_last)/start_time_scale), favouring recent
	// edges; next edges weighted exp(−(t' − t)/time_scale), favouring the temporally closest.
	BiasExponential Bias = "exponential"
	// BiasLinear: weights by time rank. Start edges: the k-th edge in ascending time order weighs k
	// (later edges favoured); next edges: candidates sorted in descending time order, the k-th
	// weighs k, so the closest in time weighs most.
	BiasLinear Bias = "linear"
)

func (b Bias) valid() bool { return b == BiasUniform || b == BiasExponential || b == BiasLinear }

// walker samples temporal walks on one graph.
type walker struct {
	g                *graph
	startBias        Bias
	nbrBias          Bias
	length, minLen   int
	walksPerNode     int
	contextWindow    int // ω: a walk of l ≥ minLen nodes counts l − ω + 1 context windows (at least 1)
	attemptsPerWalks int // attempt cap: attemptsPerWalks · walksPerNode · N start edges
}

// sampleStart draws the start edge (a row of the graph) by the start bias.
func (w *walker) sampleStart(r *rand.Rand) int {
	n := w.g.n
	switch w.startBias {
	case BiasLinear: // P(row) ∝ row+1: the rank in ascending time order
		return linearRank(r, n) - 1
	case BiasExponential: // P(row) ∝ exp((t_row − t_last)/s): smallest row whose head sum reaches u·total
		head := w.g.rowLogHead
		target := math.Log(1-r.Float64()) + head[n-1]
		return sort.Search(n-1, func(k int) bool { return head[k] >= target })
	}
	return r.IntN(n)
}

// sampleNext draws the CSR index of the edge a walk at node v, reached through row prev, takes
// next: one of v's edges with a later row (so a time no earlier), by the neighbour bias. ok is
// false when there is none: the walk ends.
func (w *walker) sampleNext(r *rand.Rand, v, prev int32) (k int, ok bool) {
	lo, hi := w.g.after(v, prev)
	n := hi - lo
	if n == 0 {
		return 0, false
	}
	switch w.nbrBias {
	case BiasLinear: // candidate k of n (ascending time) weighs n − k: the m-th latest weighs m
		return hi - linearRank(r, n), true
	case BiasExponential: // P(k) ∝ exp(−(t_k − t_lo)/s), k in [lo, hi): largest k whose tail sum reaches u·total
		tail := w.g.nbrLogTail
		target := math.Log(1-r.Float64()) + tail[lo]
		j := sort.Search(n, func(j int) bool { return tail[lo+j] < target })
		return lo + j - 1, true
	}
	return lo + r.IntN(n), true
}

// linearRank draws m in [1, n] with P(m) = m / (n(n+1)/2).
func linearRank(r *rand.Rand, n int) int {
	total := uint64(n) * uint64(n+1) / 2
	x := r.Uint64N(total)
	// m is the smallest integer with m(m+1)/2 > x; start from the float root and correct rounding.
	m := uint64((math.Sqrt(8*float64(x)+1) - 1) / 2)
	for m*(m+1)/2 > x {
		m--
	}
	for (m+1)*(m+2)/2 <= x {
		m++
	}
	return int(m + 1)
}

// walk appends one temporal walk to buf: the start edge's endpoints in a random orientation, then
// at most length−2 further nodes, each reached by an edge later in time order than the previous.
// When rows is not nil it receives the rows of the walk's edges (len(buf)−1 of them).
func (w *walker) walk(r *rand.Rand, buf []int32, rows *[]int32) []int32 {
	g := w.g
	e := w.sampleStart(r)
	a, b := g.rowUser[e], int32(g.users)+g.rowItem[e]
	if r.IntN(2) == 1 {
		a, b = b, a
	}
	buf = append(buf, a, b)
	if rows != nil {
		*rows = append(*rows, int32(e))
	}
	v, prev := b, int32(e)
	for len(buf) < w.length {
		k, ok := w.sampleNext(r, v, prev)
		if !ok {
			break
		}
		v, prev = g.other[k], g.row[k]
		buf = append(buf, v)
		if rows != nil {
			*rows = append(*rows, prev)
		}
	}
	return buf
}

// windows is the number of context windows a walk of l nodes counts toward the corpus budget.
func (w *walker) windows(l int) int { return max(1, l-w.contextWindow+1) }

// corpus is a set of walks: walk k is tokens[offsets[k]:offsets[k+1]].
type corpus struct {
	tokens  []int32
	offsets []int32
}

func (c *corpus) numWalks() int { return len(c.offsets) - 1 }
func (c *corpus) walk(k int) []int32 {
	return c.tokens[c.offsets[k]:c.offsets[k+1]]
}

// walkShards is the number of independent pieces a corpus is generated in, each with its own
// random stream, so that the corpus is the same whatever the number of goroutines.
const walkShards = 64

// generate builds the corpus of one pass, as CTDNE does: walks from start edges drawn by the start
// bias until the corpus holds β = walksPerNode · N · (length − ω + 1) context windows (N = nodes
// with an edge), keeping only walks of at least minLen nodes; at most attemptsPerWalks ·
// walksPerNode · N start edges are tried, so a graph whose walks end early stops there. The work is
// cut into walkShards pieces with random streams (seed, stream+piece), run on threads goroutines,
// and concatenated in piece order: the corpus does not depend on threads.
func (w *walker) generate(ctx context.Context, seed, stream uint64, threads int) (*corpus, error) {
	g := w.g
	if g.n == 0 {
		return &corpus{offsets: []int32{0}}, nil
	}
	budget := w.walksPerNode * g.presentSize * w.windows(w.length)
	attempts := w.attemptsPerWalks * w.walksPerNode * g.presentSize
	pieces := make([]corpus, walkShards)
	var next atomic.Int32
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	for range max(1, min(threads, walkShards)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []int32
			for {
				s := int(next.Add(1)) - 1
				if s >= walkShards {
					return
				}
				share := func(total int) int { return total/walkShards + boolInt(s < total%walkShards) }
				r := rand.New(rand.NewPCG(seed, stream+uint64(s)))
				p := corpus{offsets: []int32{0}}
				need, left := share(budget), share(attempts)
				for need > 0 && left > 0 {
					if left%256 == 0 && ctx.Err() != nil {
						errOnce.Do(func() { firstErr = ctx.Err() })
						return
					}
					left--
					buf = w.walk(r, buf[:0], nil)
					if len(buf) < w.minLen {
						continue
					}
					p.tokens = append(p.tokens, buf...)
					p.offsets = append(p.offsets, int32(len(p.tokens)))
					need -= w.windows(len(buf))
				}
				pieces[s] = p
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := &corpus{offsets: []int32{0}}
	for _, p := range pieces {
		base := int32(len(out.tokens))
		out.tokens = append(out.tokens, p.tokens...)
		for _, o := range p.offsets[1:] {
			out.offsets = append(out.offsets, base+o)
		}
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
