package sasrec

import (
	"errors"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
)

const small = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

// TestGradients: a float64 gradient check of the whole net (embeddings, positions, every encoder
// layer, head) on a batch of Tiny's training samples (histories of 1 to 5 behaviours, padded), with
// and without batch norm, two heads.
func TestGradients(t *testing.T) {
	tiny := "    item_dim: 2\n    category_dim: 2\n    hidden: [3]\n    heads: 2\n    ffn: 3\n"
	ctrtest.CheckGradients(t, Spec, tiny)
	ctrtest.CheckGradients(t, Spec, tiny+"    batch_norm: false\n")
}

// TestSmoke: two epochs on the test CTR set beat a constant predictor clearly.
func TestSmoke(t *testing.T) { ctrtest.Smoke(t, Spec, small, 2, 0.05, 0.7) }

func TestDeterministic(t *testing.T) { ctrtest.Deterministic(t, Spec, small) }

func TestConfigFile(t *testing.T) { ctrtest.ConfigFile(t, Spec, Spec.Name) }

func TestRegistered(t *testing.T) { ctrtest.Registered(t, Spec) }

// TestRejectsBadKeys: TIN's switches are an error here, and so are heads that do not divide the
// embedding width.
func TestRejectsBadKeys(t *testing.T) {
	for _, p := range []string{"    encoding: tte-p\n", "    attention: true\n", "    representation: false\n", "    heads: 3\n"} {
		if _, err := ctr.New(Spec, benchtest.Params(t, p), nil, nil); !errors.Is(err, bench.ErrConfig) {
			t.Errorf("%q: New = %v, want a config error", p, err)
		}
	}
}
