// Package bert4rec is BERT4Rec (Sun et al., CIKM 2019) as TIN's Table 1 runs it on CTR samples, on
// the shared CTR engine (baselines/internal/ctr):
//
//	x_i = [item_i ‖ cat_i] + P[i]            (learned chronological positions: TIN's COE)
//	x_m = M + P[n+1]                          (a learned [mask] token after the n behaviours)
//	h   = Encoder_bidirectional(x_1..x_n, x_m)
//	u   = h at the [mask] slot                (BERT4Rec's inference: predict the appended [mask])
//	ŷ   = σ(MLP(BN([u, v_t, u ⊙ v_t])) + b_item(t))
//
// TIN's Table 5 classes BERT4Rec with SASRec: COE, no target attention, target-aware
// representation (the product term here). Defaults: 2 layers, 2 heads, feed-forward width 4× the
// embedding width (BERT4Rec's paper). BERT4Rec's Cloze pre-training objective has no counterpart on
// CTR samples: the CTR engine trains every row of Table 1 with the same pointwise logloss.
package bert4rec

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Spec is the registered model.
var Spec = func() ctr.Spec {
	defaults, resolved := ctr.EncoderDefaults(2, 2, 4)
	return ctr.Spec{
		Name:     "bert4rec",
		Check:    ctr.RejectTINSwitches,
		Defaults: defaults,
		Resolved: resolved,
		Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
			return NewNet(c, d, be, r), nil
		},
	}
}()

func init() {
	ctr.Register(Spec, "BERT4Rec on CTR samples: bidirectional self-attention over the behaviours and an appended [mask] token (TIN Table 1)")
}

// Net is BERT4Rec's network.
type Net struct {
	Emb  *ctr.Embeddings
	Mask *nn.Embedding // 1×dim: the [mask] token
	Enc  *ctr.Encoder
	Head *ctr.Head
}

// NewNet builds the net with parameters drawn from r.
func NewNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *Net {
	dim := c.EmbedDim()
	n := &Net{
		Emb:  ctr.NewEmbeddings(be, "bert4rec", c, d, r),
		Mask: nn.NewEmbedding(be, "bert4rec.mask_token", 1, dim, r),
		Enc:  ctr.NewEncoder(be, "bert4rec.encoder", c, d, r),
		Head: ctr.NewHead(be, "bert4rec.head", 3*dim, c, d, r),
	}
	nn.Normal(n.Mask.Table, r, 0, c.InitStd)
	return n
}

var _ ctr.TableOwner = (*Net)(nil)

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *Net) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	return append(append(append(n.Emb.Params(), n.Mask.Params()...), n.Enc.Params()...), n.Head.Params()...)
}

// Logits returns the B×1 click logits of b.
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	tok := n.Mask.Forward(tp, make([]int32, b.B))
	u := n.Enc.Token(tp, b, n.Emb.Forward(tp, b.Packed.Hist, b.Packed.HistCat), tok)
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	return n.Head.Forward(tp, tp.Concat(u, v, tp.Mul(u, v)), b.Target, train)
}
