package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tibench/tibench/internal/report"
	"github.com/tibench/tibench/models"
)

func runTables(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "results", "results directory")
	out := fs.String("o", "BENCHMARKS.md", "generated markdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return writeTables(*results, *out, stderr)
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
