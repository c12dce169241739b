package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestTieRule(t *testing.T) {
	for _, tc := range []struct {
		rule          TieRule
		better, equal int
		want          float64
	}{
		{TiesOptimistic, 0, 0, 1}, {TiesOptimistic, 3, 4, 4},
		// TGB: mean of optimistic 1+3 and pessimistic 1+3+4 = 6; and 1+2+1/2 with one tie.
		{TiesAverage, 3, 4, 6}, {TiesAverage, 2, 1, 3.5}, {TiesAverage, 0, 0, 1},
	} {
		if got := tc.rule.Rank(tc.better, tc.equal); got != tc.want {
			t.Errorf("%v.Rank(%d, %d) = %v, want %v", tc.rule, tc.better, tc.equal, got, tc.want)
		}
	}
	for s, want := range map[string]TieRule{"": TiesOptimistic, "strict": TiesOptimistic, "optimistic": TiesOptimistic, "average": TiesAverage} {
		if got, err := ParseTieRule(s); err != nil || got != want {
			t.Errorf("ParseTieRule(%q) = %v, %v", s, got, err)
		}
		if want.String() != "optimistic" && want.String() != "average" {
			t.Errorf("String of %d = %q", int(want), want)
		}
	}
	if _, err := ParseTieRule("pessimistic"); err == nil || !strings.Contains(err.Error(), "valid: optimistic, average") {
		t.Errorf("ParseTieRule(pessimistic) error %v", err)
	}
}

func TestRankAccumulatorHandComputed(t *testing.T) {
	// Ranks 1, 2, 4, 11, 2.5 (an average-tie rank). By hand:
	//   MRR       = (1 + 1/2 + 1/4 + 1/11 + 1/2.5)/5 = 2.2409090909.../5
	//   recall@1  = 1/5; recall@10 = 4/5 (11 is out)
	//   ndcg@10   = (1/log2 2 + 1/log2 3 + 1/log2 5 + 1/log2 3.5)/5
	//             = (1 + 0.6309297536 + 0.4306765581 + 0.5532947557)/5
	//   ndcg@1    = 1/5
	ranks := []float64{1, 2, 4, 11, 2.5}
	a := NewRankAccumulator(10, 1, 10) // unsorted with a duplicate: both cleaned up
	if err := a.AddRanks(ranks); err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{"MRR", (1 + 0.5 + 0.25 + 1.0/11 + 0.4) / 5},
		{"recall@1", 0.2},
		{"recall@10", 0.8},
		{"ndcg@1", 0.2},
		{"ndcg@10", (1 + 0.6309297535714575 + 0.43067655807339306 + 0.5532947556651122) / 5},
	}
	got := a.Results()
	if len(got) != len(want) || a.Count() != 5 || !slices.Equal(a.Cutoffs(), []int{1, 10}) {
		t.Fatalf("Results = %v, Count %d, Cutoffs %v", got, a.Count(), a.Cutoffs())
	}
	for i := range want {
		if got[i].Name != want[i].Name || math.Abs(got[i].Value-want[i].Value) > tol {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
		if _, err := Lookup(got[i].Name); err != nil {
			t.Errorf("result name %q not in the metric table: %v", got[i].Name, err)
		}
	}

	// Merge of two halves equals the whole.
	b, c := NewRankAccumulator(1, 10), NewRankAccumulator(1, 10)
	_ = b.AddRanks(ranks[:2])
	_ = c.AddRanks(ranks[2:])
	b.Merge(c)
	if math.Abs(b.MRR()-a.MRR()) > tol || b.Recall(10) != a.Recall(10) || math.Abs(b.NDCG(10)-a.NDCG(10)) > tol || b.Count() != 5 {
		t.Errorf("merged %v, want %v", b.Results(), a.Results())
	}
	a.Reset()
	if a.Count() != 0 || !math.IsNaN(a.MRR()) {
		t.Errorf("after Reset: count %d, MRR %v (want 0, NaN)", a.Count(), a.MRR())
	}

	// The function forms agree with the accumulator.
	if v, err := MRR(ranks); err != nil || math.Abs(v-want[0].Value) > tol {
		t.Errorf("MRR = %v, %v", v, err)
	}
	if v, err := RecallAt(ranks, 10); err != nil || v != 0.8 {
		t.Errorf("RecallAt = %v, %v", v, err)
	}
	if v, err := NDCGAt(ranks, 10); err != nil || math.Abs(v-want[4].Value) > tol {
		t.Errorf("NDCGAt = %v, %v", v, err)
	}
}

func TestRankAccumulatorErrors(t *testing.T) {
	a := NewRankAccumulator(5)
	for _, r := range []float64{0, 0.5, -1, math.NaN(), math.Inf(1)} {
		if err := a.Add(r); !errors.Is(err, ErrRange) {
			t.Errorf("Add(%v) = %v, want ErrRange", r, err)
		}
	}
	if a.Count() != 0 {
		t.Errorf("bad ranks were recorded: count %d", a.Count())
	}
	if err := a.AddRanks([]float64{1, 2, 0}); err == nil || !strings.Contains(err.Error(), "rank 2") {
		t.Errorf("AddRanks error %v does not name index 2", err)
	}
	if _, err := MRR(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("MRR(nil) = %v", err)
	}
	if _, err := RecallAt([]float64{1}, 0); !errors.Is(err, ErrRange) {
		t.Errorf("RecallAt k=0: %v", err)
	}
	mustPanic(t, "Recall of a cutoff not accumulated", func() { a.Recall(10) })
	mustPanic(t, "cutoff 0", func() { NewRankAccumulator(0) })
	mustPanic(t, "merging different cutoffs", func() { a.Merge(NewRankAccumulator(10)) })
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}

func TestRankScoresHandComputed(t *testing.T) {
	// Two queries over 5 items, higher score better.
	scores := []float32{
		0.5, 0.9, 0.5, 0.1, 0.5,
		3, 1, 2, 2, 0,
	}
	for _, tc := range []struct {
		name    string
		targets []int32
		opt     []float64
		avg     []float64
	}{
		// Row 0, target 0: one better (0.9), two equal others -> optimistic 2, average 2+2/2 = 3.
		// Row 1, target 2: one better (3), one equal (item 3) -> 2 and 2.5.
		{"ties", []int32{0, 2}, []float64{2, 2}, []float64{3, 2.5}},
		// Row 0, target 3 (the worst): 4 and 4. Row 1, target 0 (the best): 1 and 1.
		{"extremes", []int32{3, 0}, []float64{5, 1}, []float64{5, 1}},
	} {
		for _, rc := range []struct {
			rule TieRule
			want []float64
		}{{TiesOptimistic, tc.opt}, {TiesAverage, tc.avg}} {
			out := make([]float64, 2)
			if err := RankScores(scores, 5, tc.targets, rc.rule, out); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(out, rc.want) {
				t.Errorf("%s/%v: ranks %v, want %v", tc.name, rc.rule, out, rc.want)
			}
		}
	}
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name    string
		scores  []float32
		targets []int32
		out     int
		want    error
		msg     string
	}{
		{"NaN other", []float32{1, 2, 3, 4, nan, 6}, []int32{0, 0}, 2, ErrNaN, "query 1: score of item 1"},
		{"NaN target", []float32{1, 2, nan, 4, 5, 6}, []int32{2, 0}, 2, ErrNaN, "query 0: score of item 2"},
		{"shape", []float32{1, 2, 3, 4, 5}, []int32{0, 0}, 2, ErrLength, ""},
		{"out", []float32{1, 2, 3, 4, 5, 6}, []int32{0, 0}, 1, ErrLength, ""},
		{"target range", []float32{1, 2, 3, 4, 5, 6}, []int32{0, 3}, 2, ErrRange, "target 1 is item 3"},
		{"negative target", []float32{1, 2, 3, 4, 5, 6}, []int32{-1, 0}, 2, ErrRange, "target 0"},
	} {
		err := RankScores(tc.scores, 3, tc.targets, TiesOptimistic, make([]float64, tc.out))
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

// handItems: 5 items in 2-d; item 3 duplicates item 1.

// TestMRRAt: ranks 1, 3, 25 with cutoff 20: MRR@20 = (1 + 1/3 + 0)/3 = 4/9, while MRR counts the
// 25th rank: (1 + 1/3 + 1/25)/3 = 103/225.
func TestMRRAt(t *testing.T) {
	a := NewRankAccumulator(20)
	if err := a.AddRanks([]float64{1, 3, 25}); err != nil {
		t.Fatal(err)
	}
	if got, want := a.MRRAt(20), 4.0/9; math.Abs(got-want) > 1e-15 {
		t.Errorf("MRRAt(20) = %v, want %v", got, want)
	}
	if got, want := a.MRR(), 103.0/225; math.Abs(got-want) > 1e-15 {
		t.Errorf("MRR = %v, want %v", got, want)
	}
	b := NewRankAccumulator(20)
	_ = b.Add(2)
	a.Merge(b)
	if got, want := a.MRRAt(20), (1+1.0/3+0.5)/4; math.Abs(got-want) > 1e-15 {
		t.Errorf("merged MRRAt(20) = %v, want %v", got, want)
	}
	if MRRName(20) != "MRR@20" {
		t.Errorf("MRRName(20) = %q", MRRName(20))
	}
}

// TestRankScoresSplit: a batch large enough to be split over the cores ranks like one query at a
// time (the rank of item t is 1 + the number of items scoring above it: scores are a permutation of
// 0..items−1 here, so the target's score is its own rank from the top minus one), and a NaN in
// two chunks is reported for the first query.
func TestRankScoresSplit(t *testing.T) {
	const queries, items = 67, rankSplitMin/50 + 7
	scores := make([]float32, queries*items)
	targets := make([]int32, queries)
	want := make([]float64, queries)
	for q := range queries {
		row := scores[q*items : (q+1)*items]
		for i := range row {
			row[i] = float32((i*31 + q*17) % items) // a permutation: 31 and items are coprime
		}
		targets[q] = int32((q * 7919) % items)
		want[q] = float64(items) - float64(row[targets[q]])
	}
	out := make([]float64, queries)
	if err := RankScores(scores, items, targets, TiesOptimistic, out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out, want) {
		t.Errorf("split ranks differ from the hand ranks, first: %v vs %v", out[:3], want[:3])
	}
	for _, nans := range [][2]int{{40, 60}, {10, 50}} { // one chunk, then both (with 2 cores)
		s := slices.Clone(scores)
		s[nans[1]*items+5], s[nans[0]*items+9] = float32(math.NaN()), float32(math.NaN())
		err := RankScores(s, items, targets, TiesOptimistic, out)
		if msg := fmt.Sprintf("query %d: score of item 9", nans[0]); !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), msg) {
			t.Errorf("NaN in queries %v: %v, want %q", nans, err, msg)
		}
	}
}
