package pipeline

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "github.com/tibench/tibench/baselines/lstm"
	"github.com/tibench/tibench/bench"
	_ "github.com/tibench/tibench/models/jodie"
)

// The kill test runs this test binary again as a child process (envResumeChild names the model and
// the results directory); the child trains and kills itself with SIGKILL — kill -9, no deferred
// cleanup, no flushing — right after the checkpoint of epoch killAfter is written.
const (
	envResumeChild = "TIBENCH_RESUME_CHILD"
	killAfter      = 2
	resumeEpochs   = 3
)

func resumeOptions(results string, model string) (Options, string) {
	return Options{ConfigDir: filepath.Join("..", "..", "configs"), ResultsDir: results, Models: []string{model},
		Env: []bench.KV{{Key: "machine", Value: "test"}}}, filepath.Join(results, "..", "exp.yaml")
}

func writeResumeExperiment(t *testing.T, dir string) {
	t.Helper()
	// A 2,000-row prefix keeps each epoch well under a second; several windows per epoch make the
	// optimiser's step counts and the tables' states matter.
	exp := `name: resume
models: [jodie, lstm]
datasets: [synth-wikipedia-small]
seeds: [1]
set: [run.epochs=3, "model.params.dim=16"]
`
	if err := os.WriteFile(filepath.Join(dir, "exp.yaml"), []byte(exp), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResumeAfterKill: a run killed with SIGKILL after epoch 2 of 3 and continued with -resume
// writes the same metrics, bit for bit, as a run never interrupted (timings aside), for JODIE and a
// recurrent baseline; the checkpoint is gone once the results are written.
func TestResumeAfterKill(t *testing.T) {
	if spec := os.Getenv(envResumeChild); spec != "" {
		model, results, _ := strings.Cut(spec, ":")
		opt, exp := resumeOptions(results, model)
		opt.AfterCheckpoint = func(_ string, epoch int) {
			if epoch == killAfter {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
		_ = New(opt).RunFile(context.Background(), exp)
		os.Exit(3) // not reached: the kill above ends the process
	}
	if testing.Short() {
		t.Skip("trains JODIE and LSTM three times; skipped under -short")
	}
	for _, model := range []string{"jodie", "lstm"} {
		t.Run(model, func(t *testing.T) {
			dir := t.TempDir()
			writeResumeExperiment(t, dir)
			whole, killed := filepath.Join(dir, "whole"), filepath.Join(dir, "killed")

			opt, exp := resumeOptions(whole, model)
			if err := New(opt).RunFile(context.Background(), exp); err != nil {
				t.Fatal(err)
			}

			cmd := exec.Command(os.Args[0], "-test.run=^TestResumeAfterKill$")
			cmd.Env = append(os.Environ(), envResumeChild+"="+model+":"+killed)
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child: %v, want death by SIGKILL", err)
			}
			ckpt := filepath.Join(killed, "resume", model, "synth-wikipedia-small", "seed-1"+runCkptExt)
			result := strings.TrimSuffix(ckpt, runCkptExt) + bench.ResultExt
			if _, err := os.Stat(ckpt); err != nil {
				t.Fatalf("no checkpoint after the kill: %v", err)
			}
			if _, err := os.Stat(result); err == nil {
				t.Fatal("the killed run wrote results")
			}

			opt, exp = resumeOptions(killed, model)
			opt.Resume = true
			var log strings.Builder
			opt.Log = &log
			if err := New(opt).RunFile(context.Background(), exp); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "resuming after epoch 2") {
				t.Errorf("the resumed run did not continue from epoch 2:\n%s", log.String())
			}
			if _, err := os.Stat(ckpt); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("checkpoint still there after the run finished: %v", err)
			}
			a, b := metricValues(t, whole), metricValues(t, killed)
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("uninterrupted run has %d values, resumed %d", len(a), len(b))
			}
			for unit, v := range a {
				if b[unit] != v {
					t.Errorf("%s: uninterrupted %v, resumed %v", unit, v, b[unit])
				}
			}
		})
	}
}

// metricValues reads a results directory's single record, timings left out.
func metricValues(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	recs, err := bench.ReadResults(dir)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%s: %d records, %v", dir, len(recs), err)
	}
	out := map[string]float64{}
	for _, v := range recs[0].Values {
		if !strings.HasPrefix(v.Unit, "sec/") {
			out[v.Unit] = v.Value
		}
	}
	return out
}
