package datasets

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// SessionConfig controls session building, dwell censoring and filtering. Zero means the default
// stated in each comment.
type SessionConfig struct {
	Gap          float64 // seconds; JODIE data only: a gap > Gap starts a new session; default 3600 (JUMP)
	C1           float64 // seconds; dwell censoring threshold c1 of JUMP eq. 4; default 2000
	C2           float64 // seconds; censored dwell of a session's last click, c2 of eq. 4; default 30
	MinItemCount int     // items clicked fewer times are dropped; default 3 (JUMP); 1 keeps all
	MinLength    int     // sessions with fewer clicks after that are dropped; default 2 (JUMP); 1 keeps all
	FixedPoint   bool    // repeat the two filters until stable; default false: one pass, as JUMP says
}

func (c SessionConfig) withDefaults() SessionConfig {
	if c.Gap == 0 {
		c.Gap = 3600
	}
	if c.C1 == 0 {
		c.C1 = 2000
	}
	if c.C2 == 0 {
		c.C2 = 30
	}
	if c.MinItemCount == 0 {
		c.MinItemCount = 3
	}
	if c.MinLength == 0 {
		c.MinLength = 2
	}
	return c
}

func (c SessionConfig) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Gap", c.Gap}, {"C1", c.C1}, {"C2", c.C2}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("datasets: session config: field %s: %v, want a positive number of seconds", f.name, f.v)
		}
	}
	if c.MinItemCount < 1 || c.MinLength < 1 {
		return fmt.Errorf("datasets: session config: MinItemCount %d and MinLength %d must be >= 1", c.MinItemCount, c.MinLength)
	}
	return nil
}

// Session is one user's clicks in order. The slices have equal length.
type Session struct {
	ID       string    // the source's session id, or "<user id>#<n>" for sessions cut from JODIE data
	User     int32     // dense user id into Sessions.UserIDs; -1 when unknown (DIGINETICA "NA")
	Items    []int32   // dense item ids into Sessions.ItemIDs
	Times    []float64 // click times in seconds, non-decreasing (see the source for the origin)
	Dwell    []float64 // censored dwell time τ of JUMP eq. 4, seconds
	Censored []bool    // δ of eq. 4: true when Dwell is a lower bound (c1 or c2), not an observation
}

// Len is the number of clicks.
func (s *Session) Len() int { return len(s.Items) }

// Start is the time of the first click.
func (s *Session) Start() float64 { return s.Times[0] }

// Sessions is a session dataset for the dwell-time task, sorted by session start time, built as in
// JUMP (Zhou et al., IJCAI 2018):
//
//   - Sessions come either from the data (DIGINETICA's session_id, see diginetica.go) or, for JODIE
//     data, by cutting each user's stream where two consecutive interactions are more than Gap
//     apart (JUMP §5.1 groups REDDIT actions "within the time of one hour" into a session).
//   - Dwell time, JUMP §3.2 eq. 4, with Δ_k = t_{k+1} - t_k and the censoring flag
//     δ_k = 1{i_k is the last click or Δ_k >= c1}:
//     τ_k = Δ_k if i_k is not the last click and Δ_k < c1 (observed);
//     τ_k = c1  if i_k is not the last click and Δ_k >= c1 (censored: the user may have left);
//     τ_k = c2  if i_k is the last click (censored: the dwell is only known to exceed c2).
//     JUMP uses c1 = 2000 s and c2 = 30 s (§5.2). The last click's dwell is therefore never
//     observed; it is kept as the censored value c2 with Censored = true, exactly as eq. 4 says, and
//     a likelihood must use the survival term for it (eq. 6). Δ may be 0 (two clicks in the same
//     second); a model that takes log τ must offset it.
//   - Dwell is computed on the session as recorded, before the filtering below: Δ_k is the time to
//     the next click the user actually made, the moment they left item k's page, even when that next
//     click is later dropped as a rare item. So a kept click can be observed although it ends the
//     filtered session; only the last recorded click of a session gets τ = c2.
//   - Filtering, JUMP §5.1: "items ... that appear less than 3 times are discarded, and the sessions
//     with length equal to one are filtered out". Item counts are clicks over all sessions. The
//     paper describes one pass in that order, and that is the default; FixedPoint repeats both
//     steps until nothing changes (dropping sessions can push items under the threshold again).
//     Both drops are counted (SessionStats.RareClicks, ShortSessions, ShortClicks).
//   - Sessions are sorted by start time (their first kept click), stably, and split
//     chronologically by count (JUMP: 80% train, 20% test; each session wholly in one part).
//
// Bad input, the rules of issue #12:
//
//   - Unsorted times. A JODIE CSV must be sorted (a row earlier than the one before is an error
//     naming file, line and field 3, unless it is loaded with Sort, which sorts stably and counts
//     the rows out of order in the LoadReport). DIGINETICA gives each click's timeframe within its
//     session and lists clicks in no particular order: each session is sorted by timeframe, and
//     the clicks listed after a later click of their session are counted (SessionStats.OutOfOrder,
//     LoadReport.OutOfOrder). Either way a session's times never go back, so Δ_k >= 0 and a dwell
//     time is never negative; dwellJUMP asserts it, and a violation (a bug, or a Dataset built by
//     hand around Validate) is an error naming the session and click, never a negative dwell.
//   - A one-click session has no next click and its only dwell is censored (c2): nothing in it can
//     be scored. JUMP's filter drops it (MinLength 2, counted in ShortSessions); with MinLength 1 it
//     is kept and counted in SessionStats.OneClick.
//   - An item of a validation or test session that no training session clicks is kept, and ranked
//     among all items like any other (a model has an embedding row for it, never trained). JUMP
//     does not say what it did; GRU4Rec's and NARM's preprocessing (and SR-GNN's after them) drop
//     such clicks from the test sessions, then the test sessions left with one click. Keeping them
//     keeps every session's dwell times as recorded; Sessions.Unseen counts them per part, and the
//     session task reports the count in the run log.
//   - An empty training or test part is an error of Split; the session task also rejects an
//     evaluated part without a next click or an observed dwell time before training starts.
type Sessions struct {
	Name     string
	Sessions []Session
	UserIDs  []string // dense user id -> raw id, in order of first appearance
	ItemIDs  []string // dense item id -> raw id, in order of first appearance
	Config   SessionConfig
	Stats    SessionStats
}

// SessionStats counts what the filtering kept and dropped, for reports and tests. RawClicks =
// Clicks + RareClicks + ShortClicks and RawSessions = Sessions + ShortSessions.
type SessionStats struct {
	RawSessions, RawClicks, RawItems int // before filtering
	Sessions, Clicks, Items, Users   int // after (Users: distinct known users)
	Observed, Censored               int // dwell values after filtering, by censoring flag
	Passes                           int // filter passes run (1 unless FixedPoint)
	RareClicks                       int // clicks dropped: their item was clicked fewer than MinItemCount times
	ShortSessions, ShortClicks       int // sessions dropped for fewer than MinLength clicks left, and their clicks
	OneClick                         int // kept sessions of one click (MinLength 1): no next click, no observed dwell
	UserConflicts                    int // DIGINETICA: raw sessions whose rows name two known users
	OutOfOrder                       int // DIGINETICA: clicks listed after a later click of their session (sorted)
}

// String summarises the stats in one line, for the run log and `tibench datasets stats`.
func (st SessionStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d sessions (%d clicks, %d items) read", st.RawSessions, st.RawClicks, st.RawItems)
	if st.OutOfOrder > 0 {
		fmt.Fprintf(&b, ", %d clicks out of time order (sorted)", st.OutOfOrder)
	}
	if st.UserConflicts > 0 {
		fmt.Fprintf(&b, ", %d sessions naming two users (each keeps its earliest click's)", st.UserConflicts)
	}
	fmt.Fprintf(&b, "; dropped %d clicks of rare items and %d short sessions (%d clicks)", st.RareClicks, st.ShortSessions, st.ShortClicks)
	if st.Passes > 1 {
		fmt.Fprintf(&b, " in %d passes", st.Passes)
	}
	fmt.Fprintf(&b, "; kept %d sessions (%d clicks, %d items, %d known users), dwell %d observed / %d censored",
		st.Sessions, st.Clicks, st.Items, st.Users, st.Observed, st.Censored)
	if st.OneClick > 0 {
		fmt.Fprintf(&b, ", %d one-click sessions (nothing to score)", st.OneClick)
	}
	return b.String()
}

// UnseenStats counts the clicks of evaluated sessions on items that no training session clicks
// (kept and ranked among all items; see the Sessions doc).
type UnseenStats struct {
	Items   int // distinct unseen items
	Clicks  int // clicks on them
	Targets int // of those, next-click targets (not a session's first click)
}

// Unseen counts the clicks of eval on items that no session of train clicks.
func (s *Sessions) Unseen(train, eval []Session) UnseenStats {
	seen := make([]bool, s.NumItems())
	for _, x := range train {
		for _, it := range x.Items {
			seen[it] = true
		}
	}
	var u UnseenStats
	counted := make([]bool, s.NumItems())
	for _, x := range eval {
		for k, it := range x.Items {
			if seen[it] {
				continue
			}
			u.Clicks++
			if k > 0 {
				u.Targets++
			}
			if !counted[it] {
				counted[it] = true
				u.Items++
			}
		}
	}
	return u
}

// NumItems is the number of distinct items.
func (s *Sessions) NumItems() int { return len(s.ItemIDs) }

// NumUsers is the number of distinct known users.
func (s *Sessions) NumUsers() int { return len(s.UserIDs) }

// Split cuts the sessions, in start-time order, into the first round(train·n) for training, the next
// round((train+val)·n) - round(train·n) for validation and the rest for testing (JUMP: train 0.8, val
// 0). The parts are sub-slices of s.Sessions. It needs train > 0, val >= 0, train+val < 1 and a
// non-empty training and test part.
func (s *Sessions) Split(train, val float64) (tr, va, te []Session, err error) {
	n := len(s.Sessions)
	if !(train > 0 && val >= 0 && train+val < 1) {
		return nil, nil, nil, fmt.Errorf("%w: session fractions train %v, val %v: want train > 0, val >= 0, train+val < 1", ErrSplit, train, val)
	}
	a := int(math.Round(train * float64(n)))
	b := int(math.Round((train + val) * float64(n)))
	if a == 0 || b == n {
		part := "training"
		if a > 0 {
			part = "test"
		}
		return nil, nil, nil, fmt.Errorf("%w: %d sessions of %q are too few for fractions %.4g/%.4g/%.4g: the %s part is empty",
			ErrSplit, n, s.Name, train, val, 1-train-val, part)
	}
	return s.Sessions[:a:a], s.Sessions[a:b:b], s.Sessions[b:], nil
}

// rawSession is a session as read, before filtering: users and items index the source's name tables.
type rawSession struct {
	id    string
	user  int32 // -1 unknown
	items []int32
	times []float64
	dwell []float64
	cens  []bool
}

// dwellJUMP fills the dwell and censoring flags of JUMP eq. 4 for clicks at times t. Times that go
// back (or are not numbers) would give a negative dwell: the callers sort every session, so that is
// a bug, reported as an error wrapping ErrInvalid that names the click (k is 0-based).
func dwellJUMP(t []float64, c1, c2 float64) (dwell []float64, cens []bool, err error) {
	dwell = make([]float64, len(t))
	cens = make([]bool, len(t))
	for k := range t {
		switch {
		case k == len(t)-1:
			dwell[k], cens[k] = c2, true
		case !(t[k+1]-t[k] >= 0):
			return nil, nil, fmt.Errorf("%w: click %d at %v follows click %d at %v: a negative dwell time (clicks must be sorted by time)",
				ErrInvalid, k+1, t[k+1], k, t[k])
		case t[k+1]-t[k] >= c1:
			dwell[k], cens[k] = c1, true
		default:
			dwell[k] = t[k+1] - t[k]
		}
	}
	return dwell, cens, nil
}

// buildSessions computes dwell on the raw sessions, filters, sorts by start and renumbers.
func buildSessions(name string, raw []rawSession, userNames, itemNames []string, cfg SessionConfig) (*Sessions, error) {
	st := SessionStats{RawSessions: len(raw), RawItems: len(itemNames)}
	for i := range raw {
		r := &raw[i]
		var err error
		if r.dwell, r.cens, err = dwellJUMP(r.times, cfg.C1, cfg.C2); err != nil {
			return nil, fmt.Errorf("%s: session %q: %w", name, r.id, err)
		}
		st.RawClicks += len(r.items)
	}

	count := make([]int, len(itemNames))
	for {
		st.Passes++
		clear(count)
		for _, r := range raw {
			for _, it := range r.items {
				count[it]++
			}
		}
		changed := false
		kept := raw[:0]
		for _, r := range raw {
			n := 0
			for k, it := range r.items {
				if count[it] >= cfg.MinItemCount {
					r.items[n], r.times[n], r.dwell[n], r.cens[n] = it, r.times[k], r.dwell[k], r.cens[k]
					n++
				}
			}
			changed = changed || n < len(r.items)
			st.RareClicks += len(r.items) - n
			r.items, r.times, r.dwell, r.cens = r.items[:n], r.times[:n], r.dwell[:n], r.cens[:n]
			if n >= cfg.MinLength && n > 0 {
				kept = append(kept, r)
			} else {
				changed = true
				st.ShortSessions++
				st.ShortClicks += n
			}
		}
		raw = kept
		if !cfg.FixedPoint || !changed {
			break
		}
	}

	slices.SortStableFunc(raw, func(a, b rawSession) int { return cmp.Compare(a.times[0], b.times[0]) })
	out := &Sessions{Name: name, Sessions: make([]Session, len(raw)), Config: cfg}
	userDense := filledInt32(len(userNames), -1)
	itemDense := filledInt32(len(itemNames), -1)
	for i, r := range raw {
		s := Session{ID: r.id, User: -1, Items: make([]int32, len(r.items)), Times: r.times, Dwell: r.dwell, Censored: r.cens}
		if r.user >= 0 {
			if userDense[r.user] < 0 {
				userDense[r.user] = int32(len(out.UserIDs))
				out.UserIDs = append(out.UserIDs, userNames[r.user])
			}
			s.User = userDense[r.user]
		}
		for k, it := range r.items {
			if itemDense[it] < 0 {
				itemDense[it] = int32(len(out.ItemIDs))
				out.ItemIDs = append(out.ItemIDs, itemNames[it])
			}
			s.Items[k] = itemDense[it]
			if r.cens[k] {
				st.Censored++
			} else {
				st.Observed++
			}
		}
		st.Clicks += len(r.items)
		if len(r.items) == 1 {
			st.OneClick++
		}
		out.Sessions[i] = s
	}
	st.Sessions, st.Items, st.Users = len(out.Sessions), len(out.ItemIDs), len(out.UserIDs)
	out.Stats = st
	return out, nil
}

// SessionsFromDataset cuts each user's interactions in d into sessions at gaps > cfg.Gap (JUMP's
// REDDIT preprocessing), computes JUMP's censored dwell times and filters as JUMP did (see the top
// of this file). Times are d's (seconds from d's first row); session ids are "<user id>#<n>", n
// counting the user's sessions from 0 before filtering; user and item ids are d's raw ids.
//
// When d carries its source's sessions (d.Session, DIGINETICA), those are kept instead and cfg.Gap
// is not used: session ids are the source's, and a user whose id starts with AnonymousUserPrefix is
// unknown (Session.User = -1), so the result equals ReadDiginetica's but for times relative to d's
// first row.
func SessionsFromDataset(d *Dataset, cfg SessionConfig) (*Sessions, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if d.Session != nil {
		return sourceSessions(d, cfg)
	}
	open := filledInt32(d.NumUsers(), -1) // user -> index of its current session in raw
	nth := make([]int, d.NumUsers())
	var raw []rawSession
	for i, u := range d.Users {
		j := open[u]
		if j < 0 || d.Times[i]-raw[j].times[len(raw[j].times)-1] > cfg.Gap {
			raw = append(raw, rawSession{id: d.UserIDs[u] + "#" + strconv.Itoa(nth[u]), user: u})
			nth[u]++
			j = int32(len(raw) - 1)
			open[u] = j
		}
		raw[j].items = append(raw[j].items, d.Items[i])
		raw[j].times = append(raw[j].times, d.Times[i])
	}
	return buildSessions(d.Name, raw, d.UserIDs, d.ItemIDs, cfg)
}

// sourceSessions groups d's rows by d.Session, sessions in order of their first row.
func sourceSessions(d *Dataset, cfg SessionConfig) (*Sessions, error) {
	at := filledInt32(len(d.SessionIDs), -1) // source session -> index in raw
	var raw []rawSession
	for i, s := range d.Session {
		j := at[s]
		if j < 0 {
			u := d.Users[i]
			if strings.HasPrefix(d.UserIDs[u], AnonymousUserPrefix) {
				u = -1
			}
			j = int32(len(raw))
			at[s] = j
			raw = append(raw, rawSession{id: d.SessionIDs[s], user: u})
		}
		raw[j].items = append(raw[j].items, d.Items[i])
		raw[j].times = append(raw[j].times, d.Times[i])
	}
	return buildSessions(d.Name, raw, d.UserIDs, d.ItemIDs, cfg)
}
