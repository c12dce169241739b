package report

// Real-data sections: the paper tables of JUMP and TIN on the real data at hand beside the
// repository (../shared/datasets), from the experiments of configs/experiments-real. `make
// reproduce` does not run them (it must not depend on files outside the repository), so each
// section says how to regenerate its results. Their columns are the data's own: these are neither
// the papers' datasets nor synthetic stand-ins, and no paper number is comparable with them.

// realSpec is a paper table on real data: the table and the command that produces its results.
type realSpec struct {
	tableSpec
	Config string // configs/experiments-real/<name>.yaml
}

var (
	realJump = realSpec{Config: "configs/experiments-real/jump-diginetica.yaml", tableSpec: tableSpec{
		Name: "JUMP Tables 2 and 3 on real data", Title: "the public DIGINETICA sample",
		Experiment: "jump-diginetica", Bench: "Dwell",
		Intro: "JUMP's tables on `diginetica-sample`: the public sample of CIKM Cup 2016's DIGINETICA item views " +
			"(`../shared/datasets/diginetica-sample.csv`, the data of JUMP's CIKM16 column, a small part of it), with its own " +
			"sessions, JUMP's filters and censoring (c1 = 2000 s, c2 = 30 s), split 70/10/20 by session start (experiment " +
			"`jump-diginetica`, run by hand: it is not part of `make reproduce`). MAE in seconds over observed dwell times; " +
			"Recall@20, MRR@20 and NDCG@20 of the next click among all items. The paper's numbers are on the whole CIKM16 " +
			"set and are not comparable.",
		Metrics: []metric{
			{"MAE", "MAE (s)", 2}, {"recall@20", "Recall@20", 4}, {"MRR@20", "MRR@20", 4}, {"ndcg@20", "NDCG@20", 4},
		},
		Methods: jumpTable3Methods,
	}}

	realTINLastFM = realSpec{Config: "configs/experiments-real/tin-lastfm.yaml", tableSpec: tableSpec{
		Name: "TIN Table 1 on real data", Title: "CTR samples from the LastFM prefix",
		Experiment: "tin-lastfm", Bench: "CTR",
		Intro: "TIN's Table 1 on CTR samples derived from `lastfm-prefix`, the real LastFM listening log beside the " +
			"repository (`../shared/datasets/lastfm-prefix.csv`, loaded leniently: its truncated last line is skipped): " +
			"leave-one-out per user, one fixed-seed negative per positive from items outside the user's history, no item " +
			"categories (every item shares one category row). Experiment `tin-lastfm`, run by hand: it is not part of " +
			"`make reproduce`. With one test sample per user the two GAUCs are equal.",
		Metrics: []metric{{"logloss", "Logloss", 4}, {"GAUC", "GAUC", 4}, {"GAUC-impr", "GAUC (impression-weighted)", 4}},
		Methods: tinMethods,
	}}

	realTINDiginetica = realSpec{Config: "configs/experiments-real/tin-diginetica.yaml", tableSpec: tableSpec{
		Name: "TIN Table 1 on real data", Title: "CTR samples from the DIGINETICA sample",
		Experiment: "tin-diginetica", Bench: "CTR",
		Intro: "TIN's Table 1 on CTR samples derived from `diginetica-sample` (see JUMP's real-data section): one history " +
			"per known user, an anonymous session a user of its own, leave-one-out, one fixed-seed negative per positive, no " +
			"item categories (DIGINETICA's product-categories file is not at hand). Experiment `tin-diginetica`, run by " +
			"hand: it is not part of `make reproduce`.",
		Metrics: []metric{{"logloss", "Logloss", 4}, {"GAUC", "GAUC", 4}, {"GAUC-impr", "GAUC (impression-weighted)", 4}},
		Methods: tinMethods,
	}}
)

// realSection writes a real-data table, or how to produce it when results/ has none.
func (g *generator) realSection(spec *realSpec) {
	g.printf("## %s — %s\n\n%s\n\n", spec.Name, spec.Title, spec.Intro)
	gs := g.ix.take(spec.Experiment, spec.Bench, nil)
	if len(gs) == 0 {
		g.printf("No results yet: run `tibench run %s` where `../shared/datasets` exists.\n\n", spec.Config)
		return
	}
	parts := partitions(gs)
	for _, p := range parts {
		g.writePart(spec.Name, p, len(parts), buildPaperTable(&spec.tableSpec, p, g.status))
	}
}
