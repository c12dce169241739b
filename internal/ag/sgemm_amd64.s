//go:build !openblas && !purego

#include "textflag.h"

// func sgemmKernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32, load int)
//
// C[0:6, 0:16] = alpha·Σ_p a[p·6+r]·b[p·16+j] (+ beta·C when load != 0), for a packed 6-row panel
// of A (k×6, row p holds A[0..5][p]) and a packed 16-column panel of B (k×16). ldc is in elements.
// Registers: Y0–Y11 hold the 6×16 accumulators (two 8-wide halves per row), Y12–Y13 the row of
// B, Y14–Y15 alternate broadcasts of A.
TEXT ·sgemmKernel6x16(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
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
	ADDQ         $64, BX
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
