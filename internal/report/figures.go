package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// errNoData is returned for a figure without a single drawable value (a programming error: callers
// check clean first).
var errNoData = errors.New("report: no drawable values to plot")

// linePoint is one point of a line figure with its whisker from Lo to Hi.
type linePoint struct{ X, Y, Lo, Hi float64 }

// lineSeries is one line of a figure.
type lineSeries struct {
	Label  string
	Points []linePoint
}

// lineFigureSpec is a line figure: one line per series with error bars, ticks at the data's x values.
type lineFigureSpec struct {
	Title, XLabel, YLabel string
	LogX                  bool
	XTicks                []float64
	XTickLabel            func(float64) string // nil: fmtG
	RefY                  float64              // a dashed horizontal reference line, when HasRefY
	HasRefY               bool
	Series                []lineSeries
}

// usable reports whether a point can be drawn: finite, and positive x on a log scale (gonum's
// plotters reject the rest, and its log scale panics on them).
func (spec lineFigureSpec) usable(pt linePoint) bool {
	return drawable(pt.X, pt.Y) && (!spec.LogX || pt.X > 0)
}

// clean drops unusable points and series left empty; a figure with no series is not drawn.
func (spec lineFigureSpec) clean() lineFigureSpec {
	out := spec
	out.Series = nil
	for _, s := range spec.Series {
		c := lineSeries{Label: s.Label}
		for _, pt := range s.Points {
			if spec.usable(pt) {
				c.Points = append(c.Points, pt)
			}
		}
		if len(c.Points) > 0 {
			out.Series = append(out.Series, c)
		}
	}
	return out
}

// barData is a figure of grouped bars: per group a label and one summary for each of the two
// sides (N = 0 where a side has no results: no bar height, no whisker), drawn as mean ± std.
// Fig. 4 compares without and with t-Batch, the protocol-effect figures frozen and online.
type barData struct {
	Title, YLabel string
	Labels        []string
	Sides         [2]barSide
}

// barSide is one side of every bar group: its legend entry and its values, one per label.
type barSide struct {
	Name   string
	Values []summary
}

// renderPlot draws a freshly built plot as SVG and as PNG, with its legend in a band below the
// axes (so that it never hides data). The SVG is byte-deterministic (gonum's SVG canvas writes shapes
// in drawing order with fixed number formatting; fonts are referenced, not embedded); so is the PNG
// on a given platform (pure-Go rasteriser, fixed encoder).
func renderPlot(build func() (*plot.Plot, *plot.Legend, error)) (svg, png []byte, err error) {
	defer func() {
		// gonum/plot panics on ranges it cannot draw; the callers keep to finite, non-empty data,
		// so this is a last resort that fails the generation instead of crashing the command.
		if r := recover(); r != nil {
			svg, png, err = nil, nil, fmt.Errorf("drawing failed: %v", r)
		}
	}()
	out := [2][]byte{}
	for i, format := range []string{"svg", "png"} {
		p, legend, err := build()
		if err != nil {
			return nil, nil, err
		}
		pad := vg.Points(6)
		var legendH vg.Length
		if legend != nil {
			legend.Top, legend.Left = true, true
			legendH = legend.Rectangle(draw.Canvas{}).Size().Y + 2*pad
		}
		c, err := draw.NewFormattedCanvas(figWidthIn*vg.Inch, figHeightIn*vg.Inch+legendH, format)
		if err != nil {
			return nil, nil, err
		}
		dc := draw.New(c)
		// One white background for plot and legend band (the SVG is otherwise transparent there).
		r := dc.Rectangle
		dc.FillPolygon(color.White, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
		p.Draw(draw.Crop(dc, 0, 0, legendH, 0))
		if legend != nil {
			band := dc
			band.Max.Y = band.Min.Y + legendH - pad
			band.Min.X += 4 * pad
			legend.Draw(band)
		}
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, nil, err
		}
		out[i] = buf.Bytes()
	}
	return out[0], out[1], nil
}

// padAxis widens an axis range by 5% on each side (a factor on a log scale), so that points,
// caps and bars at the ends are not cut by the frame; a single value gets a range around it.
func padAxis(a *plot.Axis, log bool) {
	a.Min, a.Max = padRange(a.Min, a.Max, log)
}

// padRange is padAxis on numbers. It never returns an empty or infinite range for finite input
// (gonum panics on those).
func padRange(lo, hi float64, log bool) (float64, float64) {
	if log && lo > 0 { // stay positive: a log scale panics on 0
		l, h := lo/1.15, math.Min(hi*1.15, math.MaxFloat64)
		if l <= 0 {
			l = lo
		}
		if !(l < h) {
			h = math.Nextafter(l, math.Inf(1))
		}
		return l, h
	}
	d := 0.05*hi - 0.05*lo // never overflows
	if d == 0 {
		d = math.Max(0.5, 0.05*math.Max(math.Abs(lo), math.Abs(hi)))
	}
	l := math.Max(lo-d, -math.MaxFloat64)
	h := math.Min(hi+d, math.MaxFloat64)
	if !(l < h) {
		return lo, hi
	}
	return l, h
}

// plotLimit bounds the values drawn: gonum/plot's tick search does not terminate on a range
// whose width overflows, and no metric of this project comes near it.
const plotLimit = 1e100

// drawable reports whether all values are finite and within ±plotLimit (gonum's plotters reject
// NaN and infinities).
func drawable(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.Abs(v) > plotLimit {
			return false
		}
	}
	return true
}

// lineFigure draws spec: JODIE Figs. 5, 6 and 7. spec must have a usable point (see clean).
func lineFigure(spec lineFigureSpec) (svg, png []byte, err error) {
	spec = spec.clean()
	if len(spec.Series) == 0 {
		return nil, nil, errNoData
	}
	return renderPlot(func() (*plot.Plot, *plot.Legend, error) {
		p := plot.New()
		legend := plot.NewLegend()
		p.Title.Text = spec.Title
		p.X.Label.Text = spec.XLabel
		p.Y.Label.Text = spec.YLabel
		if spec.LogX {
			p.X.Scale = plot.LogScale{}
		}
		label := spec.XTickLabel
		if label == nil {
			label = fmtG
		}
		var ticks []plot.Tick
		for _, x := range spec.XTicks {
			if !spec.LogX || x > 0 {
				ticks = append(ticks, plot.Tick{Value: x, Label: label(x)})
			}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.Add(plotter.NewGrid())
		if spec.HasRefY {
			ref := plotter.NewFunction(func(float64) float64 { return spec.RefY })
			ref.Color = color.Gray{Y: 128}
			ref.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(ref)
		}
		for i, s := range spec.Series {
			var xys plotter.XYs
			var errs plotter.YErrors
			for _, pt := range s.Points {
				lo, hi := pt.Y-pt.Lo, pt.Hi-pt.Y
				if !drawable(lo) || lo < 0 {
					lo = 0
				}
				if !drawable(hi) || hi < 0 {
					hi = 0
				}
				xys = append(xys, plotter.XY{X: pt.X, Y: pt.Y})
				errs = append(errs, struct{ Low, High float64 }{lo, hi})
			}
			l, sc, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, nil, fmt.Errorf("series %q: %w", s.Label, err)
			}
			c := plotutil.Color(i)
			l.Color, l.Dashes = c, plotutil.Dashes(i/len(plotutil.DefaultColors))
			sc.Color, sc.Shape = c, plotutil.Shape(i)
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{xys, errs})
			if err != nil {
				return nil, nil, fmt.Errorf("series %q: %w", s.Label, err)
			}
			eb.Color = c
			p.Add(l, sc, eb)
			legend.Add(s.Label, l, sc)
		}
		padAxis(&p.X, spec.LogX)
		if spec.HasRefY {
			p.Y.Min, p.Y.Max = math.Min(p.Y.Min, spec.RefY), math.Max(p.Y.Max, spec.RefY)
		}
		padAxis(&p.Y, false)
		return p, &legend, nil
	})
}

// barWhiskers draws ± std whiskers on the bars of a BarChart with the same Offset (BarChart
// places bar i at x = i, shifted by Offset in drawing units, which YErrorBars cannot express).
type barWhiskers struct {
	Means, Stds []float64
	Offset      vg.Length
	Style       draw.LineStyle
	Cap         vg.Length
}

// Plot implements plot.Plotter.
func (b *barWhiskers) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, m := range b.Means {
		s := b.Stds[i]
		if s <= 0 || !drawable(m, s) {
			continue
		}
		x := trX(float64(i)) + b.Offset
		lo, hi := trY(m-s), trY(m+s)
		c.StrokeLine2(b.Style, x, lo, x, hi)
		c.StrokeLine2(b.Style, x-b.Cap/2, lo, x+b.Cap/2, lo)
		c.StrokeLine2(b.Style, x-b.Cap/2, hi, x+b.Cap/2, hi)
	}
}

// DataRange implements plot.DataRanger so that whiskers are never clipped.
func (b *barWhiskers) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmax = float64(len(b.Means) - 1)
	for i, m := range b.Means {
		if drawable(m, b.Stds[i]) {
			ymin = math.Min(ymin, m-b.Stds[i])
			ymax = math.Max(ymax, m+b.Stds[i])
		}
	}
	return xmin, xmax, ymin, ymax
}

// barFigure draws grouped bars with ± std whiskers: JODIE Fig. 4 and the protocol-effect figures.
func barFigure(d barData) (svg, png []byte, err error) {
	return renderPlot(func() (*plot.Plot, *plot.Legend, error) {
		p := plot.New()
		legend := plot.NewLegend()
		p.Title.Text = d.Title
		p.Y.Label.Text = d.YLabel
		p.Add(plotter.NewGrid())
		w := vg.Points(16)
		for i, side := range d.Sides {
			vals := make(plotter.Values, len(side.Values))
			wh := &barWhiskers{Offset: w * vg.Length(2*i-1) / 2, Cap: w / 2, Style: plotter.DefaultLineStyle}
			for j, s := range side.Values {
				if s.N > 0 && drawable(s.Mean) {
					vals[j] = s.Mean
				}
				wh.Means = append(wh.Means, vals[j])
				wh.Stds = append(wh.Stds, s.Std)
			}
			bc, err := plotter.NewBarChart(vals, w)
			if err != nil {
				return nil, nil, err
			}
			bc.Color = plotutil.Color(i)
			bc.LineStyle.Width = 0
			bc.Offset = wh.Offset
			p.Add(bc, wh)
			legend.Add(side.Name, bc)
		}
		p.NominalX(d.Labels...)
		p.X.Min, p.X.Max = p.X.Min-0.5, p.X.Max+0.5
		_, p.Y.Max = padRange(p.Y.Min, p.Y.Max, false)
		return p, &legend, nil
	})
}

// seriesKey identifies one line of a figure: a model, a dataset and the rest of the variant.
type seriesKey struct{ Model, Dataset, Variant string }

// Label is the legend entry of a line.
func (k seriesKey) Label() string {
	s := displayName(k.Model) + ", " + k.Dataset
	if k.Variant != "" {
		s += " [" + k.Variant + "]"
	}
	return s
}

// seriesOf groups a partition's groups into lines along the numeric variant key xKey, ordered by
// the paper's method order, then dataset and variant; xs are the distinct x values, sorted.
func seriesOf(gs []*group, xKey string) (keys []seriesKey, byKey map[seriesKey]map[float64]*group, xs []float64) {
	byKey = map[seriesKey]map[float64]*group{}
	seenX := map[float64]bool{}
	for _, g := range gs {
		x, ok := parseFloat(variantValue(g.Key.Variant, xKey))
		if !ok {
			continue
		}
		k := seriesKey{g.Key.Model, g.Key.Dataset, withoutVariantKey(g.Key.Variant, xKey)}
		if byKey[k] == nil {
			byKey[k] = map[float64]*group{}
			keys = append(keys, k)
		}
		byKey[k][x] = g
		if !seenX[x] {
			seenX[x] = true
			xs = append(xs, x)
		}
	}
	order := map[string]int{}
	for i, m := range append(append([]method{}, jodieBaselines...), referenceFloors...) {
		order[m.Model] = i
	}
	rank := func(model string) int {
		if i, ok := order[model]; ok {
			return i
		}
		return len(order)
	}
	slices.SortFunc(keys, func(a, b seriesKey) int {
		return cmp.Or(cmp.Compare(rank(a.Model), rank(b.Model)), cmp.Compare(a.Model, b.Model),
			cmp.Compare(a.Dataset, b.Dataset), compareVariants(a.Variant, b.Variant))
	})
	slices.Sort(xs)
	return keys, byKey, xs
}

// hasNumericVariant keeps the groups whose variant has a numeric value for key.
func hasNumericVariant(key string) func(*group) bool {
	return func(g *group) bool {
		_, ok := parseFloat(variantValue(g.Key.Variant, key))
		return ok
	}
}

// buildSeriesTable is the data table of a line figure: one row per line, one column per x value.
// cell formats a group's cell ("" when the group lacks the unit).
func buildSeriesTable(gs []*group, xKey string, xs []float64, keys []seriesKey, byKey map[seriesKey]map[float64]*group, cell func(*group) string) mdTable {
	t := mdTable{Header: []string{"Method", "Dataset"}}
	for _, x := range xs {
		t.Header = append(t.Header, xKey+"="+fmtG(x))
	}
	for _, k := range keys {
		name := displayName(k.Model)
		if name != k.Model {
			name += " (" + k.Model + ")"
		}
		if k.Variant != "" {
			name += " [" + k.Variant + "]"
		}
		cells := []string{name, k.Dataset}
		for _, x := range xs {
			text := "—"
			if g := byKey[k][x]; g != nil {
				if s := cell(g); s != "" {
					text = s
				}
			}
			cells = append(cells, text)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// ciPoint is Fig. 7's point: the mean over seeds of the ratio and of its 95% CI bounds.
func ciPoint(g *group) (ratio, lo, hi summary, ok bool) {
	ratio, ok1 := g.stat("ratio")
	lo, ok2 := g.stat("ratio-lo")
	hi, ok3 := g.stat("ratio-hi")
	return ratio, lo, hi, ok1 && ok2 && ok3
}

// fig4Bars is Fig. 4's data from a Table 5 partition: one bar group per model, variant and dataset.
func fig4Bars(p partition) barData {
	d := barData{Title: "JODIE Fig. 4: training time per epoch", YLabel: "seconds per epoch (mean ± std)",
		Sides: [2]barSide{{Name: "without t-Batch"}, {Name: "with t-Batch"}}}
	type rk struct{ model, variant, dataset string }
	seen := map[rk]bool{}
	rows := rowsFor(jodieTable5Methods, p.Groups, tbatchVariant)
	cols := columnsFor(table5Datasets, p.Groups)
	for _, r := range rows {
		for _, c := range cols {
			if c.Dataset == "" || seen[rk{r.Method.Model, r.Variant, c.Dataset}] {
				continue
			}
			seen[rk{r.Method.Model, r.Variant, c.Dataset}] = true
			off, okOff := epochSeconds(p.Groups, r.Method.Model, r.Variant, c.Dataset, "off")
			on, okOn := epochSeconds(p.Groups, r.Method.Model, r.Variant, c.Dataset, "on")
			if !okOff && !okOn {
				continue
			}
			d.Labels = append(d.Labels, shortLabel(r)+"\n"+c.Dataset)
			d.Sides[0].Values = append(d.Sides[0].Values, off)
			d.Sides[1].Values = append(d.Sides[1].Values, on)
		}
	}
	return d
}
