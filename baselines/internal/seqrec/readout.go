package seqrec

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Readout is the state-change read-out the JODIE paper gives its baselines (§5.2: "we train a
// logistic regression classifier on the training data using the dynamic user embedding as
// input"): Logit(e) = W·e + B.
type Readout struct {
	W []float64
	B float64
}

// ReadoutL2 is the L2 penalty of FitReadout, ½·ReadoutL2·‖W‖² against the sum of the weighted
// losses: scikit-learn's LogisticRegression default (C = 1), which is what "a logistic regression
// classifier" most likely was.
const ReadoutL2 = 1

// ErrOneClass is returned by FitReadout when the training labels hold a single class.
var ErrOneClass = errors.New("seqrec: state-change read-out needs both labels in the training part")

// FitReadout fits the class-weighted logistic regression of labels on the rows of x (len(labels)
// rows of dim values): minimise Σ c_y·[log(1+e^z) − y·z] + ½·l2·‖W‖², z = W·x + B, the intercept
// not penalised. The class weights are scikit-learn's "balanced" ones, c_y = n / (2·n_y), so both
// classes weigh the same in total (JODIE's own head uses [1, n/(1+positives)], nearly the same
// ratio). It runs Newton's method with a backtracking line search in float64, from zero, until the
// Newton decrement is below 1e-15 per row or the objective stops decreasing (about ten
// iterations), so the fit is the optimum to float64 precision and deterministic.
func FitReadout(x []float32, dim int, labels []uint8, l2 float64) (*Readout, error) {
	n := len(labels)
	if dim < 1 || len(x) != n*dim {
		return nil, fmt.Errorf("seqrec: FitReadout: %d values for %d rows of dim %d", len(x), n, dim)
	}
	pos := 0
	for _, y := range labels {
		pos += int(y)
	}
	if pos == 0 || pos == n {
		return nil, fmt.Errorf("%w (%d positive of %d)", ErrOneClass, pos, n)
	}
	f := &logistic{x: x, dim: dim, labels: labels, l2: l2,
		cpos: float64(n) / (2 * float64(pos)), cneg: float64(n) / (2 * float64(n-pos))}
	p := dim + 1
	theta := make([]float64, p)
	next := make([]float64, p)
	grad := make([]float64, p)
	hess := mat.NewSymDense(p, nil)
	var chol mat.Cholesky
	delta := mat.NewVecDense(p, nil)
	const maxIter = 50
	for range maxIter {
		obj := f.gradHess(theta, grad, hess)
		if !chol.Factorize(hess) {
			return nil, fmt.Errorf("seqrec: FitReadout: Hessian not positive definite (l2 %v)", l2)
		}
		if err := chol.SolveVecTo(delta, mat.NewVecDense(p, grad)); err != nil {
			return nil, fmt.Errorf("seqrec: FitReadout: %w", err)
		}
		dec := mat.Dot(delta, mat.NewVecDense(p, grad)) // Newton decrement squared: g·H⁻¹g
		if dec/2 <= 1e-15*float64(n) {
			break
		}
		step, moved := 1.0, false
		for step >= 1e-10 {
			for i := range theta {
				next[i] = theta[i] - step*delta.AtVec(i)
			}
			if v := f.value(next); v <= obj-1e-4*step*dec {
				moved = true
				break
			}
			step /= 2
		}
		if !moved {
			break // no decrease left at float64 precision: converged
		}
		copy(theta, next)
	}
	return &Readout{W: theta[:dim], B: theta[dim]}, nil
}

// Logit returns W·e + B.
func (r *Readout) Logit(e []float32) float64 {
	s := r.B
	for i, v := range e {
		s += r.W[i] * float64(v)
	}
	return s
}

// logistic is the read-out's objective.
type logistic struct {
	x          []float32
	dim        int
	labels     []uint8
	l2         float64
	cpos, cneg float64
	block      []float64 // scaled rows for the Hessian
}

func (f *logistic) z(theta []float64, i int) float64 {
	row := f.x[i*f.dim : (i+1)*f.dim]
	s := theta[f.dim]
	for j, v := range row {
		s += theta[j] * float64(v)
	}
	return s
}

// softplus is log(1+e^z), computed without overflow.
func softplus(z float64) float64 { return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) }

func (f *logistic) weight(y uint8) float64 {
	if y == 1 {
		return f.cpos
	}
	return f.cneg
}

func (f *logistic) value(theta []float64) float64 {
	var v float64
	for i, y := range f.labels {
		z := f.z(theta, i)
		v += f.weight(y) * (softplus(z) - float64(y)*z)
	}
	for _, w := range theta[:f.dim] {
		v += f.l2 / 2 * w * w
	}
	return v
}

// gradHess writes the gradient and the Hessian at theta and returns the objective.
func (f *logistic) gradHess(theta, grad []float64, hess *mat.SymDense) float64 {
	p := f.dim + 1
	const blk = 2048
	f.block = grow(f.block, blk*p)
	clear(grad)
	raw := hess.RawSymmetric()
	for i := range raw.Data {
		raw.Data[i] = 0
	}
	var obj float64
	n := len(f.labels)
	for i0 := 0; i0 < n; i0 += blk {
		m := min(blk, n-i0)
		for k := range m {
			i := i0 + k
			y := f.labels[i]
			c := f.weight(y)
			z := f.z(theta, i)
			obj += c * (softplus(z) - float64(y)*z)
			pr := 1 / (1 + math.Exp(-z))
			g := c * (pr - float64(y))
			s := math.Sqrt(c * pr * (1 - pr))
			row := f.x[i*f.dim : (i+1)*f.dim]
			dst := f.block[k*p : (k+1)*p]
			for j, v := range row {
				grad[j] += g * float64(v)
				dst[j] = s * float64(v)
			}
			grad[f.dim] += g
			dst[f.dim] = s
		}
		// H += Xsᵀ·Xs for the block's scaled rows (upper triangle).
		blas64.Implementation().Dsyrk(blas.Upper, blas.Trans, p, m, 1, f.block, p, 1, raw.Data, raw.Stride)
	}
	for j, w := range theta[:f.dim] {
		obj += f.l2 / 2 * w * w
		grad[j] += f.l2 * w
		raw.Data[j*raw.Stride+j] += f.l2
	}
	if f.l2 == 0 {
		// Keep the system solvable on separable data without a penalty.
		for j := range p {
			raw.Data[j*raw.Stride+j] += 1e-9
		}
	}
	return obj
}
