package gru4rec

import (
	"errors"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
)

const ctrSmall = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

// TestCTRGradients: float64 gradient check of the whole net (embeddings, GRU over padded
// histories, head) on a batch of Tiny's training samples, with and without batch norm.
func TestCTRGradients(t *testing.T) {
	tiny := "    item_dim: 2\n    category_dim: 2\n    hidden: [3]\n"
	ctrtest.CheckGradients(t, CTRSpec, tiny)
	ctrtest.CheckGradients(t, CTRSpec, tiny+"    batch_norm: false\n")
}

// TestCTRSmoke: two epochs on the test CTR set beat a constant predictor clearly.
func TestCTRSmoke(t *testing.T) { ctrtest.Smoke(t, CTRSpec, ctrSmall, 2, 0.05, 0.7) }

func TestCTRDeterministic(t *testing.T) { ctrtest.Deterministic(t, CTRSpec, ctrSmall) }

func TestCTRConfigFile(t *testing.T) { ctrtest.ConfigFile(t, CTRSpec, CTRSpec.Name) }

func TestCTRRegistered(t *testing.T) { ctrtest.Registered(t, CTRSpec) }

// TestCTRRejectsTINSwitches: TIN's keys are an error here, not silently ignored.
func TestCTRRejectsTINSwitches(t *testing.T) {
	for _, p := range []string{"    encoding: tte-p\n", "    attention: true\n", "    representation: false\n"} {
		if _, err := ctr.New(CTRSpec, benchtest.Params(t, p), nil, nil); !errors.Is(err, bench.ErrConfig) {
			t.Errorf("%q: New = %v, want a config error", p, err)
		}
	}
}
