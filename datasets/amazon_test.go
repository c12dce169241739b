package datasets

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// handAmazonReviews and handAmazonMeta are a reviews_*_5.json and a meta_*.json in the 2014
// formats: reviews JSON, metadata Python dict literals. Lines 2 and 3 of the reviews tie in time;
// B003 has no metadata; B002 has two metadata lines (the first counts); B009 has no reviews.
const (
	handAmazonReviews = `{"reviewerID": "A1", "asin": "B001", "reviewerName": "a, \"quoted\"", "helpful": [0, 0], "reviewText": "ok", "overall": 5.0, "summary": "s", "unixReviewTime": 1370131200, "reviewTime": "06 2, 2013"}
{"reviewerID": "A2", "asin": "B002", "unixReviewTime": 1300000000}
{"reviewerID": "A1", "asin": "B002", "unixReviewTime": 1300000000}
{"reviewerID": "A2", "asin": "B003", "unixReviewTime": 1400000000}
`
	handAmazonMeta = `{'asin': 'B001', 'title': "Kid's \"toy\"", 'price': 12.99, 'related': {'also_bought': ['B002']}, 'salesRank': {'Electronics': 5}, 'categories': [['Electronics', 'Computers & Accessories', 'Cables'], ['Electronics', 'Camera & Photo']]}
{'asin': 'B002', 'categories': [['Electronics', 'Cables']], 'description': 'caf\xc3\xa9 it\'s'}
{'asin': 'B009', 'categories': [['Other']]}
{'asin': 'B002', 'categories': [['Electronics', 'Other']]}
`
)

// TestReadAmazon checks the rows and categories by hand: B001's category is the last element of
// its last path ("Camera & Photo", not "Cables"), B002's "Cables" from its first meta line, B003's
// unknown.
func TestReadAmazon(t *testing.T) {
	d, rep, err := ReadAmazon(context.Background(), strings.NewReader(handAmazonReviews), "reviews.json",
		strings.NewReader(handAmazonMeta), "meta.json", LoadOptions{Name: "amazon"})
	got := loadedRows(t, d, err)
	want := []loadedRow{{"A2", "B002", 0}, {"A1", "B002", 0}, {"A1", "B001", 70131200}, {"A2", "B003", 100000000}}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n got %v\nwant %v", got, want)
	}
	if !slices.Equal(d.ItemIDs, []string{"B002", "B001", "B003"}) || !slices.Equal(d.ItemCategories, []int32{0, 1, 2}) {
		t.Errorf("items %v categories %v", d.ItemIDs, d.ItemCategories)
	}
	if d.TimeOrigin != 1300000000 || d.Name != "amazon" || slices.Contains(d.Labels, 1) || rep.Rows != 4 || rep.Lines != 8 {
		t.Errorf("origin %v name %q report %+v", d.TimeOrigin, d.Name, rep)
	}
	if want := []string{`1 items without a line in meta.json and 0 whose categories are empty (category "unknown")`}; !slices.Equal(rep.Notes, want) {
		t.Errorf("notes %q, want %q", rep.Notes, want)
	}
	// A meta line without categories, or with an empty last path, gives the unknown category too.
	meta := "{'asin': 'B001'}\n{'asin': 'B002', 'categories': [['Electronics'], []]}\n{'asin': 'B003', 'categories': [['X']]}\n"
	d, rep, err = ReadAmazon(context.Background(), strings.NewReader(handAmazonReviews), "r", strings.NewReader(meta), "m", LoadOptions{})
	if err != nil || !slices.Equal(d.ItemCategories, []int32{0, 0, 1}) || !strings.Contains(rep.Notes[0], "0 items without a line in m and 2 whose categories are empty") {
		t.Errorf("empty categories: %v, %v, %q", err, d.ItemCategories, rep.Notes)
	}
}

func TestReadAmazonBadRows(t *testing.T) {
	for _, tc := range []struct{ reviews, meta, want string }{
		{`{"reviewerID": "A3", "unixReviewTime": 1}`, "", "r.json:5: field asin: missing"},
		{`{"reviewerID": "A3", "asin": 7, "unixReviewTime": 1}`, "", `r.json:5: field asin: the number "7", want a non-empty string`},
		{`{"reviewerID": "A3", "asin": "B1", "unixReviewTime": "1"}`, "", `r.json:5: field unixReviewTime: the string "1", want whole Unix seconds`},
		{`{"reviewerID": "A3", "asin": "B1", "unixReviewTime": 1.5}`, "", `r.json:5: field unixReviewTime: the number "1.5", want whole Unix seconds`},
		{`{"reviewerID": "A3", "asin": "B1", "unixReviewTime": 1`, "", "r.json:5: not a JSON object: at the end of the line: want ',' or '}' in an object"},
		{"", "{'asin': 'B7', 'categories': 'Electronics'}", `m.json:5: field categories: the string "Electronics", want a list of category paths`},
		{"", "{'asin': 'B7', 'categories': [['a', 1]]}", `m.json:5: field categories: a path holds the number "1", want strings`},
		{"", "{'categories': [['a']]}", "m.json:5: field asin: missing"},
		{"", "{'asin': 'B7', 'title': 'open}", "m.json:5: not a Python or JSON object: byte 25: string not closed"},
	} {
		reviews, meta := handAmazonReviews+tc.reviews+"\n", handAmazonMeta+tc.meta+"\n"
		_, _, err := ReadAmazon(context.Background(), strings.NewReader(reviews), "r.json", strings.NewReader(meta), "m.json", LoadOptions{})
		if !errors.Is(err, ErrBadRow) || err.Error() != tc.want {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
		d, rep, err := ReadAmazon(context.Background(), strings.NewReader(reviews), "r.json", strings.NewReader(meta), "m.json", LoadOptions{Lenient: true})
		if err != nil || d.Len() != 4 || rep.Skipped != 1 {
			t.Errorf("lenient: %v, report %+v", err, rep)
		}
	}
}

// TestParseLiteralObject: Python reprs and JSON, by hand. Python 2's "\xNN" is a byte (so
// 'caf\xc3\xa9' is "café" in UTF-8) except in a string with the u prefix, where it is the code point.
func TestParseLiteralObject(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]any
	}{
		{`{'a': 'x\'y', "b": "q\"r", 'c': "it's"}`, map[string]any{"a": "x'y", "b": `q"r`, "c": "it's"}},
		{`{'s': 'caf\xc3\xa9', 'u': u'caf\xe9', 'o': '\101\n', 'r': r'a\'b\n', 'k': 'a\\b\q'}`,
			map[string]any{"s": "café", "u": "café", "o": "A\n", "r": `a\'b\n`, "k": `a\b\q`}},
		{`{"j": "\u00e9\ud83d\ude00\/", "lone": "\ud800x", "pair-broken": "\ud800\u0041"}`,
			map[string]any{"j": "é😀/", "lone": "\ufffdx", "pair-broken": "\ufffdA"}},
		{`{'n': 12L, 'f': -1.5e-3, 't': True, 'z': None, 'l': (1, 'a',), 'd': {1: 'one', None: []}, 'e': [], 'x': nan}`,
			map[string]any{"n": litNumber("12L"), "f": litNumber("-1.5e-3"), "t": true, "z": nil,
				"l": []any{litNumber("1"), "a"}, "d": map[string]any{"1": "one", "None": []any{}}, "e": []any{}, "x": litNumber("nan")}},
		{` { "a" : [ true , false , null ] , } `, map[string]any{"a": []any{true, false, nil}}},
		{`{}`, map[string]any{}},
	} {
		got := map[string]any{}
		err := parseLiteralObject([]byte(tc.in), func(string) bool { return true }, func(k string, v any) { got[k] = v })
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %#v, %v\nwant %#v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{`{'a': }`, "byte 7: unexpected \"}\", want a value"},
		{`{'a' 1}`, "byte 6: want ':' after the key \"a\""},
		{`{'a': 'x}`, "byte 7: string not closed"},
		{`['a']`, "byte 1: want an object starting with '{'"},
		{`{'a': 1} x`, "byte 10: unexpected text after the object"},
		{`{'a': '\x4'}`, `byte 8: escape \x needs 2 hex digits`},
		{`{[1]: 2}`, "byte 5: a list or object cannot be a key"},
		{`{'a': -}`, `byte 7: "-}" is not a number`},
		{`{'a': 1 'b': 2}`, "byte 9: want ',' or '}' in an object"},
		{`{'a': [1 2]}`, "byte 10: want ',' or ']' in a list"},
		{"{'a': " + strings.Repeat("[", litMaxDepth+1), "nested deeper than 10000"},
	} {
		err := parseLiteralObject([]byte(tc.in), func(string) bool { return true }, func(string, any) {})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %s", tc.in, err, tc.want)
		}
	}
	// Unwanted values are checked but not built.
	var keys []string
	err := parseLiteralObject([]byte(`{'a': {'b': ['c']}, 'd': 'e'}`), func(k string) bool { return k == "d" }, func(k string, v any) { keys = append(keys, k+"="+v.(string)) })
	if err != nil || !slices.Equal(keys, []string{"d=e"}) {
		t.Errorf("want only d: %v %v", keys, err)
	}
}

// FuzzParseLiteralObject compares the parser with encoding/json on valid UTF-8: every object
// encoding/json accepts must parse to the same values (numbers compared as float64). On any input
// the parser must not panic.
func FuzzParseLiteralObject(f *testing.F) {
	f.Add(`{"reviewerID": "A1", "asin": "B\u00e9", "helpful": [0, 1], "overall": 5.0, "unixReviewTime": 1370131200}`)
	f.Add(`{'asin': 'B1', 'categories': [['Electronics', 'Cables']], 'price': 1e3, 't': (True, None)}`)
	f.Add(`{"a": "\ud83d\ude00\ud800\"", "b": {"c": [], "d": {}}, "a": -0.5E+2}`)
	f.Fuzz(func(t *testing.T, in string) {
		got := map[string]any{}
		err := parseLiteralObject([]byte(in), func(string) bool { return true }, func(k string, v any) { got[k] = v })
		if !utf8.ValidString(in) {
			return
		}
		var want map[string]any
		if json.Unmarshal([]byte(in), &want) != nil || want == nil {
			return
		}
		if err != nil {
			t.Fatalf("encoding/json reads %q, the parser fails: %v", in, err)
		}
		if !sameAsJSON(got, want) {
			t.Fatalf("%q:\n got %#v\nwant %#v", in, got, want)
		}
	})
}

// sameAsJSON compares a parsed literal with encoding/json's value of the same text.
func sameAsJSON(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if !sameAsJSON(g[k], v) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameAsJSON(g[i], w[i]) {
				return false
			}
		}
		return true
	case float64:
		g, ok := got.(litNumber)
		x, err := strconv.ParseFloat(string(g), 64)
		return ok && err == nil && x == w
	}
	return got == want
}

func FuzzReadAmazon(f *testing.F) {
	f.Add(handAmazonReviews, handAmazonMeta)
	f.Add(`{"reviewerID":"u","asin":"i","unixReviewTime":5}`+"\n", `{"asin":"i","categories":[["c"]]}`+"\n{'asin': u'i'}\n")
	f.Fuzz(func(t *testing.T, reviews, meta string) {
		checkConverter(t, func(opt LoadOptions) (*Dataset, *LoadReport, error) {
			return ReadAmazon(context.Background(), strings.NewReader(reviews), "r", strings.NewReader(meta), "m", opt)
		})
	})
}
