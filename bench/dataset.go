package bench

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/tibench/tibench/datasets"
)

// LoadDataset resolves a dataset name: a synthetic preset is generated from cfg.SynthSeed, a
// registered real dataset is read from the download cache (`tibench datasets download NAME` first),
// and anything else is a path to a JODIE CSV. Lenient loads report the rows they skipped to log.
func LoadDataset(ctx context.Context, cfg DatasetConfig, log io.Writer) (*datasets.Dataset, error) {
	if slices.Contains(datasets.PresetNames(), cfg.Name) {
		seed := cfg.SynthSeed
		if seed == 0 {
			seed = 1
		}
		return datasets.Synthesize(cfg.Name, seed)
	}
	path := cfg.Name
	if _, err := datasets.SourceByName(cfg.Name); err == nil {
		p, err := datasets.Resolve(cfg.Name)
		if err != nil {
			return nil, err
		}
		path = p
	}
	d, rep, err := datasets.LoadCSV(ctx, path, datasets.LoadOptions{Lenient: cfg.Lenient, Sort: cfg.Sort})
	if err != nil {
		return nil, err
	}
	if rep.Skipped > 0 || rep.Reordered {
		fmt.Fprintf(log, "dataset %s: %s\n", cfg.Name, rep)
	}
	return d, nil
}

// SplitFor cuts d as the run configuration says.
func SplitFor(d *datasets.Dataset, r RunConfig) (datasets.Split, error) {
	if r.Split.By == "time" {
		return datasets.SplitByTime(d, r.Split.Train, r.Split.Val, r.Split.Test)
	}
	return datasets.SplitFractions(d.Len(), r.Split.Train, r.Split.Val, r.Split.Test)
}
