package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/tibench/tibench/bench"
)

// runMonitor runs embedding-evolution experiments (kind: evolution) and prints what the monitor saw.
func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tibench monitor [flags] [EXPERIMENT.yaml...]\n\n"+
			"Runs embedding-evolution experiments (kind: evolution; default: configs/experiments/evolution*.yaml):\n"+
			"each model trains, then bench/monitor records how its dynamic embeddings move over one more epoch\n"+
			"and the evaluation. Writes results/<experiment>/... and prints a summary; `tibench tables` draws\n"+
			"the figures (BENCHMARKS.md, Embedding evolution).")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		if paths, err = filepath.Glob(filepath.Join(f.configs, "experiments", "evolution*.yaml")); err != nil {
			return err
		}
		if len(paths) == 0 {
			return fmt.Errorf("monitor: no %s", filepath.Join(f.configs, "experiments", "evolution*.yaml"))
		}
	}
	var names []string
	for _, p := range paths {
		e, err := bench.LoadExperiment(p)
		if err != nil {
			return err
		}
		if e.Kind != bench.KindEvolution {
			return fmt.Errorf("monitor: %s: kind %q, want %q (the monitor runs embedding-evolution experiments)", p, e.Kind, bench.KindEvolution)
		}
		if !slices.Contains(names, e.Name) {
			names = append(names, e.Name)
		}
	}
	stop, err := f.startCPUProfile()
	if err != nil {
		return err
	}
	defer stop(&err)
	x := f.runner(stderr)
	for _, p := range paths {
		if err := x.RunFile(ctx, p); err != nil && !errors.Is(err, bench.ErrPending) {
			return err
		}
	}
	recs, err := bench.ReadResults(f.results)
	if err != nil {
		return err
	}
	return printEvolution(stdout, recs, names)
}

// printEvolution prints, per run and side, the sampled entities' matured share and the median
// update size at the second interaction and in the last index bucket.
func printEvolution(w io.Writer, recs []bench.Record, experiments []string) error {
	type key struct{ run, side string }
	type row struct {
		entities, matured float64
		first, last       string
		lastHi            int
	}
	rows := map[key]*row{}
	var order []key
	for i := range recs {
		r := &recs[i]
		if !slices.Contains(experiments, r.Get("experiment")) || (r.Bench != "Maturity" && r.Bench != "Evolution") {
			continue
		}
		var parts []string
		for _, kv := range r.Name {
			if kv.Key != "side" && kv.Key != "k" && kv.Key != "pop" {
				parts = append(parts, kv.Key+"="+kv.Value)
			}
		}
		k := key{strings.Join(parts, " "), r.Get("side")}
		if rows[k] == nil {
			rows[k] = &row{first: "—", last: "—"}
			order = append(order, k)
		}
		x := rows[k]
		switch r.Bench {
		case "Maturity":
			n, _ := r.Metric("entities")
			m, _ := r.Metric("matured")
			x.entities += n
			x.matured += m * n
		case "Evolution":
			med, _ := r.Metric("rel-update-median")
			var lo, hi int
			if _, err := fmt.Sscanf(r.Get("k"), "%d-%d", &lo, &hi); err != nil {
				fmt.Sscanf(r.Get("k"), "%d", &hi)
			}
			if hi == 2 {
				x.first = fmt.Sprintf("%.4f", med)
			}
			if hi >= x.lastHi {
				x.lastHi, x.last = hi, fmt.Sprintf("%.4f (k ≤ %d)", med, hi)
			}
		}
	}
	if len(order) == 0 {
		return fmt.Errorf("monitor: no evolution records for %s under the results directory", strings.Join(experiments, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSIDE\tSAMPLED\tMATURED\tUPDATE AT k=2\tUPDATE, LAST BUCKET")
	for _, k := range order {
		x := rows[k]
		matured := "—"
		if x.entities > 0 {
			matured = fmt.Sprintf("%.1f%%", 100*x.matured/x.entities)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%s\n", k.run, k.side, x.entities, matured, x.first, x.last)
	}
	return tw.Flush()
}
