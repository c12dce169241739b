package seqrec

import (
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// EventInput returns a step's recurrent input [E[item] | Batch.Event]: the learned embedding of each
// revealed item — a one-hot vector times a matrix, as the papers describe their input, computed as
// a row gather — followed by the revealed interaction's context.
func EventInput(tp *ag.Tape, e *nn.Embedding, b *Batch) *ag.Tensor {
	x := e.Forward(tp, b.Items)
	if ev := b.Event(tp); ev != nil {
		x = tp.Concat(x, ev)
	}
	return x
}

// NewItemEmbedding returns an items×dim input embedding, N(0, 1) as torch.nn.Embedding.
func NewItemEmbedding(be ag.Backend, name string, items, dim int, r *rand.Rand) *nn.Embedding {
	return nn.NewEmbedding(be, name, items, dim, r)
}

// NewSmallEmbedding returns an n×dim embedding drawn from N(0, 0.1²): embeddings that enter dot
// products with each other (stationary user and item factors, user vectors added to a hidden
// state) start small, so that the first scores are near zero instead of of order √dim.
func NewSmallEmbedding(be ag.Backend, name string, n, dim int, r *rand.Rand) *nn.Embedding {
	e := nn.NewEmbedding(be, name, n, dim, r)
	nn.Normal(e.Table, r, 0, 0.1)
	return e
}

// NewOutput returns the softmax layer over all items: logits = h·Wᵀ + b, W items×hidden
// (each row an item's output embedding), PyTorch's Linear initialisation.
func NewOutput(be ag.Backend, name string, hidden, items int, r *rand.Rand) *nn.Linear {
	return nn.NewLinear(be, name, hidden, items, true, r)
}
