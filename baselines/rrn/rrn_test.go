package rrn

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec/seqrectest"
)

// TestGradients checks a whole three-step training window (scores, recurrence, learned initial
// states, every context input) against float64 finite differences.
func TestGradients(t *testing.T) {
	for _, cross := range []string{"true", "false"} {
		t.Run("cross="+cross, func(t *testing.T) {
			seqrectest.CheckGradients(t, Spec, seqrectest.AllInputs+"    cross: "+cross+"\n")
		})
	}
}

func TestEveryParamLearns(t *testing.T) { seqrectest.EveryParamLearns(t, Spec, seqrectest.AllInputs) }

// TestNoPeek: the scores of a step do not depend on the interactions the step is predicting.
func TestNoPeek(t *testing.T) { seqrectest.NoPeek(t, Spec, seqrectest.AllInputs) }

func TestSmoke(t *testing.T) { seqrectest.Smoke(t, Spec) }

// TestDeterministic: same seed, same predictions; Evaluate leaves the model unchanged.
func TestDeterministic(t *testing.T) { seqrectest.Deterministic(t, Spec) }

// TestConfigFile: configs/models/rrn.yaml loads and states the defaults.
func TestConfigFile(t *testing.T) { seqrectest.ConfigFile(t, Spec) }

func TestRegistered(t *testing.T) { seqrectest.Registered(t, Spec) }
