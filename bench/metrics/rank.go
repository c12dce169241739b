package metrics

import (
	"fmt"
	"math"
	"slices"

	"github.com/tibench/tibench/internal/ag"
)

// TieRule says how items that score exactly like the target affect its rank.
type TieRule int

const (
	// TiesOptimistic: rank = 1 + number of items strictly better than the target; ties are won.
	// This is JODIE's evaluation code (rank = 1 + items strictly closer) and the default.
	TiesOptimistic TieRule = iota
	// TiesAverage: rank = 1 + strictly better + (equal others)/2, the mean of the optimistic and the
	// pessimistic rank, as TGB's evaluator. Ranks may then end in .5.
	TiesAverage
)

func (r TieRule) String() string {
	switch r {
	case TiesOptimistic:
		return "optimistic"
	case TiesAverage:
		return "average"
	}
	return fmt.Sprintf("TieRule(%d)", int(r))
}

// ParseTieRule reads a tie rule from a config value: "optimistic" (also "strict" or "", the
// default) or "average".
func ParseTieRule(s string) (TieRule, error) {
	switch s {
	case "", "optimistic", "strict":
		return TiesOptimistic, nil
	case "average":
		return TiesAverage, nil
	}
	return 0, fmt.Errorf("metrics: unknown tie rule %q (valid: optimistic, average)", s)
}

// Rank is the rank of a target with better items strictly better than it and equal other items
// exactly as good (not counting the target itself).
func (r TieRule) Rank(better, equal int) float64 {
	switch r {
	case TiesOptimistic:
		return float64(1 + better)
	case TiesAverage:
		return float64(1+better) + float64(equal)/2
	}
	panic(fmt.Sprintf("metrics: invalid tie rule %d", int(r)))
}

// RankAccumulator turns ranks (1 = best) of the single relevant item of each query into MRR,
// Recall@k and NDCG@k for a fixed set of cutoffs. The zero value has no cutoffs and still gives MRR.
// With one relevant item, NDCG@k = 1/log2(rank+1) when rank ≤ k and 0 otherwise (the ideal DCG is 1).
type RankAccumulator struct {
	ks    []int
	n     int
	sumRR float64
	hits  []int
	dcg   []float64
}

// NewRankAccumulator returns an accumulator for the cutoffs ks (sorted and deduplicated). A cutoff
// below 1 is a programmer error and panics.
func NewRankAccumulator(ks ...int) *RankAccumulator {
	ks = slices.Clone(ks)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	for _, k := range ks {
		if k < 1 {
			panic(fmt.Sprintf("metrics: rank cutoff %d < 1", k))
		}
	}
	return &RankAccumulator{ks: ks, hits: make([]int, len(ks)), dcg: make([]float64, len(ks))}
}

// Add records one rank. A rank below 1 (or NaN, or infinite) is an error and is not recorded.
func (a *RankAccumulator) Add(rank float64) error {
	if !(rank >= 1) || math.IsInf(rank, 1) {
		return fmt.Errorf("metrics: rank %v: %w (want a finite rank >= 1)", rank, ErrRange)
	}
	a.n++
	a.sumRR += 1 / rank
	for i, k := range a.ks {
		if rank <= float64(k) {
			a.hits[i]++
			a.dcg[i] += 1 / math.Log2(rank+1)
		}
	}
	return nil
}

// AddRanks records every rank of ranks; on a bad rank it stops and names its index (the ranks
// before it stay recorded).
func (a *RankAccumulator) AddRanks(ranks []float64) error {
	for i, r := range ranks {
		if err := a.Add(r); err != nil {
			return fmt.Errorf("rank %d: %w", i, err)
		}
	}
	return nil
}

// Merge adds b's ranks to a (e.g. per-worker accumulators). Different cutoffs are a programmer
// error and panic.
func (a *RankAccumulator) Merge(b *RankAccumulator) {
	if !slices.Equal(a.ks, b.ks) {
		panic(fmt.Sprintf("metrics: merging rank accumulators with cutoffs %v and %v", a.ks, b.ks))
	}
	a.n += b.n
	a.sumRR += b.sumRR
	for i := range a.ks {
		a.hits[i] += b.hits[i]
		a.dcg[i] += b.dcg[i]
	}
}

// Reset forgets all ranks, keeping the cutoffs.
func (a *RankAccumulator) Reset() {
	a.n, a.sumRR = 0, 0
	clear(a.hits)
	clear(a.dcg)
}

// Count is the number of ranks recorded.
func (a *RankAccumulator) Count() int { return a.n }

// Cutoffs returns the cutoffs k, ascending.
func (a *RankAccumulator) Cutoffs() []int { return slices.Clone(a.ks) }

// MRR is the mean of 1/rank; NaN when no rank was recorded.
func (a *RankAccumulator) MRR() float64 { return a.sumRR / float64(a.n) }

// Recall is the share of ranks ≤ k (the hit rate: one relevant item per query); NaN when no rank
// was recorded. k must be one of the accumulator's cutoffs (otherwise it panics).
func (a *RankAccumulator) Recall(k int) float64 { return float64(a.hits[a.cut(k)]) / float64(a.n) }

// NDCG is the mean of 1/log2(rank+1) over ranks ≤ k (0 for the others); NaN when no rank was
// recorded. k must be one of the accumulator's cutoffs (otherwise it panics).
func (a *RankAccumulator) NDCG(k int) float64 { return a.dcg[a.cut(k)] / float64(a.n) }

func (a *RankAccumulator) cut(k int) int {
	i, ok := slices.BinarySearch(a.ks, k)
	if !ok {
		panic(fmt.Sprintf("metrics: cutoff %d not accumulated (have %v)", k, a.ks))
	}
	return i
}

// Results lists MRR, then recall@k and ndcg@k for every cutoff, named as in the metric table.
func (a *RankAccumulator) Results() []Result {
	out := make([]Result, 0, 1+2*len(a.ks))
	out = append(out, Result{"MRR", a.MRR()})
	for _, k := range a.ks {
		out = append(out, Result{RecallName(k), a.Recall(k)})
	}
	for _, k := range a.ks {
		out = append(out, Result{NDCGName(k), a.NDCG(k)})
	}
	return out
}

// rankStat runs ranks through a one-cutoff accumulator for the function forms below.
func rankStat(fn string, ranks []float64, k int) (*RankAccumulator, error) {
	if len(ranks) == 0 {
		return nil, fmt.Errorf("metrics: %s: %w", fn, ErrEmpty)
	}
	if k < 1 {
		return nil, fmt.Errorf("metrics: %s: cutoff %d < 1: %w", fn, k, ErrRange)
	}
	a := NewRankAccumulator(k)
	if err := a.AddRanks(ranks); err != nil {
		return nil, fmt.Errorf("metrics: %s: %w", fn, err)
	}
	return a, nil
}

// MRR is the mean reciprocal rank of ranks (1 = best).
func MRR(ranks []float64) (float64, error) {
	a, err := rankStat("MRR", ranks, 1)
	if err != nil {
		return 0, err
	}
	return a.MRR(), nil
}

// RecallAt is the share of ranks ≤ k.
func RecallAt(ranks []float64, k int) (float64, error) {
	a, err := rankStat("RecallAt", ranks, k)
	if err != nil {
		return 0, err
	}
	return a.Recall(k), nil
}

// NDCGAt is the mean NDCG@k of ranks with one relevant item per query.
func NDCGAt(ranks []float64, k int) (float64, error) {
	a, err := rankStat("NDCGAt", ranks, k)
	if err != nil {
		return 0, err
	}
	return a.NDCG(k), nil
}

// checkRankArgs validates the arguments shared by the ranking functions: out and targets parallel,
// targets in [0, numItems), a valid rule.
func checkRankArgs(fn string, numItems int, targets []int32, rule TieRule, out []float64) error {
	if rule != TiesOptimistic && rule != TiesAverage {
		panic(fmt.Sprintf("metrics: %s: invalid tie rule %d", fn, int(rule)))
	}
	if len(out) != len(targets) {
		return fmt.Errorf("metrics: %s: %d targets but room for %d ranks: %w", fn, len(targets), len(out), ErrLength)
	}
	for q, t := range targets {
		if t < 0 || int(t) >= numItems {
			return fmt.Errorf("metrics: %s: target %d is item %d, outside [0, %d): %w", fn, q, t, numItems, ErrRange)
		}
	}
	return nil
}

// RankScores ranks, for each query q, item targets[q] within row q of scores (len(targets) rows of
// numItems values, row-major; higher score = better) and writes the ranks to out. A NaN score is an
// error naming the query and the item.
func RankScores(scores []float32, numItems int, targets []int32, rule TieRule, out []float64) error {
	const fn = "RankScores"
	if numItems < 1 {
		return fmt.Errorf("metrics: %s: %d items: %w", fn, numItems, ErrEmpty)
	}
	if len(scores) != len(targets)*numItems {
		return fmt.Errorf("metrics: %s: %d scores for %d targets × %d items: %w", fn, len(scores), len(targets), numItems, ErrLength)
	}
	if err := checkRankArgs(fn, numItems, targets, rule, out); err != nil {
		return err
	}
	for q, t := range targets {
		better, equal, bad := countHigher(scores[q*numItems:(q+1)*numItems], int(t))
		if bad >= 0 {
			return fmt.Errorf("metrics: %s: query %d: score of item %d is NaN: %w", fn, q, bad, ErrNaN)
		}
		out[q] = rule.Rank(better, equal)
	}
	return nil
}

// countHigher counts the entries of row above and equal to row[t] (t itself excluded). bad is the
// index of a NaN entry, or -1.
func countHigher(row []float32, t int) (better, equal, bad int) {
	st := row[t]
	nan := 0
	for _, v := range row { // branch-free, as countCloser
		if v > st {
			better++
		}
		if v == st {
			equal++
		}
		if v != v {
			nan++
		}
	}
	if nan > 0 || st != st {
		return 0, 0, slices.IndexFunc(row, func(v float32) bool { return v != v })
	}
	return better, equal - 1, -1
}

// DefaultChunkQueries is the number of queries a Ranker scores per matrix product unless
// Ranker.ChunkQueries says otherwise.
const DefaultChunkQueries = 1024

// maxChunkScores bounds a chunk's score block (queries × items) so memory stays bounded for large
// catalogues: 1<<22 float32 values, 16 MiB on the host and as much on the backend.
const maxChunkScores = 1 << 22

// maxDotSq bounds ‖p‖²·‖e‖² so that dot products stay well inside float32's range (a quarter of
// math.MaxFloat32, squared).
const maxDotSq = (math.MaxFloat32 / 4) * (math.MaxFloat32 / 4)

// Ranker ranks batches of predictions against all items of a catalogue, by Euclidean distance
// (RankL2, JODIE's evaluation) or by dot product (RankDot). It keeps the numItems×dim item matrix on
// an ag backend with its squared row norms, and scores each chunk of queries with one Gemm,
// reusing its buffers: after the first call, ranking allocates nothing.
//
// Items with identical embeddings (e.g. items never seen, still at a shared initial vector) always
// tie exactly. Taking the target's score from the same product row as everyone else's is not
// enough for that: a kernel may sum identical columns in a different order depending on where they
// lie in memory (gonum's SIMD dot product does, for rows that are not 16-byte aligned), so the
// Ranker also groups identical item rows and gives every member of a group the score of its first
// member.
//
// A Ranker is not safe for concurrent use.
type Ranker struct {
	// ChunkQueries is the number of queries scored by one matrix product. 0 means the default,
	// DefaultChunkQueries, lowered so that a chunk's score block holds at most 1<<22 values.
	ChunkQueries int

	be     ag.Backend
	n, dim int
	items  ag.Storage // n×dim, row-major
	sqNorm []float64  // ‖e_j‖², float64 sums of the float32 values
	row    ag.Storage // one dim-row, staging for SetItem
	p, g   ag.Storage // a chunk of predictions (m×dim) and their dot products with the items (m×n)
	scores []float32  // g downloaded

	// Duplicate groups. mirror holds the item values on the host to compare rows exactly; hash
	// finds candidates; canon[j] is the smallest index of an item equal to j (j when unique); dups
	// lists the items with canon[j] != j, whose scores are overwritten by their canonical item's.
	mirror []float32
	hash   []uint64
	canon  []int32
	dups   []int32
}

// NewRanker returns a ranker over items, a numItems×dim row-major matrix (numItems =
// len(items)/dim), copied onto be. Non-finite item values are an error naming the item.
func NewRanker(be ag.Backend, items []float32, dim int) (*Ranker, error) {
	if dim < 1 || len(items) == 0 || len(items)%dim != 0 {
		return nil, fmt.Errorf("metrics: NewRanker: %d values do not form rows of dim %d: %w", len(items), dim, ErrLength)
	}
	n := len(items) / dim
	r := &Ranker{be: be, n: n, dim: dim, items: be.New(n * dim), sqNorm: make([]float64, n), row: be.New(dim),
		mirror: make([]float32, n*dim), hash: make([]uint64, n), canon: make([]int32, n), dups: make([]int32, 0, n)}
	if err := r.SetItems(items); err != nil {
		return nil, err
	}
	return r, nil
}

// NumItems is the number of items ranked.
func (r *Ranker) NumItems() int { return r.n }

// Dim is the embedding dimension.
func (r *Ranker) Dim() int { return r.dim }

// SetItems replaces every item embedding (same shape as at construction). On error nothing changes.
func (r *Ranker) SetItems(items []float32) error {
	if len(items) != r.n*r.dim {
		return fmt.Errorf("metrics: Ranker.SetItems: %d values for %d items × dim %d: %w", len(items), r.n, r.dim, ErrLength)
	}
	for j := range r.n {
		if err := checkVec("Ranker.SetItems", "item", j, items[j*r.dim:(j+1)*r.dim]); err != nil {
			return err
		}
	}
	r.be.Upload(r.items, items)
	copy(r.mirror, items)
	first := map[uint64][]int32{} // hash -> the canonical items with that hash
	for j := range r.n {
		v := r.itemRow(j)
		r.sqNorm[j] = sqNorm(v)
		h := rowHash(v)
		r.hash[j] = h
		r.canon[j] = int32(j)
		for _, k := range first[h] {
			if slices.Equal(r.itemRow(int(k)), v) {
				r.canon[j] = k
				break
			}
		}
		if r.canon[j] == int32(j) {
			first[h] = append(first[h], int32(j))
		}
	}
	r.listDups()
	return nil
}

func (r *Ranker) itemRow(j int) []float32 { return r.mirror[j*r.dim : (j+1)*r.dim] }

// listDups rebuilds dups from canon and gives duplicates their canonical item's norm (equal
// anyway: equal values square to equal sums).
func (r *Ranker) listDups() {
	r.dups = r.dups[:0]
	for j, c := range r.canon {
		if c != int32(j) {
			r.dups = append(r.dups, int32(j))
			r.sqNorm[j] = r.sqNorm[c]
		}
	}
}

// rowHash is FNV-1a over the bits of v, with -0 hashed as +0 because the two compare equal.
func rowHash(v []float32) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range v {
		if x == 0 {
			x = 0
		}
		b := math.Float32bits(x)
		for range 4 {
			h ^= uint64(b & 0xff)
			h *= 1099511628211
			b >>= 8
		}
	}
	return h
}

// SetItem replaces the embedding of item j, for evaluation protocols in which item embeddings change
// after every interaction (JODIE). It costs O(dim + numItems), less than one ranking.
func (r *Ranker) SetItem(j int, emb []float32) error {
	if j < 0 || j >= r.n {
		return fmt.Errorf("metrics: Ranker.SetItem: item %d outside [0, %d): %w", j, r.n, ErrRange)
	}
	if len(emb) != r.dim {
		return fmt.Errorf("metrics: Ranker.SetItem: %d values for dim %d: %w", len(emb), r.dim, ErrLength)
	}
	if err := checkVec("Ranker.SetItem", "item", j, emb); err != nil {
		return err
	}
	r.be.Upload(r.row, emb)
	r.be.CopyRow(r.dim, r.row, 0, r.items, j, false)
	copy(r.itemRow(j), emb)
	r.sqNorm[j] = sqNorm(emb)
	r.hash[j] = rowHash(emb)

	// j leaves its group; when it was the group's first item, the next member (all members come
	// after the first) takes over.
	j32, next := int32(j), int32(-1)
	if r.canon[j] == j32 {
		for k := j + 1; k < r.n; k++ {
			if r.canon[k] == j32 {
				if next < 0 {
					next = int32(k)
				}
				r.canon[k] = next
			}
		}
	}
	// j joins the group of an equal item, becoming its first member when it comes before it.
	r.canon[j] = j32
	for k, c := range r.canon {
		if k == j || c != int32(k) || r.hash[k] != r.hash[j] || !slices.Equal(r.itemRow(k), emb) {
			continue
		}
		if k < j {
			r.canon[j] = c
		} else {
			for x := k; x < r.n; x++ {
				if r.canon[x] == c {
					r.canon[x] = j32
				}
			}
		}
		break
	}
	r.listDups()
	return nil
}

// sqNorm is ‖v‖² accumulated in float64.
func sqNorm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return s
}

// checkVec names the first non-finite component of row i of some matrix.
func checkVec(fn, what string, i int, v []float32) error {
	for c, x := range v {
		if x != x {
			return fmt.Errorf("metrics: %s: %s %d component %d is NaN: %w", fn, what, i, c, ErrNaN)
		}
		if math.IsInf(float64(x), 0) {
			return fmt.Errorf("metrics: %s: %s %d component %d is %v: %w", fn, what, i, c, x, ErrRange)
		}
	}
	return nil
}

// RankL2 ranks items by Euclidean distance to predicted vectors, as JODIE's evaluation: for each
// query q, out[q] is the rank of item targets[q] among all items ordered by ‖preds[q] − e_j‖
// (closest first) under rule. preds is len(targets)×dim, row-major.
//
// The squared distance is ‖p‖² − 2p·e_j + ‖e_j‖²; the dot products of a chunk of queries with all
// items are one Gemm. ‖p‖² is the same for every item of a query and is left out: it cannot change
// the order, and adding it would only round nearby distances together. The remainder ‖e_j‖² − 2p·e_j
// is formed in float64 from the float32 product. The target's value is read from the same row of
// the product as every other item's, and identical items share one value (see Ranker), so an item
// identical to the target always ties with it instead of winning or losing by rounding.
func (r *Ranker) RankL2(preds []float32, targets []int32, rule TieRule, out []float64) error {
	return r.rank("RankL2", preds, targets, rule, out, true)
}

// RankDot ranks items by dot product with predicted vectors, higher first (models scoring by
// p·e_j, or logits from a linear read-out): out[q] is the rank of item targets[q] for query q
// under rule. preds is len(targets)×dim, row-major.
func (r *Ranker) RankDot(preds []float32, targets []int32, rule TieRule, out []float64) error {
	return r.rank("RankDot", preds, targets, rule, out, false)
}

func (r *Ranker) chunk() int {
	if r.ChunkQueries > 0 {
		return r.ChunkQueries
	}
	return max(1, min(DefaultChunkQueries, maxChunkScores/r.n))
}

func (r *Ranker) rank(fn string, preds []float32, targets []int32, rule TieRule, out []float64, l2 bool) error {
	q := len(targets)
	if len(preds) != q*r.dim {
		return fmt.Errorf("metrics: %s: %d prediction values for %d targets × dim %d: %w", fn, len(preds), q, r.dim, ErrLength)
	}
	if err := checkRankArgs(fn, r.n, targets, rule, out); err != nil {
		return err
	}
	// |p·e| ≤ ‖p‖·‖e‖ bounds every partial sum of the product too, so this check guarantees that no
	// score overflows float32 and every comparison below is between finite numbers.
	maxSq := slices.Max(r.sqNorm)
	for i := range q {
		p := preds[i*r.dim : (i+1)*r.dim]
		if err := checkVec(fn, "prediction", i, p); err != nil {
			return err
		}
		if pp := sqNorm(p); pp*maxSq > maxDotSq {
			return fmt.Errorf("metrics: %s: prediction %d has norm %.3g and the largest item %.3g: dot products could overflow float32: %w",
				fn, i, math.Sqrt(pp), math.Sqrt(maxSq), ErrRange)
		}
	}
	chunk := r.chunk()
	if r.p == nil || r.p.Cap() < chunk*r.dim {
		// Allocate whole chunks once so that shorter last chunks reuse the memory.
		r.p = r.be.Resize(r.p, chunk*r.dim)
		r.g = r.be.Resize(r.g, chunk*r.n)
	}
	if cap(r.scores) < chunk*r.n {
		r.scores = make([]float32, chunk*r.n)
	}
	for q0 := 0; q0 < q; q0 += chunk {
		m := min(chunk, q-q0)
		r.p = r.be.Resize(r.p, m*r.dim)
		r.g = r.be.Resize(r.g, m*r.n)
		r.be.Upload(r.p, preds[q0*r.dim:(q0+m)*r.dim])
		r.be.Gemm(false, true, m, r.n, r.dim, 1, r.p, r.items, 0, r.g)
		scores := r.scores[:m*r.n]
		r.be.Download(scores, r.g)
		for i := range m {
			row := scores[i*r.n : (i+1)*r.n]
			for _, j := range r.dups {
				row[j] = row[r.canon[j]]
			}
			t := int(targets[q0+i])
			var better, equal int
			if l2 {
				better, equal = countCloser(row, r.sqNorm, t)
			} else {
				// The norm check above rules out NaN, so countHigher's bad index is always -1 here.
				better, equal, _ = countHigher(row, t)
			}
			out[q0+i] = rule.Rank(better, equal)
		}
	}
	return nil
}

// countCloser counts items j with ‖e_j‖² − 2·dot[j] below and equal to the target's (the target
// excluded). All values are finite (see rank). The two independent ifs compile to branch-free
// code; an if/else chain mispredicts on about half the items of a random row and ran 2.7× slower.
func countCloser(dot []float32, sq []float64, t int) (better, equal int) {
	st := sq[t] - 2*float64(dot[t])
	sq = sq[:len(dot)]
	for j, v := range dot {
		s := sq[j] - 2*float64(v)
		if s < st {
			better++
		}
		if s == st {
			equal++
		}
	}
	return better, equal - 1
}
