package datasets

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Source is a public dataset in the registry: the files to fetch (or to place by hand), how they
// become a Dataset, and the published statistics that a first download must reproduce.
//
// JODIE's four datasets (Kumar et al., KDD 2019) are one JODIE CSV each: File under the
// Downloader's BaseURL, checked against JODIE Table 1; Files and Load are nil. Every other source
// lists its Files, each with its own URL or none (placed by hand from Page), and Load converts them.
type Source struct {
	Name        string // registry name, e.g. "wikipedia"
	File        string // JODIE CSVs: file name under the base URL and in the cache directory, e.g. "wikipedia.csv"
	Description string // one line for `tibench datasets list`

	// Published statistics that a first download must reproduce (Check). When Interactions, Users
	// and Items are all 0 nothing is published for the raw files, and a first download is accepted
	// after a load that finds rows; its counts are printed, not checked.
	Interactions int // rows
	Users        int // distinct users
	Items        int // distinct items
	Positives    int // rows with state label 1; -1 when the registry does not check it
	// Categories is a published number of item categories, printed beside the loaded count but
	// not checked (0: none published).
	Categories int
	// StatsFrom cites the statistics in messages. Default "the JODIE paper".
	StatsFrom string

	// Files are the files Load reads, in the order of its inputs; nil for JODIE CSVs.
	Files []SourceFile
	// Page is the official page to get the files from by hand (for the files without a URL, and
	// for machines without network).
	Page string
	// Load converts the files into a Dataset; nil for JODIE CSVs (LoadFile reads those).
	Load LoadFunc
}

// SourceFile is one file of a Source.
type SourceFile struct {
	// Name is the file Load reads, in the cache directory, e.g. "yoochoose-clicks.dat". A name
	// ending in ".gz" is decompressed while it is read; the lock file records the compressed bytes.
	Name string
	// Archive, when set, is a .zip or .7z file (in the cache directory) that holds Name, matched by
	// base name. It is downloaded from URL or placed by hand, and Name is extracted from it on first
	// use; Name placed by hand, already extracted, is used as is.
	Archive string
	// URL is where the Downloader fetches the file, or Archive when that is set; "" when the file
	// must be placed by hand (Source.Page says where to get it: a login or a browser is needed).
	URL string
}

// fetched is the file the Downloader fetches for f: its archive, if any, else f itself.
func (f SourceFile) fetched() string {
	if f.Archive != "" {
		return f.Archive
	}
	return f.Name
}

// LoadFunc converts a source's files into a Dataset: in[k] is Source.Files[k], opened and
// decompressed. It streams, checks ctx every few thousand rows, and reports bad rows as RowErrors
// (opt.Lenient skips and counts them).
type LoadFunc func(ctx context.Context, in []Input, opt LoadOptions) (*Dataset, *LoadReport, error)

// isJODIE reports whether s is one JODIE CSV under the base URL, the registry's original form.
func (s Source) isJODIE() bool { return len(s.Files) == 0 }

// hasStats reports whether s has published statistics to check.
func (s Source) hasStats() bool { return s.Interactions > 0 || s.Users > 0 || s.Items > 0 }

// DefaultBaseURL is where the JODIE authors publish their preprocessed files.
const DefaultBaseURL = "http://snap.stanford.edu/jodie/"

// amazonBaseURL is where Julian McAuley's group publishes the 2014 Amazon review data per category
// (the files TIN's code and DIN's download script read).
const amazonBaseURL = "http://snap.stanford.edu/data/amazon/productGraph/categoryFiles/"

// sources is the registry, sorted by name. The state-change counts of Reddit (366 bans) and
// Wikipedia (217 edit bans) are in the JODIE paper as well but are not verified here; MOOC's 4,066
// drop-outs are.
//
// Of the other sources only Amazon Electronics has statistics of its raw files in print (TIN,
// appendix A.1). JUMP's Table 1 counts RECSYS15, CIKM16 and REDDIT after its own session
// filtering, which the session task applies later, so those files are accepted on a clean load.
var sources = []Source{
	{Name: "alibaba", Description: "Alibaba (TIN): Taobao display-ad impressions, label 1 = click, ad categories; " +
		"the CTR task still builds leave-one-out samples from them (DSIN's day split is not implemented)",
		Files: []SourceFile{{Name: "raw_sample.csv"}, {Name: "ad_feature.csv"}},
		Page:  "https://tianchi.aliyun.com/dataset/56", Load: loadTaobao},
	{Name: "amazon-electronics", Description: "Amazon Electronics 5-core reviews (TIN): users reviewing products, product categories, no state labels",
		Interactions: 1689188, Users: 192403, Items: 63001, Positives: -1, Categories: 801, StatsFrom: "the TIN paper (appendix A.1)",
		Files: []SourceFile{
			{Name: "reviews_Electronics_5.json.gz", URL: amazonBaseURL + "reviews_Electronics_5.json.gz"},
			{Name: "meta_Electronics.json.gz", URL: amazonBaseURL + "meta_Electronics.json.gz"},
		},
		Page: "http://jmcauley.ucsd.edu/data/amazon/", Load: loadAmazon},
	{Name: "cikm16", Description: "CIKM Cup 2016 DIGINETICA item views (JUMP's CIKM16): sessions, mostly of anonymous users",
		Files: []SourceFile{{Name: "train-item-views.csv", Archive: "dataset-train-diginetica.zip"}},
		Page:  "https://competitions.codalab.org/competitions/11161", Load: loadDiginetica},
	{Name: "lastfm", File: "lastfm.csv", Description: "LastFM: users listening to songs, no state labels, no real features",
		Interactions: 1293103, Users: 1000, Items: 1000, Positives: -1},
	{Name: "mooc", File: "mooc.csv", Description: "MOOC: students acting on course units; label 1 = drop-out",
		Interactions: 411749, Users: 7047, Items: 98, Positives: 4066},
	{Name: "recsys15", Description: "RecSys Challenge 2015 YOOCHOOSE clicks (JUMP's RECSYS15): sessions, one anonymous user each",
		Files: []SourceFile{{Name: "yoochoose-clicks.dat", Archive: "yoochoose-data.7z",
			URL: "https://s3-eu-west-1.amazonaws.com/yc-rdata/yoochoose-data.7z"}},
		Page: "http://2015.recsyschallenge.com/challenge.html", Load: loadYoochoose},
	{Name: "reddit", File: "reddit.csv", Description: "Reddit: users posting to subreddits; label 1 = user banned; 172 text features",
		Interactions: 672447, Users: 10000, Items: 1000, Positives: -1},
	{Name: "reddit-sessions", Description: "Reddit subreddit interactions (JUMP's REDDIT, from Kaggle): users commenting in subreddits; " +
		"the session task cuts sessions at 1-hour gaps",
		Files: []SourceFile{{Name: "reddit_data.csv"}},
		Page:  "https://www.kaggle.com/colemaclean/subreddit-interactions", Load: loadSubreddit},
	{Name: "wikipedia", File: "wikipedia.csv", Description: "Wikipedia: editors editing pages; label 1 = editor banned; 172 text features",
		Interactions: 157474, Users: 8227, Items: 1000, Positives: -1},
}

// loadDiginetica reads a DIGINETICA item-views file (cikm16).
func loadDiginetica(ctx context.Context, in []Input, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return ReadDigineticaDataset(ctx, in[0].R, in[0].Path, opt)
}

// ErrUnknownSource is wrapped when a name is not in the registry.
var ErrUnknownSource = errors.New("datasets: unknown dataset")

// Sources returns the registry, sorted by name.
func Sources() []Source { return append([]Source(nil), sources...) }

// SourceNames returns the registry's names, sorted.
func SourceNames() []string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name
	}
	return names
}

// SourceByName looks a dataset up in the registry; an unknown name is an error listing the valid ones.
func SourceByName(name string) (Source, error) {
	for _, s := range sources {
		if s.Name == name {
			return s, nil
		}
	}
	return Source{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownSource, name, strings.Join(SourceNames(), ", "))
}

// ErrStats is wrapped when data does not match its Source's statistics.
var ErrStats = errors.New("datasets: statistics mismatch")

// Check compares d with the expected statistics and names every difference. A source without
// published statistics accepts any d.
func (s Source) Check(d *Dataset) error {
	if !s.hasStats() {
		return nil
	}
	var diffs []string
	cmp := func(what string, got, want int) {
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s %d, want %d", what, got, want))
		}
	}
	cmp("interactions", d.Len(), s.Interactions)
	cmp("users", d.NumUsers(), s.Users)
	cmp("items", d.NumItems(), s.Items)
	if s.Positives >= 0 {
		pos := 0
		for _, l := range d.Labels {
			pos += int(l)
		}
		cmp("positive labels", pos, s.Positives)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s: %s (expected values from %s)", ErrStats, s.Name, strings.Join(diffs, ", "), s.statsFrom())
	}
	return nil
}

func (s Source) statsFrom() string {
	if s.StatsFrom != "" {
		return s.StatsFrom
	}
	return "the JODIE paper"
}
