package din

import (
	"errors"
	"math"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
)

const small = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

func TestGradients(t *testing.T) {
	tiny := "    item_dim: 2\n    category_dim: 2\n    hidden: [3]\n"
	for _, s := range Specs {
		t.Run(s.Name, func(t *testing.T) { ctrtest.CheckGradients(t, s, tiny) })
		t.Run(s.Name+"/batch_norm=false", func(t *testing.T) { ctrtest.CheckGradients(t, s, tiny+"    batch_norm: false\n") })
	}
}

// TestSmoke: two epochs on the test CTR set beat a constant predictor clearly. The concat models
// learn the behaviour-target match more slowly (an MLP approximates a dot product poorly, TIN
// §3.1.2), hence their lower bars.
func TestSmoke(t *testing.T) {
	for i, s := range Specs {
		margin, gauc := 0.05, 0.7
		if i%2 == 0 { // avgpool-concat, din-attn
			margin, gauc = 0.02, 0.6
		}
		t.Run(s.Name, func(t *testing.T) { ctrtest.Smoke(t, s, small, 2, margin, gauc) })
	}
}

// TestDeterministic: same seed, same predictions; Evaluate leaves the model unchanged.
func TestDeterministic(t *testing.T) {
	for _, s := range []ctr.Spec{Specs[0], Specs[3]} {
		t.Run(s.Name, func(t *testing.T) { ctrtest.Deterministic(t, s, small) })
	}
}

// TestResume: a checkpoint after one epoch continues bit-identically (ctrtest.Resume), with the
// batch norms of the head and the pooled vector.
func TestResume(t *testing.T) {
	for _, s := range []ctr.Spec{Specs[0], Specs[3]} {
		t.Run(s.Name, func(t *testing.T) { ctrtest.Resume(t, s, small) })
	}
}

// TestConfigFile: each model's file loads and states the defaults.
func TestConfigFile(t *testing.T) {
	for _, s := range Specs {
		t.Run(s.Name, func(t *testing.T) { ctrtest.ConfigFile(t, s, s.Name) })
	}
}

// TestRejectsTINSwitches: TIN's keys are an error here, not silently ignored.
func TestRejectsTINSwitches(t *testing.T) {
	for _, p := range []string{"    encoding: tte-p\n", "    attention: true\n", "    representation: false\n"} {
		if _, err := ctr.New(Specs[3], benchtest.Params(t, p), nil, nil); !errors.Is(err, bench.ErrConfig) {
			t.Errorf("%q: New = %v, want a config error", p, err)
		}
	}
}

func TestRegistered(t *testing.T) { ctrtest.Registered(t, Specs...) }

// TestLearnedCorrelation: TIN Table 2's DIN measure from the trained tables, each factor as the
// model has it: e^{⟨e_j, v_t⟩} with attention, ‖e_j ⊙ v_t‖ with the product, else ‖e_j‖.
func TestLearnedCorrelation(t *testing.T) {
	for _, s := range Specs {
		t.Run(s.Name, func(t *testing.T) {
			ctrtest.Correlation(t, s, small, func(m *ctr.Model, d *datasets.CTRSplit, smp datasets.CTRSample, j int) float64 {
				n := m.Net().(*Net)
				e, v := ctrtest.ItemCat(n.Emb, d, smp.History[j]), ctrtest.ItemCat(n.Emb, d, smp.Target)
				r := e
				if n.product {
					r = ctrtest.Mul(e, v)
				}
				if n.Unit == nil {
					return ctrtest.Norm(r)
				}
				return math.Exp(ctrtest.Dot(e, v)) * ctrtest.Norm(r)
			})
		})
	}
}
