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
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The JODIE CSV format (the files read by srijankr/jodie, which skips the header, renumbers user
// and item ids in order of first appearance and expects the rows already sorted by time): a header
// line, then one interaction per line,
//
//	user_id,item_id,timestamp,state_label,f1,...,fk
//
// The published files' header has only five names (the fifth is "comma_separated_list_of_features")
// while the rows have 4+k fields, so the feature width k is fixed by the first data row and feature
// names come from the header only when it has exactly 4+k names.

// LoadOptions controls ReadCSV and LoadCSV. The zero value is strict and does not sort.
type LoadOptions struct {
	// Lenient skips bad rows instead of failing; the LoadReport counts them and keeps the first
	// MaxReportedProblems. Default false: the first bad row is an error.
	Lenient bool
	// Sort stably sorts the rows by time instead of rejecting a row earlier than its predecessor
	// (the original JODIE loader does neither: it assumes a sorted file). Default false.
	Sort bool
	// Name is the Dataset's name. Default: the file's base name without extension (LoadCSV) or the
	// name passed to ReadCSV.
	Name string
}

// MaxReportedProblems is how many skipped rows a LoadReport describes individually.
const MaxReportedProblems = 10

// LoadReport describes what a load did.
type LoadReport struct {
	Path      string      // file path or name used in messages
	Lines     int         // lines read, header and blank lines included
	Rows      int         // interactions loaded
	Skipped   int         // bad rows skipped (Lenient only)
	Problems  []*RowError // the first MaxReportedProblems skipped rows, in file order
	Reordered bool        // Sort moved at least one row (DIGINETICA: a session's clicks were sorted)
	// OutOfOrder counts the rows listed after a later row (with Sort; a strict load fails on the
	// first): the rows sorting moved. DIGINETICA: the clicks listed after a later click of their
	// session, whose clicks are always sorted by timeframe.
	OutOfOrder int
	// UserConflicts counts the sessions whose rows name two known users (DIGINETICA only; the
	// session keeps its earliest click's user).
	UserConflicts int
	// Notes are a converter's other findings worth a line, e.g. how many items got
	// UnknownCategory; the registry's non-JODIE sources only.
	Notes []string
}

// String summarises the report in one line.
func (r *LoadReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d rows from %d lines", r.Path, r.Rows, r.Lines)
	if r.Reordered {
		fmt.Fprintf(&b, ", sorted by time (%d out of order)", r.OutOfOrder)
	}
	if r.UserConflicts > 0 {
		fmt.Fprintf(&b, ", %d sessions naming two users (each keeps its earliest click's)", r.UserConflicts)
	}
	for _, n := range r.Notes {
		b.WriteString(", " + n)
	}
	if r.Skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", r.Skipped)
		for i, p := range r.Problems {
			sep := "; "
			if i == 0 {
				sep = " ("
			}
			fmt.Fprintf(&b, "%sline %d: %s", sep, p.Line, p.detail())
		}
		if len(r.Problems) > 0 {
			if r.Skipped > len(r.Problems) {
				b.WriteString("; ...")
			}
			b.WriteString(")")
		}
	}
	return b.String()
}

// ErrBadRow is wrapped by every RowError.
var ErrBadRow = errors.New("datasets: bad row")

// ErrNoRows is returned for an empty file, a header without data, or (Lenient) a file whose
// rows were all skipped.
var ErrNoRows = errors.New("datasets: no data rows")

// RowError locates bad input: "PATH:LINE: field N (NAME): reason". Field is 1-based; 0 means
// the line as a whole, or, with Name set, the field of that name in a JSON object per line
// ("PATH:LINE: field NAME: reason").
type RowError struct {
	Path   string
	Line   int
	Field  int
	Name   string
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.detail()) }

func (e *RowError) detail() string {
	if e.Field == 0 && e.Name != "" {
		return fmt.Sprintf("field %s: %s", e.Name, e.Reason)
	}
	if e.Field == 0 {
		return e.Reason
	}
	return fmt.Sprintf("field %d (%s): %s", e.Field, e.Name, e.Reason)
}

// Unwrap lets errors.Is(err, ErrBadRow) match.
func (e *RowError) Unwrap() error { return ErrBadRow }

// loadPath opens the file at path and reads it with read (one of the Read* functions of a format),
// naming the Dataset after the file without its extension unless opt.Name is set.
func loadPath(ctx context.Context, path string, opt LoadOptions,
	read func(context.Context, io.Reader, string, LoadOptions) (*Dataset, *LoadReport, error)) (*Dataset, *LoadReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return read(ctx, f, path, opt)
}

// LoadCSV reads a JODIE-format file. See ReadCSV.
func LoadCSV(ctx context.Context, path string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return loadPath(ctx, path, opt, ReadCSV)
}

// ReadCSV reads JODIE-format interactions from r, streaming. name is used in error messages
// (as PATH) and, unless opt.Name is set, as the Dataset's name.
//
// Ids are arbitrary strings renumbered in order of first appearance, users and items separately;
// timestamps become seconds relative to the first row; lines may end in LF or CRLF; empty lines
// are ignored. The first line is always the header, as in the original loader; a first line that
// looks like data is an error (Lenient: skipped and reported). ctx is checked every few thousand rows.
func ReadCSV(ctx context.Context, r io.Reader, name string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = name
	}
	p := parser{path: name, opt: opt, rep: &LoadReport{Path: name}, width: -1}
	p.users = make(map[string]int32)
	p.items = make(map[string]int32)
	d, err := p.run(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	return d, p.rep, nil
}

// ctxEvery is how many lines pass between context checks.
const ctxEvery = 4096

// maxLine bounds one line; Reddit's 172-feature rows are a few KB.
const maxLine = 64 << 20

type parser struct {
	path string
	opt  LoadOptions
	rep  *LoadReport

	header []string // header names (trimmed)
	width  int      // feature width, -1 until the first data row fixes it
	names  []string // feature names, len == width once fixed

	users, items     map[string]int32
	userIDs, itemIDs []string

	d        Dataset
	rawTimes []float64 // absolute timestamps; made relative at the end
	sorted   bool      // rows so far are non-decreasing in time
	latest   float64   // the latest time so far (rows earlier than it are out of order)

	fields [][]byte  // reused field views into the current line
	feat   []float32 // reused feature buffer of the current row
}

func (p *parser) run(ctx context.Context, r io.Reader) (*Dataset, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256<<10), maxLine)
	p.sorted = true
	line := 0
	sawHeader := false
	for sc.Scan() {
		line++
		if line%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("datasets: loading %s: %w", p.path, err)
			}
		}
		b := sc.Bytes() // ScanLines already dropped "\n" and a trailing "\r"
		if !sawHeader {
			sawHeader = true
			if err := p.readHeader(b); err != nil {
				if !p.opt.Lenient {
					return nil, err
				}
				p.skip(err)
			}
			continue
		}
		if len(b) == 0 {
			continue
		}
		if err := p.row(b, line); err != nil {
			if !p.opt.Lenient {
				return nil, err
			}
			p.skip(err)
		}
	}
	p.rep.Lines = line
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &RowError{Path: p.path, Line: line + 1, Reason: fmt.Sprintf("line longer than %d MiB", maxLine>>20)}
		}
		return nil, fmt.Errorf("datasets: reading %s: %w", p.path, err)
	}
	switch {
	case line == 0:
		return nil, fmt.Errorf("%w in %s: the file is empty (want a header line, then user,item,timestamp,label[,features] rows)", ErrNoRows, p.path)
	case p.d.Len() == 0 && p.rep.Skipped > 0:
		return nil, fmt.Errorf("%w in %s: all %d rows were skipped; first: %v", ErrNoRows, p.path, p.rep.Skipped, p.rep.Problems[0])
	case p.d.Len() == 0:
		return nil, fmt.Errorf("%w in %s: only a header line", ErrNoRows, p.path)
	}
	return p.finish()
}

func (p *parser) skip(err error) {
	p.rep.Skipped++
	var re *RowError
	if len(p.rep.Problems) < MaxReportedProblems && errors.As(err, &re) {
		p.rep.Problems = append(p.rep.Problems, re)
	}
}

// split cuts line at commas into p.fields without copying.
func (p *parser) split(line []byte) [][]byte {
	f := p.fields[:0]
	for {
		i := bytes.IndexByte(line, ',')
		if i < 0 {
			f = append(f, line)
			break
		}
		f = append(f, line[:i])
		line = line[i+1:]
	}
	p.fields = f
	return f
}

var baseNames = [4]string{"user_id", "item_id", "timestamp", "state_label"}

func (p *parser) readHeader(b []byte) error {
	f := p.split(b)
	for _, x := range f {
		p.header = append(p.header, strings.TrimSpace(string(x)))
	}
	// A header whose timestamp and label parse as data means the file probably has no header,
	// and the original loader would silently drop its first interaction.
	if len(f) >= 4 && len(f[0]) > 0 && len(f[1]) > 0 {
		t, err1 := strconv.ParseFloat(string(f[2]), 64)
		l, err2 := strconv.ParseFloat(string(f[3]), 64)
		if err1 == nil && err2 == nil && !math.IsInf(t, 0) && !math.IsNaN(t) && (l == 0 || l == 1) {
			return &RowError{Path: p.path, Line: 1, Reason: "the first line looks like data, but JODIE files start with a header line (user_id,item_id,timestamp,state_label,...)"}
		}
	}
	return nil
}

// fieldName names 1-based field n for messages.
func (p *parser) fieldName(n int) string {
	switch {
	case n <= 4 && n <= len(p.header) && p.header[n-1] != "":
		return p.header[n-1]
	case n <= 4:
		return baseNames[n-1]
	case p.width >= 0 && n-4 <= p.width:
		return p.names[n-5]
	}
	return "extra"
}

func (p *parser) bad(line, field int, format string, args ...any) *RowError {
	return &RowError{Path: p.path, Line: line, Field: field, Name: p.fieldName(field), Reason: fmt.Sprintf(format, args...)}
}

// jodiePlaceholder is the fifth header name of the published JODIE files; it names no feature,
// even when a file has exactly one feature column.
const jodiePlaceholder = "comma_separated_list_of_features"

// fixWidth sets the feature width from the first data row and names the features.
func (p *parser) fixWidth(k int) {
	p.width = k
	if k == 0 {
		return // Features and FeatureNames stay nil
	}
	p.names = make([]string, k)
	for j := range k {
		p.names[j] = "f" + strconv.Itoa(j+1)
		if len(p.header) == 4+k && p.header[4+j] != "" && p.header[4+j] != jodiePlaceholder {
			p.names[j] = p.header[4+j]
		}
	}
	p.feat = make([]float32, k)
}

// quote shows a bad field, shortened.
func quote(b []byte) string {
	const max = 40
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// row parses one data line. Every field is checked before any id is registered, so a skipped
// row leaves no trace in the id maps.
func (p *parser) row(b []byte, line int) error {
	f := p.split(b)
	if p.width < 0 {
		if len(f) < 4 {
			return p.bad(line, len(f)+1, "missing (row has %d fields, want at least 4)", len(f))
		}
		p.fixWidth(len(f) - 4)
	}
	want := 4 + p.width
	switch {
	case len(f) < want:
		return p.bad(line, len(f)+1, "missing (row has %d fields, want %d as in the first data row)", len(f), want)
	case len(f) > want:
		return p.bad(line, want+1, "unexpected (row has %d fields, want %d as in the first data row)", len(f), want)
	}
	for n := 1; n <= 2; n++ {
		if len(f[n-1]) == 0 {
			return p.bad(line, n, "empty id")
		}
	}
	t, err := strconv.ParseFloat(string(f[2]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return p.bad(line, 3, "%s is not a number", quote(f[2]))
	}
	if math.IsInf(t, 0) || math.IsNaN(t) {
		return p.bad(line, 3, "%s is not finite", quote(f[2]))
	}
	l, err := strconv.ParseFloat(string(f[3]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return p.bad(line, 4, "%s is not a number", quote(f[3]))
	}
	if l != 0 && l != 1 {
		return p.bad(line, 4, "%s is not 0 or 1", quote(f[3]))
	}
	for j := range p.width {
		x := f[4+j]
		v, err := strconv.ParseFloat(string(x), 32)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return p.bad(line, 5+j, "%s is not a number", quote(x))
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return p.bad(line, 5+j, "%s is not a finite float32", quote(x))
		}
		p.feat[j] = float32(v)
	}
	outOfOrder := false
	if n := len(p.rawTimes); n > 0 {
		prev := p.rawTimes[n-1]
		if t < prev && !p.opt.Sort {
			return p.bad(line, 3, "%s is earlier than the previous row's %s (rows must be sorted by time; load with Sort to reorder)",
				quote(f[2]), strconv.FormatFloat(prev, 'g', -1, 64))
		}
		outOfOrder = t < p.latest
		if math.IsInf(t-p.rawTimes[0], 0) {
			return p.bad(line, 3, "%s minus the first row's time overflows float64", quote(f[2]))
		}
	}
	if len(p.users) >= math.MaxInt32 || len(p.items) >= math.MaxInt32 {
		return p.bad(line, 1, "more than %d distinct ids", math.MaxInt32)
	}
	u, ok := p.users[string(f[0])]
	if !ok {
		u = int32(len(p.userIDs))
		id := string(f[0])
		p.users[id] = u
		p.userIDs = append(p.userIDs, id)
	}
	it, ok := p.items[string(f[1])]
	if !ok {
		it = int32(len(p.itemIDs))
		id := string(f[1])
		p.items[id] = it
		p.itemIDs = append(p.itemIDs, id)
	}
	if outOfOrder {
		p.sorted = false
		p.rep.OutOfOrder++
	}
	if len(p.rawTimes) == 0 || t > p.latest {
		p.latest = t
	}
	p.d.Users = append(p.d.Users, u)
	p.d.Items = append(p.d.Items, it)
	p.rawTimes = append(p.rawTimes, t)
	p.d.Labels = append(p.d.Labels, uint8(l))
	p.d.Features = append(p.d.Features, p.feat...)
	return nil
}

func (p *parser) finish() (*Dataset, error) {
	d := &p.d
	d.Name = p.opt.Name
	d.FeatureDim = p.width
	d.FeatureNames = p.names
	d.UserIDs = p.userIDs
	d.ItemIDs = p.itemIDs
	d.Times = p.rawTimes
	if !p.sorted {
		sortByTime(d)
		p.rep.Reordered = true
	}
	t0 := d.Times[0]
	for i := range d.Times {
		d.Times[i] -= t0
	}
	d.TimeOrigin = t0
	if math.IsInf(d.Times[len(d.Times)-1], 0) {
		return nil, fmt.Errorf("datasets: %s: the timestamps span more than the float64 range", p.path)
	}
	p.rep.Rows = d.Len()
	return d, nil
}

// sortByTime stably sorts d's rows by time and renumbers users and items so that dense ids stay
// in order of first appearance.
func sortByTime(d *Dataset) {
	n := d.Len()
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(a, b int32) int { return cmp.Compare(d.Times[a], d.Times[b]) })
	users, items := make([]int32, n), make([]int32, n)
	times, labels := make([]float64, n), make([]uint8, n)
	var feats []float32
	if d.FeatureDim > 0 {
		feats = make([]float32, len(d.Features))
	}
	k := d.FeatureDim
	for i, j := range perm {
		users[i], items[i], times[i], labels[i] = d.Users[j], d.Items[j], d.Times[j], d.Labels[j]
		copy(feats[i*k:(i+1)*k], d.Features[int(j)*k:(int(j)+1)*k])
	}
	d.Users, d.UserIDs = renumber(users, d.UserIDs)
	d.Items, d.ItemIDs = renumber(items, d.ItemIDs)
	d.Times, d.Labels, d.Features = times, labels, feats
}

// renumber rewrites ids in place into order of first appearance and permutes raw accordingly.
func renumber(ids []int32, raw []string) ([]int32, []string) {
	m := make([]int32, len(raw))
	for i := range m {
		m[i] = -1
	}
	out := make([]string, 0, len(raw))
	for i, old := range ids {
		if m[old] < 0 {
			m[old] = int32(len(out))
			out = append(out, raw[old])
		}
		ids[i] = m[old]
	}
	return ids, out
}

// WriteCSV writes d in the JODIE format with a full header (user_id,item_id,timestamp,state_label
// and the feature names). Numbers use strconv's shortest 'g' form, so loading the output gives back
// d exactly when d is what the loader produces (ids dense in order of first appearance, every id
// used, Times[0] == 0), but for TimeOrigin: the times are written relative to the first row, so the
// output loads with TimeOrigin 0. Ids and names must not contain commas or line breaks.
func WriteCSV(w io.Writer, d *Dataset) error {
	if err := d.Validate(); err != nil {
		return err
	}
	names := d.FeatureNames
	if len(names) != d.FeatureDim {
		names = make([]string, d.FeatureDim)
		for j := range names {
			names[j] = "f" + strconv.Itoa(j+1)
		}
	}
	for _, s := range names {
		if strings.ContainsAny(s, ",\r\n") {
			return fmt.Errorf("datasets: writing %q: feature name %q contains a comma or line break", d.Name, s)
		}
	}
	for _, ids := range [][]string{d.UserIDs, d.ItemIDs} {
		for _, s := range ids {
			if s == "" || strings.ContainsAny(s, ",\r\n") {
				return fmt.Errorf("datasets: writing %q: id %q is empty or contains a comma or line break", d.Name, s)
			}
		}
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(strings.Join(baseNames[:], ","))
	for _, s := range names {
		bw.WriteByte(',')
		bw.WriteString(s)
	}
	bw.WriteByte('\n')
	var buf []byte
	for i := range d.Len() {
		buf = buf[:0]
		buf = append(buf, d.UserIDs[d.Users[i]]...)
		buf = append(buf, ',')
		buf = append(buf, d.ItemIDs[d.Items[i]]...)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, d.Times[i], 'g', -1, 64)
		buf = append(buf, ',', '0'+d.Labels[i])
		for _, v := range d.Feature(i) {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("datasets: writing %q: %w", d.Name, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("datasets: writing %q: %w", d.Name, err)
	}
	return nil
}
