package ag

import (
	"fmt"
	"sort"
	"sync"
)

// Storage is a block of backend-owned memory holding one tensor's values (or gradients).
// Code outside a backend never sees the memory itself: values move in and out through
// Backend.Upload and Backend.Download, so a device backend can keep them off the host.
type Storage interface {
	// Len is the number of elements currently in use.
	Len() int
	// Cap is the number of elements the storage can hold without reallocating.
	Cap() int
}

// UnaryOp names an element-wise function y = f(x).
type UnaryOp uint8

// The element-wise functions. Their derivatives are written in terms of x and y (whichever is cheaper).
const (
	OpNeg      UnaryOp = iota // -x
	OpTanh                    // tanh x
	OpSigmoid                 // 1/(1+exp(-x))
	OpReLU                    // max(x, 0); derivative 0 at 0, as PyTorch
	OpExp                     // exp x
	OpLog                     // ln x
	OpSoftplus                // ln(1+exp x), computed stably
	OpSquare                  // x²
	OpSqrt                    // √x
	OpAbs                     // |x|; derivative sign(x), 0 at 0
	numUnaryOps
)

var unaryNames = [...]string{"Neg", "Tanh", "Sigmoid", "ReLU", "Exp", "Log", "Softplus", "Square", "Sqrt", "Abs"}

func (op UnaryOp) String() string {
	if int(op) < len(unaryNames) {
		return unaryNames[op]
	}
	return fmt.Sprintf("UnaryOp(%d)", op)
}

// BinaryOp names an element-wise function c = a ∘ b.
type BinaryOp uint8

// The element-wise binary functions.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
)

var binaryNames = [...]string{"Add", "Sub", "Mul", "Div"}

func (op BinaryOp) String() string {
	if int(op) < len(binaryNames) {
		return binaryNames[op]
	}
	return fmt.Sprintf("BinaryOp(%d)", op)
}

// Broadcast says how the second operand b of a binary op is expanded to the r×c shape of a.
type Broadcast uint8

// The supported broadcasts of b against an r×c operand a.
const (
	BcastNone   Broadcast = iota // b is r×c
	BcastRow                     // b is 1×c, repeated for every row
	BcastCol                     // b is r×1, repeated for every column
	BcastScalar                  // b is 1×1
)

// Axis selects what a reduction sums over.
type Axis uint8

// Reduction axes.
const (
	AxisAll  Axis = iota // r×c -> 1×1
	AxisRows             // sum over rows: r×c -> 1×c (a column sum per column)
	AxisCols             // sum over columns: r×c -> r×1 (a row sum per row)
)

// FlopCounter is implemented by backends that count the floating-point operations of their matrix
// products (2·m·n·k per Gemm, whatever its kernel or alpha and beta) since they were made. A
// benchmark divides a count by a kernel's measured rate to bound from below how fast the work can
// run: every other op only adds to it.
type FlopCounter interface {
	GemmFlops() int64
}

// Backend executes the numeric kernels behind every op. Shapes are checked by the ops in this
// package before a kernel is called; kernels assume consistent arguments. All matrices are dense
// and row-major. "Accumulate" kernels add into their destination (gradients accumulate).
//
// A backend must be deterministic: the same calls in the same order give bit-identical results.
// Index slices ([]int32) are host memory owned by the caller for the duration of the call.
type Backend interface {
	Name() string
	// Precision is 32 or 64: the element type the backend computes in.
	Precision() int

	// New returns zeroed storage of n elements. Resize returns storage of n elements reusing s when
	// s.Cap() >= n (contents unspecified) and allocating otherwise.
	New(n int) Storage
	Resize(s Storage, n int) Storage
	// View returns storage for elements [off, off+n) of s, sharing its memory (capacity n, so a
	// view never reaches its neighbours). reuse, when non-nil, is a view from an earlier call whose
	// header is recycled, so that a tape's views allocate nothing in steady state.
	View(reuse, s Storage, off, n int) Storage
	Upload(dst Storage, src []float32)
	Download(dst []float32, src Storage)
	Upload64(dst Storage, src []float64)
	Download64(dst []float64, src Storage)
	Get(s Storage, i int) float64
	Set(s Storage, i int, v float64)

	Zero(s Storage)
	Fill(s Storage, v float64)
	Copy(dst, src Storage)
	// Axpy: y += alpha*x (same length).
	Axpy(alpha float64, x, y Storage)
	// ScaleAdd: y = alpha*x + beta (element-wise, y may be x).
	ScaleAdd(x Storage, alpha, beta float64, y Storage)
	// SumSquares returns Σ x², accumulated in float64.
	SumSquares(x Storage) float64
	// SumSquaresRows returns Σ x² over the given rows of width cols, in the given order, accumulated
	// in one float64 sum as SumSquares does (so over every row in order it is SumSquares).
	SumSquaresRows(cols int, rows []int32, x Storage) float64
	// ScaleRows multiplies the given rows of width cols by alpha, as ScaleAdd(x, alpha, 0, x) would.
	ScaleRows(cols int, rows []int32, alpha float64, x Storage)

	// Gemm: C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n. A is stored m×k
	// (k×m when transA), B is stored k×n (n×k when transB).
	Gemm(transA, transB bool, m, n, k int, alpha float64, a, b Storage, beta float64, c Storage)

	Unary(op UnaryOp, x, y Storage)
	// UnaryGrad: dx += f'(x)·dy, where y = f(x) was the forward output.
	UnaryGrad(op UnaryOp, x, y, dy, dx Storage)
	// Binary: c = a ∘ bcast(b), a and c r×c.
	Binary(op BinaryOp, bc Broadcast, rows, cols int, a, b, c Storage)
	// BinaryGrad accumulates da and db (either may be nil) given dc; db is reduced over the
	// broadcast dimensions.
	BinaryGrad(op BinaryOp, bc Broadcast, rows, cols int, a, b, dc, da, db Storage)

	// Sum reduces x (rows×cols) over axis into y (accumulating when acc).
	Sum(axis Axis, rows, cols int, x, y Storage, scale float64, acc bool)
	// Expand adds scale·dy expanded along axis into dx (rows×cols): the backward of Sum.
	Expand(axis Axis, rows, cols int, dy, dx Storage, scale float64)

	// CopyCols copies ncols columns starting at srcCol of src (rows×srcCols) to dst (rows×dstCols)
	// starting at dstCol, adding instead of overwriting when acc.
	CopyCols(rows, ncols int, src Storage, srcCols, srcCol int, dst Storage, dstCols, dstCol int, acc bool)
	// GatherRows: dst[r] = src[idx[r]] (rows of width cols). ScatterAddRows: dst[idx[r]] += src[r].
	GatherRows(cols int, src Storage, idx []int32, dst Storage)
	ScatterAddRows(cols int, src Storage, idx []int32, dst Storage)
	// CopyRow copies row srcRow of src into row dstRow of dst (both of width cols), adding when acc.
	CopyRow(cols int, src Storage, srcRow int, dst Storage, dstRow int, acc bool)

	// Softmax per row of x into y; mask (rows×cols or nil) of 0/1 excludes positions where 0
	// (they get probability 0, or -Inf log-probability). log selects log-softmax.
	Softmax(rows, cols int, x, mask, y Storage, log bool)
	// SoftmaxGrad: dx += J(y)ᵀ·dy for softmax (log=false) or log-softmax (log=true) outputs y.
	SoftmaxGrad(rows, cols int, y, dy, dx Storage, log bool)

	// L2NormalizeRows: y[r] = x[r]/max(‖x[r]‖, eps); norms[r] receives max(‖x[r]‖, eps).
	L2NormalizeRows(rows, cols int, x, y, norms Storage, eps float64)
	L2NormalizeRowsGrad(rows, cols int, x, y, norms, dy, dx Storage, eps float64)

	// RowDot: y[r] = Σ_c a[r,c]·b[r,c]. Its gradient is BinaryGrad(OpMul, ...) with dy broadcast
	// per row, which RowDotGrad computes directly.
	RowDot(rows, cols int, a, b, y Storage)
	RowDotGrad(rows, cols int, a, b, dy, da, db Storage)

	// CrossEntropy returns Σ_r w[t_r]·(-log softmax(x_r)[t_r]) and Σ_r w[t_r] (the weight total),
	// writing softmax probabilities into probs. weights nil means all 1.
	CrossEntropy(rows, cols int, logits Storage, targets []int32, weights []float32, probs Storage) (loss, wsum float64)
	// CrossEntropyGrad: dlogits[r] += scale·w[t_r]·(probs[r] − onehot(t_r)).
	CrossEntropyGrad(rows, cols int, probs Storage, targets []int32, weights []float32, scale float64, dlogits Storage)

	// SqDiffSum returns Σ (a−b)²; SqDiffGrad adds scale·2(a−b) to da and −scale·2(a−b) to db (nil skips).
	SqDiffSum(a, b Storage) float64
	SqDiffGrad(a, b Storage, scale float64, da, db Storage)

	// SeqDot: y[b,t] = Σ_d q[b,d]·k[b·T+t,d] (q: B×D, k: (B·T)×D, y: B×T). Attention scores.
	SeqDot(batch, steps, dim int, q, k, y Storage)
	SeqDotGrad(batch, steps, dim int, q, k, dy, dq, dk Storage)
	// SeqWeightedSum: y[b,d] = Σ_t w[b,t]·v[b·T+t,d] (w: B×T, v: (B·T)×D, y: B×D). Attention read-out.
	SeqWeightedSum(batch, steps, dim int, w, v, y Storage)
	SeqWeightedSumGrad(batch, steps, dim int, w, v, dy, dw, dv Storage)

	// Optimiser kernels (parameters p, gradients g, state m, v), PyTorch semantics; see internal/nn.
	AdamStep(p, g, m, v Storage, lr, beta1, beta2, eps, weightDecay, bias1, bias2 float64)
	// AdamStepRows is AdamStep restricted to the given rows of width cols (lazy sparse Adam, as
	// torch.optim.SparseAdam: rows without gradient keep their parameters and moments).
	AdamStepRows(cols int, rows []int32, p, g, m, v Storage, lr, beta1, beta2, eps, weightDecay, bias1, bias2 float64)
	// AdamCatchUpRows replays, for each row rows[k] of width cols, the Adam steps current[k]+1 …
	// len(stepSize) (1-based) with no data gradient — weight decay's wd·p is the whole gradient —
	// exactly as AdamStep computes them with a zero gradient. stepSize[s] is lr/bias1 and
	// sqrtBias2[s] is √bias2 of step s+1. Deferred dense Adam (nn.Adam) calls it when a row is read.
	AdamCatchUpRows(cols int, rows, current []int32, p, m, v Storage, beta1, beta2, eps, weightDecay float64,
		stepSize, sqrtBias2 []float64)
	AdagradStep(p, g, sum Storage, lr, eps, weightDecay float64)
	SGDStep(p, g, buf Storage, lr, momentum, weightDecay float64)
	// Clamp limits every element of s to [lo, hi].
	Clamp(s Storage, lo, hi float64)
}

var (
	backendsMu sync.Mutex
	backends   = map[string]func() Backend{}
)

// RegisterBackend makes a backend constructor available to BackendByName. Backends register
// themselves in init (cpu always; others behind build tags). Registering a name twice panics.
func RegisterBackend(name string, ctor func() Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if _, dup := backends[name]; dup {
		panic("ag: backend registered twice: " + name)
	}
	backends[name] = ctor
}

// BackendNames lists the registered backends, sorted.
func BackendNames() []string {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	names := make([]string, 0, len(backends))
	for n := range backends {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BackendByName constructs a registered backend, or returns an error listing the valid names.
func BackendByName(name string) (Backend, error) {
	backendsMu.Lock()
	ctor, ok := backends[name]
	backendsMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("ag: unknown backend %q (valid: %v)", name, BackendNames())
	}
	return ctor(), nil
}
