package ag

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmTask is one band of C = alpha·op(A)·op(B) + beta·C in float32. A is row-major m×k, except
// for the packed kernel, which reads a k×m A (transA) while packing; for gonum, Aᵀ products are
// transposed into scratch first. It is passed by value through a buffered channel so dispatching
// work allocates nothing.
type gemmTask struct {
	transA      bool // A stored k×m (only for the packed kernel, which packs Aᵀ directly)
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

// gemmPool runs bands of a product on the backend's crew. Each band is computed by the same
// sequential kernel whichever goroutine runs it, so results are bit-identical run to run.
type gemmPool struct {
	workers int
	crew    *crew
	bands   []gemmBand  // the helpers' jobs, each with its own packing buffers
	scratch gemmScratch // the calling goroutine's packing buffers
}

// gemmBand is one helper's band of a product (a crewJob).
type gemmBand struct {
	t gemmTask
	s gemmScratch
}

func (b *gemmBand) run() {
	gemmBandRun(b.t, &b.s)
	b.t = gemmTask{} // hold no tensor memory between products
}

// gemmScratch holds a goroutine's packed panels of A and B, reused from call to call.
type gemmScratch struct{ a, b []float32 }

// grow32 returns (*buf)[:n], reallocating only when the capacity is short.
func grow32(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// parallelMinFlops is the product size (m·n·k) below which splitting costs more than it saves.
const parallelMinFlops = 64 * 64 * 64

// newGemmPool splits products into up to workers bands: the caller's and one per helper of c
// (which must have at least workers−1).
func newGemmPool(workers int, c *crew) *gemmPool {
	workers = max(1, min(workers, len(c.helpers)+1))
	return &gemmPool{workers: workers, crew: c, bands: make([]gemmBand, workers-1)}
}

// run splits t into p.workers bands and waits for all of them: bands of rows (multiples of 8), or
// of columns (multiples of 16) when C is wider than tall, so that each band packs only its own
// part of the larger operand (a t-batch's forward pass is 50 rows × 1,129 columns).
func (p *gemmPool) run(t gemmTask) {
	byCols := t.n > t.m
	if p.workers == 1 || t.m*t.n*t.k < parallelMinFlops || max(t.m, t.n) < 32 {
		gemmBandRun(t, &p.scratch)
		return
	}
	size, align := t.m, 8
	if byCols {
		size, align = t.n, 16
	}
	per := (size + p.workers - 1) / p.workers
	per = (per + align - 1) &^ (align - 1)
	p.crew.begin()
	defer p.crew.end()
	var first gemmTask
	sent := 0
	for o := 0; o < size; o += per {
		band := t
		if byCols {
			band.n = min(per, t.n-o)
			band.c = t.c[o:]
			if t.transB {
				band.b = t.b[o*t.ldb:]
			} else {
				band.b = t.b[o:]
			}
		} else {
			band.m = min(per, t.m-o)
			band.c = t.c[o*t.ldc:]
			if t.transA {
				band.a = t.a[o:]
			} else {
				band.a = t.a[o*t.lda:]
			}
		}
		if o == 0 {
			first = band
			continue
		}
		p.bands[sent].t = band
		p.crew.post(sent, &p.bands[sent])
		sent++
	}
	gemmBandRun(first, &p.scratch)
	p.crew.wait(sent)
}

func (c *CPU[T]) Gemm(transA, transB bool, m, n, k int, alpha float64, as, bs Storage, beta float64, cs Storage) {
	if m == 0 || n == 0 {
		return
	}
	c.flops.Add(2 * int64(m) * int64(n) * int64(k))
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
		packedTransA := transA && fastKernelFits(gemmTask{m: m, n: n, k: k})
		if transA && !gemmKernelTransA && !packedTransA {
			// A is stored k×m: transpose into scratch so the kernel runs its fast A·B path (the
			// packed kernel reads Aᵀ while packing, at no extra cost).
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
		t := gemmTask{transA: transA, transB: transB, m: m, n: n, k: k, alpha: float32(alpha), beta: float32(beta),
			a: a, lda: lda, b: b, ldb: ldb, c: cc, ldc: n}
		if transA && !packedTransA {
			// Only reachable with a kernel that handles Aᵀ itself (OpenBLAS): no banding by rows of A.
			gemmTransA(t)
			return
		}
		c.gemm.run(t)
	}
}

// GemmFlops implements FlopCounter.
func (c *CPU[T]) GemmFlops() int64 { return c.flops.Load() }

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
