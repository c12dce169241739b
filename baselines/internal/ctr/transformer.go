package ctr

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// The self-attention models of TIN Table 1 (SASRec, BERT4Rec, BST) share one Transformer encoder,
// built here from tape ops that have their own gradient checks (Gather, MatMul, Softmax with a mask,
// GatherRefs, the row reductions), so the layer needs no new backward code; its own float64 checks
// are in transformer_test.go.
//
// Layout: the encoder works on packed rows — each sample's real slots only, sample after sample
// (Packed) — so padding costs nothing: the row-wise parts (projections, feed-forward, layer norm) are
// one matrix product over all rows, and attention is one small L×L product per sample and head
// over the sample's own L rows.

// Packed says where each sample's slots lie in a packed tensor: rows [Start[b], Start[b]+Len[b]).
type Packed struct {
	Start, Len []int
	N          int // rows in all
	rows       []int32
}

// NewPacked lays out samples of the given lengths one after another.
func NewPacked(lens []int) Packed {
	p := Packed{Start: make([]int, len(lens)), Len: lens}
	for b, L := range lens {
		p.Start[b] = p.N
		p.N += L
	}
	p.rows = make([]int32, p.N)
	for i := range p.rows {
		p.rows[i] = int32(i)
	}
	return p
}

// Rows is the read-only index of sample b's rows (a Gather index).
func (p Packed) Rows(b int) []int32 { return p.rows[p.Start[b] : p.Start[b]+p.Len[b]] }

// LayerNorm normalises each row to zero mean and unit variance, then scales and shifts
// (Ba et al. 2016; ε 1e-6 as SASRec's code).
type LayerNorm struct {
	Gamma, Beta *ag.Tensor // 1×dim
	Eps         float64
}

// NewLayerNorm returns an identity-initialised layer norm over dim columns.
func NewLayerNorm(be ag.Backend, name string, dim int) *LayerNorm {
	ln := &LayerNorm{Gamma: ag.NewParam(be, name+".gamma", 1, dim), Beta: ag.NewParam(be, name+".beta", 1, dim), Eps: 1e-6}
	ones := make([]float64, dim)
	for i := range ones {
		ones[i] = 1
	}
	ln.Gamma.CopyFrom64(ones)
	return ln
}

// Forward normalises x (rows×dim) row by row.
func (ln *LayerNorm) Forward(tp *ag.Tape, x *ag.Tensor) *ag.Tensor {
	xc := tp.Sub(x, tp.Mean(x, ag.AxisCols))
	v := tp.Mean(tp.Square(xc), ag.AxisCols)
	return tp.Add(tp.Mul(tp.Div(xc, tp.Sqrt(tp.AddScalar(v, ln.Eps))), ln.Gamma), ln.Beta)
}

// Params returns γ and β.
func (ln *LayerNorm) Params() nn.Params { return nn.Params{ln.Gamma, ln.Beta} }

// causalMask is the L×L mask of causal attention: query i reads keys j ≤ i.
func causalMask(L int) []float32 {
	m := make([]float32, L*L)
	for i := range L {
		for j := range i + 1 {
			m[i*L+j] = 1
		}
	}
	return m
}

// SelfAttention is multi-head scaled dot-product self-attention (Vaswani et al. 2017) within each
// sample's slots: per head h, softmax_mask(Q_h·K_hᵀ/√d_h)·V_h, heads concatenated and projected.
type SelfAttention struct {
	Q, K, V, O *nn.Linear
	Heads      int
	dim        int
}

// NewSelfAttention builds the projections (dim → dim, with biases); dim must divide by heads.
func NewSelfAttention(be ag.Backend, name string, dim, heads int, r *rand.Rand) *SelfAttention {
	if heads < 1 || dim%heads != 0 {
		panic(fmt.Sprintf("ctr: self-attention %s: dim %d is not a multiple of %d heads", name, dim, heads))
	}
	return &SelfAttention{
		Q: nn.NewLinear(be, name+".q", dim, dim, true, r), K: nn.NewLinear(be, name+".k", dim, dim, true, r),
		V: nn.NewLinear(be, name+".v", dim, dim, true, r), O: nn.NewLinear(be, name+".o", dim, dim, true, r),
		Heads: heads, dim: dim,
	}
}

// Forward attends the packed rows x (p.N×dim) within each sample; causal lets slot i read only the
// slots up to i.
func (a *SelfAttention) Forward(tp *ag.Tape, x *ag.Tensor, p Packed, causal bool) *ag.Tensor {
	q, k, v := a.Q.Forward(tp, x), a.K.Forward(tp, x), a.V.Forward(tp, x)
	dh := a.dim / a.Heads
	scale := 1 / math.Sqrt(float64(dh))
	masks := map[int][]float32{}
	heads := make([]*ag.Tensor, a.Heads)
	for h := range a.Heads {
		qh, kh, vh := q, k, v
		if a.Heads > 1 {
			qh, kh, vh = tp.SliceCols(q, h*dh, (h+1)*dh), tp.SliceCols(k, h*dh, (h+1)*dh), tp.SliceCols(v, h*dh, (h+1)*dh)
		}
		refs := make([]ag.RowRef, 0, p.N)
		for b, L := range p.Len {
			if L == 0 {
				continue
			}
			idx := p.Rows(b)
			scores := tp.Scale(tp.MatMulT(tp.Gather(qh, idx), tp.Gather(kh, idx), false, true), scale) // L×L
			var mask *ag.Tensor
			if causal && L > 1 {
				if masks[L] == nil {
					masks[L] = causalMask(L)
				}
				mask = tp.Input(L, L, masks[L])
			}
			out := tp.MatMul(tp.Softmax(scores, mask), tp.Gather(vh, idx)) // L×dh
			for i := range L {
				refs = append(refs, ag.RowRef{T: out, Row: int32(i)})
			}
		}
		heads[h] = tp.GatherRefs(refs)
	}
	out := heads[0]
	if a.Heads > 1 {
		out = tp.Concat(heads...)
	}
	return a.O.Forward(tp, out)
}

// ForwardQueries attends the query at x's row rows[j] to every row of segment j of off (which
// covers all of x's rows), causal or not: keys and values on all rows, queries and the output
// projection on those rows only. With rows the last row of each sample, it is Forward's output
// at those rows.
func (a *SelfAttention) ForwardQueries(tp *ag.Tape, x *ag.Tensor, rows, off []int32) *ag.Tensor {
	q := a.Q.Forward(tp, tp.Gather(x, rows))
	k, v := a.K.Forward(tp, x), a.V.Forward(tp, x)
	dh := a.dim / a.Heads
	scale := 1 / math.Sqrt(float64(dh))
	heads := make([]*ag.Tensor, a.Heads)
	for h := range a.Heads {
		qh, kh, vh := q, k, v
		if a.Heads > 1 {
			qh, kh, vh = tp.SliceCols(q, h*dh, (h+1)*dh), tp.SliceCols(k, h*dh, (h+1)*dh), tp.SliceCols(v, h*dh, (h+1)*dh)
		}
		w := tp.SegSoftmax(tp.Scale(tp.SegDot(qh, kh, off), scale), off)
		heads[h] = tp.SegWeightedSum(w, vh, off)
	}
	out := heads[0]
	if a.Heads > 1 {
		out = tp.Concat(heads...)
	}
	return a.O.Forward(tp, out)
}

// lastRows returns the last row of each sample that has rows, in sample order, and the offsets of
// those samples' rows (their segments cover all p.N rows: empty samples have none).
func (p Packed) lastRows() (rows, off []int32) {
	for b, L := range p.Len {
		if L > 0 {
			rows, off = append(rows, int32(p.Start[b]+L-1)), append(off, int32(p.Start[b]))
		}
	}
	return rows, append(off, int32(p.N))
}

// Params returns the four projections.
func (a *SelfAttention) Params() nn.Params { return nn.Collect(a.Q, a.K, a.V, a.O) }

// EncoderLayer is one Transformer encoder layer, post-norm as the original Transformer and BST:
// h = LN(x + Attention(x)); out = LN(h + W2·ReLU(W1·h)), the feed-forward width ffn.
type EncoderLayer struct {
	Attn     *SelfAttention
	LN1, LN2 *LayerNorm
	W1, W2   *nn.Linear
}

// NewEncoderLayer builds a layer of width dim with heads heads and feed-forward width ffn.
func NewEncoderLayer(be ag.Backend, name string, dim, heads, ffn int, r *rand.Rand) *EncoderLayer {
	return &EncoderLayer{
		Attn: NewSelfAttention(be, name+".attn", dim, heads, r),
		LN1:  NewLayerNorm(be, name+".ln1", dim), LN2: NewLayerNorm(be, name+".ln2", dim),
		W1: nn.NewLinear(be, name+".ffn1", dim, ffn, true, r), W2: nn.NewLinear(be, name+".ffn2", ffn, dim, true, r),
	}
}

// Forward runs the layer over the packed rows x (p.N×dim).
func (l *EncoderLayer) Forward(tp *ag.Tape, x *ag.Tensor, p Packed, causal bool) *ag.Tensor {
	h := l.LN1.Forward(tp, tp.Add(x, l.Attn.Forward(tp, x, p, causal)))
	return l.LN2.Forward(tp, tp.Add(h, l.W2.Forward(tp, tp.ReLU(l.W1.Forward(tp, h)))))
}

// ForwardLast is Forward's output at the last row of each sample that has rows (in sample order),
// that row's query reading every row of its sample (SelfAttention.ForwardQueries): what a model that
// reads one output per sample needs of its last layer, without the rows nothing reads.
func (l *EncoderLayer) ForwardLast(tp *ag.Tape, x *ag.Tensor, p Packed) *ag.Tensor {
	rows, off := p.lastRows()
	// The residual gathers the rows again rather than sharing the queries' gather: one gather
	// would sum the two gradients in another order, and change the bits of committed results.
	h := l.LN1.Forward(tp, tp.Add(tp.Gather(x, rows), l.Attn.ForwardQueries(tp, x, rows, off)))
	return l.LN2.Forward(tp, tp.Add(h, l.W2.Forward(tp, tp.ReLU(l.W1.Forward(tp, h)))))
}

// Params returns the layer's parameters.
func (l *EncoderLayer) Params() nn.Params {
	return append(append(append(l.Attn.Params(), l.LN1.Params()...), l.LN2.Params()...), nn.Collect(l.W1, l.W2)...)
}

// Encoder is the sequence encoder of SASRec, BERT4Rec and BST on CTR samples: learned
// chronological position embeddings (TIN's COE: the oldest behaviour 1; a token after the history
// takes the next position) added to the behaviour embeddings, then Blocks encoder layers.
type Encoder struct {
	Pos    *nn.Embedding // (MaxHistory+2)×dim; row 0 is padding's
	Layers []*EncoderLayer
	dim    int
}

// NewEncoder builds an encoder of width c.EmbedDim() with c.Blocks layers of c.Heads heads and
// feed-forward width c.FFN, positions for histories up to d.MaxHistory behaviours plus one token.
func NewEncoder(be ag.Backend, name string, c Config, d Dims, r *rand.Rand) *Encoder {
	dim := c.EmbedDim()
	e := &Encoder{Pos: nn.NewEmbedding(be, name+".positions", d.MaxHistory+2, dim, r), dim: dim}
	nn.Normal(e.Pos.Table, r, 0, c.InitStd)
	for l := range c.Blocks {
		e.Layers = append(e.Layers, NewEncoderLayer(be, fmt.Sprintf("%s.layer%d", name, l), dim, c.Heads, c.FFN, r))
	}
	return e
}

// Params returns the position table and every layer's parameters.
func (e *Encoder) Params() nn.Params {
	ps := e.Pos.Params()
	for _, l := range e.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Last encodes each sample's behaviours (hist: b's packed behaviours, N×dim, oldest first) with
// causal attention (SASRec) and returns the output at its most recent behaviour (B×dim; zeros for
// an empty history, which has none).
func (e *Encoder) Last(tp *ag.Tape, b *Batch, hist *ag.Tensor) *ag.Tensor {
	p := NewPacked(b.Len)
	zero := tp.Input(1, e.dim, make([]float32, e.dim))
	if p.N == 0 { // no sample has a behaviour
		return tp.Gather(zero, make([]int32, b.B))
	}
	x := e.encodeLast(tp, tp.Add(hist, e.Pos.Forward(tp, b.Packed.ChronPos)), p, true) // a row per non-empty history
	refs := make([]ag.RowRef, b.B)
	j := int32(0)
	for i, L := range b.Len {
		refs[i] = ag.RowRef{T: zero}
		if L > 0 {
			refs[i] = ag.RowRef{T: x, Row: j}
			j++
		}
	}
	return tp.GatherRefs(refs)
}

// COE returns the behaviours with their chronological positions added, as the encoder's input
// sees them ((B·T)×dim rows of b; padding rows get the padding position), and the target tok with
// the position it takes after the history (B×dim): TIN Table 2's e_i ⊕ p_COE(i) and v_t ⊕ p_COE(t).
func (e *Encoder) COE(tp *ag.Tape, b *Batch, hist, tok *ag.Tensor) (x, xt *ag.Tensor) {
	next := make([]int32, b.B)
	for i, L := range b.Len {
		next[i] = int32(L + 1)
	}
	return tp.Add(hist, e.Pos.Forward(tp, b.ChronPos)), tp.Add(tok, e.Pos.Forward(tp, next))
}

// Token encodes each sample's behaviours (hist: b's packed behaviours, N×dim, oldest first) followed
// by one token (tok: B×dim — BERT4Rec's [mask] embedding, BST's target), which takes the next
// position, with bidirectional attention, and returns the output at the token (B×dim).
func (e *Encoder) Token(tp *ag.Tape, b *Batch, hist, tok *ag.Tensor) *ag.Tensor {
	lens := make([]int, b.B)
	var refs []ag.RowRef
	var pos []int32
	for i, L := range b.Len {
		lens[i] = L + 1
		for t := range L {
			refs = append(refs, ag.RowRef{T: hist, Row: b.Off[i] + int32(t)})
			pos = append(pos, int32(t+1))
		}
		refs = append(refs, ag.RowRef{T: tok, Row: int32(i)})
		pos = append(pos, int32(L+1))
	}
	p := NewPacked(lens)
	return e.encodeLast(tp, tp.Add(tp.GatherRefs(refs), e.Pos.Forward(tp, pos)), p, false)
}

// encodeLast runs the layers over the packed rows x and returns the last layer's output at the
// last row of each sample that has rows (in sample order): the rows SASRec (its most recent
// behaviour, whose causal query reads them all) and BERT4Rec and BST (the appended token) read. The
// last layer computes keys and values on every row and the rest on those rows only
// (EncoderLayer.ForwardLast): for BST (one layer, feed-forward 4× the width) about a quarter of
// the work of the whole layer at ~11 behaviours per sample.
func (e *Encoder) encodeLast(tp *ag.Tape, x *ag.Tensor, p Packed, causal bool) *ag.Tensor {
	if len(e.Layers) == 0 {
		rows, _ := p.lastRows()
		return tp.Gather(x, rows)
	}
	last := len(e.Layers) - 1
	for _, l := range e.Layers[:last] {
		x = l.Forward(tp, x, p, causal)
	}
	return e.Layers[last].ForwardLast(tp, x, p)
}
