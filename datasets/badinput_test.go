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
