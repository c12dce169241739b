package datasets

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
)

// DigineticaHeader is the header line of DIGINETICA's train-item-views.csv (CIKM Cup 2016, the
// CIKM16 dataset of JUMP) as the public sample spells it; the file in the Cup's
// dataset-train-diginetica.zip says DigineticaHeaderCIKM. Both are read alike.
const DigineticaHeader = "session_id;user_id;item_id;timeframe;eventdate"

// DigineticaHeaderCIKM is the header line of train-item-views.csv in dataset-train-diginetica.zip.
const DigineticaHeaderCIKM = "sessionId;userId;itemId;timeframe;eventdate"

var digineticaFields = [5]string{"session_id", "user_id", "item_id", "timeframe", "eventdate"}

// isDigineticaHeader reports whether a first line (byte-order mark and "\r" removed) is either
// spelling of DIGINETICA's header.
func isDigineticaHeader(b []byte) bool {
	return string(b) == DigineticaHeader || string(b) == DigineticaHeaderCIKM
}

// LoadDiginetica reads a DIGINETICA item-views file. See ReadDiginetica.
func LoadDiginetica(ctx context.Context, path string, cfg SessionConfig) (*Sessions, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	return ReadDiginetica(ctx, f, path, cfg)
}

// ReadDiginetica reads `session_id;user_id;item_id;timeframe;eventdate` rows (header first) into
// sessions with JUMP's dwell times and filtering (see sessions.go); name is used in errors and as the
// Sessions' name.
//
// Times. timeframe is milliseconds since the session's start and eventdate the day of the click.
// A click's time is the Unix time (seconds, UTC) of the session's day, taken as the eventdate of the
// session's earliest click (smallest timeframe), plus timeframe/1000. Adding each row's own
// eventdate instead would put a day-long jump inside the sessions that cross midnight (the public
// sample has two: in session 629 the clicks 12 minutes after the start are dated the next day). The
// time of day at which a session started is not in the data, so sessions of one day start at its
// midnight plus their first timeframe; sorting by start is therefore exact across days and
// approximate within one.
//
// Clicks are ordered by timeframe (the file is not), stably; Stats.OutOfOrder counts the clicks
// listed after a later click of their session. A session's rows need not be contiguous. user_id "NA" is an unknown user. A session's user is the user_id of its earliest click
// that names one (Session.User = -1 when all say "NA"); rows of one session may name different users
// (the public sample has two such sessions, 1691 and 2998): the session keeps the earliest and
// Stats.UserConflicts counts them. Sessions are ordered by their recorded start (file order among
// equal starts) before filtering, so that this and SessionsFromDataset(ReadDigineticaDataset(...))
// give the same sessions. cfg.Gap is not used: the file gives the sessions. Bad input is an error
// naming file:line: field N (name): reason, wrapping ErrBadRow.
func ReadDiginetica(ctx context.Context, r io.Reader, name string, cfg SessionConfig) (*Sessions, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	f, err := parseDiginetica(ctx, r, name, &LoadReport{Path: name}, false)
	if err != nil {
		return nil, err
	}
	out, err := buildSessions(name, f.raw, f.userNames, f.itemNames, cfg)
	if err != nil {
		return nil, err
	}
	out.Stats.UserConflicts, out.Stats.OutOfOrder = f.conflicts, f.outOfOrder
	return out, nil
}

// AnonymousUserPrefix starts the user id that ReadDigineticaDataset gives a session whose rows all
// say user_id "NA": "NA:" + the session id, one anonymous user per session.
const AnonymousUserPrefix = "NA:"

// LoadDigineticaDataset reads a DIGINETICA item-views file as an interaction log. See
// ReadDigineticaDataset.
func LoadDigineticaDataset(ctx context.Context, path string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	return loadPath(ctx, path, opt, ReadDigineticaDataset)
}

// ReadDigineticaDataset reads a DIGINETICA item-views file (see ReadDiginetica for its times, click
// order and users) as a Dataset, so that every task can run on it: one row per click, no state
// labels, no features, rows sorted by time (rep.OutOfOrder counts the clicks listed after a later
// click of their session, as ReadDiginetica's stats). The file's sessions are kept (Dataset.Session), and the
// session task uses them instead of the gap rule (SessionsFromDataset). A session's rows all take
// the session's user; a session without a known user is an anonymous user of its own, id
// AnonymousUserPrefix + session id (for the CTR task, one history per anonymous session).
// rep.UserConflicts counts the sessions whose rows name two known users.
//
// opt.Lenient skips bad rows (counted and reported in the LoadReport, as LoadCSV does); a wrong
// header is always an error. opt.Sort is not needed: the rows are always sorted.
func ReadDigineticaDataset(ctx context.Context, r io.Reader, name string, opt LoadOptions) (*Dataset, *LoadReport, error) {
	if opt.Name == "" {
		opt.Name = name
	}
	rep := &LoadReport{Path: name}
	f, err := parseDiginetica(ctx, r, name, rep, opt.Lenient)
	if err != nil {
		return nil, nil, err
	}
	d := &Dataset{Name: opt.Name}
	userNames := slices.Clone(f.userNames)
	var rowUser, rowItem, rowSession []int32
	var rowTime []float64
	for si, s := range f.raw {
		u := s.user
		if u < 0 {
			u = int32(len(userNames))
			userNames = append(userNames, AnonymousUserPrefix+s.id)
		}
		d.SessionIDs = append(d.SessionIDs, s.id)
		for k, it := range s.items {
			rowUser, rowItem, rowTime = append(rowUser, u), append(rowItem, it), append(rowTime, s.times[k])
			rowSession = append(rowSession, int32(si))
		}
	}
	// f.raw is in start order, so a stable sort by time keeps the sessions' order among equal times.
	perm := make([]int, len(rowTime))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int { return cmp.Compare(rowTime[a], rowTime[b]) })
	n := len(perm)
	d.Users, d.Items, d.Times, d.Session = make([]int32, n), make([]int32, n), make([]float64, n), make([]int32, n)
	d.Labels = make([]uint8, n)
	for i, j := range perm {
		d.Users[i], d.Items[i], d.Times[i], d.Session[i] = rowUser[j], rowItem[j], rowTime[j], rowSession[j]
	}
	d.Users, d.UserIDs = renumber(d.Users, userNames)
	d.Items, d.ItemIDs = renumber(d.Items, f.itemNames)
	d.Session, d.SessionIDs = renumber(d.Session, d.SessionIDs)
	d.TimeOrigin = d.Times[0]
	for i := range d.Times {
		d.Times[i] -= d.TimeOrigin
	}
	rep.Rows = n
	rep.UserConflicts = f.conflicts
	rep.OutOfOrder, rep.Reordered = f.outOfOrder, f.outOfOrder > 0
	return d, rep, nil
}

// digineticaFile is a parsed item-views file: its sessions in order of recorded start (file order
// among equal starts), clicks in timeframe order, dwell not yet computed.
type digineticaFile struct {
	raw                  []rawSession
	userNames, itemNames []string
	conflicts            int // sessions whose rows name two known users
	outOfOrder           int // clicks listed after a later click of their session
}

// parseDiginetica reads the rows; lenient skips bad rows into rep instead of failing.
func parseDiginetica(ctx context.Context, r io.Reader, name string, rep *LoadReport, lenient bool) (*digineticaFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)

	type click struct {
		item  int32
		user  int32 // -1 for "NA"
		ms    int64
		day   int64 // Unix seconds of the eventdate
		order int   // line, for a stable order among equal timeframes
	}
	type sess struct {
		id     string
		clicks []click
	}
	var (
		sessions  []*sess
		byID      = map[string]*sess{}
		userIdx   = map[string]int32{}
		itemIdx   = map[string]int32{}
		userNames []string
		itemNames []string
		days      = map[string]int64{} // eventdate string -> Unix seconds (few distinct days)
	)
	bad := func(line, field int, format string, args ...any) *RowError {
		e := &RowError{Path: name, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
		if field > 0 {
			e.Name = digineticaFields[field-1]
		}
		return e
	}
	// row parses one data line; it changes nothing when the line is bad.
	row := func(b []byte, line int) *RowError {
		f := bytes.Split(b, []byte(";"))
		if len(f) != 5 {
			return bad(line, 0, "%d fields, want 5 separated by ';' (%s)", len(f), DigineticaHeader)
		}
		for k, v := range f {
			if len(v) == 0 {
				return bad(line, k+1, "empty")
			}
		}
		ms, err := strconv.ParseInt(string(f[3]), 10, 64)
		if err != nil || ms < 0 || ms > 1e15 {
			return bad(line, 4, "%s is not a number of milliseconds in [0, 1e15]", quote(f[3]))
		}
		day, ok := days[string(f[4])]
		if !ok {
			t, err := time.Parse(time.DateOnly, string(f[4]))
			if err != nil {
				return bad(line, 5, "%s is not a date YYYY-MM-DD", quote(f[4]))
			}
			day = t.Unix()
			days[string(f[4])] = day
		}
		user := int32(-1)
		if u := string(f[1]); u != "NA" {
			j, ok := userIdx[u]
			if !ok {
				j = int32(len(userNames))
				userIdx[u] = j
				userNames = append(userNames, u)
			}
			user = j
		}
		it, ok := itemIdx[string(f[2])]
		if !ok {
			it = int32(len(itemNames))
			itemIdx[string(f[2])] = it
			itemNames = append(itemNames, string(f[2]))
		}
		s := byID[string(f[0])]
		if s == nil {
			s = &sess{id: string(f[0])}
			byID[s.id] = s
			sessions = append(sessions, s)
		}
		s.clicks = append(s.clicks, click{item: it, user: user, ms: ms, day: day, order: line})
		return nil
	}

	line := 0
	for sc.Scan() {
		line++
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("datasets: loading %s: %w", name, err)
			}
		}
		b := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
			if !isDigineticaHeader(b) {
				return nil, bad(1, 0, "header %s, want %q or %q", quote(b), DigineticaHeader, DigineticaHeaderCIKM)
			}
			continue
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue // blank lines, e.g. a trailing one
		}
		if e := row(b, line); e != nil {
			if !lenient {
				return nil, e
			}
			rep.Skipped++
			if len(rep.Problems) < MaxReportedProblems {
				rep.Problems = append(rep.Problems, e)
			}
		}
	}
	rep.Lines = line
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("datasets: reading %s line %d: %w", name, line+1, err)
	}
	switch {
	case line == 0:
		return nil, fmt.Errorf("%w in %s: the file is empty (want the header %q, then rows)", ErrNoRows, name, DigineticaHeader)
	case len(sessions) == 0 && rep.Skipped > 0:
		return nil, fmt.Errorf("%w in %s: all %d rows were skipped; first: %v", ErrNoRows, name, rep.Skipped, rep.Problems[0])
	case len(sessions) == 0:
		return nil, fmt.Errorf("%w in %s: only a header line", ErrNoRows, name)
	}

	out := &digineticaFile{raw: make([]rawSession, len(sessions)), userNames: userNames, itemNames: itemNames}
	for i, s := range sessions {
		c := s.clicks
		latest := int64(-1)
		for _, x := range c {
			if x.ms < latest {
				out.outOfOrder++
			}
			latest = max(latest, x.ms)
		}
		slices.SortFunc(c, func(a, b click) int { return cmp.Or(cmp.Compare(a.ms, b.ms), cmp.Compare(a.order, b.order)) })
		day := c[0].day
		r := rawSession{id: s.id, user: -1, items: make([]int32, len(c)), times: make([]float64, len(c))}
		conflict := false
		for k, x := range c {
			r.items[k] = x.item
			r.times[k] = float64(day) + float64(x.ms)/1000
			switch {
			case x.user < 0:
			case r.user < 0:
				r.user = x.user
			case r.user != x.user:
				conflict = true
			}
		}
		if conflict {
			out.conflicts++
		}
		out.raw[i] = r
	}
	slices.SortStableFunc(out.raw, func(a, b rawSession) int { return cmp.Compare(a.times[0], b.times[0]) })
	return out, nil
}
