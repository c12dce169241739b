package latentcross

import (
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

// TestConfigFile: configs/models/latentcross.yaml loads and states the defaults.
func TestConfigFile(t *testing.T) { seqrectest.ConfigFile(t, Spec) }

func TestRegistered(t *testing.T) { seqrectest.Registered(t, Spec) }

func TestNeedsContext(t *testing.T) {
	p := "    use_dt: false\n    use_features: false\n    clock: off\n"
	if _, err := New(benchtest.Params(t, p), models.Env{}); err == nil || !strings.Contains(err.Error(), "context") {
		t.Errorf("no context: err %v, want a refusal", err)
	}
	// Context switched on but absent from the data: no features, and a span too short for the clock.
	d := benchtest.Data(t, []int32{0, 1, 0, 1}, []int32{0, 1, 1, 0}, []float64{0, 10, 20, 30}, nil, 2, 3, bench.ProtocolFrozen)
	m, err := New(benchtest.Params(t, "    use_dt: false\n"), models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Init(d, 1); err == nil || !strings.Contains(err.Error(), "no context") {
		t.Errorf("Init without context: err %v", err)
	}
}

// TestClockAuto: the clock inputs are on by default when the timestamps span two days or more.
func TestClockAuto(t *testing.T) {
	for _, c := range []struct {
		span float64
		want bool
	}{{86400, false}, {2 * 86400, true}} {
		d := benchtest.Data(t, []int32{0, 1, 0, 1}, []int32{0, 1, 1, 0}, []float64{0, 10, 20, c.span}, nil, 2, 3, bench.ProtocolFrozen)
		m := seqrectest.New(t, Spec, "", ag.NewCPU())
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		if got := m.Inputs().Clock; got != c.want {
			t.Errorf("span %v s: clock %v, want %v", c.span, got, c.want)
		}
	}
}
