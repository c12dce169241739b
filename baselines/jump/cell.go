package jump

import (
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// HighwayCell is JUMP's recurrent highway unit with multiplicative integration (eq. 15; Zilly et
// al. 2017's RH unit, Wu et al. 2016's MI):
//
//	m  = α⊙(W_c x ⊙ U_c h) + β⊙W_c x + γ⊙U_c h
//	c  = tanh(m)
//	g  = σ(W_g x + U_g h)
//	h' = (1 − g)⊙h + g⊙c
//
// "For units without input, all the terms containing x will be omitted" (m = γ⊙U_c h, g = σ(U_g h)).
// U_c and U_g carry the biases (eq. 15 writes none; MI-RNN has one in the candidate, the gate
// needs one to learn to carry). α, β, γ start at 1, ½, ½ as Wu et al. initialise MI.
type HighwayCell struct {
	Wc, Wg             *nn.Linear // input projections; nil for a cell without input
	Uc, Ug             *nn.Linear // state projections, with the biases
	Alpha, Beta, Gamma *ag.Tensor // 1×hidden gating vectors of MI
}

// NewHighwayCell returns a cell with input width in (0: no input) and state width hidden.
func NewHighwayCell(be ag.Backend, name string, in, hidden int, r *rand.Rand) *HighwayCell {
	c := &HighwayCell{
		Uc:    nn.NewLinear(be, name+".uc", hidden, hidden, true, r),
		Ug:    nn.NewLinear(be, name+".ug", hidden, hidden, true, r),
		Alpha: ag.NewParam(be, name+".alpha", 1, hidden),
		Beta:  ag.NewParam(be, name+".beta", 1, hidden),
		Gamma: ag.NewParam(be, name+".gamma", 1, hidden),
	}
	if in > 0 {
		c.Wc = nn.NewLinear(be, name+".wc", in, hidden, false, r)
		c.Wg = nn.NewLinear(be, name+".wg", in, hidden, false, r)
	}
	fill := func(t *ag.Tensor, v float64) {
		x := make([]float64, t.Len())
		for i := range x {
			x[i] = v
		}
		t.CopyFrom64(x)
	}
	fill(c.Alpha, 1)
	fill(c.Beta, 0.5)
	fill(c.Gamma, 0.5)
	return c
}

// Params lists the cell's parameters.
func (c *HighwayCell) Params() nn.Params {
	ps := append(nn.Collect(c.Uc, c.Ug), c.Alpha, c.Beta, c.Gamma)
	if c.Wc != nil {
		ps = append(ps, nn.Collect(c.Wc, c.Wg)...)
	}
	return ps
}

// Forward returns the next state for input x (B×in, nil for a cell without input) and state h.
func (c *HighwayCell) Forward(tp *ag.Tape, x, h *ag.Tensor) *ag.Tensor {
	uc := c.Uc.Forward(tp, h)
	gate := c.Ug.Forward(tp, h)
	m := tp.Mul(uc, c.Gamma)
	if c.Wc != nil {
		wc := c.Wc.Forward(tp, x)
		m = tp.Add(m, tp.Add(tp.Mul(tp.Mul(wc, uc), c.Alpha), tp.Mul(wc, c.Beta)))
		gate = tp.Add(gate, c.Wg.Forward(tp, x))
	}
	g := tp.Sigmoid(gate)
	// (1 − g)⊙h + g⊙c = h + g⊙(c − h)
	return tp.Add(h, tp.Mul(g, tp.Sub(tp.Tanh(m), h)))
}
