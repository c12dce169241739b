package gru4rec

import (
	"io"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Spec describes GRU4Rec's session side to the session engine:
//
//	x_k = E[i_k]                        (an item embedding; the paper's best runs use one-hot
//	                                     input, later GRU4Rec versions an embedding of Dim)
//	h_k = GRU(x_k, h_{k−1}),  h_0 = 0   (torch.nn.GRUCell)
//	score(i) = ⟨h_k, O[i]⟩              (over ALL items)
//
// trained with Config.Loss: the full-softmax cross-entropy (default), or the paper's BPR or TOP1
// over the other lanes' next items (§3.1.3), in the paper's session-parallel mini-batches with the
// state carried but gradients truncated at every click (bptt: click, §3.1.1). It has no dwell head: its Prediction.Value is 0 s and
// it says so (bench.DwellPredictor), so the session task records no MAE for it; JUMP's Table 2 has
// no GRU row.
var Spec = session.Spec{
	Name:        "gru4rec",
	Uses:        []string{session.KeyLoss},
	DefaultBPTT: session.BPTTClick,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c.Dim, d.Items, r), nil
	},
}

func newSession(params bench.ModelParams, be ag.Backend, log io.Writer) (*session.Model, error) {
	return session.New(Spec, params, be, log)
}

// Net is GRU4Rec's recurrence and output table.
type Net struct {
	Items *nn.Embedding
	Cell  *nn.GRUCell
	Out   *ag.Tensor // NumItems×Dim
	dim   int
}

// NewNet builds the net with hidden size dim; the output table is initialised uniformly in
// ±√(6/(items+dim)) (GRU4Rec's Glorot-style init).
func NewNet(be ag.Backend, dim, items int, r *rand.Rand) *Net {
	return NewNamedNet(be, "gru4rec", dim, items, r)
}

// NewNamedNet is NewNet with another prefix for the parameter names (IGRU reuses the net).
func NewNamedNet(be ag.Backend, name string, dim, items int, r *rand.Rand) *Net {
	n := &Net{
		Items: nn.NewEmbedding(be, name+".items", items, dim, r),
		Cell:  nn.NewGRUCell(be, name+".cell", dim, dim, r),
		Out:   ag.NewParam(be, name+".out", items, dim),
		dim:   dim,
	}
	a := math.Sqrt(6 / float64(items+dim))
	nn.Uniform(n.Out, r, -a, a)
	return n
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params { return append(nn.Collect(n.Items, n.Cell), n.Out) }

// StateWidth is h's width.
func (n *Net) StateWidth() int { return n.dim }

// HistoryWidth is 0: no attention.
func (n *Net) HistoryWidth() int { return 0 }

// Output is the item table scores are taken against.
func (n *Net) Output() *ag.Tensor { return n.Out }

// Step advances h through the clicked items.
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	h := n.Cell.Forward(tp, n.Items.Forward(tp, s.Items), s.State)
	return session.StepOut{State: h, Session: h}
}
