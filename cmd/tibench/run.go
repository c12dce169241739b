package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/grid"
	"github.com/tibench/tibench/internal/pipeline"
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

// selectionFlags choose the runs of experiment files; shared by run, reproduce, regress, plan,
// export and tables.
type selectionFlags struct {
	configs, results, profile string
	models, datasets          listFlag
	sets                      setFlag
}

func (f *selectionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.configs, "configs", "configs", "configuration directory (defaults.yaml, models/, datasets/, experiments/)")
	fs.StringVar(&f.results, "results", "results", "results directory")
	fs.StringVar(&f.profile, "profile", bench.ProfileQuick, "quick (embedded synthetic presets) or paper (downloaded real datasets, paper settings)")
	fs.Var(&f.models, "models", "only these models (comma-separated)")
	fs.Var(&f.datasets, "datasets", "only these datasets (comma-separated)")
	fs.Var(&f.sets, "set", "override a config key, e.g. -set run.epochs=2 (repeatable; applied last, except to the key an experiment sweeps)")
}

// selection is the grid the flags and experiment files describe.
func (f *selectionFlags) selection(files []string) grid.Selection {
	return grid.Selection{Files: files, ConfigDir: f.configs, Profile: f.profile, Models: f.models, Datasets: f.datasets, Sets: f.sets}
}

// runFlags are shared by run, reproduce and regress.
type runFlags struct {
	selectionFlags
	resume        bool
	progressEvery time.Duration
	cpuProfile    string
}

func (f *runFlags) register(fs *flag.FlagSet) {
	f.selectionFlags.register(fs)
	fs.BoolVar(&f.resume, "resume", false, "skip runs whose result file already exists and continue interrupted runs from their checkpoints")
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

// runner builds the pipeline the flags describe, logging and showing progress on stderr.
func (f *runFlags) runner(stderr io.Writer) *pipeline.Runner {
	return pipeline.New(pipeline.Options{
		ConfigDir: f.configs, ResultsDir: f.results, Profile: f.profile,
		Models: f.models, Datasets: f.datasets, Sets: f.sets, Resume: f.resume, Log: stderr,
		Progress: func(desc string, total int) bench.ProgressReporter {
			return bench.NewProgress(stderr, desc, total, f.progressEvery)
		},
	})
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.register(fs)
	var g gridFlags
	g.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: tibench run [flags] EXPERIMENT.yaml...
       tibench run -plan PLAN.json [-shard i/n] [-run-id ID] [flags]

Runs the experiments' grids and writes results/<experiment>/... (benchfmt). With -shard i/n it runs
only its slice of the grid as `+"`tibench plan`"+` lists it (shards balanced by expected seconds), with
-run-id only the runs named; n processes or cluster tasks with i = 0..n-1 run the whole grid into one
shared results directory. Results are written atomically: runs that race write one whole file.
SIGTERM (a scheduler's preemption) or Ctrl-C stops between batches; the finished epochs' checkpoint is
kept and the exit status is 75, and -resume continues.

`)
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args) // flags may follow the files, as the issues write them
	if err != nil {
		return err
	}
	if err := withPlan(fs, g.plan); err != nil {
		return err
	}
	if len(paths) == 0 && g.plan == "" {
		fs.Usage()
		return errors.New("run: no experiment file given")
	}
	stop, err := f.startCPUProfile()
	if err != nil {
		return err
	}
	defer stop(&err)
	if g.active() {
		return g.run(ctx, &f, paths, stderr)
	}
	x := f.runner(stderr)
	for _, path := range paths {
		if err := x.RunFile(ctx, path); err != nil {
			return err
		}
	}
	return nil
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
	paths, err := pipeline.ExperimentFiles(f.configs)
	if err != nil {
		return err
	}
	stop, err := f.startCPUProfile()
	if err != nil {
		return err
	}
	defer stop(&err)
	x := f.runner(stderr)
	start := time.Now()
	for _, p := range paths {
		fmt.Fprintf(stderr, "== %s\n", p)
		if err := x.RunFile(ctx, p); err != nil {
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
	fmt.Fprintln(stdout, "Models:")
	width := 12 // the name column fits the longest name
	for _, name := range models.Names() {
		width = max(width, len(name))
	}
	for _, name := range models.Names() {
		m, err := models.New(name, bench.ModelParams{}, models.Env{Backend: ag.NewCPU()})
		if err != nil {
			return err
		}
		var caps []string
		for _, tn := range bench.TaskNames() {
			t, _ := bench.TaskByName(tn)
			if bench.CheckCapabilities(m, t) != nil {
				continue
			}
			if r, ok := m.(bench.Ranker); ok && t.Needs() == bench.NeedsRanker {
				tn += "(" + r.ItemScoring() + ")"
			}
			caps = append(caps, tn)
		}
		fmt.Fprintf(stdout, "  %-*s %-34s %s\n", width, name, strings.Join(caps, " "), models.Describe(name))
	}
	fmt.Fprintln(stdout, "\nTasks (run.task):")
	for _, tn := range bench.TaskNames() {
		t, _ := bench.TaskByName(tn)
		fmt.Fprintf(stdout, "  %-*s %s\n", width, tn, t.Description())
	}
	return nil
}
