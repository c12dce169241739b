package ag

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmTask is one horizontal band of C = alpha·A·op(B) + beta·C in float32, with A already in
// row-major m×k form (Aᵀ products are transposed into scratch first). It is passed by value
// through a buffered channel so dispatching work allocates nothing.
type gemmTask struct {
	transB      bool
	m, n, k     int
	alpha, beta float32
	a           []float32
	lda         int
	b           []float32
	ldb         int
	c           []float32
	ldc         int
}

// gemmPool runs bands of a product on persistent goroutines. Each band is computed by the same
// sequential kernel whichever goroutine runs it, so results are bit-identical run to run.
type gemmPool struct {
	workers int
	tasks   chan gemmTask
	wg      sync.WaitGroup
}

// parallelMinFlops is the product size (m·n·k) below which splitting costs more than it saves.
const parallelMinFlops = 64 * 64 * 64

func newGemmPool(workers int) *gemmPool {
	if workers < 1 {
		workers = 1
	}
	p := &gemmPool{workers: workers, tasks: make(chan gemmTask, workers)}
	for i := 1; i < workers; i++ {
		go p.loop()
	}
	return p
}

func (p *gemmPool) loop() {
	for t := range p.tasks {
		gemmBand(t)
		p.wg.Done()
	}
}

// run splits t into p.workers bands of rows (multiples of 8) and waits for all of them.
func (p *gemmPool) run(t gemmTask) {
	if p.workers == 1 || t.m*t.n*t.k < parallelMinFlops || t.m < 16 {
		gemmBand(t)
		return
	}
	per := (t.m + p.workers - 1) / p.workers
	per = (per + 7) &^ 7
	var first gemmTask
	sent := 0
	for r0 := 0; r0 < t.m; r0 += per {
		band := t
		band.m = min(per, t.m-r0)
		band.a = t.a[r0*t.lda:]
		band.c = t.c[r0*t.ldc:]
		if r0 == 0 {
			first = band
			continue
		}
		p.wg.Add(1)
		p.tasks <- band
		sent++
	}
	gemmBand(first)
	if sent > 0 {
		p.wg.Wait()
	}
}

func (c *CPU[T]) Gemm(transA, transB bool, m, n, k int, alpha float64, as, bs Storage, beta float64, cs Storage) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(d[T](as)).(type) {
	case []float64:
		b, cc := any(d[T](bs)).([]float64), any(d[T](cs)).([]float64)
		lda, ldb := k, n
		if transA {
			lda = m
		}
		if transB {
			ldb = k
		}
		blas64.Implementation().Dgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, cc, n)
	case []float32:
		b, cc := any(d[T](bs)).([]float32), any(d[T](cs)).([]float32)
		if k == 0 {
			scaleBeta(cc[:m*n], float32(beta))
			return
		}
		ldb := n
		if transB {
			ldb = k
		}
		if transA && !gemmKernelTransA {
			// A is stored k×m: transpose into scratch so the kernel runs its fast A·B path.
			need := m * k
			s := any(c.scratch).([]float32)
			if cap(s) < need {
				s = make([]float32, need)
				c.scratch = any(s).([]T)
			}
			s = s[:need]
			transpose32(a[:need], k, m, s)
			a, transA = s, false
		}
		lda := k
		if transA {
			lda = m
		}
		t := gemmTask{transB: transB, m: m, n: n, k: k, alpha: float32(alpha), beta: float32(beta),
			a: a, lda: lda, b: b, ldb: ldb, c: cc, ldc: n}
		if transA {
			// Only reachable with a kernel that handles Aᵀ itself (OpenBLAS): no banding by rows of A.
			gemmTransA(t)
			return
		}
		c.gemm.run(t)
	}
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func scaleBeta(c []float32, beta float32) {
	for i := range c {
		if beta == 0 {
			c[i] = 0
		} else {
			c[i] *= beta
		}
	}
}

// transpose32 writes the transpose of src (rows×cols) into dst (cols×rows), in cache blocks.
func transpose32(src []float32, rows, cols int, dst []float32) {
	const blk = 32
	for r0 := 0; r0 < rows; r0 += blk {
		r1 := min(r0+blk, rows)
		for c0 := 0; c0 < cols; c0 += blk {
			c1 := min(c0+blk, cols)
			for r := r0; r < r1; r++ {
				row := src[r*cols:]
				for c := c0; c < c1; c++ {
					dst[c*rows+r] = row[c]
				}
			}
		}
	}
}
