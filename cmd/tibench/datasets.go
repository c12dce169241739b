package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/tbatch"
	"github.com/tibench/tibench/datasets"
)

const datasetsUsage = `usage: tibench datasets <command> [arguments]

Commands:
  list                          list the registry's real datasets and the synthetic presets
  download [flags] NAME         download a dataset into the cache, verify it, print its files' paths
  stats [flags] FILE_OR_NAME... print statistics of JODIE-format files, downloaded datasets or presets,
                                and what the session and ctr tasks' views keep and drop of them
  synth [flags] PRESET -o FILE  write a synthetic preset as a JODIE-format CSV file

The cache directory is $TIBENCH_DATA, default ~/.cache/tibench. Without network, fetch the URL
that 'list' and 'download' name and place the file in the cache; it is verified on first use.
Datasets behind a login (cikm16, reddit-sessions, alibaba) are always placed by hand: 'download'
names the page to get them from and the paths to put them at.

Examples:
  tibench datasets download wikipedia
  tibench datasets stats wikipedia synth-wikipedia-small
  tibench datasets stats -lenient ./my-interactions.csv
  tibench datasets stats -categories ./product-categories.csv ./train-item-views.csv
  tibench datasets synth synth-mooc-small -seed 7 -o mooc-small.csv
`

// runDatasets implements `tibench datasets`: results go to stdout, logs and usage to stderr.
func runDatasets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, datasetsUsage)
		return errors.New("datasets: missing command (list, download, stats or synth)")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "list":
		return datasetsList(args, stdout, stderr)
	case "download":
		return datasetsDownload(ctx, args, stdout, stderr)
	case "stats":
		return datasetsStats(ctx, args, stdout, stderr)
	case "synth":
		return datasetsSynth(ctx, args, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stderr, datasetsUsage)
		return nil
	}
	fmt.Fprint(stderr, datasetsUsage)
	return fmt.Errorf("datasets: unknown command %q (want list, download, stats or synth)", cmd)
}

// newFlagSet makes a subcommand's flag set that reports to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("tibench datasets "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: tibench datasets %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// helpIsNil turns an explicit -h into success: the usage was asked for and printed.
func helpIsNil(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func datasetsList(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list", "", stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return helpIsNil(err)
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("datasets list: unexpected arguments %q", pos)
	}
	var dl datasets.Downloader
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	// INTERACTIONS, USERS, ITEMS: the published statistics a first download is checked against
	// ("-": none published for the raw files). URL: where `download` fetches the (first) file, or
	// the page to get the files from by hand.
	fmt.Fprintln(tw, "NAME\tINTERACTIONS\tUSERS\tITEMS\tCACHED\tURL\tDESCRIPTION")
	for _, s := range datasets.Sources() {
		cached := "no"
		if dl.Cached(s) {
			cached = "yes"
		}
		stat := func(n int) string {
			if n == 0 {
				return "-"
			}
			return strconv.Itoa(n)
		}
		url := dl.URL(s)
		switch {
		case url == "":
			url = "by hand from " + s.Page
		case len(s.Files) > 1:
			url += fmt.Sprintf(" (+%d more)", len(s.Files)-1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, stat(s.Interactions), stat(s.Users), stat(s.Items), cached, url, s.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nSynthetic presets (tibench datasets synth PRESET -o FILE):")
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PRESET\tDESCRIPTION")
	for _, p := range datasets.SynthPresets() {
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Description)
	}
	return tw.Flush()
}

func datasetsDownload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("download", "[flags] NAME", stderr)
	dir := fs.String("dir", "", "cache directory (default $TIBENCH_DATA, else ~/.cache/tibench)")
	base := fs.String("base-url", datasets.DefaultBaseURL, "where the JODIE CSVs are downloaded from (the other datasets name their own URLs)")
	lenient := fs.Bool("lenient", false, "accept a first download whose bad rows are skipped (counted on stderr) instead of rejecting it")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return helpIsNil(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("datasets download: want one dataset name (%s), got %d arguments", strings.Join(datasets.SourceNames(), ", "), len(pos))
	}
	src, err := datasets.SourceByName(pos[0])
	if err != nil {
		return err
	}
	dl := datasets.Downloader{Dir: *dir, BaseURL: *base, Log: stderr}
	paths, err := dl.FetchFiles(ctx, src, datasets.LoadOptions{Lenient: *lenient})
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	return nil
}

func datasetsStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stats", "[flags] FILE_OR_NAME...", stderr)
	lenient := fs.Bool("lenient", false, "skip bad rows of a file (reported on stderr) instead of failing")
	sortRows := fs.Bool("sort", false, "sort a file's rows by time instead of rejecting out-of-order rows")
	seed := fs.Uint64("seed", 1, "seed for synthetic presets")
	catPath := fs.String("categories", "", "item-category file (item_id,category) to apply to each dataset, as dataset.categories")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return helpIsNil(err)
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New("datasets stats: want at least one file, dataset name or preset")
	}
	var cats *datasets.CategoryFile
	if *catPath != "" {
		if cats, err = datasets.LoadCategories(ctx, *catPath); err != nil {
			return err
		}
	}
	var sums []datasets.Summary
	var batches []*tbatch.Batches
	var views []string
	for _, arg := range pos {
		d, err := openDataset(ctx, arg, datasets.LoadOptions{Lenient: *lenient, Sort: *sortRows}, *seed, stderr)
		if err != nil {
			return err
		}
		if cats != nil {
			rep, err := datasets.ApplyCategories(d, cats)
			if err != nil {
				return err
			}
			views = append(views, d.Name+": "+rep.String())
		}
		views = append(views, describeViews(d)...)
		sums = append(sums, datasets.Summarize(d))
		// t-batches as JODIE trains: rolling windows of span/500 over the whole sequence.
		span := d.Times[d.Len()-1] - d.Times[0]
		opt := tbatch.WindowOptions{Rule: tbatch.Rolling, Length: span / tbatch.DefaultNumWindows}
		if span == 0 {
			opt = tbatch.WindowOptions{NumWindows: 1}
		}
		b, err := tbatch.ComputeWindowed(d.Users, d.Items, d.Times, opt)
		if err != nil {
			return fmt.Errorf("datasets stats: %s: t-batches: %w", arg, err)
		}
		batches = append(batches, b)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	// REPEAT-RATE: share of a user's non-first interactions with the same item as the previous one.
	// T-BATCHES, MEAN-T-BATCH: JODIE's t-Batch over the whole sequence with 500 rolling windows.
	fmt.Fprintln(tw, "DATASET\tINTERACTIONS\tUSERS\tITEMS\tSPAN-DAYS\tREPEAT-RATE\tLABEL-RATE\tPOSITIVES\tFEATURES\tT-BATCHES\tMEAN-T-BATCH")
	for i, s := range sums {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.4g\t%.4f\t%.4f\t%d\t%d\t%d\t%.2f\n",
			s.Name, s.Interactions, s.Users, s.Items, s.TimeSpan/86400, s.RepeatRate, s.LabelRate, s.Positives, s.FeatureDim,
			batches[i].NumBatches(), batches[i].MeanBatchSize())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The views' counts: what the session and ctr tasks, with their default settings, read, drop,
	// cap and keep (the run log prints the same line for each run's own settings).
	fmt.Fprintln(stdout, "\nTask views with the default settings (the run log prints each run's):")
	for _, v := range views {
		fmt.Fprintln(stdout, v)
	}
	return nil
}

// describeViews returns one line per view task (session, ctr) of d with the task's default run
// settings: its counts (bench.DescribeView), or why the view cannot be built.
func describeViews(d *datasets.Dataset) []string {
	var out []string
	for _, task := range []bench.Task{bench.TaskSession, bench.TaskCTR} {
		r := bench.RunConfig{Task: task.Name()}
		task.Defaults(&r)
		v, err := task.View(d, r)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %s view: none: %v", d.Name, task.Name(), err))
			continue
		}
		out = append(out, d.Name+": "+bench.DescribeView(v))
	}
	return out
}

// openDataset loads arg as, in this order, an existing file (JODIE CSV or DIGINETICA), a downloaded
// registry dataset (any format), or a synthetic preset.
func openDataset(ctx context.Context, arg string, opt datasets.LoadOptions, seed uint64, stderr io.Writer) (*datasets.Dataset, error) {
	var (
		d   *datasets.Dataset
		rep *datasets.LoadReport
	)
	if _, err := os.Stat(arg); err == nil {
		if d, rep, err = datasets.LoadFile(ctx, arg, opt); err != nil {
			return nil, err
		}
	} else {
		switch src, serr := datasets.SourceByName(arg); {
		case serr == nil:
			dl := datasets.Downloader{Log: stderr}
			if d, rep, err = dl.LoadSource(ctx, src, opt); err != nil {
				return nil, err
			}
		case slices.Contains(datasets.PresetNames(), arg):
			return datasets.Synthesize(arg, seed)
		default:
			return nil, fmt.Errorf("datasets: %q is not a file, a registry dataset (%s) or a synthetic preset (%s)",
				arg, strings.Join(datasets.SourceNames(), ", "), strings.Join(datasets.PresetNames(), ", "))
		}
	}
	if rep.Skipped > 0 || rep.Reordered || rep.UserConflicts > 0 || len(rep.Notes) > 0 {
		fmt.Fprintln(stderr, rep)
	}
	return d, nil
}

func datasetsSynth(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("synth", "[flags] PRESET -o FILE", stderr)
	out := fs.String("o", "", "output file (required); written atomically")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same file")
	users := fs.Int("users", 0, "override the preset's number of users (scale tests)")
	items := fs.Int("items", 0, "override the preset's number of items")
	rows := fs.Int("interactions", 0, "override the preset's number of interactions")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return helpIsNil(err)
	}
	if len(pos) != 1 || *out == "" {
		fs.Usage()
		return fmt.Errorf("datasets synth: want one preset (%s) and -o FILE", strings.Join(datasets.PresetNames(), ", "))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg, err := datasets.PresetConfig(pos[0])
	if err != nil {
		return err
	}
	for _, o := range []struct {
		v   int
		dst *int
	}{{*users, &cfg.Users}, {*items, &cfg.Items}, {*rows, &cfg.Interactions}} {
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	d, err := datasets.Generate(cfg, *seed)
	if err != nil {
		return err
	}
	if err := writeCSVAtomic(*out, d); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "datasets: wrote %s (seed %d): %d interactions, %d users, %d items, %d features to %s\n",
		d.Name, *seed, d.Len(), d.NumUsers(), d.NumItems(), d.FeatureDim, *out)
	return nil
}

// writeCSVAtomic writes d to a temporary file next to path and renames it into place, so that a
// reader never sees a partial file.
func writeCSVAtomic(path string, d *datasets.Dataset) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("datasets synth: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
			err = fmt.Errorf("datasets synth: writing %s: %w", path, err)
		}
	}()
	if err := datasets.WriteCSV(tmp, d); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a data file is for everyone to read.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
