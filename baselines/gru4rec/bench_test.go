package gru4rec

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
)

func sessiontestParams(t testing.TB, yaml string) bench.ModelParams { return benchtest.Params(t, yaml) }

// BenchmarkEpoch times a training epoch and an evaluation pass with the default parameters on
// 100,000 synthetic sessions / ~1,000,000 clicks / 40,000 items (issue #12's speed set):
//
//	go test -run '^$' -bench Epoch -benchtime 1x ./baselines/gru4rec
func BenchmarkEpoch(b *testing.B) { sessiontest.Bench(b, "gru4rec", 100000, 1000000, 40000) }

// BenchmarkDiginetica trains ten epochs on the DIGINETICA sample's sessions (skipped when absent)
// and reports the test metrics at the best validation MRR@20:
//
//	go test -run '^$' -bench Diginetica -benchtime 1x ./baselines/gru4rec
func BenchmarkDiginetica(b *testing.B) { sessiontest.Real(b, "gru4rec", "", 10) }
