package session

import (
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Net is one session model's recurrence, as the engine drives it.
type Net interface {
	// Params are the trainable parameters.
	Params() nn.Params
	// StateWidth is the width of the state carried from click to click (a session starts from
	// zeros).
	StateWidth() int
	// HistoryWidth is the width of the hidden states the net attends over (Step.Attend); 0 for
	// nets without attention.
	HistoryWidth() int
	// Output is the item table the session vector is scored against: the scores of all items
	// are v·Outputᵀ (NumItems×Dim).
	Output() *ag.Tensor
	// Step advances every lane through its current click.
	Step(tp *ag.Tape, s *Step) StepOut
}

// DwellNet is a net with a dwell-time head: its Step returns, in StepOut.Dwell, the parameters θ
// (n×P) of each lane's current-click dwell distribution. The law (likelihood with censoring, point
// prediction) is evaluated on the host in float64 and enters training through a surrogate whose
// gradient in θ is dNLL/dθ. θ must not depend on the click's own dwell (JUMP's head reads the
// state before the click; point-process heads the state after the click's item).
type DwellNet interface {
	Net
	// DwellLaw returns the law θ parameterises; c is the resolved config, c1 the data's
	// censoring threshold (the bound of every observed dwell).
	DwellLaw(c Config, c1 float64) DwellLaw
}

// AheadDwellNet is a DwellNet whose parameters for a click depend only on the state before it and
// the clicked item (JUMP eq. 11: μ_k from v_{k−1} and i_k), so that the click's θ can be computed
// one step early, from the previous step's live output. Under the engine's per-click gradient
// truncation the step's own θ sees the previous state as a constant and the dwell loss trains only
// the dwell head; computed ahead (Config.DwellGradient "shared"), it also trains the layers the
// click head shares, as JUMP's joint objective does. The values are the same either way.
type AheadDwellNet interface {
	DwellNet
	// DwellAhead returns θ (len(items)×P) for the next clicks items of the rows of a step's output
	// state (the State field of its StepOut).
	DwellAhead(tp *ag.Tape, state *ag.Tensor, items []int32) *ag.Tensor
}

// BatchInputNet is a net whose input layer embeds each click independently of the recurrence
// (JUMP eq. 16: x_k = BatchNorm(V[i_k] + T[τ_k])). With BPTT "session" the engine embeds all the
// clicks of a mini-batch in one call, so that batch statistics are taken over the batch's clicks
// (as a padded-batch implementation normalises its whole input tensor) rather than over the few
// sessions still running at a late click, and hands each step its rows in Step.X.
type BatchInputNet interface {
	Net
	// Inputs returns x (len(items)×width) for clicks with the given items and dwell times.
	Inputs(tp *ag.Tape, items []int32, dwell []float64, train bool) *ag.Tensor
}

// DwellLaw is a dwell-time distribution given its parameters θ.
type DwellLaw interface {
	// NumParams is P, θ's width.
	NumParams() int
	// NLL returns a click's negative log-likelihood for dwell tau (a lower bound when censored)
	// and writes dNLL/dθ to grad.
	NLL(theta []float64, tau float64, censored bool, grad []float64) float64
	// Point is the predicted dwell time in seconds, the value MAE scores.
	Point(theta []float64) float64
}

// Step is one batch step's input: for each of the n active lanes, its state before the click, the
// clicked item and the click's dwell time.
type Step struct {
	State *ag.Tensor // n×StateWidth
	Items []int32    // clicked items
	Dwell []float64  // the clicks' censored dwell times τ (seconds, JUMP eq. 4)
	Train bool       // training (batch statistics) or evaluation (running statistics)
	// X is the clicks' input rows from BatchInputNet.Inputs when the engine computed them for a
	// whole mini-batch (BPTT "session"); nil otherwise, and the net embeds the clicks itself.
	X *ag.Tensor

	past     *ag.Tensor  // (n·pastLen)×HistoryWidth: lane j's earlier hidden states at rows j·pastLen+i
	pastRefs []ag.RowRef // instead of past (BPTT "session"): the same rows as live tape rows
	pastLen  int
	histLen  []int // per lane, how many rows of past are valid
	refs     []ag.RowRef
	mask     []float32
}

// StepOut is what a net returns for a step.
type StepOut struct {
	State   *ag.Tensor // n×StateWidth after the click
	Hidden  *ag.Tensor // n×HistoryWidth, appended to the lanes' histories (nil without attention)
	Session *ag.Tensor // n×Dim session vector v after the click, scored against Output
	Dwell   *ag.Tensor // n×P dwell-law parameters of the click (DwellNet), nil otherwise
}

// Attend returns the keys of attention for the hidden states h (n×W) of the current click: for
// each lane its session's earlier hidden states (at most Config.History; constants under BPTT
// "click", live tape rows under "session") followed by its h, as (n·T)×W rows with the n×T mask
// of the valid ones (1) and padding (0).
func (s *Step) Attend(tp *ag.Tape, h *ag.Tensor) (keys, mask *ag.Tensor, steps int) {
	n := h.Rows()
	steps = s.pastLen + 1
	s.refs = s.refs[:0]
	s.mask = grow(s.mask, n*steps)
	for j := range n {
		for i := range steps {
			switch {
			case i < s.histLen[j] && s.pastRefs != nil:
				s.refs = append(s.refs, s.pastRefs[j*s.pastLen+i])
				s.mask[j*steps+i] = 1
			case i < s.histLen[j]:
				s.refs = append(s.refs, ag.RowRef{T: s.past, Row: int32(j*s.pastLen + i)})
				s.mask[j*steps+i] = 1
			case i == s.histLen[j]:
				s.refs = append(s.refs, ag.RowRef{T: h, Row: int32(j)})
				s.mask[j*steps+i] = 1
			default: // padding: any row, masked out
				s.refs = append(s.refs, ag.RowRef{T: h, Row: int32(j)})
				s.mask[j*steps+i] = 0
			}
		}
	}
	return tp.GatherRefs(s.refs), tp.Input(n, steps, s.mask[:n*steps]), steps
}

// Dims are the sizes a net is built for.
type Dims struct {
	Items int // distinct items
	// DwellBuckets is the number of whole-second dwell buckets 0..C1 (JUMP eq. 16's T has one row
	// per bucket; censored dwells are C1 at most).
	DwellBuckets int
	// MeanLogDwell is the mean of log(1 + τ) over the observed training dwells, a starting point
	// for dwell heads' biases.
	MeanLogDwell float64
}

// Spec describes one model to the engine.
type Spec struct {
	Name        string
	Description string
	// Uses lists the model-specific Config keys the model reads (KeyLoss, KeySigma, …).
	Uses []string
	// DefaultLoss is Config.Loss's default for models that take "loss" (empty: cross-entropy).
	DefaultLoss string
	// DefaultBPTT is Config.BPTT's default (empty: BPTTClick), the training of the model's
	// original code.
	DefaultBPTT string
	// Build creates the net with its initial parameters drawn from r.
	Build func(c Config, d Dims, be ag.Backend, r *rand.Rand) (Net, error)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// NewStep builds a step by hand, for nets' tests and gradient checks: past (nil when pastLen is 0)
// holds lane j's earlier hidden states at rows j·pastLen+i for i < histLen[j].
func NewStep(state *ag.Tensor, items []int32, dwell []float64, train bool, past *ag.Tensor, pastLen int, histLen []int) *Step {
	return &Step{State: state, Items: items, Dwell: dwell, Train: train, past: past, pastLen: pastLen, histLen: histLen}
}
