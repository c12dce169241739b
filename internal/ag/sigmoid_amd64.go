//go:build amd64 && !purego

package ag

import (
	"math"
	"math/rand/v2"
	"sync"

	"golang.org/x/sys/cpu"
)

// sigmoidAVX2 is implemented in sigmoid_amd64.s; n is a multiple of 8. It reports whether some
// lane's exponential was outside its range (the caller recomputes those lanes).
//
//go:noescape
func sigmoidAVX2(y, x *float32, n int) (special bool)

// useSigmoidKernel is decided once: the kernel replicates math.Exp's FMA path, which math takes
// where AVX and FMA run (unless GODEBUG turns it off), so the kernel is used only if it agrees with
// math.Exp, through the backend's sigmoid, on a sample of arguments of every range.
var useSigmoidKernel = sync.OnceValue(func() bool {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return false
	}
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(math.Ldexp(r.NormFloat64(), r.IntN(14)-8))
	}
	copy(x, []float32{0, float32(math.Copysign(0, -1)), 1, -1, 50, -50, 88, -88, 103, -103, 700, -700})
	y := make([]float32, len(x))
	sigmoidAVX2(&y[0], &x[0], len(x))
	for i, v := range x {
		if math.Float32bits(y[i]) != math.Float32bits(sigmoid(v)) {
			return false
		}
	}
	return true
})

// sigmoid32 sets y = sigmoid(x) element-wise (the bits of the scalar sigmoid), 8 lanes at a time
// where the kernel runs.
func sigmoid32(y, x []float32) {
	n := 0
	if len(x) >= 8 && useSigmoidKernel() {
		n = len(x) &^ 7
		if sigmoidAVX2(&y[0], &x[0], n) {
			for i, v := range x[:n] {
				if !(math.Abs(float64(v)) <= 708) {
					y[i] = sigmoid(v)
				}
			}
		}
	}
	for i, v := range x[n:] {
		y[n+i] = sigmoid(v)
	}
}

func kernelInUse() bool { return useSigmoidKernel() }

func expKernelInUse() bool { return useExpKernel() }

// expAVX2 is implemented in sigmoid_amd64.s; n is a multiple of 4. It reports whether some lane
// was outside [−708, 0] or NaN (the caller recomputes those lanes).
//
//go:noescape
func expAVX2(y, x *float64, n int) (special bool)

// useExpKernel is decided once, as useSigmoidKernel: the kernel is used only if it gives
// math.Exp's bits on a sample of arguments of every range a softmax passes it.
var useExpKernel = sync.OnceValue(func() bool {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return false
	}
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 4096)
	for i := range x {
		x[i] = -math.Ldexp(r.Float64(), r.IntN(11)) // [−1024, 0]
	}
	copy(x, []float64{0, math.Copysign(0, -1), -1, -50, -88, -103, -700, -708, -708.5, -745, -746,
		math.NaN(), math.Inf(-1), 1, 800})
	y := make([]float64, len(x))
	expKernel(y, x)
	for i, v := range x {
		want := math.Exp(v)
		if math.Float64bits(y[i]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(y[i])) {
			return false
		}
	}
	return true
})

// expKernel sets y = math.Exp(x) on the 4-lane prefix of x with the kernel, recomputing flagged
// lanes in Go, and returns the prefix's length. y and x must not overlap.
func expKernel(y, x []float64) int {
	n := len(x) &^ 3
	if n > 0 && expAVX2(&y[0], &x[0], n) {
		for i, v := range x[:n] {
			if !(v >= -708 && v <= 0) {
				y[i] = math.Exp(v)
			}
		}
	}
	return n
}

// exp64 sets y = math.Exp(x) element-wise (the same bits), 4 lanes at a time where the kernel
// runs. y and x must not overlap: flagged lanes are recomputed from x.
func exp64(y, x []float64) {
	n := 0
	if len(x) >= 4 && useExpKernel() {
		n = expKernel(y, x)
	}
	for i, v := range x[n:] {
		y[n+i] = math.Exp(v)
	}
}
