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
// CIKM16 dataset of JUMP).
const DigineticaHeader = "session_id;user_id;item_id;timeframe;eventdate"

var digineticaFields = [5]string{"session_id", "user_id", "item_id", "timeframe", "eventdate"}

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
// Clicks are ordered by timeframe (the file is not), stably. A session's rows need not be
// contiguous. user_id "NA" is an unknown user. A session's user is the user_id of its earliest click
// that names one (Session.User = -1 when all say "NA"); rows of one session may name different users
// (the public sample has two such sessions, 1691 and 2998): the session keeps the earliest and
// Stats.UserConflicts counts them. cfg.Gap is not used: the file gives the sessions. Bad input is
// an error naming file:line: field N (name): reason, wrapping ErrBadRow.
func ReadDiginetica(ctx context.Context, r io.Reader, name string, cfg SessionConfig) (*Sessions, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
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
	bad := func(line, field int, format string, args ...any) error {
		e := &RowError{Path: name, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
		if field > 0 {
			e.Name = digineticaFields[field-1]
		}
		return e
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
			if string(b) != DigineticaHeader {
				return nil, bad(1, 0, "header %s, want %q", quote(b), DigineticaHeader)
			}
			continue
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue // blank lines, e.g. a trailing one
		}
		f := bytes.Split(b, []byte(";"))
		if len(f) != 5 {
			return nil, bad(line, 0, "%d fields, want 5 separated by ';' (%s)", len(f), DigineticaHeader)
		}
		for k, v := range f {
			if len(v) == 0 {
				return nil, bad(line, k+1, "empty")
			}
		}
		ms, err := strconv.ParseInt(string(f[3]), 10, 64)
		if err != nil || ms < 0 || ms > 1e15 {
			return nil, bad(line, 4, "%s is not a number of milliseconds in [0, 1e15]", quote(f[3]))
		}
		day, ok := days[string(f[4])]
		if !ok {
			t, err := time.Parse(time.DateOnly, string(f[4]))
			if err != nil {
				return nil, bad(line, 5, "%s is not a date YYYY-MM-DD", quote(f[4]))
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
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("datasets: reading %s line %d: %w", name, line+1, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("%w in %s: the file is empty (want the header %q, then rows)", ErrNoRows, name, DigineticaHeader)
	}
	if len(sessions) == 0 {
		return nil, fmt.Errorf("%w in %s: only a header line", ErrNoRows, name)
	}

	raw := make([]rawSession, len(sessions))
	conflicts := 0
	for i, s := range sessions {
		c := s.clicks
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
			conflicts++
		}
		raw[i] = r
	}
	out := buildSessions(name, raw, userNames, itemNames, cfg)
	out.Stats.UserConflicts = conflicts
	return out, nil
}
