package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMonitorCommand: `tibench monitor` runs a kind-evolution experiment and prints one summary row
// per run and side (LSTM reports its users only); an experiment of another kind is refused.
func TestMonitorCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	evo := write("evo.yaml", "name: evo\nkind: evolution\ntask: next-item\nmodels: [lstm]\ndatasets: [synth-lastfm-small]\nseeds: [1]\nset: [run.epochs=1]\n")
	train := write("train.yaml", "name: t\ntask: next-item\nmodels: [lstm]\ndatasets: [synth-lastfm-small]\n")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"monitor", "-configs", "../../configs", "-results", filepath.Join(dir, "results"), evo}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "RUN") || !strings.Contains(lines[1], "model=lstm dataset=synth-lastfm-small") ||
		!strings.Contains(lines[1], "users  100") {
		t.Errorf("summary:\n%s\nwant a header and one users row for lstm with its 100 sampled users", out.String())
	}
	err = run(context.Background(), []string{"monitor", "-configs", "../../configs", "-results", filepath.Join(dir, "results"), train}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `kind "train", want "evolution"`) {
		t.Errorf("err = %v, want a refusal of a train experiment", err)
	}
}
