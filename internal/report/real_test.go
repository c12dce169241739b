package report

import (
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// TestRealSections: a real-data experiment's records fill its own section (the data's own column,
// no paper numbers) and stay out of "Other results"; without records the section says how to run
// the experiment.
func TestRealSections(t *testing.T) {
	recs := []bench.Record{
		rec(testEnv, "jump-diginetica", "Dwell", "frozen", "", 1, []string{"narm", "diginetica-sample"}, "recall@20", 0.30, "MRR@20", 0.20),
		rec(testEnv, "jump-diginetica", "Dwell", "frozen", "", 2, []string{"narm", "diginetica-sample"}, "recall@20", 0.40, "MRR@20", 0.22),
		rec(testEnv, "jump-diginetica", "Dwell", "frozen", "", 1, []string{"jump", "diginetica-sample"}, "MAE", 70.0, "recall@20", 0.16),
	}
	md, _, err := Generate(recs, Options{Implemented: implementedFixture, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	heading := "## " + realJump.Name
	for _, c := range []struct{ row, col, want string }{
		{"NARM", "diginetica-sample (not in the paper) Recall@20", "0.3500 ± 0.0707 (n=2)"},
		{"JUMP", "diginetica-sample (not in the paper) MAE", "70.00 (n=1)"},
		{"NARM", "diginetica-sample (not in the paper) MAE", "no MAE recorded"},
	} {
		if got := cellOf(t, text, heading, c.row, c.col); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.row, c.col, got, c.want)
		}
	}
	if i := strings.Index(text, "## Other results"); i >= 0 && strings.Contains(text[i:], "jump-diginetica") {
		t.Error("the real run's records also appear under Other results")
	}
	for _, s := range []*realSpec{&realTINLastFM, &realTINDiginetica} {
		if !strings.Contains(text, "No results yet: run `tibench run "+s.Config+"`") {
			t.Errorf("no run hint for %s", s.Experiment)
		}
	}
}
