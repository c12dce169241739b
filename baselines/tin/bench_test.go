package tin

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

func BenchmarkTrainEpoch(b *testing.B) { ctrtest.BenchEpoch(b, Specs[0]) }

// BenchmarkCTREpoch times training and evaluation at issue #13's scale (ctrtest.BenchCTREpoch):
//
//	go test -run '^$' -bench CTREpoch -benchtime 1x -timeout 2h ./baselines/tin
func BenchmarkCTREpoch(b *testing.B) { ctrtest.BenchCTREpochs(b, Specs...) }
