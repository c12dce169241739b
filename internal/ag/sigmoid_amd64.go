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
