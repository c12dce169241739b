//go:build !amd64 || purego

package ag

// hasAVX2Adam: no vector kernel on this platform (or with -tags purego).
const hasAVX2Adam = false

func adamDecay32(p, m, v []float32, c *decayConsts) { adamDecayGeneric(p, m, v, c) }

func adamStep32(p, g, m, v []float32, c *decayConsts) { adamStepGeneric(p, g, m, v, c) }

func adamDecayRun32(p, m, v []float32, k *decayConsts, stepSize, sqrtBias2 []float64) {
	for s := range stepSize {
		k.step, k.sb2 = float32(stepSize[s]), float32(sqrtBias2[s])
		adamDecayGeneric(p, m, v, k)
	}
}

func adamFreezeRatio32(p, m, v []float32, k *decayConsts) float32 {
	return freezeRatioGeneric(p, m, v, k)
}

// decayChainAVX2 is never called here (hasAVX2Adam is false).
func decayChainAVX2(x, c *float32, n int, steps int, b float32) { panic("ag: no vector kernel") }
