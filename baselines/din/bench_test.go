package din

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

func BenchmarkTrainEpoch(b *testing.B) {
	for _, s := range Specs {
		b.Run(s.Name, func(b *testing.B) { ctrtest.BenchEpoch(b, s) })
	}
}

// BenchmarkCTREpoch times training and evaluation at issue #13's scale (ctrtest.BenchCTREpoch):
//
//	go test -run '^$' -bench CTREpoch -benchtime 1x -timeout 2h ./baselines/din
func BenchmarkCTREpoch(b *testing.B) { ctrtest.BenchCTREpochs(b, Specs...) }
