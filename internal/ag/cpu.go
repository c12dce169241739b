package ag

import (
	"math"
	"runtime"
	"sync/atomic"
)

// The CPU backend is generic over its element type: "cpu" computes in float32 (the default, and
// what models train with); "cpu64" computes in float64 and exists so that finite-difference gradient
// checks exercise the very same op and kernel code with enough precision to be meaningful.

func init() {
	RegisterBackend("cpu", func() Backend { return NewCPU() })
	RegisterBackend("cpu64", func() Backend { return NewCPU64() })
}

type float interface{ ~float32 | ~float64 }

// cpuStore is host memory. Its slice never leaves this file's backend methods.
type cpuStore[T float] struct{ d []T }

func (s *cpuStore[T]) Len() int { return len(s.d) }
func (s *cpuStore[T]) Cap() int { return cap(s.d) }

// CPU is the host backend. Matrix products are split into fixed tiles run on a persistent pool of
// workers; each output tile is always computed by the same sequential code, so results do not
// depend on scheduling and are bit-identical from run to run.
type CPU[T float] struct {
	gemm *gemmPool
	// flops counts the floating-point operations of every Gemm (2·m·n·k), for GemmFlops.
	flops atomic.Int64
	// scratch holds transposed copies of A for Aᵀ·B products (gonum's transposed path is ~3× slower
	// than transposing first).
	scratch []T
	// workers is how many chunks the row-wise and element-wise ops split their work into (see
	// split), crew runs all but the first (and the products' bands), chunks are the helpers'
	// parts, jobs are the ops' work, rows each worker's softmax scratch.
	workers int
	crew    *crew
	chunks  []splitTask
	jobs    splitJobs[T]
	rows    []softmaxScratch
}

// NewCPU returns the float32 CPU backend using all of GOMAXPROCS for matrix products.
func NewCPU() *CPU[float32] {
	workers := runtime.GOMAXPROCS(0)
	if gemmKernelThreaded {
		workers = 1
	}
	return newCPU[float32](workers, runtime.GOMAXPROCS(0))
}

// newCPU returns a backend with gemmWorkers for products and splitWorkers for the split ops.
func newCPU[T float](gemmWorkers, splitWorkers int) *CPU[T] {
	workers := max(splitWorkers, gemmWorkers, 1)
	crew := newCrew(workers - 1)
	return &CPU[T]{gemm: newGemmPool(gemmWorkers, crew), workers: max(splitWorkers, 1), crew: crew,
		chunks: make([]splitTask, max(splitWorkers, 1)-1)}
}

// NewCPU64 returns the float64 CPU backend (for gradient checks and reference computations).
func NewCPU64() *CPU[float64] { return newCPU[float64](1, 1) }

func (c *CPU[T]) Name() string {
	if c.Precision() == 64 {
		return "cpu64"
	}
	return "cpu/" + gemmKernelName
}

func (c *CPU[T]) Precision() int {
	var z T
	if _, ok := any(z).(float64); ok {
		return 64
	}
	return 32
}

func d[T float](s Storage) []T {
	if s == nil {
		return nil
	}
	return s.(*cpuStore[T]).d
}

func (c *CPU[T]) New(n int) Storage { return &cpuStore[T]{d: make([]T, n)} }

func (c *CPU[T]) View(reuse, s Storage, off, n int) Storage {
	v := d[T](s)[off : off+n : off+n]
	if r, ok := reuse.(*cpuStore[T]); ok {
		r.d = v
		return r
	}
	return &cpuStore[T]{d: v}
}

func (c *CPU[T]) Resize(s Storage, n int) Storage {
	if s != nil && s.Cap() >= n {
		st := s.(*cpuStore[T])
		st.d = st.d[:n]
		return st
	}
	return c.New(n)
}

func (c *CPU[T]) Upload(dst Storage, src []float32) {
	x := d[T](dst)
	for i, v := range src {
		x[i] = T(v)
	}
}

func (c *CPU[T]) Download(dst []float32, src Storage) {
	for i, v := range d[T](src) {
		dst[i] = float32(v)
	}
}

func (c *CPU[T]) Upload64(dst Storage, src []float64) {
	x := d[T](dst)
	for i, v := range src {
		x[i] = T(v)
	}
}

func (c *CPU[T]) Download64(dst []float64, src Storage) {
	for i, v := range d[T](src) {
		dst[i] = float64(v)
	}
}

func (c *CPU[T]) Get(s Storage, i int) float64    { return float64(d[T](s)[i]) }
func (c *CPU[T]) Set(s Storage, i int, v float64) { d[T](s)[i] = T(v) }
func (c *CPU[T]) Zero(s Storage)                  { clear(d[T](s)) }

func (c *CPU[T]) Fill(s Storage, v float64) {
	x := d[T](s)
	for i := range x {
		x[i] = T(v)
	}
}

func (c *CPU[T]) Copy(dst, src Storage) { copy(d[T](dst), d[T](src)) }

func (c *CPU[T]) Axpy(alpha float64, xs, ys Storage) {
	x, y := d[T](xs), d[T](ys)
	vecAccMulS(y[:len(x)], x, T(alpha))
}

func (c *CPU[T]) ScaleAdd(xs Storage, alpha, beta float64, ys Storage) {
	scaleAdd(d[T](xs), d[T](ys), T(alpha), T(beta))
}

func scaleAdd[T float](x, y []T, a, b T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = a*v + b
	}
}

func (c *CPU[T]) SumSquares(xs Storage) float64 {
	var s float64
	for _, v := range d[T](xs) {
		s += float64(v) * float64(v)
	}
	return s
}

func (c *CPU[T]) SumSquaresRows(cols int, rows []int32, xs Storage) float64 {
	x := d[T](xs)
	var s float64
	for _, r := range rows {
		for _, v := range x[int(r)*cols : (int(r)+1)*cols] {
			s += float64(v) * float64(v)
		}
	}
	return s
}

func (c *CPU[T]) ScaleRows(cols int, rows []int32, alpha float64, xs Storage) {
	x := d[T](xs)
	for _, r := range rows {
		row := x[int(r)*cols : (int(r)+1)*cols]
		scaleAdd(row, row, T(alpha), 0)
	}
}

func (c *CPU[T]) Clamp(s Storage, lo, hi float64) {
	x, l, h := d[T](s), T(lo), T(hi)
	for i, v := range x {
		x[i] = min(max(v, l), h)
	}
}

func sigmoid[T float](x T) T {
	// Stable in both tails: never evaluates exp of a large positive number.
	if x >= 0 {
		return 1 / (1 + T(math.Exp(-float64(x))))
	}
	e := T(math.Exp(float64(x)))
	return e / (1 + e)
}

func softplus[T float](x T) T {
	// ln(1+eˣ) = max(x,0) + ln(1+e^-|x|)
	f := float64(x)
	return T(math.Max(f, 0) + math.Log1p(math.Exp(-math.Abs(f))))
}

func (c *CPU[T]) Unary(op UnaryOp, xs, ys Storage) {
	x, y := d[T](xs), d[T](ys)
	y = y[:len(x)]
	if op.scalarMath() && c.splits(len(x), parallelMinElems) {
		j := &c.jobs.unary
		*j = unaryJob[T]{op: op, x: x, y: y}
		c.split(len(x), j)
		*j = unaryJob[T]{}
		return
	}
	unary(op, x, y)
}

// unary is y = op(x), element by element.
func unary[T float](op UnaryOp, x, y []T) {
	switch op {
	case OpNeg:
		for i, v := range x {
			y[i] = -v
		}
	case OpTanh:
		for i, v := range x {
			y[i] = T(math.Tanh(float64(v)))
		}
	case OpSigmoid:
		if x32, ok := any(x).([]float32); ok {
			sigmoid32(any(y).([]float32), x32)
			break
		}
		for i, v := range x {
			y[i] = sigmoid(v)
		}
	case OpReLU:
		for i, v := range x {
			y[i] = max(v, 0)
		}
	case OpExp:
		for i, v := range x {
			y[i] = T(math.Exp(float64(v)))
		}
	case OpLog:
		for i, v := range x {
			y[i] = T(math.Log(float64(v)))
		}
	case OpSoftplus:
		for i, v := range x {
			y[i] = softplus(v)
		}
	case OpSquare:
		for i, v := range x {
			y[i] = v * v
		}
	case OpSqrt:
		for i, v := range x {
			y[i] = T(math.Sqrt(float64(v)))
		}
	case OpAbs:
		for i, v := range x {
			y[i] = T(math.Abs(float64(v)))
		}
	default:
		panic("ag: unknown unary op " + op.String())
	}
}

func (c *CPU[T]) UnaryGrad(op UnaryOp, xs, ys, dys, dxs Storage) {
	x, y, dy, dx := d[T](xs), d[T](ys), d[T](dys), d[T](dxs)
	dy, dx = dy[:len(x)], dx[:len(x)]
	switch op {
	case OpNeg:
		for i := range x {
			dx[i] -= dy[i]
		}
	case OpTanh:
		for i := range x {
			dx[i] += dy[i] * (1 - y[i]*y[i])
		}
	case OpSigmoid:
		for i := range x {
			dx[i] += dy[i] * y[i] * (1 - y[i])
		}
	case OpReLU:
		for i, v := range x {
			if v > 0 {
				dx[i] += dy[i]
			}
		}
	case OpExp:
		for i := range x {
			dx[i] += dy[i] * y[i]
		}
	case OpLog:
		for i, v := range x {
			dx[i] += dy[i] / v
		}
	case OpSoftplus:
		for i, v := range x {
			dx[i] += dy[i] * sigmoid(v)
		}
	case OpSquare:
		for i, v := range x {
			dx[i] += dy[i] * 2 * v
		}
	case OpSqrt:
		for i := range x {
			dx[i] += dy[i] / (2 * y[i])
		}
	case OpAbs:
		for i, v := range x {
			switch {
			case v > 0:
				dx[i] += dy[i]
			case v < 0:
				dx[i] -= dy[i]
			}
		}
	default:
		panic("ag: unknown unary op " + op.String())
	}
}

// bIndex returns the index into b for element (r, col) of an r×c operand under broadcast bc.
func bIndex(bc Broadcast, r, col, cols int) int {
	switch bc {
	case BcastRow:
		return col
	case BcastCol:
		return r
	case BcastScalar:
		return 0
	}
	return r*cols + col
}

func (c *CPU[T]) Binary(op BinaryOp, bc Broadcast, rows, cols int, as, bs, cs Storage) {
	a, b, out := d[T](as), d[T](bs), d[T](cs)
	n := rows * cols
	switch bc {
	case BcastNone:
		vecBinary(op, out[:n], a[:n], b[:n])
	case BcastRow:
		for r := 0; r < rows; r++ {
			vecBinary(op, out[r*cols:(r+1)*cols], a[r*cols:(r+1)*cols], b[:cols])
		}
	case BcastCol:
		for r := 0; r < rows; r++ {
			vecBinaryS(op, out[r*cols:(r+1)*cols], a[r*cols:(r+1)*cols], b[r])
		}
	case BcastScalar:
		vecBinaryS(op, out[:n], a[:n], b[0])
	}
}

// BinaryGrad works on whole rows (or the whole tensor where the operands are contiguous) with the
// op chosen outside the inner loops (a per-element switch made it the largest cost after GEMM in a
// JODIE epoch). Every destination element receives the same additions in the same order as an
// element-by-element loop over rows, so results are unchanged bit for bit.
func (c *CPU[T]) BinaryGrad(op BinaryOp, bc Broadcast, rows, cols int, as, bs, dcs, das, dbs Storage) {
	a, b, dc, da, db := d[T](as), d[T](bs), d[T](dcs), d[T](das), d[T](dbs)
	n := rows * cols
	if da != nil {
		switch {
		case op == OpAdd || op == OpSub:
			vecAcc(da[:n], dc[:n], false)
		case op == OpMul && bc == BcastNone:
			vecAccMul(da[:n], dc[:n], b[:n])
		case op == OpMul && bc == BcastScalar:
			vecAccMulS(da[:n], dc[:n], b[0])
		case op == OpMul:
			for r := 0; r < rows; r++ {
				lo, hi := r*cols, (r+1)*cols
				if br := bRow(bc, b, r, cols); br != nil {
					vecAccMul(da[lo:hi], dc[lo:hi], br)
				} else {
					vecAccMulS(da[lo:hi], dc[lo:hi], b[bIndex(bc, r, 0, cols)])
				}
			}
		default: // OpDiv
			for r := 0; r < rows; r++ {
				lo, hi := r*cols, (r+1)*cols
				g, dar := dc[lo:hi], da[lo:hi]
				if br := bRow(bc, b, r, cols); br != nil {
					for j, v := range g {
						dar[j] += v / br[j]
					}
				} else {
					bv := b[bIndex(bc, r, 0, cols)]
					for j, v := range g {
						dar[j] += v / bv
					}
				}
			}
		}
	}
	if db == nil {
		return
	}
	if bc == BcastNone && op != OpDiv {
		switch op {
		case OpAdd, OpSub:
			vecAcc(db[:n], dc[:n], op == OpSub)
		case OpMul:
			vecAccMul(db[:n], dc[:n], a[:n])
		}
		return
	}
	for r := 0; r < rows; r++ {
		lo, hi := r*cols, (r+1)*cols
		g, ar := dc[lo:hi], a[lo:hi]
		if dbr := bRow(bc, db, r, cols); dbr != nil {
			switch op {
			case OpAdd, OpSub:
				vecAcc(dbr, g, op == OpSub)
			case OpMul:
				vecAccMul(dbr, g, ar)
			case OpDiv:
				br := bRow(bc, b, r, cols)
				for j, v := range g {
					dbr[j] -= v * ar[j] / (br[j] * br[j])
				}
			}
			continue
		}
		// b is one value for the whole row: accumulate in order, as element-by-element updates would.
		bi := bIndex(bc, r, 0, cols)
		acc, bv := db[bi], b[bi]
		switch op {
		case OpAdd:
			for _, v := range g {
				acc += v
			}
		case OpSub:
			for _, v := range g {
				acc -= v
			}
		case OpMul:
			for j, v := range g {
				acc += v * ar[j]
			}
		case OpDiv:
			for j, v := range g {
				acc -= v * ar[j] / (bv * bv)
			}
		}
		db[bi] = acc
	}
}

// bRow returns row r of a b-shaped operand when it varies along the columns (BcastNone: its own
// row; BcastRow: the single row), or nil when it is one value per row (BcastCol, BcastScalar).
func bRow[T float](bc Broadcast, b []T, r, cols int) []T {
	switch bc {
	case BcastNone:
		return b[r*cols : (r+1)*cols]
	case BcastRow:
		return b[:cols]
	}
	return nil
}

func (c *CPU[T]) Sum(axis Axis, rows, cols int, xs, ys Storage, scale float64, acc bool) {
	x, y, s := d[T](xs), d[T](ys), T(scale)
	switch axis {
	case AxisAll:
		var t float64
		for _, v := range x[:rows*cols] {
			t += float64(v)
		}
		if acc {
			y[0] += s * T(t)
		} else {
			y[0] = s * T(t)
		}
	case AxisRows:
		if !acc {
			clear(y[:cols])
		}
		for r := 0; r < rows; r++ {
			xr := x[r*cols : (r+1)*cols]
			for j, v := range xr {
				y[j] += s * v
			}
		}
	case AxisCols:
		for r := 0; r < rows; r++ {
			var t T
			for _, v := range x[r*cols : (r+1)*cols] {
				t += v
			}
			if acc {
				y[r] += s * t
			} else {
				y[r] = s * t
			}
		}
	}
}

func (c *CPU[T]) Expand(axis Axis, rows, cols int, dys, dxs Storage, scale float64) {
	dy, dx, s := d[T](dys), d[T](dxs), T(scale)
	for r := 0; r < rows; r++ {
		dxr := dx[r*cols : (r+1)*cols]
		switch axis {
		case AxisAll:
			g := s * dy[0]
			for j := range dxr {
				dxr[j] += g
			}
		case AxisRows:
			for j := range dxr {
				dxr[j] += s * dy[j]
			}
		case AxisCols:
			g := s * dy[r]
			for j := range dxr {
				dxr[j] += g
			}
		}
	}
}

func (c *CPU[T]) CopyCols(rows, ncols int, srcs Storage, srcCols, srcCol int, dsts Storage, dstCols, dstCol int, acc bool) {
	src, dst := d[T](srcs), d[T](dsts)
	for r := 0; r < rows; r++ {
		s := src[r*srcCols+srcCol : r*srcCols+srcCol+ncols]
		t := dst[r*dstCols+dstCol : r*dstCols+dstCol+ncols]
		if acc {
			vecAcc(t, s, false)
		} else {
			copy(t, s)
		}
	}
}

func (c *CPU[T]) GatherRows(cols int, srcs Storage, idx []int32, dsts Storage) {
	src, dst := d[T](srcs), d[T](dsts)
	for r, i := range idx {
		copy(dst[r*cols:(r+1)*cols], src[int(i)*cols:(int(i)+1)*cols])
	}
}

func (c *CPU[T]) ScatterAddRows(cols int, srcs Storage, idx []int32, dsts Storage) {
	src, dst := d[T](srcs), d[T](dsts)
	for r, i := range idx {
		vecAcc(dst[int(i)*cols:(int(i)+1)*cols], src[r*cols:(r+1)*cols], false)
	}
}

func (c *CPU[T]) CopyRow(cols int, srcs Storage, srcRow int, dsts Storage, dstRow int, acc bool) {
	s := d[T](srcs)[srcRow*cols : (srcRow+1)*cols]
	t := d[T](dsts)[dstRow*cols : (dstRow+1)*cols]
	if !acc {
		copy(t, s)
		return
	}
	vecAcc(t, s, false)
}

func (c *CPU[T]) L2NormalizeRows(rows, cols int, xs, ys, ns Storage, eps float64) {
	x, y, norms := d[T](xs), d[T](ys), d[T](ns)
	for r := 0; r < rows; r++ {
		xr, yr := x[r*cols:(r+1)*cols], y[r*cols:(r+1)*cols]
		var s float64
		for _, v := range xr {
			s += float64(v) * float64(v)
		}
		n := T(math.Max(math.Sqrt(s), eps))
		norms[r] = n
		for j, v := range xr {
			yr[j] = v / n
		}
	}
}

func (c *CPU[T]) L2NormalizeRowsGrad(rows, cols int, xs, ys, ns, dys, dxs Storage, eps float64) {
	_, y, norms, dy, dx := d[T](xs), d[T](ys), d[T](ns), d[T](dys), d[T](dxs)
	for r := 0; r < rows; r++ {
		yr, dyr, dxr := y[r*cols:(r+1)*cols], dy[r*cols:(r+1)*cols], dx[r*cols:(r+1)*cols]
		n := norms[r]
		if float64(n) <= eps {
			// Clamped norm: y = x/eps is linear in x.
			for j := range dxr {
				dxr[j] += dyr[j] / n
			}
			continue
		}
		// d(x/‖x‖) = (dy − y⟨y, dy⟩)/‖x‖
		var s T
		for j, v := range yr {
			s += v * dyr[j]
		}
		for j, v := range yr {
			dxr[j] += (dyr[j] - v*s) / n
		}
	}
}

func (c *CPU[T]) RowDot(rows, cols int, as, bs, ys Storage) {
	a, b, y := d[T](as), d[T](bs), d[T](ys)
	for r := 0; r < rows; r++ {
		var s T
		br := b[r*cols : (r+1)*cols]
		for j, v := range a[r*cols : (r+1)*cols] {
			s += v * br[j]
		}
		y[r] = s
	}
}

func (c *CPU[T]) RowDotGrad(rows, cols int, as, bs, dys, das, dbs Storage) {
	a, b, dy, da, db := d[T](as), d[T](bs), d[T](dys), d[T](das), d[T](dbs)
	for r := 0; r < rows; r++ {
		g := dy[r]
		for j := r * cols; j < (r+1)*cols; j++ {
			if da != nil {
				da[j] += g * b[j]
			}
			if db != nil {
				db[j] += g * a[j]
			}
		}
	}
}

func (c *CPU[T]) SqDiffSum(as, bs Storage) float64 {
	a, b := d[T](as), d[T](bs)
	var s float64
	for i, v := range a {
		e := float64(v - b[i])
		s += e * e
	}
	return s
}

func (c *CPU[T]) SqDiffGrad(as, bs Storage, scale float64, das, dbs Storage) {
	a, b, da, db := d[T](as), d[T](bs), d[T](das), d[T](dbs)
	k := T(2 * scale)
	for i, v := range a {
		g := k * (v - b[i])
		if da != nil {
			da[i] += g
		}
		if db != nil {
			db[i] -= g
		}
	}
}

func (c *CPU[T]) SeqDot(batch, steps, dim int, qs, ks, ys Storage) {
	q, k, y := d[T](qs), d[T](ks), d[T](ys)
	for b := 0; b < batch; b++ {
		qb := q[b*dim : (b+1)*dim]
		for t := 0; t < steps; t++ {
			kr := k[(b*steps+t)*dim : (b*steps+t+1)*dim]
			var s T
			for j, v := range qb {
				s += v * kr[j]
			}
			y[b*steps+t] = s
		}
	}
}

func (c *CPU[T]) SeqDotGrad(batch, steps, dim int, qs, ks, dys, dqs, dks Storage) {
	q, k, dy, dq, dk := d[T](qs), d[T](ks), d[T](dys), d[T](dqs), d[T](dks)
	for b := 0; b < batch; b++ {
		qb := q[b*dim : (b+1)*dim]
		for t := 0; t < steps; t++ {
			g := dy[b*steps+t]
			row := (b*steps + t) * dim
			if dq != nil {
				vecAccMulS(dq[b*dim:(b+1)*dim], k[row:row+dim], g)
			}
			if dk != nil {
				vecAccMulS(dk[row:row+dim], qb, g)
			}
		}
	}
}

func (c *CPU[T]) SeqWeightedSum(batch, steps, dim int, ws, vs, ys Storage) {
	w, v, y := d[T](ws), d[T](vs), d[T](ys)
	for b := 0; b < batch; b++ {
		yb := y[b*dim : (b+1)*dim]
		clear(yb)
		for t := 0; t < steps; t++ {
			vecAccMulS(yb, v[(b*steps+t)*dim:(b*steps+t+1)*dim], w[b*steps+t])
		}
	}
}

func (c *CPU[T]) SeqWeightedSumGrad(batch, steps, dim int, ws, vs, dys, dws, dvs Storage) {
	w, v, dy, dw, dv := d[T](ws), d[T](vs), d[T](dys), d[T](dws), d[T](dvs)
	for b := 0; b < batch; b++ {
		dyb := dy[b*dim : (b+1)*dim]
		for t := 0; t < steps; t++ {
			row := (b*steps + t) * dim
			if dw != nil {
				var s T
				for j, g := range dyb {
					s += g * v[row+j]
				}
				dw[b*steps+t] += s
			}
			if dv != nil {
				vecAccMulS(dv[row:row+dim], dyb, w[b*steps+t])
			}
		}
	}
}

func (c *CPU[T]) AdamStep(ps, gs, ms, vs Storage, lr, beta1, beta2, eps, wd, bias1, bias2 float64) {
	// torch.optim.Adam (L2 weight decay added to the gradient):
	//   g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
	//   p −= lr/bias1 · m / (√v/√bias2 + eps), with bias_k = 1 − β_k^step.
	adam(d[T](ps), d[T](gs), d[T](ms), d[T](vs), lr, beta1, beta2, eps, wd, bias1, bias2)
}

func (c *CPU[T]) AdamStepRows(cols int, rows []int32, ps, gs, ms, vs Storage, lr, beta1, beta2, eps, wd, bias1, bias2 float64) {
	p, g, m, v := d[T](ps), d[T](gs), d[T](ms), d[T](vs)
	for _, r := range rows {
		lo, hi := int(r)*cols, (int(r)+1)*cols
		adam(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], lr, beta1, beta2, eps, wd, bias1, bias2)
	}
}

func (c *CPU[T]) AdamCatchUpRows(cols int, rows, current []int32, ps, ms, vs Storage, beta1, beta2, eps, wd float64,
	stepSize, sqrtBias2 []float64) {
	p, m, v := d[T](ps), d[T](ms), d[T](vs)
	k := adamConsts[T]{b1: T(beta1), b2: T(beta2), wd: T(wd), eps: T(eps)}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	if k32, ok := any(&k).(*decayConsts); ok {
		p32, m32, v32 := any(p).([]float32), any(m).([]float32), any(v).([]float32)
		rp := newReplayer(*k32, stepSize, sqrtBias2)
		for i, r := range rows {
			lo, hi := int(r)*cols, (int(r)+1)*cols
			rp.row(p32[lo:hi], m32[lo:hi], v32[lo:hi], int(current[i]))
		}
		return
	}
	for i, r := range rows {
		lo, hi := int(r)*cols, (int(r)+1)*cols
		for s := int(current[i]); s < len(stepSize); s++ {
			k.step, k.sb2 = T(stepSize[s]), T(sqrtBias2[s])
			adamDecay(p[lo:hi], m[lo:hi], v[lo:hi], &k)
		}
	}
}

func (c *CPU[T]) AdagradStep(ps, gs, ss Storage, lr, eps, wd float64) {
	// torch.optim.Adagrad (lr_decay 0): g += wd·p; sum += g²; p −= lr·g/(√sum + eps).
	p, g, s := d[T](ps), d[T](gs), d[T](ss)
	l, e, w := T(lr), T(eps), T(wd)
	for i := range p {
		gi := g[i] + w*p[i]
		s[i] += gi * gi
		p[i] -= l * gi / (T(math.Sqrt(float64(s[i]))) + e)
	}
}

func (c *CPU[T]) SGDStep(ps, gs, bufs Storage, lr, momentum, wd float64) {
	// torch.optim.SGD (dampening 0, no Nesterov): g += wd·p; buf = momentum·buf + g (buf = g on the
	// first step, which the caller arranges by passing a zeroed buf); p −= lr·buf.
	p, g, buf := d[T](ps), d[T](gs), d[T](bufs)
	l, mo, w := T(lr), T(momentum), T(wd)
	for i := range p {
		gi := g[i] + w*p[i]
		if buf != nil {
			buf[i] = mo*buf[i] + gi
			gi = buf[i]
		}
		p[i] -= l * gi
	}
}
