package datasets

import (
	"errors"
	"fmt"
	"strings"
)

// Source is a public dataset that the Downloader can fetch, with the statistics from the JODIE
// paper (Kumar et al., KDD 2019, Table 1) that a download must reproduce to be accepted.
type Source struct {
	Name        string // registry name, e.g. "wikipedia"
	File        string // file name under the base URL and in the cache directory, e.g. "wikipedia.csv"
	Description string // one line for `tibench datasets list`

	Interactions int // rows
	Users        int // distinct users
	Items        int // distinct items
	Positives    int // rows with state label 1; -1 when the registry does not check it
}

// DefaultBaseURL is where the JODIE authors publish their preprocessed files.
const DefaultBaseURL = "http://snap.stanford.edu/jodie/"

// sources is the registry, sorted by name. The state-change counts of Reddit (366 bans) and
// Wikipedia (217 edit bans) are in the paper as well but are not verified here; MOOC's 4,066
// drop-outs are.
var sources = []Source{
	{Name: "lastfm", File: "lastfm.csv", Description: "LastFM: users listening to songs, no state labels, no real features",
		Interactions: 1293103, Users: 1000, Items: 1000, Positives: -1},
	{Name: "mooc", File: "mooc.csv", Description: "MOOC: students acting on course units; label 1 = drop-out",
		Interactions: 411749, Users: 7047, Items: 98, Positives: 4066},
	{Name: "reddit", File: "reddit.csv", Description: "Reddit: users posting to subreddits; label 1 = user banned; 172 text features",
		Interactions: 672447, Users: 10000, Items: 1000, Positives: -1},
	{Name: "wikipedia", File: "wikipedia.csv", Description: "Wikipedia: editors editing pages; label 1 = editor banned; 172 text features",
		Interactions: 157474, Users: 8227, Items: 1000, Positives: -1},
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

// Check compares d with the expected statistics and names every difference.
func (s Source) Check(d *Dataset) error {
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
		return fmt.Errorf("%w: %s: %s (expected values from the JODIE paper)", ErrStats, s.Name, strings.Join(diffs, ", "))
	}
	return nil
}
