package ag

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestVecKernels: the element-wise helpers give the bits of the plain Go loops they replace, on
// every length up to 40 (vector bodies and tails) and on values that include zeros of both signs,
// subnormals, infinities and NaN.
func TestVecKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -3e-39, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e30}
	gen := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			if r.IntN(6) == 0 {
				v[i] = special[r.IntN(len(special))]
			} else {
				v[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
			}
		}
		return v
	}
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	clone := func(v []float32) []float32 { return append([]float32(nil), v...) }
	for n := range 41 {
		a, b, c0 := gen(n), gen(n), gen(n)
		s := gen(1 + n)[n]
		for _, op := range []BinaryOp{OpAdd, OpSub, OpMul, OpDiv} {
			got, want := make([]float32, n), make([]float32, n)
			vecBinary(op, got, a, b)
			for j := range want {
				switch op {
				case OpAdd:
					want[j] = a[j] + b[j]
				case OpSub:
					want[j] = a[j] - b[j]
				case OpMul:
					want[j] = a[j] * b[j]
				case OpDiv:
					want[j] = a[j] / b[j]
				}
			}
			if !same(got, want) {
				t.Errorf("n=%d: vecBinary %v differs from the Go loop", n, op)
			}
			vecBinaryS(op, got, a, s)
			for j := range want {
				switch op {
				case OpAdd:
					want[j] = a[j] + s
				case OpSub:
					want[j] = a[j] - s
				case OpMul:
					want[j] = a[j] * s
				case OpDiv:
					want[j] = a[j] / s
				}
			}
			if !same(got, want) {
				t.Errorf("n=%d: vecBinaryS %v differs from the Go loop", n, op)
			}
		}
		for _, sub := range []bool{false, true} {
			got, want := clone(c0), clone(c0)
			vecAcc(got, a, sub)
			for j, v := range a {
				if sub {
					want[j] -= v
				} else {
					want[j] += v
				}
			}
			if !same(got, want) {
				t.Errorf("n=%d: vecAcc(sub=%v) differs from the Go loop", n, sub)
			}
		}
		got, want := clone(c0), clone(c0)
		vecAccMul(got, a, b)
		for j, v := range a {
			want[j] += v * b[j]
		}
		if !same(got, want) {
			t.Errorf("n=%d: vecAccMul differs from the Go loop", n)
		}
		got, want = clone(c0), clone(c0)
		vecAccMulS(got, a, s)
		for j, v := range a {
			want[j] += v * s
		}
		if !same(got, want) {
			t.Errorf("n=%d: vecAccMulS differs from the Go loop", n)
		}
	}
}

// TestSigmoidKernel: the float32 sigmoid (8 lanes where the kernel runs) gives the scalar sigmoid's
// bits — math.Exp's, rounded — on every length to 40 and over arguments of every scale, with signed
// zeros, large magnitudes that underflow the exponential, infinities and NaN.
func TestSigmoidKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{0, 1, 7, 8, 9, 16, 40, 100003} {
		x := make([]float32, n)
		for i := range x {
			switch r.IntN(10) {
			case 0:
				x[i] = []float32{0, float32(math.Copysign(0, -1)), 708, -708, 709, -709, 1e30, -1e30,
					float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40}[r.IntN(12)]
			default:
				x[i] = float32(math.Ldexp(r.NormFloat64(), r.IntN(20)-10))
			}
		}
		y := make([]float32, n)
		sigmoid32(y, x)
		for i, v := range x {
			if want := sigmoid(v); math.Float32bits(y[i]) != math.Float32bits(want) {
				t.Fatalf("n=%d: sigmoid(%v) = %v, want %v (kernel %v)", n, v, y[i], want, kernelInUse())
			}
		}
	}
	t.Logf("kernel in use: %v", kernelInUse())
}

// TestExp64: exp64 (the softmax's row of exponentials) gives math.Exp's bits on every length,
// for arguments in the kernel's range [−708, 0] and outside it (recomputed in Go): subnormal and
// zero results, positive arguments, overflow, ±0, ±Inf and NaN.
func TestExp64(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	for _, n := range []int{0, 1, 3, 4, 5, 8, 13, 100003} {
		x := make([]float64, n)
		for i := range x {
			switch r.IntN(10) {
			case 0:
				x[i] = []float64{0, math.Copysign(0, -1), -708, -708.0000001, -745.2, -746, 1, 709.8, 710,
					math.Inf(1), math.Inf(-1), math.NaN(), -5e-324}[r.IntN(13)]
			default:
				x[i] = -math.Ldexp(r.Float64(), r.IntN(12)-2) // softmax-shifted logits: ≤ 0
			}
		}
		y := make([]float64, n)
		exp64(y, x)
		for i, v := range x {
			want := math.Exp(v)
			if math.Float64bits(y[i]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(y[i])) {
				t.Fatalf("n=%d: exp(%v) = %v, want %v (kernel %v)", n, v, y[i], want, expKernelInUse())
			}
		}
	}
	t.Logf("exp kernel in use: %v", expKernelInUse())
}

// BenchmarkSigmoid: the float32 sigmoid of DIN's activation unit on a training batch (340
// behaviours × 80 units), scalar and through sigmoid32.
func BenchmarkSigmoid(b *testing.B) {
	r := rand.New(rand.NewPCG(43, 44))
	x, y := make([]float32, 340*80), make([]float32, 340*80)
	for i := range x {
		x[i] = float32(2 * r.NormFloat64())
	}
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = sigmoid(v)
			}
		}
	})
	b.Run("sigmoid32", func(b *testing.B) {
		for b.Loop() {
			sigmoid32(y, x)
		}
	})
}
