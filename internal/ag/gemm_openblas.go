//go:build openblas

package ag

// Build with `-tags openblas` and CGO_LDFLAGS=-lopenblas (Debian: apt-get install libopenblas-dev).
// Debian's OpenBLAS misdetects some virtual CPUs as "Prescott" and runs ~3× slower: set
// OPENBLAS_CORETYPE (e.g. Haswell or SkylakeX); the Makefile does. OpenBLAS threads partition the
// output, so a fixed OPENBLAS_NUM_THREADS gives bit-identical results from run to run.

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

const gemmKernelName = "openblas"

// OpenBLAS packs Aᵀ itself at full speed.
const gemmKernelTransA = true

// gemmKernelThreaded: OpenBLAS runs its own threads, so the driver's pool stays at one worker.
const gemmKernelThreaded = true

var sgemm netlib.Implementation

func gemmBandRun(t gemmTask, _ *gemmScratch) {
	tb := blas.NoTrans
	if t.transB {
		tb = blas.Trans
	}
	sgemm.Sgemm(blas.NoTrans, tb, t.m, t.n, t.k, t.alpha, t.a, t.lda, t.b, t.ldb, t.beta, t.c, t.ldc)
}

func gemmTransA(t gemmTask) {
	tb := blas.NoTrans
	if t.transB {
		tb = blas.Trans
	}
	sgemm.Sgemm(blas.Trans, tb, t.m, t.n, t.k, t.alpha, t.a, t.lda, t.b, t.ldb, t.beta, t.c, t.ldc)
}

// OpenBLAS packs Aᵀ itself; the pure-Go packed kernel is not built in.
func fastKernelFits(gemmTask) bool { return false }
