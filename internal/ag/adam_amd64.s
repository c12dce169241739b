//go:build amd64 && !purego

#include "textflag.h"

// Both kernels run one Adam step over n float32 elements (n a multiple of 8), 8 lanes at a time,
// with the same operations in the same order as the Go code of adam.go. No FMA: every product is
// rounded before it is added, as the Go code computes it, so both give bit-identical results.
// The constants (c) are 8 float32: b1, 1−b1, b2, 1−b2, wd, eps, step size, √bias2.
// Registers: DI p, SI m, DX v, CX n, AX c, BX the gradient (adamStepAVX2); Y8–Y15 the constants.

// LOAD_CONSTS broadcasts the eight constants at (AX) into Y8–Y15.
#define LOAD_CONSTS \
	VBROADCASTSS 0(AX), Y8   \
	VBROADCASTSS 4(AX), Y9   \
	VBROADCASTSS 8(AX), Y10  \
	VBROADCASTSS 12(AX), Y11 \
	VBROADCASTSS 16(AX), Y12 \
	VBROADCASTSS 20(AX), Y13 \
	VBROADCASTSS 24(AX), Y14 \
	VBROADCASTSS 28(AX), Y15

// ADAM_LANES updates 8 lanes given p in Y0, m in Y1, v in Y2 and the gradient g in Y3, and stores
// p, m, v: m = b1·m + (1−b1)·g; v = b2·v + ((1−b2)·g)·g; p −= (step·m) / (√v/√bias2 + eps).
#define ADAM_LANES \
	VMULPS  Y8, Y1, Y1  \
	VMULPS  Y9, Y3, Y4  \
	VADDPS  Y4, Y1, Y1  \
	VMULPS  Y10, Y2, Y2 \
	VMULPS  Y11, Y3, Y5 \
	VMULPS  Y3, Y5, Y5  \
	VADDPS  Y5, Y2, Y2  \
	VSQRTPS Y2, Y6      \
	VDIVPS  Y15, Y6, Y6 \
	VADDPS  Y13, Y6, Y6 \
	VMULPS  Y14, Y1, Y7 \
	VDIVPS  Y6, Y7, Y7  \
	VSUBPS  Y7, Y0, Y0  \
	VMOVUPS Y0, (DI)    \
	VMOVUPS Y1, (SI)    \
	VMOVUPS Y2, (DX)

// func adamDecayAVX2(p, m, v *float32, n int, c *decayConsts)
//
// The step of a row without data gradient: g = wd·p.
TEXT ·adamDecayAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ m+8(FP), SI
	MOVQ v+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	LOAD_CONSTS

loop:
	CMPQ CX, $8
	JLT  done
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3 // g = wd·p
	ADAM_LANES
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     loop

done:
	VZEROUPPER
	RET

// func adamStepAVX2(p, grad, m, v *float32, n int, c *decayConsts)
//
// The step with a data gradient: g = grad + wd·p.
TEXT ·adamStepAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), BX
	MOVQ m+16(FP), SI
	MOVQ v+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	LOAD_CONSTS

gloop:
	CMPQ CX, $8
	JLT  gdone
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3  // wd·p
	VADDPS  (BX), Y3, Y3 // g = grad + wd·p
	ADAM_LANES
	ADDQ    $32, DI
	ADDQ    $32, BX
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     gloop

gdone:
	VZEROUPPER
	RET
