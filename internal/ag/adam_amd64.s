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

// ADAM_LANES_UNBIASED is ADAM_LANES for √bias2 = 1 (from step ~17,000 on, where 1 − β2^t rounds to
// 1 in float32): the division by √bias2 is left out, since x/1 = x exactly.
#define ADAM_LANES_UNBIASED \
	VMULPS  Y8, Y1, Y1  \
	VMULPS  Y9, Y3, Y4  \
	VADDPS  Y4, Y1, Y1  \
	VMULPS  Y10, Y2, Y2 \
	VMULPS  Y11, Y3, Y5 \
	VMULPS  Y3, Y5, Y5  \
	VADDPS  Y5, Y2, Y2  \
	VSQRTPS Y2, Y6      \
	VADDPS  Y13, Y6, Y6 \
	VMULPS  Y14, Y1, Y7 \
	VDIVPS  Y6, Y7, Y7  \
	VSUBPS  Y7, Y0, Y0  \
	VMOVUPS Y0, (DI)    \
	VMOVUPS Y1, (SI)    \
	VMOVUPS Y2, (DX)

// ONE is the bit pattern of float32 1.0.
#define ONE $0x3f800000

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
	CMPL 28(AX), ONE
	JEQ  uloop

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

uloop:
	CMPQ CX, $8
	JLT  done
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3
	ADAM_LANES_UNBIASED
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     uloop

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
	CMPL 28(AX), ONE
	JEQ  guloop

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

guloop:
	CMPQ CX, $8
	JLT  gdone
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3
	VADDPS  (BX), Y3, Y3
	ADAM_LANES_UNBIASED
	ADDQ    $32, DI
	ADDQ    $32, BX
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     guloop

gdone:
	VZEROUPPER
	RET

// func adamDecayRunAVX2(p, m, v *float32, n int, c *decayConsts, stepSize, sqrtBias2 *float64, steps int)
//
// steps gradient-free steps (g = wd·p) in a row, step s with the step size float32(stepSize[s])
// and √bias2 float32(sqrtBias2[s]) (the conversions Go's float32() makes): adamDecayAVX2 once per
// step without a call per step.
TEXT ·adamDecayRunAVX2(SB), NOSPLIT, $0-64
	MOVQ c+32(FP), AX
	LOAD_CONSTS
	MOVQ stepSize+40(FP), R8
	MOVQ sqrtBias2+48(FP), R9
	MOVQ steps+56(FP), R10

rstep:
	TESTQ        R10, R10
	JEQ          rdone
	VCVTSD2SS    (R8), X14, X14
	VBROADCASTSS X14, Y14
	VCVTSD2SS    (R9), X15, X15
	VMOVD        X15, R11
	VBROADCASTSS X15, Y15
	MOVQ         p+0(FP), DI
	MOVQ         m+8(FP), SI
	MOVQ         v+16(FP), DX
	MOVQ         n+24(FP), CX
	CMPL         R11, ONE
	JEQ          ruloop

rloop:
	CMPQ    CX, $8
	JLT     rnext
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3
	ADAM_LANES
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     rloop

ruloop:
	CMPQ    CX, $8
	JLT     rnext
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	VMULPS  Y12, Y0, Y3
	ADAM_LANES_UNBIASED
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     ruloop

rnext:
	ADDQ $8, R8
	ADDQ $8, R9
	DECQ R10
	JMP  rstep

rdone:
	VZEROUPPER
	RET

// func adamFreezeRatioAVX2(p, m, v *float32, n int, c *decayConsts) float32
//
// The largest, over n lanes, of float32(step·|m|) / float32(float32(2^(E−25)·max(√v, eps))·(1 − 2^-16)),
// E the exponent of p, or +Inf when a lane has |p| < 2^-70 (zero and subnormals included), p
// infinite or NaN, or a NaN ratio; 0 for a lane whose m is +0. See freezeRatioGeneric.
// Registers: Y0 p, Y1 m, Y2 v, Y3 exponent bits then 2^(E−25), Y4 eligible lanes, Y5 and Y15
// scratch, Y6 ratio, Y7 running maximum, Y8 exponent mask (= +Inf), Y9 abs mask, Y10 (57<<23)−1,
// Y11 25<<23, Y12 1 − 2^-16, Y13 eps, Y14 step.
TEXT ·adamFreezeRatioAVX2(SB), NOSPLIT, $0-44
	MOVQ         p+0(FP), DI
	MOVQ         m+8(FP), SI
	MOVQ         v+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         c+32(FP), AX
	VBROADCASTSS 20(AX), Y13
	VBROADCASTSS 24(AX), Y14
	MOVL         $0x7f800000, R8
	VMOVD        R8, X8
	VPBROADCASTD X8, Y8
	MOVL         $0x7fffffff, R8
	VMOVD        R8, X9
	VPBROADCASTD X9, Y9
	MOVL         $0x1c7fffff, R8
	VMOVD        R8, X10
	VPBROADCASTD X10, Y10
	MOVL         $0x0c800000, R8
	VMOVD        R8, X11
	VPBROADCASTD X11, Y11
	MOVL         $0x3f7fff00, R8
	VMOVD        R8, X12
	VPBROADCASTD X12, Y12
	VXORPS       Y7, Y7, Y7

floop:
	CMPQ      CX, $8
	JLT       fdone
	VMOVUPS   (DI), Y0
	VMOVUPS   (SI), Y1
	VMOVUPS   (DX), Y2
	VANDPS    Y8, Y0, Y3        // exponent bits of p
	VPCMPGTD  Y10, Y3, Y4       // E >= -70
	VPCMPGTD  Y3, Y8, Y5        // not Inf or NaN
	VPAND     Y5, Y4, Y4
	VPSUBD    Y11, Y3, Y3       // 2^(E-25)
	VSQRTPS   Y2, Y5
	VMAXPS    Y5, Y13, Y5       // max(√v, eps); NaN when √v is
	VMULPS    Y5, Y3, Y5
	VMULPS    Y12, Y5, Y5       // the bound p's rounding absorbs, with margin
	VANDPS    Y9, Y1, Y6
	VMULPS    Y14, Y6, Y6       // step·|m|
	VDIVPS    Y5, Y6, Y6
	VCMPPS    $7, Y6, Y6, Y15   // ordered: not NaN
	VPAND     Y15, Y4, Y4
	VPXOR     Y15, Y15, Y15
	VPCMPEQD  Y15, Y1, Y5       // m = +0: frozen whatever p is
	VPOR      Y5, Y4, Y4
	VBLENDVPS Y5, Y15, Y6, Y6   // m = +0 ? 0 : ratio
	VBLENDVPS Y4, Y6, Y8, Y6    // eligible ? ratio : +Inf
	VMAXPS    Y6, Y7, Y7
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $32, DX
	SUBQ      $8, CX
	JMP       floop

fdone:
	VEXTRACTF128 $1, Y7, X0
	VMAXPS       X0, X7, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X1, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+40(FP)
	RET

// func decayChainAVX2(x, c *float32, n int, steps int, b float32)
//
// steps iterations of x = b·x + c over n lanes (n a multiple of 8), the m or the v half of a
// gradient-free Adam step (b = β1, c = (1−β1)·g, or b = β2, c = ((1−β2)·g)·g, computed as
// ADAM_LANES computes them), for a row whose parameters those steps provably do not move. Eight
// vectors (64 lanes) at a time, kept in registers across the steps, then single vectors.
TEXT ·decayChainAVX2(SB), NOSPLIT, $0-36
	MOVQ         x+0(FP), SI
	MOVQ         c+8(FP), R8
	MOVQ         n+16(FP), CX
	MOVQ         steps+24(FP), R10
	VBROADCASTSS b+32(FP), Y8

cgroup8:
	CMPQ    CX, $64
	JLT     cgroup1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS 128(SI), Y4
	VMOVUPS 160(SI), Y5
	VMOVUPS 192(SI), Y6
	VMOVUPS 224(SI), Y7
	MOVQ    R10, R11

cstep8:
	TESTQ  R11, R11
	JEQ    cend8
	VMULPS Y8, Y0, Y0
	VADDPS (R8), Y0, Y0
	VMULPS Y8, Y1, Y1
	VADDPS 32(R8), Y1, Y1
	VMULPS Y8, Y2, Y2
	VADDPS 64(R8), Y2, Y2
	VMULPS Y8, Y3, Y3
	VADDPS 96(R8), Y3, Y3
	VMULPS Y8, Y4, Y4
	VADDPS 128(R8), Y4, Y4
	VMULPS Y8, Y5, Y5
	VADDPS 160(R8), Y5, Y5
	VMULPS Y8, Y6, Y6
	VADDPS 192(R8), Y6, Y6
	VMULPS Y8, Y7, Y7
	VADDPS 224(R8), Y7, Y7
	DECQ   R11
	JMP    cstep8

cend8:
	VMOVUPS Y0, (SI)
	VMOVUPS Y1, 32(SI)
	VMOVUPS Y2, 64(SI)
	VMOVUPS Y3, 96(SI)
	VMOVUPS Y4, 128(SI)
	VMOVUPS Y5, 160(SI)
	VMOVUPS Y6, 192(SI)
	VMOVUPS Y7, 224(SI)
	ADDQ    $256, SI
	ADDQ    $256, R8
	SUBQ    $64, CX
	JMP     cgroup8

cgroup1:
	CMPQ    CX, $8
	JLT     cdone
	VMOVUPS (SI), Y0
	MOVQ    R10, R11

cstep1:
	TESTQ  R11, R11
	JEQ    cend1
	VMULPS Y8, Y0, Y0
	VADDPS (R8), Y0, Y0
	DECQ   R11
	JMP    cstep1

cend1:
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     cgroup1

cdone:
	VZEROUPPER
	RET
