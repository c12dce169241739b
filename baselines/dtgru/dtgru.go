// Package dtgru is the "DTGRU" row of JUMP's Table 3 (printed "DTGU"; the text cites Li et al.
// 2016 for it). That paper is not among the project's copies, so this is the time-gated GRU the
// row's name describes, built from the time gate of Time-LSTM (Zhu et al., IJCAI 2017, eq. T1)
// put into a GRU (Cho et al. 2014):
//
//	Δ_k = log(1 + τ_k)                                   (the click's dwell, as JUMP's input)
//	r = σ(W_r x + U_r h + b_r),  z = σ(W_z x + U_z h + b_z)
//	T = σ(W_t x + σ(q Δ_k) + b_t)                        (time gate; q is 1×dim)
//	ĥ = tanh(W_h x + U_h (r ⊙ h) + b_h)
//	h' = (1 − z) ⊙ h + z ⊙ T ⊙ ĥ
//	score(i) = ⟨h', O[i]⟩                                 (over ALL items, softmax cross-entropy)
//
// with x = E[i_k]. Like JUMP, the click's dwell τ_k enters the state the next click is predicted
// from. No dwell head: its dwell prediction is 0 s (Table 2 has no DTGRU row). Training
// backpropagates through whole sessions (bptt: session), as Time-LSTM's training does over whole
// sequences; the source's own code is not at hand, and GRU4Rec's per-click truncation (bptt:
// click) is the other choice, which the departures experiment measures.
package dtgru

import (
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("dtgru", "DTGRU: GRU with a dwell-time gate (Time-LSTM's gate in a GRU; JUMP's DTGRU comparator)", New)
}

// Spec describes DTGRU to the session engine.
var Spec = session.Spec{
	Name:        "dtgru",
	DefaultBPTT: session.BPTTSession,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c.Dim, d.Items, r), nil
	},
}

// New decodes the parameters (configs/models/dtgru.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}

// Cell is the time-gated GRU cell.
type Cell struct {
	X   *nn.Linear // x → [r | z | t | ĥ] pre-activations, with the biases
	H   *nn.Linear // h → [r | z] pre-activations
	U   *nn.Linear // r⊙h → ĥ pre-activation
	Q   *ag.Tensor // 1×dim time weights q
	dim int
}

// NewCell returns a cell with input width in and state width dim.
func NewCell(be ag.Backend, name string, in, dim int, r *rand.Rand) *Cell {
	c := &Cell{
		X:   nn.NewLinear(be, name+".x", in, 4*dim, true, r),
		H:   nn.NewLinear(be, name+".h", dim, 2*dim, false, r),
		U:   nn.NewLinear(be, name+".u", dim, dim, false, r),
		Q:   ag.NewParam(be, name+".q", 1, dim),
		dim: dim,
	}
	a := 1 / math.Sqrt(float64(dim))
	nn.Uniform(c.Q, r, -a, a)
	return c
}

// Params lists the cell's parameters.
func (c *Cell) Params() nn.Params { return append(nn.Collect(c.X, c.H, c.U), c.Q) }

// Forward returns h' for inputs x, states h and time features delta (n×1).
func (c *Cell) Forward(tp *ag.Tape, x, h, delta *ag.Tensor) *ag.Tensor {
	d := c.dim
	gx := c.X.Forward(tp, x)
	gh := c.H.Forward(tp, h)
	r := tp.Sigmoid(tp.Add(tp.SliceCols(gx, 0, d), tp.SliceCols(gh, 0, d)))
	z := tp.Sigmoid(tp.Add(tp.SliceCols(gx, d, 2*d), tp.SliceCols(gh, d, 2*d)))
	// q Δ: the n×1 column times the 1×dim row, as a rank-one product
	time := tp.Sigmoid(tp.Add(tp.SliceCols(gx, 2*d, 3*d), tp.Sigmoid(tp.MatMul(delta, c.Q))))
	cand := tp.Tanh(tp.Add(tp.SliceCols(gx, 3*d, 4*d), c.U.Forward(tp, tp.Mul(r, h))))
	// (1 − z)⊙h + z⊙T⊙ĥ = h + z⊙(T⊙ĥ − h)
	return tp.Add(h, tp.Mul(z, tp.Sub(tp.Mul(time, cand), h)))
}

// Net is DTGRU's embedding, cell and output table.
type Net struct {
	Items *nn.Embedding
	Cell  *Cell
	Out   *ag.Tensor
	delta []float64
	dim   int
}

// NewNet builds the net with hidden and embedding size dim.
func NewNet(be ag.Backend, dim, items int, r *rand.Rand) *Net {
	n := &Net{
		Items: nn.NewEmbedding(be, "dtgru.items", items, dim, r),
		Cell:  NewCell(be, "dtgru.cell", dim, dim, r),
		Out:   ag.NewParam(be, "dtgru.out", items, dim),
		dim:   dim,
	}
	a := math.Sqrt(6 / float64(items+dim))
	nn.Uniform(n.Out, r, -a, a)
	return n
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params { return append(nn.Collect(n.Items, n.Cell), n.Out) }

// StateWidth is h's.
func (n *Net) StateWidth() int { return n.dim }

// HistoryWidth is 0: no attention.
func (n *Net) HistoryWidth() int { return 0 }

// Output is the item table scores are taken against.
func (n *Net) Output() *ag.Tensor { return n.Out }

// Step advances h through the clicks and their dwell times.
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	n.delta = n.delta[:0]
	for _, tau := range s.Dwell {
		n.delta = append(n.delta, session.LogDwell(tau))
	}
	h := n.Cell.Forward(tp, n.Items.Forward(tp, s.Items), s.State, tp.Input64(len(n.delta), 1, n.delta))
	return session.StepOut{State: h, Session: h}
}
