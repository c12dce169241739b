package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tibench/tibench/internal/grid"
	"github.com/tibench/tibench/internal/report"
	"github.com/tibench/tibench/models"
)

func runTables(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf selectionFlags
	sf.register(fs)
	out := fs.String("o", "BENCHMARKS.md", "generated markdown")
	planFile := fs.String("plan", "", "also list the runs of this plan file that have no result yet")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: tibench tables [-results DIR] [-o BENCHMARKS.md] [-plan PLAN.json | [flags] EXPERIMENT.yaml...]

Regenerates the markdown and its figures from every result file under the results directory —
whatever is there, e.g. what the shards of a cluster run have finished so far. Given a plan or
experiment files (with the flags of `+"`tibench plan`"+`), it also says which of their runs have no
result yet.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := withPlan(fs, *planFile); err != nil {
		return err
	}
	if *planFile != "" || fs.NArg() > 0 {
		// The missing runs first: they are the news when the tables cannot be written at all.
		p, err := loadPlan(*planFile, &sf, fs.Args(), false, stderr)
		if err != nil {
			return err
		}
		reportMissing(stderr, p.Missing(sf.results), len(p.Runs))
	}
	return writeTables(sf.results, *out, stderr)
}

func reportMissing(w io.Writer, missing []grid.Run, total int) {
	if len(missing) == 0 {
		fmt.Fprintf(w, "all %d runs of the plan have results\n", total)
		return
	}
	ids := make([]string, len(missing))
	for i, r := range missing {
		ids[i] = r.ID
	}
	fmt.Fprintf(w, "missing %d of %d runs (the tables leave them out; run them with -resume):\n  %s\n",
		len(missing), total, strings.Join(ids, "\n  "))
}

// writeTables regenerates the markdown and its figures (in figures/ beside it) from the results.
func writeTables(results, markdown string, log io.Writer) error {
	figures := filepath.Join(filepath.Dir(markdown), "figures")
	if err := report.WriteAll(results, markdown, figures, models.Names()); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s (figures in %s) from %s\n", markdown, figures, results)
	return nil
}
