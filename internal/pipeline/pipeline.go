// Package pipeline runs tibench's experiments, one seed of one planned run at a time: load the
// dataset (datasets.Open, once per process) → the task's view → build the model (registry, backend)
// → train, select and evaluate (bench.Train, with a checkpoint after every epoch) → write the
// records and the resolved config atomically. `tibench run`, `reproduce` and `regress` share it;
// the command line only parses flags and prints. The experiment kinds (train, epoch-time,
// early-warning) are handled here, in one table.
//
// The pipeline sits above the models and below the command line: it imports the model registry but
// no model; the program that runs it blank-imports the models it offers (cmd/tibench/models.go).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/models"
)

// Options configure a Runner. The zero value (plus Log) runs the quick profile from configs/ into
// results/.
type Options struct {
	ConfigDir  string   // holds defaults.yaml, models/, datasets/; default "configs"
	ResultsDir string   // results/<experiment>/... is written below it; default "results"
	Profile    string   // quick (default) or paper
	Models     []string // keep only these models (nil: all)
	Datasets   []string // keep only these datasets (nil: all)
	Sets       []string // -set key=value settings, applied last (but before a sweep's value of its key)
	// Resume skips runs whose result file exists and continues a run from its checkpoint.
	Resume bool
	// Log receives logs (stderr in the CLI); nil discards.
	Log io.Writer
	// Progress returns the progress reporter of one epoch's training; nil reports nothing.
	Progress func(desc string, total int) bench.ProgressReporter
	// Env are the file keys that say where results were produced; nil means bench.Environment().
	Env []bench.KV
	// AfterCheckpoint, when set, is called after each checkpoint is written (tests kill the process
	// there to check that -resume continues it).
	AfterCheckpoint func(path string, epoch int)
}

// Runner executes planned runs and writes their results. It caches loaded datasets, so one process
// running several experiments reads each dataset once. A Runner is not safe for concurrent use.
type Runner struct {
	opt    Options
	log    io.Writer
	data   map[bench.DatasetConfig]*datasets.Dataset
	viewed map[string]bool // views already described in the log, by dataset and description
}

// New returns a runner with opt's defaults filled in.
func New(opt Options) *Runner {
	if opt.ConfigDir == "" {
		opt.ConfigDir = "configs"
	}
	if opt.ResultsDir == "" {
		opt.ResultsDir = "results"
	}
	if opt.Env == nil {
		opt.Env = bench.Environment()
	}
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	return &Runner{opt: opt, log: log, data: map[bench.DatasetConfig]*datasets.Dataset{}, viewed: map[string]bool{}}
}

func (x *Runner) dataset(ctx context.Context, c bench.DatasetConfig) (*datasets.Dataset, error) {
	if d, ok := x.data[c]; ok {
		return d, nil
	}
	start := time.Now()
	d, err := datasets.Open(ctx, c.Name, datasets.OpenOptions{SynthSeed: c.SynthSeed, Lenient: c.Lenient, Sort: c.Sort, Categories: c.Categories, Log: x.log})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(x.log, "dataset %s: %d interactions, %d users, %d items (%.1fs)\n", c.Name, d.Len(), d.NumUsers(), d.NumItems(), time.Since(start).Seconds())
	x.data[c] = d
	return d, nil
}

// RunFile loads an experiment file and runs its grid into Options.ResultsDir.
func (x *Runner) RunFile(ctx context.Context, path string) error {
	e, err := bench.LoadExperiment(path)
	if err != nil {
		return err
	}
	return x.RunExperiment(ctx, e, x.opt.ResultsDir)
}

// RunExperiment plans e and runs every seed of every run into resultsDir. Models the experiment
// lists that are not registered are reported and skipped.
func (x *Runner) RunExperiment(ctx context.Context, e *bench.Experiment, resultsDir string) error {
	runs, err := x.Plan(e, resultsDir)
	if err != nil {
		return err
	}
	for i := range runs {
		if err := x.runSeeds(ctx, &runs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Plan resolves e's runs with the runner's options, reporting unregistered models to the log.
// A registered model that cannot do e's task (a name shared by two papers' tables, implemented
// for one task so far: gru4rec is a session model, and a row of TIN's CTR table too) counts as not
// implemented for this experiment.
func (x *Runner) Plan(e *bench.Experiment, resultsDir string) ([]bench.PlannedRun, error) {
	registered := map[string]bool{}
	for _, n := range models.Names() {
		registered[n] = true
	}
	task, taskErr := bench.TaskByName(e.Task)
	implemented := func(name string) bool {
		if !registered[name] {
			return false
		}
		if taskErr != nil {
			return true // e.Plan reports the bad task
		}
		m, err := models.New(name, bench.ModelParams{}, models.Env{Log: io.Discard})
		return err != nil || bench.CheckCapabilities(m, task) == nil // a bad config is reported by the run
	}
	runs, pending, err := e.Plan(bench.PlanOptions{
		ConfigDir: x.opt.ConfigDir, ResultsDir: resultsDir, Profile: x.opt.Profile,
		Models: x.opt.Models, Datasets: x.opt.Datasets, Sets: x.opt.Sets,
		Registered: implemented,
	})
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		fmt.Fprintf(x.log, "%s: not implemented yet, skipped: %s\n", e.Name, strings.Join(pending, ", "))
	}
	if over := e.SweepOverrides(x.opt.Sets); len(over) > 0 {
		fmt.Fprintf(x.log, "%s: sweeps %s, so -set %s does not apply to that key here\n", e.Name, strings.Join(e.Sweep.Keys(), ", "), strings.Join(over, " -set "))
	}
	return runs, nil
}

func (x *Runner) runSeeds(ctx context.Context, p *bench.PlannedRun) error {
	for _, seed := range p.Config.Run.Seeds {
		if err := x.RunOne(ctx, p, seed); err != nil {
			return err
		}
	}
	return nil
}

// ErrInterrupted is wrapped by the error of a run stopped by its context (Ctrl-C, or the SIGTERM a
// cluster scheduler sends before it preempts a task): the finished runs and the last finished
// epoch's checkpoint are on disk, and -resume continues from them.
var ErrInterrupted = errors.New("pipeline: interrupted")

// RunOne runs one seed of p as the command line does: with Options.Resume, a seed whose result file
// exists is skipped, and a cancelled context is reported as ErrInterrupted.
func (x *Runner) RunOne(ctx context.Context, p *bench.PlannedRun, seed uint64) error {
	path, label := p.ResultPath(seed), p.Label(seed)
	if x.opt.Resume {
		if _, err := os.Stat(path); err == nil {
			fmt.Fprintf(x.log, "%s: done already (%s), skipped (-resume)\n", label, path)
			return nil
		}
	}
	if err := x.RunSeed(ctx, p, seed); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("%w during %s: finished runs and epochs are kept; continue with -resume", ErrInterrupted, label)
		}
		return err
	}
	return nil
}

// kind is what an experiment kind does with a run: whether it evaluates, and which records it
// writes.
type kind struct {
	trainOnly bool
	records   func(ctx context.Context, m bench.Model, d *bench.Data, out *bench.Outcome, p *bench.PlannedRun, seed uint64, backend string, env []bench.KV) ([]bench.Record, error)
}

// earlyWarningMax is the furthest number of interactions before a drop-out that Fig. 7 reports.
const earlyWarningMax = 10

// kinds is the one place that knows the experiment kinds.
var kinds = map[string]kind{
	bench.KindTrain: {records: outcomeRecords},
	// Timing experiments only train; their record is EpochTime.
	bench.KindEpochTime: {trainOnly: true, records: outcomeRecords},
	// JODIE's Exp. 6: drop-out ratios from the model's state after its last epoch.
	bench.KindEarlyWarning: {records: func(ctx context.Context, m bench.Model, d *bench.Data, _ *bench.Outcome, p *bench.PlannedRun, seed uint64, backend string, env []bench.KV) ([]bench.Record, error) {
		pts, err := bench.EarlyWarning(ctx, m, d, earlyWarningMax)
		if err != nil {
			return nil, err
		}
		return bench.EarlyWarningRecords(pts, p, seed, d, backend, env), nil
	}},
	// The embedding-evolution study: the usual records, then the monitor's over one more epoch and
	// the evaluation.
	bench.KindEvolution: {records: func(ctx context.Context, m bench.Model, d *bench.Data, out *bench.Outcome, p *bench.PlannedRun, seed uint64, backend string, env []bench.KV) ([]bench.Record, error) {
		mon, err := bench.MonitorEvolution(ctx, m, d, p.Config.Run.Monitor, seed)
		if err != nil {
			return nil, err
		}
		return append(out.Records(p, seed, d, backend, env), bench.EvolutionRecords(mon, p, seed, d, backend, env)...), nil
	}},
	// TIN's semantic-temporal correlation study: the usual records, then the data's and the
	// trained model's correlation (Figs. 1 and 3).
	bench.KindCorrelation: {records: func(ctx context.Context, m bench.Model, d *bench.Data, out *bench.Outcome, p *bench.PlannedRun, seed uint64, backend string, env []bench.KV) ([]bench.Record, error) {
		stc, err := bench.SemanticTemporalCorrelation(ctx, m, d)
		if err != nil {
			return nil, err
		}
		return append(out.Records(p, seed, d, backend, env), bench.CorrelationRecords(stc, p, seed, d, backend, env)...), nil
	}},
}

func outcomeRecords(_ context.Context, _ bench.Model, d *bench.Data, out *bench.Outcome, p *bench.PlannedRun, seed uint64, backend string, env []bench.KV) ([]bench.Record, error) {
	return out.Records(p, seed, d, backend, env), nil
}

// RunSeed runs one seed of p and writes its records to p.ResultPath(seed). With Options.Resume it
// continues from the run's checkpoint when there is one.
func (x *Runner) RunSeed(ctx context.Context, p *bench.PlannedRun, seed uint64) error {
	cfg, label, path := p.Config, p.Label(seed), p.ResultPath(seed)
	k, ok := kinds[p.Kind]
	if !ok {
		return fmt.Errorf("%s: unknown experiment kind %q", label, p.Kind)
	}
	fail := func(err error) error { return fmt.Errorf("%s: %w", label, err) }
	task, err := cfg.Run.TaskOf()
	if err != nil {
		return fail(err)
	}
	ds, err := x.dataset(ctx, cfg.Dataset)
	if err != nil {
		return fail(err)
	}
	data, err := task.View(ds, cfg.Run)
	if err != nil {
		return fail(err)
	}
	// What the view read, dropped, capped and kept (issues #12, #13), once per dataset and view.
	if desc := bench.DescribeView(data); desc != "" && !x.viewed[cfg.Dataset.Name+"\x00"+desc] {
		x.viewed[cfg.Dataset.Name+"\x00"+desc] = true
		fmt.Fprintf(x.log, "dataset %s: %s\n", cfg.Dataset.Name, desc)
	}
	be, err := ag.BackendByName(cfg.Run.Backend)
	if err != nil {
		return fail(fmt.Errorf("run.backend: %w", err))
	}
	m, err := models.New(p.Model, cfg.Model.Params, models.Env{Backend: be, Log: x.log})
	if err != nil {
		return fail(err)
	}
	if err := bench.CheckCapabilities(m, task); err != nil {
		return fail(err)
	}
	resolved, err := x.resolved(cfg, m)
	if err != nil {
		return fail(err)
	}
	opts := bench.RunOptions{Log: x.log, Label: label, Progress: x.opt.Progress, TrainOnly: k.trainOnly}
	if err := m.Init(data, seed); err != nil {
		return fail(fmt.Errorf("init: %w", err))
	}
	out := &bench.Outcome{Best: -1}
	ck := checkpointFor(m, cfg, path, resolved)
	if ck != nil {
		if x.opt.Resume {
			if out, err = ck.load(m); err != nil {
				return fail(err)
			}
			if n := len(out.Epochs); n > 0 {
				fmt.Fprintf(x.log, "%s: resuming after epoch %d from %s\n", label, n, ck.path)
			}
		}
		opts.OnEpoch = func(o *bench.Outcome) error {
			if err := ck.save(m, o); err != nil {
				return err
			}
			if x.opt.AfterCheckpoint != nil {
				x.opt.AfterCheckpoint(ck.path, len(o.Epochs))
			}
			return nil
		}
	}
	out, err = bench.Resume(ctx, m, data, cfg.Run, opts, out)
	if err != nil {
		return err
	}
	recs, err := k.records(ctx, m, data, out, p, seed, be.Name(), x.opt.Env)
	if err != nil {
		return fail(err)
	}
	if err := bench.WriteRun(path, recs, resolved); err != nil {
		return err
	}
	if ck != nil {
		ck.remove()
	}
	best := out.BestEpoch()
	if k.trainOnly {
		fmt.Fprintf(x.log, "%s: %.1f s per training epoch (peak RSS %s) → %s\n", label, out.MeanTrain().Seconds(), peakRSS(), path)
		return nil
	}
	fmt.Fprintf(x.log, "%s: best epoch %d: test %s %.4f (peak RSS %s) → %s\n", label, best.Epoch, out.Select, best.Test[out.Select], peakRSS(), path)
	return nil
}

// resolved is the run's resolved configuration with the model's parameters, written beside the
// results.
func (x *Runner) resolved(cfg *bench.Config, m bench.Model) ([]byte, error) {
	var params any
	if c, ok := m.(bench.Configured); ok {
		params = c.Config()
	}
	return cfg.MarshalResolved(params)
}

// peakRSS reads the process's peak resident set size (VmHWM) from /proc, or "unknown".
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// ExperimentFiles lists configDir/experiments/*.yaml in name order.
func ExperimentFiles(configDir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(configDir, "experiments", "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no experiments in %s", filepath.Join(configDir, "experiments"))
	}
	sort.Strings(paths)
	return paths, nil
}
