package datasets

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestSessionBadInput has one row per bad-input case of the session task (issue #12): each is an
// error naming the file, line and field, or a documented rule whose count the row checks. The
// task-level rules (an evaluated part without a next click or an observed dwell, MAE over zero
// clicks, the run log) are checked in bench and internal/pipeline.
func TestSessionBadInput(t *testing.T) {
	ctx := context.Background()
	const csvHeader = "user_id,item_id,timestamp,state_label\n"
	for _, tc := range []struct {
		name string
		// run returns the error, or a description of the counts that must equal want.
		run  func() (string, error)
		want string // the error contains it, or the counts equal it
	}{
		{"unsorted times, JODIE CSV: an error naming file, line and field", func() (string, error) {
			_, _, err := ReadCSV(ctx, strings.NewReader(csvHeader+"a,x,10,0\nb,y,5,0\n"), "s.csv", LoadOptions{})
			return "", err
		}, `s.csv:3: field 3 (timestamp): "5" is earlier than the previous row's 10`},
		{"unsorted times, JODIE CSV with Sort: sorted and counted", func() (string, error) {
			_, rep, err := ReadCSV(ctx, strings.NewReader(csvHeader+"a,x,10,0\nb,y,5,0\nc,y,7,0\nd,x,12,0\n"), "s.csv", LoadOptions{Sort: true})
			if err != nil {
				return "", err
			}
			return rep.String(), nil
		}, "s.csv: 4 rows from 5 lines, sorted by time (2 out of order)"},
		{"unsorted times, DIGINETICA: each session sorted by timeframe, counted", func() (string, error) {
			s, err := ReadDiginetica(ctx, strings.NewReader(handDiginetica), "hand.csv", SessionConfig{MinItemCount: 1, MinLength: 1})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("out of order %d", s.Stats.OutOfOrder), nil
		}, "out of order 1"},
		{"negative dwell: a Dataset whose times go back is invalid, never a negative dwell", func() (string, error) {
			d := &Dataset{Name: "back", Users: []int32{0, 0}, Items: []int32{0, 1}, Times: []float64{10, 5},
				Labels: make([]uint8, 2), UserIDs: []string{"u"}, ItemIDs: []string{"x", "y"}}
			_, err := SessionsFromDataset(d, SessionConfig{MinItemCount: 1, MinLength: 1})
			return "", err
		}, `invalid dataset "back": row 1: time 5 before previous 10`},
		{"negative dwell: asserted where dwell is computed", func() (string, error) {
			raw := []rawSession{{id: "s1", user: -1, items: []int32{0, 0}, times: []float64{10, 5}}}
			_, err := buildSessions("raw", raw, nil, []string{"x"}, SessionConfig{}.withDefaults())
			return "", err
		}, `raw: session "s1": datasets: invalid dataset: click 1 at 5 follows click 0 at 10: a negative dwell time`},
		{"one-click session, JUMP's filter: dropped and counted", func() (string, error) {
			s, err := ReadDiginetica(ctx, strings.NewReader(handDiginetica), "hand.csv", SessionConfig{MinItemCount: 1})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("sessions %d, short %d (%d clicks), one-click %d", s.Stats.Sessions, s.Stats.ShortSessions, s.Stats.ShortClicks, s.Stats.OneClick), nil
		}, "sessions 3, short 0 (0 clicks), one-click 0"},
		{"one-click session, rare item removed first: dropped and counted", func() (string, error) {
			s, err := ReadDiginetica(ctx, strings.NewReader(handDiginetica), "hand.csv", SessionConfig{})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("sessions %d, rare clicks %d, short %d (%d clicks), one-click %d", s.Stats.Sessions, s.Stats.RareClicks, s.Stats.ShortSessions, s.Stats.ShortClicks, s.Stats.OneClick), nil
		}, "sessions 2, rare clicks 2, short 1 (1 clicks), one-click 0"},
		{"one-click session with min length 1: kept and counted", func() (string, error) {
			s, err := ReadDiginetica(ctx, strings.NewReader(DigineticaHeader+"\n1;NA;a;0;2016-01-01\n2;NA;a;0;2016-01-01\n2;NA;b;5;2016-01-01\n"), "one.csv",
				SessionConfig{MinItemCount: 1, MinLength: 1})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("sessions %d, one-click %d", s.Stats.Sessions, s.Stats.OneClick), nil
		}, "sessions 2, one-click 1"},
		{"unknown item in test: kept and counted", func() (string, error) {
			// Sessions in start order: 1 (a b), 2 (a b), 3 (c a c): c is clicked only in the test
			// session, twice, once as a next-click target.
			in := DigineticaHeader + "\n1;NA;a;0;2016-01-01\n1;NA;b;1000;2016-01-01\n2;NA;a;2000;2016-01-01\n2;NA;b;3000;2016-01-01\n" +
				"3;NA;c;4000;2016-01-01\n3;NA;a;5000;2016-01-01\n3;NA;c;6000;2016-01-01\n"
			s, err := ReadDiginetica(ctx, strings.NewReader(in), "unseen.csv", SessionConfig{MinItemCount: 1})
			if err != nil {
				return "", err
			}
			tr, _, te, err := s.Split(0.6, 0)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%+v", s.Unseen(tr, te)), nil
		}, "{Items:1 Clicks:2 Targets:1}"},
		{"empty test part: an error naming the part", func() (string, error) {
			s := readHand(t, SessionConfig{})
			_, _, _, err := s.Split(0.8, 0)
			return "", err
		}, `2 sessions of "hand.csv" are too few for fractions 0.8/0/0.2: the test part is empty`},
	} {
		got, err := tc.run()
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestCTRBadInput has one row per bad-input case of the CTR task and its category file (issue
// #13): an error naming file, line and field, or a documented rule whose count the row checks. GAUC
// over one-class users is checked in bench/metrics (counted) and bench (rejected by the task).
func TestCTRBadInput(t *testing.T) {
	ctx := context.Background()
	withLoner := func() *Dataset { // ctrHand and user d with a single interaction
		d := ctrHand()
		d.Users, d.Items, d.Times, d.Labels = append(d.Users, 3), append(d.Items, 9), append(d.Times, 10), append(d.Labels, 0)
		d.UserIDs = append(d.UserIDs, "d")
		return d
	}
	categories := func(text string) (*CategoryReport, *Dataset, error) {
		f, err := ReadCategories(ctx, strings.NewReader(text), "cats.csv")
		if err != nil {
			return nil, nil, err
		}
		d := ctrHand()
		rep, err := ApplyCategories(d, f)
		return rep, d, err
	}
	for _, tc := range []struct {
		name string
		run  func() (string, error)
		want string
	}{
		{"a user with a single interaction (and one with two): left out and counted", func() (string, error) {
			s, err := CTRSamples(withLoner(), CTRConfig{}, 1)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("users %d, left out %d with %d interactions", s.Users, s.ShortUsers, s.ShortInteractions), nil
		}, "users 2, left out 2 with 3 interactions"},
		{"no user with enough interactions: an error naming the field", func() (string, error) {
			_, err := CTRSamples(withLoner(), CTRConfig{MinInteractions: 6}, 1)
			return "", err
		}, `field MinInteractions: none of the 4 users of "hand" has 6 interactions (the most has 5)`},
		{"histories longer than the cap: the most recent kept, counted", func() (string, error) {
			s, err := CTRSamples(ctrHand(), CTRConfig{MaxHistory: 2}, 1)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("capped %d; %s", s.CappedSamples, s), nil
		}, "capped 2; 2 users with samples, 1 left out with fewer than 3 interactions (2 interactions); 4/4/4 train/validation/test samples; 2 histories capped at the 2 most recent behaviours; 0 fallback negatives"},
		{"an item with no category: the shared unknown category, counted", func() (string, error) {
			rep, d, err := categories("item_id,category\ni0,a\ni1,b\n")
			if err != nil {
				return "", err
			}
			s, err := CTRSamples(d, CTRConfig{Categories: d.ItemCategories}, 1)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("unknown %d, item i5 in category %d of %d", rep.Unknown, d.ItemCategories[5], s.NumCategories), nil
		}, "unknown 8, item i5 in category 2 of 3"},
		{"a category file naming unknown items: ignored, counted", func() (string, error) {
			rep, _, err := categories("item_id,category\ni0,a\nx1,a\nx2,b\n")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("not in data %d, categories %d", rep.NotInData, rep.Categories), nil
		}, "not in data 2, categories 1"},
		{"an item with two categories: an error naming both lines", func() (string, error) {
			_, _, err := categories("item_id,category\ni0,a\ni1,b\ni0,b\n")
			return "", err
		}, `cats.csv:4: field 2 (category): item "i0" has category "b" here but "a" on line 2`},
		{"a malformed category line: an error naming file, line and field", func() (string, error) {
			_, _, err := categories("item_id,category\ni0,a\ni1,\n")
			return "", err
		}, `cats.csv:3: field 2 (category): empty`},
	} {
		got, err := tc.run()
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
