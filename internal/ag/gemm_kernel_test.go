//go:build !openblas

package ag

import (
	"fmt"
	"math"
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

// TestPackBTransposed: the 8×8-block packing of a transposed B's full panels writes what the scalar
// packing writes, for depths with and without a remainder mod 8, offsets into B (depth passes),
// and a partial last panel.
func TestPackBTransposed(t *testing.T) {
	if !useFastKernel {
		t.Skip("no packed kernel here")
	}
	r := rand.New(rand.NewPCG(13, 14))
	for _, sh := range [][3]int{{37, 8, 0}, {16, 9, 0}, {48, 300, 256}, {33, 131, 3}, {16, 1, 0}} {
		n, k, p0 := sh[0], sh[1], sh[2]
		ldb := k + 5
		b := make([]float32, n*ldb)
		for i := range b {
			b[i] = float32(r.NormFloat64())
		}
		task := gemmTask{transB: true, n: n, k: k, b: b, ldb: ldb}
		kc := min(kernDepth, k-p0)
		np := (n + kernCols - 1) / kernCols
		pack := func(block bool) []float32 {
			defer func(w bool) { useBlockTranspose = w }(useBlockTranspose)
			useBlockTranspose = block
			bp := make([]float32, np*kernCols*kc)
			for i := range bp {
				bp[i] = float32(math.NaN())
			}
			packB(task, p0, kc, bp)
			return bp
		}
		block, scalar := pack(true), pack(false)
		for i := range block {
			if math.Float32bits(block[i]) != math.Float32bits(scalar[i]) {
				t.Fatalf("n %d k %d p0 %d: panel value %d is %v, scalar packing %v", n, k, p0, i, block[i], scalar[i])
			}
		}
	}
}

// BenchmarkGemmRecurrent times a recurrent cell's input product X·Wᵀ on a step's few rows (a GRU
// of width 128: W is 384×128; DSIN's LSTM: 256×192), with B's panels packed by 8×8 blocks and one
// value at a time.
func BenchmarkGemmRecurrent(b *testing.B) {
	be := NewCPU()
	for _, sh := range [][3]int{{8, 384, 128}, {32, 384, 128}, {32, 256, 192}, {340, 384, 128}} {
		m, n, k := sh[0], sh[1], sh[2]
		x, w, y := be.New(m*k), be.New(n*k), be.New(m*n)
		for _, block := range []bool{false, true} {
			if block && !useFastKernel {
				continue
			}
			b.Run(fmt.Sprintf("%dx%dx%d/block=%v", m, n, k, block), func(b *testing.B) {
				defer func(w bool) { useBlockTranspose = w }(useBlockTranspose)
				useBlockTranspose = block
				for b.Loop() {
					be.Gemm(false, true, m, n, k, 1, x, w, 0, y)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
