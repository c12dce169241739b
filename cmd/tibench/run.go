package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/models"
)

// listFlag collects a repeatable or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// setFlag collects -set key=value settings in order.
type setFlag []string

func (s *setFlag) String() string     { return strings.Join(*s, " ") }
func (s *setFlag) Set(v string) error { *s = append(*s, v); return nil }

// runFlags are shared by run, reproduce and regress.
type runFlags struct {
	configs, results, profile string
	models, datasets          listFlag
	sets                      setFlag
	resume                    bool
	progressEvery             time.Duration
	cpuProfile                string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.configs, "configs", "configs", "configuration directory (defaults.yaml, models/, datasets/, experiments/)")
	fs.StringVar(&f.results, "results", "results", "results directory")
	fs.StringVar(&f.profile, "profile", bench.ProfileQuick, "quick (embedded synthetic presets) or paper (downloaded real datasets, paper settings)")
	fs.Var(&f.models, "models", "only these models (comma-separated)")
	fs.Var(&f.datasets, "datasets", "only these datasets (comma-separated)")
	fs.Var(&f.sets, "set", "override a config key, e.g. -set run.epochs=2 (repeatable; applied last)")
	fs.BoolVar(&f.resume, "resume", false, "skip runs whose result file already exists (continue an interrupted experiment)")
	fs.DurationVar(&f.progressEvery, "progress-every", 15*time.Second, "interval of progress lines when stderr is not a terminal")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole command to this file (go tool pprof)")
}

// startCPUProfile starts profiling to f.cpuProfile when set (run, reproduce and regress all take
// the flag). The caller defers stop(&err): it ends the profile and reports a failed write in err
// unless err already holds an error.
func (f *runFlags) startCPUProfile() (stop func(err *error), err error) {
	if f.cpuProfile == "" {
		return func(*error) {}, nil
	}
	out, err := os.Create(f.cpuProfile)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, fmt.Errorf("-cpuprofile %s: %w", f.cpuProfile, err)
	}
	return func(err *error) {
		pprof.StopCPUProfile()
		if cerr := out.Close(); cerr != nil && *err == nil {
			*err = fmt.Errorf("-cpuprofile: %w", cerr)
		}
	}, nil
}

// executor runs planned runs and writes their results.
type executor struct {
	flags  runFlags
	stderr io.Writer
	env    []bench.KV
	data   map[bench.DatasetConfig]*datasets.Dataset // loaded once per process
}

func newExecutor(f runFlags, stderr io.Writer) *executor {
	return &executor{flags: f, stderr: stderr, env: bench.Environment(), data: map[bench.DatasetConfig]*datasets.Dataset{}}
}

func (x *executor) dataset(ctx context.Context, c bench.DatasetConfig) (*datasets.Dataset, error) {
	if d, ok := x.data[c]; ok {
		return d, nil
	}
	start := time.Now()
	d, err := bench.LoadDataset(ctx, c, x.stderr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(x.stderr, "dataset %s: %d interactions, %d users, %d items (%.1fs)\n", c.Name, d.Len(), d.NumUsers(), d.NumItems(), time.Since(start).Seconds())
	x.data[c] = d
	return d, nil
}

// runExperiment plans and runs one experiment file.
func (x *executor) runExperiment(ctx context.Context, path string) error {
	e, err := bench.LoadExperiment(path)
	if err != nil {
		return err
	}
	return x.runPlan(ctx, e, x.flags.results)
}

func (x *executor) runPlan(ctx context.Context, e *bench.Experiment, resultsDir string) error {
	registered := map[string]bool{}
	for _, n := range models.Names() {
		registered[n] = true
	}
	runs, pending, err := e.Plan(bench.PlanOptions{
		ConfigDir: x.flags.configs, ResultsDir: resultsDir, Profile: x.flags.profile,
		Models: x.flags.models, Datasets: x.flags.datasets, Sets: x.flags.sets,
		Registered: func(m string) bool { return registered[m] },
	})
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		fmt.Fprintf(x.stderr, "%s: not implemented yet, skipped: %s\n", e.Name, strings.Join(pending, ", "))
	}
	for i := range runs {
		if err := x.runSeeds(ctx, &runs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (x *executor) runSeeds(ctx context.Context, p *bench.PlannedRun) error {
	cfg := p.Config
	for _, seed := range cfg.Run.Seeds {
		path := p.ResultPath(seed)
		label := p.Label(seed)
		if x.flags.resume {
			if _, err := os.Stat(path); err == nil {
				fmt.Fprintf(x.stderr, "%s: done already (%s), skipped (-resume)\n", label, path)
				continue
			}
		}
		if err := x.runOne(ctx, p, seed, path, label); err != nil {
			if errors.Is(err, context.Canceled) {
				return fmt.Errorf("interrupted during %s: finished runs are kept; continue with -resume", label)
			}
			return err
		}
	}
	return nil
}

func (x *executor) runOne(ctx context.Context, p *bench.PlannedRun, seed uint64, path, label string) error {
	cfg := p.Config
	d, err := x.dataset(ctx, cfg.Dataset)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	split, err := bench.SplitFor(d, cfg.Run)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	data, err := bench.NewData(d, split, cfg.Run.Normalisation, cfg.Run.Task, cfg.Run.Protocol)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	be, err := ag.BackendByName(cfg.Run.Backend)
	if err != nil {
		return fmt.Errorf("%s: run.backend: %w", label, err)
	}
	m, err := models.New(p.Model, cfg.Model.Params, models.Env{Backend: be, Log: x.stderr})
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	opts := bench.RunOptions{Log: x.stderr, Label: label,
		Progress: func(desc string, total int) bench.ProgressReporter {
			return bench.NewProgress(x.stderr, desc, total, x.flags.progressEvery)
		}}
	opts.TrainOnly = p.Kind == bench.KindEpochTime
	out, err := bench.Train(ctx, m, data, seed, cfg.Run, opts)
	if err != nil {
		return err
	}
	recs := out.Records(p, seed, data, be.Name(), x.env)
	if p.Kind == bench.KindEarlyWarning {
		pts, err := bench.EarlyWarning(ctx, m, data, earlyWarningMax)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		recs = bench.EarlyWarningRecords(pts, p, seed, data, be.Name(), x.env)
	}
	var params any
	if c, ok := m.(bench.Configured); ok {
		params = c.Config()
	}
	resolved, err := cfg.MarshalResolved(params)
	if err != nil {
		return err
	}
	if err := bench.WriteRun(path, recs, resolved); err != nil {
		return err
	}
	best := out.BestEpoch()
	if opts.TrainOnly {
		fmt.Fprintf(x.stderr, "%s: %.1f s per training epoch (peak RSS %s) → %s\n", label, out.MeanTrain().Seconds(), peakRSS(), path)
		return nil
	}
	fmt.Fprintf(x.stderr, "%s: best epoch %d: test %s %.4f (peak RSS %s) → %s\n", label, best.Epoch, out.Select, best.Test[out.Select], peakRSS(), path)
	return nil
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

// earlyWarningMax is the furthest number of interactions before a drop-out that Fig. 7 reports.
const earlyWarningMax = 10

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tibench run [flags] EXPERIMENT.yaml...\n\nRuns the experiments' grids and writes results/<experiment>/... (benchfmt).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("run: no experiment file given")
	}
	stop, err := f.startCPUProfile()
	if err != nil {
		return err
	}
	defer stop(&err)
	x := newExecutor(f, stderr)
	for _, path := range fs.Args() {
		if err := x.runExperiment(ctx, path); err != nil {
			return err
		}
	}
	return nil
}

// experimentFiles lists configs/experiments/*.yaml in name order.
func experimentFiles(configDir string) ([]string, error) {
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

func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.register(fs)
	markdown := fs.String("o", "BENCHMARKS.md", "generated tables")
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths, err := experimentFiles(f.configs)
	if err != nil {
		return err
	}
	stop, err := f.startCPUProfile()
	if err != nil {
		return err
	}
	defer stop(&err)
	x := newExecutor(f, stderr)
	start := time.Now()
	for _, p := range paths {
		fmt.Fprintf(stderr, "== %s\n", p)
		if err := x.runExperiment(ctx, p); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "all experiments done in %s\n", time.Since(start).Round(time.Second))
	return writeTables(f.results, *markdown, stderr)
}

func runList(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range models.Names() {
		var caps []string
		m, err := models.New(name, bench.ModelParams{}, models.Env{Backend: ag.NewCPU()})
		if err != nil {
			return err
		}
		if r, ok := m.(bench.Ranker); ok {
			caps = append(caps, "next-item("+r.ItemScoring()+")")
		}
		if _, ok := m.(bench.StateClassifier); ok {
			caps = append(caps, "state-change")
		}
		fmt.Fprintf(stdout, "%-12s %-40s %s\n", name, strings.Join(caps, " "), models.Describe(name))
	}
	return nil
}
