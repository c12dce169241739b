package report

import (
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// departureRecs builds records of one departure-experiment setting, one per seed (1, 2, ...).
func departureRecs(experiment, benchName, dataset, setting string, vals map[string][]float64) []bench.Record {
	var out []bench.Record
	n := 0
	for _, v := range vals {
		n = len(v)
	}
	for i := range n {
		var kv []any
		for _, unit := range []string{"MRR", "recall@10", "AUC", "sec/epoch"} {
			if v, ok := vals[unit]; ok {
				kv = append(kv, unit, v[i])
			}
		}
		out = append(out, rec(testEnv, experiment, benchName, "frozen", "train", i+1,
			[]string{"jodie", dataset, "setting=" + setting}, kv...))
	}
	return out
}

// TestDepartures checks the departures section against numbers computed by hand:
//   - defaults MRR {0.50, 0.52, 0.54}: 0.520 ± 0.020; sparse_adam.lazy {0.30, 0.33, 0.36}: 0.330 ±
//     0.030, per-seed Δ {−0.20, −0.19, −0.18}: −0.190 ± 0.010;
//   - sparse_adam.dense-eager equals the defaults seed by seed: Δ +0.000 ± 0.000, slower:
//     sec/epoch {3, 3, 3} vs {2, 2, 2}: +1.00 ± 0.00;
//   - a setting run on seed 4 only has no defaults on the same seeds;
//   - rows: defaults, original, then by name; another experiment's records stay out.
func TestDepartures(t *testing.T) {
	ws := "synth-wikipedia-small"
	var recs []bench.Record
	add := func(rs []bench.Record) { recs = append(recs, rs...) }
	add(departureRecs("jodie-departures", "NextItem", ws, "defaults", map[string][]float64{
		"MRR": {0.50, 0.52, 0.54}, "recall@10": {0.7, 0.7, 0.7}, "sec/epoch": {2, 2, 2}}))
	add(departureRecs("jodie-departures", "NextItem", ws, "sparse_adam.lazy", map[string][]float64{
		"MRR": {0.30, 0.33, 0.36}, "recall@10": {0.5, 0.5, 0.5}, "sec/epoch": {2, 2, 2}}))
	add(departureRecs("jodie-departures", "NextItem", ws, "sparse_adam.dense-eager", map[string][]float64{
		"MRR": {0.50, 0.52, 0.54}, "recall@10": {0.7, 0.7, 0.7}, "sec/epoch": {3, 3, 3}}))
	add(departureRecs("jodie-departures", "NextItem", ws, "original", map[string][]float64{
		"MRR": {0.51, 0.52, 0.53}, "recall@10": {0.7, 0.7, 0.7}, "sec/epoch": {2, 2, 2}}))
	r := rec(testEnv, "jodie-departures", "NextItem", "frozen", "train", 4, []string{"jodie", ws, "setting=zz-seed4"},
		"MRR", 0.4, "recall@10", 0.6, "sec/epoch", 2.0)
	recs = append(recs, r)
	add(departureRecs("jodie-departures-state", "StateChange", "synth-mooc-small", "defaults", map[string][]float64{
		"AUC": {0.70, 0.72}, "sec/epoch": {1, 1}}))
	add(departureRecs("jodie-departures-state", "StateChange", "synth-mooc-small", "original", map[string][]float64{
		"AUC": {0.71, 0.75}, "sec/epoch": {1, 1}}))
	recs = append(recs, rec(testEnv, "table3", "NextItem", "frozen", "train", 1, []string{"jodie", ws}, "MRR", 0.999, "recall@10", 0.998))
	md, _, err := Generate(recs, Options{Implemented: implementedFixture, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	i := strings.Index(text, "## JODIE — departures from the original code, measured")
	if i < 0 {
		t.Fatal("no departures section")
	}
	sec := text[i:]
	sec = sec[:strings.Index(sec[3:], "\n## ")+4]
	next, state := "### Next-item prediction", "### State-change prediction"
	for _, c := range []struct{ heading, row, col, want string }{
		{next, "`defaults`", "MRR", "0.520 ± 0.020 (n=3)"},
		{next, "`defaults`", "MRR Δ", "—"},
		{next, "`sparse_adam.lazy`", "MRR", "0.330 ± 0.030 (n=3)"},
		{next, "`sparse_adam.lazy`", "MRR Δ", "-0.190 ± 0.010 (n=3)"},
		{next, "`sparse_adam.dense-eager`", "MRR Δ", "+0.000 ± 0.000 (n=3)"},
		{next, "`sparse_adam.dense-eager`", "sec/epoch Δ", "+1.00 ± 0.00 (n=3)"},
		{next, "`zz-seed4`", "MRR Δ", "no defaults run on the same seeds"},
		{next, "`sparse_adam.lazy`", "What", departureText["sparse_adam.lazy"]},
		{state, "`original`", "AUC", "0.730 ± 0.028 (n=2)"},
		{state, "`original`", "AUC Δ", "+0.020 ± 0.014 (n=2)"},
	} {
		if got := cellOf(t, sec, c.heading, c.row, c.col); got != c.want {
			t.Errorf("%s / %s / %s = %q, want %q", c.heading, c.row, c.col, got, c.want)
		}
	}
	order := []string{"`defaults`", "`original`", "`sparse_adam.dense-eager`", "`sparse_adam.lazy`", "`zz-seed4`"}
	last := -1
	for _, row := range order {
		j := strings.Index(sec, "| "+row)
		if j < last {
			t.Errorf("row %s out of order (want %v)", row, order)
		}
		last = j
	}
	if strings.Contains(sec, "0.999") {
		t.Error("Table 3's record leaked into the departures section")
	}
}

// TestDepartureDefaultsText checks that each model's defaults row says what that model's defaults
// are: JUMP's must not carry JODIE's class_weights sentence.
func TestDepartureDefaultsText(t *testing.T) {
	recs := departureRecs("jodie-departures", "NextItem", "synth-wikipedia-small", "defaults",
		map[string][]float64{"MRR": {0.5}, "sec/epoch": {1}})
	recs = append(recs, rec(testEnv, "jump-departures", "Dwell", "frozen", "train", 1,
		[]string{"jump", "synth-reddit-small", "setting=defaults"}, "MAE", 900.0, "recall@20", 0.7))
	md, _, err := Generate(recs, Options{Implemented: implementedFixture, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	for _, c := range []struct{ heading, sub, want string }{
		{jodieDepartures.Heading, "### Next-item prediction", jodieDepartures.Defaults},
		{jumpDepartures.Heading, "### Session task", jumpDepartures.Defaults},
	} {
		i := strings.Index(text, "## "+c.heading)
		if i < 0 {
			t.Fatalf("no section %q", c.heading)
		}
		if got := cellOf(t, text[i:], c.sub, "`defaults`", "What"); got != c.want {
			t.Errorf("%s: defaults row says %q, want %q", c.heading, got, c.want)
		}
	}
	if jumpDepartures.Defaults == jodieDepartures.Defaults {
		t.Error("JUMP and JODIE share one description of their defaults")
	}
}

// TestDepartureModels: an experiment that varies several models gets one table per model, each
// compared with its own defaults and described by its own defaults text. By hand: narm defaults
// {0.60, 0.62}, bptt.click {0.55, 0.56}: Δ {−0.05, −0.06} = −0.0550 ± 0.0071; rmtp defaults
// {0.40, 0.40}, bptt.click {0.41, 0.43}: Δ {+0.01, +0.03} = +0.0200 ± 0.0141.
func TestDepartureModels(t *testing.T) {
	var recs []bench.Record
	add := func(model, setting string, mrr []float64) {
		for i, v := range mrr {
			recs = append(recs, rec(testEnv, "session-departures", "Dwell", "frozen", "train", i+1,
				[]string{model, "synth-reddit-small", "setting=" + setting}, "MRR@20", v, "recall@20", 0.8))
		}
	}
	add("narm", "defaults", []float64{0.60, 0.62})
	add("narm", "bptt.click", []float64{0.55, 0.56})
	add("rmtp", "defaults", []float64{0.40, 0.40})
	add("rmtp", "bptt.click", []float64{0.41, 0.43})
	md, _, err := Generate(recs, Options{Implemented: implementedFixture, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	narm, rmtp := "Dataset `synth-reddit-small`, model `narm`:", "Dataset `synth-reddit-small`, model `rmtp`:"
	for _, c := range []struct{ heading, row, col, want string }{
		{narm, "`bptt.click`", "MRR@20 Δ", "-0.0550 ± 0.0071 (n=2)"},
		{rmtp, "`bptt.click`", "MRR@20 Δ", "+0.0200 ± 0.0141 (n=2)"},
		{narm, "`defaults`", "What", jumpDepartures.ModelDefaults["narm"]},
		{rmtp, "`defaults`", "What", jumpDepartures.ModelDefaults["rmtp"]},
		{rmtp, "`bptt.click`", "What", departureText["bptt.click"]},
	} {
		if got := cellOf(t, text, c.heading, c.row, c.col); got != c.want {
			t.Errorf("%s %s %s = %q, want %q", c.heading, c.row, c.col, got, c.want)
		}
	}
}
