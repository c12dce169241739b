package deepcoevolve

import (
	"context"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/internal/ag"
)

// BenchmarkDeepCoevolveEpoch times one training epoch and one evaluation pass (validation + test,
// frozen) with the defaults on the full-size synth-wikipedia preset (157,474 interactions), with and
// without t-Batch. The target: an epoch with t-Batch ≤ 30 s on the 2-core CPU. Run:
// go test -run '^$' -bench DeepCoevolveEpoch -benchtime 1x ./baselines/deepcoevolve
func BenchmarkDeepCoevolveEpoch(b *testing.B) {
	d := benchtest.SynthData(b, "synth-wikipedia", bench.TaskNextItem, bench.ProtocolFrozen)
	for _, tb := range []string{"on", "off"} {
		b.Run("dataset=synth-wikipedia/tbatch="+tb, func(b *testing.B) {
			m := newModel(b, "    tbatch: \""+tb+"\"\n", ag.NewCPU())
			if err := m.Init(d, 1); err != nil {
				b.Fatal(err)
			}
			b.Run("train", func(b *testing.B) {
				var st bench.EpochStats
				for b.Loop() {
					var err error
					if st, err = m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
				b.ReportMetric(float64(st.Interactions)*float64(b.N)/b.Elapsed().Seconds(), "interactions/s")
				b.ReportMetric(float64(st.Batches), "batches/epoch")
			})
			b.Run("evaluate", func(b *testing.B) {
				for b.Loop() {
					if err := m.Evaluate(context.Background(), d, func(bench.Prediction) {}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/eval")
			})
		})
	}
}
