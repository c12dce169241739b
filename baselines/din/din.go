// Package din is the Deep Interest Network (Zhou et al., KDD 2018) and the average-pooling base
// models of its paper, the first four comparators of TIN Table 1, on the shared CTR engine:
//
//	e_i = [item_i ‖ cat_i],  v_t = [item_t ‖ cat_t]                   (no temporal information)
//	α_i = 1/n                                        (avgpool-*: average pooling)
//	α_i = softmax_i(a([v_t, e_i, v_t − e_i, v_t ⊙ e_i]) / √d)         (din-attn, din: DIN's activation unit)
//	u   = Dense(BN(Σ_i α_i · e_i))
//	ŷ   = σ(MLP(BN(x)) + b_item(t)),  x = [u, v_t] (concat) or [u, v_t, u ⊙ v_t] (product)
//
// The activation unit a is an MLP 80 → 40 → 1 with sigmoid activations over the query, the key,
// their difference and their product, and its scores are scaled and softmax-normalised over the
// non-padded behaviours, as in DIN's released code. DIN' (din-attn) is the paper's architecture,
// target-aware attention only (concat); DIN (din) is its code's, which also multiplies the pooled
// vector with the target (product) — TIN §4.1's distinction. The prediction MLP uses the engine's
// sigmoid activations (DIN's code also does; its paper's Dice is not implemented yet).
//
// Registered names: avgpool-concat, avgpool-product, din-attn, din.
package din

import (
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Specs are the four registered models.
var Specs = []ctr.Spec{
	spec("avgpool-concat", "Avg Pooling & Concat: mean of the behaviours, MLP on [u, v_t] (TIN Table 1)", false, false),
	spec("avgpool-product", "Avg Pooling & Product: mean of the behaviours, MLP on [u, v_t, u*v_t] (TIN Table 1)", false, true),
	spec("din-attn", "DIN' (DIN paper): activation-unit attention pooling, MLP on [u, v_t] (TIN Table 1)", true, false),
	spec("din", "DIN (DIN code): activation-unit attention pooling, MLP on [u, v_t, u*v_t] (TIN Table 1)", true, true),
}

var descriptions = map[string]string{}

func spec(name, desc string, attention, product bool) ctr.Spec {
	descriptions[name] = desc
	return ctr.Spec{
		Name:  name,
		Check: ctr.CommonKeysOnly,
		Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
			return NewNet(name, c, d, attention, product, be, r), nil
		},
	}
}

func init() {
	for _, s := range Specs {
		ctr.Register(s, descriptions[s.Name])
	}
}

// Net is the network of one of the four models.
type Net struct {
	Emb       *ctr.Embeddings
	Unit      *nn.MLP // DIN's activation unit; nil for average pooling
	PoolBN    *ctr.BatchNorm
	PoolDense *nn.Linear
	Head      *ctr.Head
	product   bool
	dim       int
}

// NewNet builds the net; attention selects DIN's activation unit over average pooling, product the
// input [u, v_t, u ⊙ v_t] of the MLP over [u, v_t].
func NewNet(name string, c ctr.Config, d ctr.Dims, attention, product bool, be ag.Backend, r *rand.Rand) *Net {
	D := c.EmbedDim()
	in := 2 * D
	if product {
		in = 3 * D
	}
	n := &Net{
		Emb:       ctr.NewEmbeddings(be, name+".emb", c, d, r),
		PoolDense: nn.NewLinear(be, name+".pool", D, D, true, r),
		Head:      ctr.NewHead(be, name+".head", in, c, d, r),
		product:   product,
		dim:       D,
	}
	if attention {
		n.Unit = nn.NewMLP(be, name+".unit", append(append([]int{4 * D}, c.Hidden...), 1), nn.Sigmoid, r)
	}
	if *c.BatchNorm {
		n.PoolBN = ctr.NewBatchNorm(be, name+".pool_bn", D)
	}
	return n
}

var _ ctr.TableOwner = (*Net)(nil)

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *Net) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// BatchNorms implements ctr.BatchNormOwner: the head's and the pooled vector's.
func (n *Net) BatchNorms() []*ctr.BatchNorm {
	bns := n.Head.BatchNorms()
	if n.PoolBN != nil {
		bns = append(bns, n.PoolBN)
	}
	return bns
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	ps := nn.Collect(n.Emb, n.PoolDense, n.Head)
	if n.Unit != nil {
		ps = append(ps, n.Unit.Params()...)
	}
	if n.PoolBN != nil {
		ps = append(ps, n.PoolBN.Params()...)
	}
	return ps
}

// Weights returns the pooling weights α (N×1, the packed behaviours of b) of behaviours e given the
// targets repeated per behaviour.
func (n *Net) Weights(tp *ag.Tape, b *ctr.Batch, e, vtRep *ag.Tensor) *ag.Tensor {
	if n.Unit == nil {
		return tp.SegSoftmax(tp.Zeros(b.N, 1), b.Off)
	}
	a := n.Unit.Forward(tp, tp.Concat(vtRep, e, tp.Sub(vtRep, e), tp.Mul(vtRep, e))) // N×1
	return tp.SegSoftmax(tp.Scale(a, 1/math.Sqrt(float64(n.dim))), b.Off)
}

// Logits implements ctr.Net, on the packed behaviours (padding costs nothing).
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	p := &b.Packed
	e := n.Emb.Forward(tp, p.Hist, p.HistCat)
	vt := n.Emb.Forward(tp, b.Target, b.TargetCat)
	var vtRep *ag.Tensor
	if n.Unit != nil {
		vtRep = n.Emb.Forward(tp, p.TargetRep, p.TargetCatRep)
	}
	u := tp.SegWeightedSum(n.Weights(tp, b, e, vtRep), e, b.Off)
	if n.PoolBN != nil {
		u = n.PoolBN.Forward(tp, u, train, train && tp.Recording())
	}
	u = n.PoolDense.Forward(tp, u)
	x := tp.Concat(u, vt)
	if n.product {
		x = tp.Concat(u, vt, tp.Mul(u, vt))
	}
	return n.Head.Forward(tp, x, b.Target, train)
}

// Correlation implements ctr.Correlator as TIN Table 2's DIN row, e^{⟨e_i, v_t⟩}·‖e_i ⊙ v_t‖₂ (the
// dot product unscaled, as printed; TIN measures DIN's attention by it, not by the activation
// unit), each factor as the model has it: without attention (average pooling) no e^z factor,
// without the product (DIN', avgpool-concat) ‖e_i‖₂.
func (n *Net) Correlation(tp *ag.Tape, b *ctr.Batch) []float64 {
	e := n.Emb.Forward(tp, b.Hist, b.HistCat)
	r := e
	if n.product {
		r = tp.Mul(e, n.Emb.Forward(tp, b.TargetRep, b.TargetCatRep))
	}
	var query *ag.Tensor
	if n.Unit != nil {
		query = n.Emb.Forward(tp, b.Target, b.TargetCat)
	}
	return ctr.CorrelationOf(b.B, b.T, e, query, 1, r)
}
