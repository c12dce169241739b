package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tibench/tibench/bench"
)

// envChildArgs makes the test binary a tibench process: TestTibenchProcess runs main() with these
// arguments (JSON), so the grid tests can start real processes — shards, racers, a task sent
// SIGTERM — without building the command.
const envChildArgs = "TIBENCH_CHILD_ARGS"

// TestTibenchProcess is not a test: it is the child process of the tests below.
func TestTibenchProcess(t *testing.T) {
	spec := os.Getenv(envChildArgs)
	if spec == "" {
		t.Skip("child process of the grid tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(spec), &args); err != nil {
		panic(err)
	}
	os.Args = append([]string{"tibench"}, args...)
	main() // exits non-zero on error
	os.Exit(0)
}

// tibenchProcess returns a command that runs tibench with args in the test binary.
func tibenchProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	spec, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTibenchProcess$")
	cmd.Env = append(os.Environ(), envChildArgs+"="+string(spec))
	return cmd
}

// gridExperiment is the small synthetic grid of the grid tests: 12 runs of one epoch, the table3
// experiment so that BENCHMARKS.md shows its metrics and no timings.
const gridExperiment = `name: table3
models: [popularity, repeatlast, lstm]
datasets: [synth-wikipedia-small, synth-mooc-small]
seeds: [1, 2]
set: [run.epochs=1]
`

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runInProcess(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("tibench %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String() + errOut.String()
}

// TestShardsEqualOneProcess: the grid run as three shard processes into one results directory gives
// BENCHMARKS.md byte-identical to one process running it; each shard ran a non-empty, disjoint
// part; `tables -plan` finds nothing missing, and says what is missing before the shards ran.
func TestShardsEqualOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 12-run grid twice; skipped under -short")
	}
	dir := t.TempDir()
	exp := writeFile(t, filepath.Join(dir, "table3.yaml"), gridExperiment)
	one, sharded := filepath.Join(dir, "one"), filepath.Join(dir, "sharded")

	runInProcess(t, "run", "-configs", "../../configs", "-results", filepath.Join(one, "results"), exp)
	runInProcess(t, "tables", "-results", filepath.Join(one, "results"), "-o", filepath.Join(one, "BENCHMARKS.md"))

	var planJSON bytes.Buffer
	if err := run(context.Background(), []string{"plan", "-configs", "../../configs", "-results", filepath.Join(sharded, "results"), "-json", exp}, &planJSON, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	plan := writeFile(t, filepath.Join(sharded, "plan.json"), planJSON.String())
	var before bytes.Buffer
	if err := run(context.Background(), []string{"tables", "-results", filepath.Join(sharded, "results"), "-o", filepath.Join(sharded, "BENCHMARKS.md"), "-plan", plan}, &before, &before); err == nil {
		t.Error("tables on an empty results directory succeeded") // no results at all is an error
	}
	if !strings.Contains(before.String(), "missing 12 of 12 runs") {
		t.Errorf("tables -plan before the shards ran: %s", before.String())
	}

	const n = 3
	procs := make([]*exec.Cmd, n)
	logs := make([]bytes.Buffer, n)
	for i := range procs {
		procs[i] = tibenchProcess(t, "run", "-results", filepath.Join(sharded, "results"), "-plan", plan, "-shard", fmt.Sprintf("%d/%d", i, n))
		procs[i].Stderr = &logs[i]
		if err := procs[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("shard %d/%d: %v\n%s", i, n, err, logs[i].String())
		}
		if !strings.Contains(logs[i].String(), "runs, expected") || strings.Contains(logs[i].String(), ": 0 of 12 runs") {
			t.Errorf("shard %d/%d ran nothing:\n%s", i, n, logs[i].String())
		}
	}
	report := runInProcess(t, "tables", "-results", filepath.Join(sharded, "results"), "-o", filepath.Join(sharded, "BENCHMARKS.md"), "-plan", plan)
	if !strings.Contains(report, "all 12 runs of the plan have results") {
		t.Errorf("tables -plan: %s", report)
	}
	a, err := os.ReadFile(filepath.Join(one, "BENCHMARKS.md"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(sharded, "BENCHMARKS.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(a, []byte("synth-mooc-small")) {
		t.Fatalf("the single-process BENCHMARKS.md shows no result of the grid:\n%s", a)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("BENCHMARKS.md of 3 shards differs from one process's:\n--- one\n%s\n--- sharded\n%s", a, b)
	}
	recs, err := bench.ReadResults(filepath.Join(sharded, "results"))
	if err != nil || len(recs) != 12 {
		t.Errorf("%d records from the shards, want 12 (%v)", len(recs), err)
	}
}

// TestRaceOnOneRun: two processes forced onto the same run id write into one results directory at
// the same time; the result is one complete file (one record, its config beside it) and no
// temporary file is left.
func TestRaceOnOneRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains an LSTM twice; skipped under -short")
	}
	dir := t.TempDir()
	exp := writeFile(t, filepath.Join(dir, "race.yaml"), "name: race\nmodels: [lstm]\ndatasets: [synth-wikipedia-small]\nseeds: [1]\nset: [run.epochs=1, model.params.dim=32]\n")
	results := filepath.Join(dir, "results")
	const id = "race/lstm/synth-wikipedia-small/seed-1"
	var procs []*exec.Cmd
	var logs [2]bytes.Buffer
	for i := range logs {
		p := tibenchProcess(t, "run", "-configs", "../../configs", "-results", results, "-run-id", id, exp)
		p.Stderr = &logs[i]
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("racer %d: %v\n%s", i, err, logs[i].String())
		}
	}
	var files []string
	err := filepath.WalkDir(results, func(path string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, strings.TrimPrefix(path, results+"/"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{id + ".bench", id + ".yaml"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("results directory holds %q, want %q", files, want)
	}
	recs, err := bench.ReadResults(results)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v; want one whole record", len(recs), err)
	}
	if v, ok := recs[0].Metric("MRR"); !ok || v <= 0 {
		t.Errorf("record without an MRR: %+v", recs[0])
	}
}

// TestSIGTERMStopsAndResumes: a tibench process sent SIGTERM during its second epoch stops between
// batches, keeps the checkpoint of its first epoch, writes no result and exits with
// ExitInterrupted; `run -resume` continues from the checkpoint and finishes the run.
func TestSIGTERMStopsAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains an LSTM; skipped under -short")
	}
	dir := t.TempDir()
	exp := writeFile(t, filepath.Join(dir, "term.yaml"), "name: term\nmodels: [lstm]\ndatasets: [synth-wikipedia-small]\nseeds: [1]\nset: [run.epochs=3, model.params.dim=32]\n")
	results := filepath.Join(dir, "results")
	ckpt := filepath.Join(results, "term", "lstm", "synth-wikipedia-small", "seed-1.ckpt")
	result := strings.TrimSuffix(ckpt, ".ckpt") + bench.ResultExt

	p := tibenchProcess(t, "run", "-configs", "../../configs", "-results", results, exp)
	var log bytes.Buffer
	p.Stderr = &log
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(ckpt); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = p.Process.Kill()
			t.Fatalf("no checkpoint after 60 s:\n%s", log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := p.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != ExitInterrupted {
		t.Fatalf("after SIGTERM: %v, want exit status %d\n%s", err, ExitInterrupted, log.String())
	}
	if !strings.Contains(log.String(), "interrupted during term lstm synth-wikipedia-small seed=1") {
		t.Errorf("no interruption message:\n%s", log.String())
	}
	if _, err := os.Stat(result); err == nil {
		t.Fatal("the interrupted run wrote its result")
	}
	if _, err := os.Stat(ckpt); err != nil {
		t.Fatalf("the checkpoint is gone after SIGTERM: %v", err)
	}
	out := runInProcess(t, "run", "-configs", "../../configs", "-results", results, "-resume", exp)
	if !strings.Contains(out, "resuming after epoch") {
		t.Errorf("-resume did not continue from the checkpoint:\n%s", out)
	}
	if _, err := os.Stat(result); err != nil {
		t.Errorf("no result after -resume: %v", err)
	}
}

// TestExportCommands: export writes the plan with the Slurm scripts, or the Kubernetes manifest,
// and refuses a manifest without an image.
func TestExportCommands(t *testing.T) {
	dir := t.TempDir()
	exp := writeFile(t, filepath.Join(dir, "table3.yaml"), gridExperiment)
	out := runInProcess(t, "export", "slurm", "-configs", "../../configs", "-results", filepath.Join(dir, "results"),
		"-shards", "3", "-tibench", "/usr/local/bin/tibench", "-o", filepath.Join(dir, "slurm"), exp)
	if !strings.Contains(out, "12 runs in 3 shards") {
		t.Errorf("export slurm said: %s", out)
	}
	for _, f := range []string{"plan.json", "array.sbatch", "tables.sbatch", "submit.sh"} {
		if _, err := os.Stat(filepath.Join(dir, "slurm", f)); err != nil {
			t.Error(err)
		}
	}
	array, _ := os.ReadFile(filepath.Join(dir, "slurm", "array.sbatch"))
	if !strings.Contains(string(array), "#SBATCH --array=0-2") || !strings.Contains(string(array), "/usr/local/bin/tibench run -plan "+filepath.Join(dir, "slurm", "plan.json")) {
		t.Errorf("array.sbatch:\n%s", array)
	}
	runInProcess(t, "export", "k8s", "-configs", "../../configs", "-image", "tibench:test", "-o", filepath.Join(dir, "k8s"), exp)
	if m, err := os.ReadFile(filepath.Join(dir, "k8s", "job.yaml")); err != nil || !strings.Contains(string(m), "completionMode: Indexed") {
		t.Errorf("job.yaml: %v\n%s", err, m)
	}
	err := run(context.Background(), []string{"export", "k8s", "-configs", "../../configs", "-o", filepath.Join(dir, "k8s2"), exp}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "-image is required") {
		t.Errorf("export k8s without -image: %v", err)
	}
}
