//go:build amd64 && !purego

package ag

import "golang.org/x/sys/cpu"

// hasAVX2Adam: the 8-lane Adam kernels need AVX2 (and the OS saving YMM state, which x/sys/cpu
// checks).
var hasAVX2Adam = cpu.X86.HasAVX2

// adamDecayAVX2 is implemented in adam_amd64.s.
//
//go:noescape
func adamDecayAVX2(p, m, v *float32, n int, c *decayConsts)

// adamStepAVX2 is implemented in adam_amd64.s.
//
//go:noescape
func adamStepAVX2(p, grad, m, v *float32, n int, c *decayConsts)

// adamStep32 runs one Adam step over float32 slices: 8 lanes at a time, the rest in Go.
func adamStep32(p, g, m, v []float32, c *decayConsts) {
	n := 0
	if hasAVX2Adam {
		n = len(p) &^ 7
		if n > 0 {
			adamStepAVX2(&p[0], &g[0], &m[0], &v[0], n, c)
		}
	}
	adamStepGeneric(p[n:], g[n:], m[n:], v[n:], c)
}

// adamDecay32 runs one gradient-free Adam step over a float32 row: 8 lanes at a time, the rest in Go.
func adamDecay32(p, m, v []float32, c *decayConsts) {
	n := 0
	if hasAVX2Adam {
		n = len(p) &^ 7
		if n > 0 {
			adamDecayAVX2(&p[0], &m[0], &v[0], n, c)
		}
	}
	adamDecayGeneric(p[n:], m[n:], v[n:], c)
}

// adamDecayRunAVX2, adamFreezeRatioAVX2 and adamIdleAVX2 are implemented in adam_amd64.s.
//
//go:noescape
func adamDecayRunAVX2(p, m, v *float32, n int, c *decayConsts, stepSize, sqrtBias2 *float64, steps int)

//go:noescape
func adamFreezeRatioAVX2(p, m, v *float32, n int, c *decayConsts) float32

//go:noescape
func decayChainAVX2(x, c *float32, n int, steps int, b float32)

// adamDecayRun32 runs len(stepSize) gradient-free steps over a float32 row, step s with
// float32(stepSize[s]) and float32(sqrtBias2[s]): 8 lanes at a time, the rest in Go.
func adamDecayRun32(p, m, v []float32, k *decayConsts, stepSize, sqrtBias2 []float64) {
	n := 0
	if hasAVX2Adam && len(stepSize) > 0 {
		n = len(p) &^ 7
		if n > 0 {
			adamDecayRunAVX2(&p[0], &m[0], &v[0], n, k, &stepSize[0], &sqrtBias2[0], len(stepSize))
		}
	}
	if n < len(p) {
		for s := range stepSize {
			k.step, k.sb2 = float32(stepSize[s]), float32(sqrtBias2[s])
			adamDecayGeneric(p[n:], m[n:], v[n:], k)
		}
	}
}

// adamFreezeRatio32 is freezeRatioGeneric, 8 lanes at a time.
func adamFreezeRatio32(p, m, v []float32, k *decayConsts) float32 {
	n := 0
	var r float32
	if hasAVX2Adam {
		n = len(p) &^ 7
		if n > 0 {
			r = adamFreezeRatioAVX2(&p[0], &m[0], &v[0], n, k)
		}
	}
	if n < len(p) {
		r = max(r, freezeRatioGeneric(p[n:], m[n:], v[n:], k))
	}
	return r
}
