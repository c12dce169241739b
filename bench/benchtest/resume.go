package benchtest

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/tibench/tibench/bench"
)

// ResumeMatches checks a bench.Checkpointer: two epochs straight, and one epoch, a checkpoint, a
// fresh model (from mk) Init-ed alike that loads it and trains the second epoch, must give
// bit-identical predictions. It returns the checkpoint, for the caller's checks that other
// settings refuse it.
func ResumeMatches(t testing.TB, mk func() bench.Model, d *bench.Data, seed uint64) []byte {
	t.Helper()
	ctx := context.Background()
	straight := Predictions(t, mk(), d, seed, 2)
	first := mk()
	if err := first.Init(d, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := first.TrainEpoch(ctx, d, bench.NoProgress{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := first.(bench.Checkpointer).SaveCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	second := mk()
	if err := second.Init(d, seed); err != nil {
		t.Fatal(err)
	}
	if err := second.(bench.Checkpointer).LoadCheckpoint(bytes.NewReader(buf.Bytes())); err != nil {
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
		t.Error("resumed training differs from straight training")
	}
	return buf.Bytes()
}
