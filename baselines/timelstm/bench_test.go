package timelstm

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec/seqrectest"
)

// BenchmarkModel times a training epoch and an evaluation pass on synth-wikipedia (157,474
// interactions, 8,227 users, 1,000 items, 172 features) with the default parameters:
//
//	go test -run '^$' -bench Model -benchtime 1x ./baselines/timelstm
func BenchmarkModel(b *testing.B) { seqrectest.Bench(b, Spec, "synth-wikipedia") }

// BenchmarkQuality trains three epochs on synth-wikipedia-small with the default parameters and
// reports the test MRR and Recall@10 at the best validation epoch:
//
//	go test -run '^$' -bench Quality -benchtime 1x ./baselines/timelstm
func BenchmarkQuality(b *testing.B) { seqrectest.Quality(b, Spec, "synth-wikipedia-small", 3) }
