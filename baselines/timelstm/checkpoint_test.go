package timelstm

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec/seqrectest"
)

// TestCheckpointResume: one epoch, a checkpoint, a fresh model and two more epochs give the
// statistics, predictions and parameters of three uninterrupted epochs, bit for bit.
func TestCheckpointResume(t *testing.T) { seqrectest.Resume(t, Spec) }
