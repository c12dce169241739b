//go:build !amd64 || purego

package ag

// hasAVX2Adam: no vector kernel on this platform (or with -tags purego).
const hasAVX2Adam = false

func adamDecay32(p, m, v []float32, c *decayConsts) { adamDecayGeneric(p, m, v, c) }

func adamStep32(p, g, m, v []float32, c *decayConsts) { adamStepGeneric(p, g, m, v, c) }
