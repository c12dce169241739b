package datasets

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The item-category file (dataset.categories): a header line, then one item per line,
//
//	item_id,category
//
// or DIGINETICA's product-categories.csv (CIKM Cup 2016), whose header is `itemId;categoryId` and
// whose fields are separated by ';'. The header is required and picks the separator. Ids are
// non-empty strings matched byte for byte with the data's raw item ids; lines may end in LF or
// CRLF, a byte-order mark is skipped, blank lines are ignored. There is no lenient mode: a bad line
// is always an error naming file, line and field.

// CategoryHeader is the header of a category file; DigineticaCategoryHeader is DIGINETICA's.
const (
	CategoryHeader           = "item_id,category"
	DigineticaCategoryHeader = "itemId;categoryId"
)

// CategoryFile is a parsed category file: each listed item once, in file order, with its category.
type CategoryFile struct {
	Path       string
	Items      []string // listed items, each once, in order of first listing
	Categories []string // Categories[i] is the category of Items[i]
	Lines      int      // lines read, header and blank lines included
	Duplicates int      // lines repeating an earlier line's item and category (ignored)
}

// LoadCategories reads a category file. See ReadCategories.
func LoadCategories(ctx context.Context, path string) (*CategoryFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: categories: %w", err)
	}
	defer f.Close()
	return ReadCategories(ctx, f, path)
}

// ReadCategories reads an item-category file (format above); name is used in errors. An item listed
// twice with the same category is counted (Duplicates); with two different categories it is an
// error naming both lines. An empty file or one with only a header is ErrNoRows.
func ReadCategories(ctx context.Context, r io.Reader, name string) (*CategoryFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	out := &CategoryFile{Path: name}
	var sep byte
	var names [2]string
	firstLine := map[string]int{} // item -> the line that listed it first
	at := map[string]int{}        // item -> index in out.Items
	line := 0
	for sc.Scan() {
		line++
		if line%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("datasets: loading %s: %w", name, err)
			}
		}
		b := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
			switch string(b) {
			case CategoryHeader:
				sep, names = ',', [2]string{"item_id", "category"}
			case DigineticaCategoryHeader:
				sep, names = ';', [2]string{"itemId", "categoryId"}
			default:
				return nil, &RowError{Path: name, Line: 1, Reason: fmt.Sprintf("header %s, want %q (or DIGINETICA's %q)", quote(b), CategoryHeader, DigineticaCategoryHeader)}
			}
			continue
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		bad := func(field int, format string, args ...any) error {
			e := &RowError{Path: name, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
			if field > 0 {
				e.Name = names[field-1]
			}
			return e
		}
		f := bytes.Split(b, []byte{sep})
		if len(f) != 2 {
			return nil, bad(0, "%d fields, want 2 separated by %q (%s)", len(f), sep, strings.Join(names[:], string(sep)))
		}
		for k, v := range f {
			if len(v) == 0 {
				return nil, bad(k+1, "empty")
			}
		}
		item, cat := string(f[0]), string(f[1])
		if i, dup := at[item]; dup {
			if out.Categories[i] != cat {
				return nil, bad(2, "item %s has category %s here but %s on line %d", quote(f[0]), quote(f[1]), strconvQuote(out.Categories[i]), firstLine[item])
			}
			out.Duplicates++
			continue
		}
		at[item], firstLine[item] = len(out.Items), line
		out.Items = append(out.Items, item)
		out.Categories = append(out.Categories, cat)
	}
	out.Lines = line
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &RowError{Path: name, Line: line + 1, Reason: "line longer than 1 MiB"}
		}
		return nil, fmt.Errorf("datasets: reading %s: %w", name, err)
	}
	switch {
	case line == 0:
		return nil, fmt.Errorf("%w in %s: the file is empty (want the header %q, then item,category lines)", ErrNoRows, name, CategoryHeader)
	case len(out.Items) == 0:
		return nil, fmt.Errorf("%w in %s: only a header line", ErrNoRows, name)
	}
	return out, nil
}

// strconvQuote quotes a string as quote does a byte slice.
func strconvQuote(s string) string { return quote([]byte(s)) }

// CategoryReport says what ApplyCategories did, for the run log and `tibench datasets stats`.
type CategoryReport struct {
	Path       string
	Listed     int  // items the file lists
	Duplicates int  // repeated lines (same item, same category)
	Categories int  // distinct categories of the data's items, the unknown one not included
	NotInData  int  // listed items the data does not have: ignored
	Unknown    int  // data items the file does not list: they share one unknown category
	Replaced   bool // the data had categories (a synthetic preset's); the file's replaced them
}

// String summarises the report in one line.
func (r *CategoryReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "categories %s: %d items listed", r.Path, r.Listed)
	if r.Duplicates > 0 {
		fmt.Fprintf(&b, " (%d repeated lines)", r.Duplicates)
	}
	fmt.Fprintf(&b, ", %d not in the data (ignored); %d categories", r.NotInData, r.Categories)
	if r.Unknown > 0 {
		fmt.Fprintf(&b, ", and %d items without one share the unknown category", r.Unknown)
	} else {
		b.WriteString(", every item has one")
	}
	if r.Replaced {
		b.WriteString("; they replace the data's own")
	}
	return b.String()
}

// ApplyCategories sets d.ItemCategories and d.CategoryIDs from f. The rules (issue #13):
//
//   - Categories get dense ids in order of the data's items (item 0's category is 0), so only the
//     categories of the data's items have ids.
//   - An item of the data that f does not list gets the one shared unknown category, the last id,
//     whose CategoryIDs entry is "" (no file can name it: an empty field is an error). Counted in
//     Unknown; models embed it as one more category.
//   - An item f lists that the data does not have is ignored and counted in NotInData: a product
//     catalogue usually covers more items than a sample of its log (DIGINETICA's lists every
//     product, its item-views sample a few thousand), so it is not an error.
//   - Categories d already has (a synthetic preset's) are replaced, and the report says so.
func ApplyCategories(d *Dataset, f *CategoryFile) (*CategoryReport, error) {
	rep := &CategoryReport{Path: f.Path, Listed: len(f.Items), Duplicates: f.Duplicates, Replaced: d.ItemCategories != nil}
	byItem := make(map[string]string, len(f.Items))
	for i, it := range f.Items {
		byItem[it] = f.Categories[i]
	}
	inData := 0
	cats := make([]int32, d.NumItems())
	dense := map[string]int32{}
	var ids []string
	var unknown []int // items without a category, given the last id below
	for i, it := range d.ItemIDs {
		c, ok := byItem[it]
		if !ok {
			unknown = append(unknown, i)
			continue
		}
		inData++
		j, ok := dense[c]
		if !ok {
			j = int32(len(ids))
			dense[c] = j
			ids = append(ids, c)
		}
		cats[i] = j
	}
	rep.Categories, rep.Unknown, rep.NotInData = len(ids), len(unknown), len(f.Items)-inData
	if len(unknown) > 0 {
		for _, i := range unknown {
			cats[i] = int32(len(ids))
		}
		ids = append(ids, "")
	}
	d.ItemCategories, d.CategoryIDs = cats, ids
	return rep, d.Validate()
}
