package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadCategories(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		items    []string
		cats     []string
		dups     int
	}{
		{"plain", "item_id,category\ni0,a\ni1,b\ni2,a\n", []string{"i0", "i1", "i2"}, []string{"a", "b", "a"}, 0},
		{"DIGINETICA's header and separator", "itemId;categoryId\n1;10\n2;10\n", []string{"1", "2"}, []string{"10", "10"}, 0},
		{"CRLF, byte-order mark, blank lines", "\xef\xbb\xbfitem_id,category\r\ni0,a\r\n\r\ni1,b\r\n", []string{"i0", "i1"}, []string{"a", "b"}, 0},
		{"a repeated line is counted once", "item_id,category\ni0,a\ni0,a\n", []string{"i0"}, []string{"a"}, 1},
	} {
		f, err := ReadCategories(context.Background(), strings.NewReader(tc.in), "c.csv")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(f.Items, tc.items) || !slices.Equal(f.Categories, tc.cats) || f.Duplicates != tc.dups {
			t.Errorf("%s: items %v categories %v duplicates %d, want %v %v %d", tc.name, f.Items, f.Categories, f.Duplicates, tc.items, tc.cats, tc.dups)
		}
	}
}

func TestReadCategoriesErrors(t *testing.T) {
	const h = CategoryHeader + "\n"
	for _, tc := range []struct {
		name, in, want string
		sentinel       error
	}{
		{"empty file", "", "c.csv: the file is empty", ErrNoRows},
		{"header only", h, "c.csv: only a header line", ErrNoRows},
		{"no header", "i0,a\n", `c.csv:1: header "i0,a", want "item_id,category"`, ErrBadRow},
		{"three fields", h + "i0,a,b\n", `c.csv:2: 3 fields, want 2 separated by ','`, ErrBadRow},
		{"one field", h + "i0,a\ni1\n", `c.csv:3: 1 fields, want 2`, ErrBadRow},
		{"empty item", h + ",a\n", "c.csv:2: field 1 (item_id): empty", ErrBadRow},
		{"empty category", h + "i0,\n", "c.csv:2: field 2 (category): empty", ErrBadRow},
		{"DIGINETICA names", DigineticaCategoryHeader + "\n5;\n", "c.csv:2: field 2 (categoryId): empty", ErrBadRow},
		{"two categories for one item", h + "i0,a\ni1,b\n\ni0,c\n", `c.csv:5: field 2 (category): item "i0" has category "c" here but "a" on line 2`, ErrBadRow},
	} {
		_, err := ReadCategories(context.Background(), strings.NewReader(tc.in), "c.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: err = %v, want %v containing %q", tc.name, err, tc.sentinel, tc.want)
		}
	}
	if _, err := LoadCategories(context.Background(), filepath.Join(t.TempDir(), "absent.csv")); err == nil || !strings.Contains(err.Error(), "absent.csv") {
		t.Errorf("missing file: %v", err)
	}
}

// TestApplyCategories: categories numbered in item order, the file's extra items counted and
// ignored, the data's unlisted items in one shared unknown category (the last id, named "").
func TestApplyCategories(t *testing.T) {
	d := ctrHand() // items i0..i9
	f, err := ReadCategories(context.Background(), strings.NewReader("item_id,category\ni9,z\ni2,b\ni0,a\ni1,b\nextra,a\ni3,a\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ApplyCategories(d, f)
	if err != nil {
		t.Fatal(err)
	}
	// i0 a -> 0, i1 b -> 1, i2 b, i3 a, i4..i8 unknown -> 3, i9 z -> 2.
	if want := []int32{0, 1, 1, 0, 3, 3, 3, 3, 3, 2}; !slices.Equal(d.ItemCategories, want) || !slices.Equal(d.CategoryIDs, []string{"a", "b", "z", ""}) {
		t.Errorf("categories %v ids %q, want %v [a b z \"\"]", d.ItemCategories, d.CategoryIDs, want)
	}
	want := CategoryReport{Path: "c.csv", Listed: 6, Categories: 3, NotInData: 1, Unknown: 5}
	if *rep != want || d.UnknownCategoryItems() != 5 {
		t.Errorf("report %+v (unknown items %d), want %+v", *rep, d.UnknownCategoryItems(), want)
	}
	if got := rep.String(); got != "categories c.csv: 6 items listed, 1 not in the data (ignored); 3 categories, and 5 items without one share the unknown category" {
		t.Errorf("report line %q", got)
	}

	// A synthetic preset's categories are replaced, and the report says so.
	s := mustSynth(t, "synth-amazon-small", 1)
	rep, err = ApplyCategories(s, f)
	if err != nil || !rep.Replaced || rep.Unknown != s.NumItems()-rep.Listed+rep.NotInData || !strings.HasSuffix(rep.String(), "they replace the data's own") {
		t.Errorf("preset: %v %+v", err, rep)
	}
}

// TestOpenCategories: dataset.categories reaches the data through Open, and its report the log.
func TestOpenCategories(t *testing.T) {
	dir := t.TempDir()
	cats := filepath.Join(dir, "cats.csv")
	if err := os.WriteFile(cats, []byte("item_id,category\nx,1\ny,2\nw,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	d, err := Open(context.Background(), filepath.Join("testdata", "small.csv"), OpenOptions{Categories: cats, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.ItemCategories, []int32{0, 1, 2}) || !slices.Equal(d.CategoryIDs, []string{"1", "2", ""}) {
		t.Errorf("categories %v ids %q", d.ItemCategories, d.CategoryIDs)
	}
	if want := "dataset testdata/small.csv: categories " + cats + ": 3 items listed, 1 not in the data (ignored); 2 categories, and 1 items without one share the unknown category\n"; log.String() != want {
		t.Errorf("log %q, want %q", log.String(), want)
	}
	if _, err := Open(context.Background(), "synth-lastfm-small", OpenOptions{Categories: filepath.Join(dir, "absent.csv")}); err == nil || !strings.Contains(err.Error(), "absent.csv") {
		t.Errorf("missing category file: %v", err)
	}
}

func FuzzReadCategories(f *testing.F) {
	f.Add("item_id,category\ni0,a\ni1,b\ni0,a\n")
	f.Add("itemId;categoryId\r\n1;2\r\n\r\n3;4")
	f.Add("item_id,category\ni0,a\ni0,b\n")
	f.Add("item_id,category\n,\n")
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ReadCategories(context.Background(), strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if !errors.Is(err, ErrBadRow) && !errors.Is(err, ErrNoRows) {
				t.Fatalf("error is neither ErrBadRow nor ErrNoRows: %v", err)
			}
			return
		}
		if len(c.Items) == 0 || len(c.Items) != len(c.Categories) {
			t.Fatalf("%d items, %d categories", len(c.Items), len(c.Categories))
		}
		seen := map[string]bool{}
		for i, it := range c.Items {
			if it == "" || c.Categories[i] == "" || seen[it] {
				t.Fatalf("item %d %q category %q (listed before: %v)", i, it, c.Categories[i], seen[it])
			}
			seen[it] = true
		}
		// Applied to data naming some of the items and one other, the result is valid.
		d := &Dataset{Name: "fuzz", Users: []int32{0, 0}, Items: []int32{0, 1}, Times: []float64{0, 1}, Labels: make([]uint8, 2),
			UserIDs: []string{"u"}, ItemIDs: []string{c.Items[0], "\x00not listed"}}
		if seen[d.ItemIDs[1]] {
			return
		}
		rep, err := ApplyCategories(d, c)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Unknown != 1 || rep.Categories != 1 || rep.NotInData != len(c.Items)-1 || d.UnknownCategoryItems() != 1 {
			t.Fatalf("report %+v", rep)
		}
	})
}
