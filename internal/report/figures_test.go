package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
)

// TestGenerateExtremeValues: values a broken run could record (huge, tiny, infinite, NaN) and
// variant values a log axis cannot show never crash or hang the figure drawing (gonum/plot panics on
// empty ranges and loops on overflowing ones); they are left out of the figures instead.
func TestGenerateExtremeValues(t *testing.T) {
	cases := []struct {
		value   float64
		variant string
		why     string
	}{
		{math.MaxFloat64, "before=1e300", "y range overflows: gonum's tick search never ends"},
		{1e300, "dim=5e-324", "x/1.15 underflows to 0 on the log axis"},
		{-1e300, "train=-1e308", "huge negative values"},
		{5e-324, "dim=5e-324", "a one-point log range"},
		{math.Inf(1), "dim=-3", "infinite metric, non-positive size on a log axis"},
		{math.NaN(), "train=1", "NaN metric"},
		{0, "dim=1e300", "all zero, huge x"},
	}
	for _, c := range cases {
		var recs []bench.Record
		for _, exp := range []string{"table5", "fig5-train-fraction", "fig6-dimension", "fig7-early-warning"} {
			recs = append(recs,
				rec(testEnv, exp, "NextItem", "online", "train", 1, []string{"m", "d", c.variant}, "MRR", c.value),
				rec(testEnv, exp, "EpochTime", "online", "train", 1, []string{"m", "d", "tbatch=on"}, "sec/epoch", c.value),
				rec(testEnv, exp, "EarlyWarning", "online", "train", 1, []string{"m", "d", c.variant},
					"ratio", c.value, "ratio-lo", -c.value, "ratio-hi", c.value))
		}
		md, figs, err := Generate(recs, Options{FiguresDir: "f"})
		if err != nil {
			t.Errorf("%s (value %g, %s): %v", c.why, c.value, c.variant, err)
			continue
		}
		for k := range figs {
			if !bytes.Contains(md, []byte("("+k+")")) {
				t.Errorf("%s: figure %s not linked", c.why, k)
			}
		}
	}
}

func TestPadRange(t *testing.T) {
	cases := []struct {
		lo, hi         float64
		log            bool
		wantLo, wantHi float64
	}{
		{0, 1, false, -0.05, 1.05}, // 5% of the width on each side
		{2, 2, false, 1.5, 2.5},    // a single value: ±0.5
		{100, 100, false, 95, 105}, // a single large value: ±5%
		{32, 256, true, 32 / 1.15, 256 * 1.15},
		{5e-324, 5e-324, true, 5e-324, 1e-323}, // /1.15 underflows: keep a positive minimum
		{-1e100, 1e100, false, -1.1e100, 1.1e100},
	}
	for _, c := range cases {
		lo, hi := padRange(c.lo, c.hi, c.log)
		if math.Abs(lo-c.wantLo) > 1e-9*math.Abs(c.wantLo) || math.Abs(hi-c.wantHi) > 1e-9*math.Abs(c.wantHi) {
			t.Errorf("padRange(%g, %g, %v) = %g, %g; want %g, %g", c.lo, c.hi, c.log, lo, hi, c.wantLo, c.wantHi)
		}
		if !(lo < hi) || (c.log && lo <= 0) {
			t.Errorf("padRange(%g, %g, %v) = %g, %g: empty or non-positive log range", c.lo, c.hi, c.log, lo, hi)
		}
	}
}

// TestFigureFiles: each figure is a self-contained SVG (a white background, no external references
// besides the font name) and a PNG, and the same data drawn twice give the same bytes.
func TestFigureFiles(t *testing.T) {
	spec := lineFigureSpec{
		Title: "t", XLabel: "x", YLabel: "y", LogX: true, XTicks: []float64{32, 64, 128},
		Series: []lineSeries{
			{Label: "a", Points: []linePoint{{32, 0.5, 0.4, 0.6}, {64, 0.6, 0.55, 0.65}, {128, 0.7, 0.7, 0.7}}},
			{Label: "nan only", Points: []linePoint{{32, math.NaN(), 0, 0}}},
		},
	}
	svg1, png1, err := lineFigure(spec)
	if err != nil {
		t.Fatal(err)
	}
	svg2, png2, err := lineFigure(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(svg1, svg2) {
		t.Error("SVG differs between two drawings")
	}
	if !bytes.Equal(png1, png2) {
		t.Error("PNG differs between two drawings")
	}
	s := string(svg1)
	if !strings.Contains(s, "<svg") || !strings.Contains(s, "fill:#FFFFFF") || strings.Contains(s, "nan only") {
		t.Errorf("unexpected SVG (want a white background and no legend entry for an undrawable series):\n%.400s", s)
	}
	if _, _, err := lineFigure(lineFigureSpec{Series: spec.Series[1:]}); err != errNoData {
		t.Errorf("figure of NaNs: err = %v, want errNoData", err)
	}
	bsvg, bpng, err := barFigure(barData{Labels: []string{"JODIE\nd"},
		Sides: [2]barSide{{"without t-Batch", []summary{{Mean: 10, Std: 1, N: 2}}}, {"with t-Batch", []summary{{}}}}})
	if err != nil || !bytes.Contains(bsvg, []byte("without t-Batch")) || !bytes.HasPrefix(bpng, []byte("\x89PNG")) {
		t.Errorf("bar figure: err %v", err)
	}
}
