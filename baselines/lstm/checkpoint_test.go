package lstm

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec/seqrectest"
	"github.com/tibench/tibench/baselines/rrn"
)

// TestCheckpointResume: one epoch, a checkpoint, a fresh model and two more epochs give the
// statistics, predictions and parameters of three uninterrupted epochs, bit for bit.
func TestCheckpointResume(t *testing.T) { seqrectest.Resume(t, Spec) }

// TestCheckpointRejects: corrupt, truncated and foreign checkpoints are refused, naming why.
func TestCheckpointRejects(t *testing.T) { seqrectest.CheckpointRejects(t, Spec, rrn.Spec) }
