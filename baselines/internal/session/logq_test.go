package session

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// TestSampledLogQ checks the sampled softmax's log-Q correction against values computed by hand.
// Items 0..2 with 1-wide output rows 1, 2, 0. Two clicks have session vectors 1 and −1 and next
// items 0 and 1. Item 0 has half the training clicks and items 1 and 2 a quarter each; every draw
// is item 2. So the candidates are [0, 1, 2] (the two next items, then one draw), with expected
// counts Q = 2·(½, ¼, ¼) + 1·(0, 0, 1) = (1, ½, 3/2).
//
//	row 0: logits (1, 2, 0) − log Q = (1, 2 + log 2, −log 1.5); CE at 0 = 1.8993898993345373
//	row 1: logits (−1, −2, 0) − log Q = (−1, −2 + log 2, −log 1.5); CE at 1 = 1.5732218803876452
//
// The mean is 1.7363058898610912. Without the correction (weight 0) it is 1.9076059644443804.
func TestSampledLogQ(t *testing.T) {
	be := ag.NewCPU64()
	for _, tc := range []struct {
		weight, want float64
	}{{1, 1.7363058898610912}, {0, 1.9076059644443804}} {
		out := ag.NewParam(be, "Out", 3, 1)
		out.CopyFrom64([]float64{1, 2, 0})
		w := tc.weight
		m := &Model{cfg: Config{SampledSoftmax: 1, SampledLogQ: &w}, net: &recurrentNet{Out: out},
			cumPop: []float64{0, 0, 1}, clickP: []float64{0.5, 0.25, 0.25}, drawP: []float64{0, 0, 1},
			rng: rand.New(rand.NewPCG(1, 2))}
		tp := ag.NewTape(be)
		v := tp.Input64(2, 1, []float64{1, -1})
		got := m.sampledCrossEntropy(tp, v, []int32{0, 1}).Scalar()
		if m.negIDs[2] != 2 {
			t.Fatalf("drew item %d, want 2", m.negIDs[2])
		}
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("weight %v: loss %.16g, want %.16g", tc.weight, got, tc.want)
		}
	}
}
