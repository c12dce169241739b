package datasets

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadDigineticaDataset checks the interaction-log view of handDiginetica by hand: rows in time
// order (session 1's b@day1+0 and session 3's c@day1+0 tie: session 1 is first in the file, so
// first), times relative to day1, the anonymous session 1 a user of its own, sessions kept.
func TestReadDigineticaDataset(t *testing.T) {
	d, rep, err := ReadDigineticaDataset(context.Background(), strings.NewReader(handDiginetica), "hand.csv", LoadOptions{})
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
	var got []row
	for i := range d.Len() {
		got = append(got, row{d.UserIDs[d.Users[i]], d.ItemIDs[d.Items[i]], d.SessionIDs[d.Session[i]], d.Times[i]})
	}
	const dd = day2 - day1
	want := []row{
		{"NA:1", "b", "1", 0}, {"8", "c", "3", 0}, {"NA:1", "a", "1", 5}, {"8", "b", "3", 120},
		{"NA:1", "a", "1", 2505}, {"7", "b", "2", dd + 1}, {"7", "a", "2", dd + 3}, {"7", "c", "2", dd + 4},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n got %v\nwant %v", got, want)
	}
	if d.TimeOrigin != day1 || d.Name != "hand.csv" || d.FeatureDim != 0 || slices.Contains(d.Labels, 1) {
		t.Errorf("origin %v name %q features %d labels %v", d.TimeOrigin, d.Name, d.FeatureDim, d.Labels)
	}
	if rep.Rows != 8 || rep.Lines != 9 || rep.Skipped != 0 || rep.UserConflicts != 0 {
		t.Errorf("report %+v", rep)
	}
}

// TestDigineticaViewsAgree: the session task's sessions of the Dataset view are ReadDiginetica's
// (same ids, clicks, dwell and censoring; times shifted by the origin), under every filter setting.
func TestDigineticaViewsAgree(t *testing.T) {
	inputs := map[string]func() (string, bool){
		"hand": func() (string, bool) { return handDiginetica, true },
		"sample": func() (string, bool) {
			b, err := os.ReadFile(filepath.Join("..", "..", "shared", "datasets", "diginetica-sample.csv"))
			return string(b), err == nil
		},
	}
	for name, in := range inputs {
		text, ok := in()
		if !ok {
			t.Logf("%s: DIGINETICA sample not available in ../shared/datasets; skipped", name)
			continue
		}
		for _, cfg := range []SessionConfig{{}, {FixedPoint: true}, {MinItemCount: 1, MinLength: 1}, {C1: 60, C2: 5}} {
			want, err := ReadDiginetica(context.Background(), strings.NewReader(text), name, cfg)
			if err != nil {
				t.Fatal(err)
			}
			d, _, err := ReadDigineticaDataset(context.Background(), strings.NewReader(text), name, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := SessionsFromDataset(d, cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkSessions(t, got)
			if !sameSessions(t, got, want, d.TimeOrigin) {
				t.Errorf("%s %+v: the Dataset view's sessions differ from ReadDiginetica's", name, cfg)
			}
			if g, w := got.Stats, want.Stats; g.UserConflicts != 0 || (SessionStats{}) == w {
				t.Errorf("%s: stats %+v / %+v", name, g, w)
			}
		}
	}
}

// sameSessions compares two Sessions by raw ids, with a's times shifted by origin (1e-6 s).
func sameSessions(t *testing.T, a, b *Sessions, origin float64) bool {
	t.Helper()
	if len(a.Sessions) != len(b.Sessions) {
		t.Logf("%d sessions vs %d", len(a.Sessions), len(b.Sessions))
		return false
	}
	user := func(s *Sessions, u int32) string {
		if u < 0 {
			return "?"
		}
		return s.UserIDs[u]
	}
	for i := range a.Sessions {
		x, y := a.Sessions[i], b.Sessions[i]
		if x.ID != y.ID || user(a, x.User) != user(b, y.User) || x.Len() != y.Len() {
			t.Logf("session %d: %s/%s user %s/%s, %d/%d clicks", i, x.ID, y.ID, user(a, x.User), user(b, y.User), x.Len(), y.Len())
			return false
		}
		for k := range x.Items {
			if a.ItemIDs[x.Items[k]] != b.ItemIDs[y.Items[k]] || math.Abs(x.Times[k]+origin-y.Times[k]) > 1e-6 ||
				math.Abs(x.Dwell[k]-y.Dwell[k]) > 1e-6 || x.Censored[k] != y.Censored[k] {
				t.Logf("session %s click %d differs", x.ID, k)
				return false
			}
		}
	}
	sa, sb := a.Stats, b.Stats
	sa.UserConflicts, sb.UserConflicts = 0, 0 // the file's, not the Dataset's
	sa.OutOfOrder, sb.OutOfOrder = 0, 0
	if sa != sb {
		t.Logf("stats %+v vs %+v", sa, sb)
		return false
	}
	return true
}

// TestDigineticaDatasetLenient: a strict load stops at the first bad row, naming file, line and
// field; a lenient one skips and counts it, and names it in the report.
func TestDigineticaDatasetLenient(t *testing.T) {
	in := handDiginetica + "4;NA;d;12x;2016-01-01\n4;NA;d\n"
	_, _, err := ReadDigineticaDataset(context.Background(), strings.NewReader(in), "bad.csv", LoadOptions{})
	if !errors.Is(err, ErrBadRow) || !strings.Contains(err.Error(), `bad.csv:10: field 4 (timeframe): "12x"`) {
		t.Errorf("strict: err = %v", err)
	}
	d, rep, err := ReadDigineticaDataset(context.Background(), strings.NewReader(in), "bad.csv", LoadOptions{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 8 || rep.Skipped != 2 || len(rep.Problems) != 2 || rep.Problems[1].Line != 11 {
		t.Errorf("lenient: %d rows, report %+v", d.Len(), rep)
	}
	if s := rep.String(); !strings.Contains(s, "2 skipped") || !strings.Contains(s, "line 10: field 4 (timeframe)") {
		t.Errorf("report string %q", s)
	}
	_, _, err = ReadDigineticaDataset(context.Background(), strings.NewReader(DigineticaHeader+"\n1;NA\n"), "bad.csv", LoadOptions{Lenient: true})
	if !errors.Is(err, ErrNoRows) || !strings.Contains(err.Error(), "all 1 rows were skipped") {
		t.Errorf("all skipped: err = %v", err)
	}
	two := DigineticaHeader + "\n1;NA;a;0;2016-01-01\n1;8;b;3;2016-01-01\n1;7;c;2;2016-01-01\n"
	d, rep, err = ReadDigineticaDataset(context.Background(), strings.NewReader(two), "two.csv", LoadOptions{})
	if err != nil || rep.UserConflicts != 1 || !slices.Equal(d.UserIDs, []string{"7"}) ||
		!strings.Contains(rep.String(), "1 sessions naming two users") {
		t.Errorf("two users: %v, %+v, users %v", err, rep, d.UserIDs)
	}
}

// TestOpenDiginetica: Open tells a DIGINETICA file from a JODIE CSV by its header (BOM and CRLF
// allowed) and keeps its sessions; a JODIE CSV has none.
func TestOpenDiginetica(t *testing.T) {
	dir := t.TempDir()
	dig := filepath.Join(dir, "views.csv")
	crlf := "\xef\xbb\xbf" + strings.ReplaceAll(handDiginetica, "\n", "\r\n")
	if err := os.WriteFile(dig, []byte(crlf), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), dig, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "views" || d.Len() != 8 || len(d.SessionIDs) != 3 || d.Session == nil {
		t.Errorf("DIGINETICA: name %q, %d rows, sessions %v", d.Name, d.Len(), d.SessionIDs)
	}
	jodie := filepath.Join(dir, "log.csv")
	if err := os.WriteFile(jodie, []byte("user_id,item_id,timestamp,state_label\nu,i,0,0\nu,j,5,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = Open(context.Background(), jodie, OpenOptions{})
	if err != nil || d.Session != nil || d.Len() != 2 {
		t.Errorf("JODIE CSV: %v, %+v", err, d)
	}
	if _, err := Open(context.Background(), filepath.Join(dir, "absent.csv"), OpenOptions{}); err == nil ||
		!strings.Contains(err.Error(), "absent.csv") {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestValidateSessions: a session column of the wrong length or out of range is invalid.
func TestValidateSessions(t *testing.T) {
	d, _, err := ReadDigineticaDataset(context.Background(), strings.NewReader(handDiginetica), "hand.csv", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	short := *d
	short.Session = d.Session[:3]
	if err := short.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "3 session ids for 8 rows") {
		t.Errorf("short: %v", err)
	}
	bad := *d
	bad.Session = slices.Clone(d.Session)
	bad.Session[4] = 3
	if err := bad.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "row 4: session 3 out of range [0,3)") {
		t.Errorf("out of range: %v", err)
	}
}

// TestDigineticaCIKMHeader: the Cup's own train-item-views.csv spells its header in camel case
// (DigineticaHeaderCIKM); it reads as the public sample's spelling does, and Open recognises it.
func TestDigineticaCIKMHeader(t *testing.T) {
	want, _, err := ReadDigineticaDataset(context.Background(), strings.NewReader(handDiginetica), "hand.csv", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	camel := DigineticaHeaderCIKM + strings.TrimPrefix(handDiginetica, DigineticaHeader)
	got, _, err := ReadDigineticaDataset(context.Background(), strings.NewReader(camel), "hand.csv", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Users, want.Users) || !slices.Equal(got.Items, want.Items) || !slices.Equal(got.Times, want.Times) ||
		!slices.Equal(got.SessionIDs, want.SessionIDs) || !slices.Equal(got.UserIDs, want.UserIDs) {
		t.Errorf("camel-case header: got %+v, want %+v", got, want)
	}
	path := filepath.Join(t.TempDir(), "train-item-views.csv")
	if err := os.WriteFile(path, []byte(camel), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := Open(context.Background(), path, OpenOptions{}); err != nil || d.Session == nil || d.Len() != 8 {
		t.Errorf("Open: %v, %+v", err, d)
	}
	_, _, err = ReadDigineticaDataset(context.Background(), strings.NewReader("sessionId;userId;itemId;timeframe\n"), "x.csv", LoadOptions{})
	if !errors.Is(err, ErrBadRow) || !strings.Contains(err.Error(), `want "session_id;user_id;item_id;timeframe;eventdate" or "sessionId;userId;itemId;timeframe;eventdate"`) {
		t.Errorf("wrong header: %v", err)
	}
}
