package grid

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/tibench/tibench/baselines/lstm"
	_ "github.com/tibench/tibench/baselines/popularity"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/pipeline"
)

const configs = "../../configs"

// writeExperiments writes two small experiments, one with a sweep, and returns their paths.
func writeExperiments(t *testing.T, dir string) []string {
	t.Helper()
	files := map[string]string{
		"a.yaml": "name: a\nmodels: [popularity, lstm, nosuchmodel]\ndatasets: [synth-wikipedia-small, synth-mooc-small]\nseeds: [1, 2]\nset: [run.epochs=3]\n",
		"b.yaml": "name: b\nmodels: [lstm]\ndatasets: [synth-wikipedia-small]\nseeds: [7]\nsweep: {key: run.split.train, name: train, values: ['0.4', '0.6']}\n",
	}
	var paths []string
	for _, n := range []string{"a.yaml", "b.yaml"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(files[n]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestPlanOrderAndIDs: the plan is the files' order, then models × datasets × variants as listed,
// then seeds; ids are result paths below the results directory, the same whatever that directory
// is; unregistered models are left out and reported.
func TestPlanOrderAndIDs(t *testing.T) {
	dir := t.TempDir()
	files := writeExperiments(t, dir)
	var log bytes.Buffer
	p, err := New(Selection{Files: files, ConfigDir: configs}, filepath.Join(dir, "results"), &log)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a/popularity/synth-wikipedia-small/seed-1", "a/popularity/synth-wikipedia-small/seed-2",
		"a/popularity/synth-mooc-small/seed-1", "a/popularity/synth-mooc-small/seed-2",
		"a/lstm/synth-wikipedia-small/seed-1", "a/lstm/synth-wikipedia-small/seed-2",
		"a/lstm/synth-mooc-small/seed-1", "a/lstm/synth-mooc-small/seed-2",
		"b/lstm/synth-wikipedia-small/train=0.4/seed-7", "b/lstm/synth-wikipedia-small/train=0.6/seed-7",
	}
	var got []string
	for _, r := range p.Runs {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ids:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(log.String(), "nosuchmodel") {
		t.Errorf("the unregistered model is not reported: %q", log.String())
	}
	// Another results directory (another machine's mount point) gives the same plan.
	q, err := New(Selection{Files: files, ConfigDir: configs}, "/elsewhere/results", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Runs, q.Runs) {
		t.Error("the plan depends on the results directory")
	}
	r := p.Runs[8]
	if r.Variant != "train=0.4" || r.Seed != 7 || r.Epochs != 10 || r.Interactions != 20000 || r.Basis != BasisSize {
		t.Errorf("sweep run: %+v", r)
	}
	// Size model: 1 s + 8e-5 s × 20,000 interactions × 3 epochs = 5.8 s.
	if s := p.Runs[0].Seconds; s < 5.79 || s > 5.81 {
		t.Errorf("size-model estimate %v, want 5.8", s)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/1", Shard{0, 1}, true},
		{"3/4", Shard{3, 4}, true},
		{"4/4", Shard{}, false},
		{"-1/4", Shard{}, false},
		{"0/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
		{"", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrShard) {
			t.Errorf("ParseShard(%q): %v does not wrap ErrShard", tc.in, err)
		}
	}
}

// TestAssign: hand-worked longest-processing-time splits; every run in exactly one shard.
func TestAssign(t *testing.T) {
	plan := func(secs ...float64) *Plan {
		p := &Plan{}
		for _, s := range secs {
			p.Runs = append(p.Runs, Run{Seconds: s})
		}
		return p
	}
	for _, tc := range []struct {
		secs []float64
		n    int
		want []int
	}{
		// 8→0 (loads 8,0), 7→1 (8,7), 6→1 (8,13), 5→0 (13,13), 4→0 on the tie (17,13).
		{[]float64{5, 8, 4, 7, 6}, 2, []int{0, 0, 0, 1, 1}},
		// Equal costs: round-robin in plan order.
		{[]float64{1, 1, 1, 1, 1}, 3, []int{0, 1, 2, 0, 1}},
		// One expensive run gets a shard of its own; count balance would put 3 runs on each.
		{[]float64{100, 1, 1, 1, 1, 1}, 2, []int{0, 1, 1, 1, 1, 1}},
		{[]float64{3, 2}, 1, []int{0, 0}},
	} {
		if got := plan(tc.secs...).Assign(tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Assign(%v, %d) = %v, want %v", tc.secs, tc.n, got, tc.want)
		}
	}
	p := plan(5, 8, 4, 7, 6)
	var all []int
	for i := 0; i < 2; i++ {
		all = append(all, p.ShardRuns(Shard{i, 2})...)
	}
	slices.Sort(all)
	if !slices.Equal(all, []int{0, 1, 2, 3, 4}) {
		t.Errorf("shards cover %v", all)
	}
	if secs, _ := p.Loads(2); !slices.Equal(secs, []float64{17, 13}) {
		t.Errorf("loads %v, want [17 13]", secs)
	}
}

// TestEstimate: a run's own record wins, then its model's median rate (the size model's basis is
// checked in TestPlanOrderAndIDs).
func TestEstimate(t *testing.T) {
	dir := t.TempDir()
	p, err := New(Selection{Files: writeExperiments(t, dir), ConfigDir: configs}, filepath.Join(dir, "results"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := func(exp, model, dataset string, seed string, secEpoch, secEval float64) bench.Record {
		return bench.Record{Bench: "NextItem", Name: []bench.KV{{Key: "model", Value: model}, {Key: "dataset", Value: dataset}},
			Values: []bench.Value{{Value: secEpoch, Unit: "sec/epoch"}, {Value: secEval, Unit: "sec/eval"}},
			Config: []bench.KV{{Key: "experiment", Value: exp}, {Key: "seed", Value: seed}}}
	}
	p.Estimate([]bench.Record{
		rec("a", "lstm", "synth-wikipedia-small", "1", 1.5, 0.5),        // a's own: 1 + 2 s × 3 epochs
		rec("x", "popularity", "synth-reddit-small", "1", 0.002, 0.008), // 0.01 s / 20,000 rows
		rec("y", "popularity", "synth-reddit-small", "2", 0.004, 0.016), // 0.02 s / 20,000 rows
		rec("z", "popularity", "synth-reddit-small", "3", 0.030, 0.010), // 0.04 s / 20,000 rows
	})
	byID := map[string]Run{}
	for _, r := range p.Runs {
		byID[r.ID] = r
	}
	for _, tc := range []struct {
		id    string
		basis string
		secs  float64
	}{
		{"a/lstm/synth-wikipedia-small/seed-1", BasisMeasured, 7},
		{"a/popularity/synth-mooc-small/seed-2", BasisModel, 1 + 0.02*3},      // median rate × 20,000 × 3
		{"a/lstm/synth-mooc-small/seed-1", BasisModel, 1 + 2.0/20000*20000*3}, // lstm's rate from its a record
		{"b/lstm/synth-wikipedia-small/train=0.4/seed-7", BasisModel, 1 + 2.0/20000*20000*10},
	} {
		r := byID[tc.id]
		if r.Basis != tc.basis || r.Seconds < tc.secs-1e-9 || r.Seconds > tc.secs+1e-9 {
			t.Errorf("%s: %v s (%s), want %v s (%s)", tc.id, r.Seconds, r.Basis, tc.secs, tc.basis)
		}
	}
}

// TestSaveLoadAttach: a saved plan loads with its estimates, attaches to a results directory,
// and is refused as stale when the experiments now plan other runs.
func TestSaveLoadAttach(t *testing.T) {
	dir := t.TempDir()
	files := writeExperiments(t, dir)
	results := filepath.Join(dir, "results")
	p, err := New(Selection{Files: files, ConfigDir: configs}, results, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Runs[0].Seconds, p.Runs[0].Basis = 1234, BasisMeasured
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	q, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Execute(context.Background(), pipeline.New(pipeline.Options{}), []int{0}); err == nil {
		t.Error("Execute before Attach succeeded")
	}
	if err := q.Attach(results, nil); err != nil {
		t.Fatal(err)
	}
	if q.Runs[0].Seconds != 1234 || !slices.Equal(q.Runs, p.Runs) {
		t.Error("the loaded plan lost its frozen estimates")
	}
	if idx, err := q.Select([]string{"b/lstm/synth-wikipedia-small/train=0.6/seed-7", "a/lstm/synth-mooc-small/seed-1"}); err != nil || !slices.Equal(idx, []int{6, 9}) {
		t.Errorf("Select = %v, %v; want [6 9]", idx, err)
	}
	if _, err := q.Select([]string{"a/nosuch/seed-1"}); err == nil || !strings.Contains(err.Error(), "a/nosuch/seed-1") {
		t.Errorf("Select of an unknown id: %v", err)
	}
	if err := os.WriteFile(files[1], []byte("name: b\nmodels: [lstm]\ndatasets: [synth-wikipedia-small]\nseeds: [8]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	q, _ = Load(path)
	if err := q.Attach(results, nil); !errors.Is(err, ErrStale) {
		t.Errorf("Attach after the experiment changed: %v, want ErrStale", err)
	}
	if m := p.Missing(results); len(m) != len(p.Runs) {
		t.Errorf("%d missing of %d in an empty results directory", len(m), len(p.Runs))
	}
}

// FuzzParseShard: an accepted shard is in range and prints back as its canonical form, which
// parses to the same shard.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "3/4", "4/4", "-1/2", "1/+2", "01/3", "a/b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err != nil {
			return
		}
		if sh.Index < 0 || sh.Index >= sh.Count {
			t.Fatalf("ParseShard(%q) = %v: out of range", s, sh)
		}
		again, err := ParseShard(sh.String())
		if err != nil || again != sh {
			t.Fatalf("ParseShard(%q) = %v, but %q parses to %v, %v", s, sh, sh.String(), again, err)
		}
	})
}
