package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

const tol = 1e-12

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name   string
		higher bool
	}{
		{"MRR", true}, {"recall@10", true}, {"recall@1", true}, {"ndcg@20", true}, {"AUC", true},
		{"MAE", false}, {"GAUC", true}, {"GAUC-impr", true}, {"logloss", false},
		{"MRR@20", true}, {"sec/epoch", false}, {"interactions/s", true}, {"epochs", false},
		{"recall@20/len=2-6", true}, {"MAE/len=151-", false}, {"GAUC/len=1-4", true},
	} {
		m, err := Lookup(tc.name)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.name, err)
			continue
		}
		if m.Name != tc.name || m.HigherIsBetter != tc.higher || m.Description == "" {
			t.Errorf("Lookup(%q) = %+v, want name %q higher=%v and a description", tc.name, m, tc.name, tc.higher)
		}
		want := map[bool]string{true: "higher", false: "lower"}[tc.higher]
		if m.Better() != want {
			t.Errorf("%s.Better() = %q, want %q", tc.name, m.Better(), want)
		}
	}
	for _, bad := range []string{"mrr", "recall@0", "recall@-1", "recall@", "recall@01", "ndcg@x", "recall@k", "MRR@k", "MRR@0", "precision@10", "",
		"sec/epoch/len=2-6", "recall@20/len=", "mrr/len=2-6", "recall@20/len=2-6/len=3-4"} {
		_, err := Lookup(bad)
		if err == nil {
			t.Errorf("Lookup(%q) succeeded, want an error", bad)
		}
	}
	// An unknown name lists the valid ones (house rule: errors suggest the fix).
	if _, err := Lookup("NDCG"); err == nil || !strings.Contains(err.Error(), "GAUC-impr") {
		t.Errorf("Lookup(NDCG) error %v does not list the valid names", err)
	}
	if RecallName(10) != "recall@10" || NDCGName(5) != "ndcg@5" {
		t.Errorf("RecallName/NDCGName = %q, %q", RecallName(10), NDCGName(5))
	}
	// Metrics returns a copy: editing it must not change Lookup.
	ms := Metrics()
	ms[0].HigherIsBetter = false
	if m, _ := Lookup("MRR"); !m.HigherIsBetter {
		t.Error("editing Metrics() changed the table")
	}
}

// TestDirections: the one direction table decides selection and regression for both kinds of
// metric (hand-computed: MRR 0.5 → 0.4 is 0.1 worse; MAE 10 → 12 is 2 worse).
func TestDirections(t *testing.T) {
	for _, tc := range []struct {
		unit          string
		base, current float64
		worse         float64
		improves      bool
	}{
		{"MRR", 0.5, 0.4, 0.1, false},
		{"MRR", 0.4, 0.5, -0.1, true},
		{"MAE", 10, 12, 2, false},
		{"MAE", 12, 10, -2, true},
		{"logloss", 0.7, 0.7, 0, false},
		{"recall@20", 0.25, 0.5, -0.25, true},
	} {
		w, err := Worse(tc.unit, tc.base, tc.current)
		if err != nil || math.Abs(w-tc.worse) > 1e-12 {
			t.Errorf("Worse(%s, %v, %v) = %v, %v; want %v", tc.unit, tc.base, tc.current, w, err, tc.worse)
		}
		if imp, err := Improves(tc.unit, tc.current, tc.base); err != nil || imp != tc.improves {
			t.Errorf("Improves(%s, %v over %v) = %v, %v; want %v", tc.unit, tc.current, tc.base, imp, err, tc.improves)
		}
	}
	if _, err := Worse("speed", 1, 2); err == nil {
		t.Error("Worse of an unknown unit succeeded")
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"MRR", "recall@10", "ndcg@3", "recall@0", "ndcg@+1", "x@1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		m, err := Lookup(name)
		if err != nil {
			return
		}
		if m.Name != name {
			t.Fatalf("Lookup(%q).Name = %q", name, m.Name)
		}
		// A resolved family name round-trips through RecallName / NDCGName.
		if fam, k, ok := strings.Cut(name, "@"); ok {
			var n int
			for _, c := range k {
				n = n*10 + int(c-'0')
			}
			if (fam == "recall" && RecallName(n) != name) || (fam == "ndcg" && NDCGName(n) != name) || n < 1 {
				t.Fatalf("Lookup accepted %q, which is not a canonical family name", name)
			}
		}
	})
}

// pairwiseAUC is the O(n²) Mann–Whitney oracle: the share of (positive, negative) pairs ordered
// correctly, ties counting 1/2.
func pairwiseAUC(scores []float64, labels []bool) float64 {
	var u, pairs float64
	for i, si := range scores {
		if !labels[i] {
			continue
		}
		for j, sj := range scores {
			if labels[j] {
				continue
			}
			pairs++
			switch {
			case si > sj:
				u++
			case si == sj:
				u += 0.5
			}
		}
	}
	return u / pairs
}

func TestAUCHandComputed(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		// sklearn.metrics.roc_auc_score docs / roc_curve example: y=[0,0,1,1], s=[.1,.4,.35,.8] -> 0.75.
		{"sklearn example", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		// By hand: pairs (0.4,0.1)=1, (0.4,0.4)=1/2, (0.8,0.1)=1, (0.8,0.4)=1 -> 3.5/4.
		{"one tie", []float64{0.1, 0.4, 0.4, 0.8}, []bool{false, true, false, true}, 0.875},
		{"all tied", []float64{2, 2, 2, 2, 2}, []bool{true, false, false, true, false}, 0.5},
		{"perfect", []float64{-3, -1, 2, 5}, []bool{false, false, true, true}, 1},
		{"reversed", []float64{-3, -1, 2, 5}, []bool{true, true, false, false}, 0},
		// Pairs: (inf,-inf)=1, (inf,0)=1, (0,-inf)=1, (0,0)=1/2 -> 3.5/4; ±Inf scores are legal.
		{"infinities", []float64{inf, -inf, 0, 0}, []bool{true, false, true, false}, 0.875},
		// Tied +Inf scores: the positive beats 1 and ties the other +Inf -> 1.5/2. gonum's stat.ROC
		// alone gets 0.5 here (its +Inf sentinel cutoff collides with the scores).
		{"tied +Inf", []float64{1, inf, inf}, []bool{false, true, false}, 0.75},
		// By hand: positives 3 and 1 against negatives 1, 1, 0:
		// 3 beats all three (3); 1 ties twice (1) and beats 0 (1) -> 5/6.
		{"ties across classes", []float64{3, 1, 1, 1, 0}, []bool{true, true, false, false, false}, 5.0 / 6},
	} {
		got, err := AUC(tc.scores, tc.labels)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(got-tc.want) > tol {
			t.Errorf("%s: AUC = %v, want %v", tc.name, got, tc.want)
		}
		if pw := pairwiseAUC(tc.scores, tc.labels); math.Abs(pw-tc.want) > tol {
			t.Errorf("%s: pairwise oracle %v disagrees with the hand value %v", tc.name, pw, tc.want)
		}
	}
}

func TestAUCMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	for trial := range 50 {
		n := 2 + rng.IntN(300)
		scores := make([]float64, n)
		labels := make([]bool, n)
		levels := 1 + rng.IntN(20) // few distinct values -> many ties
		for i := range scores {
			scores[i] = float64(rng.IntN(levels)) / 3
			if rng.IntN(10) == 0 {
				scores[i] = math.Inf(1 - 2*rng.IntN(2)) // ±Inf, tied among themselves
			}
			labels[i] = rng.Float64() < 0.3
		}
		labels[0], labels[1] = true, false
		orig := append([]float64(nil), scores...)
		got, err := AUC(scores, labels)
		if err != nil {
			t.Fatal(err)
		}
		if want := pairwiseAUC(scores, labels); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUC %v, pairwise %v", trial, got, want)
		}
		for i := range scores {
			if scores[i] != orig[i] {
				t.Fatalf("AUC modified its input at %d", i)
			}
		}
	}
}

func TestAUCErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores []float64
		labels []bool
		want   error
		msg    string
	}{
		{"length", []float64{1, 2}, []bool{true}, ErrLength, ""},
		{"empty", nil, nil, ErrEmpty, ""},
		{"only positives", []float64{1, 2}, []bool{true, true}, ErrOneClass, ""},
		{"only negatives", []float64{1, 2}, []bool{false, false}, ErrOneClass, ""},
		{"NaN", []float64{1, math.NaN(), 0}, []bool{true, false, false}, ErrNaN, "score 1 is NaN"},
	} {
		_, err := AUC(tc.scores, tc.labels)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

func TestGAUCPairwise(t *testing.T) {
	// TIN code: 1[pos > neg] per user. By hand: 0.9>0.1 yes, 0.2>0.3 no, 0.5>0.5 no (tie is wrong),
	// 0.7>0.6 yes -> 2/4.
	got, err := GAUCPairwise([]float64{0.9, 0.2, 0.5, 0.7}, []float64{0.1, 0.3, 0.5, 0.6})
	if err != nil || got != 0.5 {
		t.Errorf("GAUCPairwise = %v, %v; want 0.5", got, err)
	}
	// The same pairs under AUC's rule would give the tie 1/2: the two definitions differ.
	if _, err := GAUCPairwise([]float64{1}, []float64{1, 2}); !errors.Is(err, ErrLength) {
		t.Errorf("length mismatch: %v", err)
	}
	if _, err := GAUCPairwise(nil, nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := GAUCPairwise([]float64{1, 2}, []float64{0, math.NaN()}); !errors.Is(err, ErrNaN) ||
		!strings.Contains(err.Error(), "negative score 1") {
		t.Errorf("NaN: %v", err)
	}
}

func TestGAUCImpressionHandComputed(t *testing.T) {
	// Samples of five users, interleaved to exercise the grouping. Per-user AUC by hand:
	//   user 1: +0.9 | -0.3 -0.5                -> 2/2 = 1,   3 impressions, 1 positive
	//   user 2: +0.2 +0.7 | -0.6 -0.6           -> 2/4 = 0.5, 4 impressions, 2 positives
	//   user 3: +0.4 | -0.4                     -> tie 1/2,   2 impressions, 1 positive
	//   user 4: +0.1 only; user 5: -0.3 -0.8 only -> skipped (one class)
	// impressions: (3·1 + 4·0.5 + 2·0.5)/(3+4+2) = 6/9; positives: (1·1 + 2·0.5 + 1·0.5)/4 = 2.5/4.
	users := []int32{1, 2, 3, 4, 2, 1, 5, 2, 3, 1, 2, 5}
	scores := []float64{0.9, 0.2, 0.4, 0.1, 0.6, 0.3, 0.3, 0.7, 0.4, 0.5, 0.6, 0.8}
	labels := []bool{true, true, true, true, false, false, false, true, false, false, false, false}
	for _, tc := range []struct {
		w    GAUCWeighting
		want float64
	}{{WeightImpressions, 6.0 / 9}, {WeightPositives, 2.5 / 4}} {
		got, err := GAUCImpression(users, scores, labels, tc.w)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > tol {
			t.Errorf("GAUCImpression(%v) = %v, want %v", tc.w, got, tc.want)
		}
	}
}

func TestGAUCImpressionMatchesPerUserOracle(t *testing.T) {
	// Oracle: split by user, pairwiseAUC per user, weighted mean - written independently of the
	// sort-and-group code under test.
	rng := rand.New(rand.NewPCG(11, 3))
	n := 2000
	users := make([]int32, n)
	scores := make([]float64, n)
	labels := make([]bool, n)
	for i := range n {
		users[i] = int32(rng.IntN(150))
		scores[i] = float64(rng.IntN(12))
		labels[i] = rng.Float64() < 0.4
	}
	type group struct {
		s []float64
		l []bool
	}
	groups := map[int32]*group{}
	for i, u := range users {
		g := groups[u]
		if g == nil {
			g = &group{}
			groups[u] = g
		}
		g.s = append(g.s, scores[i])
		g.l = append(g.l, labels[i])
	}
	for _, w := range []GAUCWeighting{WeightImpressions, WeightPositives} {
		var sum, wsum float64
		for _, g := range groups {
			pos := 0
			for _, l := range g.l {
				if l {
					pos++
				}
			}
			if pos == 0 || pos == len(g.l) {
				continue
			}
			wt := float64(len(g.l))
			if w == WeightPositives {
				wt = float64(pos)
			}
			sum += wt * pairwiseAUC(g.s, g.l)
			wsum += wt
		}
		got, err := GAUCImpression(users, scores, labels, w)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-sum/wsum) > 1e-12 {
			t.Errorf("%v: GAUCImpression = %v, oracle %v", w, got, sum/wsum)
		}
	}
}

func TestGAUCImpressionErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		users  []int32
		scores []float64
		labels []bool
		want   error
	}{
		{"users length", []int32{1}, []float64{1, 2}, []bool{true, false}, ErrLength},
		{"labels length", []int32{1, 1}, []float64{1, 2}, []bool{true}, ErrLength},
		{"empty", nil, nil, nil, ErrEmpty},
		{"NaN", []int32{1, 1}, []float64{1, math.NaN()}, []bool{true, false}, ErrNaN},
		{"no user with both classes", []int32{1, 2}, []float64{1, 2}, []bool{true, false}, ErrOneClass},
	} {
		if _, err := GAUCImpression(tc.users, tc.scores, tc.labels, WeightImpressions); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestBadInputRules has one row per bad-input rule of the metrics (issues #12, #13): an empty input
// or one class is an error, never 0 or NaN; GAUC's skipped one-class users are counted.
func TestBadInputRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func() (float64, error)
		want error  // nil: no error
		msg  string // in the error
	}{
		{"MAE over zero clicks", func() (float64, error) { return MAE(nil, nil) }, ErrEmpty, "metrics: MAE"},
		{"GAUC with one-class users skips and counts them", func() (float64, error) {
			// user 1: +0.9 -0.1 (AUC 1); user 2: two positives; user 3: one negative.
			g, err := GroupAUC([]int32{1, 1, 2, 2, 3}, []float64{0.9, 0.1, 0.5, 0.6, 0.2}, []bool{true, false, true, true, false}, WeightImpressions)
			if err == nil && (g.Users != 1 || g.OneClass != 2) {
				return 0, fmt.Errorf("users %d one-class %d, want 1 and 2", g.Users, g.OneClass)
			}
			return g.Value, err
		}, nil, ""},
		{"GAUC with every user one-class", func() (float64, error) {
			return GAUCImpression([]int32{1, 2, 2}, []float64{1, 2, 3}, []bool{true, false, false}, WeightImpressions)
		}, ErrOneClass, "none of the 2 users has both"},
		{"AUC of one class", func() (float64, error) { return AUC([]float64{1, 2}, []bool{true, true}) }, ErrOneClass, "2 positives among 2"},
		{"GAUC (TIN code) over no users", func() (float64, error) { return GAUCPairwise(nil, nil) }, ErrEmpty, "GAUCPairwise"},
	} {
		got, err := tc.run()
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want == nil && (math.IsNaN(got) || got != 1):
			t.Errorf("%s: %v, want 1", tc.name, got)
		case tc.want != nil && (!errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("%s: error %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

func TestLogLoss(t *testing.T) {
	for _, tc := range []struct {
		name   string
		probs  []float64
		labels []bool
		want   float64
	}{
		// By hand: −ln 0.9 = 0.1053605157, −ln(1−0.2) = 0.2231435513.
		{"plain", []float64{0.9, 0.2}, []bool{true, false}, (0.10536051565782628 + 0.2231435513142097) / 2},
		// Confident mistakes are clipped at eps=1e-7: each costs −ln 1e-7 = 16.11809565095832;
		// mean with the two above = 8.14117384222217.
		{"clipped", []float64{0.9, 0.2, 1, 0}, []bool{true, false, false, true}, 8.14117384222217},
		// Confident right answers cost −ln(1−1e-7) = 1e-7 + 1e-14/2 + ... ≈ 1.00000005e-7, not 0.
		{"clipped right", []float64{1, 0}, []bool{true, false}, 1.00000005e-7},
		{"coin", []float64{0.5, 0.5, 0.5}, []bool{true, false, true}, math.Ln2},
	} {
		got, err := LogLoss(tc.probs, tc.labels)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(got-tc.want) > 1e-8*tc.want {
			t.Errorf("%s: LogLoss = %.17g, want %.17g", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name  string
		probs []float64
		want  error
		msg   string
	}{
		{"above 1", []float64{0.5, 1.5}, ErrRange, "probability 1 is 1.5"},
		{"negative", []float64{-0.1, 0.5}, ErrRange, "probability 0"},
		{"NaN", []float64{0.5, math.NaN()}, ErrNaN, "probability 1 is NaN"},
		{"length", []float64{0.5}, ErrLength, ""},
	} {
		_, err := LogLoss(tc.probs, []bool{true, false})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

func TestMAE(t *testing.T) {
	// By hand: |1−2| + |2−2| + |3−5| = 3 over 3 samples.
	got, err := MAE([]float64{1, 2, 3}, []float64{2, 2, 5})
	if err != nil || got != 1 {
		t.Errorf("MAE = %v, %v; want 1", got, err)
	}
	for _, tc := range []struct {
		name         string
		pred, actual []float64
		want         error
		msg          string
	}{
		{"length", []float64{1}, []float64{1, 2}, ErrLength, ""},
		{"empty", nil, nil, ErrEmpty, ""},
		{"NaN prediction", []float64{1, math.NaN()}, []float64{1, 2}, ErrNaN, "prediction 1 is NaN"},
		{"Inf actual", []float64{1, 2}, []float64{math.Inf(-1), 2}, ErrRange, "actual value 0"},
	} {
		_, err := MAE(tc.pred, tc.actual)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
}
