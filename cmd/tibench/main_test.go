package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		args    []string
		wantOut string
		wantErr string
	}{
		{args: nil, wantOut: "Commands:"},
		{args: []string{"help"}, wantOut: "backends"},
		{args: []string{"backends"}, wantOut: "cpu64    cpu64 (float64)"},
		{args: []string{"nosuch"}, wantErr: `unknown command "nosuch"`},
		{args: []string{"help", "nosuch"}, wantErr: `help: unknown command "nosuch"`},
		{args: []string{"help", "run"}},
		{args: []string{"list"}, wantOut: "\n  gru4rec-ctr     ctr "}, // the name column fits the longest name
		{args: []string{"backends", "-bogus"}, wantErr: "flag provided but not defined"},
		{args: []string{"help", "plan"}},
		{args: []string{"help", "export"}},
		{args: []string{"help", "tables"}},
		{args: []string{"export"}, wantErr: "want a target, one of k8s, slurm"},
		{args: []string{"export", "slurm"}, wantErr: "no experiment file given"},
		{args: []string{"plan"}, wantErr: "no experiment file given"},
		{args: []string{"run", "-plan", "p.json", "-profile", "paper"}, wantErr: "-profile cannot change them"},
		{args: []string{"run", "-shard", "4/4", "-configs", "../../configs", "../../configs/experiments/table3.yaml"}, wantErr: `-shard: grid: bad shard "4/4"`},
		{args: []string{"run", "-run-id", "table3/nosuch/x/seed-1", "-configs", "../../configs", "../../configs/experiments/table3.yaml"}, wantErr: "no run table3/nosuch/x/seed-1 in the plan"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errOut)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.wantOut)
			}
		})
	}
}

// TestRunCPUProfile: -cpuprofile writes a profile of the run, and an unwritable path fails up front
// with the flag's name.
func TestRunCPUProfile(t *testing.T) {
	dir := t.TempDir()
	exp := filepath.Join(dir, "exp.yaml")
	text := "name: prof\nkind: train\ntask: next-item\nmodels: [popularity]\ndatasets: [synth-wikipedia-small]\nseeds: [1]\nset: [run.epochs=1]\n"
	if err := os.WriteFile(exp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	runWithProfile := func(prof string) error {
		var out, errOut bytes.Buffer
		args := []string{"run", "-configs", "../../configs", "-results", filepath.Join(dir, "results"), "-cpuprofile", prof, exp}
		err := run(context.Background(), args, &out, &errOut)
		if err != nil {
			t.Logf("stderr: %s", errOut.String())
		}
		return err
	}
	prof := filepath.Join(dir, "cpu.pprof")
	if err := runWithProfile(prof); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Fatalf("profile %s: %v (want a non-empty file)", prof, err)
	}
	err := runWithProfile(filepath.Join(dir, "no-such-dir", "cpu.pprof"))
	if err == nil || !strings.Contains(err.Error(), "-cpuprofile") {
		t.Fatalf("err = %v, want a -cpuprofile error", err)
	}
}
