package ctrtest

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/bench"
)

// Resume checks checkpoints (bench.Checkpointer): two epochs in one go and one epoch, a checkpoint,
// a fresh model Init-ed alike that loads it and trains the second epoch give bit-identical
// predictions (parameters, both Adams, batch-norm statistics, the training order and a net's own
// random sources all carried over); a checkpoint does not load into a model of other parameters
// or another seed.
func Resume(t *testing.T, spec ctr.Spec, params string) {
	t.Helper()
	d := Data(t)
	ctx := context.Background()
	straight := Train(t, New(t, spec, params), d, 3, 2)
	first := New(t, spec, params)
	if err := first.Init(d, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := first.TrainEpoch(ctx, d, bench.NoProgress{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := first.SaveCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	saved := buf.Bytes()
	second := New(t, spec, params)
	if err := second.Init(d, 3); err != nil {
		t.Fatal(err)
	}
	if err := second.LoadCheckpoint(bytes.NewReader(saved)); err != nil {
		t.Fatal(err)
	}
	if _, err := second.TrainEpoch(ctx, d, bench.NoProgress{}); err != nil {
		t.Fatal(err)
	}
	var resumed []bench.Prediction
	if err := second.Evaluate(ctx, d, func(p bench.Prediction) { resumed = append(resumed, p) }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(straight, resumed) {
		t.Errorf("%s: resumed training differs from straight training", spec.Name)
	}
	for _, other := range []struct {
		what, params string
		seed         uint64
	}{{"clip 3", params + "    clip: 3\n", 3}, {"seed 4", params, 4}} {
		m := New(t, spec, other.params)
		if err := m.Init(d, other.seed); err != nil {
			t.Fatal(err)
		}
		if err := m.LoadCheckpoint(bytes.NewReader(saved)); err == nil {
			t.Errorf("%s: a checkpoint loaded into a model with %s", spec.Name, other.what)
		}
	}
}
