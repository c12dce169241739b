// Package grid turns experiment files into a flat, ordered list of runs (one seed of one model ×
// dataset × variant each) with stable ids and cost estimates, splits that list into shards balanced
// by expected seconds, and executes a shard with the run pipeline. It is what lets a cluster's own
// scheduler (a Slurm job array, a Kubernetes Indexed Job) run the grid: every task computes the same
// plan, runs its slice into a shared results directory, and `tibench tables` merges whatever is
// there. There is no scheduler or daemon of tibench's own.
//
// Run ids are the result file's path below the results directory without its extension, e.g.
// "table3/jodie/synth-wikipedia-small/seed-1" or "fig5-train-fraction/jodie/wikipedia/train=0.4/seed-2":
// they depend only on the experiment files and the flags, never on the machine or the directory.
package grid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/pipeline"
)

// Selection is what a plan is made of: experiment files and the flags that narrow and set them.
// Two processes with the same selection and the same configs/ compute the same plan.
type Selection struct {
	Files     []string `json:"files"`              // experiment files, in the order given
	ConfigDir string   `json:"configs"`            // default "configs"
	Profile   string   `json:"profile"`            // quick (default) or paper
	Models    []string `json:"models,omitempty"`   // keep only these models (nil: all)
	Datasets  []string `json:"datasets,omitempty"` // keep only these datasets (nil: all)
	Sets      []string `json:"sets,omitempty"`     // -set key=value, in order
}

// Run is one entry of a plan: one seed of one planned run.
type Run struct {
	ID         string `json:"id"`
	Experiment string `json:"experiment"`
	Model      string `json:"model"`
	Dataset    string `json:"dataset"`
	Variant    string `json:"variant,omitempty"` // key=value of the experiment's sweep
	Seed       uint64 `json:"seed"`
	Epochs     int    `json:"epochs"`
	// Interactions is the dataset's size as the size model knows it (0: unknown).
	Interactions int `json:"interactions"`
	// Seconds is the expected wall time and Basis says where the estimate comes from (Estimate).
	Seconds float64 `json:"seconds"`
	Basis   string  `json:"basis"`
	// MemoryMiB is a coarse memory estimate from the dataset's size, for the schedulers' requests.
	MemoryMiB int `json:"memory_mib"`
}

// Plan is the ordered grid of a selection. Its order is the experiment files' order, then each
// experiment's models × datasets × sweep variants (as the experiment lists them), then seeds.
type Plan struct {
	Selection
	Runs []Run `json:"runs"`
	// planned[i] is Runs[i]'s resolved run; nil in a plan read from a file until Attach.
	planned []*bench.PlannedRun
}

// ErrStale is wrapped when a saved plan no longer matches what its selection plans now (configs or
// experiment files changed since it was written).
var ErrStale = errors.New("grid: the plan file is stale")

// New plans sel's runs with results below resultsDir. Models an experiment lists that are not
// registered are reported to log and left out, as `tibench run` does. The estimates are the size
// model's until Estimate is called.
func New(sel Selection, resultsDir string, log io.Writer) (*Plan, error) {
	if len(sel.Files) == 0 {
		return nil, errors.New("grid: no experiment file given")
	}
	if sel.ConfigDir == "" {
		sel.ConfigDir = "configs"
	}
	if sel.Profile == "" {
		sel.Profile = bench.ProfileQuick
	}
	x := pipeline.New(pipeline.Options{ConfigDir: sel.ConfigDir, ResultsDir: resultsDir, Profile: sel.Profile,
		Models: sel.Models, Datasets: sel.Datasets, Sets: sel.Sets, Log: log})
	p := &Plan{Selection: sel}
	seen := map[string]string{}
	for _, file := range sel.Files {
		e, err := bench.LoadExperiment(file)
		if err != nil {
			return nil, err
		}
		runs, err := x.Plan(e, resultsDir)
		if err != nil {
			return nil, err
		}
		for i := range runs {
			pr := &runs[i]
			for _, seed := range pr.Config.Run.Seeds {
				r, err := newRun(pr, seed, resultsDir)
				if err != nil {
					return nil, err
				}
				if prev, dup := seen[r.ID]; dup {
					return nil, fmt.Errorf("grid: run %s is planned by both %s and %s (two experiments with one name?)", r.ID, prev, file)
				}
				seen[r.ID] = file
				p.Runs = append(p.Runs, r)
				p.planned = append(p.planned, pr)
			}
		}
	}
	return p, nil
}

func newRun(pr *bench.PlannedRun, seed uint64, resultsDir string) (Run, error) {
	rel, err := filepath.Rel(resultsDir, pr.ResultPath(seed))
	if err != nil {
		return Run{}, fmt.Errorf("grid: %s: %w", pr.Label(seed), err)
	}
	r := Run{
		ID:         filepath.ToSlash(strings.TrimSuffix(rel, bench.ResultExt)),
		Experiment: pr.Experiment, Model: pr.Model, Dataset: pr.Dataset, Seed: seed,
		Epochs: pr.Config.Run.Epochs, Interactions: interactions(pr.Config.Dataset.Name),
	}
	for _, kv := range pr.Variant {
		r.Variant = kv.Key + "=" + kv.Value
	}
	r.Seconds, r.Basis = sizeModel(r)
	r.MemoryMiB = memoryModel(r)
	return r, nil
}

// Load reads a plan written by Save (the output of `tibench plan -json`).
func Load(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("grid: %w", err)
	}
	var p Plan
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("grid: %s: %w", path, err)
	}
	if len(p.Files) == 0 || len(p.Runs) == 0 {
		return nil, fmt.Errorf("grid: %s: no experiment files or no runs", path)
	}
	return &p, nil
}

// Save writes the plan as indented JSON.
func (p *Plan) Save(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Attach plans a loaded plan's selection again with results below resultsDir and checks that it
// gives the same runs in the same order; the loaded plan keeps its frozen estimates (so every
// shard, whenever it starts, splits the grid as the plan's writer did).
func (p *Plan) Attach(resultsDir string, log io.Writer) error {
	now, err := New(p.Selection, resultsDir, log)
	if err != nil {
		return err
	}
	if len(now.Runs) != len(p.Runs) {
		return fmt.Errorf("%w: it lists %d runs, the experiment files now plan %d (write it again)", ErrStale, len(p.Runs), len(now.Runs))
	}
	for i := range now.Runs {
		if now.Runs[i].ID != p.Runs[i].ID {
			return fmt.Errorf("%w: run %d is %s in the file, %s now (write it again)", ErrStale, i, p.Runs[i].ID, now.Runs[i].ID)
		}
	}
	p.planned = now.planned
	return nil
}

// Select returns the indices of the runs with the given ids, in plan order; an unknown id is an
// error that names it.
func (p *Plan) Select(ids []string) ([]int, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []int
	for i, r := range p.Runs {
		if want[r.ID] {
			out = append(out, i)
			delete(want, r.ID)
		}
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for id := range want {
			missing = append(missing, id)
		}
		slices.Sort(missing)
		return nil, fmt.Errorf("grid: no run %s in the plan (`tibench plan` lists the ids)", strings.Join(missing, ", "))
	}
	return out, nil
}

// Missing returns the runs whose result file is not under resultsDir.
func (p *Plan) Missing(resultsDir string) []Run {
	var out []Run
	for _, r := range p.Runs {
		if _, err := os.Stat(resultPath(resultsDir, r.ID)); err != nil {
			out = append(out, r)
		}
	}
	return out
}

func resultPath(resultsDir, id string) string {
	return filepath.Join(resultsDir, filepath.FromSlash(id)) + bench.ResultExt
}

// Execute runs the plan's runs at indices, in order, with x (whose results directory must be the
// one the plan was made or attached with). It stops at the first error; an interruption wraps
// pipeline.ErrInterrupted.
func (p *Plan) Execute(ctx context.Context, x *pipeline.Runner, indices []int) error {
	for _, i := range indices {
		if p.planned == nil || p.planned[i] == nil {
			return errors.New("grid: Execute on a loaded plan before Attach")
		}
		if err := x.RunOne(ctx, p.planned[i], p.Runs[i].Seed); err != nil {
			return err
		}
	}
	return nil
}
