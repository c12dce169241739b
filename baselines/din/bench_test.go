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
