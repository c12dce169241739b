package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
)

// TIN's semantic-temporal correlation study (bench.SemanticTemporalCorrelation, experiment kind
// correlation): Fig. 1(a), the correlation in the data (mutual information between a behaviour's
// category at a target-relative position and the click on a target of the most frequent category),
// and Fig. 3, the correlation TIN and its ablations learned (e^z·‖r‖, TIN eq. 4 and Table 2), as
// tables and heat maps, with the Pearson r on the target category's row that the paper prints in
// parentheses.

const stcExperiment = "tin-correlation"

// heatGrid is a matrix as gonum's GridXYZ: z[row][col] with row 0 drawn at the top.
type heatGrid struct{ z [][]float64 }

func (h heatGrid) Dims() (c, r int)   { return len(h.z[0]), len(h.z) }
func (h heatGrid) Z(c, r int) float64 { return h.z[len(h.z)-1-r][c] }
func (h heatGrid) X(c int) float64    { return float64(c) }
func (h heatGrid) Y(r int) float64    { return float64(r) }

// heatFigureSpec is a heat map: rows top to bottom, darker for larger values, NaN cells light grey.
type heatFigureSpec struct {
	Title, XLabel, YLabel string
	RowLabels, ColLabels  []string
	Z                     [][]float64
}

func heatFigure(spec heatFigureSpec) (svg, png []byte, err error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range spec.Z {
		for _, v := range row {
			if drawable(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		return nil, nil, errNoData
	}
	if hi == lo {
		hi = lo + 1
	}
	return renderPlot(func() (*plot.Plot, *plot.Legend, error) {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = spec.Title, spec.XLabel, spec.YLabel
		cm := palette.Reverse(moreland.Kindlmann())
		cm.SetMin(lo)
		cm.SetMax(hi)
		hm := plotter.NewHeatMap(heatGrid{spec.Z}, cm.Palette(64))
		hm.Min, hm.Max = lo, hi
		hm.NaN = color.Gray{Y: 230}
		p.Add(hm)
		p.NominalX(spec.ColLabels...)
		rows := slices.Clone(spec.RowLabels)
		slices.Reverse(rows)
		p.NominalY(rows...)
		return p, nil, nil
	})
}

// stcCell is one (row, position) cell of the study, over seeds.
type stcCell struct {
	truth, learned summary
	hasLearned     bool
}

// stcModel is the study of one model on one dataset.
type stcModel struct {
	model    string
	target   string
	rows     []string // category ids, row 1 first
	cells    map[[2]int]stcCell
	pearson  summary
	hasR     bool
	hasCells bool
}

func (g *generator) stcSection() {
	g.printf("## TIN Figs. 1 and 3 — semantic-temporal correlation\n\n")
	g.printf("Experiment `%s` (kind `correlation`): after training, on the training samples whose target has the most "+
		"frequent target category, TIN Definition 1 in the data — the mutual information (nats) between \"the behaviour p "+
		"steps before the target has category c\" and the click, for the five most frequent target categories c (the target's "+
		"own first) and p = 1..10 (Fig. 1(a)) — and the correlation each model learned, e^z·‖r‖ averaged over the same "+
		"samples' behaviours of category c at position p, with z and r as TIN Table 2 gives them per model (Figs. 1(b–d) for DIN, "+
		"SASRec and BST, Fig. 3 for TIN and its ablations). Pearson r compares the two on the target category's row, as the numbers in parentheses in the "+
		"paper's figures; the paper prints them on Amazon only, as images. Heat maps: darker is larger, grey is a cell with "+
		"no behaviour; each map has its own scale.\n\n", stcExperiment)
	gs := g.ix.take(stcExperiment, "Correlation", nil)
	ctr := g.ix.take(stcExperiment, "CTR", nil)
	if len(gs) == 0 {
		g.printf("No results yet for TIN Figs. 1 and 3 (run `make reproduce`).\n\n")
		return
	}
	parts := partitions(append(slices.Clone(gs), ctr...))
	for _, p := range parts {
		byDataset := map[string][]*stcModel{}
		var dsNames []string
		for _, m := range stcModels(p.Groups) {
			if byDataset[m.target] == nil {
				dsNames = append(dsNames, m.target)
			}
			byDataset[m.target] = append(byDataset[m.target], m)
		}
		for _, key := range dsNames {
			ms := byDataset[key]
			ds, target := splitKey(key)
			g.printf("%s", partHeading("TIN Figs. 1 and 3 ("+ds+")", p, len(parts)))
			if len(parts) < 2 {
				g.printf("### TIN Figs. 1 and 3 (%s)\n\n", ds)
			}
			g.printf("%s\n\n", caption(p))
			if l := provenanceLine(p); l != "" {
				g.printf("%s\n\n", l)
			}
			g.stcTables(p, ds, target, ms)
		}
	}
}

// stcModels collects the Correlation groups of a partition by model and dataset.
func stcModels(gs []*group) []*stcModel {
	byKey := map[string]*stcModel{}
	var out []*stcModel
	for _, g := range gs {
		if g.Key.Bench != "Correlation" {
			continue
		}
		target := variantValue(g.Key.Variant, "target")
		k := g.Key.Model + "\x00" + g.Key.Dataset + "\x00" + target
		m := byKey[k]
		if m == nil {
			m = &stcModel{model: g.Key.Model, target: g.Key.Dataset + "\x00" + target, cells: map[[2]int]stcCell{}}
			byKey[k] = m
			out = append(out, m)
		}
		if variantValue(g.Key.Variant, "position") == "all" {
			m.pearson, m.hasR = g.stat("pearson")
			continue
		}
		row, err1 := strconv.Atoi(variantValue(g.Key.Variant, "row"))
		pos, err2 := strconv.Atoi(variantValue(g.Key.Variant, "position"))
		if err1 != nil || err2 != nil || row < 1 || pos < 1 {
			continue
		}
		for len(m.rows) < row {
			m.rows = append(m.rows, "")
		}
		m.rows[row-1] = variantValue(g.Key.Variant, "category")
		var c stcCell
		c.truth, _ = g.stat("MI")
		c.learned, c.hasLearned = g.stat("cor")
		m.hasCells = m.hasCells || c.hasLearned
		m.cells[[2]int{row, pos}] = c
	}
	slices.SortStableFunc(out, func(a, b *stcModel) int { return tinOrder(a.model) - tinOrder(b.model) })
	return out
}

// tinOrder puts models in TIN Table 1's row order, unknown ones last.
func tinOrder(model string) int {
	if i := slices.IndexFunc(tinMethods, func(m method) bool { return m.Model == model }); i >= 0 {
		return i
	}
	return len(tinMethods)
}

func splitKey(k string) (dataset, target string) {
	for i := range len(k) {
		if k[i] == 0 {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}

func (g *generator) stcTables(p partition, ds, target string, ms []*stcModel) {
	maxPos := 0
	for c := range ms[0].cells {
		maxPos = max(maxPos, c[1])
	}
	rowLabel := func(m *stcModel, r int) string {
		if r == 0 {
			return "category " + m.rows[r] + " (target)"
		}
		return "category " + m.rows[r]
	}
	cols := make([]string, maxPos)
	for i := range cols {
		cols[i] = strconv.Itoa(i + 1)
	}
	matrix := func(m *stcModel, learned bool) ([][]float64, mdTable) {
		t := mdTable{Header: append([]string{"Behaviour category × position"}, cols...)}
		z := make([][]float64, len(m.rows))
		for r := range m.rows {
			z[r] = make([]float64, maxPos)
			cells := []string{rowLabel(m, r)}
			for pos := 1; pos <= maxPos; pos++ {
				c, ok := m.cells[[2]int{r + 1, pos}]
				s, has := c.truth, ok
				if learned {
					s, has = c.learned, ok && c.hasLearned
				}
				if !has {
					z[r][pos-1] = math.NaN()
					cells = append(cells, "")
					continue
				}
				z[r][pos-1] = s.Mean
				cells = append(cells, fmtG(s.Mean))
			}
			t.Rows = append(t.Rows, cells)
		}
		return z, t
	}
	name := fileSafe(ds) + partSuffix(p, 1)
	z, t := matrix(ms[0], false)
	g.printf("Fig. 1(a): mutual information in the data (nats; target category %s; mean over seeds, which share the data).\n\n", target)
	g.table(t)
	g.figure("tin-fig1a-"+name, "TIN Fig. 1(a): semantic-temporal correlation in "+ds, func() ([]byte, []byte, error) {
		return heatFigure(heatFigureSpec{Title: "TIN Fig. 1(a): mutual information, " + ds, XLabel: "target-relative position",
			RowLabels: rowLabels(ms[0], rowLabel), ColLabels: cols, Z: z})
	})
	sum := mdTable{Header: []string{"Method", "Pearson r (target row)", "test GAUC", "test Logloss"}}
	for _, m := range ms {
		r := row{Method: method{Model: m.model, Name: m.model, InPaper: true}}
		if i := tinOrder(m.model); i < len(tinMethods) {
			r.Method = tinMethods[i]
		}
		cell := "no learned measure"
		if m.hasR {
			cell = fmtSummary(m.pearson, 3)
		} else if m.hasCells {
			cell = "undefined (fewer than two cells or a constant row)"
		}
		gauc, ll := "no CTR record", "no CTR record"
		if cg := lookup(p.Groups, m.model, "", ds, func(gr *group) string {
			if gr.Key.Bench != "CTR" {
				return "\x00"
			}
			return gr.Key.Variant
		}); len(cg) > 0 {
			if s, ok := cg[0].stat("GAUC"); ok {
				gauc = fmtSummary(s, 4)
			}
			if s, ok := cg[0].stat("logloss"); ok {
				ll = fmtSummary(s, 4)
			}
		}
		sum.Rows = append(sum.Rows, []string{r.Label(), cell, gauc, ll})
	}
	g.printf("Learned correlation vs the data, per model (mean ± std over seeds).\n\n")
	g.table(sum)
	for _, m := range ms {
		if !m.hasCells {
			continue
		}
		z, t := matrix(m, true)
		g.printf("%s, `%s`: learned correlation e^z·‖r‖ (mean over seeds).\n\n", stcFigure(m.model), m.model)
		g.table(t)
		fig := stcFigure(m.model)
		g.figure(fmt.Sprintf("tin-%s-%s-%s", strings.ToLower(strings.NewReplacer(". ", "", "(", "", ")", "", "–", "").Replace(fig)), fileSafe(m.model), name),
			"TIN "+fig+": correlation learned by "+m.model+" on "+ds,
			func() ([]byte, []byte, error) {
				return heatFigure(heatFigureSpec{Title: "TIN " + fig + ": learned correlation, " + m.model + ", " + ds,
					XLabel: "target-relative position", RowLabels: rowLabels(m, rowLabel), ColLabels: cols, Z: z})
			})
	}
}

// stcFigure is the paper's figure of a model's learned correlation: Fig. 1(b–d) for DIN, SASRec and
// BST, Fig. 3 for TIN and its ablations (and for any other model).
func stcFigure(model string) string {
	switch model {
	case "din", "sasrec", "bst":
		return "Fig. 1(b–d)"
	}
	return "Fig. 3"
}

func rowLabels(m *stcModel, label func(*stcModel, int) string) []string {
	out := make([]string, len(m.rows))
	for r := range m.rows {
		out[r] = label(m, r)
	}
	return out
}
