package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// protocolRecs builds protocol-effect records of one model, dataset and protocol: one per seed
// (1, 2, ...) with the MRR and Recall@10 given for that seed; a record of the sweep carries the
// protocol both in its name (the variant) and in its file configuration, as the runner writes it.
func protocolRecs(e env, model, dataset, protocol string, mrr, recall []float64) []bench.Record {
	var out []bench.Record
	for i := range mrr {
		out = append(out, rec(e, "protocol-effect", "NextItem", protocol, "train", i+1,
			[]string{model, dataset, "protocol=" + protocol}, "MRR", mrr[i], "recall@10", recall[i]))
	}
	return out
}

// protocolSectionOf returns the protocol-effect section of a generated file.
func protocolSectionOf(t *testing.T, md string) string {
	t.Helper()
	i := strings.Index(md, "## Protocol effect — frozen vs online evaluation")
	if i < 0 {
		t.Fatal("no protocol-effect section")
	}
	s := md[i:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+4]
	}
	return s
}

// TestProtocolEffect checks the protocol-effect section against numbers computed by hand:
//   - JODIE MRR frozen {0.30, 0.32, 0.34}: 0.320 ± 0.020; online {0.40, 0.45, 0.47}: mean 0.44, std
//     sqrt((0.04² + 0.01² + 0.03²)/2) = 0.036; per-seed Δ {0.10, 0.13, 0.13}: mean 0.12, std
//     sqrt((0.02² + 0.01² + 0.01²)/2) = 0.017. Recall@10 frozen {0.50, 0.52, 0.54}: 0.520 ± 0.020;
//     online {0.60, 0.61, 0.65}: 0.620 ± 0.026; Δ {0.10, 0.09, 0.11}: +0.100 ± 0.010.
//   - Repeat-last (a floor, no parameters): 0.40 under both protocols for every seed: Δ +0.000 ± 0.000.
//   - LSTM frozen on seeds 1, 2 {0.35, 0.37}, online on seeds 2, 3 {0.36, 0.40}: only seed 2 pairs,
//     Δ = 0.36 − 0.37 = −0.010 (n=1).
//   - RRN frozen only: "needs both protocols"; CTDNE is not registered: "not implemented yet".
//   - MRR ranks frozen: RRN 0.50, Repeat-last 0.40, LSTM 0.36, JODIE 0.32 → 1, 2, 3, 4; online:
//     JODIE 0.44, Repeat-last 0.40, LSTM 0.38 → 1, 2, 3 (RRN none).
func TestProtocolEffect(t *testing.T) {
	e := testEnv
	paper := env{e.commit, e.machine, e.cores, e.backend, "paper"}
	ws := "synth-wikipedia-small"
	var main []bench.Record
	for _, rs := range [][]bench.Record{
		protocolRecs(e, "jodie", ws, "frozen", []float64{0.30, 0.32, 0.34}, []float64{0.50, 0.52, 0.54}),
		protocolRecs(e, "jodie", ws, "online", []float64{0.40, 0.45, 0.47}, []float64{0.60, 0.61, 0.65}),
		protocolRecs(e, "repeatlast", ws, "frozen", []float64{0.40, 0.40, 0.40}, []float64{0.70, 0.70, 0.70}),
		protocolRecs(e, "repeatlast", ws, "online", []float64{0.40, 0.40, 0.40}, []float64{0.70, 0.70, 0.70}),
		protocolRecs(e, "lstm", ws, "frozen", []float64{0.35, 0.37}, []float64{0.60, 0.60}),
		protocolRecs(e, "rrn", ws, "frozen", []float64{0.50}, []float64{0.80}),
		protocolRecs(e, "jodie", "wikipedia", "frozen", []float64{0.64}, []float64{0.80}),
		protocolRecs(e, "jodie", "wikipedia", "online", []float64{0.76}, []float64{0.85}),
	} {
		main = append(main, rs...)
	}
	// LSTM online on seeds 2 and 3.
	for i, v := range []float64{0.36, 0.40} {
		main = append(main, rec(e, "protocol-effect", "NextItem", "online", "train", i+2,
			[]string{"lstm", ws, "protocol=online"}, "MRR", v, "recall@10", 0.60))
	}
	// Records that must not reach the section: Table 3's (another experiment, both protocols), a
	// protocol-effect record of another benchmark and one without a known protocol.
	leaks := []bench.Record{
		rec(e, "table3", "NextItem", "frozen", "train", 1, []string{"jodie", ws}, "MRR", 0.991, "recall@10", 0.992),
		rec(e, "table3", "NextItem", "online", "train", 1, []string{"jodie", ws}, "MRR", 0.993, "recall@10", 0.994),
		rec(e, "protocol-effect", "StateChange", "online", "train", 1, []string{"jodie", ws, "protocol=online"}, "AUC", 0.995),
		rec(e, "protocol-effect", "NextItem", "", "train", 1, []string{"jodie", ws}, "MRR", 0.996, "recall@10", 0.997),
	}
	wsHead, wikiHead := "### synth-wikipedia-small (≈ Wikipedia)", "### wikipedia"
	type cell struct{ heading, row, col, want string }
	cases := []struct {
		name        string
		recs        []bench.Record
		cells       []cell
		contains    []string // in the section
		absent      []string // not in the section
		other       []string // in "Other results"
		wantFigures []string
	}{
		{
			name: "one partition",
			recs: append(slices.Clone(main), leaks...),
			cells: []cell{
				{wsHead, "JODIE (jodie)", "MRR frozen", "0.320 ± 0.020 (n=3)"},
				{wsHead, "JODIE (jodie)", "MRR online", "0.440 ± 0.036 (n=3)"},
				{wsHead, "JODIE (jodie)", "MRR Δ", "+0.120 ± 0.017 (n=3)"},
				{wsHead, "JODIE (jodie)", "Recall@10 frozen", "0.520 ± 0.020 (n=3)"},
				{wsHead, "JODIE (jodie)", "Recall@10 online", "0.620 ± 0.026 (n=3)"},
				{wsHead, "JODIE (jodie)", "Recall@10 Δ", "+0.100 ± 0.010 (n=3)"},
				{wsHead, "JODIE (jodie)", "MRR rank", "4 → 1"},
				{wsHead, "Repeat-last (repeatlast)", "MRR frozen", "0.400 ± 0.000 (n=3)"},
				{wsHead, "Repeat-last (repeatlast)", "MRR online", "0.400 ± 0.000 (n=3)"},
				{wsHead, "Repeat-last (repeatlast)", "MRR Δ", "+0.000 ± 0.000 (n=3)"},
				{wsHead, "Repeat-last (repeatlast)", "Recall@10 Δ", "+0.000 ± 0.000 (n=3)"},
				{wsHead, "Repeat-last (repeatlast)", "MRR rank", "2 → 2"},
				{wsHead, "LSTM (lstm)", "MRR frozen", "0.360 ± 0.014 (n=2)"},
				{wsHead, "LSTM (lstm)", "MRR online", "0.380 ± 0.028 (n=2)"},
				{wsHead, "LSTM (lstm)", "MRR Δ", "-0.010 (n=1)"},
				{wsHead, "LSTM (lstm)", "MRR rank", "3 → 3"},
				{wsHead, "RRN (rrn)", "MRR online", "no results"},
				{wsHead, "RRN (rrn)", "MRR Δ", "needs both protocols"},
				{wsHead, "RRN (rrn)", "MRR rank", "1 → —"},
				{wsHead, "CTDNE (ctdne)", "MRR frozen", "not implemented yet"},
				{wsHead, "CTDNE (ctdne)", "MRR Δ", "not implemented yet"},
				{wsHead, "CTDNE (ctdne)", "MRR rank", "—"},
				{wsHead, "Popularity (popularity)", "MRR online", "no results"},
				{wikiHead, "JODIE (jodie)", "MRR Δ", "+0.120 (n=1)"},
				{wikiHead, "JODIE (jodie)", "MRR rank", "1 → 1"},
			},
			contains: []string{
				"Evaluation: protocols `frozen` and `online` side by side; time-delta normalisation `train`",
				"Provenance (from the result records): commit 0123abc4def5;",
			},
			absent: []string{"0.99", "### Protocol effect, normalisation"},
			other:  []string{"MRR 0.996 (n=1); recall@10 0.997 (n=1)", "AUC 0.995"},
			wantFigures: []string{
				"figures/protocol-effect-synth-wikipedia-small.png", "figures/protocol-effect-synth-wikipedia-small.svg",
				"figures/protocol-effect-wikipedia.png", "figures/protocol-effect-wikipedia.svg",
			},
		},
		{
			name: "profiles apart",
			recs: slices.Concat(
				protocolRecs(e, "jodie", ws, "frozen", []float64{0.30}, []float64{0.50}),
				protocolRecs(e, "jodie", ws, "online", []float64{0.40}, []float64{0.60}),
				protocolRecs(paper, "jodie", ws, "frozen", []float64{0.60}, []float64{0.70}),
				protocolRecs(paper, "jodie", ws, "online", []float64{0.65}, []float64{0.75})),
			cells: []cell{
				{"### Protocol effect, normalisation `train`, profile `quick`", "JODIE (jodie)", "MRR Δ", "+0.100 (n=1)"},
				{"### Protocol effect, normalisation `train`, profile `paper`", "JODIE (jodie)", "MRR Δ", "+0.050 (n=1)"},
				{"### Protocol effect, normalisation `train`, profile `paper`", "JODIE (jodie)", "Recall@10 online", "0.750 (n=1)"},
			},
			contains: []string{"#### synth-wikipedia-small (≈ Wikipedia)"},
			wantFigures: []string{
				"figures/protocol-effect-synth-wikipedia-small-train-paper.png", "figures/protocol-effect-synth-wikipedia-small-train-paper.svg",
				"figures/protocol-effect-synth-wikipedia-small-train-quick.png", "figures/protocol-effect-synth-wikipedia-small-train-quick.svg",
			},
		},
		{
			name:     "no results",
			recs:     leaks,
			contains: []string{"No results yet (run `make reproduce`)."},
			absent:   []string{"0.99", "Provenance"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			md, figs, err := Generate(c.recs, Options{Implemented: implementedFixture, FiguresDir: "figures"})
			if err != nil {
				t.Fatal(err)
			}
			sec := protocolSectionOf(t, string(md))
			for _, x := range c.cells {
				if got := cellOf(t, sec, x.heading, x.row, x.col); got != x.want {
					t.Errorf("%s / %s / %s = %q, want %q", x.heading, x.row, x.col, got, x.want)
				}
			}
			for _, s := range c.contains {
				if !strings.Contains(sec, s) {
					t.Errorf("section lacks %q", s)
				}
			}
			for _, s := range c.absent {
				if strings.Contains(sec, s) {
					t.Errorf("section contains %q", s)
				}
			}
			if len(c.other) > 0 {
				i := strings.Index(string(md), "## Other results")
				if i < 0 {
					t.Fatal("no Other results section")
				}
				for _, s := range c.other {
					if !strings.Contains(string(md)[i:], s) {
						t.Errorf("Other results lack %q", s)
					}
				}
			}
			var keys []string
			for k := range figs {
				if strings.HasPrefix(k, "figures/"+protocolFile) {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			if !slices.Equal(keys, c.wantFigures) {
				t.Errorf("protocol-effect figures = %q, want %q", keys, c.wantFigures)
			}
		})
	}
}

func TestRanks(t *testing.T) {
	s := func(m float64) *summary { return &summary{Mean: m, N: 1} }
	cases := []struct {
		vals   []*summary
		higher bool
		want   []int
	}{
		{[]*summary{s(0.3), s(0.5), nil, s(0.4)}, true, []int{3, 1, -1, 2}},
		{[]*summary{s(0.4), s(0.4), s(0.1)}, true, []int{1, 1, 3}}, // ties share the better rank
		{[]*summary{s(80), s(100)}, false, []int{1, 2}},            // lower is better (MAE)
		{nil, true, []int{}},
	}
	for _, c := range cases {
		if got := ranks(c.vals, c.higher); !slices.Equal(got, c.want) {
			t.Errorf("ranks = %v, want %v", got, c.want)
		}
	}
}
