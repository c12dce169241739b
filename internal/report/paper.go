package report

import "slices"

// Published numbers, transcribed by hand from the papers in /work/shared/papers/ (the markdown
// renderings of the PDFs). Each table below names its source; a value that is not in the paper is
// simply absent from the map (no cell shows "paper" then).
//
//   - Kumar, Zhang, Leskovec, JODIE, KDD 2019 (jodie-kdd2019.md; that copy is titled "Learning
//     Dynamic Embeddings from Temporal Interaction Networks"): Table 3 (MRR, Recall@10), Table 4
//     (AUC), Table 5 (minutes per epoch on Reddit, one NVIDIA Titan X Pascal GPU, footnote 3).
//     Figures 4-7 are images without numbers in our copy; Fig. 4 plots Table 5.
//   - Zhou et al., "JUMP: a Joint Predictor for User Click and Dwell Time", IJCAI 2018: Table 2 (MAE)
//     and Table 3 (Recall@20, MRR, NDCG on RecSys15, CIKM16, REDDIT).
//   - Zhou, Pan et al., "Temporal Interest Network for User Response Prediction" (TIN), WWW 2024
//     Companion: Table 1 (Logloss and GAUC, mean with the standard deviation in parentheses over five
//     runs, on Amazon and Alibaba).

// paperValue is one published number; Std is set where the paper prints one (TIN Table 1).
type paperValue struct {
	Mean   float64
	Std    float64
	HasStd bool
}

// pv and pvs build paperValues; short names keep the transcribed tables readable.
func pv(mean float64) paperValue       { return paperValue{Mean: mean} }
func pvs(mean, std float64) paperValue { return paperValue{Mean: mean, Std: std, HasStd: true} }

// paperKey addresses one published cell: the model's registry name, the paper dataset key (see
// paperDataset.Key) and the record unit.
type paperKey struct{ Model, Dataset, Unit string }

// method is one row of a paper table: the registry name the row's results are recorded under and
// the name the paper prints. InPaper is false for tibench's reference floors.
type method struct {
	Model   string
	Name    string
	InPaper bool
}

// paperDataset is one dataset column of a paper table. Key is what a tibench dataset name maps to
// (lower case, the "synth-" prefix and "-small" suffix removed); Name is how the paper prints it.
type paperDataset struct{ Key, Name string }

// jodieMethods are the rows of JODIE Tables 3 and 4 in the paper's order (Table 4 has no CTDNE),
// followed by tibench's reference floors, which the paper does not have.
var (
	jodieBaselines = []method{
		{"lstm", "LSTM", true},
		{"timelstm", "Time-LSTM", true},
		{"rrn", "RRN", true},
		{"latentcross", "LatentCross", true},
		{"ctdne", "CTDNE", true},
		{"deepcoevolve", "DeepCoevolve", true},
		{"jodie", "JODIE", true},
	}
	referenceFloors = []method{
		{"popularity", "Popularity", false},
		{"repeatlast", "Repeat-last", false},
		{"crnn", "CRNN", false},
	}
)

// notInPaper copies methods, marking model as absent from the paper's table (its row still shows
// tibench's numbers).
func notInPaper(methods []method, model string) []method {
	out := slices.Clone(methods)
	for i := range out {
		if out[i].Model == model {
			out[i].InPaper = false
		}
	}
	return out
}

// jodieTable3 is JODIE Table 3 (future interaction prediction): MRR and Recall@10.
var jodieTable3 = map[paperKey]paperValue{
	{"lstm", "reddit", "MRR"}: pv(0.355), {"lstm", "reddit", "recall@10"}: pv(0.551),
	{"lstm", "wikipedia", "MRR"}: pv(0.329), {"lstm", "wikipedia", "recall@10"}: pv(0.455),
	{"lstm", "lastfm", "MRR"}: pv(0.062), {"lstm", "lastfm", "recall@10"}: pv(0.119),

	{"timelstm", "reddit", "MRR"}: pv(0.387), {"timelstm", "reddit", "recall@10"}: pv(0.573),
	{"timelstm", "wikipedia", "MRR"}: pv(0.247), {"timelstm", "wikipedia", "recall@10"}: pv(0.342),
	{"timelstm", "lastfm", "MRR"}: pv(0.068), {"timelstm", "lastfm", "recall@10"}: pv(0.137),

	{"rrn", "reddit", "MRR"}: pv(0.603), {"rrn", "reddit", "recall@10"}: pv(0.747),
	{"rrn", "wikipedia", "MRR"}: pv(0.522), {"rrn", "wikipedia", "recall@10"}: pv(0.617),
	{"rrn", "lastfm", "MRR"}: pv(0.089), {"rrn", "lastfm", "recall@10"}: pv(0.182),

	{"latentcross", "reddit", "MRR"}: pv(0.421), {"latentcross", "reddit", "recall@10"}: pv(0.588),
	{"latentcross", "wikipedia", "MRR"}: pv(0.424), {"latentcross", "wikipedia", "recall@10"}: pv(0.481),
	{"latentcross", "lastfm", "MRR"}: pv(0.148), {"latentcross", "lastfm", "recall@10"}: pv(0.227),

	{"ctdne", "reddit", "MRR"}: pv(0.165), {"ctdne", "reddit", "recall@10"}: pv(0.257),
	{"ctdne", "wikipedia", "MRR"}: pv(0.035), {"ctdne", "wikipedia", "recall@10"}: pv(0.056),
	{"ctdne", "lastfm", "MRR"}: pv(0.01), {"ctdne", "lastfm", "recall@10"}: pv(0.01),

	{"deepcoevolve", "reddit", "MRR"}: pv(0.171), {"deepcoevolve", "reddit", "recall@10"}: pv(0.275),
	{"deepcoevolve", "wikipedia", "MRR"}: pv(0.515), {"deepcoevolve", "wikipedia", "recall@10"}: pv(0.563),
	{"deepcoevolve", "lastfm", "MRR"}: pv(0.019), {"deepcoevolve", "lastfm", "recall@10"}: pv(0.039),

	{"jodie", "reddit", "MRR"}: pv(0.726), {"jodie", "reddit", "recall@10"}: pv(0.852),
	{"jodie", "wikipedia", "MRR"}: pv(0.746), {"jodie", "wikipedia", "recall@10"}: pv(0.822),
	{"jodie", "lastfm", "MRR"}: pv(0.195), {"jodie", "lastfm", "recall@10"}: pv(0.307),
}

// improvementKey addresses a published "% improvement" cell: paper dataset key and unit.
type improvementKey struct{ Dataset, Unit string }

// jodieTable3Improvement is Table 3's "% Improvement" row as printed. The printed values are
// 100 × (JODIE − best baseline), i.e. percentage points, not relative gains: Reddit MRR
// 0.726 − 0.603 = 0.123 is printed "12.3%" (relative it would be 20.4%); every cell of Tables 3
// and 4 checks out this way.
var jodieTable3Improvement = map[improvementKey]float64{
	{"reddit", "MRR"}: 12.3, {"reddit", "recall@10"}: 10.5,
	{"wikipedia", "MRR"}: 22.4, {"wikipedia", "recall@10"}: 20.5,
	{"lastfm", "MRR"}: 4.7, {"lastfm", "recall@10"}: 8.0,
}

// jodieTable4 is JODIE Table 4 (user state change prediction): test AUC.
var jodieTable4 = map[paperKey]paperValue{
	{"lstm", "reddit", "AUC"}: pv(0.523), {"lstm", "wikipedia", "AUC"}: pv(0.575), {"lstm", "mooc", "AUC"}: pv(0.686),
	{"timelstm", "reddit", "AUC"}: pv(0.556), {"timelstm", "wikipedia", "AUC"}: pv(0.671), {"timelstm", "mooc", "AUC"}: pv(0.711),
	{"rrn", "reddit", "AUC"}: pv(0.586), {"rrn", "wikipedia", "AUC"}: pv(0.804), {"rrn", "mooc", "AUC"}: pv(0.558),
	{"latentcross", "reddit", "AUC"}: pv(0.574), {"latentcross", "wikipedia", "AUC"}: pv(0.628), {"latentcross", "mooc", "AUC"}: pv(0.686),
	{"deepcoevolve", "reddit", "AUC"}: pv(0.577), {"deepcoevolve", "wikipedia", "AUC"}: pv(0.663), {"deepcoevolve", "mooc", "AUC"}: pv(0.671),
	{"jodie", "reddit", "AUC"}: pv(0.599), {"jodie", "wikipedia", "AUC"}: pv(0.831), {"jodie", "mooc", "AUC"}: pv(0.756),
}

// jodieTable4Improvement is Table 4's "Improvement over best baseline" row (percentage points, as
// in Table 3: Reddit 0.599 − 0.586 = 1.3).
var jodieTable4Improvement = map[improvementKey]float64{
	{"reddit", "AUC"}: 1.3, {"wikipedia", "AUC"}: 2.7, {"mooc", "AUC"}: 4.5,
}

// Table 5 of JODIE: minutes per training epoch on Reddit with and without t-Batch (one NVIDIA
// Titan X Pascal GPU). The speed-ups the text quotes (8.5× JODIE, 7.4× DeepCoevolve) are these
// ratios rounded.
var (
	jodieTable5Methods = []method{
		{"deepcoevolve", "DeepCoevolve", true},
		{"jodie", "JODIE", true},
	}
	// keyed by model, then tbatch variant value ("off" = without t-Batch, "on" = with).
	jodieTable5 = map[string]map[string]float64{
		"deepcoevolve": {"off": 47.21, "on": 6.35},
		"jodie":        {"off": 43.53, "on": 5.13},
	}
)

// JUMP Tables 2 and 3. Registry names are tibench's; the paper's GRU is GRU4Rec (Hidasi et al.
// 2015), IGRU is GRU4Rec with top-k gains (Hidasi and Karatzoglou 2017), and the row Table 3 prints
// as "DTGU" is DTGRU (Li et al. 2016 in the text).
var (
	jumpTable2Methods = []method{
		{"atrp", "ATRP", true},
		{"rmtp", "RMTP", true},
		{"nsr", "NSR", true},
		{"jump", "JUMP", true},
	}
	jumpTable3Methods = []method{
		{"gru4rec", "GRU (GRU4Rec)", true},
		{"igru", "IGRU", true},
		{"narm", "NARM", true},
		{"dtgru", "DTGRU", true},
		{"atrp", "ATRP", true},
		{"rmtp", "RMTP", true},
		{"nsr", "NSR", true},
		{"jump", "JUMP", true},
	}
	jumpDatasets = []paperDataset{{"recsys15", "RecSys15"}, {"cikm16", "CIKM16"}, {"reddit", "REDDIT"}}
)

// jumpTable2 is JUMP Table 2: dwell-time MAE (seconds).
var jumpTable2 = map[paperKey]paperValue{
	{"atrp", "recsys15", "MAE"}: pv(95.23), {"atrp", "cikm16", "MAE"}: pv(229.84), {"atrp", "reddit", "MAE"}: pv(271.8),
	{"rmtp", "recsys15", "MAE"}: pv(289.0), {"rmtp", "cikm16", "MAE"}: pv(290.7), {"rmtp", "reddit", "MAE"}: pv(302.4),
	{"nsr", "recsys15", "MAE"}: pv(283.0), {"nsr", "cikm16", "MAE"}: pv(286.2), {"nsr", "reddit", "MAE"}: pv(225.1),
	{"jump", "recsys15", "MAE"}: pv(73.61), {"jump", "cikm16", "MAE"}: pv(180.6), {"jump", "reddit", "MAE"}: pv(185.7),
}

// jumpTable3 is JUMP Table 3: Recall@20, MRR(@20) and NDCG(@20) of the next click.
var jumpTable3 = func() map[paperKey]paperValue {
	// rows: model, then Recall, MRR, NDCG for RecSys15, CIKM16, REDDIT (the paper's column order).
	rows := []struct {
		model string
		v     [9]float64
	}{
		{"gru4rec", [9]float64{0.6020, 0.2473, 0.3267, 0.4728, 0.1258, 0.2020, 0.7433, 0.5988, 0.6144}},
		{"igru", [9]float64{0.6905, 0.2955, 0.3843, 0.5467, 0.1502, 0.2371, 0.8257, 0.7011, 0.7355}},
		{"narm", [9]float64{0.6907, 0.2969, 0.3845, 0.5694, 0.1902, 0.2853, 0.8034, 0.6955, 0.7122}},
		{"dtgru", [9]float64{0.6577, 0.3015, 0.3899, 0.3755, 0.1344, 0.1877, 0.7833, 0.6544, 0.6984}},
		{"atrp", [9]float64{0.6717, 0.2495, 0.3275, 0.3666, 0.1331, 0.1966, 0.8131, 0.6406, 0.6811}},
		{"rmtp", [9]float64{0.6716, 0.3035, 0.3941, 0.5674, 0.1786, 0.2603, 0.8143, 0.7037, 0.7198}},
		{"nsr", [9]float64{0.6691, 0.2835, 0.3715, 0.5235, 0.1554, 0.2365, 0.8235, 0.7029, 0.7311}},
		{"jump", [9]float64{0.7168, 0.3238, 0.4120, 0.6046, 0.2080, 0.3049, 0.8434, 0.7241, 0.7524}},
	}
	units := []string{"recall@20", "MRR@20", "ndcg@20"}
	m := map[paperKey]paperValue{}
	for _, r := range rows {
		for d, ds := range jumpDatasets {
			for u, unit := range units {
				m[paperKey{r.model, ds.Key, unit}] = pv(r.v[3*d+u])
			}
		}
	}
	return m
}()

// TIN Table 1. DIN' is the architecture of the DIN paper (target-aware attention only), DIN the one
// of DIN's released code; the last three rows are TIN's ablations.
var (
	tinMethods = []method{
		{"avgpool-concat", "Avg Pooling & Concat", true},
		{"avgpool-product", "Avg Pooling & Product", true},
		{"din-attn", "DIN'", true},
		{"din", "DIN", true},
		{"gru4rec-ctr", "GRU4Rec", true},
		{"sasrec", "SASRec", true},
		{"bert4rec", "BERT4Rec", true},
		{"dien", "DIEN", true},
		{"dsin", "DSIN", true},
		{"bst", "BST", true},
		{"tin", "TIN", true},
		{"tin-no-tte", "TIN w/o TTE", true},
		{"tin-no-ta", "TIN w/o TA", true},
		{"tin-no-tr", "TIN w/o TR", true},
	}
	tinDatasets = []paperDataset{{"amazon", "Amazon"}, {"alibaba", "Alibaba"}}
)

// tinTable1 is TIN Table 1: Logloss and GAUC, mean (std over five runs).
var tinTable1 = func() map[paperKey]paperValue {
	// rows: model, then Logloss, GAUC on Amazon, then Logloss, GAUC on Alibaba; each mean, std.
	rows := []struct {
		model string
		v     [8]float64
	}{
		{"avgpool-concat", [8]float64{0.4908, 1e-3, 0.8445, 2e-3, 0.1969, 1e-3, 0.6074, 5e-4}},
		{"avgpool-product", [8]float64{0.4824, 5e-4, 0.8523, 8e-4, 0.1960, 1e-3, 0.6106, 9e-4}},
		{"din-attn", [8]float64{0.4803, 9e-4, 0.8536, 4e-4, 0.1962, 1e-3, 0.6096, 6e-4}},
		{"din", [8]float64{0.4703, 2e-3, 0.8590, 1e-3, 0.1963, 1e-3, 0.6113, 4e-4}},
		{"gru4rec-ctr", [8]float64{0.4766, 2e-3, 0.8574, 2e-3, 0.1972, 1e-3, 0.6091, 4e-4}},
		{"sasrec", [8]float64{0.4837, 7e-3, 0.8497, 4e-3, 0.1959, 8e-4, 0.6091, 4e-4}},
		{"bert4rec", [8]float64{0.4833, 5e-3, 0.8501, 2e-3, 0.1961, 1e-3, 0.6096, 9e-4}},
		{"dien", [8]float64{0.4807, 8e-3, 0.8590, 1e-3, 0.1973, 9e-4, 0.6108, 6e-4}},
		{"dsin", [8]float64{0.4726, 2e-3, 0.8592, 1e-3, 0.1964, 2e-3, 0.6106, 9e-4}},
		{"bst", [8]float64{0.4850, 5e-4, 0.8500, 9e-4, 0.1959, 2e-3, 0.6096, 6e-4}},
		{"tin", [8]float64{0.4636, 3e-3, 0.8629, 9e-4, 0.1954, 2e-3, 0.6144, 4e-4}},
		{"tin-no-tte", [8]float64{0.4752, 2e-3, 0.8544, 8e-4, 0.1963, 1e-3, 0.6135, 7e-4}},
		{"tin-no-ta", [8]float64{0.4758, 3e-3, 0.8566, 1e-3, 0.1960, 7e-4, 0.6094, 8e-4}},
		{"tin-no-tr", [8]float64{0.4743, 2e-3, 0.8576, 9e-4, 0.1965, 2e-3, 0.6127, 1e-3}},
	}
	units := []string{"logloss", "GAUC"}
	m := map[paperKey]paperValue{}
	for _, r := range rows {
		for d, ds := range tinDatasets {
			for u, unit := range units {
				i := 4*d + 2*u
				m[paperKey{r.model, ds.Key, unit}] = pvs(r.v[i], r.v[i+1])
			}
		}
	}
	return m
}()

// knownNames maps registry names to the names the papers print, for figure legends and data tables.
var knownNames = func() map[string]string {
	m := map[string]string{}
	for _, list := range [][]method{jodieBaselines, referenceFloors, jumpTable3Methods, tinMethods} {
		for _, x := range list {
			if _, ok := m[x.Model]; !ok {
				m[x.Model] = x.Name
			}
		}
	}
	return m
}()

// displayName is a model's printed name ("JODIE"), or its registry name when no paper has it.
func displayName(model string) string {
	if n, ok := knownNames[model]; ok {
		return n
	}
	return model
}

// The sections' table specifications.
var (
	jodieDatasets3 = []paperDataset{{"reddit", "Reddit"}, {"wikipedia", "Wikipedia"}, {"lastfm", "LastFM"}}
	jodieDatasets4 = []paperDataset{{"reddit", "Reddit"}, {"wikipedia", "Wikipedia"}, {"mooc", "MOOC"}}

	improvementNote = " The last row compares JODIE with the best other method of the column (reference floors and models " +
		"the paper does not have included): pts = 100 × (JODIE − best other), which is what the paper's improvement row " +
		"prints although it labels it % (Table 3, Reddit MRR: 0.726 − 0.603 printed as 12.3%; relative it is 20.4%), " +
		"and in parentheses the relative gain (JODIE − best other) / best other."

	specTable3 = tableSpec{
		Name: "JODIE Table 3", Title: "future interaction prediction (MRR, Recall@10)",
		Experiment: "table3", Bench: "NextItem",
		Intro: "Rank of the true next item among all items, for each test interaction: MRR and Recall@10 on the test part " +
			"at the best validation epoch (benchmark `NextItem`, experiment `table3`). `paper` = Kumar et al., KDD 2019, Table 3." +
			improvementNote + " Which leads exist only when a model keeps learning during evaluation is shown in the " +
			"protocol-effect section below.",
		Datasets: jodieDatasets3,
		Metrics:  []metric{{"MRR", "MRR", 3}, {"recall@10", "Recall@10", 3}},
		Methods:  append(append([]method{}, jodieBaselines...), referenceFloors...),
		Paper:    jodieTable3, Proposed: "jodie", PaperImprovement: jodieTable3Improvement,
	}

	specTable4 = tableSpec{
		Name: "JODIE Table 4", Title: "user state change prediction (AUC)",
		Experiment: "table4", Bench: "StateChange",
		Intro: "ROC AUC of the predicted state-change label (ban, drop-out) of each test interaction, at the best validation " +
			"epoch (benchmark `StateChange`, experiment `table4`; 60/20/20 split). Models without their own head are read " +
			"out by a logistic regression on the dynamic user embedding. `paper` = Kumar et al., KDD 2019, Table 4 " +
			"(which has no CTDNE row)." + improvementNote,
		Datasets: jodieDatasets4,
		Metrics:  []metric{{"AUC", "AUC", 3}},
		Methods:  append(notInPaper(jodieBaselines, "ctdne"), referenceFloors...),
		Paper:    jodieTable4, Proposed: "jodie", PaperImprovement: jodieTable4Improvement,
	}

	specJump2 = tableSpec{
		Name: "JUMP Table 2", Title: "dwell-time prediction (MAE)",
		Experiment: "jump-tables", Bench: "Dwell",
		Intro: "Mean absolute error in seconds of the predicted dwell time on sessions (benchmark `Dwell`, experiment " +
			"`jump-tables`). `paper` = Zhou et al., IJCAI 2018, Table 2. Lower is better. MAE counts observed dwell times " +
			"only: a censored one (a session's last click, or a pause of at least c1 = 2000 s) is a lower bound and is not " +
			"scored; a validation or test part without an observed dwell time is an error before training, never an MAE of 0 " +
			"or NaN.",
		Datasets: jumpDatasets,
		Metrics:  []metric{{"MAE", "MAE (s)", 2}},
		Methods:  jumpTable2Methods,
		Paper:    jumpTable2,
	}

	specJump3 = tableSpec{
		Name: "JUMP Table 3", Title: "next-click prediction (Recall@20, MRR@20, NDCG@20)",
		Experiment: "jump-tables", Bench: "Dwell",
		Intro: "Rank of the next clicked item in a session: Recall@20, MRR@20 and NDCG@20 (benchmark `Dwell`, experiment " +
			"`jump-tables`). `paper` = Zhou et al., IJCAI 2018, Table 3 (its \"DTGU\" row is DTGRU). Sessions as JUMP §5.1: " +
			"clicks on items clicked fewer than 3 times are dropped, then the sessions left with one click; validation and " +
			"test clicks on items never clicked in training are kept and ranked among all items (GRU4Rec's and NARM's " +
			"preprocessing drop them instead). The run log counts all three.",
		Datasets: jumpDatasets,
		Metrics: []metric{
			{"recall@20", "Recall@20", 4}, {"MRR@20", "MRR@20", 4}, {"ndcg@20", "NDCG@20", 4},
		},
		Methods: jumpTable3Methods,
		Paper:   jumpTable3,
	}

	specTIN = tableSpec{
		Name: "TIN Table 1", Title: "CTR prediction (Logloss, GAUC)",
		Experiment: "tin-table1", Bench: "CTR",
		Intro: "Click-through-rate prediction on positives and fixed-seed random negatives (benchmark `CTR`, experiment " +
			"`tin-table1`): Logloss (lower is better), GAUC as in the TIN code (mean over users of the pairwise " +
			"positive-above-negative rate) and the impression-weighted GAUC. `paper` = Zhou, Pan et al., WWW 2024 " +
			"Companion, Table 1, mean ± std over five runs (the paper reports no impression-weighted GAUC). Users with fewer " +
			"than 3 interactions have no validation and test sample and are left out; histories keep the 50 most recent " +
			"behaviours; with a category file (`dataset.categories`), the items it does not list share one unknown category. " +
			"The run log counts all three. Every evaluated user has one positive and its negative, so GAUC skips no user.",
		Datasets: tinDatasets,
		Metrics: []metric{
			{"logloss", "Logloss", 4}, {"GAUC", "GAUC", 4}, {"GAUC-impr", "GAUC (impression-weighted)", 4},
		},
		Methods: tinMethods,
		Paper:   tinTable1,
	}

	lineFig5 = lineSpec{
		Paper: "JODIE", Fig: "Fig. 5", Title: "robustness to the training fraction",
		Intro: "Test MRR of next-item prediction (and AUC of state change where recorded) as the training fraction grows " +
			"(variant key `train=`, experiment `fig5-train-fraction`; validation and test are the next 10% each). " +
			"Cells: mean ± std over seeds (n); the figure draws the mean with ± std error bars, one line per model and " +
			"dataset. The paper shows the figure without numbers.",
		Experiment: "fig5-train-fraction", XKey: "train", XLabel: "training fraction", File: "fig5-train-fraction",
		Panels: []linePanel{
			{Bench: "NextItem", Unit: "MRR", YLabel: "MRR", Decimals: 3},
			{Bench: "StateChange", Unit: "AUC", YLabel: "AUC", Suffix: "-auc", Decimals: 3},
		},
	}

	lineFig6 = lineSpec{
		Paper: "JODIE", Fig: "Fig. 6", Title: "robustness to the embedding size",
		Intro: "Test MRR of next-item prediction as the dynamic embedding size varies (variant key `dim=`, experiment " +
			"`fig6-dimension`). Cells: mean ± std over seeds (n); the figure draws the mean with ± std error bars on a " +
			"log-scaled size axis. The paper shows the figure without numbers.",
		Experiment: "fig6-dimension", XKey: "dim", XLabel: "embedding size", LogX: true, File: "fig6-dimension",
		Panels: []linePanel{{Bench: "NextItem", Unit: "MRR", YLabel: "MRR", Decimals: 3}},
	}

	// JUMP Figs. 5 and 6 (Zhou et al., IJCAI 2018, §5.3–5.4) are images without printed numbers.
	lineJumpFig5 = lineSpec{
		Paper: "JUMP", Fig: "Fig. 5", Title: "trade-off between click and dwell-time prediction (σ)",
		Intro: "Test Recall@20 of the next click and MAE of the dwell time of JUMP as 1/σ² of its log-normal dwell model " +
			"goes from 1e-4 to 100, the paper's range (variant key `inv_sigma2=`, experiment `jump-fig5-sigma`; σ = 10, " +
			"the default, is 1/σ² = 0.01). Cells: mean ± std over seeds (n); the figures draw the mean with ± std error " +
			"bars on a log-scaled axis. The trade-off exists only because the dwell loss trains the layers the click head " +
			"shares, as it does under the default whole-session backpropagation: with `bptt: click` and `dwell_gradient: " +
			"head` (see the JUMP departures above) it would not, and Recall@20 could not depend on σ.",
		Experiment: "jump-fig5-sigma", XKey: "inv_sigma2", XLabel: "1/σ²", LogX: true, File: "jump-fig5-sigma",
		Panels: []linePanel{
			{Bench: "Dwell", Unit: "recall@20", YLabel: "Recall@20", Decimals: 4},
			{Bench: "Dwell", Unit: "MAE", YLabel: "MAE (s)", Suffix: "-mae", Decimals: 2},
		},
	}

	lineJumpFig6 = lineSpec{
		Paper: "JUMP", Fig: "Fig. 6", Title: "click prediction under different dimensions",
		Intro: "Test Recall@20 of the next click of JUMP, NARM and IGRU as the item embedding and hidden state dimension d " +
			"varies together, as in the paper (variant key `dim=`, experiment `jump-fig6-dimension`). Cells: mean ± std " +
			"over seeds (n); the figure draws the mean with ± std error bars on a log-scaled axis.",
		Experiment: "jump-fig6-dimension", XKey: "dim", XLabel: "dimension d", LogX: true, File: "jump-fig6-dimension",
		Panels: []linePanel{{Bench: "Dwell", Unit: "recall@20", YLabel: "Recall@20", Decimals: 4}},
	}
)
