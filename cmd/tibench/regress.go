package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/models"
)

// regressConfig is configs/regress.yaml: small fixed experiments and, per metric, how much worse than
// the baseline a result may be before CI fails.
type regressConfig struct {
	// Experiments run in order; a model list of [all] means every registered model that can run the task.
	Experiments []bench.Experiment `yaml:"experiments"`
	// Tolerances: metric unit -> allowed absolute change in the worse direction. Units not listed
	// (timings) are not compared.
	Tolerances map[string]float64 `yaml:"tolerances"`
}

func loadRegressConfig(path string) (*regressConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c regressConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if len(c.Experiments) == 0 || len(c.Tolerances) == 0 {
		return nil, fmt.Errorf("%s: needs experiments and tolerances", path)
	}
	for u, tol := range c.Tolerances {
		if _, known := bench.UnitDirections[u]; !known || tol < 0 {
			return nil, fmt.Errorf("%s: tolerances: %q: unknown metric or negative tolerance", path, u)
		}
	}
	return &c, nil
}

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
	rc, err := loadRegressConfig(*configPath)
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
	x := newExecutor(f, stderr)
	for i := range rc.Experiments {
		e := rc.Experiments[i]
		if len(e.Models) == 1 && e.Models[0] == "all" {
			e.Models = models.Names()
		}
		if e.Task == "" {
			e.Task = bench.TaskNextItem
		}
		e.Models = capableModels(e.Models, e.Task)
		if err := x.runPlan(ctx, &e, work); err != nil {
			return err
		}
	}
	current, err := bench.ReadResults(work)
	if err != nil {
		return err
	}
	if *update {
		return replaceBaseline(*baseline, work, stderr)
	}
	base, err := bench.ReadResults(*baseline)
	if err != nil {
		return fmt.Errorf("reading baseline: %w (create it with `tibench regress -update`)", err)
	}
	return compareRecords(base, current, rc.Tolerances, stdout)
}

// capableModels keeps the registered models that can run task.
func capableModels(names []string, task bench.Task) []string {
	var keep []string
	for _, n := range names {
		m, err := models.New(n, bench.ModelParams{}, models.Env{})
		if err == nil && bench.CheckCapabilities(m, task) == nil {
			keep = append(keep, n)
		}
	}
	return keep
}

// recordKey identifies a result across runs: its full name and seed.
func recordKey(r *bench.Record) string { return r.FullName() + " seed=" + r.Get("seed") }

// compareRecords prints every compared metric and fails when one is worse than its baseline by more
// than its tolerance, or when a baseline result is missing from the run (or the run has one the
// baseline lacks: the baseline must then be updated explicitly).
func compareRecords(base, current []bench.Record, tol map[string]float64, w io.Writer) error {
	byKey := map[string]*bench.Record{}
	for i := range current {
		byKey[recordKey(&current[i])] = &current[i]
	}
	seen := map[string]bool{}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tMETRIC\tBASELINE\tCURRENT\tCHANGE\tTOLERANCE\tSTATUS")
	var problems []string
	for i := range base {
		b := &base[i]
		k := recordKey(b)
		seen[k] = true
		c, ok := byKey[k]
		if !ok {
			problems = append(problems, k+": missing from this run")
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tMISSING\n", k)
			continue
		}
		for _, u := range sortedKeys(tol) {
			bv, okb := b.Metric(u)
			cv, okc := c.Metric(u)
			if !okb && !okc {
				continue
			}
			status := "ok"
			switch {
			case !okc || math.IsNaN(cv):
				status = "MISSING"
			case worse(u, bv, cv) > tol[u]:
				status = "REGRESSION"
			case cv != bv:
				status = "changed"
			}
			if status == "MISSING" || status == "REGRESSION" {
				problems = append(problems, fmt.Sprintf("%s %s: %.4f → %.4f", k, u, bv, cv))
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%+.4f\t%.4f\t%s\n", k, u, bv, cv, cv-bv, tol[u], status)
		}
	}
	var extra []string
	for k := range byKey {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		problems = append(problems, k+": not in the baseline")
		fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tNEW\n", k)
	}
	tw.Flush()
	if len(problems) > 0 {
		return fmt.Errorf("regress: %d problem(s): %s (if intended, run `tibench regress -update` and commit results/baseline)",
			len(problems), strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "regress: %d results match the baseline within tolerance\n", len(base))
	return nil
}

// worse returns how much worse current is than base in the unit's direction (negative if better).
func worse(unit string, base, current float64) float64 {
	if bench.UnitDirections[unit] {
		return base - current
	}
	return current - base
}

// replaceBaseline swaps the baseline directory's result files for the new ones (configs included).
func replaceBaseline(baseline, work string, log io.Writer) error {
	if err := os.RemoveAll(baseline); err != nil {
		return err
	}
	n := 0
	err := filepath.WalkDir(work, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(work, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		return bench.WriteFileAtomic(filepath.Join(baseline, rel), data)
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("regress -update: the run produced no results")
	}
	fmt.Fprintf(log, "regress: baseline %s replaced (%d files); review and commit the diff\n", baseline, n)
	return nil
}
