package jodie

import (
	"context"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
)

// BenchmarkJODIEEpoch times one training epoch and one evaluation pass on a -small preset, with and
// without t-Batch. Run: go test -run '^$' -bench JODIEEpoch ./models/jodie
func BenchmarkJODIEEpoch(b *testing.B) {
	d := synthData(b, "synth-reddit-small", bench.TaskNextItem, bench.ProtocolFrozen)
	for _, tb := range []string{"on", "off"} {
		b.Run("dataset=synth-reddit-small/tbatch="+tb, func(b *testing.B) {
			m := newModel(b, "    tbatch: \""+tb+"\"\n", ag.NewCPU())
			if err := m.Init(d, 1); err != nil {
				b.Fatal(err)
			}
			var st bench.EpochStats
			for b.Loop() {
				var err error
				if st, err = m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Interactions)*float64(b.N)/b.Elapsed().Seconds(), "interactions/s")
			b.ReportMetric(float64(st.Batches), "batches/epoch")
		})
	}
}

// BenchmarkJODIEAdam times one training epoch with each sparse_adam setting on a -small preset:
// dense (the default) must cost no more than lazy, and far less than dense-eager, for the same
// parameters as dense-eager. Run: go test -run '^$' -bench JODIEAdam -count 5 ./models/jodie
func BenchmarkJODIEAdam(b *testing.B) {
	d := synthData(b, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
	for _, mode := range []string{"lazy", "dense-eager", "dense"} {
		b.Run("dataset=synth-wikipedia-small/sparse_adam="+mode, func(b *testing.B) {
			m := newModel(b, "    sparse_adam: "+mode+"\n", ag.NewCPU())
			if err := m.Init(d, 1); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJODIEEngineEpoch times one training epoch on a -small preset with each engine and, for
// gorgonia, each way of meeting t-batch sizes with static shapes (gorgonia_shapes). Run:
// go test -run '^$' -bench JODIEEngineEpoch -benchtime 1x -count 3 ./models/jodie
func BenchmarkJODIEEngineEpoch(b *testing.B) {
	d := synthData(b, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
	for _, arm := range []struct{ name, params string }{
		{"engine=tibench", ""},
		{"engine=gorgonia/shapes=exact", "    engine: gorgonia\n    gorgonia_shapes: exact\n"},
		{"engine=gorgonia/shapes=bucket", "    engine: gorgonia\n    gorgonia_shapes: bucket\n"},
	} {
		b.Run("dataset=synth-wikipedia-small/"+arm.name, func(b *testing.B) {
			m := newModel(b, arm.params, ag.NewCPU())
			if err := m.Init(d, 1); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
					b.Fatal(err)
				}
			}
			if m.gg != nil {
				b.ReportMetric(float64(len(m.gg.machines)), "machines")
			}
		})
	}
}
