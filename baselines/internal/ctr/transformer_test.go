package ctr

import (
	"math"
	"math/rand/v2"
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

// TestSelfAttentionByLoops: two heads over two packed samples (lengths 3 and 2), causal and not,
// against the definition computed with loops in float64 from the layer's own projections.
func TestSelfAttentionByLoops(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(5, 6))
	const D, H = 4, 2
	a := NewSelfAttention(be, "a", D, H, r)
	p := NewPacked([]int{3, 2})
	xv := make([]float64, p.N*D)
	for i := range xv {
		xv[i] = r.NormFloat64()
	}
	for _, causal := range []bool{false, true} {
		tp := ag.NewTape(be)
		x := tp.Input64(p.N, D, xv)
		got := a.Forward(tp, x, p, causal)
		q, k, v := a.Q.Forward(tp, x), a.K.Forward(tp, x), a.V.Forward(tp, x)
		dh := D / H
		for b, L := range p.Len {
			s0 := p.Start[b]
			for i := range L {
				concat := make([]float64, D)
				for h := range H {
					w := make([]float64, L)
					var z float64
					for j := range L {
						if causal && j > i {
							continue
						}
						var s float64
						for c := h * dh; c < (h+1)*dh; c++ {
							s += q.At(s0+i, c) * k.At(s0+j, c)
						}
						w[j] = math.Exp(s / math.Sqrt(float64(dh)))
						z += w[j]
					}
					for c := h * dh; c < (h+1)*dh; c++ {
						for j := range L {
							concat[c] += w[j] / z * v.At(s0+j, c)
						}
					}
				}
				for o := range D {
					want := a.O.B.At(0, o)
					for c := range D {
						want += a.O.W.At(o, c) * concat[c]
					}
					if g := got.At(s0+i, o); math.Abs(g-want) > 1e-12 {
						t.Fatalf("causal %v sample %d slot %d out %d: %v, by loops %v", causal, b, i, o, g, want)
					}
				}
			}
		}
	}
}

// TestEncoderGradients: float64 gradient checks of a two-layer, two-head encoder over a padded batch
// (histories of 3, 1 and 0 behaviours in T = 3 slots): causal with the most recent output (SASRec)
// and bidirectional with an appended token (BERT4Rec, BST), through every parameter, the position
// table and the token's embedding.
func TestEncoderGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(7, 8))
	const T, D = 3, 4
	c := Config{ItemDim: 2, CategoryDim: 2, Blocks: 2, Heads: 2, FFN: 6, InitStd: 0.5}
	enc := NewEncoder(be, "enc", c, Dims{MaxHistory: T}, r)
	tok := nn.NewEmbedding(be, "tok", 1, D, r)
	b := packLens(&Batch{B: 3, T: T, Len: []int{3, 1, 0}})
	xv := make([]float32, b.N*D)
	for i := range xv {
		xv[i] = float32(r.NormFloat64())
	}
	w := make([]float32, b.B*D)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	for _, last := range []bool{true, false} {
		params := append(enc.Params(), tok.Params()...)
		bad, err := agtest.CheckGradients(params, func(tp *ag.Tape) *ag.Tensor {
			hist := tp.Input(b.N, D, xv)
			var u *ag.Tensor
			if last {
				u = enc.Last(tp, b, hist)
			} else {
				u = enc.Token(tp, b, hist, tok.Forward(tp, make([]int32, b.B)))
			}
			return tp.Sum(tp.Mul(u, tp.Input(b.B, D, w)), ag.AxisAll)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range bad {
			t.Errorf("last=%v: %v", last, e)
		}
	}
}

// TestEncoderLastEmptyHistory: a sample without behaviours gets a zero vector from Last, also when
// no sample of the batch has one.
func TestEncoderLastEmptyHistory(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(1, 1))
	c := Config{ItemDim: 2, CategoryDim: 2, Blocks: 1, Heads: 1, FFN: 3, InitStd: 0.5}
	enc := NewEncoder(be, "enc", c, Dims{MaxHistory: 2}, r)
	for _, lens := range [][]int{{2, 0}, {0, 0}} {
		tp := ag.NewTape(be)
		b := packLens(&Batch{B: 2, T: 2, Len: lens})
		xv := make([]float32, b.N*4)
		for i := range xv {
			xv[i] = 1
		}
		u := enc.Last(tp, b, tp.Input(b.N, 4, xv))
		for k := range 4 {
			if u.At(1, k) != 0 {
				t.Errorf("lens %v: empty history's vector %v, want zeros", lens, u)
			}
		}
	}
}

// packLens fills the packed layout's offsets, positions and samples of a hand-built batch from its
// lengths.
func packLens(b *Batch) *Batch {
	b.N, b.Off = 0, []int32{0}
	for s, L := range b.Len {
		for t := range L {
			b.Packed.ChronPos = append(b.Packed.ChronPos, int32(t+1))
			b.Packed.Sample = append(b.Packed.Sample, int32(s))
		}
		b.N += L
		b.Off = append(b.Off, int32(b.N))
	}
	return b
}

// TestEncoderLayerForwardLast: the last layer computed only at each sample's last row (keys and
// values on all rows) equals the whole layer's output at those rows, in float64: two heads, causal
// (the last row's query reads every earlier row either way) and bidirectional, samples of 3, 0, 1
// and 4 rows.
func TestEncoderLayerForwardLast(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(9, 9))
	const D = 4
	l := NewEncoderLayer(be, "l", D, 2, 6, r)
	for _, ps := range l.Params() {
		agtest.FillUniform(ps, r, -0.7, 0.7)
	}
	p := NewPacked([]int{3, 0, 1, 4})
	xv := make([]float64, p.N*D)
	for i := range xv {
		xv[i] = r.NormFloat64()
	}
	for _, causal := range []bool{true, false} {
		tp := ag.NewTape(be)
		x := tp.Input64(p.N, D, xv)
		whole, last := l.Forward(tp, x, p, causal), l.ForwardLast(tp, x, p)
		rows, _ := p.lastRows()
		if last.Rows() != len(rows) || len(rows) != 3 {
			t.Fatalf("causal=%v: %d rows for %d non-empty samples", causal, last.Rows(), len(rows))
		}
		for j, row := range rows {
			for k := range D {
				if g, w := last.At(j, k), whole.At(int(row), k); math.Abs(g-w) > 1e-12 {
					t.Errorf("causal=%v: sample row %d col %d: %v, the whole layer %v", causal, row, k, g, w)
				}
			}
		}
	}
}
