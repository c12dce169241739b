// Package atrp is ATRP, the attentional twin recurrent point process (Xiao, Yan, Farajtabar,
// Song, Yang, Zha, "Joint Modeling of Event Sequence and Time Series with Attentional Twin
// Recurrent Neural Networks", 2017), the "ATRP" row of JUMP's Tables 2 and 3: two recurrent
// networks — one over the event sequence, one over the time series — an attention over the
// event RNN's past states, and a marked point-process output:
//
//	event RNN:   e_k = GRU_e(E[i_k], e_{k−1})
//	time RNN:    s_k = GRU_s(log(1 + τ_{k−1}), s_{k−1})        (τ_0 = 0)
//	attention:   c_k = Σ_{j≤k} softmax_j(⟨e_j, e_k⟩/√d) e_j     (over the session's event states)
//	fused:       u_k = tanh(F [c_k | s_k] + f)
//	marker:      P(I_{k+1} = i) = softmax_i ⟨u_k, O[i]⟩          (over ALL items)
//	time:        λ(t) = exp(vᵀu_k + b + w·t)                    (RMTPP's intensity, package session's
//	                                                          Intensity; censored via the survival term)
//
// Sessions carry no time series besides the clicks, so the time RNN reads the click-time series
// (the previous dwell), which is what remains of the twin design here. The dwell prediction is the
// expected dwell given an observed dwell (τ < c1). Neither head sees τ_k. ATRP maximises the
// sequence log-likelihood by backpropagation through time, attention included: bptt: session.
package atrp

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
	models.Register("atrp", "ATRP: attentional twin RNNs (events and time) with a marked intensity (Xiao et al. 2017)", New)
}

// Spec describes ATRP to the session engine.
var Spec = session.Spec{
	Name:        "atrp",
	Uses:        []string{session.KeyHistory},
	DefaultBPTT: session.BPTTSession,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c.Dim, d, r), nil
	},
}

// New decodes the parameters (configs/models/atrp.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}

// Net is ATRP's twin recurrences, attention and heads.
type Net struct {
	Items *nn.Embedding
	Event *nn.GRUCell
	Time  *nn.GRUCell
	Fuse  *nn.Linear // [c | s] → u
	Out   *ag.Tensor // O: items×dim
	V     *nn.Linear // vᵀu + b
	W     *ag.Tensor // 1×1: w
	zeros []int32
	delta []float64
	dim   int
}

// NewNet builds ATRP with hidden and embedding size dim; b starts at −log of the typical observed
// dwell in minutes, w at 0.
func NewNet(be ag.Backend, dim int, d session.Dims, r *rand.Rand) *Net {
	n := &Net{
		Items: nn.NewEmbedding(be, "atrp.items", d.Items, dim, r),
		Event: nn.NewGRUCell(be, "atrp.event", dim, dim, r),
		Time:  nn.NewGRUCell(be, "atrp.time", 1, dim, r),
		Fuse:  nn.NewLinear(be, "atrp.fuse", 2*dim, dim, true, r),
		Out:   ag.NewParam(be, "atrp.out", d.Items, dim),
		V:     nn.NewLinear(be, "atrp.v", dim, 1, true, r),
		W:     ag.NewParam(be, "atrp.w", 1, 1),
		dim:   dim,
	}
	a := math.Sqrt(6 / float64(d.Items+dim))
	nn.Uniform(n.Out, r, -a, a)
	n.V.B.CopyFrom64([]float64{-(d.MeanLogDwell - math.Log(session.DefaultIntensityUnit))})
	return n
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	return append(nn.Collect(n.Items, n.Event, n.Time, n.Fuse, n.V), n.Out, n.W)
}

// StateWidth is [e | s | log(1 + τ_k)].
func (n *Net) StateWidth() int { return 2*n.dim + 1 }

// HistoryWidth is e's: attention reads the event RNN's states.
func (n *Net) HistoryWidth() int { return n.dim }

// Output is the marker table.
func (n *Net) Output() *ag.Tensor { return n.Out }

// DwellLaw is the exponential intensity, in minutes.
func (n *Net) DwellLaw(_ session.Config, c1 float64) session.DwellLaw {
	return session.Intensity{Unit: session.DefaultIntensityUnit, C1: c1}
}

// Step advances both RNNs through click k and gives the fused vector and intensity parameters.
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	d, rows := n.dim, len(s.Items)
	e := n.Event.Forward(tp, n.Items.Forward(tp, s.Items), tp.SliceCols(s.State, 0, d))
	ts := n.Time.Forward(tp, tp.SliceCols(s.State, 2*d, 2*d+1), tp.SliceCols(s.State, d, 2*d))
	keys, mask, steps := s.Attend(tp, e)
	w := tp.Softmax(tp.Scale(tp.SeqDot(e, keys, steps), 1/math.Sqrt(float64(d))), mask)
	u := tp.Tanh(n.Fuse.Forward(tp, tp.Concat(tp.SeqWeightedSum(w, keys), ts)))
	if len(n.zeros) < rows {
		n.zeros = make([]int32, rows)
	}
	theta := tp.Concat(n.V.Forward(tp, u), tp.Gather(n.W, n.zeros[:rows]))
	n.delta = n.delta[:0]
	for _, tau := range s.Dwell {
		n.delta = append(n.delta, session.LogDwell(tau))
	}
	state := tp.Concat(e, ts, tp.Input64(rows, 1, n.delta))
	return session.StepOut{State: state, Hidden: e, Session: u, Dwell: theta}
}
