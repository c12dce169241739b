package bst

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

// BenchmarkTrainEpoch times one training epoch at the default parameters on synth-amazon-small
// (ctrtest.BenchEpoch): go test -run '^$' -bench TrainEpoch -benchtime 1x ./baselines/bst
func BenchmarkTrainEpoch(b *testing.B) { ctrtest.BenchEpoch(b, Spec) }

// BenchmarkCTREpoch times training and evaluation at issue #13's scale (ctrtest.BenchCTREpoch):
//
//	go test -run '^$' -bench CTREpoch -benchtime 1x -timeout 2h ./baselines/bst
func BenchmarkCTREpoch(b *testing.B) { ctrtest.BenchCTREpochs(b, Spec) }
