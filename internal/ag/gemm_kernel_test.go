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

// TestGemmPathsSameBits: every way the packed kernel can run a product — the 6×32 AVX-512 kernel
// (where it runs), B's transposed panels packed by 8×8 blocks, an untransposed B read in place for
// a few rows of A — gives the bits of the plainest (6×16 kernel, scalar packing, B always packed),
// over shapes with full and partial tiles, depth passes, bands, both transposes, beta 0 and 1.
func TestGemmPathsSameBits(t *testing.T) {
	if !useFastKernel {
		t.Skip("no packed kernel here")
	}
	be := NewCPU()
	r := rand.New(rand.NewPCG(9, 10))
	type paths struct{ wide, block, direct bool }
	set := func(p paths) func() {
		w, bl, d := useKernel512, useBlockTranspose, useDirectB
		useKernel512, useBlockTranspose, useDirectB = p.wide && w, p.block, p.direct
		return func() { useKernel512, useBlockTranspose, useDirectB = w, bl, d }
	}
	shapes := [][3]int{{6, 32, 4}, {7, 33, 5}, {13, 64, 257}, {340, 128, 128}, {128, 384, 340}, {31, 200, 70},
		{52, 1129, 256}, {8, 384, 128}, {32, 384, 128}, {36, 70, 300}}
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, beta := range []float64{0, 1} {
				a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				for _, v := range [][]float32{a, b, c} {
					for i := range v {
						v[i] = float32(r.NormFloat64())
					}
				}
				run := func(p paths) []float32 {
					defer set(p)()
					as, bs, cs := be.New(len(a)), be.New(len(b)), be.New(len(c))
					be.Upload(as, a)
					be.Upload(bs, b)
					be.Upload(cs, c)
					be.Gemm(tr[0], tr[1], m, n, k, 1, as, bs, beta, cs)
					out := make([]float32, len(c))
					be.Download(out, cs)
					return out
				}
				plain := run(paths{})
				for _, p := range []paths{{wide: true}, {block: true}, {direct: true}, {true, true, true}} {
					if got := run(p); !slices.Equal(got, plain) {
						t.Errorf("%v transA=%v transB=%v beta=%v: paths %+v change the product", sh, tr[0], tr[1], beta, p)
					}
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

// BenchmarkGemmRecurrent times a recurrent cell's products on a step's few rows (a GRU of width
// 128: W is 384×128; DSIN's LSTM: 256×192), and on a Transformer batch's 340 for contrast: the
// input product X·Wᵀ with B's panels packed by 8×8 blocks or one value at a time (block), and the
// input gradient dY·W with B read in place or packed (direct).
func BenchmarkGemmRecurrent(b *testing.B) {
	be := NewCPU()
	for _, sh := range [][3]int{{8, 384, 128}, {32, 384, 128}, {32, 256, 192}, {340, 384, 128}} {
		m, n, k := sh[0], sh[1], sh[2]
		x, w, y := be.New(m*k), be.New(n*k), be.New(m*n)
		for _, block := range []bool{false, true} {
			b.Run(fmt.Sprintf("forward/%dx%dx%d/block=%v", m, n, k, block), func(b *testing.B) {
				defer func(w bool) { useBlockTranspose = w }(useBlockTranspose)
				useBlockTranspose = block && useFastKernel
				for b.Loop() {
					be.Gemm(false, true, m, n, k, 1, x, w, 0, y)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		for _, direct := range []bool{false, true} {
			b.Run(fmt.Sprintf("grad-input/%dx%dx%d/direct=%v", m, k, n, direct), func(b *testing.B) {
				defer func(w bool) { useDirectB = w }(useDirectB)
				useDirectB = direct
				for b.Loop() {
					be.Gemm(false, false, m, k, n, 1, y, w, 1, x)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
