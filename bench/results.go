package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/tibench/tibench/bench/metrics"
	"golang.org/x/perf/benchfmt"
)

// KV is one key=value pair of a result's name or file configuration.
type KV struct{ Key, Value string }

// Value is one measurement with its unit, e.g. {0.7461, "MRR"} or {41.3, "sec/epoch"}.
type Value struct {
	Value float64
	Unit  string
}

// Record is one benchmark result line. In Go benchmark format (golang.org/design/14313) it reads
//
//	commit: 0123abc
//	seed: 1
//	...
//	BenchmarkNextItem/model=jodie/dataset=synth-wikipedia 1 0.7461 MRR 0.8220 recall@10 41.3 sec/epoch
//
// so benchstat can compare result files (seeds are its repetitions).
type Record struct {
	Bench  string // the benchmark, e.g. "NextItem", "StateChange", "EpochTime"
	Name   []KV   // sub-benchmark keys in order: model=, dataset=, then variant keys
	Values []Value
	Config []KV // file configuration: commit, seed, protocol, normalisation, backend, machine, ...
}

// Get returns the value of a name or config key ("" when absent).
func (r *Record) Get(key string) string {
	for _, kv := range r.Name {
		if kv.Key == key {
			return kv.Value
		}
	}
	for _, kv := range r.Config {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// Metric returns the value in unit and whether it is present.
func (r *Record) Metric(unit string) (float64, bool) {
	for _, v := range r.Values {
		if v.Unit == unit {
			return v.Value, true
		}
	}
	return 0, false
}

// FullName is the benchmark name without the "Benchmark" prefix, e.g. "NextItem/model=jodie/dataset=x".
func (r *Record) FullName() string {
	var b strings.Builder
	b.WriteString(r.Bench)
	for _, kv := range r.Name {
		fmt.Fprintf(&b, "/%s=%s", kv.Key, kv.Value)
	}
	return b.String()
}

// EncodeResults writes records in Go benchmark format. A value that is not a finite number is an
// error naming the record and unit, and nothing is written: a NaN never reaches a table.
func EncodeResults(w io.Writer, recs []Record) error {
	bw := benchfmt.NewWriter(w)
	units := map[string]bool{}
	for i := range recs {
		for _, v := range recs[i].Values {
			if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
				return fmt.Errorf("%w: record %s: %s is %v", ErrNotANumber, recs[i].FullName(), v.Unit, v.Value)
			}
			units[v.Unit] = true
		}
	}
	for _, u := range sortedKeys(units) {
		// Directions come from the metric table; units without one (val-MRR, batches/epoch, ratio)
		// get no metadata, and benchstat assumes nothing about them.
		if m, err := metrics.Lookup(u); err == nil {
			md := &benchfmt.UnitMetadata{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u, Key: "better"}, OrigUnit: u, Value: m.Better()}
			if err := bw.Write(md); err != nil {
				return err
			}
		}
	}
	for i := range recs {
		r := &recs[i]
		res := &benchfmt.Result{Name: benchfmt.Name(r.FullName()), Iters: 1}
		for _, kv := range r.Config {
			res.Config = append(res.Config, benchfmt.Config{Key: kv.Key, Value: []byte(kv.Value), File: true})
		}
		for _, v := range r.Values {
			res.Values = append(res.Values, benchfmt.Value{Value: v.Value, Unit: v.Unit})
		}
		if err := bw.Write(res); err != nil {
			return err
		}
	}
	return nil
}

// DecodeResults reads records written by EncodeResults (or any benchfmt file). name is used in errors.
func DecodeResults(r io.Reader, name string) ([]Record, error) {
	br := benchfmt.NewReader(r, name)
	var recs []Record
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, fmt.Errorf("bench: %v", rec)
		case *benchfmt.Result:
			full := string(rec.Name)
			parts := strings.Split(full, "/")
			out := Record{Bench: parts[0]}
			for _, p := range parts[1:] {
				k, v, _ := strings.Cut(p, "=")
				out.Name = append(out.Name, KV{k, v})
			}
			for _, c := range rec.Config {
				out.Config = append(out.Config, KV{c.Key, string(c.Value)})
			}
			for _, v := range rec.Values {
				out.Values = append(out.Values, Value{v.Value, v.Unit})
			}
			recs = append(recs, out)
		}
	}
	return recs, br.Err()
}

// WriteFileAtomic writes data to path through a temporary file in the same directory and a rename,
// so a killed run never leaves a half-written file, and two writers racing on one path leave one
// of their files whole, never a mix (rename within a directory is atomic, NFS included). Parent
// directories are created.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// Sync before the rename: on a shared results directory (NFS) or after a node crash, the new
	// name must never point at data still in a page cache.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// ResultExt is the extension of result files; the resolved config sits beside each as .yaml.
const ResultExt = ".bench"

// WriteRun writes one run's records to path (a ResultExt file) and its resolved config beside it.
// The config is written first, so an existing result file always has its config (resume relies on
// the result file alone).
func WriteRun(path string, recs []Record, resolvedConfig []byte) error {
	if resolvedConfig != nil {
		if err := WriteFileAtomic(strings.TrimSuffix(path, ResultExt)+".yaml", resolvedConfig); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := EncodeResults(&buf, recs); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// ReadResults reads every result file under dir (recursively, skipping dir/local), in path order.
func ReadResults(dir string) ([]Record, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && path != dir && e.Name() == "local" {
			return filepath.SkipDir
		}
		if !e.IsDir() && strings.HasSuffix(path, ResultExt) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var all []Record
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		recs, err := DecodeResults(bufio.NewReader(f), p)
		f.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, recs...)
	}
	return all, nil
}

// Environment returns the file-configuration keys that identify where a result was produced:
// commit, machine (CPU model), cores, goos/goarch, and the Go version.
func Environment() []KV {
	return []KV{
		{"commit", gitCommit()},
		{"machine", cpuModel()},
		{"cores", fmt.Sprint(runtime.NumCPU())},
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"go", runtime.Version()},
	}
}

// gitCommit returns the working tree's HEAD (with "-dirty" when it has uncommitted changes to
// tracked files), or "unknown" outside a repository.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		commit += "-dirty"
	}
	return commit
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// ErrNoResults is returned when a results directory holds no result files.
var ErrNoResults = errors.New("bench: no results")
