package ctr

import (
	"github.com/tibench/tibench/internal/ag"
)

// Cell is a recurrent cell over a batch: h' = f(x, h) (nn.GRUCell and nn.RNNCell have this form).
type Cell interface {
	Forward(tp *ag.Tape, x, h *ag.Tensor) *ag.Tensor
}

// Recurrence runs a cell over each sample's behaviours, oldest first, in a padded batch: xs holds
// one row per behaviour slot (row b·T+t, as Batch lays them out), mask marks real behaviours.
// Padding never moves a state — h_t = h_{t−1} + m_t·(f(x_t, h_{t−1}) − h_{t−1}) — so a sample's
// state after its last behaviour is carried to step T−1 unchanged, and a sample without history
// keeps h0 (zeros). It returns every step's state in the same row layout (B·T×H; a padded slot
// holds the last real state) and the final states (B×H).
func Recurrence(tp *ag.Tape, cell Cell, xs *ag.Tensor, mask []float32, B, T, hidden int) (states, final *ag.Tensor) {
	idx := make([]int32, B)
	col := make([]float32, B)
	h := tp.Input(B, hidden, make([]float32, B*hidden))
	steps := make([]*ag.Tensor, T)
	for t := range T {
		for b := range B {
			idx[b] = int32(b*T + t)
			col[b] = mask[b*T+t]
		}
		x := tp.Gather(xs, idx)
		next := cell.Forward(tp, x, h)
		h = tp.Add(h, tp.Mul(tp.Sub(next, h), tp.Input(B, 1, col)))
		steps[t] = h
	}
	refs := make([]ag.RowRef, B*T)
	for b := range B {
		for t := range T {
			refs[b*T+t] = ag.RowRef{T: steps[t], Row: int32(b)}
		}
	}
	return tp.GatherRefs(refs), h
}
