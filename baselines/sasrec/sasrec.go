// Package sasrec is SASRec (Kang & McAuley, ICDM 2018) as TIN's Table 1 runs it on CTR samples,
// on the shared CTR engine (baselines/internal/ctr):
//
//	x_i = [item_i ‖ cat_i] + P[i]          (learned chronological positions: TIN's COE)
//	h   = Encoder_causal(x)                (blocks × {self-attention, feed-forward}, post-norm)
//	u   = h at the most recent behaviour   (SASRec predicts the next item from the last position)
//	ŷ   = σ(MLP(BN([u, v_t, u ⊙ v_t])) + b_item(t))
//
// TIN's Table 5 classes SASRec as temporal information by COE, no target attention, target-aware
// representation ⟨ẽ, v⟩: the product term carries it here, as for every product model of Table 1.
// Defaults: 2 blocks, 1 head, feed-forward width = the embedding width (SASRec's paper); dropout is
// not used (no engine model uses dropout; TIN's code trains its comparators without it). Training is
// the CTR engine's pointwise logloss, shared by every row of Table 1.
package sasrec

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Spec is the registered model.
var Spec = func() ctr.Spec {
	defaults, resolved := ctr.EncoderDefaults(2, 1, 1)
	return ctr.Spec{
		Name:     "sasrec",
		Check:    ctr.RejectTINSwitches,
		Defaults: defaults,
		Resolved: resolved,
		Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
			return NewNet(c, d, be, r), nil
		},
	}
}()

func init() {
	ctr.Register(Spec, "SASRec on CTR samples: causal self-attention over the behaviours with learned positions (TIN Table 1)")
}

// Net is SASRec's network.
type Net struct {
	Emb  *ctr.Embeddings
	Enc  *ctr.Encoder
	Head *ctr.Head
}

// NewNet builds the net with parameters drawn from r.
func NewNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *Net {
	dim := c.EmbedDim()
	return &Net{
		Emb:  ctr.NewEmbeddings(be, "sasrec", c, d, r),
		Enc:  ctr.NewEncoder(be, "sasrec.encoder", c, d, r),
		Head: ctr.NewHead(be, "sasrec.head", 3*dim, c, d, r),
	}
}

var _ ctr.TableOwner = (*Net)(nil)

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *Net) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	return append(append(n.Emb.Params(), n.Enc.Params()...), n.Head.Params()...)
}

// Logits returns the B×1 click logits of b.
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	u := n.Enc.Last(tp, b, n.Emb.Forward(tp, b.Packed.Hist, b.Packed.HistCat))
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	return n.Head.Forward(tp, tp.Concat(u, v, tp.Mul(u, v)), b.Target, train)
}

// Correlation implements ctr.Correlator as TIN Table 2's SASRec row: no target attention, the
// representation of a COE-encoded behaviour with the target, ‖(e_i ⊕ p_COE(i)) ⊙ v_t‖₂.
func (n *Net) Correlation(tp *ag.Tape, b *ctr.Batch) []float64 {
	x, _ := n.Enc.COE(tp, b, n.Emb.Forward(tp, b.Hist, b.HistCat), n.Emb.Forward(tp, b.Target, b.TargetCat))
	r := tp.Mul(x, n.Emb.Forward(tp, b.TargetRep, b.TargetCatRep))
	return ctr.CorrelationOf(b.B, b.T, nil, nil, 0, r)
}
