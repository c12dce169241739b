package jodie

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// BenchmarkJODIEEpoch times one training epoch and one evaluation pass on a -small preset, with and
// without t-Batch. Run: go test -run '^$' -bench JODIEEpoch ./models/jodie
func BenchmarkJODIEEpoch(b *testing.B) {
	d := benchtest.SynthData(b, "synth-reddit-small", bench.TaskNextItem, bench.ProtocolFrozen)
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
	d := benchtest.SynthData(b, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
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
	d := benchtest.SynthData(b, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
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

// wikipediaShapedData is a log with Wikipedia's shapes (8,227 users, 1,000 items, 172 features) whose
// first 512 rows have distinct users and items, so that any prefix of them is one t-batch.
func wikipediaShapedData(b *testing.B) *bench.Data {
	const users, items, F, n = 8227, 1000, 172, 2048
	d := &datasets.Dataset{Name: "wikipedia-shaped", FeatureDim: F}
	r := rand.New(rand.NewPCG(1, 2))
	for k := range n {
		d.Users = append(d.Users, int32(k%users))
		d.Items = append(d.Items, int32(k%items))
		d.Times = append(d.Times, float64(k))
		d.Labels = append(d.Labels, 0)
		for range F {
			d.Features = append(d.Features, float32(r.NormFloat64()))
		}
	}
	for k := range users {
		d.UserIDs = append(d.UserIDs, fmt.Sprint("u", k))
	}
	for k := range items {
		d.ItemIDs = append(d.ItemIDs, fmt.Sprint("i", k))
	}
	bd, err := bench.NewData(d, datasets.Split{N: n, TrainEnd: n * 8 / 10, ValEnd: n * 9 / 10, TestEnd: n}, datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		b.Fatal(err)
	}
	return bd
}

// BenchmarkJODIEEngineStep times one training step of the real model — a t-batch of B interactions:
// prediction, updates, the four loss terms, backward, Adam (dense, deferred) — at Wikipedia's shapes
// (dim 128, 1+172 inputs beside the embedding, one-hot blocks of 8,227 users and 1,001 items), on
// each engine. With -tags openblas the tibench engine multiplies with OpenBLAS (gorgonia keeps
// gonum's). Run: go test -run '^$' -bench JODIEEngineStep ./models/jodie
func BenchmarkJODIEEngineStep(b *testing.B) {
	d := wikipediaShapedData(b)
	for _, engine := range []string{"tibench", "gorgonia"} {
		for _, B := range []int{1, 11, 64, 512} {
			b.Run(fmt.Sprintf("engine=%s/B=%d", engine, B), func(b *testing.B) {
				m := newModel(b, "    engine: "+engine+"\n", ag.NewCPU())
				if err := m.Init(d, 1); err != nil {
					b.Fatal(err)
				}
				rows := make([]int32, B)
				for k := range rows {
					rows[k] = int32(k)
				}
				m.tp.SetGrad(true)
				m.resetStates()
				step := func() {
					var loss *ag.Tensor
					if m.gg != nil {
						var err error
						if _, loss, err = m.runGorgonia(d, [][]int32{rows}, true, false); err != nil {
							b.Fatal(err)
						}
					} else {
						loss, _, _ = m.step(d, rows)
					}
					if err := m.learn(loss); err != nil {
						b.Fatal(err)
					}
					m.endWindow()
				}
				step() // compiles gorgonia's machine for B; grows the tape's arena
				for b.Loop() {
					step()
				}
				b.ReportMetric(float64(b.N*B)/b.Elapsed().Seconds(), "interactions/s")
			})
		}
	}
}

// BenchmarkJODIEMonitorOverhead times a training epoch on synth-wikipedia with and without the
// embedding-evolution monitor attached (issue target: at most 10% slower), both arms in one run.
// Run: go test -run '^$' -bench JODIEMonitorOverhead -benchtime 2x -count 3 ./models/jodie
func BenchmarkJODIEMonitorOverhead(b *testing.B) {
	d := benchtest.SynthData(b, "synth-wikipedia", bench.TaskNextItem, bench.ProtocolFrozen)
	for _, arm := range []string{"off", "on"} {
		b.Run("dataset=synth-wikipedia/monitor="+arm, func(b *testing.B) {
			m := newModel(b, "", ag.NewCPU())
			if err := m.Init(d, 1); err != nil {
				b.Fatal(err)
			}
			if arm == "on" {
				mon, err := monitor.New(monitor.Config{Sample: 1000, Seed: 1}, d.NumUsers(), d.NumItems(), 0, 0)
				if err != nil {
					b.Fatal(err)
				}
				m.ObserveEmbeddings(mon)
			}
			for b.Loop() {
				if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
