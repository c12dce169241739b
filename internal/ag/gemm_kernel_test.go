//go:build !openblas

package ag

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// gemmKernels are the packed kernels of this build: the AVX2 6×16 tiles, and where AVX-512 runs
// the 6×32 tiles too.
func gemmKernels() []gemmKernel {
	with := func(wide bool) func() func() {
		return func() func() {
			was := useKernel512
			useKernel512 = wide
			return func() { useKernel512 = was }
		}
	}
	ks := []gemmKernel{{"6x16", with(false)}}
	if useKernel512 {
		ks = append(ks, gemmKernel{"6x32", with(true)})
	}
	return ks
}

// TestGemmKernel512SameBits: where AVX-512 runs, the products with the 6×32 kernel equal those with
// the 6×16 kernel alone bit for bit, over shapes with full and partial tiles, depth passes, bands
// and both transposes, with beta 0 and 1.
func TestGemmKernel512SameBits(t *testing.T) {
	if !useKernel512 {
		t.Skip("no AVX-512 here")
	}
	be := NewCPU()
	r := rand.New(rand.NewPCG(9, 10))
	for _, sh := range [][3]int{{6, 32, 4}, {7, 33, 5}, {13, 64, 257}, {340, 128, 128}, {128, 384, 340}, {31, 200, 70}, {52, 1129, 256}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, beta := range []float64{0, 1} {
				a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				for _, v := range [][]float32{a, b, c} {
					for i := range v {
						v[i] = float32(r.NormFloat64())
					}
				}
				run := func(wide bool) []float32 {
					defer func(w bool) { useKernel512 = w }(useKernel512)
					useKernel512 = wide
					as, bs, cs := be.New(len(a)), be.New(len(b)), be.New(len(c))
					be.Upload(as, a)
					be.Upload(bs, b)
					be.Upload(cs, c)
					be.Gemm(tr[0], tr[1], m, n, k, 1, as, bs, beta, cs)
					out := make([]float32, len(c))
					be.Download(out, cs)
					return out
				}
				if w, nw := run(true), run(false); !slices.Equal(w, nw) {
					t.Errorf("%v transA=%v transB=%v beta=%v: the 6×32 kernel changes the product", sh, tr[0], tr[1], beta)
				}
			}
		}
	}
}
