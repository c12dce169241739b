// Package timelstm is the Time-LSTM baseline of the JODIE paper (Table 3), with the Time-LSTM-3
// cell of Zhu et al., "What to Do Next: Modeling User Behaviors by Time-LSTM" (IJCAI'17), which
// performs best in that paper and is the one JODIE compares with (§5, "Baselines").
//
// The cell (paper eqs. for Time-LSTM 3; σ_Δt = tanh as in the official Theano code, whose time
// gates read tanh(W_t·Δt)), with Δt the z-scored time since the user's previous interaction:
//
//	i  = σ(W_xi·x + W_hi·h_{m−1} + w_ci ⊙ c_{m−1} + b_i)
//	T1 = σ(W_x1·x + tanh(W_t1·Δt) + b_1),   W_t1 ≤ 0   (short-term gate: a longer gap, less weight)
//	T2 = σ(W_x2·x + tanh(W_t2·Δt) + b_2)               (long-term gate)
//	g  = tanh(W_xc·x + W_hc·h_{m−1} + b_c)
//	c~ = (1 − i ⊙ T1) ⊙ c_{m−1} + i ⊙ T1 ⊙ g          (what the output sees)
//	c  = (1 − i) ⊙ c_{m−1} + i ⊙ T2 ⊙ g                (what is carried to the next step)
//	o  = σ(W_xo·x + W_to·Δt + W_ho·h_{m−1} + w_co ⊙ c~ + b_o)   (peephole on c~)
//	h  = o ⊙ tanh(c~)
//
// The forget gate is coupled to the input gate (1 − i), as in the paper. W_t1 starts U(−1, 0) (the
// official code's initialisation) and is clamped to ≤ 0 after every optimiser step (projected
// gradient), which is how the constraint is kept. x = [E·onehot(item) | clock? | features?]; Δt
// enters through the time gates only, so use_dt cannot be turned off. The next item is predicted
// by a softmax over all items from h_{m−1}; h is the dynamic user embedding.
package timelstm

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("timelstm", "Time-LSTM-3 (Zhu et al. IJCAI'17): LSTM with two time gates over each user's items", New)
}

// Config is the model's parameters (configs/models/timelstm.yaml), shared by the sequence baselines.
type Config = seqrec.Config

// Spec describes the model to the seqrec engine.
var Spec = seqrec.Spec{
	Name: "timelstm", Scoring: "softmax", DefaultClock: seqrec.ClockOff,
	Check: func(c Config) error {
		if !*c.UseDt {
			return errors.New("use_dt false: Time-LSTM's time gates are built on Δt and cannot do without it")
		}
		return nil
	},
	Build: func(c Config, d seqrec.Dims, be ag.Backend, r *rand.Rand) (seqrec.Net, error) {
		return NewNet(be, c.Dim, d, r), nil
	},
}

// New decodes the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return seqrec.New(Spec, params, env.Backend, env.Log)
}

// Cell is the Time-LSTM-3 cell.
type Cell struct {
	X        *nn.Linear // x -> [i, T1, T2, g, o] pre-activations, with the biases
	H        *nn.Linear // h -> [i, g, o], no bias
	Ci, Co   *ag.Tensor // 1×hidden peephole weights w_ci (on c_{m−1}) and w_co (on c~)
	T1, T2   *ag.Tensor // 1×hidden time weights of the gates; T1 ≤ 0
	To       *ag.Tensor // 1×hidden time weight of the output gate
	In, Size int
}

// NewCell returns a cell with PyTorch's recurrent initialisation U(±1/√hidden), except W_t1 ~ U(−1, 0).
func NewCell(be ag.Backend, name string, input, hidden int, r *rand.Rand) *Cell {
	bound := 1 / math.Sqrt(float64(hidden))
	c := &Cell{
		X:  &nn.Linear{W: ag.NewParam(be, name+".weight_x", 5*hidden, input), B: ag.NewParam(be, name+".bias", 1, 5*hidden), In: input, Out: 5 * hidden},
		H:  &nn.Linear{W: ag.NewParam(be, name+".weight_h", 3*hidden, hidden), In: hidden, Out: 3 * hidden},
		Ci: ag.NewParam(be, name+".peep_i", 1, hidden), Co: ag.NewParam(be, name+".peep_o", 1, hidden),
		T1: ag.NewParam(be, name+".time_1", 1, hidden), T2: ag.NewParam(be, name+".time_2", 1, hidden),
		To: ag.NewParam(be, name+".time_o", 1, hidden), In: input, Size: hidden,
	}
	for _, p := range []*ag.Tensor{c.X.W, c.X.B, c.H.W, c.Ci, c.Co, c.T2, c.To} {
		nn.Uniform(p, r, -bound, bound)
	}
	nn.Uniform(c.T1, r, -1, 0)
	return c
}

// Params lists the cell's parameters.
func (c *Cell) Params() nn.Params {
	return nn.Params{c.X.W, c.X.B, c.H.W, c.Ci, c.Co, c.T1, c.T2, c.To}
}

// Project clamps W_t1 to ≤ 0, the paper's constraint.
func (c *Cell) Project() {
	c.T1.Backend().Clamp(c.T1.Storage(), math.Inf(-1), 0)
}

// Forward advances (h, c) by input x (B×In) after a gap dt (B×1); it returns h and the carried c.
func (c *Cell) Forward(tp *ag.Tape, x, dt, h, cell *ag.Tensor) (hNext, cNext *ag.Tensor) {
	H := c.Size
	gx, gh := c.X.Forward(tp, x), c.H.Forward(tp, h)
	i := tp.Sigmoid(tp.Add(tp.Add(tp.SliceCols(gx, 0, H), tp.SliceCols(gh, 0, H)), tp.Mul(cell, c.Ci)))
	t1 := tp.Sigmoid(tp.Add(tp.SliceCols(gx, H, 2*H), tp.Tanh(tp.MatMul(dt, c.T1))))
	t2 := tp.Sigmoid(tp.Add(tp.SliceCols(gx, 2*H, 3*H), tp.Tanh(tp.MatMul(dt, c.T2))))
	g := tp.Tanh(tp.Add(tp.SliceCols(gx, 3*H, 4*H), tp.SliceCols(gh, H, 2*H)))
	// c~ = (1 − i⊙T1)⊙c + i⊙T1⊙g = c + i⊙T1⊙(g − c);  c' = (1 − i)⊙c + i⊙T2⊙g = c + i⊙(T2⊙g − c)
	cTilde := tp.Add(cell, tp.Mul(tp.Mul(i, t1), tp.Sub(g, cell)))
	cNext = tp.Add(cell, tp.Mul(i, tp.Sub(tp.Mul(t2, g), cell)))
	o := tp.Sigmoid(tp.Add(tp.Add(tp.Add(tp.SliceCols(gx, 4*H, 5*H), tp.MatMul(dt, c.To)), tp.SliceCols(gh, 2*H, 3*H)),
		tp.Mul(cTilde, c.Co)))
	return tp.Mul(o, tp.Tanh(cTilde)), cNext
}

// Net is the Time-LSTM recurrence over each user's items and its softmax layer.
type Net struct {
	Items *nn.Embedding
	Cell  *Cell
	Out   *nn.Linear
	Users *seqrec.Table // [h | c] per user
	dim   int
	dt    bool // the batch's event context starts with Δt, which x leaves out
}

// NewNet builds the net with hidden size dim.
func NewNet(be ag.Backend, dim int, d seqrec.Dims, r *rand.Rand) *Net {
	in := d.Inputs.EventWidth()
	if d.Inputs.DeltaT {
		in--
	}
	return &Net{
		Items: seqrec.NewItemEmbedding(be, "timelstm.items", d.Items, dim, r),
		Cell:  NewCell(be, "timelstm.cell", dim+in, dim, r),
		Out:   seqrec.NewOutput(be, "timelstm.out", dim, d.Items, r),
		Users: seqrec.NewTable(be, "timelstm.users", d.Users, 2*dim, false),
		dim:   dim, dt: d.Inputs.DeltaT,
	}
}

// Params lists the trainable parameters (without the table's initial state).
func (n *Net) Params() nn.Params { return nn.Collect(n.Items, n.Cell, n.Out) }

// Tables lists the per-user state.
func (n *Net) Tables() []*seqrec.Table { return []*seqrec.Table{n.Users} }

// Project keeps W_t1 ≤ 0 after every optimiser step.
func (n *Net) Project() { n.Cell.Project() }

// Step scores all items from h_{m−1}, then advances every user through its interaction.
func (n *Net) Step(tp *ag.Tape, b *seqrec.Batch) (logits, emb *ag.Tensor) {
	H := n.dim
	st := n.Users.Read(tp, b.Users)
	h, c := tp.SliceCols(st, 0, H), tp.SliceCols(st, H, 2*H)
	if b.WantLogits {
		logits = n.Out.Forward(tp, h)
	}
	x := n.Items.Forward(tp, b.Items)
	if ev := b.Event(tp); ev != nil {
		from := 0
		if n.dt {
			from = 1
		}
		if ev.Cols() > from {
			x = tp.Concat(x, tp.SliceCols(ev, from, ev.Cols()))
		}
	}
	h, c = n.Cell.Forward(tp, x, b.DeltaUser(tp), h, c)
	n.Users.Write(b.Users, tp.Concat(h, c))
	return logits, h
}
