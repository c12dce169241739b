package nn

import (
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
)

// recurrent holds the two affine maps every PyTorch cell has: x·W_ihᵀ + b_ih and h·W_hhᵀ + b_hh,
// with gates stacked along the output dimension, all initialised U(±1/√hidden).
type recurrent struct {
	ih, hh        *Linear
	Input, Hidden int
}

func newRecurrent(be ag.Backend, name string, input, hidden, gates int, r *rand.Rand) recurrent {
	bound := 1 / math.Sqrt(float64(hidden))
	mk := func(suffix string, in int) *Linear {
		l := &Linear{W: ag.NewParam(be, name+".weight_"+suffix, gates*hidden, in),
			B: ag.NewParam(be, name+".bias_"+suffix, 1, gates*hidden), In: in, Out: gates * hidden}
		Uniform(l.W, r, -bound, bound)
		Uniform(l.B, r, -bound, bound)
		return l
	}
	return recurrent{ih: mk("ih", input), hh: mk("hh", hidden), Input: input, Hidden: hidden}
}

func (c *recurrent) Params() Params { return Collect(c.ih, c.hh) }

// RNNCell is torch.nn.RNNCell with tanh: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
type RNNCell struct{ recurrent }

// NewRNNCell returns a tanh RNN cell.
func NewRNNCell(be ag.Backend, name string, input, hidden int, r *rand.Rand) *RNNCell {
	return &RNNCell{newRecurrent(be, name, input, hidden, 1, r)}
}

// Forward returns the next hidden state for inputs x (B×Input) and states h (B×Hidden).
func (c *RNNCell) Forward(tp *ag.Tape, x, h *ag.Tensor) *ag.Tensor {
	return tp.Tanh(tp.Add(c.ih.Forward(tp, x), c.hh.Forward(tp, h)))
}

// GRUCell is torch.nn.GRUCell:
//
//	r = σ(W_ir x + b_ir + W_hr h + b_hr)
//	z = σ(W_iz x + b_iz + W_hz h + b_hz)
//	n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//	h' = (1 − z) ⊙ n + z ⊙ h
type GRUCell struct{ recurrent }

// NewGRUCell returns a GRU cell.
func NewGRUCell(be ag.Backend, name string, input, hidden int, r *rand.Rand) *GRUCell {
	return &GRUCell{newRecurrent(be, name, input, hidden, 3, r)}
}

// Forward returns the next hidden state.
func (c *GRUCell) Forward(tp *ag.Tape, x, h *ag.Tensor) *ag.Tensor {
	H := c.Hidden
	gi, gh := c.ih.Forward(tp, x), c.hh.Forward(tp, h)
	rz := tp.Sigmoid(tp.Add(tp.SliceCols(gi, 0, 2*H), tp.SliceCols(gh, 0, 2*H)))
	r, z := tp.SliceCols(rz, 0, H), tp.SliceCols(rz, H, 2*H)
	n := tp.Tanh(tp.Add(tp.SliceCols(gi, 2*H, 3*H), tp.Mul(r, tp.SliceCols(gh, 2*H, 3*H))))
	// (1−z)⊙n + z⊙h = n + z⊙(h − n)
	return tp.Add(n, tp.Mul(z, tp.Sub(h, n)))
}

// LSTMCell is torch.nn.LSTMCell (gate order i, f, g, o):
//
//	c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),  h' = σ(o) ⊙ tanh(c')
type LSTMCell struct{ recurrent }

// NewLSTMCell returns an LSTM cell.
func NewLSTMCell(be ag.Backend, name string, input, hidden int, r *rand.Rand) *LSTMCell {
	return &LSTMCell{newRecurrent(be, name, input, hidden, 4, r)}
}

// Forward returns the next hidden and cell states.
func (c *LSTMCell) Forward(tp *ag.Tape, x, h, cell *ag.Tensor) (hNext, cNext *ag.Tensor) {
	H := c.Hidden
	g := tp.Add(c.ih.Forward(tp, x), c.hh.Forward(tp, h))
	ifo := tp.Sigmoid(tp.Concat(tp.SliceCols(g, 0, 2*H), tp.SliceCols(g, 3*H, 4*H)))
	i, f, o := tp.SliceCols(ifo, 0, H), tp.SliceCols(ifo, H, 2*H), tp.SliceCols(ifo, 2*H, 3*H)
	cNext = tp.Add(tp.Mul(f, cell), tp.Mul(i, tp.Tanh(tp.SliceCols(g, 2*H, 3*H))))
	return tp.Mul(o, tp.Tanh(cNext)), cNext
}
