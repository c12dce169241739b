package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/tibench/tibench/datasets"
)

// probeModel is a CTR model stub whose learned correlation of behaviour j of the i-th sample it is
// asked about is 10·(i+1) + j.
type probeModel struct{ noModel }

func (probeModel) LearnedCorrelation(_ context.Context, _ *Data, samples []datasets.CTRSample) ([][]float64, error) {
	out := make([][]float64, len(samples))
	for i, s := range samples {
		for j := range s.History {
			out[i] = append(out[i], float64(10*(i+1)+j))
		}
	}
	return out, nil
}

// noCorrelation is a prober whose net has no measure.
type noCorrelation struct{ noModel }

func (noCorrelation) LearnedCorrelation(context.Context, *Data, []datasets.CTRSample) ([][]float64, error) {
	return nil, fmt.Errorf("gru4rec-ctr: %w", ErrNoCorrelation)
}

// noModel is a Model without a prober.
type noModel struct{}

func (noModel) Init(*Data, uint64) error { return nil }
func (noModel) TrainEpoch(context.Context, *Data, Progress) (EpochStats, error) {
	return EpochStats{}, nil
}
func (noModel) Evaluate(context.Context, *Data, Sink) error { return nil }

// TestSemanticTemporalCorrelation by hand. Items 0..3 have categories 7, 7, 8, 8. Training samples
// (history oldest first → target, label):
//
//	s1 [2 1] → 0, 1    s2 [1] → 3, 0    s3 [3 2] → 1, 1    s4 [0] → 2, 1    s5 [2] → 0, 0
//
// Positive targets: category 7 twice (s1, s3), 8 once (s4): target category 7, rows 7 then 8. The
// samples with a category-7 target are s1, s3, s5 (asked in that order, i = 0, 1, 2):
//
//	s1: position 1 = item 1 (cat 7) → 11, position 2 = item 2 (cat 8) → 10
//	s3: position 1 = item 2 (cat 8) → 21, position 2 = item 3 (cat 8) → 20
//	s5: position 1 = item 2 (cat 8) → 30
//
// Learned: row 7 = 11 at position 1, nothing elsewhere (NaN); row 8 = (21+30)/2 = 25.5 at
// position 1 and (10+20)/2 = 15 at position 2. Row 7 has one value: no Pearson r.
func TestSemanticTemporalCorrelation(t *testing.T) {
	c := &datasets.CTRSplit{Name: "toy", NumItems: 4, Categories: []int32{7, 7, 8, 8}, NumCategories: 9,
		Train: []datasets.CTRSample{
			{History: []int32{2, 1}, Target: 0, Label: 1}, {History: []int32{1}, Target: 3, Label: 0},
			{History: []int32{3, 2}, Target: 1, Label: 1}, {History: []int32{0}, Target: 2, Label: 1},
			{History: []int32{2}, Target: 0, Label: 0},
		}}
	d := &Data{CTR: c}
	s, err := SemanticTemporalCorrelation(context.Background(), probeModel{}, d)
	if err != nil {
		t.Fatal(err)
	}
	if s.TargetCat != 7 || !slices.Equal(s.Cats, []int32{7, 8}) {
		t.Fatalf("target %d, rows %v; want 7 and [7 8]", s.TargetCat, s.Cats)
	}
	truth, err := datasets.CategoryTargetCorrelation(c, c.Train, 7, []int32{7, 8}, STCPositions)
	if err != nil {
		t.Fatal(err)
	}
	for r := range truth {
		if !slices.Equal(s.Truth[r], truth[r]) {
			t.Errorf("truth row %d = %v, want %v", r, s.Truth[r], truth[r])
		}
	}
	nan := math.NaN()
	want := [][]float64{{11, nan, nan, nan, nan, nan, nan, nan, nan, nan}, {25.5, 15, nan, nan, nan, nan, nan, nan, nan, nan}}
	for r := range want {
		for p := range want[r] {
			if g, w := s.Learned[r][p], want[r][p]; !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("learned row %d position %d = %v, want %v", r, p+1, g, w)
			}
		}
	}
	if s.Count[1][0] != 2 || !math.IsNaN(s.Pearson) {
		t.Errorf("count %d (want 2), Pearson %v (want NaN)", s.Count[1][0], s.Pearson)
	}
	// Without a prober: the truth alone.
	s, err = SemanticTemporalCorrelation(context.Background(), noModel{}, d)
	if err != nil || s.Learned != nil || len(s.Truth) != 2 {
		t.Errorf("without a prober: %v, learned %v, %d truth rows", err, s.Learned, len(s.Truth))
	}
	s, err = SemanticTemporalCorrelation(context.Background(), noCorrelation{}, d)
	if err != nil || s.Learned != nil {
		t.Errorf("with a prober without a measure: %v, learned %v", err, s.Learned)
	}
	// Without categories: an error.
	if _, err := SemanticTemporalCorrelation(context.Background(), probeModel{}, &Data{CTR: &datasets.CTRSplit{Name: "x", Train: c.Train}}); err == nil {
		t.Error("no error without categories")
	}
}

// TestPearson by hand: x = 1, 2, 3 and y = 2, 4, 7: sxy = 5, sxx = 2, syy = 114/9, r = 5/√(228/9).
func TestPearson(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3}, []float64{2, 4, 7}, 5 / math.Sqrt(228.0/9)},
		{[]float64{1, 2, 3, 9}, []float64{2, 4, 7, nan}, 5 / math.Sqrt(228.0/9)}, // NaN positions are left out
		{[]float64{1, 2, 3}, []float64{-1, -2, -3}, -1},
		{[]float64{1, 2, 3}, []float64{5, 5, 5}, nan}, // constant
		{[]float64{1, 2}, []float64{3, nan}, nan},     // one point
	} {
		got := pearson(tc.x, tc.y)
		if !(math.Abs(got-tc.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("pearson(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}
