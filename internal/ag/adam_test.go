package ag

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAdamDecayKernels: the 8-lane replay kernel and the scalar one give the same bits, on widths
// around the lane count and on values from zero to large, and both equal adam with a zero gradient.
func TestAdamDecayKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	k := decayConsts{b1: 0.9, b2: 0.999, wd: 1e-5, eps: 1e-8, step: float32(1e-3 / (1 - math.Pow(0.9, 7))),
		sb2: float32(math.Sqrt(1 - math.Pow(0.999, 7)))}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	for _, n := range []int{1, 7, 8, 9, 16, 37, 1129} {
		p, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			scale := []float32{0, 1e-30, 1e-6, 1e-2, 1, 1e3}[i%6]
			p[i] = scale * float32(r.NormFloat64())
			m[i] = 1e-4 * float32(r.NormFloat64())
			v[i] = 1e-8 * float32(r.Float64())
		}
		p2, m2, v2 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
		p3, m3, v3 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
		for range 50 {
			adamDecay32(p, m, v, &k)
			adamDecayGeneric(p2, m2, v2, &k)
			adam(p3, make([]float32, n), m3, v3, 1e-3, 0.9, 0.999, 1e-8, 1e-5, 1-math.Pow(0.9, 7), 1-math.Pow(0.999, 7))
		}
		for _, pair := range [][2][]float32{{p, p2}, {m, m2}, {v, v2}, {p, p3}, {m, m3}, {v, v3}} {
			for i := range pair[0] {
				if pair[0][i] != pair[1][i] {
					t.Fatalf("n=%d, element %d: %v vs %v (AVX2 %v)", n, i, pair[0][i], pair[1][i], hasAVX2Adam)
				}
			}
		}
	}
}

// TestAdamStepKernels: the 8-lane Adam step equals the scalar one bit for bit, with gradients.
func TestAdamStepKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	k := decayConsts{b1: 0.9, b2: 0.999, wd: 1e-2, eps: 1e-8, step: 2e-3, sb2: 0.3}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	for _, n := range []int{3, 8, 13, 64, 1129} {
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(r.NormFloat64())
			m[i], v[i] = 1e-3*float32(r.NormFloat64()), 1e-6*float32(r.Float64())
		}
		p2, m2, v2 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
		for range 20 {
			for i := range g {
				g[i] = []float32{0, 1e-7, 1e-3, 10}[i%4] * float32(r.NormFloat64())
			}
			adamStep32(p, g, m, v, &k)
			adamStepGeneric(p2, g, m2, v2, &k)
		}
		if !slices.Equal(p, p2) || !slices.Equal(m, m2) || !slices.Equal(v, v2) {
			t.Fatalf("n=%d: the 8-lane Adam step differs from the scalar one (AVX2 %v)", n, hasAVX2Adam)
		}
	}
}

// BenchmarkAdamCatchUp measures, per element-step of a JODIE one-hot row (1,129 columns) kept in
// cache, the gradient-free replay step (8 lanes and scalar) and the full Adam step with a gradient
// (adam, 8 lanes where available).
func BenchmarkAdamCatchUp(b *testing.B) {
	const cols, steps = 1129, 100
	p, m, v, g := make([]float32, cols), make([]float32, cols), make([]float32, cols), make([]float32, cols)
	for i := range p {
		p[i], v[i] = 0.01, 1e-12
	}
	k := decayConsts{b1: 0.9, c1: 1 - float32(0.9), b2: 0.999, c2: 1 - float32(0.999), wd: 1e-5, eps: 1e-8, step: 1e-3, sb2: 0.5}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"avx2", func() { adamDecay32(p, m, v, &k) }},
		{"scalar", func() { adamDecayGeneric(p, m, v, &k) }},
		{"step-with-gradient", func() { adam(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 1e-5, 0.5, 0.25) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for range steps {
					c.f()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps*cols), "ns/element-step")
		})
	}
}
