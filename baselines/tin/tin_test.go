package tin

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

// small are test sizes: the paper's architecture at an eighth of its width.
const small = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

// TestGradients checks every variant and every temporal encoding, with and without batch norm,
// against float64 finite differences.
func TestGradients(t *testing.T) {
	tiny := "    item_dim: 2\n    category_dim: 2\n    hidden: [3]\n    time_bins: 3\n"
	for _, s := range Specs {
		t.Run(s.Name, func(t *testing.T) { ctrtest.CheckGradients(t, s, tiny) })
	}
	for _, enc := range []string{"tte-t", "coe", "te"} {
		for _, bn := range []string{"true", "false"} {
			t.Run(enc+"/batch_norm="+bn, func(t *testing.T) {
				ctrtest.CheckGradients(t, Specs[0], tiny+"    encoding: "+enc+"\n    batch_norm: "+bn+"\n")
			})
		}
	}
}

// TestSmoke: two epochs on the test CTR set beat a constant predictor clearly for every variant.
func TestSmoke(t *testing.T) {
	for _, s := range Specs {
		t.Run(s.Name, func(t *testing.T) { ctrtest.Smoke(t, s, small, 2, 0.05, 0.7) })
	}
}

// TestDeterministic: same seed, same predictions; Evaluate leaves the model unchanged.
func TestDeterministic(t *testing.T) { ctrtest.Deterministic(t, Specs[0], small) }

// TestResume: a checkpoint after one epoch continues bit-identically (ctrtest.Resume), with the
// batch norms of the head and the pooled vector (on by default) and without them.
func TestResume(t *testing.T) {
	ctrtest.Resume(t, Specs[0], small)
	ctrtest.Resume(t, Specs[0], small+"    batch_norm: false\n")
}

// TestConfigFile: configs/models/tin.yaml loads and states the defaults of tin.
func TestConfigFile(t *testing.T) { ctrtest.ConfigFile(t, Specs[0], "tin") }

func TestRegistered(t *testing.T) { ctrtest.Registered(t, Specs...) }
