package ag

import "fmt"

// Ragged sequences. A batch of B sequences of different lengths is stored packed: the rows of
// sequence b are off[b]..off[b+1] of an N×D tensor (N = off[B]), with no padding rows. SegDot,
// SegSoftmax and SegWeightedSum are SeqDot, Softmax with a padding mask and SeqWeightedSum on that
// layout: they call the same kernels on each sequence's rows, so every real slot gets the bits
// the padded ops give it (a padded slot adds only exact zeros to the padded ops' sums), and padding
// costs nothing.

// checkSegments panics unless off is a valid segmentation of rows rows into at least one segment.
func checkSegments(op string, off []int32, rows int) {
	if len(off) < 2 || off[0] != 0 || int(off[len(off)-1]) != rows {
		panic(fmt.Sprintf("ag: %s: segment offsets %v for %d rows", op, off, rows))
	}
	for b := 1; b < len(off); b++ {
		if off[b] < off[b-1] {
			panic(fmt.Sprintf("ag: %s: decreasing segment offsets %v", op, off))
		}
	}
}

// segView returns view slot i (of the tape's reused headers) of elements [lo, hi) of s.
func (tp *Tape) segView(i int, s Storage, lo, hi int) Storage {
	tp.segViews[i] = tp.be.View(tp.segViews[i], s, lo, hi-lo)
	return tp.segViews[i]
}

// SegDot scores each of B queries q (B×D) against the rows of its own segment of k (N×D, segments
// off): out[i] = ⟨q_b, k_i⟩ for the rows i of segment b, an N×1 column (SeqDot on packed rows).
func (tp *Tape) SegDot(q, k *Tensor, off []int32) *Tensor {
	checkSegments("SegDot", off, k.rows)
	if len(off)-1 != q.rows || k.cols != q.cols {
		shapePanic("SegDot", q, k)
	}
	out := tp.newTensor(k.rows, 1)
	D := q.cols
	for b := range q.rows {
		lo, hi := int(off[b]), int(off[b+1])
		if lo == hi {
			continue
		}
		tp.be.SeqDot(1, hi-lo, D, tp.segView(0, q.val, b*D, (b+1)*D), tp.segView(1, k.val, lo*D, hi*D), tp.segView(2, out.val, lo, hi))
	}
	if tp.recording && (q.needGrad || k.needGrad) {
		tp.record(node{op: opSegDot, out: out, a: q, b: k, idx: tp.copyInts(off)}, q, k)
	}
	return out
}

// SegSoftmax returns the softmax of the N×1 column x within each segment (Softmax of a padded B×T
// matrix with its padding masked, on packed rows). An empty segment has no rows.
func (tp *Tape) SegSoftmax(x *Tensor, off []int32) *Tensor {
	checkSegments("SegSoftmax", off, x.rows)
	if x.cols != 1 {
		shapePanic("SegSoftmax", x)
	}
	out := tp.newTensor(x.rows, 1)
	for b := range len(off) - 1 {
		lo, hi := int(off[b]), int(off[b+1])
		if lo == hi {
			continue
		}
		tp.be.Softmax(1, hi-lo, tp.segView(0, x.val, lo, hi), nil, tp.segView(1, out.val, lo, hi), false)
	}
	if tp.recording && x.needGrad {
		tp.record(node{op: opSegSoftmax, out: out, a: x, idx: tp.copyInts(off)}, x)
	}
	return out
}

// SegWeightedSum returns out[b] = Σ_i w_i·v_i over the rows i of segment b, for weights w (N×1) and
// values v (N×D): a B×D matrix, zero rows for empty segments (SeqWeightedSum on packed rows).
func (tp *Tape) SegWeightedSum(w, v *Tensor, off []int32) *Tensor {
	checkSegments("SegWeightedSum", off, v.rows)
	if w.rows != v.rows || w.cols != 1 {
		shapePanic("SegWeightedSum", w, v)
	}
	B, D := len(off)-1, v.cols
	out := tp.newTensor(B, D)
	for b := range B {
		lo, hi := int(off[b]), int(off[b+1])
		y := tp.segView(2, out.val, b*D, (b+1)*D)
		if lo == hi {
			tp.be.Zero(y)
			continue
		}
		tp.be.SeqWeightedSum(1, hi-lo, D, tp.segView(0, w.val, lo, hi), tp.segView(1, v.val, lo*D, hi*D), y)
	}
	if tp.recording && (w.needGrad || v.needGrad) {
		tp.record(node{op: opSegWeightedSum, out: out, a: w, b: v, idx: tp.copyInts(off)}, w, v)
	}
	return out
}

// segBackward propagates the gradient of a segment op (n.op is opSegDot, opSegSoftmax or
// opSegWeightedSum) with the padded ops' gradient kernels, segment by segment.
func (tp *Tape) segBackward(n *node) {
	be, out, off := tp.be, n.out, n.idx
	dy := out.grad
	view := func(i int, s Storage, lo, hi int) Storage {
		if s == nil {
			return nil
		}
		return tp.segView(i, s, lo, hi)
	}
	switch n.op {
	case opSegDot:
		dq, dk := tp.want(n.a), tp.want(n.b)
		D := n.a.cols
		for b := range n.a.rows {
			lo, hi := int(off[b]), int(off[b+1])
			if lo == hi {
				continue
			}
			be.SeqDotGrad(1, hi-lo, D, view(0, n.a.val, b*D, (b+1)*D), view(1, n.b.val, lo*D, hi*D), view(2, dy, lo, hi),
				view(3, dq, b*D, (b+1)*D), view(4, dk, lo*D, hi*D))
		}
	case opSegSoftmax:
		dx := tp.want(n.a)
		if dx == nil {
			return
		}
		for b := range len(off) - 1 {
			lo, hi := int(off[b]), int(off[b+1])
			if lo == hi {
				continue
			}
			be.SoftmaxGrad(1, hi-lo, view(0, out.val, lo, hi), view(1, dy, lo, hi), view(2, dx, lo, hi), false)
		}
	case opSegWeightedSum:
		dw, dv := tp.want(n.a), tp.want(n.b)
		D := n.b.cols
		for b := range len(off) - 1 {
			lo, hi := int(off[b]), int(off[b+1])
			if lo == hi {
				continue
			}
			be.SeqWeightedSumGrad(1, hi-lo, D, view(0, n.a.val, lo, hi), view(1, n.b.val, lo*D, hi*D), view(2, dy, b*D, (b+1)*D),
				view(3, dw, lo, hi), view(4, dv, lo*D, hi*D))
		}
	}
}
