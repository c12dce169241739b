package ag

import (
	"fmt"
	"slices"
)

// Tensor is a dense row-major rows×cols matrix whose memory belongs to a Backend. Vectors are
// 1×n or n×1; scalars 1×1. Sequences of B padded length-T sequences are stored as (B·T)×D matrices
// (see SeqDot and SeqWeightedSum).
//
// Tensors come in three kinds:
//   - parameters (NewParam): persistent values and a persistent gradient that accumulates across
//     Backward calls until ZeroGrad;
//   - constants (NewConst): persistent values without a gradient (e.g. a table of embeddings that a
//     model updates itself);
//   - tape tensors: inputs and op results created by a Tape. Their memory is recycled by
//     Tape.Reset, after which they must not be used.
type Tensor struct {
	rows, cols int
	be         Backend
	val        Storage
	grad       Storage

	// needGrad: a gradient must flow to this tensor (a parameter, or an op result depending on one
	// while the tape records).
	needGrad bool
	param    bool

	// Sparse-gradient bookkeeping for parameters read through Gather (embedding tables): which rows
	// received gradient since the last ZeroGrad, so zeroing and lazy optimisers cost O(touched rows).
	sparse  bool
	touched []int32
	isTouch []bool
	zeroRow Storage // one zero row, copied over touched gradient rows by ZeroGrad
	// beforeGather, when set, is called with the rows a Gather or GatherRefs is about to read, so
	// an optimiser that defers updates of unread rows can bring them up to date first.
	beforeGather func(rows []int32)

	// Name is used in error messages and checkpoints.
	Name string
}

// NewParam allocates a zeroed rows×cols parameter with a gradient on be.
func NewParam(be Backend, name string, rows, cols int) *Tensor {
	checkShape(rows, cols)
	return &Tensor{rows: rows, cols: cols, be: be, val: be.New(rows * cols), grad: be.New(rows * cols),
		needGrad: true, param: true, Name: name}
}

// NewConst allocates a zeroed rows×cols tensor without a gradient on be.
func NewConst(be Backend, name string, rows, cols int) *Tensor {
	checkShape(rows, cols)
	return &Tensor{rows: rows, cols: cols, be: be, val: be.New(rows * cols), Name: name}
}

func checkShape(rows, cols int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("ag: negative shape %d×%d", rows, cols))
	}
}

// Rows is the number of rows.
func (t *Tensor) Rows() int { return t.rows }

// Cols is the number of columns.
func (t *Tensor) Cols() int { return t.cols }

// Len is rows·cols.
func (t *Tensor) Len() int { return t.rows * t.cols }

// Backend is the backend holding the tensor's memory.
func (t *Tensor) Backend() Backend { return t.be }

// IsParam reports whether t is a parameter (has a persistent gradient).
func (t *Tensor) IsParam() bool { return t.param }

// RequiresGrad reports whether gradients flow to t.
func (t *Tensor) RequiresGrad() bool { return t.needGrad }

// Storage exposes the opaque value storage, for backend kernels (optimisers, state tables).
func (t *Tensor) Storage() Storage { return t.val }

// GradStorage exposes the opaque gradient storage (nil when t has no gradient).
func (t *Tensor) GradStorage() Storage { return t.grad }

func (t *Tensor) String() string {
	name := t.Name
	if name == "" {
		name = "tensor"
	}
	return fmt.Sprintf("%s[%d×%d]", name, t.rows, t.cols)
}

// At returns element (i, j).
func (t *Tensor) At(i, j int) float64 {
	t.checkIndex(i, j)
	return t.be.Get(t.val, i*t.cols+j)
}

// SetAt sets element (i, j).
func (t *Tensor) SetAt(i, j int, v float64) {
	t.checkIndex(i, j)
	t.be.Set(t.val, i*t.cols+j, v)
}

// Scalar returns the value of a 1×1 tensor.
func (t *Tensor) Scalar() float64 {
	if t.rows != 1 || t.cols != 1 {
		panic(fmt.Sprintf("ag: Scalar of %v", t))
	}
	return t.be.Get(t.val, 0)
}

func (t *Tensor) checkIndex(i, j int) {
	if i < 0 || i >= t.rows || j < 0 || j >= t.cols {
		panic(fmt.Sprintf("ag: index (%d,%d) out of range for %v", i, j, t))
	}
}

// CopyFrom overwrites the values with src (len rows·cols), row-major.
func (t *Tensor) CopyFrom(src []float32) {
	t.checkLen(len(src))
	t.be.Upload(t.val, src)
}

// CopyTo writes the values into dst (len rows·cols), row-major.
func (t *Tensor) CopyTo(dst []float32) {
	t.checkLen(len(dst))
	t.be.Download(dst, t.val)
}

// CopyFrom64 and CopyTo64 are CopyFrom and CopyTo in float64 (exact on the float64 backend).
func (t *Tensor) CopyFrom64(src []float64) { t.checkLen(len(src)); t.be.Upload64(t.val, src) }

// CopyTo64 writes the values into dst in float64.
func (t *Tensor) CopyTo64(dst []float64) { t.checkLen(len(dst)); t.be.Download64(dst, t.val) }

// Values returns a new float32 copy of the values (allocates; for tests and reports).
func (t *Tensor) Values() []float32 {
	v := make([]float32, t.Len())
	t.CopyTo(v)
	return v
}

// HostValues returns the values without a copy when they are host float32 memory (the "cpu"
// backend), false otherwise. The slice is the tensor's own storage: read it before the tape is
// reset, never write it.
func (t *Tensor) HostValues() ([]float32, bool) {
	if s, ok := t.val.(*cpuStore[float32]); ok {
		return s.d[:t.Len()], true
	}
	return nil, false
}

// GradValues returns a new float64 copy of the gradient, or nil when t has none.
func (t *Tensor) GradValues() []float64 {
	if t.grad == nil {
		return nil
	}
	g := make([]float64, t.Len())
	t.be.Download64(g, t.grad)
	return g
}

func (t *Tensor) checkLen(n int) {
	if n != t.Len() {
		panic(fmt.Sprintf("ag: %d values for %v", n, t))
	}
}

// EnableSparseGrad makes a parameter track which rows receive gradient through Gather, so that
// ZeroGrad and lazy optimisers touch only those rows.
func (t *Tensor) EnableSparseGrad() {
	if !t.param {
		panic("ag: EnableSparseGrad on non-parameter " + t.String())
	}
	t.sparse = true
	t.isTouch = make([]bool, t.rows)
	t.zeroRow = t.be.New(t.cols)
}

// SetBeforeGather makes every Gather and GatherRefs of t call f with the rows it is about to read,
// before reading them (nil removes the hook). Deferred dense Adam (nn.Adam) uses it: a row's
// pending updates are applied when the row is next read. Other reads of t's storage see the rows as
// they are; whoever reads them that way must first bring them up to date (nn.Adam.Flush).
func (t *Tensor) SetBeforeGather(f func(rows []int32)) { t.beforeGather = f }

// SparseGrad reports whether t tracks touched rows, and TouchedRows lists them (since ZeroGrad).
func (t *Tensor) SparseGrad() bool { return t.sparse }

// TouchedRows lists the rows that received gradient since the last ZeroGrad, in first-touch order
// (ascending after GradSumSquares).
// All rows are considered touched when gradient also arrived through a dense op.
func (t *Tensor) TouchedRows() []int32 { return t.touched }

func (t *Tensor) touch(idx []int32) {
	for _, i := range idx {
		t.touchRow(i)
	}
}

func (t *Tensor) touchRow(i int32) {
	if !t.isTouch[i] {
		t.isTouch[i] = true
		t.touched = append(t.touched, i)
	}
}

// touchAll records that a dense op wrote gradient to every row of a sparse parameter.
func (t *Tensor) touchAll() {
	for i := range t.rows {
		if !t.isTouch[i] {
			t.isTouch[i] = true
			t.touched = append(t.touched, int32(i))
		}
	}
}

// GradSumSquares returns Σ g² over t's gradient (0 without one), accumulated in float64 as
// Backend.SumSquares does. For a sparse parameter it visits only the touched rows, in ascending
// order (it sorts TouchedRows in place): every other row is zero, and adding the square of a zero
// to the running sum leaves it unchanged, so the result is the same bits as over the whole table
// at a cost of the touched rows only (an embedding table of 50,000 items is read by a few hundred
// rows per step).
func (t *Tensor) GradSumSquares() float64 {
	if t.grad == nil {
		return 0
	}
	if t.sparse && len(t.touched) < t.rows {
		slices.Sort(t.touched)
		return t.be.SumSquaresRows(t.cols, t.touched, t.grad)
	}
	return t.be.SumSquares(t.grad)
}

// ScaleGrad multiplies t's gradient by f, as Backend.ScaleAdd(g, f, 0, g); for a sparse parameter
// only the touched rows (the others are zero, and stay so).
func (t *Tensor) ScaleGrad(f float64) {
	if t.grad == nil {
		return
	}
	if t.sparse && len(t.touched) < t.rows {
		t.be.ScaleRows(t.cols, t.touched, f, t.grad)
		return
	}
	t.be.ScaleAdd(t.grad, f, 0, t.grad)
}

// ZeroGrad clears a parameter's gradient (only the touched rows for a sparse one).
func (t *Tensor) ZeroGrad() {
	if t.grad == nil {
		return
	}
	if !t.sparse {
		t.be.Zero(t.grad)
		return
	}
	for _, r := range t.touched {
		// Subtracting the row from itself is not exact for Inf/NaN: copy a zero row instead.
		t.be.CopyRow(t.cols, t.zeroRow, 0, t.grad, int(r), false)
		t.isTouch[r] = false
	}
	t.touched = t.touched[:0]
}
