package ctr

import (
	"math"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// TestCorrelationOf checks eq. 4 by hand on one sample of two behaviours (D = 2, scale 1/2):
//
//	keys (1, 0), (0, 2); query (1, 1): z = 1/2 and 1
//	repr (3, 4), (0, 1): ‖r‖ = 5 and 1
//	with attention: 5·e^{1/2}, 1·e^1; without: 5, 1
func TestCorrelationOf(t *testing.T) {
	tp := ag.NewTape(ag.NewCPU64())
	keys := tp.Input(2, 2, []float32{1, 0, 0, 2})
	query := tp.Input(1, 2, []float32{1, 1})
	repr := tp.Input(2, 2, []float32{3, 4, 0, 1})
	for _, tc := range []struct {
		name  string
		query *ag.Tensor
		want  []float64
	}{
		{"attention", query, []float64{5 * math.Exp(0.5), math.E}},
		{"no attention", nil, []float64{5, 1}},
	} {
		got := CorrelationOf(1, 2, keys, tc.query, 0.5, repr)
		for i := range tc.want {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("%s: row %d = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}
