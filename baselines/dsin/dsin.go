// Package dsin is the Deep Session Interest Network (Feng et al., IJCAI 2019) as TIN's Table 1 runs
// it on CTR samples, on the shared CTR engine (baselines/internal/ctr):
//
//	sessions: a sample's behaviours cut where consecutive ones are more than 30 minutes apart (DSIN)
//	x_{k,t} = [item ‖ cat] + BE_{k,t}              (bias encoding: w_k (session) + w_t (position in
//	                                                 session) + w (per dimension), learned)
//	I_k = mean_t Encoder(x_{k,·})                   (session interest extractor: a Transformer layer
//	                                                 within each session, average-pooled)
//	H_k = [LSTM→(I)_k ‖ LSTM←(I)_k]                 (session interest interacting: a Bi-LSTM over
//	                                                 the sessions, oldest first)
//	U_I = Σ_k softmax_k(⟨I_k, W_I v⟩)·I_k,  U_H = Σ_k softmax_k(⟨H_k, W_H v⟩)·H_k
//	                                                (session interest activating by the target)
//	ŷ   = σ(MLP(BN([U_I, U_H, v_t])) + b_item(t))   (Concat & MLP: no target-aware representation)
//
// Sessions are numbered from the oldest (w_k: k = 1 the oldest kept); every session of a history
// is kept (histories are capped at run.ctr.max_history behaviours already). Each LSTM direction
// has half the embedding width, so H_k has its width. A sample without behaviours has no session:
// U_I and U_H are zero vectors. The encoder layer (post-norm, 8 heads, feed-forward 4× the width)
// is the engine's, shared with SASRec, BERT4Rec and BST. TIN's Table 5 classes DSIN as temporal
// information by Bi-LSTM and COE, target attention, and a Concat & MLP representation.
package dsin

import (
	"fmt"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// SessionGap is DSIN's session boundary: consecutive behaviours more than 30 minutes apart.
const SessionGap = 30 * 60

// Spec is the registered model.
var Spec = func() ctr.Spec {
	defaults, resolved := ctr.EncoderDefaults(1, 8, 4)
	return ctr.Spec{
		Name:     "dsin",
		Check:    ctr.RejectTINSwitches,
		Defaults: defaults,
		Resolved: resolved,
		Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
			return NewNet(c, d, be, r), nil
		},
	}
}()

func init() {
	ctr.Register(Spec, "DSIN on CTR samples: self-attention within 30-minute sessions, Bi-LSTM across them, activation by the target (TIN Table 1)")
}

// Net is DSIN's network.
type Net struct {
	Emb              *ctr.Embeddings
	SessionBias      *nn.Embedding // (MaxHistory+1)×dim: w_k
	PositionBias     *nn.Embedding // (MaxHistory+1)×dim: w_t
	DimBias          *ag.Tensor    // 1×dim: w
	Layers           []*ctr.EncoderLayer
	Forward, Back    *nn.LSTMCell
	ActI, ActH       *nn.Linear
	Head             *ctr.Head
	dim, half        int
	zeroDim, zeroHid []float32
}

// NewNet builds the net with parameters drawn from r.
func NewNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *Net {
	dim := c.EmbedDim()
	half := max(dim/2, 1)
	n := &Net{
		Emb:          ctr.NewEmbeddings(be, "dsin", c, d, r),
		SessionBias:  nn.NewEmbedding(be, "dsin.session_bias", d.MaxHistory+1, dim, r),
		PositionBias: nn.NewEmbedding(be, "dsin.position_bias", d.MaxHistory+1, dim, r),
		DimBias:      ag.NewParam(be, "dsin.dim_bias", 1, dim),
		Forward:      nn.NewLSTMCell(be, "dsin.lstm_forward", dim, half, r),
		Back:         nn.NewLSTMCell(be, "dsin.lstm_backward", dim, half, r),
		ActI:         nn.NewLinear(be, "dsin.activate_interest", dim, dim, false, r),
		ActH:         nn.NewLinear(be, "dsin.activate_interacting", dim, 2*half, false, r),
		Head:         ctr.NewHead(be, "dsin.head", dim+2*half+dim, c, d, r),
		dim:          dim, half: half,
	}
	nn.Normal(n.SessionBias.Table, r, 0, c.InitStd)
	nn.Normal(n.PositionBias.Table, r, 0, c.InitStd)
	n.DimBias.CopyFrom64(make([]float64, dim))
	for l := range c.Blocks {
		n.Layers = append(n.Layers, ctr.NewEncoderLayer(be, fmt.Sprintf("dsin.extractor%d", l), dim, c.Heads, c.FFN, r))
	}
	return n
}

var _ ctr.TableOwner = (*Net)(nil)

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *Net) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	ps := append(nn.Collect(n.Emb, n.SessionBias, n.PositionBias), n.DimBias)
	for _, l := range n.Layers {
		ps = append(ps, l.Params()...)
	}
	return append(append(ps, nn.Collect(n.Forward, n.Back, n.ActI, n.ActH)...), n.Head.Params()...)
}

// sessions cuts each sample's behaviours at gaps over SessionGap: for every kept slot (packed, in
// order) its row in the batch, session number (1 = oldest) and position in the session (1 = first),
// and per sample the lengths of its sessions.
func sessions(b *ctr.Batch) (rows, sess, pos []int32, lens [][]int) {
	lens = make([][]int, b.B)
	for i, L := range b.Len {
		for t := range L {
			r := i*b.T + t
			if t == 0 || b.Time[r]-b.Time[r-1] > SessionGap {
				lens[i] = append(lens[i], 0)
			}
			k := len(lens[i])
			lens[i][k-1]++
			rows, sess, pos = append(rows, int32(r)), append(sess, int32(k)), append(pos, int32(lens[i][k-1]))
		}
	}
	return rows, sess, pos, lens
}

// Logits returns the B×1 click logits of b.
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	_, sess, pos, lens := sessions(b)
	K := 1 // session slots per sample in this batch (one zero slot for samples without behaviours)
	var flat []int
	for _, ls := range lens {
		K = max(K, len(ls))
		flat = append(flat, ls...)
	}
	var uI, uH *ag.Tensor
	if b.N == 0 {
		zero := tp.Input(b.B, n.dim+2*n.half, make([]float32, b.B*(n.dim+2*n.half)))
		uI, uH = tp.SliceCols(zero, 0, n.dim), tp.SliceCols(zero, n.dim, n.dim+2*n.half)
	} else {
		// Session interest extractor over the packed sessions.
		x := n.Emb.Forward(tp, b.Packed.Hist, b.Packed.HistCat) // rows: the packed behaviours, in order
		x = tp.Add(tp.Add(tp.Add(x, n.SessionBias.Forward(tp, sess)), n.PositionBias.Forward(tp, pos)), n.DimBias)
		p := ctr.NewPacked(flat)
		for _, l := range n.Layers {
			x = l.Forward(tp, x, p, false)
		}
		avg := make([]float32, len(flat)*p.N) // session k's row averages its slots
		for k, L := range flat {
			for j := p.Start[k]; j < p.Start[k]+L; j++ {
				avg[k*p.N+j] = 1 / float32(L)
			}
		}
		interests := tp.MatMul(tp.Input(len(flat), p.N, avg), x) // sessions×dim
		// Lay the interests out as B×K slots (oldest first), zero rows on padding.
		zero := tp.Input(1, n.dim, make([]float32, n.dim))
		refs := make([]ag.RowRef, b.B*K)
		mask := make([]float32, b.B*K)
		at := 0
		for i, ls := range lens {
			for k := range K {
				refs[i*K+k] = ag.RowRef{T: zero}
				if k < len(ls) {
					refs[i*K+k], mask[i*K+k] = ag.RowRef{T: interests, Row: int32(at + k)}, 1
				}
			}
			if len(ls) == 0 {
				mask[i*K] = 1 // a zero interest: the activations below return zeros
			}
			at += len(ls)
		}
		I := tp.GatherRefs(refs)
		H := n.biLSTM(tp, I, lens, b.B, K)
		m := tp.Input(b.B, K, mask)
		uI = tp.SeqWeightedSum(tp.Softmax(tp.SeqDot(n.ActI.Forward(tp, v), I, K), m), I)
		uH = tp.SeqWeightedSum(tp.Softmax(tp.SeqDot(n.ActH.Forward(tp, v), H, K), m), H)
	}
	return n.Head.Forward(tp, tp.Concat(uI, uH, v), b.Target, train)
}

// biLSTM runs the forward LSTM over each sample's sessions oldest first and the backward one
// newest first, and returns [h→ ‖ h←] per session slot (B·K×2·half; padding slots hold states that
// the masked activations never read).
func (n *Net) biLSTM(tp *ag.Tape, I *ag.Tensor, lens [][]int, B, K int) *ag.Tensor {
	run := func(cell *nn.LSTMCell, order func(i, k int) int) []*ag.Tensor {
		h := tp.Input(B, n.half, make([]float32, B*n.half))
		c := h
		out := make([]*ag.Tensor, K)
		for k := range K {
			idx := make([]int32, B)
			keep := make([]float32, B)
			for i := range B {
				idx[i] = int32(i*K + order(i, k))
				if k < len(lens[i]) {
					keep[i] = 1
				}
			}
			hn, cn := cell.Forward(tp, tp.Gather(I, idx), h, c)
			m := tp.Input(B, 1, keep)
			h, c = tp.Add(h, tp.Mul(tp.Sub(hn, h), m)), tp.Add(c, tp.Mul(tp.Sub(cn, c), m))
			out[k] = h
		}
		return out
	}
	fwd := run(n.Forward, func(i, k int) int { return k })
	rev := func(i, k int) int {
		if k < len(lens[i]) {
			return len(lens[i]) - 1 - k
		}
		return k
	}
	bwd := run(n.Back, rev)
	refs := make([]ag.RowRef, 2*B*K)
	for i := range B {
		for k := range K {
			refs[2*(i*K+k)] = ag.RowRef{T: fwd[k], Row: int32(i)}
			refs[2*(i*K+k)+1] = ag.RowRef{T: bwd[rev(i, k)], Row: int32(i)} // step rev(i,k) of the backward pass read slot k
		}
	}
	both := tp.GatherRefs(refs) // (2·B·K)×half: forward and backward rows interleaved per slot
	return n.pairRows(tp, both, B*K)
}

// pairRows turns 2·m rows of width half (pairs: row 2j forward, row 2j+1 backward) into m rows of
// width 2·half by two gathers and a column concatenation.
func (n *Net) pairRows(tp *ag.Tape, x *ag.Tensor, m int) *ag.Tensor {
	even, odd := make([]int32, m), make([]int32, m)
	for j := range m {
		even[j], odd[j] = int32(2*j), int32(2*j+1)
	}
	return tp.Concat(tp.Gather(x, even), tp.Gather(x, odd))
}
