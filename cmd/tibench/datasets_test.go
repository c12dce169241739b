package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
		{"stats_not_downloaded_archive", []string{"stats", "recsys15"}},
		{"download_offline", []string{"download", "-base-url", "http://" + addr, "-dir", tmp, "lastfm"}},
		{"download_by_hand", []string{"download", "-dir", tmp, "alibaba"}},
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

// yoochooseFixture writes sessions × 4 clicks on 8 items in the RecSys Challenge 2015 format, a
// minute apart within a session, sessions an hour apart.
func yoochooseFixture(sessions int) string {
	var b strings.Builder
	start := time.Date(2014, 4, 7, 0, 0, 0, 0, time.UTC)
	for s := range sessions {
		for k := range 4 {
			t := start.Add(time.Duration(s)*time.Hour + time.Duration(k)*time.Minute)
			fmt.Fprintf(&b, "%d,%s,%d,0\n", s+1, t.Format("2006-01-02T15:04:05.000Z"), 214536500+(s+k)%8)
		}
	}
	return b.String()
}

// taobaoFixture writes users × 6 impressions of 10 ad groups, every third one clicked, and the ad
// catalogue (3 categories) in the Taobao display-ad format.
func taobaoFixture(users int) (samples, ads string) {
	var s, a strings.Builder
	s.WriteString("user,time_stamp,adgroup_id,pid,nonclk,clk\n")
	for u := range users {
		for k := range 6 {
			clk := 0
			if (u+k)%3 == 0 {
				clk = 1
			}
			fmt.Fprintf(&s, "%d,%d,%d,430548_1007,%d,%d\n", 1000+u, 1494000000+u*600+k*60, (u*7+k)%10, 1-clk, clk)
		}
	}
	a.WriteString("adgroup_id,cate_id,campaign_id,customer,brand,price\n")
	for ad := range 10 {
		fmt.Fprintf(&a, "%d,%d,1,1,NULL,10.0\n", ad, 6400+ad%3)
	}
	return s.String(), a.String()
}

// TestDatasetsPlacedByHand: files placed in the cache by hand are listed as cached, accepted on
// first use (the log says what the load found), and `download` then only verifies them.
func TestDatasetsPlacedByHand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TIBENCH_DATA", dir)
	samples, ads := taobaoFixture(20)
	for name, text := range map[string]string{"yoochoose-clicks.dat": yoochooseFixture(30), "raw_sample.csv": samples, "ad_feature.csv": ads} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := runDatasets(context.Background(), []string{"list"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"recsys15", "alibaba", "cikm16"} {
		want := map[string]string{"recsys15": "yes", "alibaba": "yes", "cikm16": "no"}[name]
		found := false
		for _, line := range strings.Split(stdout.String(), "\n") {
			if f := strings.Fields(line); len(f) > 4 && f[0] == name {
				found = f[4] == want
			}
		}
		if !found {
			t.Errorf("list: %s not CACHED %s:\n%s", name, want, stdout.String())
		}
	}

	stdout.Reset()
	if err := runDatasets(context.Background(), []string{"stats", "recsys15", "alibaba"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(stdout.String(), "\n")
	// recsys15: 30 sessions x 4 clicks, one anonymous user per session, 8 items; alibaba: 20 users x 6
	// impressions of 10 ad groups, 40 of the 120 clicked.
	for i, want := range []string{"recsys15 120 30 8 ", "alibaba 120 20 10 "} {
		if len(lines) < i+2 || !strings.HasPrefix(strings.Join(strings.Fields(lines[i+1]), " "), want) {
			t.Errorf("stats: want a row starting %q:\n%s", want, stdout.String())
		}
	}
	for _, s := range []string{
		"recsys15 accepted: 120 interactions, 30 users, 8 items, 30 sessions; SHA-256 recorded in " + filepath.Join(dir, datasets.LockFileName),
		`alibaba accepted: 120 interactions, 20 users, 10 items, 3 categories, 40 positive labels, 0 ad groups without a line in ` + filepath.Join(dir, "ad_feature.csv"),
	} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
		}
	}

	stdout.Reset()
	if err := runDatasets(context.Background(), []string{"download", "alibaba"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "raw_sample.csv") + "\n" + filepath.Join(dir, "ad_feature.csv") + "\n"; stdout.String() != want {
		t.Errorf("download printed %q, want %q", stdout.String(), want)
	}
}

// TestRunRegistryDatasets: `tibench run` with `datasets: [NAME]` loads registry datasets of the new
// formats from the cache: the session task on recsys15's sessions, the CTR task on alibaba's
// impressions with their ad categories.
func TestRunRegistryDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small models")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TIBENCH_DATA", data)
	samples, ads := taobaoFixture(40)
	for name, text := range map[string]string{"yoochoose-clicks.dat": yoochooseFixture(60), "raw_sample.csv": samples, "ad_feature.csv": ads} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ name, task, model, dataset, set string }{
		{"session", "session", "gru4rec", "recsys15", "model.params.dim=8"},
		{"ctr", "ctr", "avgpool-concat", "alibaba", "model.params.item_dim=4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp := filepath.Join(dir, tc.name+".yaml")
			text := fmt.Sprintf("name: %s\nkind: train\ntask: %s\nmodels: [%s]\ndatasets: [%s]\nseeds: [1]\nset: [run.epochs=1, %s]\n",
				tc.name, tc.task, tc.model, tc.dataset, tc.set)
			if err := os.WriteFile(exp, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			results := filepath.Join(dir, "results")
			err := run(context.Background(), []string{"run", "-configs", "../../configs", "-results", results, exp}, &out, &errOut)
			if err != nil {
				t.Fatalf("%v\nstderr:\n%s", err, errOut.String())
			}
			if s := "dataset " + tc.dataset + ": 240 interactions"; !strings.Contains(errOut.String(), s) {
				t.Errorf("stderr lacks %q:\n%s", s, errOut.String())
			}
			files, _ := filepath.Glob(filepath.Join(results, tc.name, tc.model, tc.dataset, "seed-1.bench"))
			if len(files) != 1 {
				t.Errorf("no result file under %s", filepath.Join(results, tc.name))
			}
		})
	}
}
