package ctrtest

import (
	"bytes"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
)

// Resume checks checkpoints (bench.Checkpointer): two epochs in one go and one epoch, a checkpoint,
// a fresh model Init-ed alike that loads it and trains the second epoch give bit-identical
// predictions (parameters, both Adams, batch-norm statistics, the training order and a net's own
// random sources all carried over); a checkpoint does not load into a model of other parameters
// or another seed.
func Resume(t *testing.T, spec ctr.Spec, params string) {
	t.Helper()
	d := Data(t)
	saved := benchtest.ResumeMatches(t, func() bench.Model { return New(t, spec, params) }, d, 3)
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
