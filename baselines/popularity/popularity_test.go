package popularity

import (
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/models"
)

// Rows (user, item, time): (0,0,0) (1,1,10) (0,1,20) (2,2,30) | val (0,0,40) | test (1,2,50).
func handData(t *testing.T) *bench.Data {
	return benchtest.Data(t, []int32{0, 1, 0, 2, 0, 1}, []int32{0, 1, 1, 2, 0, 2}, []float64{0, 10, 20, 30, 40, 50}, nil, 4, 5, bench.ProtocolFrozen)
}

func TestPopularityRanks(t *testing.T) {
	tests := []struct {
		name      string
		params    string
		wantRanks []float64
		oracle    string
	}{
		{"counts", "    half_life: .inf\n", []float64{2, 3},
			"counts i0:1 i1:2 i2:1 → i0 ranks 2 (i1 ahead); then i0:2 → i2 ranks 3 (i0, i1 ahead)"},
		{"half-life-10s", "    half_life: 10\n", []float64{3, 2},
			"weights 2^(t/10): i0 1, i1 2+4=6, i2 8 → i0 ranks 3; i0 += 16 → 17 > i2's 8 → i2 ranks 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(benchtest.Params(t, tt.params), models.Env{})
			if err != nil {
				t.Fatal(err)
			}
			got := benchtest.Ranks(benchtest.Predictions(t, m, handData(t), 1, 2))
			if !slices.Equal(got, tt.wantRanks) {
				t.Errorf("ranks %v, want %v (%s)", got, tt.wantRanks, tt.oracle)
			}
		})
	}
}

func TestPopularityRejectsBadParams(t *testing.T) {
	if _, err := New(benchtest.Params(t, "    half_life: -1\n"), models.Env{}); err == nil {
		t.Error("negative half-life accepted")
	}
	if _, err := New(benchtest.Params(t, "    halflife: 5\n"), models.Env{}); err == nil {
		t.Error("unknown key accepted")
	}
}
