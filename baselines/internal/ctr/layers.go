package ctr

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// BatchNorm normalises each column with the batch's statistics while training and with running
// averages at evaluation, then scales and shifts (tf.layers.batch_normalization, which TIN's code
// uses: momentum 0.99, ε 0.001). It is composed of tape ops that have their own gradient checks.
type BatchNorm struct {
	Gamma, Beta *ag.Tensor // 1×dim
	mean, vari  []float64  // running statistics
	Momentum    float64
	Eps         float64
}

// NewBatchNorm returns an identity-initialised batch norm over dim columns.
func NewBatchNorm(be ag.Backend, name string, dim int) *BatchNorm {
	bn := &BatchNorm{
		Gamma: ag.NewParam(be, name+".gamma", 1, dim), Beta: ag.NewParam(be, name+".beta", 1, dim),
		mean: make([]float64, dim), vari: make([]float64, dim), Momentum: 0.99, Eps: 1e-3,
	}
	g := make([]float64, dim)
	for i := range g {
		g[i], bn.vari[i] = 1, 1
	}
	bn.Gamma.CopyFrom64(g)
	return bn
}

// Forward normalises x (rows×dim). With train it uses and records the batch statistics (and
// updates the running ones when update is set); otherwise the running ones.
func (bn *BatchNorm) Forward(tp *ag.Tape, x *ag.Tensor, train, update bool) *ag.Tensor {
	dim := len(bn.mean)
	if x.Cols() != dim {
		panic(fmt.Sprintf("ctr: BatchNorm %s over %d columns applied to %v", bn.Gamma.Name, dim, x))
	}
	var xhat *ag.Tensor
	if train {
		mean := tp.Mean(x, ag.AxisRows)
		xc := tp.Sub(x, mean)
		v := tp.Mean(tp.Square(xc), ag.AxisRows)
		xhat = tp.Div(xc, tp.Sqrt(tp.AddScalar(v, bn.Eps)))
		if update {
			m, vv := make([]float64, dim), make([]float64, dim)
			mean.CopyTo64(m)
			v.CopyTo64(vv)
			for j := range dim {
				bn.mean[j] = bn.Momentum*bn.mean[j] + (1-bn.Momentum)*m[j]
				bn.vari[j] = bn.Momentum*bn.vari[j] + (1-bn.Momentum)*vv[j]
			}
		}
	} else {
		inv := make([]float64, dim)
		shift := make([]float64, dim)
		for j := range dim {
			inv[j] = 1 / math.Sqrt(bn.vari[j]+bn.Eps)
			shift[j] = -bn.mean[j] * inv[j]
		}
		xhat = tp.Add(tp.Mul(x, tp.Input64(1, dim, inv)), tp.Input64(1, dim, shift))
	}
	return tp.Add(tp.Mul(xhat, bn.Gamma), bn.Beta)
}

// Params returns γ and β (the running statistics are state, not parameters).
func (bn *BatchNorm) Params() nn.Params { return nn.Params{bn.Gamma, bn.Beta} }

// Embeddings are the item and category tables; a behaviour or target is [item ‖ category].
type Embeddings struct {
	Items, Categories *nn.Embedding
}

// NewEmbeddings draws the tables N(0, c.InitStd²).
func NewEmbeddings(be ag.Backend, name string, c Config, d Dims, r *rand.Rand) *Embeddings {
	e := &Embeddings{
		Items:      nn.NewEmbedding(be, name+".items", d.Items, c.ItemDim, r),
		Categories: nn.NewEmbedding(be, name+".categories", max(1, d.Categories), c.CategoryDim, r),
	}
	nn.Normal(e.Items.Table, r, 0, c.InitStd)
	nn.Normal(e.Categories.Table, r, 0, c.InitStd)
	return e
}

// Forward returns [items[it] ‖ categories[cat]], one row per index.
func (e *Embeddings) Forward(tp *ag.Tape, it, cat []int32) *ag.Tensor {
	return tp.Concat(e.Items.Forward(tp, it), e.Categories.Forward(tp, cat))
}

// Params returns both tables.
func (e *Embeddings) Params() nn.Params { return nn.Collect(e.Items, e.Categories) }

// Head is the prediction layer of TIN's code (and DIN's): batch norm, an MLP with sigmoid
// activations down to one logit, plus a per-item bias of the target.
type Head struct {
	BN       *BatchNorm // nil without batch norm
	MLP      *nn.MLP
	ItemBias *nn.Embedding // items×1, zero-initialised
}

// NewHead builds the head for inputs of width in.
func NewHead(be ag.Backend, name string, in int, c Config, d Dims, r *rand.Rand) *Head {
	h := &Head{
		MLP:      nn.NewMLP(be, name+".mlp", append(append([]int{in}, c.Hidden...), 1), nn.Sigmoid, r),
		ItemBias: nn.NewEmbedding(be, name+".item_bias", d.Items, 1, r),
	}
	h.ItemBias.Table.CopyFrom64(make([]float64, d.Items))
	if *c.BatchNorm {
		h.BN = NewBatchNorm(be, name+".bn", in)
	}
	return h
}

// Forward returns the B×1 logits of inputs x (B×in) for targets.
func (h *Head) Forward(tp *ag.Tape, x *ag.Tensor, targets []int32, train bool) *ag.Tensor {
	if h.BN != nil {
		x = h.BN.Forward(tp, x, train, train && tp.Recording())
	}
	return tp.Add(h.MLP.Forward(tp, x), h.ItemBias.Forward(tp, targets))
}

// Params returns the head's parameters.
func (h *Head) Params() nn.Params {
	ps := nn.Collect(h.MLP, h.ItemBias)
	if h.BN != nil {
		ps = append(ps, h.BN.Params()...)
	}
	return ps
}
