package igru

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
)

// The GRU cell's gradients are checked in internal/nn; BPR-max and TOP1-max with sampled
// negatives in package session (TestStepLossGradients).

func TestSmoke(t *testing.T) {
	for _, loss := range []string{session.LossBPRMax, session.LossTOP1Max} {
		t.Run(loss, func(t *testing.T) { sessiontest.Smoke(t, "igru", "    negatives: 32\n    loss: "+loss+"\n", false) })
	}
}

func TestDeterministic(t *testing.T) { sessiontest.Deterministic(t, "igru", "    negatives: 16\n") }

func TestConfigFile(t *testing.T) { sessiontest.ConfigFile(t, Spec) }

// TestResume: a checkpoint between epochs resumes bit-identically.
func TestResume(t *testing.T) { sessiontest.Resume(t, "igru", "    negatives: 16\n") }
