package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/cluster"
)

func runExport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	targets := []string{"k8s", "slurm"}
	if len(args) == 0 || !slices.Contains(targets, args[0]) {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			exportUsage(stderr)
			return flag.ErrHelp
		}
		exportUsage(stderr)
		return fmt.Errorf("export: want a target, one of %s", strings.Join(targets, ", "))
	}
	target := args[0]
	fs := flag.NewFlagSet("export "+target, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf selectionFlags
	sf.register(fs)
	shards := fs.Int("shards", 4, "tasks in the array or Indexed Job; each runs one shard of the grid")
	out := fs.String("o", "cluster-"+target, "directory to write the plan and the scripts or manifest to")
	name := fs.String("name", "tibench", "job name")
	cpus := fs.Int("cpus", 0, "CPUs per task (default 2)")
	mem := fs.Int("mem", 0, "memory per task in MiB (default: the plan's largest estimate)")
	limit := fs.Duration("time", 0, "time limit per task (Slurm; default: twice the longest shard's estimate plus 10m)")
	tibench := fs.String("tibench", "", "the tibench command the tasks run (Slurm default: this executable's absolute path; Kubernetes: tibench)")
	partition := fs.String("partition", "", "Slurm partition (default: the cluster's)")
	image := fs.String("image", "", "container image with tibench on its PATH and configs/ in its working directory (Kubernetes; required)")
	pvc := fs.String("pvc", "tibench-results", "ReadWriteMany PersistentVolumeClaim for the shared results (Kubernetes)")
	namespace := fs.String("namespace", "", "Kubernetes namespace (default: the kubectl context's)")
	workdir := fs.String("workdir", "", "the container's working directory (Kubernetes; default: the image's)")
	parallelism := fs.Int("parallelism", 0, "pods running at once (Kubernetes; default: -shards)")
	markdown := fs.String("tables-o", "BENCHMARKS.md", "where the tables job writes the markdown (Slurm)")
	fs.Usage = func() { exportUsage(stderr); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("export %s: no experiment file given", target)
	}
	if target == "k8s" && *image == "" {
		return errors.New("export k8s: -image is required (an image with tibench on its PATH and configs/ in its working directory)")
	}
	if *shards < 1 {
		return fmt.Errorf("export %s: -shards %d: want at least 1", target, *shards)
	}
	p, err := loadPlan("", &sf, fs.Args(), true, stderr)
	if err != nil {
		return err
	}
	var plan bytes.Buffer
	if err := p.Save(&plan); err != nil {
		return err
	}
	j := cluster.Job{Name: *name, Shards: *shards, Plan: plan.Bytes(), Tibench: *tibench, CPUs: *cpus, MemoryMiB: *mem,
		TimeLimit: *limit, Partition: *partition, Image: *image, ResultsPVC: *pvc, Namespace: *namespace, Workdir: *workdir,
		Parallelism: *parallelism}
	j.Resources(p)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	files := map[string][]byte{}
	switch target {
	case "slurm":
		if j.Markdown, err = filepath.Abs(*markdown); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if files, err = slurmFiles(&j, &sf, *out, stderr); err != nil {
			return err
		}
	case "k8s":
		manifest, err := cluster.Kubernetes(j)
		if err != nil {
			return err
		}
		files["job.yaml"] = manifest
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := bench.WriteFileAtomic(filepath.Join(*out, n), files[n]); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if strings.HasSuffix(n, ".sh") || strings.HasSuffix(n, ".sbatch") {
			if err := os.Chmod(filepath.Join(*out, n), 0o755); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
	}
	fmt.Fprintf(stdout, "%d runs in %d shards (expected per shard up to %s); per task: %d CPUs, %d MiB", len(p.Runs), j.Shards,
		seconds(slices.Max(j.ShardSeconds)), j.CPUs, j.MemoryMiB)
	if target == "slurm" {
		fmt.Fprintf(stdout, ", time limit %s", j.TimeLimit.Round(time.Minute))
	}
	fmt.Fprintf(stdout, "\nwrote %s in %s\n", strings.Join(names, ", "), *out)
	switch target {
	case "slurm":
		fmt.Fprintf(stdout, "submit: sh %s   (then the tables job runs `tibench tables` when the array has ended)\n", filepath.Join(*out, cluster.SlurmSubmit))
	case "k8s":
		fmt.Fprintf(stdout, "submit: kubectl apply -f %s; when the Job completes, run `tibench tables` over the results volume\n", filepath.Join(*out, "job.yaml"))
	}
	return nil
}

// slurmFiles writes the plan into the export directory and returns the scripts; Slurm's paths are
// absolute, since its tasks run elsewhere on the shared file system.
func slurmFiles(j *cluster.Job, sf *selectionFlags, out string, stderr io.Writer) (map[string][]byte, error) {
	abs := func(p string) (string, error) {
		a, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("export slurm: %w", err)
		}
		return a, nil
	}
	var err error
	if j.Workdir, err = abs("."); err != nil {
		return nil, err
	}
	if j.Results, err = abs(sf.results); err != nil {
		return nil, err
	}
	dir, err := abs(out)
	if err != nil {
		return nil, err
	}
	j.PlanPath = filepath.Join(dir, "plan.json")
	if j.Tibench == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("export slurm: -tibench not given and %w", err)
		}
		if strings.HasPrefix(exe, os.TempDir()) {
			fmt.Fprintf(stderr, "export slurm: warning: this tibench is a temporary build (%s, go run?); build one with `go build -o bin/tibench ./cmd/tibench` and pass -tibench\n", exe)
		}
		j.Tibench = exe
	}
	files, err := cluster.Slurm(*j, filepath.Join(dir, "logs"))
	if err != nil {
		return nil, err
	}
	files["plan.json"] = j.Plan
	return files, nil
}

func exportUsage(w io.Writer) {
	fmt.Fprint(w, `usage: tibench export slurm|k8s [flags] EXPERIMENT.yaml...

Writes what a cluster's own scheduler needs to run the experiments' grid in parallel, each task
running `+"`tibench run -plan plan.json -shard i/n -resume`"+` into one shared results directory:

  slurm  plan.json, array.sbatch (a job array, SLURM_ARRAY_TASK_ID → shard), tables.sbatch and
         submit.sh, which submits the array and a job that runs `+"`tibench tables`"+` after it.
  k8s    job.yaml: the plan as a ConfigMap and a batch/v1 Indexed Job (JOB_COMPLETION_INDEX → shard)
         with a shared ReadWriteMany volume for the results.

CPU, memory and time requests come from the plan's cost estimates (see `+"`tibench plan`"+`). A task
stopped by SIGTERM (preemption, time limit) exits 75 and is requeued; it resumes from its checkpoint.

`)
}
