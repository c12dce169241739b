// Package jump is JUMP (Zhou et al., "JUMP: a Joint Predictor for User Click and Dwell Time",
// IJCAI 2018): a session's clicks and dwell times through three layers, then two heads.
//
//	embedding (eq. 16):  x_k = BatchNorm(V[i_k] + T[⌊τ_k⌋])       (T: one row per second up to c1;
//	                                                              Config.DwellEmbedding "log2": ⌊log2(1+τ_k)⌋)
//	fast-slow (eq. 14):  h⁰ = F₁(h_{k−1}, x_k)                     (fast cell, input x_k)
//	                     s_k = S(s_{k−1}, h⁰)                      (slow cell, input h⁰)
//	                     h¹ = F₂(h⁰, s_k)                          (fast cell, input s_k)
//	                     hʲ = F(hʲ⁻¹), 2 ≤ j ≤ n_k                 (fast cells without input)
//	                     h_k = h^{n_k},  n_k = min(MaxFastSteps, ⌈τ_k/z⌉) (at least 1)
//	attention (12–13):   v_k = Σ_{i≤k} softmax_i(⟨h_i, h_k⟩/√d) h_i
//	click (eq. 9):       P(I_{k+1} = i | S_k) ∝ exp(⟨v_k, V[i]⟩)   (V tied with the input embedding)
//	dwell (eqs. 10–11):  log(1 + τ_k) ~ N(μ_k, σ²), μ_k = ⟨W[i_k], v_{k−1}⟩ + b[i_k], censored
//	                     clicks through the survival term (package session, dwell.go)
//
// Every cell is a recurrent highway unit with multiplicative integration (eq. 15, cell.go).
//
// Reading of the paper where it is ambiguous:
//   - Eq. 14 as printed is circular (h₁ᶠ feeds S, which feeds h₁ᶠ). It is the Fast-Slow RNN of
//     Mujika et al. (2017), which JUMP's Fig. 4 draws: the slow cell reads the first fast cell's
//     output, the second fast cell reads the slow state. The first two fast cells have their own
//     parameters (their inputs differ); the input-less ones share one, because their number varies.
//   - The fast steps of a click depend on its own dwell τ_k, known when the next click happens:
//     the next-click prediction is made from S_k, which includes τ_k, as JUMP's factorisation
//     P(I_{k+1} | S_k) says. The dwell prediction for click k uses S_{k−1} and i_k only.
//   - Training maximises eq. 17, the log-likelihood of whole sessions: the default bptt: session
//     runs mini-batches of 100 sessions (§5: "batch size set to 100") and backpropagates every
//     click's loss through the whole session — states, the attention's earlier hidden states and
//     v_{k−1} in the dwell head are all live. Eq. 16's batch normalisation then takes its
//     statistics over all the clicks of the mini-batch (session.BatchInputNet), as a padded-batch
//     implementation normalises its whole input tensor. JUMP's code is not public; this is the
//     reading that optimises the paper's objective as written.
//   - bptt: click (GRU4Rec's session-parallel lanes, gradients truncated at every click, batch
//     statistics over each step's 100 lanes) is a measured departure: the session's earlier hidden
//     states enter attention as constants, and a click's dwell is predicted from v_{k−1}, which its
//     own step holds as a constant; there dwell_gradient: shared (default) computes it one step
//     early, where v_{k−1} is live, so that the dwell loss still trains the shared layers, and
//     dwell_gradient: head lets only the dwell head learn from it.
//   - T has one row per second, as the paper's T([τ_k]) (rows "less than 6000"). On
//     synth-reddit-small (one seed, six epochs; rough) that table of 2,001 rows costs click accuracy:
//     test MRR@20 0.540 with it, 0.592 with dwell_embedding: log2 (11 rows), 0.587 with T unused.
//   - b starts at the mean observed log(1 + τ) of the training sessions, W at 0, so the dwell head
//     starts from the global median instead of 1 s (with σ = 10 its gradients are 1/σ² = 1% of a
//     unit-variance regression's, and the paper's runs are far longer than ours).
package jump

import (
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("jump", "JUMP: fast-slow highway RNN with attention, next click and censored log-normal dwell time (Zhou et al., IJCAI 2018)", New)
}

// Spec describes JUMP to the session engine.
var Spec = session.Spec{
	Name:        "jump",
	Uses:        []string{session.KeySigma, session.KeyDwellPoint, session.KeyDwellEmbed, session.KeyDwellGrad, session.KeyFastScale, session.KeyMaxFastSteps, session.KeyHistory},
	DefaultBPTT: session.BPTTSession,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return NewNet(be, c, d, r), nil
	},
}

// New decodes the parameters (configs/models/jump.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}

var (
	_ session.StatefulNet   = (*Net)(nil)
	_ session.BatchInputNet = (*Net)(nil)
	_ session.AheadDwellNet = (*Net)(nil)
)

// Net is JUMP's three layers and two heads.
type Net struct {
	Items    *nn.Embedding // V: input embedding and output table (eq. 9, eq. 16)
	Dwell    *nn.Embedding // T: one row per whole second of dwell, 0..c1
	BN       *ctr.BatchNorm
	First    *HighwayCell // F₁: input x_k
	Slow     *HighwayCell // S: input h⁰
	Second   *HighwayCell // F₂: input s_k
	Fast     *HighwayCell // F: no input
	DwellW   *ag.Tensor   // W of eq. 11, items×dim
	DwellB   *ag.Tensor   // b of eq. 11, items×1
	dim      int
	buckets  int
	log2     bool    // dwell buckets ⌊log2(1 + τ)⌋ instead of whole seconds
	scale    float64 // z, seconds per fast step
	maxSteps int

	buckIdx []int32
	active  []int32     // rows that run the current fast cell
	refs    []ag.RowRef // each row's state after it
}

// NewNet builds JUMP for c's sizes.
func NewNet(be ag.Backend, c session.Config, d session.Dims, r *rand.Rand) *Net {
	h := c.Dim
	n := &Net{
		Items:    nn.NewEmbedding(be, "jump.items", d.Items, h, r),
		Dwell:    nn.NewEmbedding(be, "jump.dwell", buckets(c, d), h, r),
		BN:       ctr.NewBatchNorm(be, "jump.bn", h),
		First:    NewHighwayCell(be, "jump.f1", h, h, r),
		Slow:     NewHighwayCell(be, "jump.slow", h, h, r),
		Second:   NewHighwayCell(be, "jump.f2", h, h, r),
		Fast:     NewHighwayCell(be, "jump.fast", 0, h, r),
		DwellW:   ag.NewParam(be, "jump.dwell_w", d.Items, h),
		DwellB:   ag.NewParam(be, "jump.dwell_b", d.Items, 1),
		dim:      h,
		buckets:  buckets(c, d),
		log2:     c.DwellEmbedding == session.EmbedLog2,
		scale:    c.FastScale,
		maxSteps: c.MaxFastSteps,
	}
	b := make([]float64, d.Items)
	for i := range b {
		b[i] = d.MeanLogDwell
	}
	n.DwellB.CopyFrom64(b)
	return n
}

// State is the batch norm's running statistics (session.StatefulNet).
func (n *Net) State() [][]float64 {
	mean, variance := n.BN.RunningStats()
	return [][]float64{mean, variance}
}

// buckets is the number of rows of T: whole seconds 0..c1, or ⌊log2(1 + τ)⌋ for τ ≤ c1.
func buckets(c session.Config, d session.Dims) int {
	if c.DwellEmbedding == session.EmbedLog2 {
		return int(math.Log2(float64(d.DwellBuckets))) + 1 // DwellBuckets − 1 = ⌈c1⌉
	}
	return d.DwellBuckets
}

// Bucket is the row of T for dwell tau.
func (n *Net) Bucket(tau float64) int32 {
	b := int(max(0, tau))
	if n.log2 {
		b = int(math.Log2(1 + max(0, tau)))
	}
	return int32(min(n.buckets-1, b))
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	return append(nn.Collect(n.Items, n.Dwell, n.BN, n.First, n.Slow, n.Second, n.Fast), n.DwellW, n.DwellB)
}

// StateWidth is [h_k | s_k | v_k].
func (n *Net) StateWidth() int { return 3 * n.dim }

// HistoryWidth is h's: attention reads the session's fast-layer outputs.
func (n *Net) HistoryWidth() int { return n.dim }

// Output is V (eq. 9 scores with the item embedding).
func (n *Net) Output() *ag.Tensor { return n.Items.Table }

// DwellLaw is JUMP's censored log-normal with σ and the configured point.
func (n *Net) DwellLaw(c session.Config, c1 float64) session.DwellLaw {
	return session.LogNormal{Sigma: c.Sigma, C1: c1, Mode: c.DwellPoint}
}

// dwellMean is μ of eq. 11 on the session vector v_{k−1} held in the state.
func (n *Net) dwellMean(tp *ag.Tape, state *ag.Tensor, items []int32) *ag.Tensor {
	v := tp.SliceCols(state, 2*n.dim, 3*n.dim)
	return tp.Add(tp.RowDot(tp.Gather(n.DwellW, items), v), tp.Gather(n.DwellB, items))
}

// DwellAhead implements session.AheadDwellNet: μ of eq. 11 for the next clicks items from a
// step's output state (which holds v_k), as dwellMean gives them at their own step.
func (n *Net) DwellAhead(tp *ag.Tape, state *ag.Tensor, items []int32) *ag.Tensor {
	return n.dwellMean(tp, state, items)
}

// FastSteps is n_k: ⌈τ/z⌉ clamped to [1, MaxFastSteps].
func (n *Net) FastSteps(tau float64) int {
	return max(1, min(n.maxSteps, int(math.Ceil(tau/n.scale))))
}

// Inputs is the embedding layer, eq. 16: x = BatchNorm(V[i] + T[bucket(τ)]), with batch
// statistics over the given clicks when training (session.BatchInputNet: under bptt "session" the
// engine passes all the clicks of a mini-batch at once).
func (n *Net) Inputs(tp *ag.Tape, items []int32, dwell []float64, train bool) *ag.Tensor {
	n.buckIdx = n.buckIdx[:0]
	for _, tau := range dwell {
		n.buckIdx = append(n.buckIdx, n.Bucket(tau))
	}
	return n.BN.Forward(tp, tp.Add(n.Items.Forward(tp, items), n.Dwell.Forward(tp, n.buckIdx)), train, train)
}

// Step runs one click through the three layers.
func (n *Net) Step(tp *ag.Tape, s *session.Step) session.StepOut {
	d := n.dim
	rows := len(s.Items)
	most := 1
	for _, tau := range s.Dwell {
		most = max(most, n.FastSteps(tau))
	}
	x := s.X
	if x == nil {
		x = n.Inputs(tp, s.Items, s.Dwell, s.Train)
	}
	hPrev, sPrev := tp.SliceCols(s.State, 0, d), tp.SliceCols(s.State, d, 2*d)
	h0 := n.First.Forward(tp, x, hPrev)
	slow := n.Slow.Forward(tp, h0, sPrev)
	h := n.Second.Forward(tp, slow, h0)
	// Fast cell j runs on the rows whose click needs it (n_k ≥ j) only, and the other rows keep
	// their state: the same h_k as running it on every row and masking, without the cells that
	// masking throws away (in a mini-batch of 100 clicks one dwell of 420 s or more makes every
	// row run all 8 cells, where the median click needs 1).
	for j := 2; j <= most; j++ {
		n.active = n.active[:0]
		for r, tau := range s.Dwell {
			if n.FastSteps(tau) >= j {
				n.active = append(n.active, int32(r))
			}
		}
		if len(n.active) == rows {
			h = n.Fast.Forward(tp, nil, h)
			continue
		}
		next := n.Fast.Forward(tp, nil, tp.Gather(h, n.active))
		n.refs = n.refs[:0]
		a := 0
		for r := range rows {
			if a < len(n.active) && int(n.active[a]) == r {
				n.refs = append(n.refs, ag.RowRef{T: next, Row: int32(a)})
				a++
				continue
			}
			n.refs = append(n.refs, ag.RowRef{T: h, Row: int32(r)})
		}
		h = tp.GatherRefs(n.refs)
	}
	clear(n.refs) // drop the references to this tape's tensors
	keys, mask, steps := s.Attend(tp, h)
	w := tp.Softmax(tp.Scale(tp.SeqDot(h, keys, steps), 1/math.Sqrt(float64(d))), mask)
	v := tp.SeqWeightedSum(w, keys)
	return session.StepOut{State: tp.Concat(h, slow, v), Hidden: h, Session: v, Dwell: n.dwellMean(tp, s.State, s.Items)}
}
