//go:build amd64 && !purego

package ag

import "golang.org/x/sys/cpu"

// hasAVX2Vec: the element-wise kernels of vec_amd64.s run where AVX2 does.
var hasAVX2Vec = cpu.X86.HasAVX2

// The element-wise kernels (vec_amd64.s); n is a multiple of 8.
//
//go:noescape
func vaddAVX2(c, a, b *float32, n int)

//go:noescape
func vsubAVX2(c, a, b *float32, n int)

//go:noescape
func vmulAVX2(c, a, b *float32, n int)

//go:noescape
func vdivAVX2(c, a, b *float32, n int)

//go:noescape
func vaddsAVX2(c, a *float32, s float32, n int)

//go:noescape
func vsubsAVX2(c, a *float32, s float32, n int)

//go:noescape
func vmulsAVX2(c, a *float32, s float32, n int)

//go:noescape
func vdivsAVX2(c, a *float32, s float32, n int)

//go:noescape
func vaccAVX2(c, x *float32, n int)

//go:noescape
func vdecAVX2(c, x *float32, n int)

//go:noescape
func vaccmulAVX2(c, x, y *float32, n int)

//go:noescape
func vaccmulsAVX2(c, x *float32, s float32, n int)

// vec32Binary runs c = a op b on the 8-lane prefix of float32 slices and returns its length.
func vec32Binary(op BinaryOp, c, a, b []float32) int {
	n := len(c) &^ 7
	if !hasAVX2Vec || n == 0 {
		return 0
	}
	a, b = a[:n], b[:n]
	switch op {
	case OpAdd:
		vaddAVX2(&c[0], &a[0], &b[0], n)
	case OpSub:
		vsubAVX2(&c[0], &a[0], &b[0], n)
	case OpMul:
		vmulAVX2(&c[0], &a[0], &b[0], n)
	case OpDiv:
		vdivAVX2(&c[0], &a[0], &b[0], n)
	default:
		return 0
	}
	return n
}

// vec32BinaryS runs c = a op s on the 8-lane prefix and returns its length.
func vec32BinaryS(op BinaryOp, c, a []float32, s float32) int {
	n := len(c) &^ 7
	if !hasAVX2Vec || n == 0 {
		return 0
	}
	a = a[:n]
	switch op {
	case OpAdd:
		vaddsAVX2(&c[0], &a[0], s, n)
	case OpSub:
		vsubsAVX2(&c[0], &a[0], s, n)
	case OpMul:
		vmulsAVX2(&c[0], &a[0], s, n)
	case OpDiv:
		vdivsAVX2(&c[0], &a[0], s, n)
	default:
		return 0
	}
	return n
}

// vec32Acc runs c += x (sub: c −= x) on the 8-lane prefix and returns its length.
func vec32Acc(c, x []float32, sub bool) int {
	n := len(c) &^ 7
	if !hasAVX2Vec || n == 0 {
		return 0
	}
	x = x[:n]
	if sub {
		vdecAVX2(&c[0], &x[0], n)
	} else {
		vaccAVX2(&c[0], &x[0], n)
	}
	return n
}

// vec32AccMul runs c += x·y on the 8-lane prefix and returns its length.
func vec32AccMul(c, x, y []float32) int {
	n := len(c) &^ 7
	if !hasAVX2Vec || n == 0 {
		return 0
	}
	x, y = x[:n], y[:n]
	vaccmulAVX2(&c[0], &x[0], &y[0], n)
	return n
}

// vec32AccMulS runs c += x·s on the 8-lane prefix and returns its length.
func vec32AccMulS(c, x []float32, s float32) int {
	n := len(c) &^ 7
	if !hasAVX2Vec || n == 0 {
		return 0
	}
	x = x[:n]
	vaccmulsAVX2(&c[0], &x[0], s, n)
	return n
}
