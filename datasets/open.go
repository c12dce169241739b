package datasets

import (
	"context"
	"fmt"
	"io"
	"slices"
)

// OpenOptions say how Open reads a dataset.
type OpenOptions struct {
	// SynthSeed seeds the synthetic generator; 0 means 1.
	SynthSeed uint64
	// Lenient and Sort are LoadOptions for CSV files.
	Lenient, Sort bool
	// Log receives one line about skipped or reordered CSV rows (nil discards).
	Log io.Writer
}

// Open resolves a dataset name: a synthetic preset is generated from opt.SynthSeed, a registered
// real dataset is read from the download cache (`tibench datasets download NAME` first), and
// anything else is a path to a JODIE CSV.
func Open(ctx context.Context, name string, opt OpenOptions) (*Dataset, error) {
	if slices.Contains(PresetNames(), name) {
		seed := opt.SynthSeed
		if seed == 0 {
			seed = 1
		}
		return Synthesize(name, seed)
	}
	path := name
	if _, err := SourceByName(name); err == nil {
		p, err := Resolve(name)
		if err != nil {
			return nil, err
		}
		path = p
	}
	d, rep, err := LoadCSV(ctx, path, LoadOptions{Lenient: opt.Lenient, Sort: opt.Sort})
	if err != nil {
		return nil, err
	}
	if (rep.Skipped > 0 || rep.Reordered) && opt.Log != nil {
		fmt.Fprintf(opt.Log, "dataset %s: %s\n", name, rep)
	}
	return d, nil
}
