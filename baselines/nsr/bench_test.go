package nsr

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
)

// BenchmarkEpoch times a training epoch and an evaluation pass with the default parameters on
// issue #12's speed set (see sessiontest.BenchEpochs):
//
//	go test -run '^$' -bench Epoch -benchtime 1x -timeout 1h ./baselines/nsr
func BenchmarkEpoch(b *testing.B) { sessiontest.BenchEpochs(b, "nsr") }

// BenchmarkDiginetica trains ten epochs on the DIGINETICA sample's sessions (skipped when absent)
// and reports the test metrics at the best validation MRR@20:
//
//	go test -run '^$' -bench Diginetica -benchtime 1x ./baselines/nsr
func BenchmarkDiginetica(b *testing.B) { sessiontest.Real(b, "nsr", "", 10) }
