package gru4rec

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// CTRSpec is GRU4Rec as TIN's Table 1 runs it on CTR samples (registered gru4rec-ctr), on the
// shared CTR engine with the settings every row of that table shares:
//
//	e_i = [item_i ‖ cat_i],  v_t = [item_t ‖ cat_t]
//	h_i = GRU(e_i, h_{i−1}), h_0 = 0, over the behaviours oldest first (hidden = item_dim + category_dim)
//	u   = h_n                                         (the state after the most recent behaviour)
//	ŷ   = σ(MLP(BN([u, v_t, u ⊙ v_t])) + b_item(t))
//
// The recurrence is ctr.PackedRecurrence: each step runs the GRU only on the samples that have a
// behaviour there (the bits of ctr.Recurrence over padded histories, where padding never moves
// the state). GRU4Rec's session-side
// training (session-parallel lanes, ranking losses) has no counterpart here: the CTR engine trains
// every comparator with the same pointwise logloss, as TIN's code does. A registered name of its
// own because its parameters (configs/models/gru4rec-ctr.yaml) are the CTR engine's, not the
// session engine's.
var CTRSpec = ctr.Spec{
	Name:  "gru4rec-ctr",
	Check: ctr.CommonKeysOnly,
	Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
		return NewCTRNet(c, d, be, r), nil
	},
}

func init() {
	ctr.Register(CTRSpec, "GRU4Rec on CTR samples: a GRU over the behaviours, its last state against the target (TIN Table 1's GRU4Rec row)")
}

// CTRNet is gru4rec-ctr's network.
type CTRNet struct {
	Emb  *ctr.Embeddings
	Cell *nn.GRUCell
	Head *ctr.Head
	dim  int
}

// NewCTRNet builds the net with parameters drawn from r.
func NewCTRNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *CTRNet {
	dim := c.ItemDim + c.CategoryDim
	return &CTRNet{
		Emb:  ctr.NewEmbeddings(be, "gru4rec_ctr", c, d, r),
		Cell: nn.NewGRUCell(be, "gru4rec_ctr.gru", dim, dim, r),
		Head: ctr.NewHead(be, "gru4rec_ctr.head", 3*dim, c, d, r),
		dim:  dim,
	}
}

var _ ctr.TableOwner = (*CTRNet)(nil)

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *CTRNet) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// Params lists the trainable parameters.
func (n *CTRNet) Params() nn.Params { return append(nn.Collect(n.Emb, n.Cell), n.Head.Params()...) }

// Logits returns the B×1 click logits of b.
func (n *CTRNet) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	hist := n.Emb.Forward(tp, b.Packed.Hist, b.Packed.HistCat)
	_, u := ctr.PackedRecurrence(tp, n.Cell, hist, b, n.dim, false)
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	return n.Head.Forward(tp, tp.Concat(u, v, tp.Mul(u, v)), b.Target, train)
}
