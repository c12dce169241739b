package dtgru

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
)

// BenchmarkEpoch times a training epoch and an evaluation pass with the default parameters on
// 100,000 synthetic sessions / ~1,000,000 clicks / 40,000 items (issue #12's speed set):
//
//	go test -run '^$' -bench Epoch -benchtime 1x ./baselines/dtgru
func BenchmarkEpoch(b *testing.B) { sessiontest.Bench(b, "dtgru", 100000, 1000000, 40000) }

// BenchmarkDiginetica trains ten epochs on the DIGINETICA sample's sessions (skipped when absent)
// and reports the test metrics at the best validation MRR@20:
//
//	go test -run '^$' -bench Diginetica -benchtime 1x ./baselines/dtgru
func BenchmarkDiginetica(b *testing.B) { sessiontest.Real(b, "dtgru", "", 10) }
