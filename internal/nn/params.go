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
		if g := p.GradStorage(); g != nil {
			s += p.Backend().SumSquares(g)
		}
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
			if g := p.GradStorage(); g != nil {
				p.Backend().ScaleAdd(g, f, 0, g)
			}
		}
	}
	return norm
}

// Uniform fills t with values drawn uniformly from [lo, hi).
func Uniform(t *ag.Tensor, r *rand.Rand, lo, hi float64) {
	v := make([]float64, t.Len())
	for i := range v {
		v[i] = lo + (hi-lo)*r.Float64()
	}
	t.CopyFrom64(v)
}

// Normal fills t with values drawn from N(mean, std²).
func Normal(t *ag.Tensor, r *rand.Rand, mean, std float64) {
	v := make([]float64, t.Len())
	for i := range v {
		v[i] = mean + std*r.NormFloat64()
	}
	t.CopyFrom64(v)
}
