// Package benchtest builds small datasets by hand and drives a bench.Model through training and
// evaluation, for model tests.
package benchtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
)

// Data builds a dataset from parallel columns (ids dense from 0; labels may be nil) and a split at the
// given row boundaries, with train-normalised time deltas and the given protocol.
func Data(t testing.TB, users, items []int32, times []float64, labels []uint8, trainEnd, valEnd int, protocol bench.Protocol) *bench.Data {
	t.Helper()
	n := len(users)
	if labels == nil {
		labels = make([]uint8, n)
	}
	d := &datasets.Dataset{Name: "hand", Users: users, Items: items, Times: times, Labels: labels}
	maxID := func(ids []int32) int32 {
		m := int32(-1)
		for _, v := range ids {
			m = max(m, v)
		}
		return m
	}
	for i := int32(0); i <= maxID(users); i++ {
		d.UserIDs = append(d.UserIDs, fmt.Sprintf("u%d", i))
	}
	for i := int32(0); i <= maxID(items); i++ {
		d.ItemIDs = append(d.ItemIDs, fmt.Sprintf("i%d", i))
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	bd, err := bench.NewData(d, datasets.Split{N: n, TrainEnd: trainEnd, ValEnd: valEnd, TestEnd: n}, datasets.NormTrain, bench.TaskNextItem, protocol)
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

// Predictions initialises m with seed, trains epochs epochs and returns the evaluation's predictions.
func Predictions(t testing.TB, m bench.Model, d *bench.Data, seed uint64, epochs int) []bench.Prediction {
	t.Helper()
	ctx := context.Background()
	if err := m.Init(d, seed); err != nil {
		t.Fatal(err)
	}
	for range epochs {
		if _, err := m.TrainEpoch(ctx, d, bench.NoProgress{}); err != nil {
			t.Fatal(err)
		}
	}
	var out []bench.Prediction
	if err := m.Evaluate(ctx, d, func(p bench.Prediction) { out = append(out, p) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// Ranks extracts the ranks of predictions.
func Ranks(ps []bench.Prediction) []float64 {
	r := make([]float64, len(ps))
	for i, p := range ps {
		r[i] = p.Rank
	}
	return r
}

// Params returns model parameters from YAML text, as the config layers would deliver them.
func Params(t testing.TB, yamlText string) bench.ModelParams {
	t.Helper()
	c, err := bench.LoadConfig([]bench.Layer{{Path: "test.yaml", Data: []byte("dataset: {name: d}\nmodel:\n  name: m\n  params:\n" + yamlText)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Model.Params
}

// SynthData is a synthetic preset (generator seed 1) split chronologically as the papers split it —
// 80/10/10, or 60/20/20 for state change — as the task's view.
func SynthData(t testing.TB, preset string, task bench.Task, protocol bench.Protocol) *bench.Data {
	t.Helper()
	ds, err := datasets.Synthesize(preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	fr := [3]float64{0.8, 0.1, 0.1}
	if task == bench.TaskStateChange {
		fr = [3]float64{0.6, 0.2, 0.2}
	}
	split, err := datasets.SplitFractions(ds.Len(), fr[0], fr[1], fr[2])
	if err != nil {
		t.Fatal(err)
	}
	d, err := bench.NewData(ds, split, datasets.NormTrain, task, protocol)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
