package ctr

import (
	"context"
	"fmt"
	"math"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// Correlator is implemented by nets that can measure TIN's learned semantic-temporal correlation
// (bench.CorrelationProber; TIN eq. 4 and Table 2): Correlation returns B·T values, row b·T+t for
// behaviour t of sample b as Batch lays them out, each e^z·‖r‖ (or the factor the net has) between
// the behaviour and its target. Padding rows are ignored by the caller.
type Correlator interface {
	Correlation(tp *ag.Tape, b *Batch) []float64
}

// LearnedCorrelation implements bench.CorrelationProber for nets that are Correlators, in
// evaluation mode (no gradients); other nets give bench.ErrNoCorrelation.
func (m *Model) LearnedCorrelation(ctx context.Context, d *bench.Data, samples []datasets.CTRSample) ([][]float64, error) {
	c, ok := m.net.(Correlator)
	if !ok {
		return nil, fmt.Errorf("%s: %w", m.spec.Name, bench.ErrNoCorrelation)
	}
	was := m.tp.SetGrad(false)
	defer m.tp.SetGrad(was)
	out := make([][]float64, len(samples))
	for lo := 0; lo < len(samples); lo += m.cfg.EvalBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+m.cfg.EvalBatch, len(samples))
		m.tp.Reset()
		b := m.batcher.Make(samples[lo:hi])
		v := c.Correlation(m.tp, b)
		if len(v) != b.B*b.T {
			return nil, fmt.Errorf("%s: correlation of %d values for a %d×%d batch", m.spec.Name, len(v), b.B, b.T)
		}
		for i := range b.B {
			out[lo+i] = append([]float64(nil), v[i*b.T:i*b.T+b.Len[i]]...)
		}
	}
	return out, nil
}

// CorrelationOf computes e^z·‖r‖ per behaviour row (TIN eq. 4) from the downloaded tensors: keys
// (B·T)×D, the B×D query of each sample (nil: no attention factor, z = 0 and the factor is 1) and
// the representation rows (B·T)×D. scale multiplies the dot product (1/√d in TIN).
func CorrelationOf(B, T int, keys, query *ag.Tensor, scale float64, repr *ag.Tensor) []float64 {
	D := repr.Cols()
	r := make([]float64, B*T*D)
	repr.CopyTo64(r)
	out := make([]float64, B*T)
	for i := range out {
		var n2 float64
		for _, x := range r[i*D : (i+1)*D] {
			n2 += x * x
		}
		out[i] = math.Sqrt(n2)
	}
	if query == nil {
		return out
	}
	Dk := keys.Cols()
	k, q := make([]float64, B*T*Dk), make([]float64, B*Dk)
	keys.CopyTo64(k)
	query.CopyTo64(q)
	for b := range B {
		for t := range T {
			var z float64
			row := k[(b*T+t)*Dk : (b*T+t+1)*Dk]
			for j, x := range row {
				z += x * q[b*Dk+j]
			}
			out[b*T+t] *= math.Exp(z * scale)
		}
	}
	return out
}
