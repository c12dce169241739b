package timelstm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec/seqrectest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/models"
)

// TestGradients checks a whole three-step training window (scores, recurrence, learned initial
// states, every context input) against float64 finite differences.
func TestGradients(t *testing.T) { seqrectest.CheckGradients(t, Spec, seqrectest.AllInputs) }

func TestEveryParamLearns(t *testing.T) { seqrectest.EveryParamLearns(t, Spec, seqrectest.AllInputs) }

// TestNoPeek: the scores of a step do not depend on the interactions the step is predicting.
func TestNoPeek(t *testing.T) { seqrectest.NoPeek(t, Spec, seqrectest.AllInputs) }

func TestSmoke(t *testing.T) { seqrectest.Smoke(t, Spec) }

// TestDeterministic: same seed, same predictions; Evaluate leaves the model unchanged.
func TestDeterministic(t *testing.T) { seqrectest.Deterministic(t, Spec) }

// TestConfigFile: configs/models/timelstm.yaml loads and states the defaults.
func TestConfigFile(t *testing.T) { seqrectest.ConfigFile(t, Spec) }

func TestRegistered(t *testing.T) { seqrectest.Registered(t, Spec) }

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestCellEquations pins the cell to the paper's Time-LSTM-3 equations on a 1-input, 1-unit cell
// whose weights are set by hand (the package comment lists them), so that a gate mix-up cannot
// hide behind a consistent backward pass.
func TestCellEquations(t *testing.T) {
	be := ag.NewCPU64()
	c := NewCell(be, "c", 1, 1, rand.New(rand.NewPCG(1, 1)))
	set := func(p *ag.Tensor, v ...float64) { p.CopyFrom64(v) }
	// Rows of X: i, T1, T2, g, o. Rows of H: i, g, o.
	set(c.X.W, 0.3, -0.2, 0.5, 0.8, 0.4)
	set(c.X.B, 0.1, 0.2, -0.1, 0.05, -0.3)
	set(c.H.W, 0.6, -0.5, 0.2)
	set(c.Ci, 0.7)
	set(c.Co, -0.4)
	set(c.T1, -0.9)
	set(c.T2, 0.35)
	set(c.To, 0.25)
	const x, dt, h0, c0 = 0.7, 1.3, -0.4, 0.3
	i := sigm(0.3*x + 0.1 + 0.6*h0 + 0.7*c0)
	t1 := sigm(-0.2*x + 0.2 + math.Tanh(-0.9*dt))
	t2 := sigm(0.5*x - 0.1 + math.Tanh(0.35*dt))
	g := math.Tanh(0.8*x + 0.05 - 0.5*h0)
	cTilde := (1-i*t1)*c0 + i*t1*g
	wantC := (1-i)*c0 + i*t2*g
	o := sigm(0.4*x - 0.3 + 0.25*dt + 0.2*h0 - 0.4*cTilde)
	wantH := o * math.Tanh(cTilde)
	tp := ag.NewTape(be)
	in := func(v float64) *ag.Tensor { return tp.Input64(1, 1, []float64{v}) }
	h, cell := c.Forward(tp, in(x), in(dt), in(h0), in(c0))
	if math.Abs(h.Scalar()-wantH) > 1e-12 || math.Abs(cell.Scalar()-wantC) > 1e-12 {
		t.Errorf("h %.15g c %.15g, want %.15g %.15g", h.Scalar(), cell.Scalar(), wantH, wantC)
	}
}

// TestTimeGateConstraint: W_t1 starts in [−1, 0] and stays ≤ 0 through training even with a
// learning rate that pushes it up (the projection after every Adam step).
func TestTimeGateConstraint(t *testing.T) {
	d := seqrectest.Prefix(t, "synth-wikipedia-small", 2000, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	m := seqrectest.New(t, Spec, "    dim: 8\n    lr: 0.5\n    batch_users: 4\n    bptt: 4\n", ag.NewCPU())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	w := m.Net().(*Net).Cell.T1
	if v := w.Values(); slices.Max(v) > 0 || slices.Min(v) < -1 {
		t.Fatalf("initial W_t1 %v outside [−1, 0]", v)
	}
	if _, err := m.TrainEpoch(context.Background(), d, nil); err != nil {
		t.Fatal(err)
	}
	v := w.Values()
	if slices.Max(v) > 0 {
		t.Errorf("W_t1 %v has positive entries after training", v)
	}
	if slices.Max(v) != 0 {
		t.Logf("no entry reached the bound (max %v): the test did not exercise the clamp", slices.Max(v))
	}
}

func TestNeedsDeltaT(t *testing.T) {
	if _, err := New(benchtest.Params(t, "    use_dt: false\n"), models.Env{}); err == nil || !strings.Contains(err.Error(), "use_dt") {
		t.Errorf("use_dt false: err %v, want a refusal naming use_dt", err)
	}
}
