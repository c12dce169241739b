package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The embedding-evolution section (experiment `evolution`): how the dynamic embeddings of each
// model move with successive interactions (bench.EvolutionRecords: benchmarks Evolution, Maturity,
// Norms). Per dataset and side it draws the relative update size by interaction index (median and
// quartiles), the maturity CDF and the norm by popularity bucket, one line per model and variant
// (a `serving` variant sets real-time and batch updating side by side), and tabulates the headline
// numbers with the run's test MRR.

const evolutionExperiment = "evolution"

const evolutionIntro = "How far each model's dynamic embeddings move with successive interactions, recorded by " +
	"`bench/monitor` while the model streams the training log (one more epoch after training) and then validation and " +
	"test (experiment `evolution`). Update size = ‖e_k − e_{k−1}‖ / ‖e_{k−1}‖ for an entity's k-th interaction, over " +
	"every entity; maturity = the interaction after which all of a sampled entity's updates stay below the threshold " +
	"(entities whose last update is above it have not matured); popularity = interactions in the streamed log, in " +
	"buckets 1, 2–3, 4–7, … . Entities are a fixed-seed sample per side for maturity; every entity for sizes and norms."

// evoSeries identifies one line: a model and its variant.
type evoSeries struct{ Model, Variant string }

func (s evoSeries) label() string {
	if s.Variant == "" {
		return s.Model
	}
	return s.Model + " " + s.Variant
}

func (g *generator) evolutionSection() {
	evo := g.ix.take(evolutionExperiment, "Evolution", nil)
	mat := g.ix.take(evolutionExperiment, "Maturity", nil)
	norms := g.ix.take(evolutionExperiment, "Norms", nil)
	cosines := g.ix.take(evolutionExperiment, "CosineToFinal", nil)
	mrr := g.ix.take(evolutionExperiment, "NextItem", nil)
	g.printf("## Embedding evolution — maturity and drift of dynamic embeddings\n\n%s\n\n", evolutionIntro)
	if len(evo)+len(mat)+len(norms) == 0 {
		g.printf("No results yet (run `make reproduce`).\n\n")
		return
	}
	all := slices.Concat(evo, mat, norms, mrr)
	if l := provenanceLine(partition{Groups: all}); l != "" {
		g.printf("%s\n\n", l)
	}
	var datasets []string
	for _, gr := range all {
		if !slices.Contains(datasets, gr.Key.Dataset) {
			datasets = append(datasets, gr.Key.Dataset)
		}
	}
	slices.Sort(datasets)
	for _, ds := range datasets {
		g.printf("### Dataset `%s`\n\n", ds)
		g.table(buildEvolutionTable(ds, evo, mat, mrr))
		for _, side := range []string{"users", "items"} {
			in := func(gs []*group) []*group {
				return slices.DeleteFunc(slices.Clone(gs), func(gr *group) bool {
					return gr.Key.Dataset != ds || variantValue(gr.Key.Variant, "side") != side
				})
			}
			e, m, n, c := in(evo), in(mat), in(norms), in(cosines)
			if len(e)+len(m)+len(n) == 0 {
				continue
			}
			file := "evolution-" + ds + "-" + side
			if spec := evolutionSizeFigure(e, ds, side); len(spec.Series) > 0 {
				g.figure(file+"-updates", "update size by interaction index, "+side+", "+ds, func() ([]byte, []byte, error) { return lineFigure(spec) })
			}
			if spec := maturityFigure(m, ds, side); len(spec.Series) > 0 {
				g.figure(file+"-maturity", "maturity CDF, "+side+", "+ds, func() ([]byte, []byte, error) { return lineFigure(spec) })
			}
			if spec := normFigure(n, ds, side); len(spec.Series) > 0 {
				g.figure(file+"-norms", "embedding norm by popularity, "+side+", "+ds, func() ([]byte, []byte, error) { return lineFigure(spec) })
			}
			if spec := cosineFigure(c, ds, side); len(spec.Series) > 0 {
				g.figure(file+"-cosine", "cosine to the final embedding, "+side+", "+ds, func() ([]byte, []byte, error) { return lineFigure(spec) })
			}
		}
	}
}

// evoKey is a group's series (its variant without the side and bucket keys) and bucket.
func evoKey(gr *group, bucketKey string) (evoSeries, string) {
	v := gr.Key.Variant
	for _, k := range []string{"side", "k", "pop", "after"} {
		v = withoutVariantKey(v, k)
	}
	return evoSeries{gr.Key.Model, v}, variantValue(gr.Key.Variant, bucketKey)
}

// bucketBounds parses "3-4" or "5" into its bounds.
func bucketBounds(s string) (lo, hi float64, ok bool) {
	a, b, found := strings.Cut(s, "-")
	l, err1 := strconv.ParseFloat(a, 64)
	if !found {
		return l, l, err1 == nil
	}
	h, err2 := strconv.ParseFloat(b, 64)
	return l, h, err1 == nil && err2 == nil
}

// evoSeriesPoints collects one point per group of one series: x from the bucket, y and whiskers
// from the units.
func evoSeriesPoints(gs []*group, bucketKey, y, lo, hi string) (map[evoSeries][]linePoint, []evoSeries) {
	pts := map[evoSeries][]linePoint{}
	var order []evoSeries
	for _, gr := range gs {
		s, bucket := evoKey(gr, bucketKey)
		_, bh, ok := bucketBounds(bucket)
		if !ok {
			continue
		}
		my, ok1 := gr.stat(y)
		ml, ok2 := gr.stat(lo)
		mh, ok3 := gr.stat(hi)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		if _, seen := pts[s]; !seen {
			order = append(order, s)
		}
		pts[s] = append(pts[s], linePoint{X: bh, Y: my.Mean, Lo: ml.Mean, Hi: mh.Mean})
	}
	for s := range pts {
		slices.SortFunc(pts[s], func(a, b linePoint) int { return int(math.Copysign(1, a.X-b.X)) })
	}
	slices.SortFunc(order, func(a, b evoSeries) int { return strings.Compare(a.label(), b.label()) })
	return pts, order
}

func seriesOfPoints(pts map[evoSeries][]linePoint, order []evoSeries) ([]lineSeries, []float64) {
	var out []lineSeries
	var xs []float64
	for _, s := range order {
		out = append(out, lineSeries{Label: s.label(), Points: pts[s]})
		for _, p := range pts[s] {
			if !slices.Contains(xs, p.X) {
				xs = append(xs, p.X)
			}
		}
	}
	slices.Sort(xs)
	return out, xs
}

func evolutionSizeFigure(gs []*group, ds, side string) lineFigureSpec {
	pts, order := evoSeriesPoints(gs, "k", "rel-update-median", "rel-update-q1", "rel-update-q3")
	series, xs := seriesOfPoints(pts, order)
	return lineFigureSpec{Title: "Update size by interaction index (" + side + ", " + ds + ")",
		XLabel: "interaction index k (bucket end)", YLabel: "‖e_k − e_{k−1}‖ / ‖e_{k−1}‖ (median, quartiles)",
		LogX: true, XTicks: xs, Series: series}
}

func cosineFigure(gs []*group, ds, side string) lineFigureSpec {
	pts, order := evoSeriesPoints(gs, "after", "cos-final-median", "cos-final-median", "cos-final-median")
	series, xs := seriesOfPoints(pts, order)
	return lineFigureSpec{Title: "Cosine to the final embedding (" + side + ", " + ds + ")",
		XLabel: "after K interactions", YLabel: "cos(e_K, e_final) (median over sampled entities)", LogX: true, XTicks: xs, Series: series}
}

func normFigure(gs []*group, ds, side string) lineFigureSpec {
	pts, order := evoSeriesPoints(gs, "pop", "norm-median", "norm-q1", "norm-q3")
	series, xs := seriesOfPoints(pts, order)
	return lineFigureSpec{Title: "Embedding norm by popularity (" + side + ", " + ds + ")",
		XLabel: "interactions (bucket end)", YLabel: "‖e‖ (median, quartiles)", LogX: true, XTicks: xs, Series: series}
}

// maturityFigure plots the share of sampled entities matured by interaction k, over every
// popularity bucket (weighted by the bucket's entities), one line per series.
func maturityFigure(gs []*group, ds, side string) lineFigureSpec {
	type acc struct{ matured, n map[float64]float64 }
	bySeries := map[evoSeries]*acc{}
	var order []evoSeries
	for _, gr := range gs {
		s, _ := evoKey(gr, "pop")
		a := bySeries[s]
		if a == nil {
			a = &acc{map[float64]float64{}, map[float64]float64{}}
			bySeries[s] = a
			order = append(order, s)
		}
		for _, r := range gr.Recs {
			n, ok := r.Metric("entities")
			if !ok {
				continue
			}
			for _, v := range r.Values {
				if k, found := strings.CutPrefix(v.Unit, "matured-by-"); found {
					x, err := strconv.ParseFloat(k, 64)
					if err == nil {
						a.matured[x] += v.Value * n
						a.n[x] += n
					}
				}
			}
		}
	}
	// A bucket records CDF points up to twice its largest interaction count; beyond, its entities
	// have all stopped: carry each series' points as computed (no extrapolation).
	pts := map[evoSeries][]linePoint{}
	for s, a := range bySeries {
		for x, n := range a.n {
			y := a.matured[x] / n
			pts[s] = append(pts[s], linePoint{X: x, Y: y, Lo: y, Hi: y})
		}
		slices.SortFunc(pts[s], func(a, b linePoint) int { return int(math.Copysign(1, a.X-b.X)) })
	}
	slices.SortFunc(order, func(a, b evoSeries) int { return strings.Compare(a.label(), b.label()) })
	series, xs := seriesOfPoints(pts, order)
	return lineFigureSpec{Title: "Maturity CDF (" + side + ", " + ds + ")", XLabel: "interactions k",
		YLabel: "share of sampled entities matured by k", LogX: true, XTicks: xs, Series: series}
}

// buildEvolutionTable has a row per model, variant and side: the matured share and median maturity
// over the sampled entities, the median update size at k = 2 and in the last bucket, and the run's
// test MRR.
func buildEvolutionTable(ds string, evo, mat, mrr []*group) mdTable {
	t := mdTable{Header: []string{"Model", "Variant", "Side", "Entities sampled", "Matured", "Maturity (bucket medians, weighted)",
		"Median update at k=2", "Median update, last bucket", "Test MRR"}}
	type row struct {
		s    evoSeries
		side string
	}
	var rows []row
	seen := map[row]bool{}
	for _, gr := range slices.Concat(evo, mat) {
		if gr.Key.Dataset != ds {
			continue
		}
		s, _ := evoKey(gr, "k")
		r := row{s, variantValue(gr.Key.Variant, "side")}
		if !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := strings.Compare(a.s.label(), b.s.label()); c != 0 {
			return c
		}
		return strings.Compare(a.side, b.side)
	})
	for _, r := range rows {
		var n, matured, medAt float64
		var medN float64
		for _, gr := range mat {
			if s, _ := evoKey(gr, "pop"); gr.Key.Dataset != ds || s != r.s || variantValue(gr.Key.Variant, "side") != r.side {
				continue
			}
			for _, rec := range gr.Recs {
				e, _ := rec.Metric("entities")
				f, _ := rec.Metric("matured")
				n += e
				matured += f * e
				if m, ok := rec.Metric("maturity-median"); ok {
					medAt += m * f * e // weighted by matured entities: an approximation of the overall median
					medN += f * e
				}
			}
		}
		first, last := "—", "—"
		var lastX float64
		for _, gr := range evo {
			s, bucket := evoKey(gr, "k")
			if gr.Key.Dataset != ds || s != r.s || variantValue(gr.Key.Variant, "side") != r.side {
				continue
			}
			st, ok := gr.stat("rel-update-median")
			_, hi, okb := bucketBounds(bucket)
			if !ok || !okb {
				continue
			}
			if hi == 2 {
				first = fmtNum(st.Mean, 4)
			}
			if hi >= lastX {
				lastX, last = hi, fmtNum(st.Mean, 4)+" (k ≤ "+fmtG(hi)+")"
			}
		}
		mrrCell := "—"
		for _, gr := range mrr {
			if gr.Key.Dataset == ds && gr.Key.Model == r.s.Model && gr.Key.Variant == r.s.Variant {
				if st, ok := gr.stat("MRR"); ok {
					mrrCell = fmtNum(st.Mean, 3)
				}
			}
		}
		cells := []string{r.s.Model, orDash(r.s.Variant), r.side, "—", "—", "—", first, last, mrrCell}
		if n > 0 {
			cells[3] = fmt.Sprintf("%.0f", n)
			cells[4] = fmt.Sprintf("%.1f%%", 100*matured/n)
		}
		if medN > 0 {
			cells[5] = fmtNum(medAt/medN, 1)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}
