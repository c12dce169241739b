//go:build !amd64 || purego

package ag

// hasAVX2Decay: no vector kernel on this platform (or with -tags purego).
const hasAVX2Decay = false

func adamDecay32(p, m, v []float32, c *decayConsts) { adamDecayGo(p, m, v, c) }

func adamStep32(p, g, m, v []float32, c *decayConsts) { adamStepGeneric(p, g, m, v, c) }
