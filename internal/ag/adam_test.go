package ag

import (
	"fmt"
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

// adamSchedule returns Adam's per-step scalars lr/(1−β1^t) and √(1−β2^t) for t = 1..n, as nn.Adam
// records them.
func adamSchedule(n int, lr, beta1, beta2 float64) (stepSize, sqrtBias2 []float64) {
	for t := 1; t <= n; t++ {
		stepSize = append(stepSize, lr/(1-math.Pow(beta1, float64(t))))
		sqrtBias2 = append(sqrtBias2, math.Sqrt(1-math.Pow(beta2, float64(t))))
	}
	return stepSize, sqrtBias2
}

// sameBits reports whether a and b hold the same float32 bit patterns (signed zeros and NaNs apart).
func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestAdamReplayFrozen: replaying a row's gradient-free steps with frozen parameters skipped
// (replayer.row) gives the bits of replaying every step with adamDecayGeneric, for p, m and v, on
// widths around the lane counts, from early steps (√bias2 < 1) and late ones (√bias2 = 1), over
// gaps of a few to thousands of steps that take m into subnormals, with parameters of every scale
// (zero, subnormal, tiny, exact powers of two, large) and moments that put the update just above
// and just below half a float32 spacing of the parameter.
func TestAdamReplayFrozen(t *testing.T) {
	const lr = 1e-3
	stepSize, sqrtBias2 := adamSchedule(19000, lr, 0.9, 0.999)
	r := rand.New(rand.NewPCG(5, 6))
	k := decayConsts{b1: 0.9, b2: 0.999, eps: 1e-8}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	froze := 0
	for trial := range 300 {
		n := []int{1, 5, 8, 13, 32, 64, 67, 128}[trial%8]
		from := []int{0, 3, 40, 900, 17000, 18000}[r.IntN(6)]
		end := min(len(stepSize), from+[]int{1, 7, 60, 200, 1000, 2500}[r.IntN(6)])
		p, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			switch r.IntN(8) {
			case 0:
				p[i] = 0
			case 1:
				p[i] = float32(math.Ldexp(1, r.IntN(20)-10)) // a power of two
			case 2:
				p[i] = 1e-40 * float32(r.NormFloat64()) // subnormal
			case 3:
				p[i] = 1e-25 * float32(r.NormFloat64())
			default:
				p[i] = float32(math.Ldexp(r.NormFloat64(), -r.IntN(12)))
			}
			v[i] = float32(math.Ldexp(r.Float64(), -10-r.IntN(30)))
			m[i] = float32(r.NormFloat64()) * float32(math.Sqrt(float64(v[i]))) * float32(math.Ldexp(1, -r.IntN(40)))
			if r.IntN(10) == 0 {
				m[i] = 0
				if r.IntN(2) == 0 {
					p[i], v[i] = 0, 0 // a zero-initialised bias never read
				}
			}
			if r.IntN(10) == 0 {
				// δ within a hair of half the spacing of p.
				e := math.Float32bits(p[i]) & 0x7f800000
				if e >= 57<<23 && e < 0x7f800000 {
					hs := float64(math.Float32frombits(e - 24<<23))
					den := math.Max(math.Sqrt(float64(v[i]))/sqrtBias2[from], 1e-8)
					m[i] = float32(hs * den / stepSize[from] * (1 + 1e-6*r.NormFloat64()))
				}
			}
		}
		p2, m2, v2 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
		kk := k
		rp := newReplayer(k, stepSize[:end], sqrtBias2[:end])
		rp.row(p, m, v, from)
		for s := from; s < end; s++ {
			kk.step, kk.sb2 = float32(stepSize[s]), float32(sqrtBias2[s])
			adamDecayGeneric(p2, m2, v2, &kk)
		}
		for name, pair := range map[string][2][]float32{"p": {p, p2}, "m": {m, m2}, "v": {v, v2}} {
			if i := sameBits(pair[0], pair[1]); i >= 0 {
				t.Fatalf("trial %d (n=%d, steps %d..%d): %s[%d] = %v replayed with freezing, %v step by step", trial, n, from, end, name, i, pair[0][i], pair[1][i])
			}
		}
		kk.step = float32(stepSize[min(from, end-1)])
		if freezeRatioGeneric(p2, m2, v2, &kk) < 1 {
			froze++
		}
	}
	if froze == 0 {
		t.Error("no trial ended frozen: the test does not exercise the idle replay")
	}
}

// TestAdamFreezeRatioKernel: the 8-lane freeze ratio equals the Go one.
func TestAdamFreezeRatioKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	k := decayConsts{b1: 0.9, b2: 0.999, eps: 1e-8, step: 1.1e-3}
	for trial := range 200 {
		n := 8 * (1 + trial%9)
		p, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(math.Ldexp(r.NormFloat64(), -r.IntN(90)))
			m[i] = float32(math.Ldexp(r.NormFloat64(), -20-r.IntN(60)))
			v[i] = float32(math.Ldexp(r.Float64(), -20-r.IntN(80)))
		}
		if trial%7 == 0 {
			m[r.IntN(n)] = float32(math.NaN())
		}
		if trial%5 == 0 {
			i := r.IntN(n)
			p[i], m[i] = 0, 0
		}
		want := freezeRatioGeneric(p, m, v, &k)
		if got := adamFreezeRatio32(p, m, v, &k); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("trial %d: ratio %v (AVX2 %v), Go %v", trial, got, hasAVX2Adam, want)
		}
	}
}

// TestAdamKernelsUnbiased: with √bias2 = 1 the 8-lane kernels skip their division by it and still
// equal the scalar code (x/1 = x).
func TestAdamKernelsUnbiased(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	k := decayConsts{b1: 0.9, b2: 0.999, wd: 1e-3, eps: 1e-8, step: 1e-3, sb2: 1}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	n := 67
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i] = float32(r.NormFloat64()), 1e-3*float32(r.NormFloat64())
		m[i], v[i] = 1e-3*float32(r.NormFloat64()), 1e-6*float32(r.Float64())
	}
	p2, m2, v2 := slices.Clone(p), slices.Clone(m), slices.Clone(v)
	for range 10 {
		adamStep32(p, g, m, v, &k)
		adamStepGeneric(p2, g, m2, v2, &k)
		adamDecay32(p, m, v, &k)
		adamDecayGeneric(p2, m2, v2, &k)
	}
	if sameBits(p, p2) >= 0 || sameBits(m, m2) >= 0 || sameBits(v, v2) >= 0 {
		t.Fatalf("√bias2 = 1: the 8-lane kernels differ from the scalar ones (AVX2 %v)", hasAVX2Adam)
	}
}

// BenchmarkAdamReplay measures the catch-up of a 64-column embedding row (the CTR engine's item
// table) that sat out gap steps after a gradient of order 1e-4, per element-step: step by step
// (adamDecayRun32) and with frozen parameters skipped (replayer.row).
func BenchmarkAdamReplay(b *testing.B) {
	const cols = 64
	stepSize, sqrtBias2 := adamSchedule(30000, 1e-3, 0.9, 0.999)
	r := rand.New(rand.NewPCG(11, 12))
	p0, m0, v0 := make([]float32, cols), make([]float32, cols), make([]float32, cols)
	for i := range p0 {
		g := 1e-4 * r.NormFloat64()
		p0[i], m0[i], v0[i] = float32(0.05*r.NormFloat64()), float32(0.1*g), float32(0.001*g*g)
	}
	k := decayConsts{b1: 0.9, b2: 0.999, eps: 1e-8}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	p, m, v := make([]float32, cols), make([]float32, cols), make([]float32, cols)
	for _, gap := range []int{20, 150, 600, 3000} {
		const from = 20000
		for _, c := range []struct {
			name string
			f    func()
		}{
			{"step-by-step", func() { adamDecayRun32(p, m, v, &k, stepSize[from:from+gap], sqrtBias2[from:from+gap]) }},
			{"frozen-skipped", func() { rp := newReplayer(k, stepSize[:from+gap], sqrtBias2[:from+gap]); rp.row(p, m, v, from) }},
		} {
			b.Run(fmt.Sprintf("gap=%d/%s", gap, c.name), func(b *testing.B) {
				for b.Loop() {
					copy(p, p0)
					copy(m, m0)
					copy(v, v0)
					c.f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*gap*cols), "ns/element-step")
			})
		}
	}
}

// TestMulRound: mulRound is the float32 product, bit for bit, across normal, subnormal and zero
// operands and results (the hardware product is the oracle).
func TestMulRound(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, b := range []float32{0.9, 0.999, 0.5, 0.99999, 0.123} {
		for range 200000 {
			var x float32
			switch r.IntN(4) {
			case 0:
				x = math.Float32frombits(uint32(r.IntN(0x00800000))) // subnormal or zero
			case 1:
				x = math.Float32frombits(0x00800000 + uint32(r.IntN(0x02000000))) // just above 2⁻¹²⁶
			default:
				x = math.Float32frombits(uint32(r.IntN(0x7f800000)))
			}
			if r.IntN(2) == 0 {
				x = -x
			}
			if got, want := mulRound(b, x), b*x; math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("mulRound(%v, %v (%#x)) = %v, want %v", b, x, math.Float32bits(x), got, want)
			}
		}
	}
}

// TestAdamIdle: the idle replay of frozen rows (vector kernel, cold lanes stepped alone) equals
// adamIdleGeneric, on rows whose m and v start anywhere from large to subnormal.
func TestAdamIdle(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	k := decayConsts{b1: 0.9, b2: 0.999, eps: 1e-8}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	for trial := range 200 {
		n := []int{1, 8, 13, 64, 70, 130}[trial%6]
		steps := []int{1, 15, 100, 900, 3000}[r.IntN(5)]
		p, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(r.NormFloat64())
			m[i] = float32(math.Ldexp(r.NormFloat64(), -r.IntN(150)))
			v[i] = float32(math.Ldexp(r.Float64(), -r.IntN(150)))
			if r.IntN(8) == 0 {
				m[i] = float32(math.Copysign(0, r.NormFloat64()))
			}
		}
		m2, v2 := slices.Clone(m), slices.Clone(v)
		rp := newReplayer(k, nil, nil)
		rp.idle(p, m, v, steps)
		adamIdleGeneric(p, m2, v2, &k, steps)
		if i := sameBits(m, m2); i >= 0 {
			t.Fatalf("trial %d (n=%d, %d steps): m[%d] %v, want %v", trial, n, steps, i, m[i], m2[i])
		}
		if i := sameBits(v, v2); i >= 0 {
			t.Fatalf("trial %d (n=%d, %d steps): v[%d] %v, want %v", trial, n, steps, i, v[i], v2[i])
		}
	}
}
