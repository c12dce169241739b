package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tibench/tibench/bench"
)

// The engines section sets JODIE's two engines side by side: tibench's own autodiff (pure Go, or
// with OpenBLAS for the matrix products) and gorgonia (engine: gorgonia). `make reproduce-engines`
// fills it: experiment `engines` (both engines, pure Go) and `engines-openblas` (tibench's engine
// in a binary built with -tags openblas) each train one epoch on synth-wikipedia and evaluate; the
// `JODIEEngineStep` benchmark (go test -bench, saved under results/engines/ with experiment
// `engine-steps` and the backend in its header) times one training step at four batch sizes.

// engineArm is one row of the engines table.
type engineArm struct {
	Label      string
	Experiment string // the run experiment
	Engine     string // variant value of key engine
	openBLAS   bool
}

var engineArms = []engineArm{
	{Label: "tibench (pure Go)", Experiment: "engines", Engine: "tibench"},
	{Label: "tibench + OpenBLAS", Experiment: "engines-openblas", Engine: "tibench", openBLAS: true},
	{Label: "gorgonia", Experiment: "engines", Engine: "gorgonia"},
}

var engineStepSizes = []string{"1", "11", "64", "512"}

const enginesIntro = "JODIE on each engine, same model and Adam (gorgonia computes the forward and backward passes; " +
	"`configs/models/jodie.yaml`, key `engine`): seconds for one training epoch and one evaluation pass (frozen, " +
	"validation + test streamed one interaction at a time) on `synth-wikipedia`, the test MRR after that epoch, and the " +
	"time of one training step (prediction, updates, four loss terms, backward, Adam) at Wikipedia's shapes for t-batches " +
	"of B interactions (`go test -bench JODIEEngineStep ./models/jodie`). One run each, on the machine of the provenance " +
	"line; regenerate with `make reproduce-engines`. gorgonia multiplies with gonum in every row (OpenBLAS changes " +
	"tibench's products only)."

func (g *generator) enginesSection() {
	g.printf("## Engines — tibench's autodiff vs gorgonia\n\n%s\n\n", enginesIntro)
	runs := map[string][]*group{}
	for _, exp := range []string{"engines", "engines-openblas"} {
		runs[exp] = g.ix.take(exp, "NextItem", nil)
	}
	steps := g.ix.take("engine-steps", "JODIEEngineStep", nil)
	if len(runs["engines"])+len(runs["engines-openblas"])+len(steps) == 0 {
		g.printf("No results yet (run `make reproduce-engines`).\n\n")
		return
	}
	var all []*group
	for _, exp := range []string{"engines", "engines-openblas"} {
		all = append(all, runs[exp]...)
	}
	if l := provenanceLine(partition{Groups: append(slices.Clone(all), steps...)}); l != "" {
		g.printf("%s\n\n", l)
	}
	t := mdTable{Header: []string{"Engine", "Backend", "sec/epoch", "sec/eval", "test MRR"}}
	for _, B := range engineStepSizes {
		t.Header = append(t.Header, "step ms, B="+B)
	}
	for _, arm := range engineArms {
		row := []string{arm.Label}
		var recs []*bench.Record
		for _, gr := range runs[arm.Experiment] {
			if variantValue(gr.Key.Variant, "engine") == arm.Engine {
				recs = append(recs, gr.Recs...)
			}
		}
		row = append(row, backendOf(recs))
		run := &group{Recs: recs}
		for _, m := range []metric{{"sec/epoch", "", 1}, {"sec/eval", "", 1}, {"MRR", "", 3}} {
			if st, ok := run.stat(m.Unit); ok {
				row = append(row, fmtNum(st.Mean, m.Decimals))
			} else {
				row = append(row, "no results")
			}
		}
		for _, B := range engineStepSizes {
			row = append(row, stepMillis(steps, arm, B))
		}
		t.Rows = append(t.Rows, row)
	}
	g.table(t)
}

// backendOf is the backend the records name (their `backend` header), or "—".
func backendOf(recs []*bench.Record) string {
	var names []string
	for _, r := range recs {
		if b := configValue(r, "backend"); b != "" && !slices.Contains(names, b) {
			names = append(names, b)
		}
	}
	return orDash(strings.Join(names, ", "))
}

// stepMillis is the step benchmark's ms/op for one arm and batch size: the records of engine
// arm.Engine whose backend is (or, for the pure-Go arms, is not) OpenBLAS.
func stepMillis(steps []*group, arm engineArm, B string) string {
	for _, gr := range steps {
		for _, r := range gr.Recs {
			openBLAS := strings.Contains(configValue(r, "backend"), "openblas")
			if nameValue(r, "engine") != arm.Engine || benchValue(nameValue(r, "B")) != B || openBLAS != arm.openBLAS {
				continue
			}
			if v, ok := r.Metric("sec/op"); ok {
				return fmt.Sprintf("%.2f", v*1e3)
			}
		}
	}
	return "no results"
}

// benchValue strips the -GOMAXPROCS suffix go test appends to a benchmark name's last part.
func benchValue(v string) string {
	if i := strings.LastIndexByte(v, '-'); i > 0 {
		return v[:i]
	}
	return v
}
