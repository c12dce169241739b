package datasets

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// yoochooseFields names the columns of yoochoose-clicks.dat (RecSys Challenge 2015, the RECSYS15
// dataset of JUMP), which has no header line.
var yoochooseFields = [4]string{"session_id", "timestamp", "item_id", "category"}

// LoadYoochooseClicks reads yoochoose-clicks.dat. See ReadYoochooseClicks.
func LoadYoochooseClicks(ctx context.Context, path string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return loadPath(ctx, path, opt, ReadYoochooseClicks)
}

// ReadYoochooseClicks reads the click file of the RecSys Challenge 2015 (YOOCHOOSE), lines
//
//	session_id,timestamp,item_id,category
//
// without a header, e.g. "1,2014-04-07T10:51:09.277Z,214536502,0", as a Dataset: one row per
// click at the timestamp's Unix time in seconds (milliseconds kept), no state labels, rows sorted
// by time (file order among equal times; the file is ordered by session). The file's sessions are
// kept (Dataset.Session) as DIGINETICA's are, and the session task uses them instead of the gap
// rule. Users are unknown: each session is an anonymous user of its own, id AnonymousUserPrefix +
// session id, as ReadDigineticaDataset does for sessions without a user.
//
// The category column is checked to be present but not kept: it describes the click, not the
// item ("0" when unknown, "S" for a special offer, 1 to 12 for a category, or a brand's id), so an
// item has several. name is used in errors and, unless opt.Name is set, as the Dataset's name. Bad
// rows are RowErrors naming line and field; opt.Lenient skips and counts them. opt.Sort is not
// needed: the rows are always sorted.
func ReadYoochooseClicks(ctx context.Context, r io.Reader, name string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = name
	}
	rep := &LoadReport{Path: name}
	rows := newRowTable(true)
	bad := func(line, field int, format string, args ...any) *RowError {
		e := &RowError{Path: name, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
		if field > 0 {
			e.Name = yoochooseFields[field-1]
		}
		return e
	}
	var f [][]byte
	// row parses one line; it changes nothing when the line is bad.
	row := func(b []byte, line int) *RowError {
		f = splitComma(f, b)
		if len(f) != 4 {
			return bad(line, 0, "%d fields, want 4: %s", len(f), strings.Join(yoochooseFields[:], ","))
		}
		for k, v := range f {
			if len(v) == 0 {
				return bad(line, k+1, "empty")
			}
		}
		t, err := time.Parse(time.RFC3339, string(f[1]))
		if err != nil {
			return bad(line, 2, "%s is not an ISO-8601 time like 2014-04-07T10:51:09.277Z", quote(f[1]))
		}
		if rows.sessions.full() || rows.items.full() {
			return bad(line, 0, "more than 2^31-1 distinct sessions or items")
		}
		s := rows.sessions.id(f[0])
		rows.add(s, rows.items.id(f[2]), s, float64(t.UnixMilli())/1000, 0)
		return nil
	}
	in := newLines(r, name)
	for {
		b, ok, err := in.next(ctx)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		if len(b) == 0 {
			continue // blank lines, e.g. a trailing one
		}
		if e := row(b, in.n); e != nil {
			if err := badRows(rep, opt.Lenient, e); err != nil {
				return nil, nil, err
			}
		}
	}
	rep.Lines = in.n
	if rows.len() == 0 {
		return nil, nil, noRows(name, rep, "lines session_id,timestamp,item_id,category")
	}
	// One anonymous user per session: user k is session k.
	rows.users.names = make([]string, len(rows.sessions.names))
	for k, s := range rows.sessions.names {
		rows.users.names[k] = AnonymousUserPrefix + s
	}
	d, err := rows.dataset(opt.Name, nil)
	if err != nil {
		return nil, nil, err
	}
	rep.Rows = d.Len()
	return d, rep, nil
}

func loadYoochoose(ctx context.Context, in []Input, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return ReadYoochooseClicks(ctx, in[0].R, in[0].Path, opt)
}
