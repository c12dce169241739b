package report

import (
	"slices"
	"strings"

	"github.com/tibench/tibench/bench"
)

// The departures section measures every way tibench's JODIE can differ from the original code. The
// defaults reproduce the original; each departure is a named option, and experiments
// jodie-departures (next-item) and jodie-departures-state (state change) run them one at a time
// (named sweep variants, key `setting`) on the same data and seeds. The table shows each variant
// beside the defaults, and the per-seed difference.

// departureSpec is one experiment of the section.
type departureSpec struct {
	Experiment, Bench, Title string
	Metrics                  []metric
}

// departureSection is one model's departures section: its heading, introduction and experiments.
type departureSection struct {
	Heading, Intro string
	// Defaults says what the `defaults` row is for this model: each model's defaults depart from
	// its original in their own way. ModelDefaults overrides it for the models of a section whose
	// experiments run several.
	Defaults      string
	ModelDefaults map[string]string
	Specs         []departureSpec
}

// defaults is the `defaults` row's text for model.
func (sec departureSection) defaults(model string) string {
	if d, ok := sec.ModelDefaults[model]; ok {
		return d
	}
	return sec.Defaults
}

var jodieDepartures = departureSection{
	Heading: "JODIE — departures from the original code, measured", Intro: departureIntro, Specs: departureSpecs,
	Defaults: "tibench's defaults: the original code's behaviour in every switch but class_weights (train)",
}

var jumpDepartures = departureSection{
	Heading: "JUMP — departures from the paper, measured",
	Intro: "JUMP has no released code; tibench's follows the paper, and every reading or departure is a named option " +
		"of `configs/models/jump.yaml` (the list is in baselines/jump). Each row below turns one switch away from the " +
		"defaults, on the same data, seeds and epochs (experiment `jump-departures`, variant key `setting`); `Δ` is the " +
		"row − the defaults, the mean ± std over seeds of each seed's difference. Experiment `session-departures` " +
		"does the same for the training of the comparators whose originals backpropagate through whole sequences " +
		"(NARM, DTGRU, RMTP, ATRP, NSR): their default `bptt: session` against GRU4Rec's per-click truncation, which " +
		"GRU4Rec and IGRU keep as their code does. Experiment `session-speed-options` measures the two options issue " +
		"#12's speed set (100,000 sessions, 40,000 items) trains with, on synth-amazon's sessions, whose 44,173 items " +
		"make a 2,048-item sample as small a share of the catalogue. sec/epoch is training time only, measured on the " +
		"machine of the provenance line, in one run of the experiment.",
	Defaults: "tibench's defaults: the paper's equations and settings (bptt session: eq. 17's whole-session " +
		"likelihood backpropagated through every click, mini-batches of 100 sessions; one dwell-embedding row per " +
		"second; the log-normal's median for MAE)",
	ModelDefaults: map[string]string{
		"narm":  "the model's defaults: bptt session, as NARM's code backpropagates through every whole prefix",
		"dtgru": "the model's defaults: bptt session, whole-sequence backpropagation as Time-LSTM trains",
		"rmtp":  "the model's defaults: bptt session, RMTPP's whole-sequence likelihood",
		"atrp":  "the model's defaults: bptt session, ATRP's whole-sequence likelihood",
		"nsr":   "the model's defaults: bptt session, NSR's whole-sequence training",
	},
	Specs: []departureSpec{
		{"jump-departures", "Dwell", "session task",
			[]metric{{"MAE", "MAE (s)", 2}, {"recall@20", "Recall@20", 4}, {"MRR@20", "MRR@20", 4}, {"sec/epoch", "sec/epoch", 2}}},
		{"session-departures", "Dwell", "the comparators' training, session task",
			[]metric{{"MAE", "MAE (s)", 2}, {"recall@20", "Recall@20", 4}, {"MRR@20", "MRR@20", 4}, {"sec/epoch", "sec/epoch", 2}}},
		{"session-speed-options", "Dwell", "the speed set's options, session task",
			[]metric{{"MAE", "MAE (s)", 2}, {"recall@20", "Recall@20", 4}, {"MRR@20", "MRR@20", 4}, {"sec/epoch", "sec/epoch", 2}}},
	},
}

var departureSpecs = []departureSpec{
	{"jodie-departures", "NextItem", "next-item prediction",
		[]metric{{"MRR", "MRR", 3}, {"recall@10", "Recall@10", 3}, {"sec/epoch", "sec/epoch", 2}}},
	{"jodie-departures-state", "StateChange", "state-change prediction",
		[]metric{{"AUC", "AUC", 3}, {"sec/epoch", "sec/epoch", 2}}},
}

// departureBaseline is the variant every other one is compared with: tibench's defaults.
const departureBaseline = "defaults"

// departureText says what each variant of the departure experiments changes (the defaults row is
// the section's Defaults). A variant missing here is still shown, without the explanation.
var departureText = map[string]string{
	"original": "the original code in every switch: class_weights all (state-change class weights counted on the " +
		"whole file, test labels included)",
	"sparse_adam.dense-eager": "dense Adam applied to every row at every step: must equal the defaults (deferred " +
		"dense Adam) exactly, at a higher cost",
	"sparse_adam.lazy": "SparseAdam: one-hot rows move only in windows where they get gradient (no momentum or " +
		"weight decay between a user's or item's appearances)",
	"initial_grad.every-window": "the learned initial user/item vectors get gradient in every window, not only the " +
		"first of each epoch (the original detach_()es its tables after it)",
	"state_head.auto": "no state-change head (nor its loss) in next-item runs; the original trains it in every run",
	"last_window.train": "the training interactions after the last closed t-Batch window are trained too (the " +
		"original never trains them)",
	"bptt.click": "GRU4Rec's session-parallel training: the state is carried from click to click but gradients stop " +
		"at every click (earlier hidden states enter attention as constants), one Adam step per click step of 100 " +
		"lanes (JUMP: batch-norm statistics over each step's lanes; its dwell loss still trains the shared layers, " +
		"dwell_gradient shared)",
	"bptt.click+dwell_gradient.head": "JUMP: bptt click, and a click's dwell parameters computed at its own step " +
		"from the previous session vector held as a constant: the dwell loss trains only the dwell head, not the " +
		"layers the click head shares",
	"dwell_embedding.log2": "JUMP: eq. 16's dwell embedding has a row per ⌊log2(1 + τ)⌋ (11 rows) instead of one per second",
	"dwell_point.observed-median": "JUMP: MAE scores the median given that the dwell is observed (below c1) instead " +
		"of the log-normal's median",
	"sampled_softmax.2048+sparse_adam": "the next click trained on the step's next items + 2,048 items drawn by " +
		"popularity^0.75 instead of all items, with the log-Q correction (sampled_logq 1; without it this row's " +
		"MRR@20 stayed at random level, 0.0000–0.0001 over 4 epochs), and Adam moving only the item-table rows a step touched " +
		"(evaluation still ranks all items)",
}

const departureIntro = "tibench's JODIE reproduces the original code (srijankr/jodie) by default; every departure is a " +
	"named option of `configs/models/jodie.yaml`. Each row below turns one switch away from the defaults, on the same " +
	"data, seeds and epochs (experiments `jodie-departures` and `jodie-departures-state`, variant key `setting`); `Δ` " +
	"is the row − the defaults, the mean ± std over seeds of each seed's difference. One default departs from the " +
	"original on purpose: the state-change class weights are counted on the training part, because the original's " +
	"count over the whole file lets the share of test labels into training (row `original` restores it). " +
	"sec/epoch is training time only, measured on the machine of the provenance line, in one run of the experiment."

func (g *generator) departuresSection(sec departureSection) {
	g.printf("## %s\n\n%s\n\n", sec.Heading, sec.Intro)
	for _, spec := range sec.Specs {
		gs := g.ix.take(spec.Experiment, spec.Bench, nil)
		g.printf("### %s (experiment `%s`)\n\n", capitalise(spec.Title), spec.Experiment)
		if len(gs) == 0 {
			g.printf("No results yet (run `make reproduce`).\n\n")
			continue
		}
		parts := partitions(gs)
		for _, p := range parts {
			if len(parts) > 1 {
				g.printf("#### %s, protocol `%s`, normalisation `%s`, profile `%s`\n\n", capitalise(spec.Title),
					orDash(p.Protocol), orDash(p.Normalisation), orDash(p.Profile))
			}
			g.printf("%s\n\n", caption(p))
			if l := provenanceLine(p); l != "" {
				g.printf("%s\n\n", l)
			}
			models := departureKeys(p, func(k groupKey) string { return k.Model })
			for _, dataset := range departureKeys(p, func(k groupKey) string { return k.Dataset }) {
				for _, model := range models {
					t := buildDepartureTable(spec, sec.defaults(model), p, model, dataset)
					if len(t.Rows) == 0 {
						continue
					}
					if len(models) > 1 {
						g.printf("Dataset `%s`, model `%s`:\n\n", dataset, model)
					} else {
						g.printf("Dataset `%s`:\n\n", dataset)
					}
					g.table(t)
				}
			}
		}
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// departureKeys lists a partition's distinct values of one key field (datasets, models), sorted.
func departureKeys(p partition, field func(groupKey) string) []string {
	var ds []string
	for _, g := range p.Groups {
		if v := field(g.Key); !slices.Contains(ds, v) {
			ds = append(ds, v)
		}
	}
	slices.Sort(ds)
	return ds
}

// departureSetting is a group's variant value for key `setting`.
func departureSetting(g *group) string { return variantValue(g.Key.Variant, "setting") }

// departureOrder puts the defaults first and the original second, then the rest by name.
func departureOrder(a, b string) int {
	rank := func(s string) int {
		switch s {
		case departureBaseline:
			return 0
		case "original":
			return 1
		}
		return 2
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// buildDepartureTable lays out one model on one dataset of a departure experiment: a row per
// setting with each metric and its per-seed difference from the defaults.
func buildDepartureTable(spec departureSpec, defaults string, p partition, model, dataset string) mdTable {
	bySetting := map[string][]*bench.Record{}
	var settings []string
	for _, g := range p.Groups {
		if g.Key.Dataset != dataset || g.Key.Model != model {
			continue
		}
		s := departureSetting(g)
		if _, ok := bySetting[s]; !ok {
			settings = append(settings, s)
		}
		bySetting[s] = append(bySetting[s], g.Recs...)
	}
	slices.SortFunc(settings, departureOrder)
	t := mdTable{Header: []string{"Setting", "What it changes"}}
	for _, m := range spec.Metrics {
		t.Header = append(t.Header, m.Label, m.Label+" Δ vs defaults")
	}
	base := bySetting[departureBaseline]
	for _, s := range settings {
		recs := bySetting[s]
		what := departureText[s]
		if s == departureBaseline {
			what = defaults
		}
		cells := []string{"`" + orDash(s) + "`", orDash(what)}
		for _, m := range spec.Metrics {
			st, ok := (&group{Recs: recs}).stat(m.Unit)
			if !ok {
				cells = append(cells, "no "+m.Unit+" recorded", "—")
				continue
			}
			cells = append(cells, fmtSummary(st, m.Decimals))
			switch d, ok := pairedDelta(base, recs, m.Unit); {
			case s == departureBaseline:
				cells = append(cells, "—")
			case ok:
				cells = append(cells, fmtDelta(d, m.Decimals))
			default:
				cells = append(cells, "no defaults run on the same seeds")
			}
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}
