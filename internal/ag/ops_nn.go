package ag

import "fmt"

// Softmax returns the row-wise softmax of x. mask (x's shape, values 0/1, or nil) excludes the
// positions where it is 0 — padded steps of a sequence — which get probability 0.
func (tp *Tape) Softmax(x, mask *Tensor) *Tensor { return tp.softmax(x, mask, false) }

// LogSoftmax returns the row-wise log-softmax of x; masked positions get −Inf.
func (tp *Tape) LogSoftmax(x, mask *Tensor) *Tensor { return tp.softmax(x, mask, true) }

func (tp *Tape) softmax(x, mask *Tensor, log bool) *Tensor {
	var m Storage
	if mask != nil {
		if mask.rows != x.rows || mask.cols != x.cols {
			shapePanic("Softmax mask", x, mask)
		}
		m = mask.val
	}
	out := tp.newTensor(x.rows, x.cols)
	tp.be.Softmax(x.rows, x.cols, x.val, m, out.val, log)
	tp.record(node{op: opSoftmax, out: out, a: x, ta: log}, x)
	return out
}

// CrossEntropy returns the class-weighted mean cross-entropy of logits (rows×classes) against integer
// targets, as torch.nn.CrossEntropyLoss(weight=w) with reduction "mean":
// Σ_r w[t_r]·(−log softmax(x_r)[t_r]) / Σ_r w[t_r]. weights nil means all 1. Both slices are copied.
func (tp *Tape) CrossEntropy(logits *Tensor, targets []int32, weights []float32) *Tensor {
	if len(targets) != logits.rows {
		panic(fmt.Sprintf("ag: CrossEntropy: %d targets for %v", len(targets), logits))
	}
	if weights != nil && len(weights) != logits.cols {
		panic(fmt.Sprintf("ag: CrossEntropy: %d class weights for %v", len(weights), logits))
	}
	for _, t := range targets {
		if t < 0 || int(t) >= logits.cols {
			panic(fmt.Sprintf("ag: CrossEntropy: target %d out of range for %v", t, logits))
		}
	}
	probs := tp.newStorage(logits.Len())
	loss, wsum := tp.be.CrossEntropy(logits.rows, logits.cols, logits.val, targets, weights, probs)
	out := tp.newTensor(1, 1)
	scale := 0.0
	if wsum > 0 {
		scale = 1 / wsum
	}
	tp.be.Set(out.val, 0, loss*scale)
	if tp.recording && logits.needGrad {
		tp.record(node{op: opCrossEntropy, out: out, a: logits, aux: probs, idx: tp.copyInts(targets),
			w: tp.copyF32s(weights), f: scale}, logits)
	}
	return out
}

// MSE returns the mean over all elements of (a − b)², as torch.nn.MSELoss(). Pass a detached b for
// a fixed target (JODIE detaches the item embedding it predicts).
func (tp *Tape) MSE(a, b *Tensor) *Tensor {
	if a.rows != b.rows || a.cols != b.cols {
		shapePanic("MSE", a, b)
	}
	n := float64(a.Len())
	out := tp.newTensor(1, 1)
	tp.be.Set(out.val, 0, tp.be.SqDiffSum(a.val, b.val)/n)
	tp.record(node{op: opMSE, out: out, a: a, b: b, f: 1 / n}, a, b)
	return out
}

// L2NormalizeEps is the floor on a row norm in L2Normalize, as torch.nn.functional.normalize.
const L2NormalizeEps = 1e-12

// L2Normalize divides every row by its Euclidean norm (floored at L2NormalizeEps).
func (tp *Tape) L2Normalize(x *Tensor) *Tensor {
	out := tp.newTensor(x.rows, x.cols)
	norms := tp.newStorage(x.rows)
	tp.be.L2NormalizeRows(x.rows, x.cols, x.val, out.val, norms, L2NormalizeEps)
	tp.record(node{op: opL2Norm, out: out, a: x, aux: norms}, x)
	return out
}

// RowDot returns the r×1 column of row-wise dot products ⟨a_r, b_r⟩.
func (tp *Tape) RowDot(a, b *Tensor) *Tensor {
	if a.rows != b.rows || a.cols != b.cols {
		shapePanic("RowDot", a, b)
	}
	out := tp.newTensor(a.rows, 1)
	tp.be.RowDot(a.rows, a.cols, a.val, b.val, out.val)
	tp.record(node{op: opRowDot, out: out, a: a, b: b}, a, b)
	return out
}

// SeqDot scores each of B queries q (B×D) against its own T keys k ((B·T)×D, rows b·T..b·T+T−1):
// out[b,t] = ⟨q_b, k_{b,t}⟩, a B×T matrix. With Softmax(mask) and SeqWeightedSum it forms
// attention over padded sequences.
func (tp *Tape) SeqDot(q, k *Tensor, steps int) *Tensor {
	if steps <= 0 || k.rows != q.rows*steps || k.cols != q.cols {
		shapePanic(fmt.Sprintf("SeqDot(T=%d)", steps), q, k)
	}
	out := tp.newTensor(q.rows, steps)
	tp.be.SeqDot(q.rows, steps, q.cols, q.val, k.val, out.val)
	tp.record(node{op: opSeqDot, out: out, a: q, b: k, i0: steps}, q, k)
	return out
}

// SeqWeightedSum returns out[b] = Σ_t w[b,t]·v_{b,t} for weights w (B×T) and values v ((B·T)×D).
func (tp *Tape) SeqWeightedSum(w, v *Tensor) *Tensor {
	steps := w.cols
	if v.rows != w.rows*steps {
		shapePanic("SeqWeightedSum", w, v)
	}
	out := tp.newTensor(w.rows, v.cols)
	tp.be.SeqWeightedSum(w.rows, steps, v.cols, w.val, v.val, out.val)
	tp.record(node{op: opSeqWeightedSum, out: out, a: w, b: v}, w, v)
	return out
}

// backward propagates n.out's gradient into n's inputs.
func (tp *Tape) backward(n *node) {
	be, out := tp.be, n.out
	dy := out.grad
	switch n.op {
	case opMatMul:
		a, b := n.a, n.b
		m, nn, k := out.rows, out.cols, n.i0
		if da := tp.want(a); da != nil {
			switch {
			case !n.ta && !n.tb: // dA = dC·Bᵀ
				be.Gemm(false, true, m, k, nn, 1, dy, b.val, 1, da)
			case !n.ta && n.tb: // dA = dC·B
				be.Gemm(false, false, m, k, nn, 1, dy, b.val, 1, da)
			case n.ta && !n.tb: // dA (k×m) = B·dCᵀ
				be.Gemm(false, true, k, m, nn, 1, b.val, dy, 1, da)
			default: // dA (k×m) = Bᵀ·dCᵀ
				be.Gemm(true, true, k, m, nn, 1, b.val, dy, 1, da)
			}
		}
		if db := tp.want(b); db != nil {
			switch {
			case !n.ta && !n.tb: // dB = Aᵀ·dC
				be.Gemm(true, false, k, nn, m, 1, a.val, dy, 1, db)
			case !n.ta && n.tb: // dB (n×k) = dCᵀ·A
				be.Gemm(true, false, nn, k, m, 1, dy, a.val, 1, db)
			case n.ta && !n.tb: // dB = A·dC (A stored k×m)
				be.Gemm(false, false, k, nn, m, 1, a.val, dy, 1, db)
			default: // dB (n×k) = dCᵀ·Aᵀ
				be.Gemm(true, true, nn, k, m, 1, dy, a.val, 1, db)
			}
		}
	case opUnary:
		if dx := tp.want(n.a); dx != nil {
			be.UnaryGrad(n.unary, n.a.val, out.val, dy, dx)
		}
	case opBinary:
		da, db := tp.want(n.a), tp.want(n.b)
		if da != nil || db != nil {
			be.BinaryGrad(n.binary, n.bc, out.rows, out.cols, n.a.val, n.b.val, dy, da, db)
		}
	case opScaleAdd:
		if dx := tp.want(n.a); dx != nil {
			be.Axpy(n.f, dy, dx)
		}
	case opSum:
		if dx := tp.want(n.a); dx != nil {
			be.Expand(n.axis, n.a.rows, n.a.cols, dy, dx, n.f)
		}
	case opConcat:
		at := 0
		for _, x := range n.list {
			if dx := tp.want(x); dx != nil {
				be.CopyCols(out.rows, x.cols, dy, out.cols, at, dx, x.cols, 0, true)
			}
			at += x.cols
		}
	case opSlice:
		if dx := tp.want(n.a); dx != nil {
			be.CopyCols(out.rows, out.cols, dy, out.cols, 0, dx, n.a.cols, n.i0, true)
		}
	case opGather:
		t := n.a
		g := t.grad
		if t.param {
			if t.sparse {
				t.touch(n.idx)
			}
		} else {
			g = tp.gradOf(t)
		}
		be.ScatterAddRows(t.cols, dy, n.idx, g)
	case opGatherRefs:
		for i, r := range n.refs {
			if !r.T.needGrad {
				continue
			}
			var g Storage
			if r.T.param {
				g = r.T.grad
				if r.T.sparse {
					r.T.touchRow(r.Row)
				}
			} else {
				g = tp.gradOf(r.T)
			}
			be.CopyRow(out.cols, dy, i, g, int(r.Row), true)
		}
	case opSoftmax:
		if dx := tp.want(n.a); dx != nil {
			be.SoftmaxGrad(out.rows, out.cols, out.val, dy, dx, n.ta)
		}
	case opCrossEntropy:
		if dx := tp.want(n.a); dx != nil {
			be.CrossEntropyGrad(n.a.rows, n.a.cols, n.aux, n.idx, n.w, n.f*be.Get(dy, 0), dx)
		}
	case opMSE:
		da, db := tp.want(n.a), tp.want(n.b)
		be.SqDiffGrad(n.a.val, n.b.val, n.f*be.Get(dy, 0), da, db)
	case opL2Norm:
		if dx := tp.want(n.a); dx != nil {
			be.L2NormalizeRowsGrad(out.rows, out.cols, n.a.val, out.val, n.aux, dy, dx, L2NormalizeEps)
		}
	case opRowDot:
		da, db := tp.want(n.a), tp.want(n.b)
		be.RowDotGrad(n.a.rows, n.a.cols, n.a.val, n.b.val, dy, da, db)
	case opSeqDot:
		dq, dk := tp.want(n.a), tp.want(n.b)
		be.SeqDotGrad(n.a.rows, n.i0, n.a.cols, n.a.val, n.b.val, dy, dq, dk)
	case opSeqWeightedSum:
		dw, dv := tp.want(n.a), tp.want(n.b)
		be.SeqWeightedSumGrad(n.a.rows, n.a.cols, n.b.cols, n.a.val, n.b.val, dy, dw, dv)
	case opSegDot, opSegSoftmax, opSegWeightedSum:
		tp.segBackward(n)
	default:
		panic(fmt.Sprintf("ag: backward of unknown op %d", n.op))
	}
}
