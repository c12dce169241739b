package datasets

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// handYoochoose is a yoochoose-clicks.dat of three sessions. Session 3's clicks are out of time
// order, and its second click (line 7) ties with the file's first one (line 1).
const handYoochoose = `1,2014-04-07T10:51:09.277Z,214536502,0
1,2014-04-07T10:54:09.868Z,214536500,0
1,2014-04-07T10:54:46.998Z,214536506,0
2,2014-04-07T13:56:37.614Z,214662742,0
2,2014-04-07T13:57:19.373Z,214662742,S
3,2014-04-07T10:52:00.000Z,214536500,2
3,2014-04-07T10:51:09.277Z,214717089,1234567
`

// dayApr7 is 2014-04-07T00:00:00Z in Unix seconds.
const dayApr7 = 1396828800

// TestReadYoochooseClicks checks the rows by hand: sorted by time with line 1 before line 7 (equal
// times keep file order), times relative to 10:51:09.277, one anonymous user per session.
func TestReadYoochooseClicks(t *testing.T) {
	d, rep, err := ReadYoochooseClicks(context.Background(), strings.NewReader(handYoochoose), "clicks.dat", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	type row struct {
		user, item, session string
		time                float64
	}
	want := []row{
		{"NA:1", "214536502", "1", 0},
		{"NA:3", "214717089", "3", 0},
		{"NA:3", "214536500", "3", 50.723},    // 10:52:00.000 - 10:51:09.277
		{"NA:1", "214536500", "1", 180.591},   // 10:54:09.868
		{"NA:1", "214536506", "1", 217.721},   // 10:54:46.998
		{"NA:2", "214662742", "2", 11128.337}, // 13:56:37.614 = 3 h 05 min 28.337 s later
		{"NA:2", "214662742", "2", 11170.096}} // 13:57:19.373
	if d.Len() != len(want) {
		t.Fatalf("%d rows, want %d", d.Len(), len(want))
	}
	for i, w := range want {
		got := row{d.UserIDs[d.Users[i]], d.ItemIDs[d.Items[i]], d.SessionIDs[d.Session[i]], d.Times[i]}
		if got.user != w.user || got.item != w.item || got.session != w.session || math.Abs(got.time-w.time) > 1e-6 {
			t.Errorf("row %d: got %v, want %v", i, got, w)
		}
	}
	if origin := float64(dayApr7) + 10*3600 + 51*60 + 9.277; math.Abs(d.TimeOrigin-origin) > 1e-6 {
		t.Errorf("origin %v, want %v", d.TimeOrigin, origin)
	}
	if !slices.Equal(d.UserIDs, []string{"NA:1", "NA:3", "NA:2"}) || !slices.Equal(d.SessionIDs, []string{"1", "3", "2"}) ||
		d.Name != "clicks.dat" || d.ItemCategories != nil || slices.Contains(d.Labels, 1) || d.FeatureDim != 0 {
		t.Errorf("users %v sessions %v name %q categories %v", d.UserIDs, d.SessionIDs, d.Name, d.ItemCategories)
	}
	if rep.Rows != 7 || rep.Lines != 7 || rep.Skipped != 0 {
		t.Errorf("report %+v", rep)
	}

	// The session task keeps the file's sessions, users unknown.
	s, err := SessionsFromDataset(d, SessionConfig{MinItemCount: 1, MinLength: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range s.Sessions {
		got = append(got, x.ID+":"+strings.Repeat("x", x.Len()))
		if x.User != -1 {
			t.Errorf("session %s: user %d, want -1 (anonymous)", x.ID, x.User)
		}
	}
	if want := []string{"1:xxx", "3:xx", "2:xx"}; !slices.Equal(got, want) {
		t.Errorf("sessions %v, want %v", got, want)
	}
}

func TestReadYoochooseClicksBadRows(t *testing.T) {
	bad := []struct{ line, want string }{ // each appended as line 8 in the strict case
		{"4,2014-04-07T10:51:09.277Z,214536502", "c.dat:8: 3 fields, want 4: session_id,timestamp,item_id,category"},
		{"5,2014-13-07T10:51:09Z,1,0", `c.dat:8: field 2 (timestamp): "2014-13-07T10:51:09Z" is not an ISO-8601 time like 2014-04-07T10:51:09.277Z`},
		{"6,2014-04-07T10:51:09Z,,0", "c.dat:8: field 3 (item_id): empty"},
	}
	in := handYoochoose
	for _, tc := range bad {
		_, _, err := ReadYoochooseClicks(context.Background(), strings.NewReader(handYoochoose+tc.line+"\n"), "c.dat", LoadOptions{})
		if !errors.Is(err, ErrBadRow) || err.Error() != tc.want {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
		in += tc.line + "\n"
	}
	in += "\n" // a blank line is no row
	d, rep, err := ReadYoochooseClicks(context.Background(), strings.NewReader(in), "c.dat", LoadOptions{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 7 || rep.Skipped != 3 || rep.Lines != 11 || len(d.SessionIDs) != 3 {
		t.Errorf("lenient: %d rows, %d sessions, report %+v", d.Len(), len(d.SessionIDs), rep)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "no data rows in e.dat (want lines session_id,timestamp,item_id,category)"},
		{"1,x,2,3\n", `no data rows in e.dat: all 1 rows were skipped; first: e.dat:1: field 2 (timestamp)`},
	} {
		_, _, err := ReadYoochooseClicks(context.Background(), strings.NewReader(tc.in), "e.dat", LoadOptions{Lenient: true})
		if !errors.Is(err, ErrNoRows) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %s", tc.in, err, tc.want)
		}
	}
}

func FuzzReadYoochooseClicks(f *testing.F) {
	f.Add(handYoochoose)
	f.Add("1,2014-04-07T10:51:09Z,2,0\r\n1,2014-04-07T10:51:09+02:00,2,S\n")
	f.Add("\xef\xbb\xbf1,2014-04-07T10:51:09.1Z,a,b\n,,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		checkConverter(t, func(opt LoadOptions) (*Dataset, *LoadReport, error) {
			return ReadYoochooseClicks(context.Background(), strings.NewReader(in), "f.dat", opt)
		})
	})
}

// checkConverter holds what every converter promises on any input: no panic; a strict load that
// succeeds gives a valid Dataset, and the lenient load the same rows; a lenient load only fails
// for want of rows; every error wraps a RowError or ErrNoRows.
func checkConverter(t *testing.T, load func(LoadOptions) (*Dataset, *LoadReport, error)) {
	t.Helper()
	strict, _, serr := load(LoadOptions{})
	lenient, rep, lerr := load(LoadOptions{Lenient: true})
	for _, err := range []error{serr, lerr} {
		if err != nil && !errors.Is(err, ErrBadRow) && !errors.Is(err, ErrNoRows) {
			t.Fatalf("error %v is neither a bad row nor no rows", err)
		}
	}
	if lerr != nil {
		if serr == nil {
			t.Fatalf("strict load succeeded, lenient failed: %v", lerr)
		}
		return
	}
	if err := lenient.Validate(); err != nil {
		t.Fatal(err)
	}
	if rep.Rows != lenient.Len() || lenient.Times[0] != 0 {
		t.Fatalf("report %+v for %d rows, first time %v", rep, lenient.Len(), lenient.Times[0])
	}
	if serr == nil {
		if err := strict.Validate(); err != nil {
			t.Fatal(err)
		}
		if rep.Skipped != 0 || strict.Len() != lenient.Len() || !slices.Equal(strict.Items, lenient.Items) || !slices.Equal(strict.Times, lenient.Times) {
			t.Fatalf("strict and lenient loads differ: %d vs %d rows, %d skipped", strict.Len(), lenient.Len(), rep.Skipped)
		}
	}
}
