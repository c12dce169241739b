package ag

import "math"

// adamConsts are the per-step scalars of one Adam update in the backend's precision. For float32
// its layout (eight consecutive float32) is what the assembly kernel reads.
type adamConsts[T float] struct {
	b1, c1, b2, c2 T // β1, 1−β1, β2, 1−β2
	wd, eps        T
	step, sb2      T // lr / (1 − β1^t) and √(1 − β2^t)
}

// decayConsts is the float32 instance the assembly kernel takes.
type decayConsts = adamConsts[float32]

// adam is one torch.optim.Adam step (L2 weight decay added to the gradient) over a slice:
//
//	g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/bias1 · m / (√v/√bias2 + eps),
//
// with bias_k = 1 − β_k^step. Every product is converted to T before it is added: the explicit
// conversion forbids the compiler to fuse it into an FMA (Go spec, "Floating-point operators"), so
// the result is the same on every GOAMD64 level and equals the replay kernels below bit for bit.
func adam[T float](p, g, m, v []T, lr, beta1, beta2, eps, wd, bias1, bias2 float64) {
	k := adamConsts[T]{b1: T(beta1), b2: T(beta2), wd: T(wd), eps: T(eps), step: T(lr / bias1), sb2: T(math.Sqrt(bias2))}
	k.c1, k.c2 = 1-k.b1, 1-k.b2
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if p32, ok := any(p).([]float32); ok {
		adamStep32(p32, any(g).([]float32), any(m).([]float32), any(v).([]float32), any(&k).(*decayConsts))
		return
	}
	adamStepGeneric(p, g, m, v, &k)
}

func adamStepGeneric[T float](p, g, m, v []T, k *adamConsts[T]) {
	for i := range p {
		gi := g[i] + T(k.wd*p[i])
		m[i] = T(k.b1*m[i]) + T(k.c1*gi)
		v[i] = T(k.b2*v[i]) + T(T(k.c2*gi)*gi)
		p[i] -= T(k.step*m[i]) / (T(math.Sqrt(float64(v[i])))/k.sb2 + k.eps)
	}
}

// adamDecay is one Adam step of a row that received no data gradient: the gradient is weight
// decay's alone, g = wd·p. It is adam with g = 0 (0 + wd·p = wd·p, up to the sign of a zero), and
// what deferred dense Adam replays for every step a row sat out (see nn.Adam).
func adamDecay[T float](p, m, v []T, k *adamConsts[T]) {
	if p32, ok := any(p).([]float32); ok {
		adamDecay32(p32, any(m).([]float32), any(v).([]float32), any(k).(*decayConsts))
		return
	}
	adamDecayGeneric(p, m, v, k)
}

// adamDecayGeneric is the scalar kernel (float64, the tail of a float32 row, platforms without AVX2).
func adamDecayGeneric[T float](p, m, v []T, k *adamConsts[T]) {
	m, v = m[:len(p)], v[:len(p)]
	for i := range p {
		gi := T(k.wd * p[i])
		m[i] = T(k.b1*m[i]) + T(k.c1*gi)
		v[i] = T(k.b2*v[i]) + T(T(k.c2*gi)*gi)
		p[i] -= T(k.step*m[i]) / (T(math.Sqrt(float64(v[i])))/k.sb2 + k.eps)
	}
}
