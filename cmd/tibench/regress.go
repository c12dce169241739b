package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/pipeline"
)

func runRegress(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("regress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.register(fs)
	configPath := fs.String("config", "configs/regress.yaml", "regression experiments and tolerances")
	baseline := fs.String("baseline", "results/baseline", "baseline results directory")
	update := fs.Bool("update", false, "replace the baseline with this run's results (review the diff)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rc, err := pipeline.LoadRegressConfig(*configPath)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "tibench-regress-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	stop, err := f.startCPUProfile()
	if err != nil {
		return err
	}
	defer stop(&err)
	current, err := f.runner(stderr).Regress(ctx, rc, work)
	if err != nil {
		return err
	}
	if *update {
		return pipeline.ReplaceBaseline(*baseline, work, stderr)
	}
	base, err := bench.ReadResults(*baseline)
	if err != nil {
		return fmt.Errorf("reading baseline: %w (create it with `tibench regress -update`)", err)
	}
	return pipeline.CompareRecords(base, current, rc.Tolerances, stdout)
}
