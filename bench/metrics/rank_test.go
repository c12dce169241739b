package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/internal/ag"
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
var handItems = []float32{
	0, 0,
	1, 0,
	0, 1,
	1, 0,
	3, 3,
}

func TestRankerHandComputed(t *testing.T) {
	r, err := NewRanker(ag.NewCPU(), handItems, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.NumItems() != 5 || r.Dim() != 2 {
		t.Fatalf("NumItems %d Dim %d", r.NumItems(), r.Dim())
	}
	// Squared distances by hand.
	//   p=(1,0):     e0 1, e1 0, e2 2, e3 0, e4 13
	//   p=(0.5,0.5): e0..e3 all 0.5, e4 12.5
	preds := []float32{1, 0, 1, 0, 1, 0, 0.5, 0.5, 0.5, 0.5}
	targets := []int32{1, 0, 2, 4, 0}
	wantL2 := map[TieRule][]float64{
		// target 1 ties with its duplicate 3: 1 / 1.5. target 0: e1 and e3 closer -> 3.
		// target 2: 3 closer -> 4. p=(.5,.5): e4 is last -> 5; e0 ties with three -> 1 / 1+3/2.
		TiesOptimistic: {1, 3, 4, 5, 1},
		TiesAverage:    {1.5, 3, 4, 5, 2.5},
	}
	// Dot products by hand: p=(1,0): 0, 1, 0, 1, 3; p=(.5,.5): 0, .5, .5, .5, 3.
	wantDot := map[TieRule][]float64{
		// target 1: e4 higher, e3 equal -> 2 / 2.5. target 0: 3 higher, e2 equal -> 4 / 4.5.
		// target 2: 3 higher, e0 equal -> 4 / 4.5. target 4: 1. target 0 (p=.5,.5): 4 higher -> 5.
		TiesOptimistic: {2, 4, 4, 1, 5},
		TiesAverage:    {2.5, 4.5, 4.5, 1, 5},
	}
	for _, rule := range []TieRule{TiesOptimistic, TiesAverage} {
		out := make([]float64, len(targets))
		if err := r.RankL2(preds, targets, rule, out); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, wantL2[rule]) {
			t.Errorf("RankL2 %v: %v, want %v", rule, out, wantL2[rule])
		}
		if err := r.RankDot(preds, targets, rule, out); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, wantDot[rule]) {
			t.Errorf("RankDot %v: %v, want %v", rule, out, wantDot[rule])
		}
	}

	// SetItem: move item 4 onto (1,0); now three items sit at distance 0 from p=(1,0).
	if err := r.SetItem(4, []float32{1, 0}); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 1)
	if err := r.RankL2(preds[:2], targets[:1], TiesAverage, out); err != nil || out[0] != 2 {
		t.Errorf("after SetItem: rank %v (%v), want 1+2/2 = 2", out[0], err)
	}
}

// naiveL2 is the test oracle: squared distances in float64, one loop per pair, no matrix algebra.
func naiveL2(p, items []float32, dim int) []float64 {
	n := len(items) / dim
	d := make([]float64, n)
	for j := range n {
		var s float64
		for c := range dim {
			x := float64(p[c]) - float64(items[j*dim+c])
			s += x * x
		}
		d[j] = s
	}
	return d
}

func randMatrix(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func TestRankL2MatchesNaive(t *testing.T) {
	for _, tc := range []struct {
		be    ag.Backend
		n     int
		dim   int
		q     int
		chunk int
	}{
		{ag.NewCPU(), 300, 16, 200, 0},
		{ag.NewCPU(), 300, 16, 200, 7},
		// dim=129: rows at different 16-byte alignments, where gonum's SIMD dot product sums
		// identical rows differently; duplicates must tie all the same.
		{ag.NewCPU(), 257, 129, 130, 64},
		{ag.NewCPU(), 50, 3, 40, 1},
		{ag.NewCPU64(), 300, 16, 200, 33},
	} {
		name := fmt.Sprintf("%s/n=%d/dim=%d/chunk=%d", tc.be.Name(), tc.n, tc.dim, tc.chunk)
		rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.dim)))
		items := randMatrix(rng, tc.n*tc.dim)
		// Exact duplicates: every 10th item copies item 0's or item 1's row, so many queries have
		// exact ties that the batched ranks must keep as ties.
		for j := 10; j < tc.n; j += 10 {
			copy(items[j*tc.dim:(j+1)*tc.dim], items[(j/10%2)*tc.dim:])
		}
		preds := randMatrix(rng, tc.q*tc.dim)
		targets := make([]int32, tc.q)
		for i := range targets {
			if i%3 == 0 {
				targets[i] = int32(i / 3 % 2) // a duplicated item
			} else {
				targets[i] = int32(rng.IntN(tc.n))
			}
		}
		r, err := NewRanker(tc.be, items, tc.dim)
		if err != nil {
			t.Fatal(err)
		}
		r.ChunkQueries = tc.chunk
		opt, avg := make([]float64, tc.q), make([]float64, tc.q)
		if err := r.RankL2(preds, targets, TiesOptimistic, opt); err != nil {
			t.Fatal(err)
		}
		if err := r.RankL2(preds, targets, TiesAverage, avg); err != nil {
			t.Fatal(err)
		}
		exact, dupQueries := 0, 0
		for i, tgt := range targets {
			d := naiveL2(preds[i*tc.dim:(i+1)*tc.dim], items, tc.dim)
			dt := d[tgt]
			var clearBetter, near, dups int
			for j, dj := range d {
				switch {
				case j == int(tgt):
				case slices.Equal(items[j*tc.dim:(j+1)*tc.dim], items[int(tgt)*tc.dim:(int(tgt)+1)*tc.dim]):
					dups++
				case math.Abs(dj-dt) <= 1e-4*math.Max(dj, dt):
					near++
				case dj < dt:
					clearBetter++
				}
			}
			better := int(opt[i]) - 1
			equal := int(2 * (avg[i] - opt[i]))
			// Clearly closer items count as better, duplicates tie, near ties may go either way.
			if better < clearBetter || equal < dups || better+equal > clearBetter+near+dups {
				t.Fatalf("%s: query %d target %d: better %d equal %d; naive clearly better %d, near %d, duplicates %d",
					name, i, tgt, better, equal, clearBetter, near, dups)
			}
			if near == 0 {
				exact++
				if better != clearBetter || equal != dups {
					t.Fatalf("%s: query %d: better %d equal %d, want exactly %d and %d", name, i, better, equal, clearBetter, dups)
				}
			}
			if dups > 0 {
				dupQueries++
			}
		}
		// Guard against a vacuous test: most queries must have been compared exactly.
		if exact < tc.q*8/10 || dupQueries < tc.q/4 {
			t.Errorf("%s: only %d of %d queries without near ties, %d with duplicates", name, exact, tc.q, dupQueries)
		}
	}
}

func TestRankDotMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	const n, dim, q = 400, 24, 150
	items := randMatrix(rng, n*dim)
	preds := randMatrix(rng, q*dim)
	targets := make([]int32, q)
	for i := range targets {
		targets[i] = int32(rng.IntN(n))
	}
	r, err := NewRanker(ag.NewCPU(), items, dim)
	if err != nil {
		t.Fatal(err)
	}
	r.ChunkQueries = 64
	out := make([]float64, q)
	if err := r.RankDot(preds, targets, TiesOptimistic, out); err != nil {
		t.Fatal(err)
	}
	for i, tgt := range targets {
		dot := func(j int) float64 {
			var s float64
			for c := range dim {
				s += float64(preds[i*dim+c]) * float64(items[j*dim+c])
			}
			return s
		}
		st := dot(int(tgt))
		var clear, near int
		for j := range n {
			if j == int(tgt) {
				continue
			}
			sj := dot(j)
			if math.Abs(sj-st) <= 1e-4*math.Max(math.Abs(sj), math.Abs(st)) {
				near++
			} else if sj > st {
				clear++
			}
		}
		if b := int(out[i]) - 1; b < clear || b > clear+near {
			t.Fatalf("query %d: %d items ranked above the target, naive says %d (+%d near ties)", i, b, clear, near)
		}
	}
}

// TestRankL2DuplicatesAcrossTiles places copies of the target at item columns that fall in
// different tiles and bands of the Gemm (the CPU kernel tiles columns by 128 and rows by 64) and
// checks that every copy ties exactly, on both backends, for chunk boundaries, and for a dimension
// whose rows are not 16-byte aligned.
func TestRankL2DuplicatesAcrossTiles(t *testing.T) {
	for _, dim := range []int{128, 131} {
		testDuplicatesAcrossTiles(t, dim)
	}
}

func testDuplicatesAcrossTiles(t *testing.T, dim int) {
	const n, q = 1000, 300
	rng := rand.New(rand.NewPCG(3, uint64(dim)))
	items := randMatrix(rng, n*dim)
	copies := []int{0, 127, 128, 500, 999}
	const src = 301
	for _, j := range copies {
		copy(items[j*dim:(j+1)*dim], items[src*dim:(src+1)*dim])
	}
	// Predictions close to the duplicated row, so the copies are also near the top of the ranking
	// where rounding would matter most.
	preds := make([]float32, q*dim)
	for i := range q {
		for c := range dim {
			preds[i*dim+c] = items[src*dim+c] + float32(0.1*rng.NormFloat64())
		}
	}
	targets := make([]int32, q)
	for i := range targets {
		targets[i] = int32(append(copies, src)[i%(len(copies)+1)])
	}
	for _, be := range []ag.Backend{ag.NewCPU(), ag.NewCPU64()} {
		r, err := NewRanker(be, items, dim)
		if err != nil {
			t.Fatal(err)
		}
		r.ChunkQueries = 100
		opt, avg := make([]float64, q), make([]float64, q)
		if err := r.RankL2(preds, targets, TiesOptimistic, opt); err != nil {
			t.Fatal(err)
		}
		if err := r.RankL2(preds, targets, TiesAverage, avg); err != nil {
			t.Fatal(err)
		}
		for i := range q {
			// All six copies are the closest items (noise 0.1 per component vs unit-variance items),
			// so optimistic rank 1 and average rank 1 + 5/2.
			if opt[i] != 1 || avg[i] != 3.5 {
				t.Fatalf("%s dim=%d: query %d (target %d): ranks %v / %v, want 1 / 3.5", be.Name(), dim, i, targets[i], opt[i], avg[i])
			}
		}
	}
}

func TestRankerChunkInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n, dim, q = 200, 20, 333
	items := randMatrix(rng, n*dim)
	preds := randMatrix(rng, q*dim)
	targets := make([]int32, q)
	for i := range targets {
		targets[i] = int32(rng.IntN(n))
	}
	r, err := NewRanker(ag.NewCPU(), items, dim)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, q)
	if err := r.RankL2(preds, targets, TiesAverage, want); err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int{1, 2, 64, 100, 332, 333, 5000} {
		r.ChunkQueries = chunk
		got := make([]float64, q)
		if err := r.RankL2(preds, targets, TiesAverage, got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("chunk %d: ranks differ from the default chunking", chunk)
		}
	}
}

func TestRankerSetItems(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const n, dim, q = 60, 8, 30
	a, b := randMatrix(rng, n*dim), randMatrix(rng, n*dim)
	preds := randMatrix(rng, q*dim)
	targets := make([]int32, q)
	for i := range targets {
		targets[i] = int32(rng.IntN(n))
	}
	rank := func(r *Ranker) []float64 {
		out := make([]float64, q)
		if err := r.RankL2(preds, targets, TiesOptimistic, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ra, _ := NewRanker(ag.NewCPU(), a, dim)
	rb, _ := NewRanker(ag.NewCPU(), b, dim)
	wantB := rank(rb)
	if slices.Equal(rank(ra), wantB) {
		t.Fatal("test data too weak: both item sets give the same ranks")
	}
	if err := ra.SetItems(b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rank(ra), wantB) {
		t.Error("SetItems: ranks differ from a ranker built on the new items")
	}
	// Row by row back to a, then compare with a fresh ranker on a.
	for j := range n {
		if err := ra.SetItem(j, a[j*dim:(j+1)*dim]); err != nil {
			t.Fatal(err)
		}
	}
	rf, _ := NewRanker(ag.NewCPU(), a, dim)
	if !slices.Equal(rank(ra), rank(rf)) {
		t.Error("SetItem: ranks differ from a ranker built on the same items")
	}
	// A failed SetItems changes nothing.
	bad := slices.Clone(b)
	bad[5*dim+2] = float32(math.NaN())
	if err := ra.SetItems(bad); !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), "item 5 component 2") {
		t.Errorf("SetItems with NaN: %v", err)
	}
	if !slices.Equal(rank(ra), rank(rf)) {
		t.Error("a failed SetItems changed the items")
	}
}

// TestRankerSetItemGroups moves items between a few distinct embeddings one SetItem at a time and
// checks the duplicate groups against a ranker built from scratch on the same items (the oracle:
// SetItems' grouping), and that the ranks agree.
func TestRankerSetItemGroups(t *testing.T) {
	const n, dim = 40, 5
	rng := rand.New(rand.NewPCG(12, 1))
	pool := [][]float32{
		{0, 1, 2, 3, 4},
		{float32(math.Copysign(0, -1)), 1, 2, 3, 4}, // equal to the first: -0 == +0
		{1, 1, 1, 1, 1},
		{-1, 0.5, 2, 0, 1},
	}
	items := make([]float32, n*dim)
	for j := range n {
		copy(items[j*dim:], pool[rng.IntN(len(pool))])
	}
	r, err := NewRanker(ag.NewCPU(), items, dim)
	if err != nil {
		t.Fatal(err)
	}
	preds := randMatrix(rng, 4*dim)
	targets := []int32{0, 5, 17, 39}
	for step := range 300 {
		j := rng.IntN(n)
		var v []float32
		if rng.IntN(4) == 0 {
			v = randMatrix(rng, dim) // unique
		} else {
			v = pool[rng.IntN(len(pool))]
		}
		copy(items[j*dim:], v)
		if err := r.SetItem(j, v); err != nil {
			t.Fatal(err)
		}
		fresh, err := NewRanker(ag.NewCPU(), items, dim)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.canon, fresh.canon) || !slices.Equal(r.dups, fresh.dups) {
			t.Fatalf("step %d (item %d): groups %v, want %v", step, j, r.canon, fresh.canon)
		}
		got, want := make([]float64, 4), make([]float64, 4)
		_ = r.RankL2(preds, targets, TiesAverage, got)
		_ = fresh.RankL2(preds, targets, TiesAverage, want)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: ranks %v, want %v", step, got, want)
		}
	}
	if len(r.dups) == 0 {
		t.Error("test data too weak: no duplicates at the end")
	}
}

func TestRankerErrors(t *testing.T) {
	if _, err := NewRanker(ag.NewCPU(), []float32{1, 2, 3}, 2); !errors.Is(err, ErrLength) {
		t.Errorf("NewRanker ragged: %v", err)
	}
	if _, err := NewRanker(ag.NewCPU(), nil, 2); !errors.Is(err, ErrLength) {
		t.Errorf("NewRanker empty: %v", err)
	}
	if _, err := NewRanker(ag.NewCPU(), []float32{1, float32(math.Inf(1))}, 1); !errors.Is(err, ErrRange) {
		t.Errorf("NewRanker Inf: %v", err)
	}
	r, err := NewRanker(ag.NewCPU(), handItems, 2)
	if err != nil {
		t.Fatal(err)
	}
	// big: ‖p‖²·max‖e‖² = 2·(3e37)²·18 ≈ 3.2e76 exceeds the bound (MaxFloat32/4)² ≈ 7.2e75.
	nan, big := float32(math.NaN()), float32(3e37)
	for _, tc := range []struct {
		name    string
		preds   []float32
		targets []int32
		out     int
		want    error
		msg     string
	}{
		{"NaN prediction", []float32{1, 0, 0, nan}, []int32{0, 1}, 2, ErrNaN, "prediction 1 component 1 is NaN"},
		{"Inf prediction", []float32{float32(math.Inf(-1)), 0}, []int32{0}, 1, ErrRange, "prediction 0 component 0"},
		{"overflow", []float32{1, 0, big, big}, []int32{0, 1}, 2, ErrRange, "prediction 1 has norm"},
		{"preds length", []float32{1, 0, 0}, []int32{0, 1}, 2, ErrLength, ""},
		{"out length", []float32{1, 0, 0, 1}, []int32{0, 1}, 1, ErrLength, ""},
		{"target", []float32{1, 0, 0, 1}, []int32{0, 5}, 2, ErrRange, "target 1 is item 5"},
	} {
		for _, f := range []func([]float32, []int32, TieRule, []float64) error{r.RankL2, r.RankDot} {
			err := f(tc.preds, tc.targets, TiesOptimistic, make([]float64, tc.out))
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s: error %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
			}
		}
	}
	if err := r.SetItem(5, []float32{0, 0}); !errors.Is(err, ErrRange) {
		t.Errorf("SetItem out of range: %v", err)
	}
	if err := r.SetItem(0, []float32{0}); !errors.Is(err, ErrLength) {
		t.Errorf("SetItem short row: %v", err)
	}
	if err := r.SetItems(handItems[:4]); !errors.Is(err, ErrLength) {
		t.Errorf("SetItems wrong size: %v", err)
	}
	mustPanic(t, "invalid tie rule", func() { _ = r.RankL2([]float32{1, 0}, []int32{0}, TieRule(7), make([]float64, 1)) })
}

func TestRankL2ZeroAlloc(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	const n, dim, q = 500, 32, 300
	r, err := NewRanker(ag.NewCPU(), randMatrix(rng, n*dim), dim)
	if err != nil {
		t.Fatal(err)
	}
	r.ChunkQueries = 128 // three chunks, the last one short
	preds := randMatrix(rng, q*dim)
	targets := make([]int32, q)
	out := make([]float64, q)
	// AllocsPerRun warms up once (allocating the chunk buffers) before measuring.
	if a := testing.AllocsPerRun(3, func() {
		if err := r.RankL2(preds, targets, TiesAverage, out); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("RankL2 allocates %v times per call after warm-up, want 0", a)
	}
}

// BenchmarkRankL2 ranks 10,000 queries against all of 1,000 items by Euclidean distance: dim=128
// is a JODIE dynamic embedding, dim=1128 the same with the 1,000-wide one-hot part JODIE appends.
func BenchmarkRankL2(b *testing.B) {
	const q, n = 10000, 1000
	for _, dim := range []int{128, 1128} {
		b.Run(fmt.Sprintf("queries=%d/items=%d/dim=%d", q, n, dim), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, uint64(dim)))
			r, err := NewRanker(ag.NewCPU(), randMatrix(rng, n*dim), dim)
			if err != nil {
				b.Fatal(err)
			}
			preds := randMatrix(rng, q*dim)
			targets := make([]int32, q)
			for i := range targets {
				targets[i] = int32(rng.IntN(n))
			}
			out := make([]float64, q)
			// One call before the loop allocates the chunk buffers, so allocs/op shows the steady state.
			if err := r.RankL2(preds, targets, TiesOptimistic, out); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := r.RankL2(preds, targets, TiesOptimistic, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(q)*float64(b.N)/b.Elapsed().Seconds(), "queries/s")
			b.ReportMetric(2*float64(q)*n*float64(dim)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
