package nn

import (
	"math"
	"testing"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

// TestAUGRUEquations: with GRUCell's hand-set weights of TestCellEquations, AUGRU with a = 1 is the
// GRU, with a = 0 keeps h, and with a = 0.3 moves h by 0.3·(1 − z)·(n − h) (hand-computed).
func TestAUGRUEquations(t *testing.T) {
	be := ag.NewCPU64()
	const x, h0 = 0.7, -0.4
	c := NewAUGRUCell(be, "augru", 1, 1, rng(2))
	c.ih.W.CopyFrom64([]float64{0.2, -0.5, 0.9})
	c.ih.B.CopyFrom64([]float64{0.1, 0.2, 0.3})
	c.hh.W.CopyFrom64([]float64{0.4, 0.6, -0.7})
	c.hh.B.CopyFrom64([]float64{-0.1, 0.05, 0.15})
	r := sigm(0.2*x + 0.1 + 0.4*h0 - 0.1)
	z := sigm(-0.5*x + 0.2 + 0.6*h0 + 0.05)
	n := math.Tanh(0.9*x + 0.3 + r*(-0.7*h0+0.15))
	tp := ag.NewTape(be)
	for _, a := range []float64{1, 0, 0.3} {
		got := c.Forward(tp, tp.Input64(1, 1, []float64{x}), tp.Input64(1, 1, []float64{h0}), tp.Input64(1, 1, []float64{a})).Scalar()
		want := h0 + a*(1-z)*(n-h0)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("a = %v: %.15g, want %.15g", a, got, want)
		}
	}
}

// TestAUGRUGradients: a float64 gradient check of two AUGRU steps, through the weights, the initial
// state and the attention scores (DIEN learns them from the target).
func TestAUGRUGradients(t *testing.T) {
	be := ag.NewCPU64()
	c := NewAUGRUCell(be, "augru", 4, 3, rng(11))
	h0, att := ag.NewParam(be, "h0", 2, 3), ag.NewParam(be, "att", 2, 2)
	agtest.FillUniform(h0, rng(110), -1, 1)
	agtest.FillUniform(att, rng(111), 0, 1)
	input := func(tp *ag.Tape, seed uint64) *ag.Tensor {
		r := rng(seed)
		v := make([]float64, 2*4)
		for i := range v {
			v[i] = r.Float64()*2 - 1
		}
		return tp.Input64(2, 4, v)
	}
	bad, err := agtest.CheckGradients(append(c.Params(), h0, att), func(tp *ag.Tape) *ag.Tensor {
		h := c.Forward(tp, input(tp, 12), h0, tp.SliceCols(att, 0, 1))
		return agtest.Project(tp, c.Forward(tp, input(tp, 13), h, tp.SliceCols(att, 1, 2)))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range bad {
		t.Error(m)
	}
}
