package gru4rec

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
)

// The GRU cell's gradients are checked in internal/nn; the engine's step loss in package session.

func TestSmoke(t *testing.T) {
	for _, loss := range []string{session.LossCrossEntropy, session.LossBPR, session.LossTOP1} {
		t.Run(loss, func(t *testing.T) { sessiontest.Smoke(t, "gru4rec", "    loss: "+loss+"\n", false) })
	}
	t.Run("sampled-softmax", func(t *testing.T) { sessiontest.Smoke(t, "gru4rec", "    sampled_softmax: 16\n", false) })
	t.Run("sparse-adam", func(t *testing.T) {
		sessiontest.Smoke(t, "gru4rec", "    sampled_softmax: 16\n    sparse_adam: true\n", false)
	})
}

func TestDeterministic(t *testing.T) { sessiontest.Deterministic(t, "gru4rec", "") }

func TestConfigFile(t *testing.T) { sessiontest.ConfigFile(t, Spec) }

// TestRejectsOtherModelsKeys: a JUMP-only key is an error, not silently ignored.
func TestRejectsOtherModelsKeys(t *testing.T) {
	if _, err := session.New(Spec, sessiontestParams(t, "    sigma: 5\n"), nil, nil); err == nil {
		t.Error("gru4rec accepted sigma")
	}
}

// TestResume: a checkpoint between epochs resumes bit-identically.
func TestResume(t *testing.T) {
	sessiontest.Resume(t, "gru4rec", "")
	sessiontest.Resume(t, "gru4rec", "    sampled_softmax: 16\n    sparse_adam: true\n")
}
