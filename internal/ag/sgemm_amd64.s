//go:build !openblas && !purego

#include "textflag.h"

// func sgemmKernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32, load int, bstride int)
//
// C[0:6, 0:16] = alpha·Σ_p a[p·6+r]·b[p·bstride/4+j] (+ beta·C when load != 0), for a packed 6-row
// panel of A (k×6, row p holds A[0..5][p]) and a 16-column panel of B whose rows are bstride bytes
// apart: 64 when packed (k×16), B's own row stride when read in place. ldc is in elements.
// Registers: Y0–Y11 hold the 6×16 accumulators (two 8-wide halves per row), Y12–Y13 the row of
// B, Y14–Y15 alternate broadcasts of A.
TEXT ·sgemmKernel6x16(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ bstride+56(FP), R10
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), DX
	SHLQ $2, DX

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	TESTQ CX, CX
	JEQ   store

loop:
	VMOVUPS      (BX), Y12
	VMOVUPS      32(BX), Y13
	VBROADCASTSS (AX), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS 4(AX), Y15
	VFMADD231PS  Y12, Y15, Y2
	VFMADD231PS  Y13, Y15, Y3
	VBROADCASTSS 8(AX), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS 12(AX), Y15
	VFMADD231PS  Y12, Y15, Y6
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS 16(AX), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS 20(AX), Y15
	VFMADD231PS  Y12, Y15, Y10
	VFMADD231PS  Y13, Y15, Y11
	ADDQ         $24, AX
	ADDQ         R10, BX
	DECQ         CX
	JNE          loop

store:
	VBROADCASTSS alpha+40(FP), Y12
	VBROADCASTSS beta+44(FP), Y13
	MOVQ         load+48(FP), SI
	VMULPS       Y12, Y0, Y0
	VMULPS       Y12, Y1, Y1
	VMULPS       Y12, Y2, Y2
	VMULPS       Y12, Y3, Y3
	VMULPS       Y12, Y4, Y4
	VMULPS       Y12, Y5, Y5
	VMULPS       Y12, Y6, Y6
	VMULPS       Y12, Y7, Y7
	VMULPS       Y12, Y8, Y8
	VMULPS       Y12, Y9, Y9
	VMULPS       Y12, Y10, Y10
	VMULPS       Y12, Y11, Y11
	TESTQ        SI, SI
	JEQ          write

	// C is read only when beta != 0 (BLAS semantics: with beta = 0, NaNs in C do not propagate).
	MOVQ        DI, R8
	VFMADD231PS (R8), Y13, Y0
	VFMADD231PS 32(R8), Y13, Y1
	ADDQ        DX, R8
	VFMADD231PS (R8), Y13, Y2
	VFMADD231PS 32(R8), Y13, Y3
	ADDQ        DX, R8
	VFMADD231PS (R8), Y13, Y4
	VFMADD231PS 32(R8), Y13, Y5
	ADDQ        DX, R8
	VFMADD231PS (R8), Y13, Y6
	VFMADD231PS 32(R8), Y13, Y7
	ADDQ        DX, R8
	VFMADD231PS (R8), Y13, Y8
	VFMADD231PS 32(R8), Y13, Y9
	ADDQ        DX, R8
	VFMADD231PS (R8), Y13, Y10
	VFMADD231PS 32(R8), Y13, Y11

write:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y10, (DI)
	VMOVUPS Y11, 32(DI)
	VZEROUPPER
	RET

// func sgemmKernel6x32(k int, a, b0, b1, c *float32, ldc int, alpha, beta float32, load int, bstride int)
//
// sgemmKernel6x16 on two adjacent 16-column panels of B at once (b0: columns 0–15, b1: columns
// 16–31 of C; both rows bstride bytes apart), with AVX-512: each 16-column half of a row of C is one Z register. Every element of
// C gets the products of sgemmKernel6x16 fused into its accumulator in the same order (p = 0, 1, …),
// and the same alpha scaling and fused beta·C, so the results are the same bits; it does twice the
// work per instruction. Registers: Z0–Z11 the accumulators (row r: Z(2r), Z(2r+1)), Z12–Z13 the row
// of B, Z14–Z15 alternate broadcasts of A.
TEXT ·sgemmKernel6x32(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ bstride+64(FP), R10
	MOVQ a+8(FP), AX
	MOVQ b0+16(FP), BX
	MOVQ b1+24(FP), R9
	MOVQ c+32(FP), DI
	MOVQ ldc+40(FP), DX
	SHLQ $2, DX

	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	VXORPS Z8, Z8, Z8
	VXORPS Z9, Z9, Z9
	VXORPS Z10, Z10, Z10
	VXORPS Z11, Z11, Z11

	TESTQ CX, CX
	JEQ   zstore

zloop:
	VMOVUPS (BX), Z12
	VMOVUPS (R9), Z13
	VBROADCASTSS 0(AX), Z14
	VFMADD231PS  Z12, Z14, Z0
	VFMADD231PS  Z13, Z14, Z1
	VBROADCASTSS 4(AX), Z15
	VFMADD231PS  Z12, Z15, Z2
	VFMADD231PS  Z13, Z15, Z3
	VBROADCASTSS 8(AX), Z14
	VFMADD231PS  Z12, Z14, Z4
	VFMADD231PS  Z13, Z14, Z5
	VBROADCASTSS 12(AX), Z15
	VFMADD231PS  Z12, Z15, Z6
	VFMADD231PS  Z13, Z15, Z7
	VBROADCASTSS 16(AX), Z14
	VFMADD231PS  Z12, Z14, Z8
	VFMADD231PS  Z13, Z14, Z9
	VBROADCASTSS 20(AX), Z15
	VFMADD231PS  Z12, Z15, Z10
	VFMADD231PS  Z13, Z15, Z11
	ADDQ $24, AX
	ADDQ R10, BX
	ADDQ R10, R9
	DECQ CX
	JNE  zloop

zstore:
	VBROADCASTSS alpha+48(FP), Z12
	VBROADCASTSS beta+52(FP), Z13
	MOVQ         load+56(FP), SI
	VMULPS Z12, Z0, Z0
	VMULPS Z12, Z1, Z1
	VMULPS Z12, Z2, Z2
	VMULPS Z12, Z3, Z3
	VMULPS Z12, Z4, Z4
	VMULPS Z12, Z5, Z5
	VMULPS Z12, Z6, Z6
	VMULPS Z12, Z7, Z7
	VMULPS Z12, Z8, Z8
	VMULPS Z12, Z9, Z9
	VMULPS Z12, Z10, Z10
	VMULPS Z12, Z11, Z11
	TESTQ SI, SI
	JEQ   zwrite
	MOVQ  DI, R8
	VFMADD231PS (R8), Z13, Z0
	VFMADD231PS 64(R8), Z13, Z1
	ADDQ DX, R8
	VFMADD231PS (R8), Z13, Z2
	VFMADD231PS 64(R8), Z13, Z3
	ADDQ DX, R8
	VFMADD231PS (R8), Z13, Z4
	VFMADD231PS 64(R8), Z13, Z5
	ADDQ DX, R8
	VFMADD231PS (R8), Z13, Z6
	VFMADD231PS 64(R8), Z13, Z7
	ADDQ DX, R8
	VFMADD231PS (R8), Z13, Z8
	VFMADD231PS 64(R8), Z13, Z9
	ADDQ DX, R8
	VFMADD231PS (R8), Z13, Z10
	VFMADD231PS 64(R8), Z13, Z11

zwrite:
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ DX, DI
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ DX, DI
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	ADDQ DX, DI
	VMOVUPS Z6, (DI)
	VMOVUPS Z7, 64(DI)
	ADDQ DX, DI
	VMOVUPS Z8, (DI)
	VMOVUPS Z9, 64(DI)
	ADDQ DX, DI
	VMOVUPS Z10, (DI)
	VMOVUPS Z11, 64(DI)
	VZEROUPPER
	RET

// TRANSPOSE8 transposes the 8×8 block in Y0–Y7 (row i in Yi) into Y8–Y15 (column i in Y(8+i)),
// using Y0–Y7 as scratch: unpack pairs of rows, shuffle pairs of pairs, swap 128-bit halves.
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8; \
	VUNPCKHPS  Y1, Y0, Y9; \
	VUNPCKLPS  Y3, Y2, Y10; \
	VUNPCKHPS  Y3, Y2, Y11; \
	VUNPCKLPS  Y5, Y4, Y12; \
	VUNPCKHPS  Y5, Y4, Y13; \
	VUNPCKLPS  Y7, Y6, Y14; \
	VUNPCKHPS  Y7, Y6, Y15; \
	VSHUFPS    $0x44, Y10, Y8, Y0; \
	VSHUFPS    $0xEE, Y10, Y8, Y1; \
	VSHUFPS    $0x44, Y11, Y9, Y2; \
	VSHUFPS    $0xEE, Y11, Y9, Y3; \
	VSHUFPS    $0x44, Y14, Y12, Y4; \
	VSHUFPS    $0xEE, Y14, Y12, Y5; \
	VSHUFPS    $0x44, Y15, Y13, Y6; \
	VSHUFPS    $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8; \
	VPERM2F128 $0x20, Y5, Y1, Y9; \
	VPERM2F128 $0x20, Y6, Y2, Y10; \
	VPERM2F128 $0x20, Y7, Y3, Y11; \
	VPERM2F128 $0x31, Y4, Y0, Y12; \
	VPERM2F128 $0x31, Y5, Y1, Y13; \
	VPERM2F128 $0x31, Y6, Y2, Y14; \
	VPERM2F128 $0x31, Y7, Y3, Y15

// LOAD8 loads eight rows of 8 floats from R8, R8+DX, ..., leaving R8 eight rows on.
#define LOAD8 \
	VMOVUPS (R8), Y0; ADDQ DX, R8; \
	VMOVUPS (R8), Y1; ADDQ DX, R8; \
	VMOVUPS (R8), Y2; ADDQ DX, R8; \
	VMOVUPS (R8), Y3; ADDQ DX, R8; \
	VMOVUPS (R8), Y4; ADDQ DX, R8; \
	VMOVUPS (R8), Y5; ADDQ DX, R8; \
	VMOVUPS (R8), Y6; ADDQ DX, R8; \
	VMOVUPS (R8), Y7; ADDQ DX, R8

// func packBTrans16AVX2(src *float32, ldsrc int, dst *float32, blocks int)
//
// Packs 16 rows of a row-major matrix (src, row stride ldsrc elements) as a column panel of the
// 6×16 kernel: dst[p·16 + j] = src[j·ldsrc + p] for j < 16 and p < 8·blocks, an 8×8 transpose at a
// time (the transposed-B packing of packB).
TEXT ·packBTrans16AVX2(SB), NOSPLIT, $0-32
	MOVQ  src+0(FP), SI
	MOVQ  ldsrc+8(FP), DX
	SHLQ  $2, DX
	MOVQ  dst+16(FP), DI
	MOVQ  blocks+24(FP), CX
	TESTQ CX, CX
	JEQ   tdone

tloop:
	MOVQ    SI, R8
	LOAD8
	TRANSPOSE8
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 64(DI)
	VMOVUPS Y10, 128(DI)
	VMOVUPS Y11, 192(DI)
	VMOVUPS Y12, 256(DI)
	VMOVUPS Y13, 320(DI)
	VMOVUPS Y14, 384(DI)
	VMOVUPS Y15, 448(DI)
	LOAD8
	TRANSPOSE8
	VMOVUPS Y8, 32(DI)
	VMOVUPS Y9, 96(DI)
	VMOVUPS Y10, 160(DI)
	VMOVUPS Y11, 224(DI)
	VMOVUPS Y12, 288(DI)
	VMOVUPS Y13, 352(DI)
	VMOVUPS Y14, 416(DI)
	VMOVUPS Y15, 480(DI)
	ADDQ    $32, SI
	ADDQ    $512, DI
	DECQ    CX
	JNE     tloop

tdone:
	VZEROUPPER
	RET
