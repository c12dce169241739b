package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/grid"
)

// gridFlags are run's flags that select part of the grid.
type gridFlags struct {
	plan   string
	shard  string
	runIDs listFlag
}

func (g *gridFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.plan, "plan", "", "run the grid of this plan `file` (tibench plan -json, or the one tibench export writes) instead of experiment files: its selection and estimates are used, so every shard splits the grid alike")
	fs.StringVar(&g.shard, "shard", "", "run only shard `i/n` of the grid (0 ≤ i < n), balanced by expected seconds")
	fs.Var(&g.runIDs, "run-id", "run only the runs with these `ids` (as tibench plan prints them; comma-separated or repeated)")
}

func (g *gridFlags) active() bool { return g.plan != "" || g.shard != "" || len(g.runIDs) > 0 }

// withPlan refuses selection flags beside -plan: the plan's own selection would silently win.
func withPlan(fs *flag.FlagSet, planFile string) error {
	if planFile == "" {
		return nil
	}
	var set []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "configs", "profile", "models", "datasets", "set":
			set = append(set, "-"+f.Name)
		}
	})
	if len(set) > 0 {
		return fmt.Errorf("-plan %s fixes the experiments, profile and settings; %s cannot change them (make a new plan)", planFile, strings.Join(set, ", "))
	}
	return nil
}

// loadPlan is the plan of a -plan file (attached to results) or of experiment files. The plan of
// experiment files keeps the size model's estimates unless withRecords: the estimates from records
// change as runs finish, so shards that start at different times would split the grid differently.
func loadPlan(planFile string, sf *selectionFlags, files []string, withRecords bool, log io.Writer) (*grid.Plan, error) {
	if planFile != "" {
		if len(files) > 0 {
			return nil, fmt.Errorf("-plan %s and experiment files %s: give one (the plan names its experiment files)", planFile, strings.Join(files, " "))
		}
		p, err := grid.Load(planFile)
		if err != nil {
			return nil, err
		}
		if err := p.Attach(sf.results, log); err != nil {
			return nil, fmt.Errorf("%s: %w", planFile, err)
		}
		return p, nil
	}
	p, err := grid.New(sf.selection(files), sf.results, log)
	if err != nil {
		return nil, err
	}
	if withRecords {
		recs, err := bench.ReadResults(sf.results)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		p.Estimate(recs)
	}
	return p, nil
}

// run executes the part of the grid the flags select.
func (g *gridFlags) run(ctx context.Context, f *runFlags, files []string, stderr io.Writer) error {
	p, err := loadPlan(g.plan, &f.selectionFlags, files, false, stderr)
	if err != nil {
		return err
	}
	indices := make([]int, len(p.Runs))
	for i := range indices {
		indices[i] = i
	}
	what := "the grid"
	if g.shard != "" {
		s, err := grid.ParseShard(g.shard)
		if err != nil {
			return fmt.Errorf("-shard: %w", err)
		}
		indices, what = p.ShardRuns(s), "shard "+s.String()
	}
	if len(g.runIDs) > 0 {
		sel, err := p.Select(g.runIDs)
		if err != nil {
			return fmt.Errorf("-run-id: %w", err)
		}
		indices, what = intersect(indices, sel), what+", -run-id"
	}
	var sec float64
	for _, i := range indices {
		sec += p.Runs[i].Seconds
	}
	fmt.Fprintf(stderr, "%s: %d of %d runs, expected %s\n", what, len(indices), len(p.Runs), seconds(sec))
	return p.Execute(ctx, f.runner(stderr), indices)
}

// intersect keeps the elements of a (sorted) that are in b.
func intersect(a, b []int) []int {
	in := map[int]bool{}
	for _, i := range b {
		in[i] = true
	}
	var out []int
	for _, i := range a {
		if in[i] {
			out = append(out, i)
		}
	}
	return out
}

func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}

func runPlan(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf selectionFlags
	sf.register(fs)
	shards := fs.Int("shards", 0, "also assign the runs to this many shards (as run -shard i/n does with this plan)")
	asJSON := fs.Bool("json", false, "print the plan as JSON (the file run -plan reads)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: tibench plan [flags] EXPERIMENT.yaml...

Prints the experiments' grid as an ordered list of runs, one per line: its stable id (the result
file's path under the results directory), the expected wall time and what the estimate is based on
(measured: this run's earlier result; model-rate: the model's seconds per interaction and epoch from
its results on any dataset; size: the size model alone) and, with -shards, the shard that runs it.
The same files, flags and configs give the same ids in the same order on any machine. -json prints
the plan `+"`tibench run -plan`"+` reads: its frozen estimates make every shard split the grid alike.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("plan: no experiment file given")
	}
	p, err := loadPlan("", &sf, fs.Args(), true, stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		return p.Save(stdout)
	}
	var shard []int
	if *shards > 0 {
		shard = p.Assign(*shards)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	var total float64
	for i, r := range p.Runs {
		total += r.Seconds
		line := fmt.Sprintf("%s\t%s\t%s", r.ID, seconds(r.Seconds), r.Basis)
		if shard != nil {
			line += fmt.Sprintf("\tshard %d", shard[i])
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d runs, expected %s in one process", len(p.Runs), seconds(total))
	if *shards > 0 {
		loads, _ := p.Loads(*shards)
		parts := make([]string, len(loads))
		for i, l := range loads {
			parts[i] = seconds(l)
		}
		fmt.Fprintf(stderr, "; %d shards: %s", *shards, strings.Join(parts, ", "))
	}
	fmt.Fprintln(stderr)
	return nil
}
