package tin

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

func BenchmarkTrainEpoch(b *testing.B) { ctrtest.BenchEpoch(b, Specs[0]) }
