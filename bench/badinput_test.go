package bench

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tibench/tibench/datasets"
)

// toyLog builds a Dataset from (user, item, time) rows in time order.
func toyLog(name string, rows []struct {
	user, item string
	time       float64
}) *datasets.Dataset {
	d := &datasets.Dataset{Name: name}
	users, items := map[string]int32{}, map[string]int32{}
	id := func(m map[string]int32, ids *[]string, s string) int32 {
		j, ok := m[s]
		if !ok {
			j = int32(len(*ids))
			m[s] = j
			*ids = append(*ids, s)
		}
		return j
	}
	for _, r := range rows {
		d.Users = append(d.Users, id(users, &d.UserIDs, r.user))
		d.Items = append(d.Items, id(items, &d.ItemIDs, r.item))
		d.Times = append(d.Times, r.time)
		d.Labels = append(d.Labels, 0)
	}
	return d
}

type row = struct {
	user, item string
	time       float64
}

// sessionLog: one session per user at gap 100 s. a, b, c train; d validation (dwell 4 and 6 s
// observed); e test, which clicks i9 twice, an item no training session has (once as the second
// click, once as the fourth: two next-click targets).
var sessionLog = []row{
	{"a", "i0", 0}, {"a", "i1", 10}, {"a", "i2", 20},
	{"b", "i1", 1000}, {"b", "i2", 1010}, {"b", "i3", 1020},
	{"c", "i2", 2000}, {"c", "i3", 2010},
	{"d", "i0", 3000}, {"d", "i1", 3004}, {"d", "i2", 3010},
	{"e", "i3", 4000}, {"e", "i9", 4005}, {"e", "i1", 4020}, {"e", "i9", 4100},
}

func sessionRun(train, val, test, c1 float64) RunConfig {
	r := RunConfig{Task: "session", Split: SplitConfig{Train: train, Val: val, Test: test},
		Sessions: SessionConfig{Gap: 100, C1: c1, MinItemCount: 1, MinLength: 1}}
	TaskSession.Defaults(&r)
	return r
}

// ctrLog: u0..u2 with four interactions each, u3 with one and u4 with two (both left out by the
// default min_interactions 3).
func ctrLog() *datasets.Dataset {
	var rows []row
	for k := range 4 {
		for u := range 3 {
			rows = append(rows, row{fmt.Sprint("u", u), fmt.Sprint("i", u+k), float64(3*k + u)})
		}
	}
	rows = append(rows, row{"u3", "i0", 20}, row{"u4", "i1", 21}, row{"u4", "i2", 22})
	return toyLog("toy-ctr", rows)
}

func ctrRun(maxHistory, minInteractions int) RunConfig {
	r := RunConfig{Task: "ctr", CTR: CTRRunConfig{MaxHistory: maxHistory, MinInteractions: minInteractions}}
	TaskCTR.Defaults(&r)
	return r
}

// TestBadInputRules has one row per rule of issues #12 (session task) and #13 (ctr task) that lives
// in this package: each is an error naming the data and the config field, or a count the run log
// prints (DescribeView). The loaders' rules are tested in datasets (TestSessionBadInput,
// TestCTRBadInput), the metrics' in bench/metrics (TestBadInputRules).
func TestBadInputRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func() (string, error) // a description to search, or the error
		want string
	}{
		{"session: unknown item in test, kept and counted", func() (string, error) {
			d, err := TaskSession.View(toyLog("toy", sessionLog), sessionRun(0.6, 0.2, 0.2, 0))
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%+v; %s", d.Sessions.TestUnseen, DescribeView(d)), nil
		}, "{Items:1 Clicks:2 Targets:2}; session view: 5 sessions (15 clicks, 5 items) read; dropped 0 clicks of rare items and 0 short sessions (0 clicks); " +
			"kept 5 sessions (15 clicks, 5 items, 5 known users), dwell 10 observed / 5 censored; split 3/1/1 sessions; items never clicked in training: " +
			"validation 0 (0 clicks, 0 next-click targets), test 1 (2 clicks, 2 next-click targets), kept and ranked"},
		{"session: one-click session kept by min_length 1, counted", func() (string, error) {
			d, err := TaskSession.View(toyLog("toy", append([]row{{"f", "i0", -500}}, sessionLog...)), sessionRun(0.6, 0.2, 0.2, 0))
			if err != nil {
				return "", err
			}
			return DescribeView(d), nil
		}, "1 one-click sessions (nothing to score)"},
		{"session: empty validation part, an error before training", func() (string, error) {
			_, err := TaskSession.View(toyLog("toy", sessionLog), sessionRun(0.7, 0.05, 0.25, 0))
			return "", err
		}, `session view of "toy": run.split.val: the validation part (0.05 of the sessions) has 0 sessions, 0 next clicks and 0 observed dwell times`},
		{"session: test part without an observed dwell (MAE over zero clicks), an error before training", func() (string, error) {
			_, err := TaskSession.View(toyLog("toy", sessionLog), sessionRun(0.6, 0.2, 0.2, 5)) // c1 5 s censors all of e
			return "", err
		}, `session view of "toy": run.split.test: the test part (0.2 of the sessions) has 1 sessions, 3 next clicks and 0 observed dwell times`},
		{"session: empty test part, an error naming run.split", func() (string, error) {
			_, err := TaskSession.View(toyLog("toy", sessionLog), sessionRun(0.8, 0.1, 0.1, 0))
			if !errors.Is(err, datasets.ErrSplit) {
				return "", fmt.Errorf("not ErrSplit: %w", err)
			}
			return "", err
		}, `run.split: datasets: invalid split: 5 sessions of "toy" are too few for fractions 0.8/0.1/0.1: the test part is empty (5 sessions`},
		{"session: MAE over zero clicks reaching the scorer is an error, not 0", func() (string, error) {
			d, err := TaskSession.View(toyLog("toy", sessionLog), sessionRun(0.6, 0.2, 0.2, 0))
			if err != nil {
				return "", err
			}
			d.Sessions.Val = []datasets.Session{{ID: "x", Items: []int32{0, 1}, Times: []float64{0, 1}, Dwell: []float64{2000, 30}, Censored: []bool{true, true}}}
			s := TaskSession.NewScorer(d)
			for k := range 2 {
				p := d.ClickPrediction(PartValidation, 0, k)
				p.Rank = float64(1 - k)
				if err := s.Add(p); err != nil {
					return "", err
				}
			}
			_, err = s.Scores(PartValidation)
			return "", err
		}, "validation part: 0 observed dwell times and 1 next clicks: too few sessions to score"},
		{"session: a length bucket without observed dwell records no MAE (not 0)", func() (string, error) {
			sc := Scores{}
			tl := newSessionTally([]int{20})
			if err := tl.add(Prediction{Rank: 3, Censored: true, Truth: 30}, false); err != nil {
				return "", err
			}
			tl.scores(sc, func(u string) string { return u })
			_, hasMAE := sc["MAE"]
			return fmt.Sprintf("MAE present %v, %d units", hasMAE, len(sc)), nil
		}, "MAE present false, 3 units"},
		{"ctr: users with a single interaction (or two) left out, counted", func() (string, error) {
			d, err := TaskCTR.View(ctrLog(), ctrRun(0, 0))
			if err != nil {
				return "", err
			}
			return DescribeView(d), nil
		}, "ctr view: 3 users with samples, 2 left out with fewer than 3 interactions (3 interactions); 6/6/6 train/validation/test samples; 0 histories capped at the 50 most recent behaviours; 0 fallback negatives; no categories (one shared category row)"},
		{"ctr: no user with enough interactions, an error naming run.ctr", func() (string, error) {
			_, err := TaskCTR.View(ctrLog(), ctrRun(0, 5))
			return "", err
		}, `run.ctr: datasets: cannot build CTR samples: field MinInteractions: none of the 5 users of "toy-ctr" has 5 interactions (the most has 4)`},
		{"ctr: histories longer than the cap, counted", func() (string, error) {
			d, err := TaskCTR.View(ctrLog(), ctrRun(2, 0))
			if err != nil {
				return "", err
			}
			return DescribeView(d), nil
		}, "3 histories capped at the 2 most recent behaviours"},
		{"ctr: items without a category share the unknown one, counted", func() (string, error) {
			ds := ctrLog()
			f, err := datasets.ReadCategories(t.Context(), strings.NewReader("item_id,category\ni0,a\ni1,b\ni2,a\n"), "cats.csv")
			if err != nil {
				return "", err
			}
			if _, err := datasets.ApplyCategories(ds, f); err != nil {
				return "", err
			}
			d, err := TaskCTR.View(ds, ctrRun(0, 0))
			if err != nil {
				return "", err
			}
			return DescribeView(d), nil
		}, "; 3 categories (the last shared by 3 items without one)"},
		{"ctr: GAUC over a user of one class is an error, not a skip", func() (string, error) {
			d, err := TaskCTR.View(ctrLog(), ctrRun(0, 0))
			if err != nil {
				return "", err
			}
			d.CTR.Test = append(d.CTR.Test, datasets.CTRSample{User: 4, Target: 1, Label: 0}) // a negative without its positive
			s := TaskCTR.NewScorer(d)
			for _, part := range []Part{PartValidation, PartTest} {
				for i := range d.CTRPart(part) {
					p := d.CTRPrediction(part, i)
					p.Prob, p.Score = 0.5, float64(i%2)
					if err := s.Add(p); err != nil {
						return "", err
					}
				}
			}
			if _, err := s.Scores(PartValidation); err != nil {
				return "", err
			}
			_, err = s.Scores(PartTest)
			return "", err
		}, "test GAUC-impr: 1 of 4 users have samples of one class only"},
		{"a NaN result is never written", func() (string, error) {
			var b bytes.Buffer
			err := EncodeResults(&b, []Record{{Bench: "Dwell", Name: []KV{{"model", "m"}}, Values: []Value{{1, "MRR@20"}, {0 / zero, "MAE"}}}})
			if b.Len() > 0 {
				return "", fmt.Errorf("%d bytes written: %w", b.Len(), err)
			}
			return "", err
		}, "bench: result is not a finite number: record Dwell/model=m: MAE is NaN"},
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

var zero float64
