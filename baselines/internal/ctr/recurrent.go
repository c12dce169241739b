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

// minStepRows is the fewest rows a step of PackedSteps feeds its cell (or the batch size, if
// smaller): a padded step has one row per sample, and the matrix products give a row the same bits
// whatever the number of rows only while they run the same kernel, which depends on the row count
// below 4 (ag's fastKernelFits). A step with fewer live samples is topped up with copies of its
// first row, whose results are dropped (their gradients are zero).
const minStepRows = 4

// PackedSteps runs a recurrence over b's packed behaviours, oldest first: step t calls step with
// rows, the packed row (b.Off[s]+t) of each sample s that has a behaviour t, in sample order
// (topped up, see minStepRows), and h, their states after step t−1 (zeros at t = 0); step returns
// their states after step t. Samples without a behaviour t are not stepped. It returns the state
// after every behaviour in the packed layout (N×H, when states is set; else nil) and each sample's
// state after its last behaviour (B×H; zeros for an empty history).
func PackedSteps(tp *ag.Tape, b *Batch, hidden int, states bool, step func(rows []int32, h *ag.Tensor) *ag.Tensor) (all, final *ag.Tensor) {
	B := b.B
	minRows := min(minStepRows, B)
	var prev *ag.Tensor     // the previous step's states, one row per entry of idx
	pos := make([]int32, B) // sample s's row in prev
	idx, from := make([]int32, 0, B), make([]int32, 0, B)
	var rowRefs []ag.RowRef
	if states {
		rowRefs = make([]ag.RowRef, b.N)
	}
	finalRefs := make([]ag.RowRef, B)
	zero := tp.Input(1, hidden, make([]float32, hidden))
	for s := range B {
		finalRefs[s] = ag.RowRef{T: zero}
	}
	for t := range b.T {
		idx, from = idx[:0], from[:0]
		for s, L := range b.Len {
			if L > t {
				idx, from = append(idx, b.Off[s]+int32(t)), append(from, pos[s])
			}
		}
		live := len(idx)
		if live == 0 {
			break
		}
		for len(idx) < minRows {
			idx, from = append(idx, idx[0]), append(from, from[0])
		}
		var h *ag.Tensor
		if prev == nil {
			h = tp.Input(len(idx), hidden, make([]float32, len(idx)*hidden))
		} else {
			h = tp.Gather(prev, from)
		}
		h = step(idx, h)
		i := int32(0)
		for s, L := range b.Len {
			if L <= t {
				continue
			}
			pos[s] = i
			if states {
				rowRefs[b.Off[s]+int32(t)] = ag.RowRef{T: h, Row: i}
			}
			if L == t+1 {
				finalRefs[s] = ag.RowRef{T: h, Row: i}
			}
			i++
		}
		prev = h
	}
	if states && b.N > 0 {
		all = tp.GatherRefs(rowRefs)
	}
	return all, tp.GatherRefs(finalRefs)
}

// PackedRecurrence is Recurrence on b's packed behaviours (PackedSteps): xs has one row per
// behaviour (row b.Off[s]+t for behaviour t of sample s). Every state has the bits Recurrence gives
// it (padding never moved a state there: h + (next − h)·0; the live rows' h + (next − h)·1 is
// h + (next − h) here, and padding rows added exact zeros to the products' sums). The gradients have
// them too when the states reach the loss through the final states and the next step only (states
// false: gru4rec-ctr); a loss that also reads the intermediate states adds their gradients in another
// order than Recurrence, a rounding-level difference.
func PackedRecurrence(tp *ag.Tape, cell Cell, xs *ag.Tensor, b *Batch, hidden int, states bool) (all, final *ag.Tensor) {
	return PackedSteps(tp, b, hidden, states, func(rows []int32, h *ag.Tensor) *ag.Tensor {
		return tp.Add(h, tp.Sub(cell.Forward(tp, tp.Gather(xs, rows), h), h))
	})
}
