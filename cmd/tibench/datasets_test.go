package main

import (
	"bytes"
	"context"
	"flag"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/datasets"
)

// updateGolden rewrites testdata/*.golden: go test ./cmd/tibench -run Datasets -update
// (Other tests of this package should reuse this flag rather than define another "update".)
var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

const smallCSV = "../../datasets/testdata/small.csv"

// TestDatasetsGolden runs `tibench datasets` command lines and compares stdout, stderr and the
// error with testdata/datasets_<case>.golden. Temporary paths print as $TMP, the offline test
// server's address as $ADDR.
func TestDatasetsGolden(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TIBENCH_DATA", tmp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connections to addr are now refused, like a machine without network

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"list", []string{"list"}},
		{"stats_small", []string{"stats", smallCSV}},
		{"stats_lenient", []string{"stats", "-lenient", smallCSV, "../../datasets/testdata/bad.csv"}},
		{"stats_sort_lenient", []string{"stats", "../../datasets/testdata/bad.csv", "-sort", "-lenient"}},
		{"stats_strict_error", []string{"stats", "../../datasets/testdata/bad.csv"}},
		{"stats_categories", []string{"stats", "-categories", "testdata/small-categories.csv", smallCSV}},
		{"stats_categories_conflict", []string{"stats", "-categories", "testdata/conflicting-categories.csv", smallCSV}},
		{"stats_unknown", []string{"stats", "movielens"}},
		{"stats_not_downloaded", []string{"stats", "wikipedia"}},
		{"stats_no_args", []string{"stats"}},
		{"download_offline", []string{"download", "-base-url", "http://" + addr, "-dir", tmp, "lastfm"}},
		{"download_unknown", []string{"download", "movielens"}},
		{"download_help", []string{"download", "-h"}},
		{"synth_missing_output", []string{"synth", "synth-lastfm-small"}},
		{"no_command", nil},
		{"unknown_command", []string{"frobnicate"}},
		{"help", []string{"help"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runDatasets(context.Background(), tc.args, &stdout, &stderr)
			var b strings.Builder
			b.WriteString("$ tibench datasets " + strings.Join(tc.args, " ") + "\n")
			b.WriteString("-- stdout --\n" + stdout.String())
			b.WriteString("-- stderr --\n" + stderr.String())
			if err != nil {
				b.WriteString("-- error --\n" + err.Error() + "\n")
			}
			got := strings.ReplaceAll(strings.ReplaceAll(b.String(), tmp, "$TMP"), addr, "$ADDR")
			golden := filepath.Join("testdata", "datasets_"+tc.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is intended)\n--- got ---\n%s--- want ---\n%s", golden, got, want)
			}
		})
	}
}

// TestDatasetsSynth writes a preset and reads it back: every row must carry the generated raw
// ids, times (relative to the first row), labels and features; the same seed gives the same bytes.
func TestDatasetsSynth(t *testing.T) {
	const preset = "synth-lastfm-small"
	dir := t.TempDir()
	out := filepath.Join(dir, "a.csv")
	var stdout, stderr bytes.Buffer
	if err := runDatasets(context.Background(), []string{"synth", preset, "-seed", "3", "-o", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "wrote "+preset+" (seed 3)") {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	want, err := datasets.Synthesize(preset, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := datasets.LoadCSV(context.Background(), out, datasets.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != want.Len() || got.FeatureDim != want.FeatureDim {
		t.Fatalf("%d rows x %d features, want %d x %d", got.Len(), got.FeatureDim, want.Len(), want.FeatureDim)
	}
	for i := range want.Len() {
		if got.UserIDs[got.Users[i]] != want.UserIDs[want.Users[i]] || got.ItemIDs[got.Items[i]] != want.ItemIDs[want.Items[i]] ||
			got.Times[i] != want.Times[i]-want.Times[0] || got.Labels[i] != want.Labels[i] ||
			!slices.Equal(got.Feature(i), want.Feature(i)) {
			t.Fatalf("row %d: got %+v, want %+v", i, got.At(i), want.At(i))
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only a.csv (no temporary files)", len(entries))
	}

	out2 := filepath.Join(dir, "b.csv")
	if err := runDatasets(context.Background(), []string{"synth", "-o", out2, "-seed=3", preset}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(out2)
	if !bytes.Equal(a, b) {
		t.Error("same preset and seed gave different files")
	}

	// A preset is also a valid stats argument; its row starts with the preset's size.
	stdout.Reset()
	if err := runDatasets(context.Background(), []string{"stats", "-seed", "3", preset}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(stdout.String(), "\n")
	if len(lines) < 2 || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), preset+" 20000 ") {
		t.Errorf("stats of a preset:\n%s", stdout.String())
	}

	// The output directory must exist; nothing is left behind on failure.
	err = runDatasets(context.Background(), []string{"synth", preset, "-o", filepath.Join(dir, "missing", "c.csv")}, &stdout, &stderr)
	if err == nil || !strings.HasPrefix(err.Error(), "datasets synth: ") {
		t.Errorf("missing directory: %v", err)
	}
}
