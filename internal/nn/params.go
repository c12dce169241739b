package nn

import (
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
)

// Params is an ordered list of parameters: the unit that optimisers, clipping and checkpoints act on.
type Params []*ag.Tensor

// Module is anything that owns parameters.
type Module interface {
	Params() Params
}

// Collect concatenates the parameters of several modules, in order.
func Collect(ms ...Module) Params {
	var ps Params
	for _, m := range ms {
		ps = append(ps, m.Params()...)
	}
	return ps
}

// ZeroGrad clears every parameter's gradient.
func (ps Params) ZeroGrad() {
	for _, p := range ps {
		p.ZeroGrad()
	}
}

// Count is the total number of scalar parameters.
func (ps Params) Count() int {
	n := 0
	for _, p := range ps {
		n += p.Len()
	}
	return n
}

// GradNorm returns the global L2 norm of all gradients.
func (ps Params) GradNorm() float64 {
	var s float64
	for _, p := range ps {
		s += p.GradSumSquares()
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales all gradients so their global L2 norm is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_ (factor maxNorm/(norm+1e-6) when norm > maxNorm). It returns the
// norm before clipping.
func (ps Params) ClipGradNorm(maxNorm float64) float64 {
	norm := ps.GradNorm()
	if norm > maxNorm {
		f := maxNorm / (norm + 1e-6)
		for _, p := range ps {
			p.ScaleGrad(f)
		}
	}
	return norm
}

// Uniform fills t with values drawn uniformly from [lo, hi).
func Uniform(t *ag.Tensor, r *rand.Rand, lo, hi float64) {
	fill(t, func() float64 { return lo + (hi-lo)*r.Float64() })
}

// Normal fills t with values drawn from N(mean, std²).
func Normal(t *ag.Tensor, r *rand.Rand, mean, std float64) {
	fill(t, func() float64 { return mean + std*r.NormFloat64() })
}

// fillChunk bounds the float64 staging buffer of fill: drawing a 1M×128 table through one full-size
// float64 slice would hold 1 GB beside the table itself (the scale test's peak memory).
const fillChunk = 1 << 16

// fill sets t's elements, in order, to successive values of draw (float64, rounded by the backend).
func fill(t *ag.Tensor, draw func() float64) {
	be, s := t.Backend(), t.Storage()
	buf := make([]float64, min(fillChunk, t.Len()))
	var view ag.Storage
	for off := 0; off < t.Len(); off += len(buf) {
		chunk := buf[:min(len(buf), t.Len()-off)]
		for i := range chunk {
			chunk[i] = draw()
		}
		view = be.View(view, s, off, len(chunk))
		be.Upload64(view, chunk)
	}
}
