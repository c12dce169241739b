package benchtest

import (
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
)

// SessionData is a synthetic preset (generator seed 1) cut into sessions by the session task's
// default rules (gap 1 hour, c1 2000 s, c2 30 s, JUMP's filters) and split 70/10/20 by start time,
// as the session task's view.
func SessionData(t testing.TB, preset string) *bench.Data {
	t.Helper()
	ds, err := datasets.Synthesize(preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	var r bench.RunConfig
	bench.TaskSession.Defaults(&r)
	d, err := bench.TaskSession.View(ds, r)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
