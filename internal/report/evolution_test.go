package report

import (
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// TestEvolutionSection: the table's row for a model takes its maturity and update-size records
// (values chosen by hand) and the run's MRR; figures are drawn per side.
//   - Maturity: bucket 2-3 has 2 entities, 50% matured at median 1; bucket 4-7 has 2, 100% at
//     median 3: 3 of 4 matured (75%), weighted median (1·1 + 3·2)/3 = 2.3;
//   - Evolution: median update 0.2 at k=2 and 0.01 at k=3-4 (the last bucket).
func TestEvolutionSection(t *testing.T) {
	e := testEnv
	r := func(benchName string, name []string, vals ...any) bench.Record {
		return rec(e, "evolution", benchName, "frozen", "train", 1, name, vals...)
	}
	recs := []bench.Record{
		r("Maturity", []string{"jodie", "synth-x", "side=items", "pop=2-3"}, "entities", 2.0, "matured", 0.5,
			"maturity-median", 1.0, "matured-by-1", 0.5, "matured-by-2", 0.5, "matured-by-4", 0.5),
		r("Maturity", []string{"jodie", "synth-x", "side=items", "pop=4-7"}, "entities", 2.0, "matured", 1.0,
			"maturity-median", 3.0, "matured-by-1", 0.0, "matured-by-2", 0.0, "matured-by-4", 1.0, "matured-by-8", 1.0),
		r("Evolution", []string{"jodie", "synth-x", "side=items", "k=2"}, "rel-update-q1", 0.1, "rel-update-median", 0.2,
			"rel-update-q3", 0.3, "updates", 4.0),
		r("Evolution", []string{"jodie", "synth-x", "side=items", "k=3-4"}, "rel-update-q1", 0.005, "rel-update-median", 0.01,
			"rel-update-q3", 0.02, "updates", 6.0),
		r("Norms", []string{"jodie", "synth-x", "side=items", "pop=2-3"}, "norm-q1", 1.0, "norm-median", 1.0, "norm-q3", 1.0, "entities", 2.0),
		r("NextItem", []string{"jodie", "synth-x"}, "MRR", 0.5432),
		r("CosineToFinal", []string{"jodie", "synth-x", "side=items", "after=1"}, "cos-final-median", 0.2, "entities", 2.0),
		r("CosineToFinal", []string{"jodie", "synth-x", "side=items", "after=2"}, "cos-final-median", 0.6, "entities", 2.0),
	}
	md, figs, err := Generate(recs, Options{Implemented: implementedFixture, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	sec := sectionOf(string(md), "## Embedding evolution")
	want := []string{"—", "items", "4", "75.0%", "2.3", "0.2000", "0.0100 (k ≤ 4)", "0.543"}
	if got := rowCells(sec, "jodie"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("row %q, want %q\n%s", got, want, sec)
	}
	for _, f := range []string{"evolution-synth-x-items-updates", "evolution-synth-x-items-maturity", "evolution-synth-x-items-norms", "evolution-synth-x-items-cosine"} {
		if _, ok := figs["figures/"+f+".svg"]; !ok {
			t.Errorf("figure %s not drawn", f)
		}
	}
	if other := sectionOf(string(md), "## Other results"); strings.Contains(other, "Maturity") || strings.Contains(other, "CosineToFinal") {
		t.Error("evolution records also listed under Other results")
	}
}
