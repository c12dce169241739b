package session

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
	"github.com/tibench/tibench/internal/nn"
)

// recurrentNet is a small net with everything BPTT "session" must carry through a session:
// h_k = tanh(x_k + h_{k−1}W), attention of h_k over the session's earlier h (v = Σ softmax(h·key)
// key), a dwell parameter read from the state before the click, μ_k = b[i_k] + ⟨h_{k−1}, c[i_k]⟩,
// and inputs x_k = E[i_k]·(1 + log(1+τ_k)/10) that it can compute per step or for a whole batch.
type recurrentNet struct {
	E, W, B, C, Out *ag.Tensor
	batchInputs     bool
}

func newRecurrentNet(be ag.Backend, items, dim int, r *rand.Rand) *recurrentNet {
	n := &recurrentNet{E: ag.NewParam(be, "E", items, dim), W: ag.NewParam(be, "W", dim, dim),
		B: ag.NewParam(be, "B", items, 1), C: ag.NewParam(be, "C", items, dim), Out: ag.NewParam(be, "Out", items, dim)}
	for _, p := range n.Params() {
		agtest.FillUniform(p, r, -1, 1)
	}
	return n
}

func (n *recurrentNet) Params() nn.Params  { return nn.Params{n.E, n.W, n.B, n.C, n.Out} }
func (n *recurrentNet) StateWidth() int    { return n.E.Cols() }
func (n *recurrentNet) HistoryWidth() int  { return n.E.Cols() }
func (n *recurrentNet) Output() *ag.Tensor { return n.Out }

func (n *recurrentNet) input(tp *ag.Tape, items []int32, dwell []float64) *ag.Tensor {
	w := make([]float64, len(dwell))
	for i, tau := range dwell {
		w[i] = 1 + math.Log1p(tau)/10
	}
	return tp.Mul(tp.Gather(n.E, items), tp.MatMul(tp.Input64(len(w), 1, w), tp.Full(1, n.E.Cols(), 1)))
}

func (n *recurrentNet) Step(tp *ag.Tape, s *Step) StepOut {
	x := s.X
	if x == nil {
		x = n.input(tp, s.Items, s.Dwell)
	}
	h := tp.Tanh(tp.Add(x, tp.MatMul(s.State, n.W)))
	keys, mask, steps := s.Attend(tp, h)
	v := tp.SeqWeightedSum(tp.Softmax(tp.SeqDot(h, keys, steps), mask), keys)
	mu := tp.Add(tp.Gather(n.B, s.Items), tp.RowDot(s.State, tp.Gather(n.C, s.Items)))
	return StepOut{State: h, Hidden: h, Session: v, Dwell: mu}
}

func (n *recurrentNet) DwellLaw(c Config, c1 float64) DwellLaw {
	return LogNormal{Sigma: c.Sigma, C1: c1, Mode: c.DwellPoint}
}

// batchInputNet is recurrentNet computing its inputs for a whole mini-batch (BatchInputNet).
type batchInputNet struct{ *recurrentNet }

func (n batchInputNet) Inputs(tp *ag.Tape, items []int32, dwell []float64, train bool) *ag.Tensor {
	return n.input(tp, items, dwell)
}

// bpttSessions: five training sessions of 1 to 5 clicks over 5 items, some dwell censored.
func bpttSessions() []datasets.Session {
	mk := func(items []int32, dwell []float64, cens []bool) datasets.Session {
		return datasets.Session{Items: items, Dwell: dwell, Censored: cens, Times: make([]float64, len(items)), User: -1}
	}
	return []datasets.Session{
		mk([]int32{0, 1, 2, 3, 4}, []float64{5, 0, 2000, 12, 30}, []bool{false, false, true, false, true}),
		mk([]int32{2, 1}, []float64{40, 30}, []bool{false, true}),
		mk([]int32{4}, []float64{30}, []bool{true}),
		mk([]int32{3, 0, 1}, []float64{7, 100, 30}, []bool{false, false, true}),
		mk([]int32{1, 1, 3, 2}, []float64{3, 9, 60, 30}, []bool{false, false, false, true}),
	}
}

// TestSessionBatchGradients checks the gradient of a whole mini-batch's loss under BPTT "session"
// — every click's next-click loss and censored dwell NLL, backpropagated through the states,
// the attention over earlier hidden states (capped at History = 2 of the 5-click session) and the
// batch-computed inputs — against central finite differences of the loss value. A path cut
// anywhere (a state or history row held constant) makes the analytic gradient miss the numeric
// one's share through later clicks.
func TestSessionBatchGradients(t *testing.T) {
	train := bpttSessions()
	for _, tc := range []struct {
		name    string
		sampled int
		batch   bool
		logQ    float64
	}{{"full-softmax", 0, false, 0}, {"sampled-softmax", 3, false, 0}, {"sampled-softmax-logq", 3, false, 1}, {"batch-inputs", 0, true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			be := ag.NewCPU64()
			rn := newRecurrentNet(be, 5, 3, rand.New(rand.NewPCG(1, 2)))
			var net Net = rn
			if tc.batch {
				net = batchInputNet{rn}
			}
			logQ := tc.logQ
			cfg := Config{Sigma: 2, History: 2, BPTT: BPTTSession, SampledSoftmax: tc.sampled, SampledLogQ: &logQ}
			m := &Model{cfg: cfg, net: net, dwell: rn, law: rn.DwellLaw(cfg, 2000), numItems: 5,
				cumPop: []float64{1, 3, 3.5, 6, 8}, clickP: []float64{0.1, 0.3, 0.1, 0.3, 0.2},
				drawP: []float64{1.0 / 8, 2.0 / 8, 0.5 / 8, 2.5 / 8, 2.0 / 8}}
			batch := m.longestFirst(train, []int{1, 0, 2, 3, 4})
			if got := train[batch[0]].Len(); got != 5 {
				t.Fatalf("longest first: %v", batch)
			}
			value := func(tp *ag.Tape) (*ag.Tensor, float64) {
				m.rng = rand.New(rand.NewPCG(4, 9)) // the same negatives every time
				l, v, clicks := m.sessionBatch(tp, train, batch)
				if clicks != 15 {
					t.Fatalf("%d clicks, want 15", clicks)
				}
				return l, v
			}
			checkLossGradients(t, tc.name, be, rn.Params(), value)
		})
	}
}

// TestSessionBatchValue: the forward values do not depend on how gradients flow, so the mini-batch
// loss of BPTT "session" is the mean over all its clicks of the per-click losses that BPTT "click"
// reports running each session alone in one lane (a step's value is then its one click's loss).
// A wrong denominator, a click run twice or skipped, or a shifted target changes the value by far
// more than the tolerance.
func TestSessionBatchValue(t *testing.T) {
	train := bpttSessions()
	be := ag.NewCPU64()
	rn := newRecurrentNet(be, 5, 3, rand.New(rand.NewPCG(1, 2)))
	cfg := Config{Sigma: 2, History: 2}
	m := &Model{cfg: cfg, net: rn, dwell: rn, law: rn.DwellLaw(cfg, 2000), numItems: 5}
	tp := ag.NewTape(be)
	var sum float64
	clicks := 0
	for i := range train {
		ls := newLanes(train[i:i+1], nil, 1, rn.StateWidth(), rn.HistoryWidth(), cfg.History)
		for ls.active() > 0 {
			tp.Reset()
			r := m.forward(tp, ls, true)
			_, v := m.loss(tp, r, float64(len(r.lanes)))
			sum += v
			clicks++
			ls.advance(r.lanes)
		}
	}
	tp.Reset()
	_, got, n := m.sessionBatch(tp, train, m.longestFirst(train, []int{0, 1, 2, 3, 4}))
	// The lanes keep states on the host in float32 between clicks, even on the float64 backend,
	// so the two agree to float32 rounding of the states, not exactly.
	if n != clicks || math.Abs(got-sum/float64(clicks)) > 1e-7 {
		t.Errorf("session batch: value %v over %d clicks, want %v over %d", got, n, sum/float64(clicks), clicks)
	}
}

// TestSessionModeEpoch: an epoch under BPTT "session" takes one optimiser step per mini-batch,
// counts every click, and evaluation afterwards still reports one prediction per click (the
// session mode's buffers do not leak into the lanes' forward pass).
func TestSessionModeEpoch(t *testing.T) {
	ss := &datasets.Sessions{Name: "hand", ItemIDs: []string{"a", "b", "c", "d", "e"}, Config: datasets.SessionConfig{C1: 2000, C2: 30}}
	ss.Sessions = bpttSessions()
	d := &bench.Data{Task: bench.TaskSession, Cutoffs: []int{2},
		Sessions: &bench.SessionView{Sessions: ss, Train: ss.Sessions[:4], Val: ss.Sessions[4:], Test: ss.Sessions[4:]}}
	be := ag.NewCPU64()
	rn := newRecurrentNet(be, 5, 3, rand.New(rand.NewPCG(1, 2)))
	cfg := Config{Sigma: 2, History: 2, BPTT: BPTTSession, BatchSize: 3, EvalBatch: 2, DwellPoint: PointMedian, LR: 0.01}
	m := &Model{cfg: cfg, net: rn, dwell: rn, law: rn.DwellLaw(cfg, 2000), numItems: 5, params: rn.Params(),
		trainTp: ag.NewTape(be), evalTp: ag.NewTape(be), seed: 1}
	m.opt = nn.NewAdam(m.params, nn.OptimConfig{LR: cfg.LR})
	st, err := m.TrainEpoch(t.Context(), d, bench.NoProgress{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Batches != 2 || st.Steps != 2 || st.Interactions != 11 || !(st.Loss > 0) {
		t.Errorf("epoch stats %+v, want 2 batches, 2 steps, 11 clicks", st)
	}
	var got int
	if err := m.Evaluate(t.Context(), d, func(bench.Prediction) { got++ }); err != nil {
		t.Fatal(err)
	}
	if got != 8 {
		t.Errorf("%d predictions, want 8 (4 clicks, validation and test)", got)
	}
}

// TestBPTTConfig: the default is the model's; dwell_gradient "head" needs per-click truncation.
func TestBPTTConfig(t *testing.T) {
	spec := Spec{Name: "x", Uses: []string{KeyDwellGrad}, DefaultBPTT: BPTTSession}
	var c Config
	if err := c.Resolve(spec); err != nil || c.BPTT != BPTTSession {
		t.Errorf("default: %v, %q", err, c.BPTT)
	}
	c = Config{BPTT: "window"}
	if err := c.Resolve(spec); err == nil {
		t.Error("bptt: window accepted")
	}
	c = Config{DwellGradient: DwellGradHead}
	if err := c.Resolve(spec); err == nil {
		t.Error("dwell_gradient: head accepted with bptt: session")
	}
	c = Config{DwellGradient: DwellGradHead, BPTT: BPTTClick}
	if err := c.Resolve(spec); err != nil {
		t.Errorf("dwell_gradient: head with bptt: click: %v", err)
	}
	c = Config{}
	if err := c.Resolve(Spec{Name: "y"}); err != nil || c.BPTT != BPTTClick {
		t.Errorf("no model default: %v, %q", err, c.BPTT)
	}
}
