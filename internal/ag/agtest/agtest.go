// Package agtest checks reverse-mode gradients against central finite differences, in float64, for
// any graph built on the ag engine: every op in package ag, every layer in internal/nn, and every
// model cell (JODIE's step, Time-LSTM, ...) uses it.
package agtest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
)

// Tolerances for CheckGradients: |analytic − numeric| ≤ Abs + Rel·|numeric|. With step 1e-6 in
// float64, central differences are accurate to ~1e-9 on smooth functions of order-1 inputs.
const (
	Step = 1e-6
	Abs  = 1e-6
	Rel  = 1e-5
)

// Mismatch is one element whose analytic and numeric derivatives disagree.
type Mismatch struct {
	Param    string
	Index    int
	Analytic float64
	Numeric  float64
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s[%d]: analytic %.9g, finite difference %.9g", m.Param, m.Index, m.Analytic, m.Numeric)
}

// CheckGradients runs loss once with Backward, then perturbs every element of every parameter by
// ±Step and compares the central difference with the accumulated gradient. The params must live on
// a float64 backend (ag.NewCPU64) for the comparison to mean anything; loss is called with a fresh
// (reset) tape each time and must be a deterministic function of the parameters. Parameters'
// gradients are zeroed first. It returns every mismatch (nil when all agree).
func CheckGradients(params []*ag.Tensor, loss func(tp *ag.Tape) *ag.Tensor) ([]Mismatch, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("agtest: no parameters")
	}
	be := params[0].Backend()
	if be.Precision() != 64 {
		return nil, fmt.Errorf("agtest: gradient check on a float%d backend; use ag.NewCPU64()", be.Precision())
	}
	for _, p := range params {
		p.ZeroGrad()
	}
	tp := ag.NewTape(be)
	if err := tp.Backward(loss(tp)); err != nil {
		return nil, err
	}
	eval := func() float64 {
		tp.Reset()
		return loss(tp).Scalar()
	}
	var bad []Mismatch
	for pi, p := range params {
		name := p.Name
		if name == "" {
			name = fmt.Sprintf("param%d", pi)
		}
		analytic := p.GradValues()
		v := make([]float64, p.Len())
		p.CopyTo64(v)
		for j := range v {
			orig := v[j]
			v[j] = orig + Step
			p.CopyFrom64(v)
			up := eval()
			v[j] = orig - Step
			p.CopyFrom64(v)
			down := eval()
			v[j] = orig
			p.CopyFrom64(v)
			numeric := (up - down) / (2 * Step)
			if math.Abs(numeric-analytic[j]) > Abs+Rel*math.Abs(numeric) || math.IsNaN(analytic[j]) {
				bad = append(bad, Mismatch{Param: name, Index: j, Analytic: analytic[j], Numeric: numeric})
			}
		}
	}
	return bad, nil
}

// FillUniform sets every element of t to a value drawn uniformly from [lo, hi).
func FillUniform(t *ag.Tensor, r *rand.Rand, lo, hi float64) {
	v := make([]float64, t.Len())
	for i := range v {
		v[i] = lo + (hi-lo)*r.Float64()
	}
	t.CopyFrom64(v)
}

// Project reduces y to the scalar Σ y⊙R for a fixed pseudo-random R that depends only on y's shape,
// so that every output element carries a distinct weight in a gradient check.
func Project(tp *ag.Tape, y *ag.Tensor) *ag.Tensor {
	r := rand.New(rand.NewPCG(uint64(y.Rows()), uint64(y.Cols())))
	w := make([]float64, y.Len())
	for i := range w {
		w[i] = r.Float64()*2 - 1
	}
	return tp.Sum(tp.Mul(y, tp.Input64(y.Rows(), y.Cols(), w)), ag.AxisAll)
}
