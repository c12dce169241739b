package ctr

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// The self-attention models of TIN Table 1 (SASRec, BERT4Rec, BST) share one Transformer encoder
// over each sample's slots, built here from tape ops that have their own gradient checks (Gather,
// SeqDot, Softmax with a mask, SeqWeightedSum, MatMul, the row reductions), so the layer needs no
// new backward code; its own float64 gradient check is in transformer_test.go.
//
// Layout: a batch of B samples with T slots each is a (B·T)×D tensor, slot t of sample b in row
// b·T+t, with a 0/1 mask per slot (Batch's layout). Attention of slot i of sample b reads the slots
// j of the same sample that the mask keeps (and, when causal, j ≤ i): the keys are repeated per
// query with a Gather, (B·T·T)×D, so memory grows as T²·D per sample — fine for TIN's histories of
// at most 50 behaviours, the cost centre of these models.

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

// AttentionMask is the (B·T)×T mask of self-attention over B samples of T slots: row b·T+i, column j
// is 1 when slot j of sample b is real (mask) and, if causal, j ≤ i. A row that would keep nothing
// (a padded query slot of an empty history) keeps its own slot, so that its softmax is defined; the
// row's output is padding and never read.
func AttentionMask(mask []float32, B, T int, causal bool) []float32 {
	out := make([]float32, B*T*T)
	for b := range B {
		for i := range T {
			row := out[(b*T+i)*T : (b*T+i+1)*T]
			any := false
			for j := range T {
				if mask[b*T+j] != 0 && (!causal || j <= i) {
					row[j], any = 1, true
				}
			}
			if !any {
				row[i] = 1
			}
		}
	}
	return out
}

// repeatIndex is the Gather index that repeats each sample's T slots once per query slot: row
// (b·T+i)·T+j reads slot j of sample b.
func repeatIndex(B, T int) []int32 {
	idx := make([]int32, B*T*T)
	for b := range B {
		for i := range T {
			for j := range T {
				idx[(b*T+i)*T+j] = int32(b*T + j)
			}
		}
	}
	return idx
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

// Forward attends x ((B·T)×dim) with the (B·T)×T mask of AttentionMask.
func (a *SelfAttention) Forward(tp *ag.Tape, x *ag.Tensor, attnMask *ag.Tensor, B, T int) *ag.Tensor {
	q, k, v := a.Q.Forward(tp, x), a.K.Forward(tp, x), a.V.Forward(tp, x)
	rep := repeatIndex(B, T)
	dh := a.dim / a.Heads
	scale := 1 / math.Sqrt(float64(dh))
	heads := make([]*ag.Tensor, a.Heads)
	for h := range a.Heads {
		qh, kh, vh := q, k, v
		if a.Heads > 1 {
			qh, kh, vh = tp.SliceCols(q, h*dh, (h+1)*dh), tp.SliceCols(k, h*dh, (h+1)*dh), tp.SliceCols(v, h*dh, (h+1)*dh)
		}
		scores := tp.Scale(tp.SeqDot(qh, tp.Gather(kh, rep), T), scale) // (B·T)×T
		w := tp.Softmax(scores, attnMask)
		heads[h] = tp.SeqWeightedSum(w, tp.Gather(vh, rep)) // (B·T)×dh
	}
	out := heads[0]
	if a.Heads > 1 {
		out = tp.Concat(heads...)
	}
	return a.O.Forward(tp, out)
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

// Forward runs the layer over x ((B·T)×dim) with the attention mask of AttentionMask.
func (l *EncoderLayer) Forward(tp *ag.Tape, x, attnMask *ag.Tensor, B, T int) *ag.Tensor {
	h := l.LN1.Forward(tp, tp.Add(x, l.Attn.Forward(tp, x, attnMask, B, T)))
	return l.LN2.Forward(tp, tp.Add(h, l.W2.Forward(tp, tp.ReLU(l.W1.Forward(tp, h)))))
}

// Params returns the layer's parameters.
func (l *EncoderLayer) Params() nn.Params {
	return append(append(append(l.Attn.Params(), l.LN1.Params()...), l.LN2.Params()...), nn.Collect(l.W1, l.W2)...)
}

// AppendToken places one extra slot after each sample's last real behaviour — BERT4Rec's [mask]
// token, BST's target — in a (B·(T+1))×D tensor: slot t < len(b) is behaviour t, slot len(b) the
// token (row b of tok), later slots padding (they repeat the token and are masked). It returns the
// rows, their mask and the index of each sample's token slot in the new layout.
func AppendToken(tp *ag.Tape, hist *ag.Tensor, tok *ag.Tensor, lens []int, T int) (rows *ag.Tensor, mask []float32, at []int32) {
	B := len(lens)
	refs := make([]ag.RowRef, B*(T+1))
	mask = make([]float32, B*(T+1))
	at = make([]int32, B)
	for b, L := range lens {
		for t := range T + 1 {
			r := b*(T+1) + t
			switch {
			case t < L:
				refs[r], mask[r] = ag.RowRef{T: hist, Row: int32(b*T + t)}, 1
			case t == L:
				refs[r], mask[r] = ag.RowRef{T: tok, Row: int32(b)}, 1
			default:
				refs[r] = ag.RowRef{T: tok, Row: int32(b)}
			}
		}
		at[b] = int32(b*(T+1) + L)
	}
	return tp.GatherRefs(refs), mask, at
}
