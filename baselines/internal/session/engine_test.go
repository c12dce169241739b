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

// linearNet is the smallest DwellNet: v = E[i], μ = b[i]; its state is v.
type linearNet struct{ E, B, Out *ag.Tensor }

func (n *linearNet) Params() nn.Params  { return nn.Params{n.E, n.B, n.Out} }
func (n *linearNet) StateWidth() int    { return n.E.Cols() }
func (n *linearNet) HistoryWidth() int  { return 0 }
func (n *linearNet) Output() *ag.Tensor { return n.Out }
func (n *linearNet) Step(tp *ag.Tape, s *Step) StepOut {
	v := tp.Gather(n.E, s.Items)
	return StepOut{State: v, Session: v, Dwell: tp.Gather(n.B, s.Items)}
}
func (n *linearNet) DwellLaw(c Config, c1 float64) DwellLaw {
	return LogNormal{Sigma: c.Sigma, C1: c1, Mode: c.DwellPoint}
}

// handSessions: three sessions over 4 items; the third click of session 0 is censored at c1, every
// last click at c2.
func handSessions() *bench.Data {
	ss := &datasets.Sessions{Name: "hand", ItemIDs: []string{"a", "b", "c", "d"}, Config: datasets.SessionConfig{C1: 2000, C2: 30}}
	add := func(items []int32, dwell []float64, cens []bool) {
		s := datasets.Session{Items: items, Dwell: dwell, Censored: cens, Times: make([]float64, len(items)), User: -1}
		ss.Sessions = append(ss.Sessions, s)
	}
	add([]int32{0, 1, 2, 3}, []float64{5, 0, 2000, 30}, []bool{false, false, true, true})
	add([]int32{2, 1}, []float64{40, 30}, []bool{false, true})
	add([]int32{3, 0, 1}, []float64{7, 100, 30}, []bool{false, false, true})
	return &bench.Data{Task: bench.TaskSession, Cutoffs: []int{2},
		Sessions: &bench.SessionView{Sessions: ss, Train: ss.Sessions[:2], Val: ss.Sessions[2:], Test: ss.Sessions[2:]}}
}

// TestStepLossGradients checks the engine's training loss of one batch step — the next-click loss
// scaled to the step's clicks plus the censored dwell NLL entering through its surrogate — against
// finite differences of the loss value the engine reports, for each next-click loss.
func TestStepLossGradients(t *testing.T) {
	d := handSessions()
	for _, loss := range []string{LossCrossEntropy, "sampled-softmax", LossBPR, LossTOP1, LossBPRMax, LossTOP1Max} {
		be := ag.NewCPU64()
		r := rand.New(rand.NewPCG(1, 1))
		net := &linearNet{E: ag.NewParam(be, "E", 4, 3), B: ag.NewParam(be, "B", 4, 1), Out: ag.NewParam(be, "Out", 4, 3)}
		for _, p := range net.Params() {
			agtest.FillUniform(p, r, -2, 2)
		}
		cfg := Config{Sigma: 2, Loss: loss, History: 1, Negatives: 3}
		if loss == "sampled-softmax" {
			cfg.Loss, cfg.SampledSoftmax = LossCrossEntropy, 3
		}
		m := &Model{cfg: cfg, net: net, dwell: net, law: net.DwellLaw(cfg, 2000), numItems: 4,
			cumPop: []float64{1, 3, 3.5, 6}}
		var seed uint64
		value := func(tp *ag.Tape) (*ag.Tensor, float64) {
			m.rng = rand.New(rand.NewPCG(seed, 9)) // the same negatives every time
			ls := newLanes(d.Sessions.Train, nil, 2, 3, 0, 0)
			r := m.forward(tp, ls, true)
			return m.loss(tp, r, float64(len(r.lanes)))
		}
		checkLossGradients(t, loss, be, net.Params(), value)
	}
}

// checkLossGradients backpropagates the tape loss that value builds and compares every parameter's
// gradient with central finite differences of the loss value value reports (which, with a dwell
// head, is the NLL the tape's surrogate stands for). value must be deterministic.
func checkLossGradients(t *testing.T, name string, be ag.Backend, params nn.Params, value func(*ag.Tape) (*ag.Tensor, float64)) {
	t.Helper()
	tp := ag.NewTape(be)
	l, _ := value(tp)
	if err := tp.Backward(l); err != nil {
		t.Fatal(err)
	}
	for _, p := range params {
		g := p.GradValues()
		v := make([]float64, p.Len())
		p.CopyTo64(v)
		for j := range v {
			orig := v[j]
			v[j] = orig + 1e-6
			p.CopyFrom64(v)
			tp.Reset()
			_, up := value(tp)
			v[j] = orig - 1e-6
			p.CopyFrom64(v)
			tp.Reset()
			_, down := value(tp)
			v[j] = orig
			p.CopyFrom64(v)
			if num := (up - down) / 2e-6; math.Abs(num-g[j]) > 1e-6+1e-5*math.Abs(num) {
				t.Errorf("%s: %s[%d]: analytic %v, numeric %v", name, p.Name, j, g[j], num)
			}
		}
	}
}

// TestEvaluateHand checks what Evaluate reports on hand-made sessions: one prediction per click,
// rank 0 exactly for last clicks, and dwell points from b.
func TestEvaluateHand(t *testing.T) {
	d := handSessions()
	be := ag.NewCPU64()
	net := &linearNet{E: ag.NewParam(be, "E", 4, 1), B: ag.NewParam(be, "B", 4, 1), Out: ag.NewParam(be, "Out", 4, 1)}
	// v = E[i] = 1 for every item; scores of items a..d are 4, 3, 2, 1: item a ranks 1, d ranks 4.
	net.E.CopyFrom64([]float64{1, 1, 1, 1})
	net.Out.CopyFrom64([]float64{4, 3, 2, 1})
	net.B.CopyFrom64([]float64{math.Log(11), 0, 0, math.Log(31)})
	cfg := Config{Sigma: 1e-3, EvalBatch: 2, History: 1, DwellPoint: PointMedian}
	m := &Model{cfg: cfg, net: net, dwell: net, law: net.DwellLaw(cfg, 2000), numItems: 4, evalTp: ag.NewTape(be)}
	var got []bench.Prediction
	if err := m.Evaluate(t.Context(), d, func(p bench.Prediction) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	// session [d, a, b]: click 0 (item d, μ = log 31 → 30 s) next a → rank 1; click 1 (a, 10 s)
	// next b → rank 2; click 2 (b, 0 s) last → rank 0. Reported for validation and test alike.
	want := map[[2]int]struct{ rank, value float64 }{{0, 0}: {1, 30}, {0, 1}: {2, 10}, {0, 2}: {0, 0}}
	if len(got) != 6 {
		t.Fatalf("%d predictions, want 6", len(got))
	}
	for _, p := range got {
		w := want[[2]int{int(p.Group), p.Row}]
		if p.Rank != w.rank || math.Abs(p.Value-w.value) > 1e-9 {
			t.Errorf("%s session %d click %d: rank %v value %v, want %v %v", p.Part, p.Group, p.Row, p.Rank, p.Value, w.rank, w.value)
		}
	}
}
