// Package lstm is the "LSTM" baseline of the JODIE paper (Table 3): a standard LSTM over each
// user's item sequence, with a softmax over all items as the next-item prediction.
//
//	x_j = [E·onehot(item_j) | Δt_j | clock(t_j) | f_j]      (the optional context per Config)
//	(h_j, c_j) = LSTM(x_j, (h_{j−1}, c_{j−1}))               (torch.nn.LSTMCell, gates i, f, g, o)
//	p(item_{j+1} = i) = softmax(W_out·h_j + b_out)_i          (over ALL items)
//
// h_0, c_0 are learned vectors shared by all users. The dynamic user embedding (the state-change
// read-out's input) is h_j. Training, evaluation and the read-out are package seqrec's.
package lstm

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("lstm", "LSTM over each user's item sequence, softmax over all items (JODIE's LSTM baseline)", New)
}

// Config is the model's parameters (configs/models/lstm.yaml), shared by the sequence baselines.
type Config = seqrec.Config

// Spec describes the model to the seqrec engine.
var Spec = seqrec.Spec{
	Name: "lstm", Scoring: "softmax", DefaultClock: seqrec.ClockOff,
	Build: func(c Config, d seqrec.Dims, be ag.Backend, r *rand.Rand) (seqrec.Net, error) {
		return NewNet(be, c.Dim, d, r), nil
	},
}

// New decodes the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return seqrec.New(Spec, params, env.Backend, env.Log)
}

// Net is the LSTM recurrence and its softmax layer.
type Net struct {
	Items *nn.Embedding // input embeddings
	Cell  *nn.LSTMCell
	Out   *nn.Linear
	Users *seqrec.Table // [h | c] per user
	dim   int
}

// NewNet builds the net with hidden size dim.
func NewNet(be ag.Backend, dim int, d seqrec.Dims, r *rand.Rand) *Net {
	return &Net{
		Items: seqrec.NewItemEmbedding(be, "lstm.items", d.Items, dim, r),
		Cell:  nn.NewLSTMCell(be, "lstm.cell", dim+d.Inputs.EventWidth(), dim, r),
		Out:   seqrec.NewOutput(be, "lstm.out", dim, d.Items, r),
		Users: seqrec.NewTable(be, "lstm.users", d.Users, 2*dim, false),
		dim:   dim,
	}
}

// Params lists the trainable parameters (without the table's initial state).
func (n *Net) Params() nn.Params { return nn.Collect(n.Items, n.Cell, n.Out) }

// Tables lists the per-user state.
func (n *Net) Tables() []*seqrec.Table { return []*seqrec.Table{n.Users} }

// Step scores all items from h_{j−1}, then advances every user through its interaction.
func (n *Net) Step(tp *ag.Tape, b *seqrec.Batch) (logits, emb *ag.Tensor) {
	H := n.dim
	st := n.Users.Read(tp, b.Users)
	h, c := tp.SliceCols(st, 0, H), tp.SliceCols(st, H, 2*H)
	if b.WantLogits {
		logits = n.Out.Forward(tp, h)
	}
	h, c = n.Cell.Forward(tp, seqrec.EventInput(tp, n.Items, b), h, c)
	n.Users.Write(b.Users, tp.Concat(h, c))
	return logits, h
}
