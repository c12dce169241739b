//go:build !openblas

package ag

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemmKernelName is recorded in results as part of the backend name: "avx2" where the packed
// AVX2/FMA kernel of sgemm_amd64.s runs (shapes with at least 4 rows, 8 columns and 4 products
// each), else "gonum".
var gemmKernelName = map[bool]string{true: "avx2", false: "gonum"}[useFastKernel]

// gemmKernelTransA: gonum's Aᵀ·B path is ~3× slower than transposing first, so the driver does that.
const gemmKernelTransA = false

// gemmKernelThreaded: gonum tiles run single-threaded; the driver's pool provides the parallelism.
const gemmKernelThreaded = false

// Tile sizes keep every call to gonum's Sgemm below its parallel threshold (4 blocks of 64×64):
// gonum's own parallel path starts goroutines and allocates on every call, and our pool already
// spreads bands over the cores.
const (
	tileRows = 64
	tileCols = 128
)

var sgemm = blas32.Implementation()

// gemmBandRun computes one band serially: with the packed kernel where it applies, else gonum's
// Sgemm tile by tile.
func gemmBandRun(t gemmTask, s *gemmScratch) {
	// A product sent to the packed kernel with Aᵀ stays there even in a band below its size
	// heuristic (the pool's last band can be thin): the kernel is correct for any shape.
	if t.transA || fastKernelFits(t) {
		gemmPacked(t, s)
		return
	}
	tb := blas.NoTrans
	if t.transB {
		tb = blas.Trans
	}
	for r0 := 0; r0 < t.m; r0 += tileRows {
		rows := min(tileRows, t.m-r0)
		for c0 := 0; c0 < t.n; c0 += tileCols {
			cols := min(tileCols, t.n-c0)
			b := t.b[c0:]
			if t.transB {
				b = t.b[c0*t.ldb:]
			}
			sgemm.Sgemm(blas.NoTrans, tb, rows, cols, t.k, t.alpha, t.a[r0*t.lda:], t.lda,
				b, t.ldb, t.beta, t.c[r0*t.ldc+c0:], t.ldc)
		}
	}
}

func gemmTransA(t gemmTask) { panic("ag: gonum kernel does not take Aᵀ directly") }
