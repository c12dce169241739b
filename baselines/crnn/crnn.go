// Package crnn is the Collaborative RNN of Ko, Maystre and Grossglauser, "Collaborative Recurrent
// Neural Networks for Dynamic Recommender Systems" (ACML'16): a recurrent language model over each
// user's item sequence — items are words, with input and output embeddings — whose hidden state is
// personalised by a learned vector per user, which combines the language model with a latent
// factor model of collaborative filtering:
//
//	h_j = GRU([E_in·onehot(item_j) | Δt_j? | clock? | f_j?], h_{j−1})
//	s_j = h_j + u                                  (the personalised hidden state; u per user)
//	p(item_{j+1} = i) = softmax(E_out·s_j + b)_i   = exp(⟨e_i, h_j⟩ + ⟨e_i, u⟩ + b_i) / Z
//
// so the score of an item adds a sequence term ⟨e_i, h_j⟩ and a collaborative-filtering term
// ⟨e_i, u⟩ sharing the item's output embedding e_i. s_j is the dynamic user embedding. The paper's
// own text is not in shared/papers (only its abstract): these equations are our reading of it and
// of the description, recorded here so that a reader can check them against the paper.
package crnn

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("crnn", "Collaborative RNN (Ko et al. ACML'16): GRU language model over items, personalised by a user vector", New)
}

// Config is the model's parameters (configs/models/crnn.yaml), shared by the sequence baselines.
type Config = seqrec.Config

// Spec describes the model to the seqrec engine.
var Spec = seqrec.Spec{
	Name: "crnn", Scoring: "softmax", DefaultClock: seqrec.ClockOff,
	Build: func(c Config, d seqrec.Dims, be ag.Backend, r *rand.Rand) (seqrec.Net, error) {
		return NewNet(be, c.Dim, d, r), nil
	},
}

// New decodes the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return seqrec.New(Spec, params, env.Backend, env.Log)
}

// Net is the CRNN recurrence, the user vectors and the output embeddings.
type Net struct {
	Items    *nn.Embedding // input embeddings E_in
	UserVecs *nn.Embedding // u, one per user
	Cell     *nn.GRUCell
	Out      *nn.Linear    // rows are the output embeddings e_i, plus b
	Users    *seqrec.Table // h per user
}

// NewNet builds the net with hidden size dim.
func NewNet(be ag.Backend, dim int, d seqrec.Dims, r *rand.Rand) *Net {
	return &Net{
		Items:    seqrec.NewItemEmbedding(be, "crnn.items", d.Items, dim, r),
		UserVecs: seqrec.NewSmallEmbedding(be, "crnn.user_vectors", d.Users, dim, r),
		Cell:     nn.NewGRUCell(be, "crnn.cell", dim+d.Inputs.EventWidth(), dim, r),
		Out:      seqrec.NewOutput(be, "crnn.out", dim, d.Items, r),
		Users:    seqrec.NewTable(be, "crnn.users", d.Users, dim, false),
	}
}

// Params lists the trainable parameters (without the table's initial state).
func (n *Net) Params() nn.Params { return nn.Collect(n.Items, n.UserVecs, n.Cell, n.Out) }

// Tables lists the per-user state.
func (n *Net) Tables() []*seqrec.Table { return []*seqrec.Table{n.Users} }

// Step scores all items from s = h_{j−1} + u, then advances every user through its interaction.
func (n *Net) Step(tp *ag.Tape, b *seqrec.Batch) (logits, emb *ag.Tensor) {
	h := n.Users.Read(tp, b.Users)
	u := n.UserVecs.Forward(tp, b.Users)
	if b.WantLogits {
		logits = n.Out.Forward(tp, tp.Add(h, u))
	}
	h = n.Cell.Forward(tp, seqrec.EventInput(tp, n.Items, b), h)
	n.Users.Write(b.Users, h)
	return logits, tp.Add(h, u)
}
