package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// engineSteps is what `make reproduce-engines` saves: go test -bench output behind the header lines
// it prepends (ns/op 1,500,000 → 1.50 ms).
const engineSteps = `experiment: engine-steps
backend: %s
commit: 0123abc4def5
goos: linux
goarch: amd64
pkg: github.com/tibench/tibench/models/jodie
cpu: Imaginary CPU 9000 @ 1.00GHz
BenchmarkJODIEEngineStep/engine=tibench/B=1-2         	    2346	    599355 ns/op	      1668 interactions/s
BenchmarkJODIEEngineStep/engine=tibench/B=11-2        	     664	   1500000 ns/op	      7140 interactions/s
%s
PASS
ok  	github.com/tibench/tibench/models/jodie	10.732s
`

// TestEnginesSection: each arm's row takes its run records (experiment, engine variant) and its step
// times from the step benchmark of the matching backend; missing numbers say so.
func TestEnginesSection(t *testing.T) {
	var recs []bench.Record
	decode := func(text string) {
		rs, err := bench.DecodeResults(strings.NewReader(text), "steps.bench")
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rs...)
	}
	decode(fmt.Sprintf(engineSteps, "cpu/avx2", "BenchmarkJODIEEngineStep/engine=gorgonia/B=11-2 \t 99\t 13072450 ns/op"))
	decode(fmt.Sprintf(engineSteps, "cpu/openblas", "BenchmarkJODIEEngineStep/engine=tibench/B=64-2 \t 234\t 4000000 ns/op"))
	e := testEnv
	e.backend = "cpu/avx2"
	recs = append(recs,
		rec(e, "engines", "NextItem", "frozen", "train", 1, []string{"jodie", "synth-wikipedia", "engine=tibench"},
			"MRR", 0.7654, "sec/epoch", 21.25, "sec/eval", 9.04),
		rec(e, "engines", "NextItem", "frozen", "train", 1, []string{"jodie", "synth-wikipedia", "engine=gorgonia"},
			"MRR", 0.7651, "sec/epoch", 180.0, "sec/eval", 95.5))
	md, _, err := Generate(recs, Options{Implemented: implementedFixture})
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	engines := sectionOf(s, "## Engines")
	for label, want := range map[string][]string{
		"tibench (pure Go)":  {"cpu/avx2", "21.2", "9.0", "0.765", "0.60", "1.50", "no results", "no results"},
		"tibench + OpenBLAS": {"—", "no results", "no results", "no results", "0.60", "1.50", "4.00", "no results"},
		"gorgonia":           {"cpu/avx2", "180.0", "95.5", "0.765", "no results", "13.07", "no results", "no results"},
	} {
		if got := rowCells(engines, label); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row %s: %q, want %q", label, got, want)
		}
	}
	if strings.Contains(sectionOf(s, "## Other results"), "JODIEEngineStep") {
		t.Error("step records also listed under Other results")
	}
}

// sectionOf is md from the heading to the next level-2 heading.
func sectionOf(md, heading string) string {
	_, rest, ok := strings.Cut(md, heading)
	if !ok {
		return ""
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		return rest[:i]
	}
	return rest
}

// rowCells returns the cells after the first of the table row whose first cell is label.
func rowCells(md, label string) []string {
	for line := range strings.SplitSeq(md, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) > 1 && strings.TrimSpace(cells[0]) == label {
			out := make([]string, 0, len(cells)-1)
			for _, c := range cells[1:] {
				out = append(out, strings.TrimSpace(c))
			}
			return out
		}
	}
	return nil
}
