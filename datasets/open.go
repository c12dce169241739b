package datasets

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
)

// OpenOptions say how Open reads a dataset.
type OpenOptions struct {
	// SynthSeed seeds the synthetic generator; 0 means 1.
	SynthSeed uint64
	// Lenient and Sort are LoadOptions for CSV files.
	Lenient, Sort bool
	// Categories is the path of an item-category file applied to the data (ApplyCategories; the
	// format is in categoryfile.go); "" keeps the data's own categories, if any.
	Categories string
	// Log receives one line about skipped or reordered rows and a converter's notes, one about the
	// categories, and the downloader's messages about verifying a registry dataset's files (nil:
	// those go to stderr, the rest is discarded).
	Log io.Writer
}

// Open resolves a dataset name: a synthetic preset is generated from opt.SynthSeed, a registered
// real dataset is read from the download cache (`tibench datasets download NAME` first, or its
// files placed there by hand; Downloader.LoadSource), and anything else is a path to a JODIE CSV
// or to a DIGINETICA item-views file, told apart by the first line (DigineticaHeader or
// DigineticaHeaderCIKM; see ReadDigineticaDataset).
//
// With opt.Categories, the category file is then applied; its report goes to opt.Log.
func Open(ctx context.Context, name string, opt OpenOptions) (*Dataset, error) {
	d, err := open(ctx, name, opt)
	if err != nil || opt.Categories == "" {
		return d, err
	}
	f, err := LoadCategories(ctx, opt.Categories)
	if err != nil {
		return nil, err
	}
	rep, err := ApplyCategories(d, f)
	if err != nil {
		return nil, err
	}
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "dataset %s: %s\n", name, rep)
	}
	return d, nil
}

func open(ctx context.Context, name string, opt OpenOptions) (*Dataset, error) {
	if slices.Contains(PresetNames(), name) {
		seed := opt.SynthSeed
		if seed == 0 {
			seed = 1
		}
		return Synthesize(name, seed)
	}
	lopt := LoadOptions{Lenient: opt.Lenient, Sort: opt.Sort}
	var (
		d   *Dataset
		rep *LoadReport
		err error
	)
	if src, serr := SourceByName(name); serr == nil {
		d, rep, err = (&Downloader{Log: opt.Log}).LoadSource(ctx, src, lopt)
	} else {
		d, rep, err = LoadFile(ctx, name, lopt)
	}
	if err != nil {
		return nil, err
	}
	if (rep.Skipped > 0 || rep.Reordered || rep.UserConflicts > 0 || len(rep.Notes) > 0) && opt.Log != nil {
		fmt.Fprintf(opt.Log, "dataset %s: %s\n", name, rep)
	}
	return d, nil
}

// LoadFile reads a JODIE CSV (LoadCSV) or a DIGINETICA item-views file (LoadDigineticaDataset),
// told apart by the first line.
func LoadFile(ctx context.Context, path string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if isDiginetica(path) {
		return LoadDigineticaDataset(ctx, path, opt)
	}
	return LoadCSV(ctx, path, opt)
}

// isDiginetica reports whether the file at path starts with DIGINETICA's header line, either
// spelling (a byte-order mark and CRLF allowed). A file that cannot be read is not: the CSV loader reports the error.
func isDiginetica(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadSlice('\n')
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	return isDigineticaHeader(bytes.TrimRight(line, "\r\n"))
}
