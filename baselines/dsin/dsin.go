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
	"slices"

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
	Emb           *ctr.Embeddings
	SessionBias   *nn.Embedding // (MaxHistory+1)×dim: w_k
	PositionBias  *nn.Embedding // (MaxHistory+1)×dim: w_t
	DimBias       *ag.Tensor    // 1×dim: w
	Layers        []*ctr.EncoderLayer
	Forward, Back *nn.LSTMCell
	ActI, ActH    *nn.Linear
	Head          *ctr.Head
	dim, half     int
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

// Logits returns the B×1 click logits of b. Sessions are packed, sample after sample (session k
// of sample i is row sessOff[i]+k, oldest first), so that a batch costs what its sessions cost:
// the extractor's averages are segment sums and the Bi-LSTM steps only the samples that still have
// a session (ctr.PackedSteps), not every sample for as many steps as the batch's longest history.
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	_, sess, pos, lens := sessions(b)
	var flat []int
	nsess := make([]int, b.B)
	sessOff := make([]int32, b.B+1)
	for i, ls := range lens {
		flat = append(flat, ls...)
		nsess[i] = len(ls)
		sessOff[i+1] = sessOff[i] + int32(len(ls))
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
		// I_k: the mean of session k's outputs (sessions × dim).
		avg := make([]float32, p.N)
		rowOff := make([]int32, len(flat)+1)
		for k, L := range flat {
			for j := p.Start[k]; j < p.Start[k]+L; j++ {
				avg[j] = 1 / float32(L)
			}
			rowOff[k+1] = rowOff[k] + int32(L)
		}
		I := tp.SegWeightedSum(tp.Input(p.N, 1, avg), x, rowOff)
		H := n.biLSTM(tp, I, &ctr.Batch{B: b.B, T: slices.Max(append(nsess, 1)), Len: nsess, N: len(flat), Off: sessOff})
		// Activation by the target: softmax over each sample's sessions; a sample without
		// sessions gets zero vectors.
		uI = tp.SegWeightedSum(tp.SegSoftmax(tp.SegDot(n.ActI.Forward(tp, v), I, sessOff), sessOff), I, sessOff)
		uH = tp.SegWeightedSum(tp.SegSoftmax(tp.SegDot(n.ActH.Forward(tp, v), H, sessOff), sessOff), H, sessOff)
	}
	return n.Head.Forward(tp, tp.Concat(uI, uH, v), b.Target, train)
}

// biLSTM runs the forward LSTM over each sample's sessions oldest first and the backward one
// newest first, over the packed sessions I (s.N × dim, laid out by s: s.Len sessions per sample
// from s.Off), and returns [h→ ‖ h←] per session (s.N × 2·half). Each direction carries [h ‖ c]
// as one state of ctr.PackedSteps.
func (n *Net) biLSTM(tp *ag.Tape, I *ag.Tensor, s *ctr.Batch) *ag.Tensor {
	run := func(cell *nn.LSTMCell, input []int32) *ag.Tensor {
		all, _ := ctr.PackedSteps(tp, s, 2*n.half, true, func(rows []int32, hc *ag.Tensor) *ag.Tensor {
			in := make([]int32, len(rows))
			for j, r := range rows {
				in[j] = input[r]
			}
			h, c := cell.Forward(tp, tp.Gather(I, in), tp.SliceCols(hc, 0, n.half), tp.SliceCols(hc, n.half, 2*n.half))
			return tp.Concat(h, c)
		})
		return tp.SliceCols(all, 0, n.half) // h after step t, at the packed row of step t
	}
	// rev maps the packed row of sample i's step t to its session L−1−t (an involution).
	same, rev := make([]int32, s.N), make([]int32, s.N)
	for i, L := range s.Len {
		for t := range L {
			r := s.Off[i] + int32(t)
			same[r], rev[r] = r, s.Off[i]+int32(L-1-t)
		}
	}
	fwd := run(n.Forward, same)
	bwd := tp.Gather(run(n.Back, rev), rev) // the backward state after reading session k, at row k
	return tp.Concat(fwd, bwd)
}
