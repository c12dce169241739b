package nn

import (
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
)

// AUGRUCell is DIEN's GRU with attentional update gate (Zhou et al., AAAI 2019, eqs. 5–6): the GRU's
// update gate is scaled by an attention score a ∈ [0, 1] per row, so a behaviour the target does
// not attend to barely moves the interest state. In GRUCell's (PyTorch's) convention, where z
// weighs the old state:
//
//	r, z, n as GRUCell
//	h' = h + a ⊙ (1 − z) ⊙ (n − h)        (a = 1: GRUCell; a = 0: h' = h)
//
// The parameters have GRUCell's layout and initialisation.
type AUGRUCell struct{ recurrent }

// NewAUGRUCell returns an AUGRU cell.
func NewAUGRUCell(be ag.Backend, name string, input, hidden int, r *rand.Rand) *AUGRUCell {
	return &AUGRUCell{newRecurrent(be, name, input, hidden, 3, r)}
}

// Forward returns the next hidden state for inputs x (B×Input), states h (B×Hidden) and attention
// scores att (B×1).
func (c *AUGRUCell) Forward(tp *ag.Tape, x, h, att *ag.Tensor) *ag.Tensor {
	H := c.Hidden
	gi, gh := c.ih.Forward(tp, x), c.hh.Forward(tp, h)
	rz := tp.Sigmoid(tp.Add(tp.SliceCols(gi, 0, 2*H), tp.SliceCols(gh, 0, 2*H)))
	r, z := tp.SliceCols(rz, 0, H), tp.SliceCols(rz, H, 2*H)
	n := tp.Tanh(tp.Add(tp.SliceCols(gi, 2*H, 3*H), tp.Mul(r, tp.SliceCols(gh, 2*H, 3*H))))
	update := tp.Mul(tp.ScaleAdd(z, -1, 1), att) // a ⊙ (1 − z)
	return tp.Add(h, tp.Mul(update, tp.Sub(n, h)))
}
