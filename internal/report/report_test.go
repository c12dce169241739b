package report

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/metrics"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// env is the provenance of the synthetic records: deliberately unlike any real machine or commit,
// so that a test can tell it apart from the environment the test runs in.
type env struct{ commit, machine, cores, backend, profile string }

var testEnv = env{"0123abc4def5", "Imaginary CPU 9000 @ 1.00GHz", "2", "cpu/gonum", "quick"}

// rec builds one record. name is model, dataset, then variant key=value pairs; vals alternate unit
// and value.
func rec(e env, experiment, benchName, protocol, normalisation string, seed int, name []string, vals ...any) bench.Record {
	r := bench.Record{Bench: benchName}
	r.Name = append(r.Name, bench.KV{Key: "model", Value: name[0]}, bench.KV{Key: "dataset", Value: name[1]})
	for _, kv := range name[2:] {
		k, v, _ := strings.Cut(kv, "=")
		r.Name = append(r.Name, bench.KV{Key: k, Value: v})
	}
	for i := 0; i < len(vals); i += 2 {
		r.Values = append(r.Values, bench.Value{Unit: vals[i].(string), Value: vals[i+1].(float64)})
	}
	r.Config = []bench.KV{
		{Key: "experiment", Value: experiment}, {Key: "seed", Value: itoa(seed)},
		{Key: "protocol", Value: protocol}, {Key: "normalisation", Value: normalisation},
		{Key: "backend", Value: e.backend}, {Key: "commit", Value: e.commit}, {Key: "machine", Value: e.machine},
		{Key: "cores", Value: e.cores}, {Key: "goos", Value: "linux"}, {Key: "goarch", Value: "amd64"},
		{Key: "go", Value: "go1.26.0"}, {Key: "profile", Value: e.profile},
	}
	return r
}

// fixture is a small results set covering every section: several seeds, two protocols, a real and
// synthetic datasets, missing and unknown models, and a record no section shows.
func fixture() []bench.Record {
	e := testEnv
	var rs []bench.Record
	add := func(r bench.Record) { rs = append(rs, r) }
	// Table 3, protocol online/global, synth-wikipedia-small: JODIE and RRN over 3 seeds, Repeat-last 1.
	jodieMRR := []float64{0.70, 0.72, 0.74}
	jodieRec := []float64{0.80, 0.82, 0.84}
	rrnMRR := []float64{0.50, 0.52, 0.54}
	rrnRec := []float64{0.60, 0.62, 0.64}
	for s := range 3 {
		add(rec(e, "table3", "NextItem", "online", "global", s+1, []string{"jodie", "synth-wikipedia-small"},
			"MRR", jodieMRR[s], "recall@10", jodieRec[s], "ndcg@10", 0.75, "epochs", 3.0, "sec/epoch", 12.5))
		add(rec(e, "table3", "NextItem", "online", "global", s+1, []string{"rrn", "synth-wikipedia-small"},
			"MRR", rrnMRR[s], "recall@10", rrnRec[s]))
	}
	add(rec(e, "table3", "NextItem", "online", "global", 1, []string{"repeatlast", "synth-wikipedia-small"},
		"MRR", 0.60, "recall@10", 0.70))
	// A model the paper does not have, and a variant of JODIE.
	add(rec(e, "table3", "NextItem", "online", "global", 1, []string{"mystery", "synth-reddit-small"},
		"MRR", 0.1, "recall@10", 0.2))
	add(rec(e, "table3", "NextItem", "online", "global", 1, []string{"jodie", "synth-reddit-small", "tbatch=paper"},
		"MRR", 0.3, "recall@10", 0.4))
	// Table 3, protocol frozen/train, on the real Wikipedia (so Δ shows), another commit and machine.
	e2 := env{"fedcba987654", "Other CPU", "16", "cpu/openblas", "paper"}
	add(rec(e2, "table3", "NextItem", "frozen", "train", 1, []string{"jodie", "wikipedia"}, "MRR", 0.75, "recall@10", 0.83))
	add(rec(e2, "table3", "NextItem", "frozen", "train", 2, []string{"jodie", "wikipedia"}, "MRR", 0.76, "recall@10", 0.81))
	// Table 4: LSTM, and RRN's seed 1 on two backends (JODIE has no results); LSTM again under the
	// paper profile.
	add(rec(e, "table4", "StateChange", "online", "global", 1, []string{"lstm", "synth-mooc"}, "AUC", 0.7))
	add(rec(e, "table4", "StateChange", "online", "global", 1, []string{"rrn", "synth-mooc"}, "AUC", 0.6))
	add(rec(env{e.commit, e.machine, e.cores, "cpu/openblas", e.profile}, "table4", "StateChange", "online", "global", 1,
		[]string{"rrn", "synth-mooc"}, "AUC", 0.62))
	add(rec(env{e.commit, e.machine, e.cores, e.backend, "paper"}, "table4", "StateChange", "online", "global", 1,
		[]string{"lstm", "synth-mooc"}, "AUC", 0.75))
	// Table 5: JODIE with and without t-Batch, 2 seeds.
	for s, sec := range []float64{600, 660} {
		add(rec(e, "table5", "EpochTime", "online", "global", s+1, []string{"jodie", "synth-reddit-small", "tbatch=off"},
			"sec/epoch", sec, "interactions/s", 100.0))
		add(rec(e, "table5", "EpochTime", "online", "global", s+1, []string{"jodie", "synth-reddit-small", "tbatch=on"},
			"sec/epoch", sec/10, "interactions/s", 1000.0))
	}
	// Fig. 5: JODIE and LSTM over training fractions, 2 seeds.
	for s := range 2 {
		for i, tr := range []string{"0.1", "0.4", "0.8"} {
			add(rec(e, "fig5-train-fraction", "NextItem", "online", "global", s+1,
				[]string{"jodie", "synth-wikipedia-small", "train=" + tr}, "MRR", 0.5+0.1*float64(i)+0.01*float64(s)))
			add(rec(e, "fig5-train-fraction", "NextItem", "online", "global", s+1,
				[]string{"lstm", "synth-wikipedia-small", "train=" + tr}, "MRR", 0.3+0.05*float64(i)))
		}
	}
	// Fig. 7: early-warning ratios with their CIs.
	for k, r := range []float64{3.0, 1.5, 1.2} {
		add(rec(e, "fig7-early-warning", "EarlyWarning", "online", "global", 1,
			[]string{"jodie", "synth-mooc", "before=" + itoa(k)}, "ratio", r, "ratio-lo", r-0.2, "ratio-hi", r+0.3))
	}
	// JUMP: JUMP itself on a synthetic Reddit.
	// JUMP: JUMP itself on a synthetic Reddit, with Fig. 7's length buckets (no session longer than 150
	// clicks: that bucket records nothing).
	add(rec(e, "jump-tables", "Dwell", "online", "train", 1, []string{"jump", "synth-reddit-small"},
		"MAE", 200.0, "recall@20", 0.8, "MRR@20", 0.6, "ndcg@20", 0.65,
		"recall@20/len=2-6", 0.85, "recall@20/len=10-30", 0.7))
	// JUMP Fig. 5: two values of 1/σ², one seed; both panels (Recall@20, MAE) are drawn.
	for i, x := range []string{"0.01", "1"} {
		add(rec(e, "jump-fig5-sigma", "Dwell", "frozen", "train", 1, []string{"jump", "synth-reddit-small", "inv_sigma2=" + x},
			"MAE", 300.0-100*float64(i), "recall@20", 0.8-0.1*float64(i)))
	}
	// TIN Figs. 1 and 3: two rows × two positions in the data; TIN learned them, one seed.
	for r, cat := range []string{"7", "3"} {
		for pos := 1; pos <= 2; pos++ {
			mi, cor := 0.2/float64(pos*(r+1)), 0.5/float64(pos)+0.1*float64(r)
			add(rec(e, "tin-correlation", "Correlation", "frozen", "train", 1,
				[]string{"tin", "synth-amazon-small", "target=7", "row=" + itoa(r+1), "category=" + cat, "position=" + itoa(pos)},
				"MI", mi, "cor", cor, "behaviours", 10.0))
		}
	}
	add(rec(e, "tin-correlation", "Correlation", "frozen", "train", 1, []string{"tin", "synth-amazon-small", "target=7", "position=all"}, "pearson", 1.0))
	add(rec(e, "tin-correlation", "CTR", "frozen", "train", 1, []string{"tin", "synth-amazon-small"}, "logloss", 0.44, "GAUC", 0.88))
	// TIN Table 3: TTE-P and COE by history length, two seeds.
	for s := range 2 {
		for _, m := range []struct {
			model string
			gauc  float64
		}{{"tin", 0.87}, {"tin-coe", 0.86}} {
			g := m.gauc + 0.002*float64(s)
			add(rec(e, "tin-encodings", "CTR", "frozen", "train", s+1, []string{m.model, "synth-amazon-small"},
				"logloss", 0.45, "GAUC", g, "GAUC/len=1-4", g-0.01, "GAUC/len=5-9", g, "GAUC/len=20-", g+0.01))
		}
	}
	// Protocol effect: JODIE gains online, Repeat-last (no parameters) does not; 2 seeds each.
	for s := range 2 {
		for _, pr := range []struct {
			protocol string
			jodie    float64
		}{{"frozen", 0.30}, {"online", 0.40}} {
			add(rec(e, "protocol-effect", "NextItem", pr.protocol, "train", s+1,
				[]string{"jodie", "synth-wikipedia-small", "protocol=" + pr.protocol}, "MRR", pr.jodie+0.01*float64(s), "recall@10", 0.5))
			add(rec(e, "protocol-effect", "NextItem", pr.protocol, "train", s+1,
				[]string{"repeatlast", "synth-wikipedia-small", "protocol=" + pr.protocol}, "MRR", 0.35, "recall@10", 0.6))
		}
	}
	// Nothing for Fig. 6 or TIN Table 1. One record of an experiment no section shows.
	add(rec(e, "scratch", "NextItem", "online", "train", 1, []string{"jodie", "synth-tiny"}, "MRR", 0.25))
	return rs
}

// implementedFixture is what models.Names() might return while the harness is being built.
var implementedFixture = []string{"jodie", "jump", "lstm", "popularity", "repeatlast", "rrn"}

// checkGolden compares got with testdata/name, rewriting it under -update, and prints a diff -u on
// mismatch.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, diff(t, want, got))
	}
}

// diff returns `diff -u want got`, or both texts when diff is not installed.
func diff(t *testing.T, want, got []byte) string {
	dir := t.TempDir()
	w, g := filepath.Join(dir, "want"), filepath.Join(dir, "got")
	os.WriteFile(w, want, 0o644)
	os.WriteFile(g, got, 0o644)
	out, err := exec.Command("diff", "-u", w, g).CombinedOutput()
	if len(out) == 0 && err != nil {
		return "want:\n" + string(want) + "\ngot:\n" + string(got)
	}
	return string(out)
}

func TestGenerateGolden(t *testing.T) {
	cases := []struct {
		name   string
		recs   []bench.Record
		impl   []string
		figDir string
		// wantFigures are the figure files expected (relative to the markdown).
		wantFigures []string
	}{
		{"benchmarks.golden", fixture(), implementedFixture, "figures", []string{
			"figures/fig4-tbatch.png", "figures/fig4-tbatch.svg",
			"figures/fig5-train-fraction.png", "figures/fig5-train-fraction.svg",
			"figures/fig7-early-warning.png", "figures/fig7-early-warning.svg",
			"figures/jump-fig5-sigma-mae.png", "figures/jump-fig5-sigma-mae.svg",
			"figures/jump-fig5-sigma.png", "figures/jump-fig5-sigma.svg",
			"figures/jump-fig7-synth-reddit-small.png", "figures/jump-fig7-synth-reddit-small.svg",
			"figures/protocol-effect-synth-wikipedia-small.png", "figures/protocol-effect-synth-wikipedia-small.svg",
			"figures/tin-fig1a-synth-amazon-small.png", "figures/tin-fig1a-synth-amazon-small.svg",
			"figures/tin-fig3-tin-synth-amazon-small.png", "figures/tin-fig3-tin-synth-amazon-small.svg",
			"figures/tin-table3-synth-amazon-small.png", "figures/tin-table3-synth-amazon-small.svg",
		}},
		{"empty.golden", nil, nil, "figures", nil},
		{"nofigures.golden", fixture(), implementedFixture, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			md, figs, err := Generate(c.recs, Options{Implemented: c.impl, FiguresDir: c.figDir})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, md)
			var keys []string
			for k, v := range figs {
				keys = append(keys, k)
				if len(v) == 0 {
					t.Errorf("figure %s is empty", k)
				}
				if !bytes.Contains(md, []byte("("+k+")")) {
					t.Errorf("figure %s is not linked from the markdown", k)
				}
			}
			slices.Sort(keys)
			if !slices.Equal(keys, c.wantFigures) {
				t.Errorf("figures = %q, want %q", keys, c.wantFigures)
			}
		})
	}
}

// TestGenerateDeterministic: the same records, in any order, give the same markdown and figures,
// byte for byte (SVG and PNG).
func TestGenerateDeterministic(t *testing.T) {
	recs := fixture()
	opt := Options{Implemented: implementedFixture, FiguresDir: "figures"}
	md1, figs1, err := Generate(recs, opt)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(recs)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	impl := slices.Clone(implementedFixture)
	slices.Reverse(impl)
	md2, figs2, err := Generate(shuffled, Options{Implemented: impl, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(md1, md2) {
		t.Errorf("markdown differs between runs:\n%s", diff(t, md1, md2))
	}
	if len(figs1) != len(figs2) {
		t.Fatalf("%d figures, then %d", len(figs1), len(figs2))
	}
	for k, v := range figs1 {
		if !bytes.Equal(v, figs2[k]) {
			t.Errorf("figure %s differs between runs", k)
		}
		switch filepath.Ext(k) {
		case ".svg":
			if !bytes.Contains(v[:min(len(v), 200)], []byte("<svg")) {
				t.Errorf("%s does not start like an SVG: %.60q", k, v)
			}
		case ".png":
			if !bytes.HasPrefix(v, []byte("\x89PNG\r\n\x1a\n")) {
				t.Errorf("%s is not a PNG", k)
			}
		}
	}
}

// TestGenerateIgnoresLocale: a CJK locale makes tablewriter measure ±, ·, ≈, Δ as two columns wide;
// the output must not change with it.
func TestGenerateIgnoresLocale(t *testing.T) {
	prev := twwidth.IsEastAsian()
	defer twwidth.SetEastAsian(prev)
	var outs [][]byte
	for _, ea := range []bool{false, true} {
		twwidth.SetEastAsian(ea)
		md, _, err := Generate(fixture(), Options{Implemented: implementedFixture})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, md)
		if twwidth.IsEastAsian() != ea {
			t.Errorf("Generate left the East Asian width setting at %v, want it restored to %v", !ea, ea)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("output depends on the East Asian width setting:\n%s", diff(t, outs[0], outs[1]))
	}
}

// cellOf returns the cell of the first table row starting with rowPrefix under a heading, in the
// column whose header starts with colPrefix.
func cellOf(t *testing.T, md, heading, rowPrefix, colPrefix string) string {
	t.Helper()
	i := strings.Index(md, heading)
	if i < 0 {
		t.Fatalf("no heading %q", heading)
	}
	lines := strings.Split(md[i:], "\n")
	var header []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "|") {
			if header != nil && l == "" {
				break
			}
			continue
		}
		cells := splitRow(l)
		if header == nil {
			header = cells
			continue
		}
		if strings.HasPrefix(cells[0], rowPrefix) {
			for j, h := range header {
				if strings.HasPrefix(h, colPrefix) {
					return cells[j]
				}
			}
			t.Fatalf("no column %q in %q", colPrefix, header)
		}
	}
	t.Fatalf("no row %q under %q", rowPrefix, heading)
	return ""
}

func splitRow(line string) []string {
	line = strings.Trim(line, "|")
	line = strings.ReplaceAll(line, `\|`, "\x00")
	var cells []string
	for c := range strings.SplitSeq(line, "|") {
		cells = append(cells, strings.ReplaceAll(strings.TrimSpace(c), "\x00", "|"))
	}
	return cells
}

// TestCellsHandChecked checks numbers computed by hand from fixture():
//   - JODIE MRR {0.70, 0.72, 0.74}: mean 0.72, sample std sqrt((0.02² + 0 + 0.02²)/2) = 0.02;
//   - JODIE frozen MRR {0.75, 0.76}: mean 0.755, std 0.01/sqrt(2) = 0.00707, paper 0.746, Δ +0.009;
//   - Table 5: off {600, 660} s: 630.0 ± 42.4; on {60, 66} s: 63.0 ± 4.2; the paper's GPU with
//     t-Batch, 5.13 min = 307.8 s, ÷ 63.0 s = 4.89×;
//     speed-up 630 / 63 = 10.00×, paper 43.53 / 5.13 = 8.49×.
//   - improvement MRR: JODIE 0.72 vs best other Repeat-last 0.60 (RRN 0.52): +12.0 pts, 0.12/0.60 = +20.0%;
//     Recall@10: 0.82 vs 0.70: +12.0 pts, 0.12/0.70 = +17.1%; paper Wikipedia +22.4 and +20.5 pts.
func TestCellsHandChecked(t *testing.T) {
	md, _, err := Generate(fixture(), Options{Implemented: implementedFixture})
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	t3online := "### JODIE Table 3, protocol `online`, normalisation `global`, profile `quick`"
	t3frozen := "### JODIE Table 3, protocol `frozen`, normalisation `train`, profile `paper`"
	t4quick := "### JODIE Table 4, protocol `online`, normalisation `global`, profile `quick`"
	t4paper := "### JODIE Table 4, protocol `online`, normalisation `global`, profile `paper`"
	cases := []struct{ heading, row, col, want string }{
		{t3online, "JODIE (jodie)", "synth-wikipedia-small (≈ Wikipedia) MRR", "0.720 ± 0.020 (n=3) · paper 0.746"},
		{t3online, "JODIE (jodie)", "synth-wikipedia-small (≈ Wikipedia) Recall@10", "0.820 ± 0.020 (n=3) · paper 0.822"},
		{t3online, "RRN (rrn)", "synth-wikipedia-small (≈ Wikipedia) MRR", "0.520 ± 0.020 (n=3) · paper 0.522"},
		{t3online, "Repeat-last (repeatlast)", "synth-wikipedia-small (≈ Wikipedia) MRR", "0.600 (n=1)"},
		{t3online, "% improvement", "synth-wikipedia-small (≈ Wikipedia) MRR", "+12.0 pts (+20.0%) vs Repeat-last · paper +22.4 pts"},
		{t3online, "% improvement", "synth-wikipedia-small (≈ Wikipedia) Recall@10", "+12.0 pts (+17.1%) vs Repeat-last · paper +20.5 pts"},
		{t3online, "% improvement", "LastFM MRR", "no results · paper +4.7 pts"},
		{t3online, "% improvement", "synth-reddit-small (≈ Reddit) MRR", "+20.0 pts (+200.0%) vs mystery · paper +12.3 pts"},
		{t3online, "JODIE (jodie) [tbatch=paper]", "synth-reddit-small (≈ Reddit) MRR", "0.300 (n=1) · paper 0.726"},
		{t3online, "mystery — not in the paper", "synth-reddit-small (≈ Reddit) MRR", "0.100 (n=1)"},
		{t3online, "LSTM (lstm)", "synth-wikipedia-small (≈ Wikipedia) MRR", "no results · paper 0.329"},
		{t3online, "CTDNE (ctdne)", "LastFM Recall@10", "not implemented yet · paper 0.010"},
		{t3online, "Popularity (popularity) — not in the paper", "LastFM MRR", "no results"},
		{t3online, "CRNN (crnn) — not in the paper", "LastFM MRR", "not implemented yet"},
		{t3frozen, "JODIE (jodie)", "wikipedia MRR", "0.755 ± 0.007 (n=2) · paper 0.746 · Δ +0.009"},
		{t3frozen, "JODIE (jodie)", "wikipedia Recall@10", "0.820 ± 0.014 (n=2) · paper 0.822 · Δ -0.002"},
		{t3frozen, "% improvement", "wikipedia MRR", "no other method has results · paper +22.4 pts"},
		{t4quick, "% improvement", "synth-mooc (≈ MOOC) AUC", "JODIE has no results · paper +4.5 pts"},
		{t4quick, "LSTM (lstm)", "synth-mooc (≈ MOOC) AUC", "0.700 (n=1) · paper 0.686"},
		// RRN's seed 1 twice (two backends) is no repetition: mean (0.60+0.62)/2, std 0.02/sqrt(2).
		{t4quick, "RRN (rrn)", "synth-mooc (≈ MOOC) AUC", "0.610 ± 0.014 (n=2, 1 seed) · paper 0.558"},
		// The same configuration run under the paper profile is a table of its own.
		{t4paper, "LSTM (lstm)", "synth-mooc (≈ MOOC) AUC", "0.750 (n=1) · paper 0.686"},
		{"## JODIE Table 5", "JODIE (jodie)", "synth-reddit-small (≈ Reddit) without", "630.0 ± 42.4 (n=2) · paper 43.53 min"},
		{"## JODIE Table 5", "JODIE (jodie)", "synth-reddit-small (≈ Reddit) with t-Batch (s/epoch)", "63.0 ± 4.2 (n=2) · paper 5.13 min"},
		{"## JODIE Table 5", "JODIE (jodie)", "synth-reddit-small (≈ Reddit) with t-Batch vs", "4.89× (63.0 s vs 308 s)"},
		{"## JODIE Table 5", "JODIE (jodie)", "synth-reddit-small (≈ Reddit) speed-up", "10.00× · paper 8.49×"},
		{"## JODIE Table 5", "DeepCoevolve (deepcoevolve)", "synth-reddit-small (≈ Reddit) speed-up", "not implemented yet · paper 7.43×"},
		{"## JODIE Fig. 5", "JODIE (jodie)", "train=0.4", "0.605 ± 0.007 (n=2)"},
		{"## JODIE Fig. 5", "LSTM (lstm)", "train=0.8", "0.400 ± 0.000 (n=2)"},
		{"## JODIE Fig. 7", "JODIE (jodie)", "before=0", "3.000 [2.800, 3.300] (n=1)"},
		{"## JUMP Table 2", "JUMP (jump)", "synth-reddit-small (≈ REDDIT) MAE", "200.00 (n=1) · paper 185.70"},
		{"## JUMP Table 3", "NARM (narm)", "CIKM16 NDCG@20", "not implemented yet · paper 0.2853"},
		{"## TIN Table 1", "TIN (tin)", "Amazon Logloss", "not implemented yet · paper 0.4636 ± 0.003"},
		{"## Other results", "scratch", "Values", "MRR 0.25 (n=1)"},
	}
	for _, c := range cases {
		if got := cellOf(t, s, c.heading, c.row, c.col); got != c.want {
			t.Errorf("%s / %s / %s = %q, want %q", c.heading, c.row, c.col, got, c.want)
		}
	}
	// LSTM's Fig. 5 values are equal over seeds: the std is 0 and printed as such.
	if got := cellOf(t, s, "## JODIE Fig. 5", "LSTM (lstm)", "train=0.1"); got != "0.300 ± 0.000 (n=2)" {
		t.Errorf("LSTM train=0.1 = %q", got)
	}
}

func TestSummarise(t *testing.T) {
	cases := []struct {
		xs        []float64
		mean, std float64
		n         int
		ok        bool
		oracle    string
	}{
		{nil, 0, 0, 0, false, "no values"},
		{[]float64{0.5}, 0.5, 0, 1, true, "one seed: no spread"},
		{[]float64{1, 2, 3, 4}, 2.5, 1.2909944487358056, 4, true, "sqrt(5/3), numpy.std(ddof=1)"},
		{[]float64{0.70, 0.72, 0.74}, 0.72, 0.02, 3, true, "sqrt(0.0008/2)"},
	}
	for _, c := range cases {
		s, ok := summarise(c.xs)
		if ok != c.ok || s.N != c.n || !near(s.Mean, c.mean) || !near(s.Std, c.std) {
			t.Errorf("summarise(%v) = %+v, %v; want mean %v std %v n %d (%s)", c.xs, s, ok, c.mean, c.std, c.n, c.oracle)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestComputeImprovement(t *testing.T) {
	cases := []struct {
		name           string
		prop, others   []float64
		higher         bool
		ok             bool
		best           string
		points, relPct float64
	}{
		// The paper's own Reddit MRR cell: 0.726 vs RRN 0.603 is printed 12.3; relative 20.4%.
		{"paper reddit MRR", []float64{0.726}, []float64{0.355, 0.387, 0.603, 0.421, 0.165, 0.171}, true, true, "o2", 12.3, 20.398009950248756},
		{"best proposed variant", []float64{0.5, 0.8}, []float64{0.4}, true, true, "o0", 40, 100},
		{"proposed worse", []float64{0.5}, []float64{0.6, 0.55}, true, true, "o0", -10, -16.666666666666668},
		// Lower is better (MAE): 80 against best 100 is a 20% improvement.
		{"lower is better", []float64{80}, []float64{120, 100}, false, true, "o1", 2000, 20},
		{"no proposed", nil, []float64{0.6}, true, false, "", 0, 0},
		{"no others", []float64{0.6}, nil, true, false, "", 0, 0},
	}
	for _, c := range cases {
		var prop, others []summary
		var names []string
		for _, v := range c.prop {
			prop = append(prop, summary{Mean: v, N: 1})
		}
		for i, v := range c.others {
			others = append(others, summary{Mean: v, N: 1})
			names = append(names, "o"+itoa(i))
		}
		imp, ok := computeImprovement(prop, others, names, c.higher)
		if ok != c.ok {
			t.Errorf("%s: ok = %v", c.name, ok)
			continue
		}
		if ok && (imp.BestName != c.best || !near6(imp.Points, c.points) || !near6(imp.Relative, c.relPct)) {
			t.Errorf("%s: got %+v, want best %s, %v pts, %v%%", c.name, imp, c.best, c.points, c.relPct)
		}
	}
}

func near6(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }

// TestProvenanceFromRecords: the provenance lines list exactly the records' values (sorted,
// distinct), and nothing of the machine or checkout the test runs on.
func TestProvenanceFromRecords(t *testing.T) {
	md, _, err := Generate(fixture(), Options{Implemented: implementedFixture})
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	for _, want := range []string{
		"Provenance (from the result records): commit 0123abc4def5; machine Imaginary CPU 9000 @ 1.00GHz; cores 2; backend cpu/gonum; profile quick.",
		"Provenance (from the result records): commit fedcba987654; machine Other CPU; cores 16; backend cpu/openblas; profile paper.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q", want)
		}
	}
	// Two commits in one table: both, sorted and joined.
	recs := []bench.Record{
		rec(env{"bbb", "M2", "8", "cpu/gonum", "quick"}, "table4", "StateChange", "online", "train", 1, []string{"jodie", "mooc"}, "AUC", 0.7),
		rec(env{"aaa", "M1", "4", "cpu/gonum", "quick"}, "table4", "StateChange", "online", "train", 2, []string{"jodie", "mooc"}, "AUC", 0.8),
	}
	md, _, err = Generate(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "commit aaa, bbb; machine M1, M2; cores 4, 8; backend cpu/gonum; profile quick."; !strings.Contains(string(md), want) {
		t.Errorf("missing %q in\n%s", want, md)
	}
	for _, kv := range bench.Environment() {
		if (kv.Key == "commit" || kv.Key == "machine") && kv.Value != "unknown" && len(kv.Value) > 3 && strings.Contains(s, kv.Value) {
			t.Errorf("output contains the environment's %s %q", kv.Key, kv.Value)
		}
	}
}

// TestPendingSections: with no records every section is there, its rows say why they are empty.
func TestPendingSections(t *testing.T) {
	md, figs, err := Generate(nil, Options{Implemented: []string{"jodie"}, FiguresDir: "figures"})
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 0 {
		t.Errorf("figures without data: %v", figs)
	}
	s := string(md)
	if !strings.HasPrefix(s, "<!-- Code generated by `make tables` (tibench tables) from results/. DO NOT EDIT. -->\n") {
		t.Errorf("missing generated-file header: %.100q", s)
	}
	for _, want := range []string{
		"## JODIE Table 3", "## Protocol effect", "## JODIE Table 4", "## JODIE Table 5", "## JODIE Fig. 5", "## JODIE Fig. 6", "## JODIE Fig. 7",
		"## JUMP Table 2", "## JUMP Table 3", "## JUMP Fig. 5", "## JUMP Fig. 6", "## JUMP Fig. 7",
		"## TIN Table 1", "## TIN Table 3", "## TIN Table 4", "## TIN Figs. 1 and 3",
		"No results yet for Fig. 4 (run `make reproduce`).", "No results yet for JODIE Fig. 5 (run `make reproduce`).",
		"No results yet for JODIE Fig. 6 (run `make reproduce`).", "No results yet for Fig. 7 (run `make reproduce`).",
		"No results yet for JUMP Fig. 5 (run `make reproduce`).", "No results yet for JUMP Fig. 6 (run `make reproduce`).",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q", want)
		}
	}
	if got := cellOf(t, s, "## JODIE Table 3", "JODIE (jodie)", "Reddit MRR"); got != "no results · paper 0.726" {
		t.Errorf("JODIE Reddit MRR = %q", got)
	}
	if got := cellOf(t, s, "## JODIE Table 3", "LSTM (lstm)", "Reddit MRR"); got != "not implemented yet · paper 0.355" {
		t.Errorf("LSTM Reddit MRR = %q", got)
	}
	if strings.Contains(s, "Other results") || strings.Contains(s, "Provenance") {
		t.Errorf("empty results should have neither other results nor provenance")
	}
}

func TestFormatting(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{fmtNum(0.7461, 3), "0.746"},
		{fmtNum(-0.0004, 3), "0.000"}, // no "-0.000"
		{fmtSigned(-0.0004, 3), "+0.000"},
		{fmtSigned(0.009, 3), "+0.009"},
		{fmtSigned(-0.002, 3), "-0.002"},
		{fmtSummary(summary{Mean: 0.72, Std: 0.02, N: 3}, 3), "0.720 ± 0.020 (n=3)"},
		{fmtSummary(summary{Mean: 0.6, N: 1}, 3), "0.600 (n=1)"},
		{fmtSummary(summary{Mean: 0.6, Std: 0.1, N: 2, Seeds: 1}, 3), "0.600 ± 0.100 (n=2, 1 seed)"},
		{fmtSummary(summary{Mean: 0.6, Std: 0.1, N: 4, Seeds: 2}, 3), "0.600 ± 0.100 (n=4, 2 seeds)"},
		{fmtPaper(pvs(0.4636, 3e-3), 4), "0.4636 ± 0.003"},
		{fmtPaper(pv(271.8), 2), "271.80"},
		{escapeCell("a|b\nc\td"), `a\|b c d`},
		{paperKeyOf("synth-wikipedia-small"), "wikipedia"},
		{paperKeyOf("synth-mooc"), "mooc"},
		{paperKeyOf("Reddit"), "reddit"},
		{paperKeyOf("lastfm"), "lastfm"},
		{paperKeyOf("amazon-electronics"), "amazon"},
		{paperKeyOf("reddit-sessions"), "reddit"},
		{column{Dataset: "amazon-electronics", Paper: paperDataset{"amazon", "Amazon"}}.Label(), "amazon-electronics"},
		{column{Dataset: "synth-amazon", Paper: paperDataset{"amazon", "Amazon"}}.Label(), "synth-amazon (≈ Amazon)"},
		{column{Dataset: "wikipedia", Paper: paperDataset{"wikipedia", "Wikipedia"}}.Label(), "wikipedia"},
		{column{Dataset: "synth-lastfm", Paper: paperDataset{"lastfm", "LastFM"}}.Label(), "synth-lastfm (≈ LastFM)"},
		{column{Dataset: "foo"}.Label(), "foo (not in the paper)"},
		{column{Paper: paperDataset{"mooc", "MOOC"}}.Label(), "MOOC"},
		{variantOf(&bench.Record{Name: []bench.KV{{Key: "model", Value: "m"}, {Key: "dataset", Value: "d"}, {Key: "train", Value: "0.4"}, {Key: "x", Value: "y"}}}), "train=0.4/x=y"},
		{withoutVariantKey("tbatch=on/lr=0.1", "tbatch"), "lr=0.1"},
		{variantValue("tbatch=on/lr=0.1", "lr"), "0.1"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: %q, want %q", i, c.got, c.want)
		}
	}
	// Numeric variant order: 0.1 < 0.4 < 0.8 and 32 < 128 (not string order).
	vs := []string{"dim=128", "dim=32", "dim=64"}
	slices.SortFunc(vs, compareVariants)
	if !slices.Equal(vs, []string{"dim=32", "dim=64", "dim=128"}) {
		t.Errorf("variant order %q", vs)
	}
}

// FuzzGenerate: arbitrary names and values never break the markdown tables (each table line starts
// and ends with a pipe and has as many cells as its header) and never make Generate fail.
func FuzzGenerate(f *testing.F) {
	f.Add("jodie", "synth-reddit", "train=0.4", 0.5, "online")
	f.Add("a|b", "x\ny", "dim=abc", -1.0, "")
	f.Add("", "", "", 0.0, "fro|zen")
	f.Add("m", "d", "dim=-1", math.Inf(1), "online")
	f.Add("m", "d", "before=2", math.NaN(), "online")
	f.Fuzz(func(t *testing.T, model, dataset, variant string, v float64, protocol string) {
		for _, s := range []string{model, dataset, variant, protocol} {
			if strings.ContainsAny(s, "/=") && s != variant {
				t.Skip("benchmark names cannot hold / or = in keys")
			}
		}
		name := []string{model, dataset}
		if strings.Count(variant, "=") == 1 && !strings.Contains(variant, "/") {
			name = append(name, variant)
		}
		var recs []bench.Record
		for _, exp := range []string{"table3", "protocol-effect", "table5", "fig5-train-fraction", "fig6-dimension", "fig7-early-warning", "tin-table1"} {
			recs = append(recs,
				rec(testEnv, exp, "NextItem", protocol, "train", 1, name, "MRR", v, "recall@10", v),
				rec(testEnv, exp, "EpochTime", protocol, "train", 1, append(slices.Clone(name), "tbatch=on"), "sec/epoch", v),
				rec(testEnv, exp, "EarlyWarning", protocol, "train", 1, name, "ratio", v, "ratio-lo", v, "ratio-hi", v),
				rec(testEnv, exp, "CTR", protocol, "train", 1, name, "logloss", v, "GAUC", v))
		}
		md, _, err := Generate(recs, Options{Implemented: []string{model}, FiguresDir: "figures"})
		if err != nil {
			t.Fatal(err)
		}
		cols := -1
		for l := range strings.SplitSeq(string(md), "\n") {
			if !strings.HasPrefix(l, "|") {
				cols = -1
				continue
			}
			if !strings.HasSuffix(l, "|") {
				t.Fatalf("broken table line %q", l)
			}
			n := len(splitRow(l))
			if cols >= 0 && n != cols {
				t.Fatalf("table line with %d cells, header has %d: %q", n, cols, l)
			}
			cols = n
		}
	})
}

// TestTableUnitsHaveDirections: every table metric's unit is in the one direction table, so the
// improvement row compares in the same direction as selection and the regression check.
func TestTableUnitsHaveDirections(t *testing.T) {
	for _, spec := range []*tableSpec{&specTable3, &specTable4, &specJump2, &specJump3, &specTIN} {
		for _, m := range spec.Metrics {
			if _, err := metrics.Lookup(m.Unit); err != nil {
				t.Errorf("%s %s: %v", spec.Name, m.Unit, err)
			}
		}
	}
	if (metric{Unit: "MAE"}).higher() || !(metric{Unit: "MRR@20"}).higher() {
		t.Error("MAE must be lower-is-better and MRR@20 higher-is-better")
	}
}

// BenchmarkGenerate times a full BENCHMARKS.md with and without its figures (fixture records).
func BenchmarkGenerate(b *testing.B) {
	recs := fixture()
	for _, c := range []struct{ name, figs string }{{"figures=none", ""}, {"figures=svg+png", "figures"}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Generate(recs, Options{Implemented: implementedFixture, FiguresDir: c.figs}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPaperTableSkipsModelsWithoutItsMetrics: in JUMP Table 2, a model outside the paper's list gets
// a row only when it records MAE — a session model without a dwell head (no MAE) has none, one
// with MAE is shown "not in the paper"; Table 3 shows both.
func TestPaperTableSkipsModelsWithoutItsMetrics(t *testing.T) {
	e := testEnv
	rs := []bench.Record{
		rec(e, "jump-tables", "Dwell", "frozen", "train", 1, []string{"clicks-only", "synth-reddit-small"},
			"recall@20", 0.8, "MRR@20", 0.6, "ndcg@20", 0.65),
		rec(e, "jump-tables", "Dwell", "frozen", "train", 1, []string{"dwell-model", "synth-reddit-small"},
			"MAE", 400.0, "recall@20", 0.7, "MRR@20", 0.5, "ndcg@20", 0.55),
	}
	out, _, err := Generate(rs, Options{Implemented: implementedFixture})
	if err != nil {
		t.Fatal(err)
	}
	md := string(out)
	table2 := md[strings.Index(md, "## JUMP Table 2"):strings.Index(md, "## JUMP Table 3")]
	if strings.Contains(table2, "clicks-only") {
		t.Errorf("Table 2 shows a model that records no MAE:\n%s", table2)
	}
	if !strings.Contains(table2, "dwell-model — not in the paper") {
		t.Errorf("Table 2 lacks the extra model with MAE:\n%s", table2)
	}
	table3 := md[strings.Index(md, "## JUMP Table 3"):]
	for _, m := range []string{"clicks-only", "dwell-model"} {
		if !strings.Contains(table3, m+" — not in the paper") {
			t.Errorf("Table 3 lacks %s", m)
		}
	}
}
