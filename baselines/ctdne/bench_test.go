package ctdne

import (
	"context"
	"fmt"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/models"
)

// fullData is a whole preset split 80/10/10 for next-item.
func fullData(b *testing.B, preset string) *bench.Data {
	b.Helper()
	full, err := datasets.Synthesize(preset, 1)
	if err != nil {
		b.Fatal(err)
	}
	split, err := datasets.SplitFractions(full.Len(), datasets.NextItemTrain, datasets.NextItemVal, datasets.NextItemTest)
	if err != nil {
		b.Fatal(err)
	}
	d, err := bench.NewData(full, split, datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// threadCases are the skip-gram settings the benchmarks compare: the deterministic single
// goroutine and Hogwild on every core.
var threadCases = []struct {
	name    string
	threads int
}{{"threads=1", 1}, {"threads=all", AllThreads}}

// newBenchModel builds a model with the default parameters but threads, Init-ed on d.
func newBenchModel(b *testing.B, d *bench.Data, threads int) *Model {
	b.Helper()
	m, err := New(benchtest.Params(b, fmt.Sprintf("    threads: %d\n", threads)), models.Env{})
	if err != nil {
		b.Fatal(err)
	}
	mm := m.(*Model)
	if err := mm.Init(d, 1); err != nil {
		b.Fatal(err)
	}
	return mm
}

// BenchmarkCTDNEWalks times the temporal-walk corpus of one training pass on synth-wikipedia
// (157,474 interactions; the 80% training graph) with the default parameters:
//
//	go test -run '^$' -bench CTDNEWalks -benchtime 3x ./baselines/ctdne
func BenchmarkCTDNEWalks(b *testing.B) {
	d := fullData(b, "synth-wikipedia")
	for _, tc := range threadCases {
		m := newBenchModel(b, d, tc.threads)
		w := m.walker(m.trainGraph(d))
		b.Run("model=ctdne/dataset=synth-wikipedia/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var c *corpus
			for b.Loop() {
				var err error
				if c, err = w.generate(context.Background(), 1, 0, m.cfg.threads()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/corpus")
			b.ReportMetric(float64(len(c.tokens)), "tokens")
			b.ReportMetric(float64(c.numWalks()), "walks")
		})
	}
}

// BenchmarkCTDNESkipGram times one skip-gram pass over a training corpus of synth-wikipedia:
//
//	go test -run '^$' -bench CTDNESkipGram -benchtime 1x ./baselines/ctdne
func BenchmarkCTDNESkipGram(b *testing.B) {
	d := fullData(b, "synth-wikipedia")
	for _, tc := range threadCases {
		m := newBenchModel(b, d, tc.threads)
		g := m.trainGraph(d)
		c, err := m.walker(g).generate(context.Background(), 1, 0, m.cfg.threads())
		if err != nil {
			b.Fatal(err)
		}
		neg := newNegatives(c, g.numNodes)
		p := sgnsParams{window: m.cfg.Window, negatives: m.cfg.Negatives, lr: m.cfg.LR, threads: m.cfg.threads(), updateOut: true}
		b.Run("model=ctdne/dataset=synth-wikipedia/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := trainSGNS(context.Background(), m.emb, c, neg, p, 1, 1<<16); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/pass")
			b.ReportMetric(float64(len(c.tokens)*b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkCTDNEEpoch times whole training epochs (walks + skip-gram) on synth-wikipedia, the
// issue's target being at most 60 s per epoch:
//
//	go test -run '^$' -bench CTDNEEpoch -benchtime 1x ./baselines/ctdne
func BenchmarkCTDNEEpoch(b *testing.B) {
	d := fullData(b, "synth-wikipedia")
	for _, tc := range threadCases {
		m := newBenchModel(b, d, tc.threads)
		b.Run("model=ctdne/dataset=synth-wikipedia/phase=train/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := m.TrainEpoch(context.Background(), d, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/epoch")
		})
	}
}

// BenchmarkQuality trains epochs on synth-wikipedia-small with the default parameters through the
// runner and reports the test MRR and Recall@10 at the best validation epoch, the evaluation's
// refreshes included in sec/eval, for the defaults and a few variants:
//
//	go test -run '^$' -bench Quality -benchtime 1x ./baselines/ctdne
func BenchmarkQuality(b *testing.B) {
	d := fullData(b, "synth-wikipedia-small")
	for _, params := range []string{"", "    similarity: cosine\n", "    refresh_every: -1\n", "    min_walk_length: 2\n",
		"    neighbour_bias: exponential\n", "    neighbour_bias: linear\n"} {
		name := "model=ctdne/dataset=synth-wikipedia-small/params=default"
		if params != "" {
			name = "model=ctdne/dataset=synth-wikipedia-small/params=" + params[4:len(params)-1]
		}
		b.Run(name, func(b *testing.B) {
			var out *bench.Outcome
			for b.Loop() {
				m, err := New(benchtest.Params(b, params), models.Env{})
				if err != nil {
					b.Fatal(err)
				}
				if out, err = bench.Train(context.Background(), m, d, 1, bench.RunConfig{Epochs: 2}, bench.RunOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			best := out.BestEpoch()
			b.ReportMetric(best.Test["MRR"], "MRR")
			b.ReportMetric(best.Test["recall@10"], "recall@10")
			b.ReportMetric(out.MeanTrain().Seconds(), "sec/epoch")
			b.ReportMetric(out.MeanEval().Seconds(), "sec/eval")
		})
	}
}
