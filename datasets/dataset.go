// Package datasets holds time-stamped user–item interaction data: the column-oriented schema, the JODIE
// CSV loader and the readers of JUMP's and TIN's datasets (DIGINETICA, YOOCHOOSE, the subreddit log,
// Amazon reviews, Taobao ad impressions), the registry and downloader of the public datasets, the
// embedded synthetic generator, chronological splits, time-delta features, the session (JUMP) and
// CTR (TIN) converters, and the item-category file (dataset.categories).
package datasets

import (
	"errors"
	"fmt"
)

// Dataset is a time-ordered sequence of interactions stored column-wise, so that Reddit
// (672,447 rows x 172 features) takes about 0.5 GB instead of the several GB a slice of structs
// with per-row feature slices would.
//
// Row i is the interaction (Users[i], Items[i]) at Times[i] with state label Labels[i] and
// features Features[i*FeatureDim : (i+1)*FeatureDim]. Rows are sorted by time (non-decreasing).
type Dataset struct {
	// Name identifies the data in results, e.g. "wikipedia", "synth-wikipedia-small" or a file's base name.
	Name string

	Users []int32   // dense user ids 0..NumUsers()-1, in order of first appearance
	Items []int32   // dense item ids 0..NumItems()-1, in order of first appearance
	Times []float64 // seconds relative to the first row (so Times[0] == 0)
	// TimeOrigin is the first row's timestamp as the source gave it (Times[i] + TimeOrigin is row i's);
	// 0 for synthetic data. Calendar features (TIN's timestamp encoding) read it as Unix seconds.
	TimeOrigin float64
	Labels     []uint8 // state-change label, 0 or 1

	FeatureDim   int       // features per row; 0 when the data has none
	Features     []float32 // row-major, len == Len()*FeatureDim
	FeatureNames []string  // len == FeatureDim (generated names "f1".. when the header has fewer)

	UserIDs []string // dense user id -> raw id string
	ItemIDs []string // dense item id -> raw id string

	// ItemCategories is the category of each dense item id (len NumItems, values >= 0), the
	// feature TIN (Zhou, Pan et al., WWW 2024) embeds beside the item: a synthetic preset's, or a
	// category file's (ApplyCategories, dataset.categories); nil when the data has none (a CTR
	// model then embeds one category row shared by every item).
	ItemCategories []int32
	// CategoryIDs names the categories (dense id -> the category file's id) when they come from a
	// category file (ApplyCategories); "" is the unknown category shared by the items the file does
	// not list. nil for synthetic categories, which have no names.
	CategoryIDs []string

	// Session is the source's session of each row, an index into SessionIDs, for files that
	// delimit sessions themselves (DIGINETICA's session_id); nil for JODIE CSVs and synthetic data.
	// The session task keeps these sessions (SessionsFromDataset) instead of cutting each user's
	// stream by the gap rule. A session's rows all have one user.
	Session    []int32
	SessionIDs []string
}

// UnknownCategoryItems counts the items in the unknown category of a category file (see
// ApplyCategories); 0 without one.
func (d *Dataset) UnknownCategoryItems() int {
	if len(d.CategoryIDs) == 0 || d.CategoryIDs[len(d.CategoryIDs)-1] != "" {
		return 0
	}
	n, last := 0, int32(len(d.CategoryIDs)-1)
	for _, c := range d.ItemCategories {
		if c == last {
			n++
		}
	}
	return n
}

// Len is the number of interactions.
func (d *Dataset) Len() int { return len(d.Users) }

// NumUsers is the number of distinct users.
func (d *Dataset) NumUsers() int { return len(d.UserIDs) }

// NumItems is the number of distinct items.
func (d *Dataset) NumItems() int { return len(d.ItemIDs) }

// Feature returns row i's features (a view into Features; do not modify).
func (d *Dataset) Feature(i int) []float32 {
	return d.Features[i*d.FeatureDim : (i+1)*d.FeatureDim]
}

// Interaction is one row, materialised for code that handles a few rows at a time.
type Interaction struct {
	Index    int // row index in the Dataset
	User     int32
	Item     int32
	Time     float64
	Label    uint8
	Features []float32 // view into the Dataset
}

// At materialises row i.
func (d *Dataset) At(i int) Interaction {
	x := Interaction{Index: i, User: d.Users[i], Item: d.Items[i], Time: d.Times[i], Label: d.Labels[i]}
	if d.FeatureDim > 0 {
		x.Features = d.Feature(i)
	}
	return x
}

// ErrInvalid is wrapped by Validate's errors.
var ErrInvalid = errors.New("datasets: invalid dataset")

// Validate checks the invariants every consumer relies on: equal column lengths, ids in range,
// labels 0/1, times finite and non-decreasing.
func (d *Dataset) Validate() error {
	n := d.Len()
	switch {
	case len(d.Items) != n || len(d.Times) != n || len(d.Labels) != n:
		return fmt.Errorf("%w %q: column lengths differ (users %d, items %d, times %d, labels %d)",
			ErrInvalid, d.Name, n, len(d.Items), len(d.Times), len(d.Labels))
	case len(d.Features) != n*d.FeatureDim:
		return fmt.Errorf("%w %q: %d feature values for %d rows x %d features", ErrInvalid, d.Name, len(d.Features), n, d.FeatureDim)
	}
	if d.Session != nil && len(d.Session) != n {
		return fmt.Errorf("%w %q: %d session ids for %d rows", ErrInvalid, d.Name, len(d.Session), n)
	}
	nu, ni := int32(d.NumUsers()), int32(d.NumItems())
	if d.ItemCategories != nil {
		if len(d.ItemCategories) != int(ni) {
			return fmt.Errorf("%w %q: %d item categories for %d items", ErrInvalid, d.Name, len(d.ItemCategories), ni)
		}
		for i, c := range d.ItemCategories {
			if c < 0 {
				return fmt.Errorf("%w %q: item %d (%s): category %d < 0", ErrInvalid, d.Name, i, d.ItemIDs[i], c)
			}
			if d.CategoryIDs != nil && int(c) >= len(d.CategoryIDs) {
				return fmt.Errorf("%w %q: item %d (%s): category %d without an id (%d category ids)", ErrInvalid, d.Name, i, d.ItemIDs[i], c, len(d.CategoryIDs))
			}
		}
	} else if d.CategoryIDs != nil {
		return fmt.Errorf("%w %q: %d category ids without item categories", ErrInvalid, d.Name, len(d.CategoryIDs))
	}
	for i := 0; i < n; i++ {
		if d.Users[i] < 0 || d.Users[i] >= nu {
			return fmt.Errorf("%w %q: row %d: user id %d out of range [0,%d)", ErrInvalid, d.Name, i, d.Users[i], nu)
		}
		if d.Items[i] < 0 || d.Items[i] >= ni {
			return fmt.Errorf("%w %q: row %d: item id %d out of range [0,%d)", ErrInvalid, d.Name, i, d.Items[i], ni)
		}
		if d.Session != nil && (d.Session[i] < 0 || int(d.Session[i]) >= len(d.SessionIDs)) {
			return fmt.Errorf("%w %q: row %d: session %d out of range [0,%d)", ErrInvalid, d.Name, i, d.Session[i], len(d.SessionIDs))
		}
		if d.Labels[i] > 1 {
			return fmt.Errorf("%w %q: row %d: label %d is not 0 or 1", ErrInvalid, d.Name, i, d.Labels[i])
		}
		if i > 0 && !(d.Times[i] >= d.Times[i-1]) {
			return fmt.Errorf("%w %q: row %d: time %v before previous %v", ErrInvalid, d.Name, i, d.Times[i], d.Times[i-1])
		}
	}
	return nil
}
