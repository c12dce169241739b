package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// TestRunLogReportsSkips: every documented skip of the session and ctr tasks (issues #12, #13)
// reaches the run log, once per dataset and view however many seeds run; the category file of
// dataset.categories is applied, reported and named in the records; bad input fails the run with a
// one-line error naming file, line and field (or data and config field), before any result is
// written.
func TestRunLogReportsSkips(t *testing.T) {
	catsDir := t.TempDir()
	cats := filepath.Join(catsDir, "cats.csv")
	if err := os.WriteFile(cats, []byte("item_id,category\ni0,a\ni1,b\ni2,a\nextra,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badCats := filepath.Join(catsDir, "bad.csv")
	if err := os.WriteFile(badCats, []byte("item_id,category\ni0,a\ni1,b\ni0,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, csv, experiment string // name: part of a path in a YAML list (no commas)
		sets                  []string
		log                   []string // lines of the log that must appear exactly once
		err                   string   // the run's error, "" for success
	}{
		{"ctr-counts", ctrCSV, `name: toy-ctr
task: ctr
models: [scripted-ctr]
datasets: [DATA]
set: [run.epochs=1, "run.seeds=[1, 2]", run.ctr.max_history=2]
`, []string{"dataset.categories=" + cats}, []string{
			"dataset DATA: categories " + cats + ": 4 items listed, 1 not in the data (ignored); 2 categories, and 5 items without one share the unknown category\n",
			"dataset DATA: ctr view: 3 users with samples, 1 left out with fewer than 3 interactions (2 interactions); 6/6/6 train/validation/test samples; " +
				"3 histories capped at the 2 most recent behaviours; 0 fallback negatives; 3 categories (the last shared by 5 items without one)\n",
		}, ""},
		{"session-counts", sessionCSV, `name: toy-session
task: session
models: [scripted-session]
datasets: [DATA]
set: [run.epochs=1, "run.split={train: 0.6, val: 0.2, test: 0.2}", "run.sessions={gap: 100, min_item_count: 1, min_length: 1}"]
`, nil, []string{
			"dataset DATA: session view: 5 sessions (15 clicks, 4 items) read; dropped 0 clicks of rare items and 0 short sessions (0 clicks); kept 5 sessions " +
				"(15 clicks, 4 items, 5 known users), dwell 10 observed / 5 censored; split 3/1/1 sessions; items never clicked in training: " +
				"validation 0 (0 clicks, 0 next-click targets), test 0 (0 clicks, 0 next-click targets), kept and ranked\n",
		}, ""},
		{"category-conflict", ctrCSV, `name: toy-ctr
task: ctr
models: [scripted-ctr]
datasets: [DATA]
set: [run.epochs=1]
`, []string{"dataset.categories=" + badCats}, nil, badCats + `:4: field 2 (category): item "i0" has category "b" here but "a" on line 2`},
		{"session-empty-validation", sessionCSV, `name: toy-session
task: session
models: [scripted-session]
datasets: [DATA]
set: [run.epochs=1, "run.split={train: 0.7, val: 0.05, test: 0.25}", "run.sessions={gap: 100, min_item_count: 1, min_length: 1}"]
`, nil, nil, `session view of "toy": run.split.val: the validation part (0.05 of the sessions) has 0 sessions`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt, exp := testbed(t, tc.csv, tc.experiment)
			var log bytes.Buffer
			opt.Log, opt.Sets = &log, tc.sets
			err := New(opt).RunFile(context.Background(), exp)
			data := filepath.Join(filepath.Dir(exp), "data", "toy.csv")
			text := strings.ReplaceAll(log.String(), data, "DATA")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %v, want one line containing %q", err, tc.err)
				}
				if recs, _ := bench.ReadResults(opt.ResultsDir); len(recs) > 0 {
					t.Errorf("%d records written by a failed run", len(recs))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range tc.log {
				if n := strings.Count(text, line); n != 1 {
					t.Errorf("log has %d copies of\n%s--- log ---\n%s", n, line, text)
				}
			}
			recs, err := bench.ReadResults(opt.ResultsDir)
			if err != nil || len(recs) == 0 {
				t.Fatalf("results: %d, %v", len(recs), err)
			}
			if len(tc.sets) > 0 && recs[0].Get("categories") != cats {
				t.Errorf("record's categories key %q, want %s", recs[0].Get("categories"), cats)
			}
		})
	}
}
