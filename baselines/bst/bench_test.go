package bst

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

// BenchmarkTrainEpoch times one training epoch at the default parameters on synth-amazon-small
// (ctrtest.BenchEpoch): go test -run '^$' -bench TrainEpoch -benchtime 1x ./baselines/bst
func BenchmarkTrainEpoch(b *testing.B) { ctrtest.BenchEpoch(b, Spec) }
