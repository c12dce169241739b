package datasets

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// This file holds what the converters of the registry's non-JODIE sources share: a line reader
// that counts lines and checks ctx, the bad-row bookkeeping of lenient loads, and a table that
// collects rows with raw ids in file order and turns them into a time-sorted Dataset.

// Input is one opened file of a Source, for its LoadFunc.
type Input struct {
	Path string    // where the file is, for messages
	R    io.Reader // its content, decompressed when the name ends in ".gz"
}

// UnknownCategory is the category a converter gives an item that its source's catalogue does not
// describe (an Amazon product without metadata, a Taobao ad missing from ad_feature.csv); the
// LoadReport counts those items.
const UnknownCategory = "unknown"

// lines reads a file line by line: the line without its "\n" or "\r\n" (and, on line 1, without a
// UTF-8 byte-order mark), its 1-based number, ctx checked every ctxEvery lines.
type lines struct {
	sc   *bufio.Scanner
	path string
	n    int
}

func newLines(r io.Reader, path string) *lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256<<10), maxLine)
	return &lines{sc: sc, path: path}
}

// next returns the next line; ok is false at the end or on an error (see err).
func (l *lines) next(ctx context.Context) (b []byte, ok bool, err error) {
	if !l.sc.Scan() {
		return nil, false, l.err()
	}
	l.n++
	if l.n%ctxEvery == 0 {
		if err := ctx.Err(); err != nil {
			return nil, false, fmt.Errorf("datasets: loading %s: %w", l.path, err)
		}
	}
	b = bytes.TrimSuffix(l.sc.Bytes(), []byte("\r"))
	if l.n == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	return b, true, nil
}

func (l *lines) err() error {
	err := l.sc.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bufio.ErrTooLong):
		return &RowError{Path: l.path, Line: l.n + 1, Reason: fmt.Sprintf("line longer than %d MiB", maxLine>>20)}
	}
	return fmt.Errorf("datasets: reading %s line %d: %w", l.path, l.n+1, err)
}

// badRows applies LoadOptions.Lenient to a RowError: a strict load gets it back to return; a
// lenient load gets nil, the row counted in rep (and described, up to MaxReportedProblems).
func badRows(rep *LoadReport, lenient bool, e *RowError) error {
	if !lenient {
		return e
	}
	rep.Skipped++
	if len(rep.Problems) < MaxReportedProblems {
		rep.Problems = append(rep.Problems, e)
	}
	return nil
}

// noRows is the error for a file without data rows: empty, only a header, or every row skipped.
func noRows(path string, rep *LoadReport, want string) error {
	if rep.Skipped > 0 && len(rep.Problems) > 0 {
		return fmt.Errorf("%w in %s: all %d rows were skipped; first: %v", ErrNoRows, path, rep.Skipped, rep.Problems[0])
	}
	return fmt.Errorf("%w in %s (want %s)", ErrNoRows, path, want)
}

// splitComma cuts line at commas into dst (reused) without copying.
func splitComma(dst [][]byte, line []byte) [][]byte {
	dst = dst[:0]
	for {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

// columns finds the named columns in a header (names compared case-insensitively, spaces and
// quotes around them ignored); other columns are allowed. It returns each name's index.
func columns(path string, header [][]byte, names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for k, want := range names {
		idx[k] = -1
		for j, h := range header {
			if strings.EqualFold(strings.Trim(string(h), " \t\""), want) {
				idx[k] = j
				break
			}
		}
		if idx[k] < 0 {
			var got []string
			for _, h := range header {
				got = append(got, string(h))
			}
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("header %s has no column %q (want the columns %s)",
				quote([]byte(strings.Join(got, ","))), want, strings.Join(names, ","))}
		}
	}
	return idx, nil
}

// idTable numbers raw ids in order of first appearance.
type idTable struct {
	idx   map[string]int32
	names []string
}

func newIDTable() *idTable { return &idTable{idx: make(map[string]int32)} }

// id returns b's number, adding it if new; -1 when the table is full (MaxInt32 ids).
func (t *idTable) id(b []byte) int32 {
	if j, ok := t.idx[string(b)]; ok { // the compiler does not allocate for this lookup
		return j
	}
	if len(t.names) >= math.MaxInt32 {
		return -1
	}
	s := string(b)
	j := int32(len(t.names))
	t.idx[s] = j
	t.names = append(t.names, s)
	return j
}

// lookup returns s's number, or -1.
func (t *idTable) lookup(s string) int32 {
	if j, ok := t.idx[s]; ok {
		return j
	}
	return -1
}

// full reports whether id could not number another id.
func (t *idTable) full() bool { return len(t.names) >= math.MaxInt32 }

// rowTable collects interactions in file order: raw ids numbered by idTables, absolute times.
type rowTable struct {
	users, items *idTable
	sessions     *idTable // nil when the source has no sessions

	u, it, s []int32
	t        []float64
	l        []uint8
}

func newRowTable(withSessions bool) *rowTable {
	r := &rowTable{users: newIDTable(), items: newIDTable()}
	if withSessions {
		r.sessions = newIDTable()
	}
	return r
}

func (r *rowTable) len() int { return len(r.u) }

// add appends a row; session is ignored without sessions.
func (r *rowTable) add(user, item, session int32, t float64, label uint8) {
	r.u, r.it, r.t, r.l = append(r.u, user), append(r.it, item), append(r.t, t), append(r.l, label)
	if r.sessions != nil {
		r.s = append(r.s, session)
	}
}

// dataset sorts the rows by time, file order among equal times, and numbers users, items and
// sessions in order of first appearance in that order, as the JODIE loader does. itemCategory,
// when not nil, names the category of each item by its rowTable number; categories are numbered
// in order of first appearance over the dataset's items. The rowTable is consumed.
func (r *rowTable) dataset(name string, itemCategory []string) (*Dataset, error) {
	n := r.len()
	if n == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoRows, name)
	}
	if !slices.IsSorted(r.t) {
		perm := make([]int32, n)
		for i := range perm {
			perm[i] = int32(i)
		}
		// (time, file position) is a total order, so the faster unstable sort gives the stable result.
		slices.SortFunc(perm, func(a, b int32) int { return cmp.Or(cmp.Compare(r.t[a], r.t[b]), cmp.Compare(a, b)) })
		r.u, r.it, r.t, r.l = permute(r.u, perm), permute(r.it, perm), permute(r.t, perm), permute(r.l, perm)
		if r.s != nil {
			r.s = permute(r.s, perm)
		}
	}
	d := &Dataset{Name: name, Labels: r.l}
	d.Users, d.UserIDs = renumber(r.u, r.users.names)
	d.Items, d.ItemIDs = renumber(r.it, r.items.names)
	if r.sessions != nil {
		d.Session, d.SessionIDs = renumber(r.s, r.sessions.names)
	}
	if itemCategory != nil {
		cats := newIDTable()
		d.ItemCategories = make([]int32, len(d.ItemIDs))
		for i, id := range d.ItemIDs {
			d.ItemCategories[i] = cats.id([]byte(itemCategory[r.items.lookup(id)]))
		}
	}
	d.Times = r.t
	d.TimeOrigin = d.Times[0]
	for i := range d.Times {
		d.Times[i] -= d.TimeOrigin
	}
	if math.IsInf(d.Times[n-1], 0) {
		return nil, fmt.Errorf("datasets: %s: the timestamps span more than the float64 range", name)
	}
	*r = rowTable{}
	return d, nil
}

// permute returns x reordered by perm (x[perm[0]], x[perm[1]], ...), in a new slice.
func permute[T any](x []T, perm []int32) []T {
	out := make([]T, len(x))
	for i, j := range perm {
		out[i] = x[j]
	}
	return out
}

// headerCSV reads a comma-separated file whose first line names its columns (the subreddit log,
// Taobao's two files): it finds the wanted columns, splits each data line, checks its width and
// names a bad field after its header.
type headerCSV struct {
	path   string
	header [][]byte
	col    []int    // the header index of each wanted column, once the header is read
	fields [][]byte // the current line's fields (reused)
}

// bad is a RowError at line; field is 1-based (0: the whole line), named after its header.
func (h *headerCSV) bad(line, field int, format string, args ...any) *RowError {
	e := &RowError{Path: h.path, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
	if field > 0 && field <= len(h.header) {
		e.Name = strings.Trim(string(h.header[field-1]), " \t\"")
	}
	return e
}

// split cuts a data line into its fields (valid until the next call) and checks that there are as
// many as header names.
func (h *headerCSV) split(b []byte, line int) ([][]byte, *RowError) {
	h.fields = splitComma(h.fields, b)
	if len(h.fields) != len(h.header) {
		return nil, h.bad(line, 0, "%d fields, want %d as in the header", len(h.fields), len(h.header))
	}
	return h.fields, nil
}

// read reads r: the header, which must name want, then row for every non-empty line. A bad row is
// the error, or with lenient skipped and counted in rep. It returns the number of lines read; a
// file without a header leaves h.header nil.
func (h *headerCSV) read(ctx context.Context, r io.Reader, want []string, rep *LoadReport, lenient bool,
	row func(b []byte, line int) *RowError) (int, error) {
	in := newLines(r, h.path)
	for {
		b, ok, err := in.next(ctx)
		if err != nil || !ok {
			return in.n, err
		}
		if h.header == nil {
			for _, f := range splitComma(nil, b) {
				h.header = append(h.header, bytes.Clone(f))
			}
			if h.col, err = columns(h.path, h.header, want...); err != nil {
				return in.n, err
			}
			continue
		}
		if len(b) == 0 {
			continue
		}
		if e := row(b, in.n); e != nil {
			if err := badRows(rep, lenient, e); err != nil {
				return in.n, err
			}
		}
	}
}
