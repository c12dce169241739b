package report

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/metrics"
)

// summary is one unit of a group over its seeds: mean and sample standard deviation (n−1
// denominator; 0 when N is 1).
type summary struct {
	Mean, Std float64
	N         int
	// Seeds is the number of distinct seeds among the N values when fewer than N (the same seed
	// run twice, e.g. on two backends, is no independent repetition), else 0.
	Seeds int
}

// groupKey identifies the seeds of one configuration: the records that differ only by seed.
type groupKey struct {
	Experiment, Bench, Model, Dataset, Variant string
	Part                                       partKey
}

// partKey is what must be equal for numbers to share a table: the evaluation protocol, the
// time-delta normalisation and the run profile (a "quick" run's few epochs are no seed of a
// "paper" run).
type partKey struct{ Protocol, Normalisation, Profile string }

func (a partKey) compare(b partKey) int {
	return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Normalisation, b.Normalisation),
		cmp.Compare(a.Profile, b.Profile))
}

// group is the records of one groupKey.
type group struct {
	Key  groupKey
	Recs []*bench.Record
}

// stat summarises unit over the group's records; ok is false when no record has the unit.
func (g *group) stat(unit string) (summary, bool) {
	var xs []float64
	seeds := map[string]bool{}
	for _, r := range g.Recs {
		if v, ok := r.Metric(unit); ok {
			xs = append(xs, v)
			seeds[configValue(r, "seed")] = true
		}
	}
	s, ok := summarise(xs)
	if len(seeds) < s.N {
		s.Seeds = len(seeds)
	}
	return s, ok
}

// summarise is the mean and sample standard deviation of xs (gonum stat.MeanStdDev).
func summarise(xs []float64) (summary, bool) {
	switch len(xs) {
	case 0:
		return summary{}, false
	case 1:
		return summary{Mean: xs[0], N: 1}, true
	}
	m, s := stat.MeanStdDev(xs, nil)
	return summary{Mean: m, Std: s, N: len(xs)}, true
}

// nameValue is the value of a name key (model=, dataset=, variant keys), ignoring file config.
func nameValue(r *bench.Record, key string) string {
	for _, kv := range r.Name {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// configValue is the value of a file-configuration key.
func configValue(r *bench.Record, key string) string {
	for _, kv := range r.Config {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// variantOf joins the name keys after model= and dataset=, in record order ("train=0.4").
func variantOf(r *bench.Record) string {
	var parts []string
	for _, kv := range r.Name {
		if kv.Key != "model" && kv.Key != "dataset" {
			parts = append(parts, kv.Key+"="+kv.Value)
		}
	}
	return strings.Join(parts, "/")
}

// variantValue is the value of key inside a variant string ("" when absent).
func variantValue(variant, key string) string {
	for p := range strings.SplitSeq(variant, "/") {
		if k, v, ok := strings.Cut(p, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// withoutVariantKey removes key from a variant string.
func withoutVariantKey(variant, key string) string {
	var parts []string
	for p := range strings.SplitSeq(variant, "/") {
		if k, _, _ := strings.Cut(p, "="); p != "" && k != key {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// index groups records and remembers which groups a section has shown, so that the rest can be
// listed instead of silently dropped.
type index struct {
	groups map[groupKey]*group
	shown  map[groupKey]bool
}

func newIndex(recs []bench.Record) *index {
	ix := &index{groups: map[groupKey]*group{}, shown: map[groupKey]bool{}}
	for i := range recs {
		r := &recs[i]
		k := groupKey{
			Experiment: configValue(r, "experiment"),
			Bench:      r.Bench,
			Model:      nameValue(r, "model"),
			Dataset:    nameValue(r, "dataset"),
			Variant:    variantOf(r),
			Part: partKey{
				Protocol:      configValue(r, "protocol"),
				Normalisation: configValue(r, "normalisation"),
				Profile:       configValue(r, "profile"),
			},
		}
		g := ix.groups[k]
		if g == nil {
			g = &group{Key: k}
			ix.groups[k] = g
		}
		g.Recs = append(g.Recs, r)
	}
	return ix
}

// take returns the groups of one experiment and benchmark (sorted) and marks them shown.
// keep, when not nil, further filters them.
func (ix *index) take(experiment, benchName string, keep func(*group) bool) []*group {
	var out []*group
	for k, g := range ix.groups {
		if k.Experiment == experiment && k.Bench == benchName && (keep == nil || keep(g)) {
			out = append(out, g)
			ix.shown[k] = true
		}
	}
	sortGroups(out)
	return out
}

// rest returns the groups no section has shown, sorted.
func (ix *index) rest() []*group {
	var out []*group
	for k, g := range ix.groups {
		if !ix.shown[k] {
			out = append(out, g)
		}
	}
	sortGroups(out)
	return out
}

func sortGroups(gs []*group) {
	slices.SortFunc(gs, func(a, b *group) int {
		x, y := a.Key, b.Key
		return cmp.Or(
			cmp.Compare(x.Experiment, y.Experiment), cmp.Compare(x.Bench, y.Bench),
			x.Part.compare(y.Part),
			cmp.Compare(x.Model, y.Model), cmp.Compare(x.Dataset, y.Dataset),
			compareVariants(x.Variant, y.Variant))
	})
}

// compareVariants orders variant strings, numerically where both values are numbers
// ("train=0.1" < "train=0.4" < "train=0.8", "dim=32" < "dim=128").
func compareVariants(a, b string) int {
	if a == b {
		return 0
	}
	ka, va, _ := strings.Cut(a, "=")
	kb, vb, _ := strings.Cut(b, "=")
	if ka == kb && !strings.Contains(a, "/") && !strings.Contains(b, "/") {
		if c := compareValues(va, vb); c != 0 {
			return c
		}
	}
	return cmp.Compare(a, b)
}

// compareValues compares two variant values numerically when both parse, else as strings.
func compareValues(a, b string) int {
	fa, oka := parseFloat(a)
	fb, okb := parseFloat(b)
	if oka && okb && fa != fb {
		return cmp.Compare(fa, fb)
	}
	return cmp.Compare(a, b)
}

// partition is the groups of one table that share protocol, normalisation and profile: numbers
// from different protocols are never put side by side.
type partition struct {
	partKey
	Groups []*group
}

// partitions splits groups by partKey, in sorted order, keeping the groups' order within each.
// With no groups it returns one empty partition, so that a section still shows its pending rows.
func partitions(gs []*group) []partition {
	return partitionsBy(gs, func(k partKey) partKey { return k })
}

// partitionsBy is partitions by key(partKey): a section that sets protocols side by side on
// purpose partitions by the rest.
func partitionsBy(gs []*group, key func(partKey) partKey) []partition {
	byKey := map[partKey]*partition{}
	var keys []partKey
	for _, g := range gs {
		k := key(g.Key.Part)
		p := byKey[k]
		if p == nil {
			p = &partition{partKey: k}
			byKey[k] = p
			keys = append(keys, k)
		}
		p.Groups = append(p.Groups, g)
	}
	slices.SortFunc(keys, partKey.compare)
	out := make([]partition, 0, len(keys)+1)
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	if len(out) == 0 {
		out = append(out, partition{})
	}
	return out
}

// provenanceKeys are the file-configuration keys a table's provenance line reports.
var provenanceKeys = []string{"commit", "machine", "cores", "backend", "profile"}

// provenance lists, for each provenance key, the distinct values recorded in the groups' records,
// sorted ("" when a key was never recorded). It reads records only: never the clock or git.
func provenance(gs []*group) [][2]string {
	var out [][2]string
	for _, key := range provenanceKeys {
		seen := map[string]bool{}
		for _, g := range gs {
			for _, r := range g.Recs {
				if v := configValue(r, key); v != "" {
					seen[v] = true
				}
			}
		}
		vals := make([]string, 0, len(seen))
		for v := range seen {
			vals = append(vals, v)
		}
		slices.Sort(vals)
		out = append(out, [2]string{key, strings.Join(vals, ", ")})
	}
	return out
}

// registryPaperKeys maps the registry's real datasets (tibench datasets list) whose names are not
// their paper column's key to that key: the paper's own data, so their columns are Real. The
// registry's "reddit" is JODIE's Reddit, so JUMP's REDDIT (the Kaggle subreddit log) is registered
// as reddit-sessions; TIN's Amazon is amazon-electronics.
var registryPaperKeys = map[string]string{"amazon-electronics": "amazon", "reddit-sessions": "reddit"}

// paperKeyOf maps a tibench dataset name to the paper column it mimics: lower case, without the
// "synth-" prefix and "-small" suffix (the synthetic presets of package datasets are named after
// the dataset they mimic, e.g. synth-wikipedia-small ≈ Wikipedia).
func paperKeyOf(dataset string) string {
	if k, ok := registryPaperKeys[dataset]; ok {
		return k
	}
	d := strings.ToLower(dataset)
	d = strings.TrimPrefix(d, "synth-")
	return strings.TrimSuffix(d, "-small")
}

// column is one dataset column of a table: a tibench dataset (Dataset, "" for a paper dataset
// without results) and the paper dataset it maps to (Paper.Key "" when it maps to none).
type column struct {
	Dataset string
	Paper   paperDataset
}

// Real reports whether the column's numbers are on the paper's own dataset, i.e. comparable to the
// published ones (a difference is shown only then).
func (c column) Real() bool {
	return c.Dataset != "" && c.Paper.Key != "" && (c.Dataset == c.Paper.Key || registryPaperKeys[c.Dataset] == c.Paper.Key)
}

// Label is the column's dataset as shown in a header.
func (c column) Label() string {
	switch {
	case c.Dataset == "":
		return c.Paper.Name
	case c.Paper.Key == "":
		return c.Dataset + " (not in the paper)"
	case c.Real():
		return c.Dataset
	default:
		return c.Dataset + " (≈ " + c.Paper.Name + ")"
	}
}

// columnsFor lays out dataset columns: for each paper dataset in the paper's order the datasets in
// gs that map to it (sorted; the paper's name alone when none), then datasets that map to no paper
// column, sorted.
func columnsFor(paper []paperDataset, gs []*group) []column {
	present := map[string]bool{}
	for _, g := range gs {
		present[g.Key.Dataset] = true
	}
	names := make([]string, 0, len(present))
	for d := range present {
		names = append(names, d)
	}
	slices.Sort(names)
	var cols []column
	mapped := map[string]bool{}
	for _, p := range paper {
		n := len(cols)
		for _, d := range names {
			if paperKeyOf(d) == p.Key {
				cols = append(cols, column{Dataset: d, Paper: p})
				mapped[d] = true
			}
		}
		if len(cols) == n {
			cols = append(cols, column{Paper: p})
		}
	}
	for _, d := range names {
		if !mapped[d] {
			cols = append(cols, column{Dataset: d})
		}
	}
	return cols
}

// row is one method row: a model (and variant, for models recorded with extra name keys).
type row struct {
	Method  method
	Variant string
}

// Label is the row's method as shown in the first column.
func (r row) Label() string {
	s := r.Method.Name
	if r.Method.Model != "" && r.Method.Model != r.Method.Name {
		s += " (" + r.Method.Model + ")"
	}
	if r.Variant != "" {
		s += " [" + r.Variant + "]"
	}
	if !r.Method.InPaper {
		s += " — not in the paper"
	}
	return s
}

// rowsFor lists the paper's methods in order, then, for each model of gs, variant rows and models
// the paper does not have (sorted): no result is left out of its table.
func rowsFor(methods []method, gs []*group, variantOfGroup func(*group) string) []row {
	order := map[string]int{}
	for i, m := range methods {
		order[m.Model] = i
	}
	type mv struct{ model, variant string }
	seen := map[mv]bool{}
	var extra []row
	for _, g := range gs {
		k := mv{g.Key.Model, variantOfGroup(g)}
		if seen[k] {
			continue
		}
		seen[k] = true
		if i, ok := order[k.model]; ok {
			if k.variant != "" {
				extra = append(extra, row{methods[i], k.variant})
			}
			continue
		}
		extra = append(extra, row{method{Model: k.model, Name: k.model}, k.variant})
	}
	slices.SortStableFunc(extra, func(a, b row) int {
		ia, oka := order[a.Method.Model]
		ib, okb := order[b.Method.Model]
		switch {
		case oka && okb && ia != ib:
			return cmp.Compare(ia, ib)
		case oka != okb: // the paper's methods first
			if oka {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Method.Model, b.Method.Model), compareVariants(a.Variant, b.Variant))
	})
	rows := make([]row, 0, len(methods)+len(extra))
	for _, m := range methods {
		rows = append(rows, row{Method: m})
		for _, e := range extra {
			if e.Method.Model == m.Model {
				rows = append(rows, e)
			}
		}
	}
	for _, e := range extra {
		if _, ok := order[e.Method.Model]; !ok {
			rows = append(rows, e)
		}
	}
	return rows
}

// lookup finds the group of a model, variant (as returned by variantOfGroup) and dataset.
func lookup(gs []*group, model, variant, dataset string, variantOfGroup func(*group) string) []*group {
	var out []*group
	for _, g := range gs {
		if g.Key.Model == model && g.Key.Dataset == dataset && variantOfGroup(g) == variant {
			out = append(out, g)
		}
	}
	return out
}

// improvement compares the best result of the proposed method with the best of all other rows
// (the reference floors included): points = 100 × (proposed − best other), which is what the JODIE
// paper prints as "% improvement", and relative = 100 × (proposed − best other) / best other.
// For lower-is-better units both are signed so that positive means the proposed method is better.
type improvement struct {
	Proposed, Best summary
	BestName       string
	Points         float64
	Relative       float64 // NaN when the best other is 0
}

// computeImprovement picks the best summary of each side (by mean, in the unit's direction);
// ok is false when either side is empty.
func computeImprovement(proposed []summary, others []summary, otherNames []string, higher bool) (imp improvement, ok bool) {
	if len(proposed) == 0 || len(others) == 0 {
		return improvement{}, false
	}
	better := func(a, b float64) bool {
		if higher {
			return a > b
		}
		return a < b
	}
	p := proposed[0]
	for _, s := range proposed[1:] {
		if better(s.Mean, p.Mean) {
			p = s
		}
	}
	bi := 0
	for i := range others {
		if better(others[i].Mean, others[bi].Mean) {
			bi = i
		}
	}
	b := others[bi]
	d := p.Mean - b.Mean
	if !higher {
		d = -d
	}
	rel := math.NaN()
	if b.Mean != 0 {
		rel = 100 * d / math.Abs(b.Mean)
	}
	return improvement{Proposed: p, Best: b, BestName: otherNames[bi], Points: 100 * d, Relative: rel}, true
}

// metric is one result unit shown in a table.
type metric struct {
	Unit     string // the record's unit, e.g. "recall@10"
	Label    string // the column label, e.g. "Recall@10"
	Decimals int    // digits after the point, as the paper prints them
}

// higher reports the unit's direction, from the metric table (bench/metrics) that selection and
// the regression check read too. Every table unit is in it (TestTableUnitsHaveDirections).
func (m metric) higher() bool {
	u, err := metrics.Lookup(m.Unit)
	return err == nil && u.HigherIsBetter
}

// tableSpec describes one published table: which records feed it and the paper's rows, columns
// and numbers.
type tableSpec struct {
	Name       string // "JODIE Table 3", used in headings and sub-headings
	Title      string // heading after the name
	Experiment string // file key experiment= of the records
	Bench      string // benchmark of the records
	Intro      string // what is measured, and the paper's source
	Datasets   []paperDataset
	Metrics    []metric
	Methods    []method
	Paper      map[paperKey]paperValue
	// Proposed, when set, adds the "% improvement" row: Proposed vs the best other row.
	Proposed         string
	PaperImprovement map[improvementKey]float64
}

// mdTable is a table before rendering: a header and rows of cells.
type mdTable struct {
	Header []string
	Rows   [][]string
}

// statusFunc says why a model has no number in a cell: "not implemented yet" or "no results".
type statusFunc func(model string) string

func plainVariant(g *group) string { return g.Key.Variant }

// withResults makes a model with results somewhere in the partition say "no results" for its
// missing cells, whatever the registry says (results can outlive a model's registration).
func withResults(p partition, status statusFunc) statusFunc {
	has := map[string]bool{}
	for _, g := range p.Groups {
		has[g.Key.Model] = true
	}
	return func(model string) string {
		if has[model] {
			return "no results"
		}
		return status(model)
	}
}

// paperCell formats one cell: ours (or why not), the published number, and the difference on the
// paper's own dataset.
func paperCell(s *summary, missing string, dec int, p *paperValue, real bool) string {
	parts := []string{missing}
	if s != nil {
		parts[0] = fmtSummary(*s, dec)
	}
	if p != nil {
		parts = append(parts, "paper "+fmtPaper(*p, dec))
		if real && s != nil {
			parts = append(parts, "Δ "+fmtSigned(s.Mean-p.Mean, dec))
		}
	}
	return strings.Join(parts, " · ")
}

// recordsAny reports whether some group of row r records one of the metrics: a model outside the
// paper's list gets a row only then (a session model without a dwell head records no MAE, and has
// nothing to show in JUMP's Table 2).
func recordsAny(gs []*group, r row, metrics []metric) bool {
	for _, g := range gs {
		if g.Key.Model != r.Method.Model || plainVariant(g) != r.Variant {
			continue
		}
		for _, m := range metrics {
			if _, ok := g.stat(m.Unit); ok {
				return true
			}
		}
	}
	return false
}

// buildPaperTable lays out one partition of a paper table.
func buildPaperTable(spec *tableSpec, p partition, status statusFunc) mdTable {
	cols := columnsFor(spec.Datasets, p.Groups)
	rows := slices.DeleteFunc(rowsFor(spec.Methods, p.Groups, plainVariant), func(r row) bool {
		return !slices.ContainsFunc(spec.Methods, func(m method) bool { return m.Model == r.Method.Model }) &&
			!recordsAny(p.Groups, r, spec.Metrics)
	})
	status = withResults(p, status)
	t := mdTable{Header: []string{"Method"}}
	for _, c := range cols {
		for _, m := range spec.Metrics {
			t.Header = append(t.Header, c.Label()+" "+m.Label)
		}
	}
	// stats[row][col*len(metrics)+metric], nil when missing; kept for the improvement row.
	stats := make([][]*summary, len(rows))
	for i, r := range rows {
		cells := []string{r.Label()}
		stats[i] = make([]*summary, len(cols)*len(spec.Metrics))
		for ci, c := range cols {
			var g *group
			if c.Dataset != "" {
				if gs := lookup(p.Groups, r.Method.Model, r.Variant, c.Dataset, plainVariant); len(gs) > 0 {
					g = gs[0]
				}
			}
			for mi, m := range spec.Metrics {
				missing := status(r.Method.Model)
				var sp *summary
				if g != nil {
					if s, ok := g.stat(m.Unit); ok {
						sp = &s
						stats[i][ci*len(spec.Metrics)+mi] = sp
					} else if strings.Contains(m.Unit, "/len=") {
						missing = "no test sequence of this length" // a length bucket nothing fell in
					} else {
						missing = "no " + m.Unit + " recorded"
					}
				}
				var pp *paperValue
				if v, ok := spec.Paper[paperKey{r.Method.Model, c.Paper.Key, m.Unit}]; ok && c.Paper.Key != "" {
					pp = &v
				}
				cells = append(cells, paperCell(sp, missing, m.Decimals, pp, c.Real()))
			}
		}
		t.Rows = append(t.Rows, cells)
	}
	if spec.Proposed == "" {
		return t
	}
	name := spec.Proposed
	for _, m := range spec.Methods {
		if m.Model == spec.Proposed {
			name = m.Name
		}
	}
	cells := []string{"% improvement: " + name + " vs best other (pts; relative)"}
	for ci, c := range cols {
		for mi, m := range spec.Metrics {
			var prop, others []summary
			var names []string
			for i, r := range rows {
				s := stats[i][ci*len(spec.Metrics)+mi]
				switch {
				case s == nil:
				case r.Method.Model == spec.Proposed:
					prop = append(prop, *s)
				default:
					others = append(others, *s)
					names = append(names, shortLabel(r))
				}
			}
			var text string
			imp, ok := computeImprovement(prop, others, names, m.higher())
			switch {
			case c.Dataset == "":
				text = "no results"
			case len(prop) == 0:
				text = name + " has no results"
			case !ok:
				text = "no other method has results"
			default:
				text = fmtSigned(imp.Points, 1) + " pts (" + fmtSigned(imp.Relative, 1) + "%) vs " + imp.BestName
			}
			if v, ok := spec.PaperImprovement[improvementKey{c.Paper.Key, m.Unit}]; ok && c.Paper.Key != "" {
				text += " · paper " + fmtSigned(v, 1) + " pts"
			}
			cells = append(cells, text)
		}
	}
	t.Rows = append(t.Rows, cells)
	return t
}

// shortLabel names a row inside another cell: the method and variant, without annotations.
func shortLabel(r row) string {
	if r.Variant != "" {
		return r.Method.Name + " [" + r.Variant + "]"
	}
	return r.Method.Name
}

// secPerMin converts the paper's minutes per epoch to the records' seconds.
const secPerMin = 60

// tbatchVariant is a Table 5 group's variant without its tbatch= key: the row's identity.
func tbatchVariant(g *group) string { return withoutVariantKey(g.Key.Variant, "tbatch") }

// epochSeconds is the seconds per training epoch of a model with t-Batch "on" or "off" in one dataset.
func epochSeconds(gs []*group, model, variant, dataset, tbatch string) (summary, bool) {
	for _, g := range lookup(gs, model, variant, dataset, tbatchVariant) {
		if variantValue(g.Key.Variant, "tbatch") != tbatch {
			continue
		}
		if s, ok := g.stat("sec/epoch"); ok {
			return s, true
		}
	}
	return summary{}, false
}

// table5Datasets are the datasets of JODIE Table 5 (Reddit only).
var table5Datasets = []paperDataset{{"reddit", "Reddit"}}

// buildTable5 lays out one partition of JODIE Table 5: seconds per epoch without and with t-Batch
// beside the paper's minutes, the speed-up (ratio of the means) beside the paper's, and how the
// t-Batch arm compares with the paper's GPU time (paper seconds ÷ ours: above 1 is faster).
func buildTable5(p partition, status statusFunc) mdTable {
	cols := columnsFor(table5Datasets, p.Groups)
	rows := rowsFor(jodieTable5Methods, p.Groups, tbatchVariant)
	status = withResults(p, status)
	t := mdTable{Header: []string{"Method"}}
	for _, c := range cols {
		l := c.Label()
		t.Header = append(t.Header, l+" without t-Batch (s/epoch)", l+" with t-Batch (s/epoch)", l+" speed-up",
			l+" with t-Batch vs the paper's GPU")
	}
	for _, r := range rows {
		cells := []string{r.Label()}
		for _, c := range cols {
			paper := jodieTable5[r.Method.Model]
			if c.Paper.Key == "" {
				paper = nil
			}
			missing := status(r.Method.Model)
			var sums [2]*summary
			for i, tb := range []string{"off", "on"} {
				parts := []string{missing}
				if s, ok := epochSeconds(p.Groups, r.Method.Model, r.Variant, c.Dataset, tb); ok && c.Dataset != "" {
					sums[i] = &s
					parts[0] = fmtSummary(s, 1)
				}
				if v, ok := paper[tb]; ok {
					parts = append(parts, "paper "+fmtNum(v, 2)+" min")
				}
				cells = append(cells, strings.Join(parts, " · "))
			}
			var parts []string
			switch {
			case sums[0] != nil && sums[1] != nil:
				parts = append(parts, fmtNum(sums[0].Mean/sums[1].Mean, 2)+"×")
			case sums[0] != nil || sums[1] != nil:
				parts = append(parts, "needs t-Batch on and off")
			default:
				parts = append(parts, missing)
			}
			if paper != nil {
				pr := paper["off"] / paper["on"]
				parts = append(parts, "paper "+fmtNum(pr, 2)+"×")
				if c.Real() && sums[0] != nil && sums[1] != nil {
					parts = append(parts, "Δ "+fmtSigned(sums[0].Mean/sums[1].Mean-pr, 2)+"×")
				}
			}
			cells = append(cells, strings.Join(parts, " · "))
			gpu := "—"
			if v, ok := paper["on"]; ok && sums[1] != nil && sums[1].Mean > 0 {
				ratio := v * secPerMin / sums[1].Mean
				gpu = fmtNum(ratio, 2) + "× (" + fmtNum(sums[1].Mean, 1) + " s vs " + fmtNum(v*secPerMin, 0) + " s)"
			}
			cells = append(cells, gpu)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// buildOtherTable lists groups no section shows, with every unit they recorded.
func buildOtherTable(gs []*group) mdTable {
	t := mdTable{Header: []string{"Experiment", "Benchmark", "Protocol", "Normalisation", "Profile", "Values (mean ± std, n)"}}
	for _, g := range gs {
		var units []string
		seen := map[string]bool{}
		for _, r := range g.Recs {
			for _, v := range r.Values {
				if !seen[v.Unit] {
					seen[v.Unit] = true
					units = append(units, v.Unit)
				}
			}
		}
		var vals []string
		for _, u := range units {
			s, _ := g.stat(u)
			text := u + " " + fmtG(s.Mean)
			if s.N > 1 {
				text += " ± " + fmtG(s.Std)
			}
			vals = append(vals, text+" "+nText(s))
		}
		full := g.Recs[0].FullName()
		k := g.Key.Part
		t.Rows = append(t.Rows, []string{orDash(g.Key.Experiment), full, orDash(k.Protocol), orDash(k.Normalisation),
			orDash(k.Profile), strings.Join(vals, "; ")})
	}
	return t
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
