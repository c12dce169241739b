//go:build !openblas && !purego

package ag

import "golang.org/x/sys/cpu"

// useFastKernel: the packed AVX2/FMA kernel runs where the CPU and OS support it (x/sys/cpu checks
// both); elsewhere every product goes to gonum.
var useFastKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useKernel512: where AVX-512 runs, full tiles of two adjacent column panels go through the
// 6×32 kernel, which gives them the 6×16 kernel's bits at twice the work per instruction.
var useKernel512 = useFastKernel && cpu.X86.HasAVX512F

// sgemmKernel6x16 and sgemmKernel6x32 are implemented in sgemm_amd64.s.
//
//go:noescape
func sgemmKernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32, load int, bstride int)

//go:noescape
func sgemmKernel6x32(k int, a, b0, b1, c *float32, ldc int, alpha, beta float32, load int, bstride int)

// useBlockTranspose: full panels of a transposed B are packed by packBTrans16AVX2 (a switch for
// the tests and benchmarks that compare it with the scalar packing).
var useBlockTranspose = useFastKernel

// packBTrans16AVX2 (sgemm_amd64.s) packs a full 16-column panel of a transposed B, 8 depths at a
// time: dst[p·16 + j] = src[j·ldsrc + p] for p < 8·blocks.
//
//go:noescape
func packBTrans16AVX2(src *float32, ldsrc int, dst *float32, blocks int)

const (
	kernRows  = 6   // rows of C per micro-tile (12 of the 16 YMM registers accumulate)
	kernCols  = 16  // columns of C per micro-tile (two 8-wide registers)
	kernDepth = 256 // products per pass: a 16-column panel of B (16 KB) stays in L1
)

// fastKernelFits: the packed kernel pays for packing with register reuse, which needs a few rows,
// columns and products; a single row (one interaction at a time) or a rank-1 update streams
// memory whatever the kernel, and gonum's axpy/dot loops are as fast there.
func fastKernelFits(t gemmTask) bool {
	return useFastKernel && t.m >= 4 && t.n >= 8 && t.k >= 4
}

// directMaxRowPanels: an untransposed B's full column panels are read in place, not packed, when
// A has at most this many 6-row panels (a recurrent step's few samples): each panel is then read
// only a few times, and copying it costs more than reading it at B's row stride. Past it, B's
// rows (often a multiple of 64 bytes apart) crowd a few sets of L1, and the packed panel wins.
const directMaxRowPanels = 6

// useDirectB turns reading B in place on (a switch for the tests and benchmarks that compare it
// with packing).
var useDirectB = true

// gemmPacked computes the band C = alpha·A·op(B) + beta·C with the 6×16 micro-kernel: for each pass
// over kernDepth products, A is packed into 6-row panels and B into 16-column panels (zero-padded
// at the edges; an untransposed B's full panels are read in place for a few rows of A, see
// directMaxRowPanels), then every panel pair runs through the kernel, column panel by column panel
// so that B's panel stays in L1 while A's panels stream from L2. Passes after the first accumulate
// into C. The order of every sum depends only on the shapes, so results are deterministic, and the
// same whether B was packed or not (the kernel reads the same values).
func gemmPacked(t gemmTask, s *gemmScratch) {
	mp, np := (t.m+kernRows-1)/kernRows, (t.n+kernCols-1)/kernCols
	direct := useDirectB && !t.transB && mp <= directMaxRowPanels
	var tmp [kernRows * kernCols]float32
	var tmp32 [kernRows * 2 * kernCols]float32
	for p0 := 0; p0 < t.k; p0 += kernDepth {
		kc := min(kernDepth, t.k-p0)
		ap := grow32(&s.a, mp*kernRows*kc)
		bp := grow32(&s.b, np*kernCols*kc)
		packA(t, p0, kc, ap)
		if direct {
			packBPartial(t, p0, kc, bp)
		} else {
			packB(t, p0, kc, bp)
		}
		// panel returns column panel jb of B and the byte stride of its rows.
		panel := func(jb int) (*float32, int) {
			if direct && (jb+1)*kernCols <= t.n {
				return &t.b[p0*t.ldb+jb*kernCols], 4 * t.ldb
			}
			return &bp[jb*kernCols*kc], 4 * kernCols
		}
		beta := t.beta
		if p0 > 0 {
			beta = 1
		}
		load := 0
		if beta != 0 {
			load = 1
		}
		for jb := 0; jb < np; jb++ {
			c0 := jb * kernCols
			cols := min(kernCols, t.n-c0)
			b, bs := panel(jb)
			if useKernel512 && c0+2*kernCols <= t.n {
				// Two full column panels: the 6×32 kernel, for every row panel.
				b1, _ := panel(jb + 1)
				for ib := range mp {
					r0 := ib * kernRows
					a := &ap[ib*kernRows*kc]
					if t.m-r0 >= kernRows {
						sgemmKernel6x32(kc, a, b, b1, &t.c[r0*t.ldc+c0], t.ldc, t.alpha, beta, load, bs)
						continue
					}
					// The last, partial row panel: the 6×32 kernel aside (A's panel is zero-padded),
					// then its valid rows into C as gemmEdge does.
					sgemmKernel6x32(kc, a, b, b1, &tmp32[0], 2*kernCols, t.alpha, 0, 0, bs)
					edgeRows(t, tmp32[:], 2*kernCols, r0, c0, 2*kernCols, beta)
				}
				jb++
				continue
			}
			for ib := range mp {
				r0 := ib * kernRows
				rows := min(kernRows, t.m-r0)
				a := &ap[ib*kernRows*kc]
				if rows == kernRows && cols == kernCols {
					sgemmKernel6x16(kc, a, b, &t.c[r0*t.ldc+c0], t.ldc, t.alpha, beta, load, bs)
					continue
				}
				gemmEdge(t, a, b, bs, r0, c0, kc, cols, beta, load, &tmp)
			}
		}
	}
}

// gemmEdge computes an edge tile (fewer than 6 rows or 16 columns of C from r0, c0): the full
// tile aside with the 6×16 kernel, then the valid part of C updated from it. b's rows are bs
// bytes apart.
func gemmEdge(t gemmTask, a, b *float32, bs, r0, c0, kc, cols int, beta float32, load int, tmp *[kernRows * kernCols]float32) {
	cols = min(cols, t.n-c0)
	if t.m-r0 >= kernRows && cols == kernCols {
		sgemmKernel6x16(kc, a, b, &t.c[r0*t.ldc+c0], t.ldc, t.alpha, beta, load, bs)
		return
	}
	sgemmKernel6x16(kc, a, b, &tmp[0], kernCols, t.alpha, 0, 0, bs)
	edgeRows(t, tmp[:], kernCols, r0, c0, cols, beta)
}

// edgeRows writes a tile computed aside (tmp, rows ld apart, alpha applied, C not read) into the
// valid rows of C from r0 and its first cols columns from c0: C = tmp, or tmp + beta·C.
func edgeRows(t gemmTask, tmp []float32, ld, r0, c0, cols int, beta float32) {
	for i := range min(kernRows, t.m-r0) {
		row := t.c[(r0+i)*t.ldc+c0 : (r0+i)*t.ldc+c0+cols]
		for j := range row {
			if beta == 0 {
				row[j] = tmp[i*ld+j]
			} else {
				row[j] = tmp[i*ld+j] + beta*row[j]
			}
		}
	}
}

// packBPartial packs only the last column panel of an untransposed B when it is partial (the full
// ones are read in place), where packB would put it.
func packBPartial(t gemmTask, p0, kc int, bp []float32) {
	c0 := t.n / kernCols * kernCols
	if c0 == t.n {
		return
	}
	part := t
	part.n, part.b = t.n-c0, t.b[c0:]
	packB(part, p0, kc, bp[c0*kc:])
}

// packA writes op(A)[:, p0:p0+kc] as 6-row panels: panel ib holds, for each p,
// op(A)[6ib..6ib+5][p0+p] (zero past the last row). Full panels move six values at a time by
// plain loads and stores (copy would call memmove per six floats) and write each panel in order.
func packA(t gemmTask, p0, kc int, ap []float32) {
	for ib := range (t.m + kernRows - 1) / kernRows {
		panel := ap[ib*kernRows*kc : (ib+1)*kernRows*kc]
		rows := min(kernRows, t.m-ib*kernRows)
		if t.transA { // A is k×m: the 6 values of each p are contiguous
			if rows == kernRows {
				for p := range kc {
					src := (*[kernRows]float32)(t.a[(p0+p)*t.lda+ib*kernRows:])
					dst := (*[kernRows]float32)(panel[p*kernRows:])
					dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = src[0], src[1], src[2], src[3], src[4], src[5]
				}
				continue
			}
			for p := range kc {
				dst := panel[p*kernRows : (p+1)*kernRows]
				src := t.a[(p0+p)*t.lda+ib*kernRows:]
				copy(dst, src[:rows])
				clear(dst[rows:])
			}
			continue
		}
		if rows == kernRows {
			// Six rows read side by side, the panel written in order.
			r0 := t.a[(ib*kernRows)*t.lda+p0:][:kc]
			r1 := t.a[(ib*kernRows+1)*t.lda+p0:][:kc]
			r2 := t.a[(ib*kernRows+2)*t.lda+p0:][:kc]
			r3 := t.a[(ib*kernRows+3)*t.lda+p0:][:kc]
			r4 := t.a[(ib*kernRows+4)*t.lda+p0:][:kc]
			r5 := t.a[(ib*kernRows+5)*t.lda+p0:][:kc]
			for p := range kc {
				dst := (*[kernRows]float32)(panel[p*kernRows:])
				dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
			continue
		}
		for r := range kernRows {
			row := ib*kernRows + r
			if row >= t.m {
				for p := range kc {
					panel[p*kernRows+r] = 0
				}
				continue
			}
			src := t.a[row*t.lda+p0 : row*t.lda+p0+kc]
			for p, v := range src {
				panel[p*kernRows+r] = v
			}
		}
	}
}

// packB writes op(B)[p0:p0+kc, :] as 16-column panels: panel jb holds, for each p, the 16 values
// op(B)[p0+p][16jb..16jb+15] (zero past the last column). Full panels of an untransposed B move
// sixteen values at a time by plain loads and stores (not memmove); full panels of a transposed B
// are transposed 8×8 at a time in registers (packBTrans16AVX2), partial ones read four columns at
// a time.
func packB(t gemmTask, p0, kc int, bp []float32) {
	for jb := range (t.n + kernCols - 1) / kernCols {
		panel := bp[jb*kernCols*kc : (jb+1)*kernCols*kc]
		c0 := jb * kernCols
		cols := min(kernCols, t.n-c0)
		if t.transB { // B is n×k: column j of op(B) is row j of B, contiguous along p
			if cols == kernCols && useBlockTranspose {
				// A full panel is a 16×kc block of B transposed, 8×8 blocks at a time in
				// registers; the last kc mod 8 depths one by one.
				blocks := kc / 8
				if blocks > 0 {
					packBTrans16AVX2(&t.b[c0*t.ldb+p0], t.ldb, &panel[0], blocks)
				}
				for p := blocks * 8; p < kc; p++ {
					dst := panel[p*kernCols : (p+1)*kernCols]
					for j := range dst {
						dst[j] = t.b[(c0+j)*t.ldb+p0+p]
					}
				}
				continue
			}
			j := 0
			for ; j+4 <= cols; j += 4 {
				s0 := t.b[(c0+j)*t.ldb+p0:][:kc]
				s1 := t.b[(c0+j+1)*t.ldb+p0:][:kc]
				s2 := t.b[(c0+j+2)*t.ldb+p0:][:kc]
				s3 := t.b[(c0+j+3)*t.ldb+p0:][:kc]
				for p := range kc {
					dst := (*[4]float32)(panel[p*kernCols+j:])
					dst[0], dst[1], dst[2], dst[3] = s0[p], s1[p], s2[p], s3[p]
				}
			}
			for ; j < kernCols; j++ {
				if j >= cols {
					for p := range kc {
						panel[p*kernCols+j] = 0
					}
					continue
				}
				src := t.b[(c0+j)*t.ldb+p0 : (c0+j)*t.ldb+p0+kc]
				for p, v := range src {
					panel[p*kernCols+j] = v
				}
			}
			continue
		}
		if cols == kernCols {
			for p := range kc {
				src := (*[kernCols]float32)(t.b[(p0+p)*t.ldb+c0:])
				dst := (*[kernCols]float32)(panel[p*kernCols:])
				// Four 16-byte moves: the compiler copies a whole [16]float32 with memmove.
				*(*[4]float32)(dst[0:]), *(*[4]float32)(dst[4:]) = *(*[4]float32)(src[0:]), *(*[4]float32)(src[4:])
				*(*[4]float32)(dst[8:]), *(*[4]float32)(dst[12:]) = *(*[4]float32)(src[8:]), *(*[4]float32)(src[12:])
			}
			continue
		}
		for p := range kc {
			dst := panel[p*kernCols : (p+1)*kernCols]
			src := t.b[(p0+p)*t.ldb+c0 : (p0+p)*t.ldb+c0+cols]
			copy(dst, src)
			clear(dst[cols:])
		}
	}
}
