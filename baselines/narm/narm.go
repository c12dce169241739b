// Package narm is NARM (Li, Ren, Chen, Ren, Lian, Ma, "Neural Attentive Session-based
// Recommendation", CIKM 2017), a row of JUMP's Table 3: a GRU encoder over the session's clicks
// with a global and a local (attentive) encoder, and a bilinear decoder over ALL items:
//
//	h_j = GRU(E[i_j], h_{j−1})                          (the encoder)
//	c_g = h_t                                           (global encoder, eq. 5)
//	α_tj = vᵀ σ(A₁ h_t + A₂ h_j),  c_l = Σ_j α_tj h_j   (local encoder, eqs. 6–8; α is not normalised)
//	score(i) = E[i]ᵀ B [c_g; c_l]                       (bilinear decoder, eq. 10, same E as input)
//
// trained with the softmax cross-entropy. NARM's dropout is left out. NARM's code trains on every
// prefix of a session, the encoder backpropagated through the whole prefix; one pass over the
// session with every click's loss summed has the same gradients, which is the default bptt:
// session (mini-batches of whole sessions, the local encoder's earlier hidden states live). bptt:
// click (GRU4Rec's lanes: gradients truncated at every click, earlier states constants) is a
// measured departure. The local encoder reads at most Config.History earlier hidden states. No
// dwell head: its dwell prediction is 0 s (Table 2 has no NARM row).
package narm

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("narm", "NARM: GRU encoder with global and attentive local encoders, bilinear decoder (Li et al., CIKM 2017)", New)
}

// Spec describes NARM to the session engine.
var Spec = session.Spec{
	Name:        "narm",
	Uses:        []string{session.KeyHistory},
	DefaultBPTT: session.BPTTSession,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c.Dim, d.Items, r), nil
	},
}

// New decodes the parameters (configs/models/narm.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}

// Net is NARM's encoder and decoder.
type Net struct {
	Items  *nn.Embedding // E: input and decoder item embeddings
	Cell   *nn.GRUCell
	A1, A2 *nn.Linear // attention projections (no bias)
	V      *ag.Tensor // 1×dim attention vector v
	B      *nn.Linear // bilinear decoder: 2·dim → dim
	rep    []int32    // lane of each attention row
	zeros  []int32    // row 0 of V for every lane
	dim    int
}

// NewNet builds NARM with hidden and embedding size dim.
func NewNet(be ag.Backend, dim, items int, r *rand.Rand) *Net {
	n := &Net{
		Items: nn.NewEmbedding(be, "narm.items", items, dim, r),
		Cell:  nn.NewGRUCell(be, "narm.cell", dim, dim, r),
		A1:    nn.NewLinear(be, "narm.a1", dim, dim, false, r),
		A2:    nn.NewLinear(be, "narm.a2", dim, dim, false, r),
		V:     ag.NewParam(be, "narm.v", 1, dim),
		B:     nn.NewLinear(be, "narm.b", 2*dim, dim, false, r),
		dim:   dim,
	}
	nn.Uniform(n.V, r, -0.1, 0.1)
	return n
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	return append(nn.Collect(n.Items, n.Cell, n.A1, n.A2, n.B), n.V)
}

// StateWidth is h's.
func (n *Net) StateWidth() int { return n.dim }

// HistoryWidth is h's: the local encoder reads the session's hidden states.
func (n *Net) HistoryWidth() int { return n.dim }

// Output is E: the decoder scores with the input embeddings.
func (n *Net) Output() *ag.Tensor { return n.Items.Table }

// Step advances the encoder and decodes the session vector B·[c_g; c_l].
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	h := n.Cell.Forward(tp, n.Items.Forward(tp, s.Items), s.State)
	keys, mask, steps := s.Attend(tp, h)
	rows := h.Rows()
	// each lane's A₁h_t repeated over its steps; v repeated over the lanes
	n.rep = n.rep[:0]
	for j := range rows {
		for range steps {
			n.rep = append(n.rep, int32(j))
		}
	}
	if len(n.zeros) < rows {
		n.zeros = make([]int32, rows)
	}
	q := tp.Gather(n.A1.Forward(tp, h), n.rep)
	e := tp.Sigmoid(tp.Add(q, n.A2.Forward(tp, keys)))
	alpha := tp.Mul(tp.SeqDot(tp.Gather(n.V, n.zeros[:rows]), e, steps), mask)
	local := tp.SeqWeightedSum(alpha, keys)
	return session.StepOut{State: h, Hidden: h, Session: n.B.Forward(tp, tp.Concat(h, local))}
}
