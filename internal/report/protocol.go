package report

import (
	"slices"
	"strconv"

	"github.com/tibench/tibench/bench"
)

// The protocol-effect section (issue #11) sets the two evaluation protocols side by side: every
// next-item model of experiment protocol-effect (a sweep over run.protocol on the same data and
// seeds), MRR and Recall@10 under frozen and online and their difference. It is the one section
// that puts two protocols in one table, on purpose; it still never mixes normalisations or
// profiles, and it reads the protocol-effect experiment's records only.

const (
	protocolExperiment = "protocol-effect"
	protocolBench      = "NextItem"
	protocolFrozen     = "frozen"
	protocolOnline     = "online"
	protocolFile       = "protocol-effect" // figure file prefix
)

// protocolMetrics are the units of the table, in column order; the first one ranks the methods.
var protocolMetrics = []metric{{"MRR", "MRR", 3}, {"recall@10", "Recall@10", 3}}

const protocolIntro = "Every next-item model evaluated twice on the same data, seeds and training (experiment `protocol-effect`, " +
	"a sweep over `run.protocol`; benchmark `NextItem`, test MRR and Recall@10 at the best validation epoch). " +
	"Under `frozen` the parameters are fixed after training and only the embeddings follow the observed validation and " +
	"test interactions; under `online` the model also keeps training on them while it streams them, as the original JODIE " +
	"code evaluates (its evaluation script takes optimiser steps between predictions), so the JODIE paper's own numbers " +
	"are online numbers. Training is the same under both protocols; only evaluation, and with it the selected epoch, differs. " +
	"The other tables never mix protocols; this one sets them side by side because learning at test time moves rankings: " +
	"a model whose lead over the others exists only in the online column owes it to training on the test stream, not to " +
	"a better model of the training data, and models are compared fairly only under the same protocol. " +
	"`Δ` here is online − frozen (not ours − paper): the mean ± std over seeds of each seed's difference, n = the seeds " +
	"run under both protocols. The rank column orders the table's methods by mean MRR under each protocol (1 = best; " +
	"ties share a rank). Popularity and Repeat-last have no parameters, so both protocols give them the same numbers and " +
	"Δ = 0: a check that the two protocols see the same data. How often a model learns online follows its own " +
	"training rule: JODIE takes one Adam step per t-Batch window, as the original; the recurrent baselines one per block " +
	"of the stream (batch_users × bptt rows for the per-user models LSTM, Time-LSTM, LatentCross and CRNN — 1,600 with " +
	"the default settings — and bptt rows for the coupled RRN), with a fresh Adam. On a small test part the per-user " +
	"models therefore take few online steps, and their small Δ reflects that as much as the model."

// protocolVariant is a protocol-effect group's variant without its protocol= key: the row's
// identity (the column comes from the records' protocol file key, which the run's resolved config
// sets).
func protocolVariant(g *group) string { return withoutVariantKey(g.Key.Variant, "protocol") }

// frozenOrOnline keeps the groups of the two protocols the table compares; records without a
// known protocol stay for "Other results".
func frozenOrOnline(g *group) bool {
	return g.Key.Part.Protocol == protocolFrozen || g.Key.Part.Protocol == protocolOnline
}

// withoutProtocol is the partition key of the section: normalisation and profile, not protocol.
func withoutProtocol(k partKey) partKey {
	k.Protocol = ""
	return k
}

func (g *generator) protocolSection() {
	g.printf("## Protocol effect — frozen vs online evaluation\n\n%s\n\n", protocolIntro)
	gs := g.ix.take(protocolExperiment, protocolBench, frozenOrOnline)
	if len(gs) == 0 {
		g.printf("No results yet (run `make reproduce`).\n\n")
		return
	}
	parts := partitionsBy(gs, withoutProtocol)
	level, suffix := "###", ""
	for _, p := range parts {
		if len(parts) > 1 {
			g.printf("### Protocol effect, normalisation `%s`, profile `%s`\n\n", orDash(p.Normalisation), orDash(p.Profile))
			level = "####"
			suffix = "-" + fileSafe(orDash(p.Normalisation)) + "-" + fileSafe(orDash(p.Profile))
		}
		g.printf("Evaluation: protocols `frozen` and `online` side by side; %s.\n\n", normalisationText(p.Normalisation))
		g.printf("%s\n\n", provenanceLine(p))
		for _, c := range columnsFor(jodieDatasets3, p.Groups) {
			if c.Dataset == "" {
				continue // a paper dataset without results: nothing to compare
			}
			g.printf("%s %s\n\n", level, c.Label())
			t, bars := buildProtocolTable(p, c.Dataset, g.status)
			g.table(t)
			if len(bars.Labels) > 0 {
				g.figure(protocolFile+"-"+fileSafe(c.Dataset)+suffix, bars.Title+" (mean ± std over seeds)",
					func() ([]byte, []byte, error) { return barFigure(bars) })
			}
		}
	}
}

// protocolRecords are the records of one row and dataset under one protocol, over every group
// that holds them (normally one).
func protocolRecords(p partition, r row, dataset, protocol string) []*bench.Record {
	var out []*bench.Record
	for _, g := range lookup(p.Groups, r.Method.Model, r.Variant, dataset, protocolVariant) {
		if g.Key.Part.Protocol == protocol {
			out = append(out, g.Recs...)
		}
	}
	return out
}

// seedValues is the mean of unit per seed over recs (the same seed run twice, e.g. on two backends,
// counts once).
func seedValues(recs []*bench.Record, unit string) map[string]float64 {
	sum, n := map[string]float64{}, map[string]int{}
	for _, r := range recs {
		if v, ok := r.Metric(unit); ok {
			s := configValue(r, "seed")
			sum[s] += v
			n[s]++
		}
	}
	for s := range sum {
		sum[s] /= float64(n[s])
	}
	return sum
}

// pairedDelta is online − frozen over the seeds both protocols ran, seed by seed (sorted, so the
// summary does not depend on map order); ok is false when no seed ran under both.
func pairedDelta(frozen, online []*bench.Record, unit string) (summary, bool) {
	f, o := seedValues(frozen, unit), seedValues(online, unit)
	var seeds []string
	for s := range f {
		if _, ok := o[s]; ok {
			seeds = append(seeds, s)
		}
	}
	slices.SortFunc(seeds, compareValues)
	ds := make([]float64, len(seeds))
	for i, s := range seeds {
		ds[i] = o[s] - f[s]
	}
	return summarise(ds)
}

// fmtDelta is a signed summary: "+0.119 ± 0.012 (n=3)".
func fmtDelta(s summary, dec int) string {
	if s.N > 1 {
		return fmtSigned(s.Mean, dec) + " ± " + fmtNum(s.Std, dec) + " " + nText(s)
	}
	return fmtSigned(s.Mean, dec) + " " + nText(s)
}

// deltaCell formats the difference of one unit: paired by seed, or the difference of the means
// when no seed ran under both protocols.
func deltaCell(frozen, online []*bench.Record, unit string, dec int, fs, os *summary, missing string) string {
	switch {
	case fs == nil && os == nil:
		return missing
	case fs == nil || os == nil:
		return "needs both protocols"
	}
	if d, ok := pairedDelta(frozen, online, unit); ok {
		return fmtDelta(d, dec)
	}
	return fmtSigned(os.Mean-fs.Mean, dec) + " (difference of means: no seed under both)"
}

// ranks is each entry's rank by mean, higher first when higher is set (1 + the number of strictly
// better entries, so ties share a rank); -1 for nil entries.
func ranks(vals []*summary, higher bool) []int {
	out := make([]int, len(vals))
	for i, v := range vals {
		out[i] = -1
		if v == nil {
			continue
		}
		out[i] = 1
		for _, w := range vals {
			if w != nil && (higher && w.Mean > v.Mean || !higher && w.Mean < v.Mean) {
				out[i]++
			}
		}
	}
	return out
}

// methodLabel is a row's method with its registry name and variant, as the paper tables name it but
// without their "not in the paper" note (this table is not the paper's).
func methodLabel(r row) string {
	s := r.Method.Name
	if r.Method.Model != r.Method.Name {
		s += " (" + r.Method.Model + ")"
	}
	if r.Variant != "" {
		s += " [" + r.Variant + "]"
	}
	return s
}

func rankText(r int) string {
	if r < 0 {
		return "—"
	}
	return strconv.Itoa(r)
}

// buildProtocolTable lays out one dataset of a protocol-effect partition: per row the frozen and
// online summaries and their difference for each metric, and the rank by the first metric under
// each protocol; and the bars of the first metric for the figure.
func buildProtocolTable(p partition, dataset string, status statusFunc) (mdTable, barData) {
	rows := rowsFor(specTable3.Methods, p.Groups, protocolVariant)
	status = withResults(p, status)
	t := mdTable{Header: []string{"Method"}}
	for _, m := range protocolMetrics {
		t.Header = append(t.Header, m.Label+" frozen", m.Label+" online", m.Label+" Δ (online − frozen)")
	}
	first := protocolMetrics[0]
	t.Header = append(t.Header, first.Label+" rank (frozen → online)")
	bars := barData{Title: "Protocol effect: " + first.Label + " frozen vs online, " + dataset, YLabel: first.Label + " (mean ± std)",
		Sides: [2]barSide{{Name: protocolFrozen}, {Name: protocolOnline}}}
	var byRank [2][]*summary // the first metric's summaries by row, frozen and online
	for _, r := range rows {
		frozen := protocolRecords(p, r, dataset, protocolFrozen)
		online := protocolRecords(p, r, dataset, protocolOnline)
		cells := []string{methodLabel(r)}
		missing := status(r.Method.Model)
		for mi, m := range protocolMetrics {
			var sums [2]*summary
			for i, recs := range [][]*bench.Record{frozen, online} {
				text := missing
				if len(recs) > 0 {
					text = "no " + m.Unit + " recorded"
					if s, ok := (&group{Recs: recs}).stat(m.Unit); ok {
						sums[i] = &s
						text = fmtSummary(s, m.Decimals)
					}
				}
				cells = append(cells, text)
			}
			cells = append(cells, deltaCell(frozen, online, m.Unit, m.Decimals, sums[0], sums[1], missing))
			if mi == 0 {
				byRank[0], byRank[1] = append(byRank[0], sums[0]), append(byRank[1], sums[1])
				if sums[0] != nil || sums[1] != nil {
					bars.Labels = append(bars.Labels, shortLabel(r))
					for i := range sums {
						var s summary // N = 0: no bar
						if sums[i] != nil {
							s = *sums[i]
						}
						bars.Sides[i].Values = append(bars.Sides[i].Values, s)
					}
				}
			}
		}
		t.Rows = append(t.Rows, cells)
	}
	rf, ro := ranks(byRank[0], first.higher()), ranks(byRank[1], first.higher())
	for i := range t.Rows {
		text := "—"
		if rf[i] > 0 || ro[i] > 0 {
			text = rankText(rf[i]) + " → " + rankText(ro[i])
		}
		t.Rows[i] = append(t.Rows[i], text)
	}
	return t, bars
}
