package repeatlast

import (
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/models"
)

func TestRepeatLastRanks(t *testing.T) {
	// Rows (user, item, time): (0,0,0) (1,1,10) (0,1,20) (2,2,30) | val (0,0,40) | test (1,2,50).
	d := benchtest.Data(t, []int32{0, 1, 0, 2, 0, 1}, []int32{0, 1, 1, 2, 0, 2}, []float64{0, 10, 20, 30, 40, 50}, nil, 4, 5, bench.ProtocolFrozen)
	m, err := New(benchtest.Params(t, "    half_life: .inf\n"), models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	got := benchtest.Ranks(benchtest.Predictions(t, m, d, 1, 1))
	// u0's list after training is [i1, i0] → i0 ranks 2. Then u1's list is [i1]; i2 is not in it:
	// 1 (own list) + 1 + items outside the list more popular than i2 (count 1): i0 (count 2) → 3.
	if want := []float64{2, 3}; !slices.Equal(got, want) {
		t.Errorf("ranks %v, want %v", got, want)
	}
	// Evaluation must not change the end-of-training state: a second evaluation gives the same ranks.
	var again []float64
	if err := m.Evaluate(t.Context(), d, func(p bench.Prediction) { again = append(again, p.Rank) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, got) {
		t.Errorf("second evaluation %v differs from the first %v: Evaluate changed the model", again, got)
	}
}
