package pipeline

import (
	"bytes"
	"context"
	"errors"
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
	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/models"
)

// RegressConfig is configs/regress.yaml: small fixed experiments and, per metric, how much worse than
// the baseline a result may be before CI fails.
type RegressConfig struct {
	// Experiments run in order; a model list of [all] means every registered model that can run the task.
	Experiments []bench.Experiment `yaml:"experiments"`
	// Tolerances: metric unit -> allowed absolute change in the worse direction (the direction comes
	// from the metric table). Units not listed (timings) are not compared.
	Tolerances map[string]float64 `yaml:"tolerances"`
}

// LoadRegressConfig reads and checks a regression config (unknown keys and metrics are errors).
func LoadRegressConfig(path string) (*RegressConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c RegressConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if len(c.Experiments) == 0 || len(c.Tolerances) == 0 {
		return nil, fmt.Errorf("%s: needs experiments and tolerances", path)
	}
	for u, tol := range c.Tolerances {
		if _, err := metrics.Lookup(u); err != nil || tol < 0 {
			return nil, fmt.Errorf("%s: tolerances: %q: unknown metric or negative tolerance", path, u)
		}
	}
	for i := range c.Experiments {
		e := &c.Experiments[i]
		if e.Task == "" {
			e.Task = bench.TaskNextItem.Name()
		}
		if _, err := bench.TaskByName(e.Task); err != nil {
			return nil, fmt.Errorf("%s: experiment %s: %w", path, e.Name, err)
		}
	}
	return &c, nil
}

// Regress runs rc's experiments into workDir and returns their records.
func (x *Runner) Regress(ctx context.Context, rc *RegressConfig, workDir string) ([]bench.Record, error) {
	for i := range rc.Experiments {
		e := rc.Experiments[i]
		task, err := bench.TaskByName(e.Task)
		if err != nil {
			return nil, err
		}
		if len(e.Models) == 1 && e.Models[0] == "all" {
			e.Models = models.Names()
		}
		e.Models = CapableModels(e.Models, task)
		if err := x.RunExperiment(ctx, &e, workDir); err != nil {
			return nil, err
		}
	}
	return bench.ReadResults(workDir)
}

// CapableModels keeps the registered models that can run task.
func CapableModels(names []string, task bench.Task) []string {
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

// CompareRecords prints every compared metric to w and fails when one is worse than its baseline by
// more than its tolerance (in the metric's direction), or when a baseline result is missing from the
// run (or the run has one the baseline lacks: the baseline must then be updated explicitly).
func CompareRecords(base, current []bench.Record, tol map[string]float64, w io.Writer) error {
	byKey := map[string]*bench.Record{}
	for i := range current {
		byKey[recordKey(&current[i])] = &current[i]
	}
	units := make([]string, 0, len(tol))
	for u := range tol {
		units = append(units, u)
	}
	sort.Strings(units)
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
		for _, u := range units {
			bv, okb := b.Metric(u)
			cv, okc := c.Metric(u)
			if !okb && !okc {
				continue
			}
			worse, err := metrics.Worse(u, bv, cv)
			if err != nil {
				return err
			}
			status := "ok"
			switch {
			case !okc || math.IsNaN(cv):
				status = "MISSING"
			case worse > tol[u]:
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

// ReplaceBaseline swaps the baseline directory's result files for those of work (configs included).
func ReplaceBaseline(baseline, work string, log io.Writer) error {
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
