package gru4rec

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
)

func sessiontestParams(t testing.TB, yaml string) bench.ModelParams { return benchtest.Params(t, yaml) }

// BenchmarkEpoch times a training epoch and an evaluation pass with the default parameters on
// issue #12's speed set (see sessiontest.BenchEpochs):
//
//	go test -run '^$' -bench Epoch -benchtime 1x -timeout 1h ./baselines/gru4rec
func BenchmarkEpoch(b *testing.B) { sessiontest.BenchEpochs(b, "gru4rec") }

// BenchmarkDiginetica trains ten epochs on the DIGINETICA sample's sessions (skipped when absent)
// and reports the test metrics at the best validation MRR@20:
//
//	go test -run '^$' -bench Diginetica -benchtime 1x ./baselines/gru4rec
func BenchmarkDiginetica(b *testing.B) { sessiontest.Real(b, "gru4rec", "", 10) }

// BenchmarkCTRTrainEpoch times one training epoch of gru4rec-ctr at the default parameters on
// synth-amazon-small (ctrtest.BenchEpoch): go test -run '^$' -bench CTRTrainEpoch -benchtime 1x ./baselines/gru4rec
func BenchmarkCTRTrainEpoch(b *testing.B) { ctrtest.BenchEpoch(b, CTRSpec) }

// BenchmarkCTREpoch times training and evaluation at issue #13's scale (ctrtest.BenchCTREpoch):
//
//	go test -run '^$' -bench CTREpoch -benchtime 1x -timeout 2h ./baselines/gru4rec
func BenchmarkCTREpoch(b *testing.B) { ctrtest.BenchCTREpochs(b, CTRSpec) }
