package ag

import (
	"math"
	"sync/atomic"
)

// Replaying a row's gradient-free steps (deferred dense Adam, see nn.Adam) costs a square root and
// two divisions per element and step: at 50,000 items of 64 columns and 62,500 steps an epoch (the
// CTR engine's batch 32) it is 2·10¹¹ element-steps. Without weight decay most of them provably
// leave the parameter unchanged, and replayer.row skips their parameter update, bit-exactly.
//
// Why. With wd = 0 the gradient is g = ±0, so a gradient-free step is m ← fl(β1·m) + (±0),
// v ← fl(β2·v) + (+0), p ← p − δ with δ = fl(fl(step·m) / fl(fl(√v)/√bias2 + ε)). The denominator
// is at least max(fl(√v), ε) (√bias2 ≤ 1, rounding is monotone), step sizes lr/(1−β1^t) do not
// grow, |m| shrinks by at least β1(1+2⁻²⁴) a step and fl(√v) by at most √(β2(1−2⁻²⁴)), so while m
// is normal every later δ is below the present bound fl(step·|m|)/max(fl(√v), ε) times a ratio
// < 1 per step (and once m is subnormal, δ is below 2⁻¹²⁰ for steps below 16, less than the bound
// again for |p| ≥ 2⁻⁷⁰). If that bound, with a margin of 2⁻¹⁶ that covers the roundings of the
// check itself, is below 2^(E−25) for p = ±1.f·2^E, then |δ| is less than half the spacing of
// float32 around p (2^(E−24) below, 2^(E−23) above, or 2^(E−24) below a power of two), so p − δ
// rounds to p on this and every later step until the row receives a gradient: only m and v still
// change, and they are replayed with the same operations as before. δ decays about tenfold in 22
// steps (β1/√β2 ≈ 0.9005), so a row that sat out more than ~150 steps pays the square root and
// divisions only for the first of them.
//
// Subnormals. An idle row's m decays below 2⁻¹²⁶ ~800 steps after its last gradient, and every
// floating-point instruction that reads or yields a subnormal float32 costs a microcode assist (a
// dense Adam step over a table whose first moments have decayed that far runs ~30× slower). The
// idle replay keeps subnormals out of floating-point instructions: it steps them as integer
// multiples of 2⁻¹⁴⁹ (chainSubnormal), which is what float32 rounding does on that grid, and stops
// at the fixed point they settle at.

// freezeMargin is 1 − 2⁻¹⁶: the freeze check demands the bound be this much below half a spacing.
const freezeMargin = float32(1 - 1.0/(1<<16))

// replayer replays the gradient-free steps of rows of one float32 parameter: the constants of
// every step and what the freeze argument needs.
type replayer struct {
	k                   decayConsts
	stepSize, sqrtBias2 []float64 // of steps 1..len
	*betaConsts
}

// betaConsts is what the freeze argument derives from β1, β2 and wd.
type betaConsts struct {
	b1, b2, wd float32
	betas      bool    // β1, β2 (and wd = 0) admit freezing
	fm, fv     float64 // safeFactor of β1 and β2
	shrink     float64 // ln(√β2/β1): the freeze bound's decay per step
}

// lastBetas caches the betaConsts of the latest constants (every call of a training run has the
// same): AdamCatchUpRows is called row by row.
var lastBetas atomic.Pointer[betaConsts]

func newReplayer(k decayConsts, stepSize, sqrtBias2 []float64) replayer {
	bc := lastBetas.Load()
	if bc == nil || bc.b1 != k.b1 || bc.b2 != k.b2 || bc.wd != k.wd {
		const u = 1.0 / (1 << 23)
		bc = &betaConsts{b1: k.b1, b2: k.b2, wd: k.wd, fm: safeFactor(k.b1), fv: safeFactor(k.b2)}
		bc.betas = k.wd == 0 && k.b2 <= 1 && float64(k.b1)*(1+u) < math.Sqrt(float64(k.b2)*(1-u))
		bc.shrink = math.Log(math.Sqrt(float64(k.b2)) / float64(k.b1))
		lastBetas.Store(bc)
	}
	return replayer{k: k, stepSize: stepSize, sqrtBias2: sqrtBias2, betaConsts: bc}
}

// canFreeze reports whether the freeze argument holds for the steps from on: the betas allow it,
// and the step sizes do not grow and stay below 16 and √bias2 ≤ 1 (stepSize and sqrtBias2 are
// Adam's lr/(1−β1^t) and √(1−β2^t), monotone in t: their ends are checked).
func (rp *replayer) canFreeze(from int) bool {
	n := len(rp.stepSize)
	return rp.betas && from < n && rp.stepSize[from] <= 16 && rp.stepSize[from] >= rp.stepSize[n-1] &&
		rp.stepSize[n-1] >= 0 && rp.sqrtBias2[n-1] <= 1 && rp.sqrtBias2[from] <= rp.sqrtBias2[n-1]
}

// row replays steps from.. of one row, bit for bit as adamDecay32 step by step: exact steps until
// the row's parameters are frozen (see above), then m and v alone.
func (rp *replayer) row(p, m, v []float32, from int) {
	n := len(rp.stepSize)
	if from >= n {
		return
	}
	k := &rp.k
	if n-from < minCheckedGap || !rp.canFreeze(from) {
		adamDecayRun32(p, m, v, k, rp.stepSize[from:], rp.sqrtBias2[from:])
		return
	}
	for s := from; s < n; {
		k.step = float32(rp.stepSize[s])
		r := adamFreezeRatio32(p, m, v, k)
		if r < 1 {
			rp.idle(p, m, v, n-s)
			return
		}
		j := n - s
		if !math.IsInf(float64(r), 1) && rp.shrink > 0 {
			// The bound shrinks by β1/√β2 a step: an estimate of when it falls below 1, checked then.
			j = min(j, 1+int(math.Log(float64(r))/rp.shrink))
		}
		adamDecayRun32(p, m, v, k, rp.stepSize[s:s+j], rp.sqrtBias2[s:s+j])
		s += j
	}
}

// idle runs steps gradient-free steps of a frozen row's m and v (wd = 0: the increments are
// signed zeros), in chunks of idleChunk columns, m and v each on its own (their recurrences are
// independent).
func (rp *replayer) idle(p, m, v []float32, steps int) {
	k := &rp.k
	var c1g, c2g [idleChunk]float32
	for off := 0; off < len(p); off += idleChunk {
		w := min(idleChunk, len(p)-off)
		for i := range w {
			gi := float32(k.wd * p[off+i])
			c1g[i], c2g[i] = float32(k.c1*gi), float32(float32(k.c2*gi)*gi)
		}
		decayChain(m[off:off+w], c1g[:w], k.b1, rp.fm, steps)
		decayChain(v[off:off+w], c2g[:w], k.b2, rp.fv, steps)
	}
}

// minCheckedGap: shorter replays run every step exactly, without the freeze check (which costs
// about a step, and would rarely find a row frozen this soon after a read).
const minCheckedGap = 8

// idleChunk is the number of columns decayChain handles at once.
const idleChunk = 64

// minHotSteps: a lane that may turn subnormal within fewer steps than this is stepped alone.
const minHotSteps = 16

// decayChain runs steps iterations of x ← fl(b·x) + c (c signed zeros; f = safeFactor(b)) over at
// most idleChunk lanes: the vector kernel on the lanes that stay normal meanwhile ("hot"), chainLane
// on the others, whose zeros (with zero increments) ride along in the kernel.
func decayChain(x, c []float32, b float32, f float64, steps int) {
	n := len(x)
	vec := 0
	if hasAVX2Adam {
		vec = n &^ 7
	}
	for i := vec; i < n; i++ {
		x[i] = chainLane(x[i], c[i], b, f, steps)
	}
	if vec == 0 {
		return
	}
	var xb, cb [idleChunk]float32
	for left := steps; left > 0; {
		j := left
		var cold uint64
		for i := range vec {
			if s := safeSteps(x[i], f); s < minHotSteps {
				cold |= 1 << i
			} else {
				j = min(j, s)
			}
		}
		switch {
		case cold == 0:
			decayChainAVX2(&x[0], &c[0], vec, j, b)
		case cold != 1<<vec-1:
			for i := range vec {
				if cold&(1<<i) != 0 {
					xb[i], cb[i] = 0, 0
				} else {
					xb[i], cb[i] = x[i], c[i]
				}
			}
			decayChainAVX2(&xb[0], &cb[0], vec, j, b)
			for i := range vec {
				if cold&(1<<i) == 0 {
					x[i] = xb[i]
				}
			}
		}
		for i := range vec {
			if cold&(1<<i) != 0 {
				x[i] = chainLane(x[i], c[i], b, f, j)
			}
		}
		left -= j
	}
}

// freezeRatioGeneric is adamFreezeRatioAVX2 in Go: the largest over the row of
// fl(step·|m|) / fl(fl(2^(E−25)·max(fl(√v), ε))·freezeMargin), or +Inf if some p is below 2⁻⁷⁰
// in magnitude (zero, subnormal), infinite or NaN, or a ratio is NaN. Below 1, the row's parameters
// stay put for every remaining gradient-free step (see above). A lane whose m is +0 counts 0
// whatever its p: δ = +0/den = +0 leaves any p as it is (−0 too), and fl(β1·(+0)) plus a signed
// zero is +0 again (a zero-initialised bias that was never read).
func freezeRatioGeneric(p, m, v []float32, k *decayConsts) float32 {
	inf := float32(math.Inf(1))
	var r float32
	for i := range p {
		if math.Float32bits(m[i]) == 0 {
			continue
		}
		e := math.Float32bits(p[i]) & 0x7f800000
		if e < 57<<23 || e == 0x7f800000 {
			return inf
		}
		hs := math.Float32frombits(e - 25<<23)
		den := float32(math.Sqrt(float64(v[i])))
		if den < k.eps {
			den = k.eps // a NaN stays NaN
		}
		rhs := float32(float32(hs*den) * freezeMargin)
		x := float32(k.step*float32(math.Abs(float64(m[i])))) / rhs
		if x != x {
			return inf
		}
		r = max(r, x)
	}
	return r
}

// adamIdleGeneric replays steps gradient-free steps of m and v alone (p unchanged), with the
// operations of adamDecayGeneric: the oracle of replayer.idle.
func adamIdleGeneric(p, m, v []float32, k *decayConsts, steps int) {
	for i := range p {
		gi := float32(k.wd * p[i])
		c1g, c2g := float32(k.c1*gi), float32(float32(k.c2*gi)*gi)
		mi, vi := m[i], v[i]
		for range steps {
			mi = float32(k.b1*mi) + c1g
			vi = float32(k.b2*vi) + c2g
		}
		m[i], v[i] = mi, vi
	}
}

// safeFactor is 1/log2(1/(b·(1−2⁻²²))): a normal x with exponent field e (|x| ≥ 2^(e−127)) stays
// normal under x ← fl(b·x) for at least (e−1)·safeFactor(b) − 1 steps, each step shrinking |x| by
// at most b(1−2⁻²³). +Inf for b ≥ 1 or b ≤ 0 (no decay to bound).
func safeFactor(b float32) float64 {
	f := float64(b) * (1 - 1.0/(1<<22))
	if !(f > 0 && f < 1) {
		return math.Inf(1)
	}
	return 1 / math.Log2(1/f)
}

// safeSteps is how many steps x ← fl(b·x) (+ a signed zero) surely keeps x normal or zero (f =
// safeFactor(b)): a zero stays a zero, a subnormal x has none.
func safeSteps(x float32, f float64) int {
	e := math.Float32bits(x) >> 23 & 0xff
	switch {
	case x == 0 || e == 0xff:
		return math.MaxInt32
	case e == 0:
		return 0
	}
	s := float64(e-1)*f - 1
	if s >= math.MaxInt32 {
		return math.MaxInt32
	}
	return max(0, int(s))
}

// mulRound returns fl(b·x), the float32 product rounded to nearest even, without a floating-point
// instruction on a subnormal operand or result (0 < b < 1 or x normal): the product is exact in
// float64, a subnormal result is rounded on the 2⁻¹⁴⁹ grid as an integer, and a subnormal x is
// its integer multiple of 2⁻¹⁴⁹.
func mulRound(b, x float32) float32 {
	bits := math.Float32bits(x)
	sign, a := bits&0x80000000, bits&0x7fffffff
	switch {
	case a == 0 || a >= 0x7f800000:
		return b * x
	case a < 0x00800000:
		return math.Float32frombits(sign | uint32(math.RoundToEven(float64(b)*float64(a))))
	}
	y := float64(b) * float64(x)
	if math.Abs(y) >= 0x1p-126 {
		return float32(y)
	}
	return math.Float32frombits(sign | uint32(math.RoundToEven(math.Abs(y)*0x1p149)))
}

// addZero returns x + z for a signed zero z, as float32 addition gives it, without an instruction
// on a subnormal x.
func addZero(x, z float32) float32 {
	if x != 0 {
		return x
	}
	return x + z
}

// chainLane runs steps iterations of x ← fl(b·x) + z for a signed zero z (the m or v half of a
// gradient-free step without weight decay; f = safeFactor(b)): the bits of float32 arithmetic,
// without touching a subnormal. While x surely stays normal it multiplies in float32 (adding a
// zero to a nonzero x changes nothing); a subnormal x = k·2⁻¹⁴⁹ steps as the integer k (see
// chainSubnormal) and stops at its fixed point (a subnormal moment settles within a few hundred
// steps at a small multiple of 2⁻¹⁴⁹ that b·x rounds back to).
func chainLane(x, z, b float32, f float64, steps int) float32 {
	bb := math.Float32bits(b)
	be := bb >> 23 & 0xff
	ints := bb>>31 == 0 && be >= 88 && be < 127 // 2⁻³⁹ ≤ b < 1, b = mb·2^−shift
	mb, shift := uint64(bb&0x7fffff|0x800000), 150-be
	for steps > 0 {
		if x != 0 {
			if s := min(steps, safeSteps(x, f)); s > 0 {
				for range s {
					x = b * x
				}
				steps -= s
				continue
			}
		}
		bits := math.Float32bits(x)
		if sign, a := bits&0x80000000, bits&0x7fffffff; ints && a != 0 && a < 0x00800000 {
			if k := chainSubnormal(uint64(a), mb, shift, &steps); k != 0 {
				return math.Float32frombits(sign | uint32(k))
			}
			x = addZero(math.Float32frombits(sign), z) // the last step's product rounded to a zero
			continue
		}
		y := addZero(mulRound(b, x), z)
		if math.Float32bits(y) == bits {
			break
		}
		x = y
		steps--
	}
	return x
}

// chainSubnormal steps the subnormal k·2⁻¹⁴⁹ under x ← fl(b·x), b = mb·2^−shift: k ← k·mb/2^shift
// rounded to nearest even (the float32 rounding on the subnormal grid), counting the steps taken
// down from *steps, until they run out, k reaches a fixed point (the rest would not change it) or
// k rounds to 0 (returned; the caller adds the zero increment).
func chainSubnormal(k, mb uint64, shift uint32, steps *int) uint64 {
	bias := uint64(1)<<(shift-1) - 1
	for *steps > 0 {
		// Round half to even: adding 2^(shift−1) − 1, plus 1 when the truncated quotient is odd,
		// carries into the quotient exactly when the remainder exceeds half, or equals it on an odd one.
		prod := k * mb
		q := (prod + bias + prod>>shift&1) >> shift
		if q == k {
			return k
		}
		*steps--
		if q == 0 {
			return 0
		}
		k = q
	}
	return k
}
