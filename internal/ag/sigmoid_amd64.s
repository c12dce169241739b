//go:build amd64 && !purego

#include "textflag.h"

// sigmoidAVX2 is the CPU backend's float32 sigmoid, 8 lanes at a time, bit for bit: each lane
// computes e = float32(math.Exp(a)) with a = −x for x ≥ 0 and a = x otherwise, then 1/(1+e) or
// e/(1+e), where math.Exp is replicated operation by operation from the Go runtime's amd64
// archExp on its FMA path (the Taylor series of Shibata's SLEEF method: argument reduction by
// k·ln2 in two fused steps, a degree-8 Horner polynomial in r/16 with fused steps, four squarings
// of (1+r), and 2^k through the exponent bits), 4 doubles per register. Lanes whose argument is
// below −708 (a subnormal or zero result), or NaN, are flagged: the caller computes them again in
// Go. See sigmoid_amd64.go, whose start-up self-test compares the kernel with math.Exp.

DATA sigc<>+0(SB)/8, $0.5
DATA sigc<>+8(SB)/8, $1.0
DATA sigc<>+16(SB)/8, $2.0
DATA sigc<>+24(SB)/8, $1.6666666666666666667e-1
DATA sigc<>+32(SB)/8, $4.1666666666666666667e-2
DATA sigc<>+40(SB)/8, $8.3333333333333333333e-3
DATA sigc<>+48(SB)/8, $1.3888888888888888889e-3
DATA sigc<>+56(SB)/8, $1.9841269841269841270e-4
DATA sigc<>+64(SB)/8, $2.4801587301587301587e-5
DATA sigc<>+72(SB)/8, $1.4426950408889634073599246810018920      // LOG2E
DATA sigc<>+80(SB)/8, $0.69314718055966295651160180568695068359375 // LN2U
DATA sigc<>+88(SB)/8, $0.28235290563031577122588448175013436025525412068e-12 // LN2L
DATA sigc<>+96(SB)/8, $0.0625
DATA sigc<>+104(SB)/8, $-708.0
DATA sigc<>+112(SB)/8, $0x3FF
GLOBL sigc<>+0(SB), RODATA, $120

// EXP4 replaces the 4 doubles in Y(a) by math.Exp of them; clobbers Y(t), Y(u) and X(w).
#define EXP4(a, t, u, w) \
	VMULPD       Y15, a, t           \ // x·log2(e)
	VCVTPD2DQY   t, w                \ // k, rounded to nearest (as CVTSD2SL)
	VCVTDQ2PD    w, t                \ // float64(k)
	VBROADCASTSD sigc<>+80(SB), u    \
	VFNMADD231PD u, t, a             \ // a −= k·ln2 (upper)
	VBROADCASTSD sigc<>+88(SB), u    \
	VFNMADD231PD u, t, a             \ // a −= k·ln2 (lower)
	VBROADCASTSD sigc<>+96(SB), u    \
	VMULPD       u, a, a             \ // a /= 16
	VBROADCASTSD sigc<>+64(SB), t    \
	VBROADCASTSD sigc<>+56(SB), u    \
	VFMADD213PD  u, a, t             \ // t = t·a + c
	VBROADCASTSD sigc<>+48(SB), u    \
	VFMADD213PD  u, a, t             \
	VBROADCASTSD sigc<>+40(SB), u    \
	VFMADD213PD  u, a, t             \
	VBROADCASTSD sigc<>+32(SB), u    \
	VFMADD213PD  u, a, t             \
	VBROADCASTSD sigc<>+24(SB), u    \
	VFMADD213PD  u, a, t             \
	VBROADCASTSD sigc<>+0(SB), u     \
	VFMADD213PD  u, a, t             \
	VBROADCASTSD sigc<>+8(SB), u     \
	VFMADD213PD  u, a, t             \
	VMULPD       t, a, a             \ // a = a·t
	VBROADCASTSD sigc<>+16(SB), u    \
	VADDPD       u, a, t             \
	VMULPD       t, a, a             \
	VADDPD       u, a, t             \
	VMULPD       t, a, a             \
	VADDPD       u, a, t             \
	VMULPD       t, a, a             \
	VADDPD       u, a, t             \
	VBROADCASTSD sigc<>+8(SB), u     \
	VFMADD213PD  u, t, a             \ // a = a·t + 1
	VPMOVSXDQ    w, t                \ // k as int64
	VPBROADCASTQ sigc<>+112(SB), u   \
	VPADDQ       u, t, t             \
	VPSLLQ       $52, t, t           \ // 2^k
	VMULPD       t, a, a

// func sigmoidAVX2(y, x *float32, n int) (special bool)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-25
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD sigc<>+72(SB), Y15
	VBROADCASTSD sigc<>+104(SB), Y14   // −708
	VXORPD       Y13, Y13, Y13         // special lanes seen (all-ones where)
	VXORPS       Y12, Y12, Y12         // float32 zeros

sloop:
	CMPQ      CX, $8
	JLT       sdone
	VMOVUPS   (SI), Y0                  // x, 8 float32
	VCMPPS    $0x1d, Y12, Y0, Y11       // x ≥ 0 (GE_OQ): the lanes of 1/(1+e)
	VCVTPS2PD X0, Y1                    // lanes 0–3 as float64
	VEXTRACTF128 $1, Y0, X2
	VCVTPS2PD X2, Y2                    // lanes 4–7
	// a = x ≥ 0 ? −x : x, i.e. −|x| except −0 → +0 (as −float64(x) in Go).
	VXORPD    Y3, Y3, Y3
	VSUBPD    Y1, Y3, Y4                // −x
	VCMPPD    $0x1d, Y3, Y1, Y5         // x ≥ 0
	VBLENDVPD Y5, Y4, Y1, Y1
	VSUBPD    Y2, Y3, Y4
	VCMPPD    $0x1d, Y3, Y2, Y5
	VBLENDVPD Y5, Y4, Y2, Y2
	// special: a < −708 or NaN (not a ≥ −708)
	VCMPPD    $0x19, Y14, Y1, Y5        // NGE_UQ: not (a ≥ −708), true for NaN
	VORPD     Y5, Y13, Y13
	VCMPPD    $0x19, Y14, Y2, Y5
	VORPD     Y5, Y13, Y13
	EXP4(Y1, Y3, Y4, X5)
	EXP4(Y2, Y3, Y4, X5)
	VCVTPD2PSY Y1, X1                   // e as float32, rounded to nearest
	VCVTPD2PSY Y2, X2
	VINSERTF128 $1, X2, Y1, Y1          // e, 8 lanes
	// float32: d = 1 + e; y = x ≥ 0 ? 1/d : e/d
	MOVL         $0x3f800000, AX
	VMOVD        AX, X6
	VBROADCASTSS X6, Y6
	VADDPS    Y1, Y6, Y7                // 1 + e
	VDIVPS    Y7, Y6, Y8                // 1/(1+e)
	VDIVPS    Y7, Y1, Y9                // e/(1+e)
	VBLENDVPS Y11, Y8, Y9, Y9
	VMOVUPS   Y9, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JMP       sloop

sdone:
	VPTEST  Y13, Y13
	SETNE   AX
	MOVB    AX, special+24(FP)
	VZEROUPPER
	RET

// func expAVX2(y, x *float64, n int) (special bool)
//
// y = math.Exp(x), 4 lanes at a time, bit for bit (EXP4, as the sigmoid's); n is a multiple of 4.
// Lanes outside [−708, 0], and NaNs, are flagged: the caller computes them again in Go (below
// −708 the result is subnormal or zero, above 0 math.Exp's overflow checks apply; a softmax's
// shifted logits are never above 0).
TEXT ·expAVX2(SB), NOSPLIT, $0-25
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD sigc<>+72(SB), Y15
	VBROADCASTSD sigc<>+104(SB), Y14   // −708
	VXORPD       Y13, Y13, Y13         // special lanes seen
	VXORPD       Y12, Y12, Y12         // zeros

eloop:
	CMPQ      CX, $4
	JLT       edone
	VMOVUPD   (SI), Y1
	VCMPPD    $0x19, Y14, Y1, Y5        // NGE_UQ: not (a ≥ −708), true for NaN
	VORPD     Y5, Y13, Y13
	VCMPPD    $0x1e, Y12, Y1, Y5        // GT_OQ: a > 0
	VORPD     Y5, Y13, Y13
	EXP4(Y1, Y3, Y4, X5)
	VMOVUPD   Y1, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $4, CX
	JMP       eloop

edone:
	VPTEST  Y13, Y13
	SETNE   AX
	MOVB    AX, special+24(FP)
	VZEROUPPER
	RET
