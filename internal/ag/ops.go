package ag

import "fmt"

// Shape errors in ops are programmer errors (the shapes are fixed by the model's code), so ops panic
// with a message naming the op and both shapes, as gonum/mat does.

type opCode uint8

const (
	opMatMul opCode = iota + 1
	opUnary
	opBinary
	opScaleAdd
	opSum
	opConcat
	opSlice
	opGather
	opGatherRefs
	opSoftmax
	opCrossEntropy
	opMSE
	opL2Norm
	opRowDot
	opSeqDot
	opSeqWeightedSum
	opSegDot
	opSegSoftmax
	opSegWeightedSum
)

// node is one recorded op. It is a plain struct (no closures) so recording allocates nothing.
type node struct {
	op     opCode
	out    *Tensor
	a, b   *Tensor
	aux    Storage
	idx    []int32
	refs   []RowRef
	list   []*Tensor
	w      []float32
	f      float64
	i0, i1 int
	unary  UnaryOp
	binary BinaryOp
	bc     Broadcast
	axis   Axis
	ta, tb bool
}

func shapePanic(op string, ts ...*Tensor) {
	panic(fmt.Sprintf("ag: %s: incompatible shapes %v", op, ts))
}

// MatMul returns a·b.
func (tp *Tape) MatMul(a, b *Tensor) *Tensor { return tp.MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b), where op transposes when the flag is set. Use it instead of an
// explicit transpose: Linear layers compute x·Wᵀ with transB.
func (tp *Tape) MatMulT(a, b *Tensor, transA, transB bool) *Tensor {
	m, k := a.rows, a.cols
	if transA {
		m, k = k, m
	}
	kb, n := b.rows, b.cols
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		shapePanic("MatMul", a, b)
	}
	out := tp.newTensor(m, n)
	tp.be.Gemm(transA, transB, m, n, k, 1, a.val, b.val, 0, out.val)
	tp.record(node{op: opMatMul, out: out, a: a, b: b, ta: transA, tb: transB, i0: k}, a, b)
	return out
}

func (tp *Tape) unary(op UnaryOp, x *Tensor) *Tensor {
	out := tp.newTensor(x.rows, x.cols)
	tp.be.Unary(op, x.val, out.val)
	tp.record(node{op: opUnary, out: out, a: x, unary: op}, x)
	return out
}

// Neg returns −x.
func (tp *Tape) Neg(x *Tensor) *Tensor { return tp.unary(OpNeg, x) }

// Tanh returns tanh(x) element-wise.
func (tp *Tape) Tanh(x *Tensor) *Tensor { return tp.unary(OpTanh, x) }

// Sigmoid returns 1/(1+e^−x) element-wise.
func (tp *Tape) Sigmoid(x *Tensor) *Tensor { return tp.unary(OpSigmoid, x) }

// ReLU returns max(x, 0) element-wise.
func (tp *Tape) ReLU(x *Tensor) *Tensor { return tp.unary(OpReLU, x) }

// Exp returns eˣ element-wise.
func (tp *Tape) Exp(x *Tensor) *Tensor { return tp.unary(OpExp, x) }

// Log returns ln x element-wise.
func (tp *Tape) Log(x *Tensor) *Tensor { return tp.unary(OpLog, x) }

// Softplus returns ln(1+eˣ) element-wise, computed stably.
func (tp *Tape) Softplus(x *Tensor) *Tensor { return tp.unary(OpSoftplus, x) }

// Square returns x² element-wise.
func (tp *Tape) Square(x *Tensor) *Tensor { return tp.unary(OpSquare, x) }

// Sqrt returns √x element-wise.
func (tp *Tape) Sqrt(x *Tensor) *Tensor { return tp.unary(OpSqrt, x) }

// Abs returns |x| element-wise.
func (tp *Tape) Abs(x *Tensor) *Tensor { return tp.unary(OpAbs, x) }

// broadcastOf infers how b expands to a's shape: same shape, a 1×c row, an r×1 column, or 1×1.
func broadcastOf(op string, a, b *Tensor) Broadcast {
	switch {
	case b.rows == a.rows && b.cols == a.cols:
		return BcastNone
	case b.rows == 1 && b.cols == 1:
		return BcastScalar
	case b.rows == 1 && b.cols == a.cols:
		return BcastRow
	case b.cols == 1 && b.rows == a.rows:
		return BcastCol
	}
	shapePanic(op, a, b)
	return 0
}

func (tp *Tape) binary(op BinaryOp, a, b *Tensor) *Tensor {
	bc := broadcastOf(op.String(), a, b)
	out := tp.newTensor(a.rows, a.cols)
	tp.be.Binary(op, bc, a.rows, a.cols, a.val, b.val, out.val)
	tp.record(node{op: opBinary, out: out, a: a, b: b, binary: op, bc: bc}, a, b)
	return out
}

// Add returns a + b, where b may be a's shape, a 1×c row, an r×1 column or a 1×1 scalar.
func (tp *Tape) Add(a, b *Tensor) *Tensor { return tp.binary(OpAdd, a, b) }

// Sub returns a − b (b broadcast as in Add).
func (tp *Tape) Sub(a, b *Tensor) *Tensor { return tp.binary(OpSub, a, b) }

// Mul returns a ⊙ b (b broadcast as in Add).
func (tp *Tape) Mul(a, b *Tensor) *Tensor { return tp.binary(OpMul, a, b) }

// Div returns a ⊘ b (b broadcast as in Add).
func (tp *Tape) Div(a, b *Tensor) *Tensor { return tp.binary(OpDiv, a, b) }

// ScaleAdd returns alpha·x + beta element-wise.
func (tp *Tape) ScaleAdd(x *Tensor, alpha, beta float64) *Tensor {
	out := tp.newTensor(x.rows, x.cols)
	tp.be.ScaleAdd(x.val, alpha, beta, out.val)
	tp.record(node{op: opScaleAdd, out: out, a: x, f: alpha}, x)
	return out
}

// Scale returns alpha·x.
func (tp *Tape) Scale(x *Tensor, alpha float64) *Tensor { return tp.ScaleAdd(x, alpha, 0) }

// AddScalar returns x + beta.
func (tp *Tape) AddScalar(x *Tensor, beta float64) *Tensor { return tp.ScaleAdd(x, 1, beta) }

func (tp *Tape) reduce(x *Tensor, axis Axis, scale float64) *Tensor {
	var out *Tensor
	switch axis {
	case AxisAll:
		out = tp.newTensor(1, 1)
	case AxisRows:
		out = tp.newTensor(1, x.cols)
	case AxisCols:
		out = tp.newTensor(x.rows, 1)
	default:
		panic(fmt.Sprintf("ag: unknown axis %d", axis))
	}
	tp.be.Sum(axis, x.rows, x.cols, x.val, out.val, scale, false)
	tp.record(node{op: opSum, out: out, a: x, axis: axis, f: scale}, x)
	return out
}

// Sum returns the sum over axis: AxisAll (1×1), AxisRows (1×c, per column) or AxisCols (r×1, per row).
func (tp *Tape) Sum(x *Tensor, axis Axis) *Tensor { return tp.reduce(x, axis, 1) }

// Mean returns the mean over axis (see Sum).
func (tp *Tape) Mean(x *Tensor, axis Axis) *Tensor {
	n := x.rows * x.cols
	switch axis {
	case AxisRows:
		n = x.rows
	case AxisCols:
		n = x.cols
	}
	if n == 0 {
		panic("ag: Mean of an empty tensor " + x.String())
	}
	return tp.reduce(x, axis, 1/float64(n))
}

// Concat joins tensors with the same number of rows side by side (along columns).
func (tp *Tape) Concat(xs ...*Tensor) *Tensor {
	if len(xs) == 0 {
		panic("ag: Concat of nothing")
	}
	rows, cols := xs[0].rows, 0
	for _, x := range xs {
		if x.rows != rows {
			// Formatted element by element so xs does not escape (and allocate) on the normal path.
			msg := "ag: Concat: different row counts:"
			for _, y := range xs {
				msg += " " + y.String()
			}
			panic(msg)
		}
		cols += x.cols
	}
	out := tp.newTensor(rows, cols)
	at := 0
	for _, x := range xs {
		tp.be.CopyCols(rows, x.cols, x.val, x.cols, 0, out.val, cols, at, false)
		at += x.cols
	}
	if tp.recording {
		start := len(tp.lists)
		tp.lists = append(tp.lists, xs...)
		tp.record(node{op: opConcat, out: out, list: tp.lists[start:len(tp.lists):len(tp.lists)]}, xs...)
	}
	return out
}

// SliceCols returns columns [from, to) of x.
func (tp *Tape) SliceCols(x *Tensor, from, to int) *Tensor {
	if from < 0 || to > x.cols || from > to {
		panic(fmt.Sprintf("ag: SliceCols [%d,%d) of %v", from, to, x))
	}
	out := tp.newTensor(x.rows, to-from)
	tp.be.CopyCols(x.rows, to-from, x.val, x.cols, from, out.val, to-from, 0, false)
	tp.record(node{op: opSlice, out: out, a: x, i0: from}, x)
	return out
}

// Gather returns the rows idx of table (an embedding lookup: one-hot times a matrix). Its backward
// is a scatter-add into the rows that were read, so a table parameter with EnableSparseGrad only
// ever touches those rows. idx is copied; repeated indices accumulate.
func (tp *Tape) Gather(table *Tensor, idx []int32) *Tensor {
	for _, i := range idx {
		if i < 0 || int(i) >= table.rows {
			panic(fmt.Sprintf("ag: Gather index %d out of range for %v", i, table))
		}
	}
	if table.beforeGather != nil {
		table.beforeGather(idx)
	}
	out := tp.newTensor(len(idx), table.cols)
	tp.be.GatherRows(table.cols, table.val, idx, out.val)
	if tp.recording && table.needGrad {
		tp.record(node{op: opGather, out: out, a: table, idx: tp.copyInts(idx)}, table)
	}
	return out
}

// RowRef names one row of a tensor.
type RowRef struct {
	T   *Tensor
	Row int32
}

// GatherRefs stacks the referenced rows (all of the same width) into one tensor. Gradients flow back
// to each source. It lets a model read a table of per-entity states where some rows were written
// earlier in the same backpropagation window (and so must carry their history) and others come
// from detached storage — JODIE's embeddings inside a t-Batch window. refs is copied.
func (tp *Tape) GatherRefs(refs []RowRef) *Tensor {
	if len(refs) == 0 {
		panic("ag: GatherRefs of nothing")
	}
	cols := refs[0].T.cols
	need := false
	for _, r := range refs {
		if r.T.cols != cols || r.Row < 0 || int(r.Row) >= r.T.rows {
			panic(fmt.Sprintf("ag: GatherRefs: bad reference to row %d of %v (width %d)", r.Row, r.T, cols))
		}
		need = need || r.T.needGrad
		if r.T.beforeGather != nil {
			r.T.beforeGather([]int32{r.Row})
		}
	}
	out := tp.newTensor(len(refs), cols)
	for i, r := range refs {
		tp.be.CopyRow(cols, r.T.val, int(r.Row), out.val, i, false)
	}
	if tp.recording && need {
		start := len(tp.refs)
		tp.refs = append(tp.refs, refs...)
		out.needGrad = true
		tp.nodes = append(tp.nodes, node{op: opGatherRefs, out: out, refs: tp.refs[start:len(tp.refs):len(tp.refs)]})
	}
	return out
}

// Detach returns a copy of x's values that no gradient flows through.
func (tp *Tape) Detach(x *Tensor) *Tensor {
	out := tp.newTensor(x.rows, x.cols)
	tp.be.Copy(out.val, x.val)
	return out
}
