package ctdne

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas/gonum"
)

// embedding is the skip-gram model over the node vocabulary: an input vector per node (the node's
// embedding) and an output ("context") vector per node, row-major, float32.
type embedding struct {
	dim     int
	in, out []float32
}

// newEmbedding initialises as word2vec does: input vectors uniform in [−0.5/dim, 0.5/dim), output
// vectors zero.
func newEmbedding(numNodes, dim int, r *rand.Rand) *embedding {
	e := &embedding{dim: dim, in: make([]float32, numNodes*dim), out: make([]float32, numNodes*dim)}
	for i := range e.in {
		e.in[i] = float32((r.Float64() - 0.5) / float64(dim))
	}
	return e
}

func (e *embedding) vec(v int32) []float32 { return e.in[int(v)*e.dim : (int(v)+1)*e.dim] }

func (e *embedding) clone() *embedding {
	return &embedding{dim: e.dim, in: slices.Clone(e.in), out: slices.Clone(e.out)}
}

// sgnsParams are one skip-gram pass's settings.
type sgnsParams struct {
	window    int     // maximal distance between a node and its context in a walk
	negatives int     // negative samples per positive pair
	lr        float64 // initial learning rate, decayed linearly over the pass
	threads   int     // goroutines; 1 is deterministic, more run Hogwild (lock-free, racy by design)
	updateOut bool    // false keeps the output vectors fixed (frozen-protocol refreshes)
}

// The sigmoid is read from a table over [−sigmoidMax, sigmoidMax], and saturates outside, as in
// word2vec: the table costs one multiply and one load per pair instead of an exp.
const (
	sigmoidMax   = 6
	sigmoidTable = 1000
	// lrUpdateEvery is how many tokens a worker processes between two learning-rate updates
	// (word2vec's 10,000).
	lrUpdateEvery = 10000
	// minLRFraction is the learning rate's floor as a fraction of the initial rate (word2vec's).
	minLRFraction = 1e-4
)

var sigmoidTab, logSigmoidTab = func() (s, l [sigmoidTable + 1]float32) {
	for i := range s {
		x := (float64(i)/sigmoidTable*2 - 1) * sigmoidMax
		s[i] = float32(1 / (1 + math.Exp(-x)))
		l[i] = float32(-math.Log1p(math.Exp(-x)))
	}
	return
}()

// tabIndex is the table entry at or below f, for f in (−sigmoidMax, sigmoidMax). (word2vec's
// expression computes the scale 1000/6/2 in integer arithmetic, 83 instead of 83.3, and so reads
// σ at a slightly wrong point; the scale here is exact.)
func tabIndex(f float32) int {
	return int((f + sigmoidMax) * (float32(sigmoidTable) / (2 * sigmoidMax)))
}

// logSigmoid is log σ(f), from the table inside the range and its asymptotes outside.
func logSigmoid(f float32) float32 {
	switch {
	case f <= -sigmoidMax:
		return f
	case f >= sigmoidMax:
		return 0
	}
	return logSigmoidTab[tabIndex(f)]
}

// negatives samples nodes with probability proportional to count(v)^0.75, count = the node's
// occurrences in the corpus (word2vec's unigram^0.75 noise distribution). word2vec fills a table of
// 10^8 entries with node ids in those shares and reads one at random; the same distribution is
// drawn here from Walker's alias table (Vose's construction), exactly and from 12 bytes per node, so
// the table stays in cache: with a 4 MB unigram table the random reads were 45% of a pass.
type negatives struct {
	threshold []uint64 // per slot: keep the slot's own node when the low 32 random bits are below this
	alias     []int32  // per slot: the node taken otherwise
}

// newNegatives builds the sampler of a corpus over numNodes nodes.
func newNegatives(c *corpus, numNodes int) *negatives {
	counts := make([]float64, numNodes)
	for _, v := range c.tokens {
		counts[v]++
	}
	w := make([]float64, numNodes)
	for v, n := range counts {
		w[v] = math.Pow(n, 0.75)
	}
	return newAlias(w)
}

// newAlias builds an alias table for weights w (at least one positive).
func newAlias(w []float64) *negatives {
	n := len(w)
	var total float64
	for _, x := range w {
		total += x
	}
	t := &negatives{threshold: make([]uint64, n), alias: make([]int32, n)}
	if total == 0 {
		return t // every draw returns node 0: no corpus, nothing to train
	}
	scaled := make([]float64, n)
	var small, large []int32
	for v, x := range w {
		scaled[v] = x * float64(n) / total
		t.alias[v] = int32(v)
		if scaled[v] < 1 {
			small = append(small, int32(v))
		} else {
			large = append(large, int32(v))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.threshold[s] = uint64(math.Round(scaled[s] * (1 << 32)))
		t.alias[s] = l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What remains has weight 1 up to rounding: always keep its own node.
	for _, v := range append(small, large...) {
		t.threshold[v] = 1 << 32
	}
	return t
}

// draw maps 64 random bits to a node: the high 32 pick a slot, the low 32 decide slot or alias.
func (t *negatives) draw(r uint64) int32 {
	i := (r >> 32) * uint64(len(t.threshold)) >> 32
	if r&0xffffffff < t.threshold[i] {
		return int32(i)
	}
	return t.alias[i]
}

// prob is the probability that draw returns v (for tests).
func (t *negatives) prob(v int32) float64 {
	n := float64(len(t.threshold))
	p := float64(t.threshold[v]) / (1 << 32)
	for i, a := range t.alias {
		if a == v && int32(i) != v {
			p += 1 - float64(t.threshold[i])/(1<<32)
		}
	}
	return p / n
}

// fastRand is SplitMix64, seeded from the pass's PCG stream: the skip-gram draws several random
// numbers per pair, and an inlined generator costs a fraction of a rand.Rand call.
type fastRand struct{ s uint64 }

func (f *fastRand) next() uint64 {
	f.s += 0x9e3779b97f4a7c15
	z := f.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intN returns a number in [0, n) for n < 2^32 by multiply-shift (bias below n/2^32, immaterial
// for windows of tens).
func (f *fastRand) intN(n int) int { return int((f.next() >> 32) * uint64(n) >> 32) }

// sgnsStats is what one pass reports.
type sgnsStats struct {
	loss  float64 // summed negative-sampling loss of every positive pair with its negatives
	pairs int64   // positive (node, context) pairs trained
}

// trainSGNS runs one skip-gram pass with negative sampling over the corpus (Mikolov et al. 2013, as
// word2vec's skip-gram: for each node of a walk, a window reduced to a uniform 1..window, and for
// each context node in it, a logistic step pulling the context's input vector toward the node's
// output vector and pushing it from negatives drawn from the unigram^0.75 table). The learning
// rate decays linearly from p.lr to p.lr·1e-4 over the pass's tokens. With p.threads > 1 the walks
// are cut into that many contiguous ranges trained concurrently without locks (Hogwild, as word2vec
// threads do): the result then depends on scheduling. With one thread it is a function of the seed.
func trainSGNS(ctx context.Context, e *embedding, c *corpus, neg *negatives, p sgnsParams, seed, stream uint64) (sgnsStats, error) {
	total := float64(len(c.tokens))
	walks := c.numWalks()
	threads := max(1, min(p.threads, walks))
	if raceEnabled {
		threads = 1 // Hogwild's races are by design; keep the race detector for real ones
	}
	var done atomic.Int64 // tokens processed by all workers (for the learning rate)
	stats := make([]sgnsStats, threads)
	errs := make([]error, threads)
	var wg sync.WaitGroup
	for w := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seedRand := rand.New(rand.NewPCG(seed, stream+uint64(w)))
			rng := &fastRand{s: seedRand.Uint64()}
			k0, k1 := w*walks/threads, (w+1)*walks/threads
			stats[w], errs[w] = sgnsRange(ctx, e, c, neg, p, rng, k0, k1, &done, total)
		}()
	}
	wg.Wait()
	var out sgnsStats
	for w := range threads {
		if errs[w] != nil {
			return out, errs[w]
		}
		out.loss += stats[w].loss
		out.pairs += stats[w].pairs
	}
	return out, nil
}

// sgnsRange trains walks [k0, k1) of c.
func sgnsRange(ctx context.Context, e *embedding, c *corpus, neg *negatives, p sgnsParams, rng *fastRand,
	k0, k1 int, done *atomic.Int64, total float64) (sgnsStats, error) {
	blas := gonum.Implementation{}
	dim := e.dim
	neu := make([]float32, dim)
	var st sgnsStats
	var local int64
	alpha := float32(p.lr * max(minLRFraction, 1-float64(done.Load())/(total+1)))
	for k := k0; k < k1; k++ {
		walk := c.walk(k)
		for pos, center := range walk {
			if local >= lrUpdateEvery {
				if err := ctx.Err(); err != nil {
					return st, err
				}
				alpha = float32(p.lr * max(minLRFraction, 1-float64(done.Add(local))/(total+1)))
				local = 0
			}
			local++
			reach := p.window - rng.intN(p.window)
			lo, hi := max(0, pos-reach), min(len(walk), pos+reach+1)
			for q := lo; q < hi; q++ {
				if q == pos {
					continue
				}
				l1 := e.in[int(walk[q])*dim : (int(walk[q])+1)*dim]
				clear(neu)
				for d := 0; d <= p.negatives; d++ {
					target, label := center, float32(1)
					if d > 0 {
						target, label = neg.draw(rng.next()), 0
						if target == center {
							continue
						}
					}
					l2 := e.out[int(target)*dim : (int(target)+1)*dim]
					f := blas.Sdot(dim, l1, 1, l2, 1)
					var g float32
					switch {
					case f > sigmoidMax:
						g = (label - 1) * alpha
					case f < -sigmoidMax:
						g = label * alpha
					default:
						g = (label - sigmoidTab[tabIndex(f)]) * alpha
					}
					if label == 1 {
						st.loss -= float64(logSigmoid(f))
					} else {
						st.loss -= float64(logSigmoid(-f))
					}
					blas.Saxpy(dim, g, l2, 1, neu, 1)
					if p.updateOut {
						blas.Saxpy(dim, g, l1, 1, l2, 1)
					}
				}
				blas.Saxpy(dim, 1, neu, 1, l1, 1)
				st.pairs++
			}
		}
	}
	done.Add(local)
	return st, nil
}
