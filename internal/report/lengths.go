package report

import (
	"strings"
)

// Breakdowns by sequence length (bench's run.length_buckets, units such as recall@20/len=2-6):
// JUMP Fig. 7 (Recall@20 of short, moderate and long sessions) and TIN Table 3 (GAUC of TTE-P and
// COE by the length of the behaviour history), each a table and a figure; and TIN Table 4 (TTE-P vs
// TTE-T vs timestamp encoding), a plain paper table.

// lengthBucket is one column of a breakdown: the bucket as units write it and as headers show it.
type lengthBucket struct{ Key, Label string }

// lengthSpec is a paper table over one metric by length bucket, with its figure.
type lengthSpec struct {
	Table   tableSpec // Metrics are filled from Unit and Buckets
	Unit    string    // the metric broken down, e.g. "recall@20"
	Label   string    // its label, e.g. "Recall@20"
	Dec     int
	Buckets []lengthBucket
	XLabel  string // the figure's x axis
	File    string // figure file name stem
}

func (s *lengthSpec) spec() *tableSpec {
	t := s.Table
	t.Metrics = nil
	for _, b := range s.Buckets {
		t.Metrics = append(t.Metrics, metric{s.Unit + "/len=" + b.Key, s.Label + " " + b.Label, s.Dec})
	}
	return &t
}

var (
	// JUMP Fig. 7 (Zhou et al., IJCAI 2018, §5.3): "recall@20 for short sessions (length from 2 to 6),
	// moderate sessions (length from 10-30), and long sessions (length greater than 150)"; a figure
	// without printed numbers.
	jumpFig7 = lengthSpec{
		Table: tableSpec{
			Name: "JUMP Fig. 7", Title: "Recall@20 by session length",
			Experiment: "jump-tables", Bench: "Dwell",
			Intro: "Recall@20 of the next click over the test clicks of sessions of 2–6, 10–30 and more than 150 clicks " +
				"(run.length_buckets of experiment `jump-tables`: the same runs as JUMP Tables 2 and 3). A bucket that no " +
				"test session falls in records no value (\"no test sequence of this length\"). The paper draws the figure without numbers; " +
				"the figure below draws each model's mean ± std over seeds by bucket.",
			Datasets: jumpDatasets,
			Methods:  jumpTable3Methods,
		},
		Unit: "recall@20", Label: "Recall@20", Dec: 4,
		Buckets: []lengthBucket{{"2-6", "length 2–6"}, {"10-30", "length 10–30"}, {"151-", "length >150"}},
		XLabel:  "session length (clicks)", File: "jump-fig7",
	}

	tinEncodingMethods = []method{
		{"tin", "TTE-P", true},
		{"tin-coe", "COE", true},
		{"tin-tte-t", "TTE-T", true},
		{"tin-te", "Timestamp Encoding", true},
	}

	// TIN Table 3 (Zhou, Pan et al., WWW 2024, §4.4): GAUC on Amazon by behaviour-sequence length.
	tinTable3 = lengthSpec{
		Table: tableSpec{
			Name: "TIN Table 3", Title: "TTE-P vs COE by behaviour-sequence length (GAUC)",
			Experiment: "tin-encodings", Bench: "CTR",
			Intro: "GAUC (TIN code) of TIN with its target-aware position encoding TTE-P (`tin`) and with the target-agnostic " +
				"chronological order encoding COE (`tin-coe`), on test samples grouped by the length of their behaviour " +
				"history, in the paper's ranges [1, 5), [5, 10), [10, 15), [15, 20) and [20, 430] (experiment `tin-encodings`; " +
				"histories are capped at run.ctr.max_history, 50 by default, so the last range ends there). TTE-T " +
				"(`tin-tte-t`) and timestamp encoding (`tin-te`) are shown too; the paper has them in Table 4 only. `paper` = TIN Table 3 (Amazon only; its " +
				"Δ% row is the relative change of COE vs TTE-P as a fraction: −0.0009, −0.0017, −0.0027, −0.0025, " +
				"−0.0061). The last row compares TTE-P with the better other encoding in points of GAUC.",
			Datasets: tinDatasets[:1],
			Methods:  notInPaper(notInPaper(tinEncodingMethods, "tin-tte-t"), "tin-te"),
			Paper: map[paperKey]paperValue{
				{"tin", "amazon", "GAUC/len=1-4"}: pv(0.8571), {"tin", "amazon", "GAUC/len=5-9"}: pv(0.8630),
				{"tin", "amazon", "GAUC/len=10-14"}: pv(0.8742), {"tin", "amazon", "GAUC/len=15-19"}: pv(0.8752),
				{"tin", "amazon", "GAUC/len=20-"}:     pv(0.8728),
				{"tin-coe", "amazon", "GAUC/len=1-4"}: pv(0.8564), {"tin-coe", "amazon", "GAUC/len=5-9"}: pv(0.8615),
				{"tin-coe", "amazon", "GAUC/len=10-14"}: pv(0.8718), {"tin-coe", "amazon", "GAUC/len=15-19"}: pv(0.8731),
				{"tin-coe", "amazon", "GAUC/len=20-"}: pv(0.8675),
			},
			Proposed: "tin",
		},
		Unit: "GAUC", Label: "GAUC", Dec: 4,
		Buckets: []lengthBucket{{"1-4", "[1, 5)"}, {"5-9", "[5, 10)"}, {"10-14", "[10, 15)"}, {"15-19", "[15, 20)"}, {"20-", "[20, …]"}},
		XLabel:  "behaviour history length", File: "tin-table3",
	}

	// TIN Table 4 (§4.4): Logloss and GAUC of TTE-P, TTE-T and timestamp encoding on Amazon and Alibaba.
	specTIN4 = tableSpec{
		Name: "TIN Table 4", Title: "temporal encodings (Logloss, GAUC)",
		Experiment: "tin-encodings", Bench: "CTR",
		Intro: "TIN with TTE-P (`tin`), with the time-interval encoding TTE-T (`tin-tte-t`: 10 equal-frequency bins of the " +
			"time to the target, fitted on the training samples) and with timestamp encoding (`tin-te`: hour, weekday and " +
			"month embeddings of each timestamp read as Unix seconds in UTC; synthetic data count from the epoch, so their " +
			"calendar carries no real daily or weekly pattern), over all test samples (experiment `tin-encodings`); COE (`tin-coe`, TIN Table 3) " +
			"is shown too. `paper` = TIN Table 4 (its Δ% columns are the relative change vs TTE-P).",
		Datasets: tinDatasets,
		Metrics:  []metric{{"logloss", "Logloss", 4}, {"GAUC", "GAUC", 4}},
		Methods:  []method{tinEncodingMethods[0], tinEncodingMethods[2], tinEncodingMethods[3], {"tin-coe", "COE", false}},
		Paper: map[paperKey]paperValue{
			{"tin", "amazon", "logloss"}: pv(0.4636), {"tin", "amazon", "GAUC"}: pv(0.8629),
			{"tin", "alibaba", "logloss"}: pv(0.1954), {"tin", "alibaba", "GAUC"}: pv(0.6144),
			{"tin-tte-t", "amazon", "logloss"}: pv(0.4484), {"tin-tte-t", "amazon", "GAUC"}: pv(0.8703),
			{"tin-tte-t", "alibaba", "logloss"}: pv(0.1956), {"tin-tte-t", "alibaba", "GAUC"}: pv(0.6139),
			{"tin-te", "amazon", "logloss"}: pv(0.4647), {"tin-te", "amazon", "GAUC"}: pv(0.8621),
			{"tin-te", "alibaba", "logloss"}: pv(0.1960), {"tin-te", "alibaba", "GAUC"}: pv(0.6132),
		},
	}
)

// lengthSection writes a breakdown's table and, per partition and dataset with results, its figure:
// one line per method row, the buckets on the x axis.
func (g *generator) lengthSection(ls *lengthSpec) {
	spec := ls.spec()
	g.printf("## %s — %s\n\n%s\n\n", spec.Name, spec.Title, spec.Intro)
	parts := partitions(g.ix.take(spec.Experiment, spec.Bench, nil))
	for _, p := range parts {
		g.writePart(spec.Name, p, len(parts), buildPaperTable(spec, p, g.status))
		for _, c := range columnsFor(spec.Datasets, p.Groups) {
			if c.Dataset == "" {
				continue
			}
			var series []lineSeries
			for _, r := range rowsFor(spec.Methods, p.Groups, plainVariant) {
				gs := lookup(p.Groups, r.Method.Model, r.Variant, c.Dataset, plainVariant)
				if len(gs) == 0 {
					continue
				}
				s := lineSeries{Label: shortLabel(r)}
				for i, m := range spec.Metrics {
					if st, ok := gs[0].stat(m.Unit); ok {
						s.Points = append(s.Points, linePoint{X: float64(i + 1), Y: st.Mean, Lo: st.Mean - st.Std, Hi: st.Mean + st.Std})
					}
				}
				series = append(series, s)
			}
			var ticks []float64
			for i := range ls.Buckets {
				ticks = append(ticks, float64(i+1))
			}
			lf := lineFigureSpec{
				Title:  spec.Name + ": " + ls.Label + " by " + ls.XLabel + ", " + c.Label(),
				XLabel: ls.XLabel, YLabel: ls.Label, XTicks: ticks, Series: series,
				XTickLabel: func(x float64) string {
					if i := int(x) - 1; i >= 0 && i < len(ls.Buckets) {
						return strings.TrimPrefix(ls.Buckets[i].Label, "length ")
					}
					return ""
				},
			}.clean()
			if len(lf.Series) == 0 {
				g.printf("%s is not drawn for %s: no bucket has a value.\n\n", spec.Name, c.Dataset)
				continue
			}
			g.figure(ls.File+"-"+fileSafe(c.Dataset)+partSuffix(p, len(parts)), lf.Title+" (mean ± std over seeds)",
				func() ([]byte, []byte, error) { return lineFigure(lf) })
		}
	}
}
