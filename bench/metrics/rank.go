package metrics

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
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
	rr    []float64 // per cutoff: sum of 1/rank over ranks ≤ k (MRR@k)
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
	return &RankAccumulator{ks: ks, hits: make([]int, len(ks)), dcg: make([]float64, len(ks)), rr: make([]float64, len(ks))}
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
			a.rr[i] += 1 / rank
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
		a.rr[i] += b.rr[i]
	}
}

// Reset forgets all ranks, keeping the cutoffs.
func (a *RankAccumulator) Reset() {
	a.n, a.sumRR = 0, 0
	clear(a.hits)
	clear(a.dcg)
	clear(a.rr)
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

// MRRAt is MRR@k, the mean of 1/rank with ranks worse than k counting 0 (JUMP's and session-based
// recommendation's MRR@20); NaN when no rank was recorded. k must be one of the accumulator's
// cutoffs (otherwise it panics).
func (a *RankAccumulator) MRRAt(k int) float64 { return a.rr[a.cut(k)] / float64(a.n) }

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
	// Queries are independent: large batches (a session evaluation step ranks ~100 clicks among
	// 40,000 items) are split over the cores; the ranks are the same, and the NaN reported is the
	// first query's whatever the split.
	chunks := min(runtime.GOMAXPROCS(0), len(targets))
	if len(scores) < rankSplitMin || chunks < 2 {
		// one goroutine, no allocation (streaming evaluations rank one query at a time)
		return nanError(fn, rankRows(scores, numItems, targets, rule, out, 0, len(targets)))
	}
	per := (len(targets) + chunks - 1) / chunks
	firstBad := make([][2]int, chunks) // query and item of each chunk's first NaN, query −1 if none
	var wg sync.WaitGroup
	for c := 1; c < chunks; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			firstBad[c] = rankRows(scores, numItems, targets, rule, out, c*per, min((c+1)*per, len(targets)))
		}()
	}
	firstBad[0] = rankRows(scores, numItems, targets, rule, out, 0, min(per, len(targets)))
	wg.Wait()
	for _, b := range firstBad {
		if err := nanError(fn, b); err != nil {
			return err
		}
	}
	return nil
}

// nanError names rankRows' first NaN (query and item), or is nil when there is none.
func nanError(fn string, bad [2]int) error {
	if bad[0] < 0 {
		return nil
	}
	return fmt.Errorf("metrics: %s: query %d: score of item %d is NaN: %w", fn, bad[0], bad[1], ErrNaN)
}

// rankSplitMin is the score count from which RankScores splits its queries over the cores.
const rankSplitMin = 1 << 20

// rankRows ranks queries lo..hi−1 into out and returns the query and item of the first NaN, or
// query −1.
func rankRows(scores []float32, numItems int, targets []int32, rule TieRule, out []float64, lo, hi int) [2]int {
	for q := lo; q < hi; q++ {
		better, equal, bad := countHigher(scores[q*numItems:(q+1)*numItems], int(targets[q]))
		if bad >= 0 {
			return [2]int{q, bad}
		}
		out[q] = rule.Rank(better, equal)
	}
	return [2]int{-1, -1}
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
