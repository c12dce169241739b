//go:build amd64 && !purego

#include "textflag.h"

// func adamDecayAVX2(p, m, v *float32, n int, c *decayConsts)
//
// One Adam step without data gradient over n elements (n a multiple of 8), the same operations in
// the same order as adamDecayGo (see adam.go), 8 lanes at a time. No FMA: every product is rounded
// before it is added, as the Go code computes it, so both give bit-identical results.
// decayConsts is 8 float32: b1, 1−b1, b2, 1−b2, wd, eps, step size, √bias2.
TEXT ·adamDecayAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ m+8(FP), SI
	MOVQ v+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Y8   // b1
	VBROADCASTSS 4(AX), Y9   // 1−b1
	VBROADCASTSS 8(AX), Y10  // b2
	VBROADCASTSS 12(AX), Y11 // 1−b2
	VBROADCASTSS 16(AX), Y12 // wd
	VBROADCASTSS 20(AX), Y13 // eps
	VBROADCASTSS 24(AX), Y14 // step size
	VBROADCASTSS 28(AX), Y15 // √bias2

loop:
	CMPQ CX, $8
	JLT  done
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3 // g = wd·p
	VMULPS  Y8, Y1, Y1  // b1·m
	VMULPS  Y9, Y3, Y4  // (1−b1)·g
	VADDPS  Y4, Y1, Y1  // m = b1·m + (1−b1)·g
	VMULPS  Y10, Y2, Y2 // b2·v
	VMULPS  Y11, Y3, Y5 // (1−b2)·g
	VMULPS  Y3, Y5, Y5  // ((1−b2)·g)·g
	VADDPS  Y5, Y2, Y2  // v = b2·v + (1−b2)·g·g
	VSQRTPS Y2, Y6
	VDIVPS  Y15, Y6, Y6 // √v / √bias2
	VADDPS  Y13, Y6, Y6 // + eps
	VMULPS  Y14, Y1, Y7 // step·m
	VDIVPS  Y6, Y7, Y7  // step·m / (√v/√bias2 + eps)
	VSUBPS  Y7, Y0, Y0  // p −= …
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, (SI)
	VMOVUPS Y2, (DX)
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
// adamDecayAVX2 with a data gradient: g + wd·p replaces wd·p, as adam (adam.go) computes it.
TEXT ·adamStepAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), BX
	MOVQ m+16(FP), SI
	MOVQ v+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Y8   // b1
	VBROADCASTSS 4(AX), Y9   // 1−b1
	VBROADCASTSS 8(AX), Y10  // b2
	VBROADCASTSS 12(AX), Y11 // 1−b2
	VBROADCASTSS 16(AX), Y12 // wd
	VBROADCASTSS 20(AX), Y13 // eps
	VBROADCASTSS 24(AX), Y14 // step size
	VBROADCASTSS 28(AX), Y15 // √bias2

gloop:
	CMPQ CX, $8
	JLT  gdone
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3 // wd·p
	VADDPS  (BX), Y3, Y3 // g + wd·p
	VMULPS  Y8, Y1, Y1
	VMULPS  Y9, Y3, Y4
	VADDPS  Y4, Y1, Y1
	VMULPS  Y10, Y2, Y2
	VMULPS  Y11, Y3, Y5
	VMULPS  Y3, Y5, Y5
	VADDPS  Y5, Y2, Y2
	VSQRTPS Y2, Y6
	VDIVPS  Y15, Y6, Y6
	VADDPS  Y13, Y6, Y6
	VMULPS  Y14, Y1, Y7
	VDIVPS  Y6, Y7, Y7
	VSUBPS  Y7, Y0, Y0
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, (SI)
	VMOVUPS Y2, (DX)
	ADDQ    $32, DI
	ADDQ    $32, BX
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     gloop

gdone:
	VZEROUPPER
	RET
