// Package rmtp is RMTPP (Du, Dai, Trivedi, Upadhyay, Gomez-Rodriguez, Song, "Recurrent Marked
// Temporal Point Processes", KDD 2016), the "RMTP" row of JUMP's Tables 2 and 3: a recurrent
// network over (item, time) events whose hidden state gives both the next marker (the next click's
// item) and the intensity of the time to the next event (the dwell on the current click):
//
//	x_k = [E[i_k] | log(1 + τ_{k−1})]                    (τ_0 = 0: the time since the previous click)
//	h_k = GRU(x_k, h_{k−1})                              (RMTPP's RNN; a GRU here, as the other rows)
//	P(I_{k+1} = i) = softmax_i ⟨h_k, O[i]⟩                (the marker, over ALL items)
//	λ(t) = exp(vᵀh_k + b + w·t)                          (eq. 11; t minutes after click k)
//
// The dwell τ_k is the time to the next event; the likelihood is eq. 12–13's, censored clicks
// through the survival term (package session, Intensity). The dwell prediction is the expected
// time given an observed dwell (τ < c1), by numerical integration, as RMTPP predicts by its eq. 13.
// Neither head sees τ_k: h_k has read click k's item and the dwell before it only. RMTPP maximises
// the log-likelihood of whole event sequences by backpropagation through time: bptt: session.
package rmtp

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
	models.Register("rmtp", "RMTPP: GRU over (item, time) events, next-item softmax and exponential-intensity dwell time (Du et al., KDD 2016)", New)
}

// Spec describes RMTPP to the session engine.
var Spec = session.Spec{
	Name:        "rmtp",
	DefaultBPTT: session.BPTTSession,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c.Dim, d, r), nil
	},
}

// New decodes the parameters (configs/models/rmtp.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}

// Net is RMTPP's recurrence and heads.
type Net struct {
	Items *nn.Embedding
	Cell  *nn.GRUCell
	Out   *ag.Tensor // O: items×dim marker table
	V     *nn.Linear // vᵀh + b
	W     *ag.Tensor // 1×1: w
	zeros []int32
	delta []float64
	dim   int
}

// NewNet builds the net with hidden and embedding size dim. b starts at −log of the typical
// observed dwell in minutes (so the first intensities are of the data's scale), w at 0.
func NewNet(be ag.Backend, dim int, d session.Dims, r *rand.Rand) *Net {
	n := &Net{
		Items: nn.NewEmbedding(be, "rmtp.items", d.Items, dim, r),
		Cell:  nn.NewGRUCell(be, "rmtp.cell", dim+1, dim, r),
		Out:   ag.NewParam(be, "rmtp.out", d.Items, dim),
		V:     nn.NewLinear(be, "rmtp.v", dim, 1, true, r),
		W:     ag.NewParam(be, "rmtp.w", 1, 1),
		dim:   dim,
	}
	a := math.Sqrt(6 / float64(d.Items+dim))
	nn.Uniform(n.Out, r, -a, a)
	n.V.B.CopyFrom64([]float64{-(d.MeanLogDwell - math.Log(session.DefaultIntensityUnit))})
	return n
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params { return append(nn.Collect(n.Items, n.Cell, n.V), n.Out, n.W) }

// StateWidth is [h | log(1 + τ_k)]: the dwell enters the next click's input.
func (n *Net) StateWidth() int { return n.dim + 1 }

// HistoryWidth is 0: no attention.
func (n *Net) HistoryWidth() int { return 0 }

// Output is the marker table.
func (n *Net) Output() *ag.Tensor { return n.Out }

// DwellLaw is RMTPP's exponential intensity, in minutes.
func (n *Net) DwellLaw(_ session.Config, c1 float64) session.DwellLaw {
	return session.Intensity{Unit: session.DefaultIntensityUnit, C1: c1}
}

// Step reads click k (its item and the previous dwell), then gives the marker scores' vector h_k
// and the intensity parameters (vᵀh_k + b, w).
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	rows := len(s.Items)
	x := tp.Concat(n.Items.Forward(tp, s.Items), tp.SliceCols(s.State, n.dim, n.dim+1))
	h := n.Cell.Forward(tp, x, tp.SliceCols(s.State, 0, n.dim))
	if len(n.zeros) < rows {
		n.zeros = make([]int32, rows)
	}
	theta := tp.Concat(n.V.Forward(tp, h), tp.Gather(n.W, n.zeros[:rows]))
	n.delta = n.delta[:0]
	for _, tau := range s.Dwell {
		n.delta = append(n.delta, session.LogDwell(tau))
	}
	state := tp.Concat(h, tp.Input64(rows, 1, n.delta))
	return session.StepOut{State: state, Session: h, Dwell: theta}
}
