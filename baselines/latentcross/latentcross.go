// Package latentcross is the LatentCross baseline of the JODIE paper (Table 3): Beutel et al.,
// "Latent Cross: Making Use of Context in Recurrent Recommender Systems" (WSDM'18). A GRU runs over
// each user's items; the context is embedded and crossed element-wise, as (1 + w) ⊙ ·, with the
// recurrent cell's input and with its output:
//
//	w_j  = W_c·c_j + b_c,   c_j = [Δt_j | clock(t_j) | f_j]    (the revealed interaction's context)
//	x_j  = (1 + w_j) ⊙ E·onehot(item_j)                        (latent cross on the input)
//	h_j  = GRU(x_j, h_{j−1})
//	w'_j = W_q·q_j + b_q,   q_j = [Δt_j | clock(t_j)]           (what is known when predicting j)
//	p(item_j = i) = softmax(W_out·((1 + w'_j) ⊙ h_{j−1}) + b_out)_i   (latent cross on the output)
//
// Δt is the time since the user's previous interaction (the paper's "time since last watch"), and
// the clock is the time of day and day of week, on by default when the timestamps span two days
// or more. Features never enter the output cross: they are unknown before the interaction. The
// dynamic user embedding is h_j.
package latentcross

import (
	"errors"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("latentcross", "Latent Cross (Beutel et al. WSDM'18): GRU with context crossed as (1+w)⊙ on input and output", New)
}

// Config is the model's parameters (configs/models/latentcross.yaml), shared by the sequence baselines.
type Config = seqrec.Config

// Spec describes the model to the seqrec engine.
var Spec = seqrec.Spec{
	Name: "latentcross", Scoring: "softmax", DefaultClock: seqrec.ClockAuto,
	Check: func(c Config) error {
		if !*c.UseDt && !*c.UseFeatures && c.Clock == seqrec.ClockOff {
			return errors.New("use_dt, use_features and clock all off: Latent Cross needs some context to cross with")
		}
		return nil
	},
	Build: func(c Config, d seqrec.Dims, be ag.Backend, r *rand.Rand) (seqrec.Net, error) {
		if d.Inputs.EventWidth() == 0 {
			return nil, errors.New("no context: the data has no features and clock auto found a span under two days; set use_dt or clock: on")
		}
		return NewNet(be, c.Dim, d, r), nil
	},
}

// New decodes the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return seqrec.New(Spec, params, env.Backend, env.Log)
}

// Net is the Latent Cross GRU and its softmax layer.
type Net struct {
	Items *nn.Embedding
	In    *nn.Linear // context -> w (input cross)
	Query *nn.Linear // query context -> w' (output cross); nil without query context
	Cell  *nn.GRUCell
	Out   *nn.Linear
	Users *seqrec.Table // h per user
}

// NewNet builds the net with hidden size dim.
func NewNet(be ag.Backend, dim int, d seqrec.Dims, r *rand.Rand) *Net {
	n := &Net{
		Items: seqrec.NewItemEmbedding(be, "latentcross.items", d.Items, dim, r),
		In:    nn.NewLinear(be, "latentcross.cross_in", d.Inputs.EventWidth(), dim, true, r),
		Cell:  nn.NewGRUCell(be, "latentcross.cell", dim, dim, r),
		Out:   seqrec.NewOutput(be, "latentcross.out", dim, d.Items, r),
		Users: seqrec.NewTable(be, "latentcross.users", d.Users, dim, false),
	}
	if w := d.Inputs.QueryWidth(); w > 0 {
		n.Query = nn.NewLinear(be, "latentcross.cross_out", w, dim, true, r)
	}
	return n
}

// Params lists the trainable parameters (without the table's initial state).
func (n *Net) Params() nn.Params {
	ps := nn.Collect(n.Items, n.In, n.Cell, n.Out)
	if n.Query != nil {
		ps = append(ps, n.Query.Params()...)
	}
	return ps
}

// Tables lists the per-user state.
func (n *Net) Tables() []*seqrec.Table { return []*seqrec.Table{n.Users} }

// Step scores all items from (1 + w') ⊙ h_{j−1}, then advances every user through its interaction.
func (n *Net) Step(tp *ag.Tape, b *seqrec.Batch) (logits, emb *ag.Tensor) {
	h := n.Users.Read(tp, b.Users)
	if b.WantLogits {
		out := h
		if n.Query != nil {
			out = tp.Mul(h, tp.AddScalar(n.Query.Forward(tp, b.Query(tp)), 1))
		}
		logits = n.Out.Forward(tp, out)
	}
	x := tp.Mul(n.Items.Forward(tp, b.Items), tp.AddScalar(n.In.Forward(tp, b.Event(tp)), 1))
	h = n.Cell.Forward(tp, x, h)
	n.Users.Write(b.Users, h)
	return logits, h
}
