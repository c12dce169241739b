package jump

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
)

// BenchmarkEpoch times a training epoch and an evaluation pass with the default parameters on
// issue #12's speed set (see sessiontest.BenchEpochs):
//
//	go test -run '^$' -bench Epoch -benchtime 1x -timeout 1h ./baselines/jump
func BenchmarkEpoch(b *testing.B) { sessiontest.BenchEpochs(b, "jump") }

// BenchmarkDiginetica trains ten epochs on the DIGINETICA sample's sessions (skipped when absent)
// and reports the test metrics at the best validation MRR@20:
//
//	go test -run '^$' -bench Diginetica -benchtime 1x ./baselines/jump
func BenchmarkDiginetica(b *testing.B) { sessiontest.Real(b, "jump", "", 10) }

// BenchmarkDigineticaObservedMedian is BenchmarkDiginetica with the median given τ < c1 as the
// dwell point.
func BenchmarkDigineticaObservedMedian(b *testing.B) {
	sessiontest.Real(b, "jump", "    dwell_point: observed-median\n", 10)
}
