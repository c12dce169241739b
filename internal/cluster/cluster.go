// Package cluster writes what a cluster's own scheduler needs to run a tibench grid: a Slurm job
// array (sbatch scripts) or a Kubernetes Indexed Job (a manifest built from the official k8s.io/api
// types). Task i of either runs `tibench run -plan PLAN -shard i/n -resume` into a shared results
// directory; requests come from the plan's cost estimates. tibench runs no scheduler of its own.
package cluster

import (
	"fmt"
	"math"
	"time"

	"github.com/tibench/tibench/internal/grid"
)

// ExitInterrupted is tibench's exit status after SIGTERM or SIGINT with its checkpoint written
// (cmd/tibench); the scripts and manifests map it to a requeue.
const ExitInterrupted = 75

// Job is a grid to run as n parallel tasks.
type Job struct {
	Name   string // job name; default "tibench"
	Shards int    // tasks; shard i runs `-shard i/Shards`
	// Plan is the plan's JSON (the tasks read it, so all split the grid alike); PlanPath is where
	// (Slurm: a path on the shared file system; Kubernetes: set by the manifest).
	Plan     []byte
	PlanPath string
	Tibench  string // the tibench command the tasks run; default "tibench"
	Results  string // the shared results directory as the tasks see it
	Workdir  string // the tasks' working directory (configs/ and the experiment files are relative to it)
	Markdown string // where the tables job writes the markdown (Slurm); default Workdir's BENCHMARKS.md
	// Per-task requests, from Resources unless overridden.
	CPUs      int
	MemoryMiB int
	TimeLimit time.Duration
	// ShardSeconds are the shards' expected seconds, printed in the scripts' comments.
	ShardSeconds []float64

	Partition string // Slurm partition ("" = the cluster's default)

	Image       string // container image holding tibench and its configs (Kubernetes)
	ResultsPVC  string // a ReadWriteMany PersistentVolumeClaim for the results (Kubernetes)
	Namespace   string // Kubernetes namespace ("" = the kubectl context's)
	Parallelism int    // pods at once (Kubernetes); default Shards
}

// Resources fills a job's per-task requests from a plan split into j.Shards shards, where not set:
// the largest memory estimate of any run, and twice the longest shard's expected time plus ten
// minutes (estimates are rough; a task that hits the limit is requeued and resumes, but only after
// waiting in the queue again). CPUs default to 2, the machines the size model was measured on.
func (j *Job) Resources(p *grid.Plan) {
	secs, mem := p.Loads(j.Shards)
	j.ShardSeconds = secs
	if j.CPUs == 0 {
		j.CPUs = 2
	}
	if j.MemoryMiB == 0 {
		for _, m := range mem {
			j.MemoryMiB = max(j.MemoryMiB, m)
		}
	}
	if j.TimeLimit == 0 {
		longest := 0.0
		for _, s := range secs {
			longest = max(longest, s)
		}
		j.TimeLimit = time.Duration(math.Ceil(2*longest/60)+10) * time.Minute
	}
}

func (j *Job) defaults() error {
	if j.Name == "" {
		j.Name = "tibench"
	}
	if j.Tibench == "" {
		j.Tibench = "tibench"
	}
	if j.Parallelism == 0 {
		j.Parallelism = j.Shards
	}
	switch {
	case j.Shards < 1:
		return fmt.Errorf("cluster: %d shards: want at least 1", j.Shards)
	case j.CPUs < 1 || j.MemoryMiB < 1 || j.TimeLimit <= 0:
		return fmt.Errorf("cluster: requests not set (cpus %d, memory %d MiB, time %s): call Resources", j.CPUs, j.MemoryMiB, j.TimeLimit)
	case len(j.Plan) == 0:
		return fmt.Errorf("cluster: no plan")
	}
	return nil
}

func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}
