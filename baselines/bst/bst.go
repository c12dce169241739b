// Package bst is the Behavior Sequence Transformer (Chen et al., DLP-KDD 2019) as TIN's Table 1 runs
// it on CTR samples, on the shared CTR engine (baselines/internal/ctr):
//
//	x_i = [item_i ‖ cat_i] + P[i]            (learned chronological positions: TIN's COE)
//	x_t = v_t + P[n+1]                        (the target item, last in the sequence, as BST does)
//	h   = Encoder_bidirectional(x_1..x_n, x_t)
//	u   = h at the target's slot              (the target attends over the behaviours: TA)
//	ŷ   = σ(MLP(BN([u, v_t])) + b_item(t))    (concatenation: no target-aware representation)
//
// TIN's Table 5 classes BST as COE, target attention through the Transformer, and a Concat & MLP
// representation g_MLP([ẽ, v]); BST itself concatenates the Transformer's outputs with the other
// features before its MLP, which this form keeps to the target's output. Defaults: 1 block, 8 heads,
// feed-forward width 4× the embedding width (BST's paper: one block was best).
package bst

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Spec is the registered model.
var Spec = func() ctr.Spec {
	defaults, resolved := ctr.EncoderDefaults(1, 8, 4)
	return ctr.Spec{
		Name:     "bst",
		Check:    ctr.RejectTINSwitches,
		Defaults: defaults,
		Resolved: resolved,
		Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
			return NewNet(c, d, be, r), nil
		},
	}
}()

func init() {
	ctr.Register(Spec, "BST on CTR samples: a Transformer over the behaviours and the target, the target's output concatenated with it (TIN Table 1)")
}

// Net is BST's network.
type Net struct {
	Emb  *ctr.Embeddings
	Enc  *ctr.Encoder
	Head *ctr.Head
}

// NewNet builds the net with parameters drawn from r.
func NewNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *Net {
	dim := c.EmbedDim()
	return &Net{
		Emb:  ctr.NewEmbeddings(be, "bst", c, d, r),
		Enc:  ctr.NewEncoder(be, "bst.encoder", c, d, r),
		Head: ctr.NewHead(be, "bst.head", 2*dim, c, d, r),
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
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	u := n.Enc.Token(tp, b, n.Emb.Forward(tp, b.Packed.Hist, b.Packed.HistCat), v)
	return n.Head.Forward(tp, tp.Concat(u, v), b.Target, train)
}

// Correlation implements ctr.Correlator as TIN Table 2's BST row: target attention between the
// COE-encoded behaviour and target, and a target-agnostic representation,
// e^{⟨e_i ⊕ p_COE(i), v_t ⊕ p_COE(t)⟩}·‖e_i ⊕ p_COE(i)‖₂ (the dot product unscaled, as printed).
func (n *Net) Correlation(tp *ag.Tape, b *ctr.Batch) []float64 {
	x, xt := n.Enc.COE(tp, b, n.Emb.Forward(tp, b.Hist, b.HistCat), n.Emb.Forward(tp, b.Target, b.TargetCat))
	return ctr.CorrelationOf(b.B, b.T, x, xt, 1, x)
}
