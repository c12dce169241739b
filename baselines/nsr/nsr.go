// Package nsr is the Neural Survival Recommender (Jing and Smola, "Neural Survival Recommender",
// WSDM 2017), the "NSR" row of JUMP's Tables 2 and 3: an LSTM over the session's events with a
// survival head for the time to the next event (here the dwell on the current click) beside the
// next-item softmax:
//
//	x_k = [E[i_k] | log(1 + τ_{k−1})]                    (τ_0 = 0)
//	(h_k, c_k) = LSTM(x_k, (h_{k−1}, c_{k−1}))
//	P(I_{k+1} = i) = softmax_i ⟨h_k, O[i]⟩                (over ALL items)
//	hazard of τ_k in bin b = σ(U_b h_k + u_b)            (DiscreteHazard, 20 bins uniform in
//	                                                     log(1 + τ) over [0, c1), censored clicks
//	                                                     through the survival term)
//
// NSR stacks three LSTM layers and models returns over days; one layer and dwell-scale bins keep
// it comparable with the other rows at dimension 100. The dwell prediction is the median given an
// observed dwell (τ < c1). Neither head sees τ_k. NSR trains its LSTM on whole sequences by
// backpropagation through time: bptt: session.
package nsr

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
	models.Register("nsr", "NSR: LSTM with a discrete-time survival head for the dwell time and a next-item softmax (Jing & Smola, WSDM 2017)", New)
}

// Spec describes NSR to the session engine.
var Spec = session.Spec{
	Name:        "nsr",
	DefaultBPTT: session.BPTTSession,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c.Dim, d.Items, r), nil
	},
}

// New decodes the parameters (configs/models/nsr.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}

// Net is NSR's recurrence and heads.
type Net struct {
	Items  *nn.Embedding
	Cell   *nn.LSTMCell
	Out    *ag.Tensor // O: items×dim
	Hazard *nn.Linear // dim → bins
	delta  []float64
	dim    int
}

// NewNet builds the net with hidden and embedding size dim.
func NewNet(be ag.Backend, dim, items int, r *rand.Rand) *Net {
	n := &Net{
		Items:  nn.NewEmbedding(be, "nsr.items", items, dim, r),
		Cell:   nn.NewLSTMCell(be, "nsr.cell", dim+1, dim, r),
		Out:    ag.NewParam(be, "nsr.out", items, dim),
		Hazard: nn.NewLinear(be, "nsr.hazard", dim, session.DefaultBins, true, r),
		dim:    dim,
	}
	a := math.Sqrt(6 / float64(items+dim))
	nn.Uniform(n.Out, r, -a, a)
	return n
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params { return append(nn.Collect(n.Items, n.Cell, n.Hazard), n.Out) }

// StateWidth is [h | c | log(1 + τ_k)].
func (n *Net) StateWidth() int { return 2*n.dim + 1 }

// HistoryWidth is 0: no attention.
func (n *Net) HistoryWidth() int { return 0 }

// Output is the item table.
func (n *Net) Output() *ag.Tensor { return n.Out }

// DwellLaw is the binned hazard over [0, c1).
func (n *Net) DwellLaw(_ session.Config, c1 float64) session.DwellLaw {
	return session.DiscreteHazard{Bins: session.DefaultBins, C1: c1}
}

// Step reads click k (item and previous dwell) and gives h_k and the hazard logits.
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	d, rows := n.dim, len(s.Items)
	x := tp.Concat(n.Items.Forward(tp, s.Items), tp.SliceCols(s.State, 2*d, 2*d+1))
	h, c := n.Cell.Forward(tp, x, tp.SliceCols(s.State, 0, d), tp.SliceCols(s.State, d, 2*d))
	n.delta = n.delta[:0]
	for _, tau := range s.Dwell {
		n.delta = append(n.delta, session.LogDwell(tau))
	}
	state := tp.Concat(h, c, tp.Input64(rows, 1, n.delta))
	return session.StepOut{State: state, Session: h, Dwell: n.Hazard.Forward(tp, h)}
}
