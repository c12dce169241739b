package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// writeResults lays the fixture out as the runner does: results/<experiment>/<model>/<dataset>
// [/<variant>]/seed-<n>.bench, plus a results/baseline and a results/local copy of a record with
// a model name that must not show up.
func writeResults(t *testing.T, root string) {
	t.Helper()
	byPath := map[string][]bench.Record{}
	for _, r := range fixture() {
		dir := []string{root, configValue(&r, "experiment"), nameValue(&r, "model"), nameValue(&r, "dataset")}
		if v := variantOf(&r); v != "" {
			dir = append(dir, strings.ReplaceAll(v, "/", "_"))
		}
		p := filepath.Join(append(dir, "seed-"+configValue(&r, "seed")+bench.ResultExt)...)
		byPath[p] = append(byPath[p], r)
	}
	for p, rs := range byPath {
		if err := bench.WriteRun(p, rs, []byte("resolved: config\n")); err != nil {
			t.Fatal(err)
		}
	}
	hidden := rec(testEnv, "table3", "NextItem", "online", "global", 1, []string{"hiddenbaseline", "synth-reddit-small"}, "MRR", 0.9)
	for _, sub := range []string{"baseline", "local"} {
		p := filepath.Join(root, sub, "table3", "hiddenbaseline", "synth-reddit-small", "seed-1.bench")
		if err := bench.WriteRun(p, []bench.Record{hidden}, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// listFiles returns every file under dir, relative and sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func TestWriteAll(t *testing.T) {
	root := t.TempDir()
	results := filepath.Join(root, "results")
	writeResults(t, results)
	md := filepath.Join(root, "BENCHMARKS.md")
	figs := filepath.Join(root, "figures")
	// A stale figure of ours (Fig. 6 has no data now) is removed; someone else's file is kept.
	if err := os.MkdirAll(figs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"fig6-dimension.svg", "fig6-dimension.png", "protocol-effect-gone.svg", "logo.svg"} {
		if err := os.WriteFile(filepath.Join(figs, f), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteAll(results, md, figs, implementedFixture); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	// The file equals Generate on the same records (WriteAll adds only reading and writing).
	want, wantFigs, err := Generate(fixture(), Options{Implemented: implementedFixture, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("WriteAll's markdown differs from Generate's:\n%s", diff(t, want, got))
	}
	if bytes.Contains(got, []byte("hiddenbaseline")) {
		t.Error("results/baseline or results/local records were included")
	}
	wantFiles := []string{"BENCHMARKS.md", "figures/logo.svg"}
	for k, v := range wantFigs {
		wantFiles = append(wantFiles, k)
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(k)))
		if err != nil || !bytes.Equal(b, v) {
			t.Errorf("figure %s not written as generated (err %v)", k, err)
		}
	}
	slices.Sort(wantFiles)
	files := listFiles(t, root)
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(f, "results/") })
	if !slices.Equal(files, wantFiles) {
		t.Errorf("files after WriteAll = %q, want %q (no temporary files, no stale figures)", files, wantFiles)
	}
	// Regenerating from unchanged results is byte-identical.
	before := map[string][]byte{}
	for _, f := range files {
		before[f], _ = os.ReadFile(filepath.Join(root, f))
	}
	if err := WriteAll(results, md, figs, implementedFixture); err != nil {
		t.Fatal(err)
	}
	for _, f := range listFiles(t, root) {
		if strings.HasPrefix(f, "results/") {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(root, f))
		if !bytes.Equal(b, before[f]) {
			t.Errorf("%s changed on regeneration", f)
		}
	}
	if dump := os.Getenv("REPORT_DUMP"); dump != "" { // for looking at the figures by eye
		for k, v := range wantFigs {
			os.MkdirAll(filepath.Join(dump, filepath.Dir(k)), 0o755)
			os.WriteFile(filepath.Join(dump, k), v, 0o644)
		}
		os.WriteFile(filepath.Join(dump, "BENCHMARKS.md"), got, 0o644)
	}
}

// TestWriteAllRelativePaths: links are relative to the markdown, whatever the working directory.
func TestWriteAllRelativePaths(t *testing.T) {
	root := t.TempDir()
	results := filepath.Join(root, "data", "results")
	writeResults(t, results)
	md := filepath.Join(root, "docs", "BENCHMARKS.md")
	if err := WriteAll(results, md, filepath.Join(root, "docs", "img", "figs"), nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"under `../data/results/`", "](img/figs/fig5-train-fraction.svg)"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "docs", "img", "figs", "fig5-train-fraction.png")); err != nil {
		t.Error(err)
	}
	// Figures outside the markdown's directory are refused.
	if err := WriteAll(results, md, filepath.Join(root, "elsewhere"), nil); err == nil {
		t.Error("figures outside the markdown's directory: no error")
	}
}

// TestWriteAllFailures: an unwritable destination is an error and leaves no file, half-written or
// temporary; an existing BENCHMARKS.md is left as it was. (The tests run as root, so a directory
// is made unwritable by being a regular file.)
func TestWriteAllFailures(t *testing.T) {
	root := t.TempDir()
	results := filepath.Join(root, "results")
	writeResults(t, results)
	blocker := filepath.Join(root, "blocker")
	if err := os.WriteFile(blocker, []byte("a file, not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := []byte("previous contents\n")
	existing := filepath.Join(root, "out", "BENCHMARKS.md")
	if err := os.MkdirAll(filepath.Dir(existing), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(existing, old, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, results, md, figs string
	}{
		{"markdown directory is a file", results, filepath.Join(blocker, "BENCHMARKS.md"), ""},
		{"figures directory is a file", results, existing, filepath.Join(root, "out", "figs", "x")},
		{"no results directory", filepath.Join(root, "missing"), existing, ""},
	}
	// make figs/x impossible: out/figs is a file
	if err := os.WriteFile(filepath.Join(root, "out", "figs"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if err := WriteAll(c.results, c.md, c.figs, nil); err == nil {
			t.Errorf("%s: no error", c.name)
		} else if !strings.HasPrefix(err.Error(), "report: ") {
			t.Errorf("%s: error %q lacks the package prefix", c.name, err)
		}
	}
	if b, err := os.ReadFile(existing); err != nil || !bytes.Equal(b, old) {
		t.Errorf("existing markdown changed: %q, %v", b, err)
	}
	files := slices.DeleteFunc(listFiles(t, root), func(f string) bool { return strings.HasPrefix(f, "results/") })
	if want := []string{"blocker", "out/BENCHMARKS.md", "out/figs"}; !slices.Equal(files, want) {
		t.Errorf("files after failed writes = %q, want %q", files, want)
	}
}

func TestFiguresDirOption(t *testing.T) {
	cases := []struct {
		dir     string
		wantErr bool
		prefix  string
	}{
		{"/abs/figures", true, ""},
		{"../figures", true, ""},
		{"a/../../b", true, ""},
		{"./figs/", false, "figs/"},
		{"docs/img", false, "docs/img/"},
	}
	for _, c := range cases {
		_, figs, err := Generate(fixture(), Options{FiguresDir: c.dir})
		if c.wantErr {
			if !errors.Is(err, ErrBadFiguresDir) {
				t.Errorf("%q: err = %v, want ErrBadFiguresDir", c.dir, err)
			}
			continue
		}
		if err != nil || len(figs) == 0 {
			t.Fatalf("%q: %v, %d figures", c.dir, err, len(figs))
		}
		for k := range figs {
			if !strings.HasPrefix(k, c.prefix) {
				t.Errorf("%q: figure key %q lacks prefix %q", c.dir, k, c.prefix)
			}
		}
	}
}
