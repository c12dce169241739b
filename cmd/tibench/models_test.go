package main

import (
	"context"
	"math"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/models"
)

// prefix returns the first n rows of a synthetic preset, split 80/10/10 (or 60/20/20 for state change).
func prefix(t testing.TB, preset string, n int, task bench.Task) *bench.Data {
	t.Helper()
	ds, err := datasets.Synthesize(preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	ds = truncate(ds, n)
	fr := [3]float64{datasets.NextItemTrain, datasets.NextItemVal, datasets.NextItemTest}
	if task == bench.TaskStateChange {
		fr = [3]float64{datasets.StateChangeTrain, datasets.StateChangeVal, datasets.StateChangeTest}
	}
	split, err := datasets.SplitFractions(ds.Len(), fr[0], fr[1], fr[2])
	if err != nil {
		t.Fatal(err)
	}
	d, err := bench.NewData(ds, split, datasets.NormTrain, task, bench.ProtocolFrozen)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// truncate keeps the first n rows (entity ids stay dense: ids first seen later are dropped from the maps).
func truncate(d *datasets.Dataset, n int) *datasets.Dataset {
	if n >= d.Len() {
		return d
	}
	out := *d
	out.Users, out.Items, out.Times, out.Labels = d.Users[:n], d.Items[:n], d.Times[:n], d.Labels[:n]
	out.Features = d.Features[:n*d.FeatureDim]
	var mu, mi int32
	for i := 0; i < n; i++ {
		mu, mi = max(mu, d.Users[i]), max(mi, d.Items[i])
	}
	out.UserIDs, out.ItemIDs = d.UserIDs[:mu+1], d.ItemIDs[:mi+1]
	return &out
}

func newModel(t testing.TB, name string) bench.Model {
	t.Helper()
	m, err := models.New(name, bench.ModelParams{}, models.Env{Backend: ag.NewCPU()})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEveryModelSmoke trains every registered model for one epoch on a 3,000-interaction prefix and
// checks what it reports for each task it claims: one valid rank per evaluated row, finite scores,
// and metrics in range.
func TestEveryModelSmoke(t *testing.T) {
	for _, name := range models.Names() {
		t.Run(name, func(t *testing.T) {
			if _, ok := newModel(t, name).(bench.Ranker); ok {
				d := prefix(t, "synth-wikipedia-small", 3000, bench.TaskNextItem)
				out, err := bench.Train(context.Background(), newModel(t, name), d, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, part := range []bench.Scores{out.BestEpoch().Val, out.BestEpoch().Test} {
					if mrr := part["MRR"]; !(mrr > 0 && mrr <= 1) {
						t.Errorf("MRR %v out of (0, 1]", mrr)
					}
				}
			}
			if _, ok := newModel(t, name).(bench.StateClassifier); ok {
				d := prefix(t, "synth-mooc-small", 6000, bench.TaskStateChange)
				out, err := bench.Train(context.Background(), newModel(t, name), d, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if auc := out.BestEpoch().Test["AUC"]; math.IsNaN(auc) || auc < 0 || auc > 1 {
					t.Errorf("AUC %v", auc)
				}
			}
		})
	}
}

// BenchmarkModels times one training epoch and one evaluation pass of every registered model on
// synth-wikipedia-small. Run: go test -run '^$' -bench Models ./bench
func BenchmarkModels(b *testing.B) {
	d := prefix(b, "synth-wikipedia-small", 1<<30, bench.TaskNextItem)
	for _, name := range models.Names() {
		m := newModel(b, name)
		if _, ok := m.(bench.Ranker); !ok {
			continue
		}
		if err := m.Init(d, 1); err != nil {
			b.Fatal(err)
		}
		b.Run("model="+name+"/dataset=synth-wikipedia-small/phase=train", func(b *testing.B) {
			for b.Loop() {
				if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(d.Split.TrainEnd)*float64(b.N)/b.Elapsed().Seconds(), "interactions/s")
		})
		b.Run("model="+name+"/dataset=synth-wikipedia-small/phase=eval", func(b *testing.B) {
			acc := metrics.NewRankAccumulator(10)
			for b.Loop() {
				acc.Reset()
				if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { _ = acc.Add(p.Rank) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(d.Split.TestEnd-d.Split.TrainEnd)*float64(b.N)/b.Elapsed().Seconds(), "interactions/s")
			b.ReportMetric(acc.MRR(), "MRR")
		})
	}
}
