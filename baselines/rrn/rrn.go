// Package rrn is the Recurrent Recommender Networks baseline of the JODIE paper (Table 3): Wu et
// al., "Recurrent Recommender Networks" (WSDM'17). Users and items both have an LSTM over their own
// interaction sequences — the user's inputs are the items it meets, the item's the users that meet
// it, each with the time since its previous interaction — plus stationary embeddings, as in the
// paper's rating model r(u, i, t) = ⟨ũ_t, ĩ_t⟩ + ⟨u, i⟩:
//
//	(hu_j, cu_j) = LSTM_u([E_i·onehot(item_j) | Δt_user? | clock? | f_j?], (hu, cu))
//	(hi_j, ci_j) = LSTM_i([E_u·onehot(user_j) | Δt_item? | f_j?], (hi, ci))
//	score(u, i, t) = ⟨W·hu + b, hi⟩ + ⟨s_u, s_i⟩ + b_i  [+ ⟨V·hu, s_i⟩ with cross: true, the default]
//
// hu and hi are the states after the user's and the item's last interactions before t.
//
// The paper projects both states affinely, ⟨W_u·hu + b_u, W_i·hi + b_i⟩; that expands to
// huᵀW_uᵀW_i·hi + b_uᵀW_i·hi plus terms equal for every item, which the softmax ignores, so one
// affine map on the user side (W = W_iᵀW_u) scores items in exactly the same order while keeping
// the per-step cost at one product with the item states. Likewise the user bias is left out.
//
// The cross term. With the paper's score alone, nothing relates the user's dynamic state to an
// item's identity: hu knows which items the user met, hi which users met the item, and the
// stationary term is static. "The item I just used", which 61-79% of interactions repeat on
// Reddit and Wikipedia, can then only be learnt by memorising user-item pairs, which does not
// carry over to the test period (measured on synth-wikipedia-small after 3 epochs: test MRR 0.73
// on rows already trained on, 0.32 on the test rows). The JODIE paper's setting gives every
// baseline a static one-hot item embedding beside its dynamic one (§5: "one-hot vectors for static
// embeddings"), which lets a user's dynamic embedding be scored against item identities: the term
// ⟨V·hu, s_i⟩ does that with the learned stationary item embedding (test MRR 0.73 there). It is on
// by default; cross: false gives the paper's score alone.
//
// The paper trains on ratings with a squared loss; here, as for every next-item baseline, the
// scores of ALL items go through a softmax cross-entropy (JODIE's setting). Because an item's
// score needs its state at the query time, training runs on t-batches (every user and item at
// most once per step, in time order; seqrec.Coupled), and evaluation streams one interaction at
// a time so that every item is scored with its exact current state. hu is the dynamic user
// embedding.
package rrn

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("rrn", "Recurrent Recommender Networks (Wu et al. WSDM'17): user and item LSTMs plus stationary factors", New)
}

// Config is the model's parameters (configs/models/rrn.yaml), shared by the sequence baselines.
type Config = seqrec.Config

// Spec describes the model to the seqrec engine.
var Spec = seqrec.Spec{
	Name: "rrn", Scoring: "dot", Coupled: true, DefaultClock: seqrec.ClockOff, Cross: true,
	Build: func(c Config, d seqrec.Dims, be ag.Backend, r *rand.Rand) (seqrec.Net, error) {
		return NewNet(be, c.Dim, *c.Cross, d, r), nil
	},
}

// New decodes the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return seqrec.New(Spec, params, env.Backend, env.Log)
}

// Net holds both recurrences, the stationary factors and the state tables.
type Net struct {
	ItemIn, UserIn     *nn.Embedding // inputs of the user and of the item LSTM
	UserStat, ItemStat *nn.Embedding // stationary factors s_u, s_i
	ItemBias           *ag.Tensor    // 1×items
	UserCell, ItemCell *nn.LSTMCell
	Query              *nn.Linear    // W, b
	Cross              *nn.Linear    // V; nil without the cross term
	Users              *seqrec.Table // [hu | cu]
	ItemH, ItemC       *seqrec.Table // hi and ci, apart so that scoring reads hi alone
	all                []int32       // 0..items-1
	dim                int
}

// NewNet builds the net with hidden size dim, with or without the cross term.
func NewNet(be ag.Backend, dim int, cross bool, d seqrec.Dims, r *rand.Rand) *Net {
	n := &Net{
		ItemIn:   seqrec.NewItemEmbedding(be, "rrn.item_in", d.Items, dim, r),
		UserIn:   seqrec.NewSmallEmbedding(be, "rrn.user_in", d.Users, dim, r),
		UserStat: seqrec.NewSmallEmbedding(be, "rrn.user_stationary", d.Users, dim, r),
		ItemStat: seqrec.NewSmallEmbedding(be, "rrn.item_stationary", d.Items, dim, r),
		ItemBias: ag.NewParam(be, "rrn.item_bias", 1, d.Items),
		UserCell: nn.NewLSTMCell(be, "rrn.user_cell", dim+d.Inputs.EventWidth(), dim, r),
		ItemCell: nn.NewLSTMCell(be, "rrn.item_cell", dim+d.Inputs.ItemEventWidth(), dim, r),
		Query:    nn.NewLinear(be, "rrn.query", dim, dim, true, r),
		Users:    seqrec.NewTable(be, "rrn.users", d.Users, 2*dim, false),
		ItemH:    seqrec.NewTable(be, "rrn.items_h", d.Items, dim, true),
		ItemC:    seqrec.NewTable(be, "rrn.items_c", d.Items, dim, true),
		dim:      dim,
	}
	if cross {
		n.Cross = nn.NewLinear(be, "rrn.cross", dim, dim, false, r)
	}
	for i := range d.Items {
		n.all = append(n.all, int32(i))
	}
	return n
}

// Params lists the trainable parameters (without the tables' initial states).
func (n *Net) Params() nn.Params {
	ps := append(nn.Collect(n.ItemIn, n.UserIn, n.UserStat, n.ItemStat, n.UserCell, n.ItemCell, n.Query), n.ItemBias)
	if n.Cross != nil {
		ps = append(ps, n.Cross.Params()...)
	}
	return ps
}

// Tables lists the user and item states.
func (n *Net) Tables() []*seqrec.Table { return []*seqrec.Table{n.Users, n.ItemH, n.ItemC} }

// Step scores all items with every item's current state, then advances the batch's users and
// items (distinct within a batch) through their interactions.
func (n *Net) Step(tp *ag.Tape, b *seqrec.Batch) (logits, emb *ag.Tensor) {
	H := n.dim
	su := n.Users.Read(tp, b.Users)
	hu, cu := tp.SliceCols(su, 0, H), tp.SliceCols(su, H, 2*H)
	if b.WantLogits {
		// Without a gradient every state lives in the table's values; with one, rows written in
		// this window must be read with their history.
		items := n.ItemH.Values
		if tp.Recording() {
			items = n.ItemH.Read(tp, n.all)
		}
		dyn := tp.MatMulT(n.Query.Forward(tp, hu), items, false, true)
		// ⟨s_u, s_i⟩ (+ ⟨V·hu, s_i⟩) in one product: ⟨s_u + V·hu, s_i⟩.
		q := n.UserStat.Forward(tp, b.Users)
		if n.Cross != nil {
			q = tp.Add(q, n.Cross.Forward(tp, hu))
		}
		stat := tp.MatMulT(q, n.ItemStat.Table, false, true)
		logits = tp.Add(tp.Add(dyn, stat), n.ItemBias)
	}
	hu, cu = n.UserCell.Forward(tp, seqrec.EventInput(tp, n.ItemIn, b), hu, cu)
	xi := n.UserIn.Forward(tp, b.Users)
	if ev := b.ItemEvent(tp); ev != nil {
		xi = tp.Concat(xi, ev)
	}
	hi, ci := n.ItemCell.Forward(tp, xi, n.ItemH.Read(tp, b.Items), n.ItemC.Read(tp, b.Items))
	n.Users.Write(b.Users, tp.Concat(hu, cu))
	n.ItemH.Write(b.Items, hi)
	n.ItemC.Write(b.Items, ci)
	return logits, hu
}
