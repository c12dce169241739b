package ag

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm is the definition, in float64: C = alpha·op(A)·op(B) + beta·C (C not read when beta = 0).
func naiveGemm(transA, transB bool, m, n, k int, alpha float64, a, b []float32, beta float64, c []float32) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				av, bv := a[i*k+p], b[p*n+j]
				if transA {
					av = a[p*m+i]
				}
				if transB {
					bv = b[j*k+p]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = alpha * s
			if beta != 0 {
				out[i*n+j] += beta * float64(c[i*n+j])
			}
		}
	}
	return out
}

// TestGemmShapes checks the float32 product against the float64 definition over shapes that hit
// every path: GEMV-like (gonum), packed micro-tiles with edge rows and columns, more than one
// depth pass, row and column bands on the worker pool, both transposes, and beta 0 over NaN.
func TestGemmShapes(t *testing.T) {
	be := NewCPU()
	r := rand.New(rand.NewPCG(7, 8))
	shapes := [][3]int{{1, 1, 1}, {1, 300, 256}, {1129, 256, 1}, {4, 8, 4}, {5, 9, 3}, {6, 16, 1},
		{7, 17, 5}, {13, 33, 257}, {52, 1129, 256}, {52, 256, 1129}, {1129, 256, 52}, {128, 301, 52},
		{64, 64, 64}, {31, 200, 70}, {8, 33, 1000}} // the last: a 1-column band on the pool
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.5, 2}} {
				a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				for _, v := range [][]float32{a, b, c} {
					for i := range v {
						v[i] = float32(r.NormFloat64())
					}
				}
				if ab[1] == 0 {
					for i := range c {
						c[i] = float32(math.NaN()) // must not be read
					}
				}
				want := naiveGemm(tr[0], tr[1], m, n, k, ab[0], a, b, ab[1], c)
				as, bs, cs := be.New(len(a)), be.New(len(b)), be.New(len(c))
				be.Upload(as, a)
				be.Upload(bs, b)
				be.Upload(cs, c)
				be.Gemm(tr[0], tr[1], m, n, k, ab[0], as, bs, ab[1], cs)
				got := make([]float32, m*n)
				be.Download(got, cs)
				tol := 1e-5 * math.Sqrt(float64(k)) * 8
				for i := range got {
					if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
						t.Fatalf("%d×%d×%d trans %v alpha,beta %v (%s): C[%d] = %v, want %v", m, n, k, tr, ab, gemmKernelName, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestGemmFlops: the counter adds 2·m·n·k per product, whatever the transposes, alpha and beta,
// and whether the product runs on one worker or in bands (a 1×1×1 product is 2 flops by hand;
// 340×128×128, a CTR Transformer layer, 11,141,120).
func TestGemmFlops(t *testing.T) {
	be := NewCPU()
	var fc FlopCounter = be
	want := int64(0)
	for _, tc := range []struct {
		m, n, k        int
		transA, transB bool
		flops          int64
	}{
		{1, 1, 1, false, false, 2},
		{3, 4, 5, true, false, 120},
		{340, 128, 128, false, true, 11141120},
		{7, 0, 3, false, false, 0}, // an empty product does nothing
		{2, 3, 0, true, true, 0},   // depth 0 only scales C by beta
	} {
		a, b, c := be.New(tc.m*tc.k), be.New(tc.k*tc.n), be.New(tc.m*tc.n)
		be.Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, 0.5, a, b, 1, c)
		want += tc.flops
		if got := fc.GemmFlops(); got != want {
			t.Errorf("after %d×%d×%d: GemmFlops = %d, want %d", tc.m, tc.n, tc.k, got, want)
		}
	}
}

// gemmShape is one product a benchmark times: C = op(A)·op(B) + C, m×n×k.
type gemmShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// benchGemmShapes times each shape as a sub-benchmark, in GFLOP/s.
func benchGemmShapes(b *testing.B, shapes []gemmShape) {
	be := NewCPU()
	for _, bm := range shapes {
		b.Run(bm.name, func(b *testing.B) {
			as, bs, cs := be.New(bm.m*bm.k), be.New(bm.k*bm.n), be.New(bm.m*bm.n)
			be.Fill(as, 0.5)
			be.Fill(bs, 0.25)
			b.ReportAllocs()
			for b.Loop() {
				be.Gemm(bm.transA, bm.transB, bm.m, bm.n, bm.k, 1, as, bs, 1, cs)
			}
			b.ReportMetric(2*float64(bm.m*bm.n*bm.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemm times the products of a JODIE t-batch of 52 on synth-reddit (one-hot static
// embeddings: the prediction layer is 1,129 × 256) and the same at one interaction per batch.
func BenchmarkGemm(b *testing.B) {
	benchGemmShapes(b, []gemmShape{
		{"forward/B=52", false, true, 52, 1129, 256},
		{"grad-input/B=52", false, false, 52, 256, 1129},
		{"grad-weight/B=52", true, false, 1129, 256, 52},
		{"forward/B=1", false, true, 1, 1129, 256},
		{"grad-input/B=1", false, false, 1, 256, 1129},
		{"grad-weight/B=1", true, false, 1129, 256, 1},
	})
}

// gemmKernel is one product kernel a benchmark can time: use switches to it and returns the
// function that switches back.
type gemmKernel struct {
	name string
	use  func() (restore func())
}

// BenchmarkGemmCTR times the products of a Transformer layer of the CTR models on a batch of 32
// samples (340 behaviours of width 128): X·Wᵀ, dY·W and dYᵀ·X, with each kernel this build has
// (gemmKernels).
func BenchmarkGemmCTR(b *testing.B) {
	be := NewCPU()
	const m, d = 340, 128
	x, w, y := be.New(m*d), be.New(d*d), be.New(m*d)
	for _, k := range gemmKernels() {
		b.Run(k.name, func(b *testing.B) {
			defer k.use()()
			for b.Loop() {
				be.Gemm(false, true, m, d, d, 1, x, w, 0, y)
				be.Gemm(false, false, m, d, d, 1, y, w, 1, x)
				be.Gemm(true, false, d, d, m, 1, y, x, 1, w)
			}
			b.ReportMetric(float64(b.N)*3*2*m*d*d/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemmSession times the products of a session model's mini-batch (JUMP, issue #12's
// speed set): a cell's linear map on 100 clicks of width 100 (forward X·Wᵀ, dY·W, dYᵀ·X), and the
// sampled softmax of 1,000 clicks over 2,148 candidate items, and the full softmax of 1,000 clicks
// over issue #12's 40,000 items (three such products per click, 2.4e7 flops, bound a full-softmax
// epoch from below).
func BenchmarkGemmSession(b *testing.B) {
	benchGemmShapes(b, []gemmShape{
		{"cell-forward", false, true, 100, 100, 100},
		{"cell-grad-input", false, false, 100, 100, 100},
		{"cell-grad-weight", true, false, 100, 100, 100},
		{"softmax-forward", false, true, 1000, 2148, 100},
		{"softmax-grad-input", false, false, 1000, 100, 2148},
		{"softmax-grad-weight", true, false, 2148, 100, 1000},
		{"full-softmax-forward", false, true, 1000, 40000, 100},
		{"full-softmax-grad-input", false, false, 1000, 100, 40000},
		{"full-softmax-grad-weight", true, false, 40000, 100, 1000},
	})
}
