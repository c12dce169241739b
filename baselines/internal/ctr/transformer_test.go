package ctr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
	"github.com/tibench/tibench/internal/nn"
)

// TestLayerNorm by hand: row (1, 2, 3) has mean 2 and variance 2/3, so x̂ = (−1, 0, 1)·√(3/2) =
// (−1.224744…, 0, 1.224744…) (ε 1e-6 moves the 7th digit); γ = 1, β = 0 at initialisation.
func TestLayerNorm(t *testing.T) {
	be := ag.NewCPU64()
	ln := NewLayerNorm(be, "ln", 3)
	ln.Eps = 0
	tp := ag.NewTape(be)
	out := ln.Forward(tp, tp.Input64(2, 3, []float64{1, 2, 3, 5, 5, 8}))
	// row (5, 5, 8): mean 6, deviations (−1, −1, 2), variance 2: x̂ = (−1, −1, 2)/√2.
	want := []float64{-math.Sqrt(1.5), 0, math.Sqrt(1.5), -1 / math.Sqrt2, -1 / math.Sqrt2, 2 / math.Sqrt2}
	for i, w := range want {
		if got := out.At(i/3, i%3); math.Abs(got-w) > 1e-12 {
			t.Errorf("out[%d] = %v, want %v", i, got, w)
		}
	}
}

// TestAttentionMask by hand: sample 0 has slots (real, real, pad), sample 1 is empty.
func TestAttentionMask(t *testing.T) {
	mask := []float32{1, 1, 0, 0, 0, 0}
	bi := AttentionMask(mask, 2, 3, false)
	want := []float32{1, 1, 0, 1, 1, 0, 1, 1, 0 /* sample 1: own slot only */, 1, 0, 0, 0, 1, 0, 0, 0, 1}
	if !slices.Equal(bi, want) {
		t.Errorf("bidirectional %v, want %v", bi, want)
	}
	causal := AttentionMask(mask, 2, 3, true)
	want = []float32{1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}
	if !slices.Equal(causal, want) {
		t.Errorf("causal %v, want %v", causal, want)
	}
}

// TestSelfAttentionByLoops: two heads over two samples (lengths 3 and 2 of T = 3), causal and not,
// against the definition computed with loops in float64 from the layer's own projections.
func TestSelfAttentionByLoops(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(5, 6))
	const B, T, D, H = 2, 3, 4, 2
	a := NewSelfAttention(be, "a", D, H, r)
	mask := []float32{1, 1, 1, 1, 1, 0}
	xv := make([]float64, B*T*D)
	for i := range xv {
		xv[i] = r.NormFloat64()
	}
	for _, causal := range []bool{false, true} {
		tp := ag.NewTape(be)
		x := tp.Input64(B*T, D, xv)
		am := AttentionMask(mask, B, T, causal)
		got := a.Forward(tp, x, tp.Input(B*T, T, am), B, T)
		q, k, v := a.Q.Forward(tp, x), a.K.Forward(tp, x), a.V.Forward(tp, x)
		dh := D / H
		for b := range B {
			for i := range T {
				concat := make([]float64, D)
				for h := range H {
					var w []float64
					var z float64
					for j := range T {
						if am[(b*T+i)*T+j] == 0 {
							w = append(w, 0)
							continue
						}
						var s float64
						for c := h * dh; c < (h+1)*dh; c++ {
							s += q.At(b*T+i, c) * k.At(b*T+j, c)
						}
						e := math.Exp(s / math.Sqrt(float64(dh)))
						w, z = append(w, e), z+e
					}
					for c := h * dh; c < (h+1)*dh; c++ {
						for j := range T {
							concat[c] += w[j] / z * v.At(b*T+j, c)
						}
					}
				}
				for o := range D {
					want := a.O.B.At(0, o)
					for c := range D {
						want += a.O.W.At(o, c) * concat[c]
					}
					if g := got.At(b*T+i, o); math.Abs(g-want) > 1e-12 {
						t.Fatalf("causal %v sample %d slot %d out %d: %v, by loops %v", causal, b, i, o, g, want)
					}
				}
			}
		}
	}
}

// TestEncoderGradients: a float64 gradient check of two encoder layers (two heads, causal) over a
// padded batch with an appended token, through every parameter and the token's embedding table.
func TestEncoderGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(7, 8))
	const B, T, D = 3, 3, 4
	l1, l2 := NewEncoderLayer(be, "l1", D, 2, 6, r), NewEncoderLayer(be, "l2", D, 2, 6, r)
	tok := nn.NewEmbedding(be, "tok", 1, D, r)
	lens := []int{3, 1, 0}
	xv := make([]float32, B*T*D)
	for i := range xv {
		xv[i] = float32(r.NormFloat64())
	}
	w := make([]float32, B*D)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	params := append(append(l1.Params(), l2.Params()...), tok.Params()...)
	bad, err := agtest.CheckGradients(params, func(tp *ag.Tape) *ag.Tensor {
		rows, mask, at := AppendToken(tp, tp.Input(B*T, D, xv), tok.Forward(tp, make([]int32, B)), lens, T)
		am := tp.Input(B*(T+1), T+1, AttentionMask(mask, B, T+1, true))
		h := l2.Forward(tp, l1.Forward(tp, rows, am, B, T+1), am, B, T+1)
		return tp.Sum(tp.Mul(tp.Gather(h, at), tp.Input(B, D, w)), ag.AxisAll)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// TestAppendToken: the token lands right after each history; padding is masked.
func TestAppendToken(t *testing.T) {
	be := ag.NewCPU64()
	tp := ag.NewTape(be)
	hist := tp.Input64(4, 1, []float64{10, 11, 20, 0}) // T = 2: sample 0 (10, 11), sample 1 (20, pad)
	tok := tp.Input64(2, 1, []float64{-1, -2})
	rows, mask, at := AppendToken(tp, hist, tok, []int{2, 1}, 2)
	var got []float64
	for i := range rows.Rows() {
		got = append(got, rows.At(i, 0))
	}
	if want := []float64{10, 11, -1, 20, -2, -2}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if want := []float32{1, 1, 1, 1, 1, 0}; !slices.Equal(mask, want) {
		t.Errorf("mask %v, want %v", mask, want)
	}
	if want := []int32{2, 4}; !slices.Equal(at, want) {
		t.Errorf("token slots %v, want %v", at, want)
	}
}
