package datasets

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
)

// ReadAmazon reads Julian McAuley's 2014 Amazon review data of one product category (the Amazon
// dataset of TIN, Zhou, Pan et al., WWW 2024: reviews_Electronics_5.json and
// meta_Electronics.json, which TIN's and DIN's code read) as a Dataset:
//
//   - reviews has one JSON object per line with at least reviewerID, asin and unixReviewTime (Unix
//     seconds, day resolution): row = (reviewerID, asin) at unixReviewTime, no state labels. Rows
//     are sorted by time, file order among equal times (most reviews of a user share a day with
//     someone else's).
//   - meta has one object per line, written as a Python dict literal (the 2014 files; JSON is read
//     too), with asin and categories, a list of category paths such as
//     [['Electronics', 'Computers & Accessories', 'Cables & Accessories']]. An item's category is
//     the last element of the last path, as TIN's code takes it. Items without a meta line, or
//     whose categories are missing or empty, get UnknownCategory; the report's Notes count them.
//     Meta lines of items without reviews are checked but not used; a second line for an item is
//     ignored.
//
// Categories are numbered in order of first appearance over the items (ItemCategories). Bad lines
// are RowErrors naming file, line and field; opt.Lenient skips and counts them.
func ReadAmazon(ctx context.Context, reviews io.Reader, reviewsName string, meta io.Reader, metaName string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = reviewsName
	}
	rep := &LoadReport{Path: reviewsName}
	rows := newRowTable(false)

	reviewKeys := map[string]bool{"reviewerID": true, "asin": true, "unixReviewTime": true}
	var user, item string
	var t float64
	var seen [3]bool
	review := func(b []byte, line int) *RowError {
		user, item, t, seen = "", "", 0, [3]bool{}
		var fieldErr *RowError
		err := parseLiteralObject(b, func(k string) bool { return reviewKeys[k] }, func(k string, v any) {
			if fieldErr != nil {
				return
			}
			bad := func(format string, args ...any) {
				fieldErr = &RowError{Path: reviewsName, Line: line, Name: k, Reason: fmt.Sprintf(format, args...)}
			}
			switch k {
			case "reviewerID", "asin":
				s, ok := v.(string)
				if !ok || s == "" {
					bad("%s, want a non-empty string", describeLiteral(v))
					return
				}
				if k == "asin" {
					item, seen[1] = s, true
				} else {
					user, seen[0] = s, true
				}
			case "unixReviewTime":
				n, ok := v.(litNumber)
				x, err := strconv.ParseFloat(string(n), 64)
				if !ok || err != nil || math.IsInf(x, 0) || math.IsNaN(x) || x != math.Trunc(x) {
					bad("%s, want whole Unix seconds", describeLiteral(v))
					return
				}
				t, seen[2] = x, true
			}
		})
		if err != nil {
			return &RowError{Path: reviewsName, Line: line, Reason: "not a JSON object: " + err.Error()}
		}
		if fieldErr != nil {
			return fieldErr
		}
		for k, name := range [3]string{"reviewerID", "asin", "unixReviewTime"} {
			if !seen[k] {
				return &RowError{Path: reviewsName, Line: line, Name: name, Reason: "missing"}
			}
		}
		if rows.users.full() || rows.items.full() {
			return &RowError{Path: reviewsName, Line: line, Reason: "more than 2^31-1 distinct users or items"}
		}
		rows.add(rows.users.id([]byte(user)), rows.items.id([]byte(item)), -1, t, 0)
		return nil
	}
	n, err := eachLine(ctx, reviews, reviewsName, rep, opt.Lenient, review)
	if err != nil {
		return nil, nil, err
	}
	rep.Lines = n
	if rows.len() == 0 {
		return nil, nil, noRows(reviewsName, rep, "one JSON object with reviewerID, asin and unixReviewTime per line")
	}

	// Categories of the reviewed items, by rowTable item number; "" until a meta line names one.
	cat := make([]string, len(rows.items.names))
	hasMeta := make([]bool, len(rows.items.names))
	noCategories := 0
	metaKeys := map[string]bool{"asin": true, "categories": true}
	metaLine := func(b []byte, line int) *RowError {
		var asin string
		var cats any
		var fieldErr *RowError
		err := parseLiteralObject(b, func(k string) bool { return metaKeys[k] }, func(k string, v any) {
			if k == "asin" {
				s, ok := v.(string)
				if !ok || s == "" {
					fieldErr = &RowError{Path: metaName, Line: line, Name: k, Reason: describeLiteral(v) + ", want a non-empty string"}
				}
				asin = s
				return
			}
			cats = v
		})
		if err != nil {
			return &RowError{Path: metaName, Line: line, Reason: "not a Python or JSON object: " + err.Error()}
		}
		if fieldErr != nil {
			return fieldErr
		}
		if asin == "" {
			return &RowError{Path: metaName, Line: line, Name: "asin", Reason: "missing"}
		}
		c, err := lastCategory(cats)
		if err != nil {
			return &RowError{Path: metaName, Line: line, Name: "categories", Reason: err.Error()}
		}
		if j := rows.items.lookup(asin); j >= 0 && !hasMeta[j] {
			hasMeta[j], cat[j] = true, c
			if c == "" {
				noCategories++
			}
		}
		return nil
	}
	n, err = eachLine(ctx, meta, metaName, rep, opt.Lenient, metaLine)
	if err != nil {
		return nil, nil, err
	}
	rep.Lines += n
	noMeta := 0
	for j := range cat {
		if !hasMeta[j] {
			noMeta++
		}
		if cat[j] == "" {
			cat[j] = UnknownCategory
		}
	}
	d, err := rows.dataset(opt.Name, cat)
	if err != nil {
		return nil, nil, err
	}
	rep.Rows = d.Len()
	rep.Notes = append(rep.Notes,
		fmt.Sprintf("%d items without a line in %s and %d whose categories are empty (category %q)", noMeta, metaName, noCategories, UnknownCategory))
	return d, rep, nil
}

// lastCategory returns the last element of the last category path of an Amazon meta line's
// categories value, "" when there is none (no value, no path, or an empty last path).
func lastCategory(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	paths, ok := v.([]any)
	if !ok {
		return "", fmt.Errorf("%s, want a list of category paths", describeLiteral(v))
	}
	last := ""
	for _, p := range paths {
		path, ok := p.([]any)
		if !ok {
			return "", fmt.Errorf("a path is %s, want a list of strings", describeLiteral(p))
		}
		last = ""
		for _, c := range path {
			s, ok := c.(string)
			if !ok {
				return "", fmt.Errorf("a path holds %s, want strings", describeLiteral(c))
			}
			last = s
		}
	}
	return last, nil
}

// describeLiteral names a parsed value's kind for messages, showing short scalars.
func describeLiteral(v any) string {
	switch v := v.(type) {
	case string:
		return "the string " + quote([]byte(v))
	case litNumber:
		return "the number " + quote([]byte(v))
	case bool:
		return "a boolean"
	case nil:
		return "None"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// eachLine calls row for every non-blank line of r (numbered from 1), applying lenient to its
// RowErrors, and returns the number of lines read.
func eachLine(ctx context.Context, r io.Reader, name string, rep *LoadReport, lenient bool, row func(b []byte, line int) *RowError) (int, error) {
	in := newLines(r, name)
	for {
		b, ok, err := in.next(ctx)
		if err != nil {
			return 0, err
		}
		if !ok {
			return in.n, nil
		}
		if len(b) == 0 {
			continue
		}
		if e := row(b, in.n); e != nil {
			if err := badRows(rep, lenient, e); err != nil {
				return 0, err
			}
		}
	}
}

func loadAmazon(ctx context.Context, in []Input, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return ReadAmazon(ctx, in[0].R, in[0].Path, in[1].R, in[1].Path, opt)
}
