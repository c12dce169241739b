package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Sentinel errors. Returned errors wrap one of them and name the function and the offending index.
var (
	ErrLength   = errors.New("metrics: length mismatch")
	ErrEmpty    = errors.New("metrics: no values")
	ErrNaN      = errors.New("metrics: NaN value")
	ErrRange    = errors.New("metrics: value out of range")
	ErrOneClass = errors.New("metrics: only one class present")
)

// Metric describes one unit a result can carry — an evaluation metric or a timing — and its
// direction.
type Metric struct {
	// Name as it appears in results: "MRR", "recall@10", "ndcg@10", "MRR@20", "AUC", "MAE", "GAUC",
	// "GAUC-impr", "logloss", "sec/epoch", ...
	Name string
	// HigherIsBetter is the direction that epoch selection, benchstat, the regression checker and
	// the report compare in.
	HigherIsBetter bool
	// Description is one line for `tibench list` and table footnotes.
	Description string
	// Timing marks units that measure the machine, not the model: never a selection metric.
	Timing bool
}

// Better returns "higher" or "lower", the value of a benchfmt `Unit <name> better=...` key.
func (m Metric) Better() string {
	if m.HigherIsBetter {
		return "higher"
	}
	return "lower"
}

// Result is one metric value, as the results layer writes it.
type Result struct {
	Name  string
	Value float64
}

// The table: the only place a unit's direction is written. "recall@k", "ndcg@k" and "MRR@k" stand
// for the whole families recall@1, recall@10, ...
var metricTable = []Metric{
	{"MRR", true, "mean reciprocal rank of the true item among all items", false},
	{"MRR@k", true, "mean reciprocal rank, 0 for ranks worse than k (JUMP's MRR@20)", false},
	{"recall@k", true, "share of queries whose true item ranks k or better among all items", false},
	{"ndcg@k", true, "mean 1/log2(rank+1) of the true item, 0 when its rank is worse than k", false},
	{"AUC", true, "area under the ROC curve (Mann-Whitney: tied scores count 1/2)", false},
	{"GAUC", true, "TIN code's GAUC: share of users whose positive outscores their negative (ties wrong)", false},
	{"GAUC-impr", true, "per-user AUC averaged with weights = impressions (samples) per user", false},
	{"logloss", false, "binary cross-entropy of clipped probabilities, eps 1e-7", false},
	{"MAE", false, "mean absolute error", false},
	{"interactions/s", true, "training throughput", true},
	{"speedup", true, "ratio of two training times", true},
	{"sec/epoch", false, "mean training time of one epoch", true},
	{"sec/eval", false, "mean time of one validation+test evaluation", true},
	{"min/epoch", false, "training time of one epoch in minutes (the papers' unit)", true},
	{"epochs", false, "epochs trained up to the selected one", true},
}

// Metrics returns the unit table (a copy), with "recall@k", "ndcg@k" and "MRR@k" as family entries.
func Metrics() []Metric { return slices.Clone(metricTable) }

// Lookup returns the unit called name, resolving "recall@K", "ndcg@K" and "MRR@K" for any K >= 1.
// An unknown name is an error listing the valid ones.
func Lookup(name string) (Metric, error) {
	if base, bucket, ok := strings.Cut(name, byLengthSep); ok {
		m, err := Lookup(base)
		if err != nil {
			return Metric{}, err
		}
		if m.Timing || bucket == "" || strings.ContainsAny(bucket, "/ \t") {
			return Metric{}, fmt.Errorf("metrics: %q: want a model metric restricted to a length bucket, e.g. recall@20%s2-6", name, byLengthSep)
		}
		m.Name, m.Description = name, m.Description+" (sequences of length "+bucket+" only)"
		return m, nil
	}
	if fam, k, ok := strings.Cut(name, "@"); ok && (fam == "recall" || fam == "ndcg" || fam == "MRR") {
		n, err := strconv.Atoi(k)
		if err != nil || n < 1 || strconv.Itoa(n) != k {
			return Metric{}, fmt.Errorf("metrics: %q: cutoff %q is not a positive integer", name, k)
		}
		m := metricTable[slices.IndexFunc(metricTable, func(m Metric) bool { return m.Name == fam+"@k" })]
		m.Name = name
		return m, nil
	}
	for _, m := range metricTable {
		if m.Name == name {
			return m, nil
		}
	}
	names := make([]string, len(metricTable))
	for i, m := range metricTable {
		names[i] = m.Name
	}
	return Metric{}, fmt.Errorf("metrics: unknown metric %q (valid: %s)", name, strings.Join(names, ", "))
}

// Worse returns how much worse current is than base in the unit's direction (negative when it is
// better), for regression tolerances. unit must be known to Lookup.
func Worse(unit string, base, current float64) (float64, error) {
	m, err := Lookup(unit)
	if err != nil {
		return 0, err
	}
	if m.HigherIsBetter {
		return base - current, nil
	}
	return current - base, nil
}

// Improves reports whether v is strictly better than best in the unit's direction, for selecting
// the best epoch. unit must be known to Lookup.
func Improves(unit string, v, best float64) (bool, error) {
	w, err := Worse(unit, best, v)
	return w < 0, err
}

// byLengthSep joins a metric and a length bucket in a unit name.
const byLengthSep = "/len="

// ByLengthName is the unit of metric restricted to the sequences whose length is in bucket (written
// "2-6" or "151-"), e.g. "recall@20/len=2-6": JUMP Fig. 7's and TIN Table 3's breakdowns. Lookup
// gives it the metric's direction.
func ByLengthName(metric, bucket string) string { return metric + byLengthSep + bucket }

// RecallName is the result name of Recall@k, e.g. "recall@10".
func RecallName(k int) string { return "recall@" + strconv.Itoa(k) }

// MRRName is the result name of MRR@k, e.g. "MRR@20".
func MRRName(k int) string { return "MRR@" + strconv.Itoa(k) }

// NDCGName is the result name of NDCG@k, e.g. "ndcg@10".
func NDCGName(k int) string { return "ndcg@" + strconv.Itoa(k) }

// checkLen reports ErrLength when two parallel inputs differ and ErrEmpty when they are empty.
func checkLen(fn, an string, a int, bn string, b int) error {
	if a != b {
		return fmt.Errorf("%s: %d %s but %d %s: %w", fn, a, an, b, bn, ErrLength)
	}
	if a == 0 {
		return fmt.Errorf("%s: %w", fn, ErrEmpty)
	}
	return nil
}

// checkNaN names the first NaN in xs: a NaN score is a model bug, never something to skip.
func checkNaN(fn, what string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) {
			return fmt.Errorf("%s: %s %d is NaN: %w", fn, what, i, ErrNaN)
		}
	}
	return nil
}

// checkFinite is checkNaN that also rejects ±Inf (ErrRange), for quantities that are averaged.
func checkFinite(fn, what string, xs []float64) error {
	if err := checkNaN(fn, what, xs); err != nil {
		return err
	}
	for i, x := range xs {
		if math.IsInf(x, 0) {
			return fmt.Errorf("%s: %s %d is %v: %w", fn, what, i, x, ErrRange)
		}
	}
	return nil
}

// AUC returns the area under the ROC curve of scores (higher means more likely positive) against
// labels. Tied scores count 1/2, so the value equals the Mann–Whitney statistic
// U/(#positives·#negatives) and sklearn.metrics.roc_auc_score. The curve comes from gonum's
// stat.ROC, which cuts at every distinct score, so a run of tied scores is one diagonal segment
// whose trapezoid contributes exactly the 1/2 credit. It is an error (ErrOneClass) when all labels
// are equal, and an error naming the index for a NaN score; ±Inf scores are allowed.
func AUC(scores []float64, labels []bool) (float64, error) {
	if err := checkLen("metrics: AUC", "scores", len(scores), "labels", len(labels)); err != nil {
		return 0, err
	}
	if err := checkNaN("metrics: AUC", "score", scores); err != nil {
		return 0, err
	}
	pos := 0
	for _, l := range labels {
		if l {
			pos++
		}
	}
	if pos == 0 || pos == len(labels) {
		return 0, fmt.Errorf("metrics: AUC: %d positives among %d samples: %w", pos, len(labels), ErrOneClass)
	}
	y, cls := slices.Clone(scores), slices.Clone(labels)
	stat.SortWeightedLabeled(y, cls, nil)
	return aucSorted(y, cls), nil
}

// aucSorted is AUC on scores already sorted ascending (with their labels), both classes present.
// It overwrites y.
func aucSorted(y []float64, cls []bool) float64 {
	// AUC depends only on the order of the scores, so replace them by dense ranks 0, 1, 2, ...
	// (equal scores keep equal ranks). stat.ROC appends +Inf as its last cutoff and a +Inf score
	// collides with it (scores 1, +Inf, +Inf labelled -, +, - come out 0.5 instead of 0.75); ranks
	// are always finite.
	r, prev := 0.0, y[0]
	for i, v := range y {
		if v != prev {
			r++
			prev = v
		}
		y[i] = r
	}
	tpr, fpr, _ := stat.ROC(nil, y, cls, nil)
	return trapezoid(fpr, tpr)
}

// trapezoid integrates f over x with the trapezoidal rule. gonum's own ROC example uses
// integrate.Trapezoidal; this is the same rule without the extra package.
func trapezoid(x, f []float64) float64 {
	var s float64
	for i := 1; i < len(x); i++ {
		s += (x[i] - x[i-1]) * (f[i] + f[i-1]) / 2
	}
	return s
}

// GAUCPairwise is GAUC as computed by the TIN reference code (zhouxy1003/TIN): every user has one
// positive and one negative sample, pos[u] and neg[u] are their scores, and the result is the share
// of users with pos[u] > neg[u]. A tie counts as wrong (strict comparison, as that code), unlike
// in AUC. Result name "GAUC".
func GAUCPairwise(pos, neg []float64) (float64, error) {
	const fn = "metrics: GAUCPairwise"
	if err := checkLen(fn, "positive scores", len(pos), "negative scores", len(neg)); err != nil {
		return 0, err
	}
	if err := checkNaN(fn, "positive score", pos); err != nil {
		return 0, err
	}
	if err := checkNaN(fn, "negative score", neg); err != nil {
		return 0, err
	}
	right := 0
	for u, p := range pos {
		if p > neg[u] {
			right++
		}
	}
	return float64(right) / float64(len(pos)), nil
}

// GAUCWeighting chooses the user weights of GAUCImpression.
type GAUCWeighting int

const (
	// WeightImpressions weights each user's AUC by the user's number of samples (impressions), the
	// GAUC of the DIN paper (Zhou et al., KDD'18). The default; result name "GAUC-impr".
	WeightImpressions GAUCWeighting = iota
	// WeightPositives weights each user's AUC by the user's number of positive samples, as RecBole's
	// gauc_ does.
	WeightPositives
)

func (w GAUCWeighting) String() string {
	switch w {
	case WeightImpressions:
		return "impressions"
	case WeightPositives:
		return "positives"
	}
	return "GAUCWeighting(" + strconv.Itoa(int(w)) + ")"
}

// GAUCImpression is the group AUC: the AUC of each user's samples (ties count 1/2, as AUC), averaged
// over users with the weights w selects. Users whose samples are all positive or all negative have no
// AUC and are skipped, as RecBole does; their samples do not count in the weights either
// (GroupAUC also says how many were skipped). It is an error (ErrOneClass) when no user has both
// classes. users, scores and labels are parallel, one entry per sample, in any order.
func GAUCImpression(users []int32, scores []float64, labels []bool, w GAUCWeighting) (float64, error) {
	g, err := GroupAUC(users, scores, labels, w)
	return g.Value, err
}

// GAUC is GroupAUC's result: the value and an account of the users behind it.
type GAUC struct {
	Value float64
	// Users is the number of users averaged: those with both a positive and a negative sample.
	Users int
	// OneClass counts the users skipped because all their samples have one label. A caller whose
	// data guarantees both classes per user (the ctr task: every evaluated user has one positive
	// and its negative) should treat a non-zero count as an error; others should report it.
	OneClass int
}

// GroupAUC is GAUCImpression with the count of the users it averaged and skipped. All users having
// one class is an error (ErrOneClass) naming how many users there were, never a value.
func GroupAUC(users []int32, scores []float64, labels []bool, w GAUCWeighting) (GAUC, error) {
	const fn = "metrics: GAUCImpression"
	if err := checkLen(fn, "users", len(users), "scores", len(scores)); err != nil {
		return GAUC{}, err
	}
	if err := checkLen(fn, "scores", len(scores), "labels", len(labels)); err != nil {
		return GAUC{}, err
	}
	if err := checkNaN(fn, "score", scores); err != nil {
		return GAUC{}, err
	}
	if w != WeightImpressions && w != WeightPositives {
		panic(fmt.Sprintf("metrics: GAUCImpression: invalid weighting %d", int(w)))
	}
	type sample struct {
		user  int32
		score float64
		label bool
	}
	s := make([]sample, len(users))
	for i := range users {
		s[i] = sample{users[i], scores[i], labels[i]}
	}
	// One sort groups users and orders each user's scores, ready for aucSorted.
	slices.SortFunc(s, func(a, b sample) int {
		if c := cmp.Compare(a.user, b.user); c != 0 {
			return c
		}
		return cmp.Compare(a.score, b.score)
	})
	y := make([]float64, 0, len(s))
	cls := make([]bool, 0, len(s))
	var g GAUC
	var sum, wsum float64
	for lo := 0; lo < len(s); {
		hi, pos := lo, 0
		for ; hi < len(s) && s[hi].user == s[lo].user; hi++ {
			if s[hi].label {
				pos++
			}
		}
		n := hi - lo
		if pos > 0 && pos < n {
			y, cls = y[:0], cls[:0]
			for _, x := range s[lo:hi] {
				y = append(y, x.score)
				cls = append(cls, x.label)
			}
			wt := float64(n)
			if w == WeightPositives {
				wt = float64(pos)
			}
			sum += wt * aucSorted(y, cls)
			wsum += wt
			g.Users++
		} else {
			g.OneClass++
		}
		lo = hi
	}
	if g.Users == 0 {
		return g, fmt.Errorf("%s: none of the %d users has both positive and negative samples: %w", fn, g.OneClass, ErrOneClass)
	}
	g.Value = sum / wsum
	return g, nil
}

// LogLossEps is the clipping bound of LogLoss: probabilities are clipped to [eps, 1-eps]. 1e-7 is
// Keras/TensorFlow's backend epsilon, which tf.keras binary_crossentropy clips with; RecBole's
// log_loss_ and scikit-learn before 1.3 use 1e-15, later scikit-learn the dtype's machine epsilon.
const LogLossEps = 1e-7

// LogLoss is the mean binary cross-entropy −[y·ln p + (1−y)·ln(1−p)] of probabilities probs (of the
// positive class) against labels, with p clipped to [LogLossEps, 1−LogLossEps] so that a confident
// mistake costs at most −ln(1e-7) ≈ 16.1. A probability outside [0, 1] or NaN is an error naming
// its index.
func LogLoss(probs []float64, labels []bool) (float64, error) {
	const fn = "metrics: LogLoss"
	if err := checkLen(fn, "probabilities", len(probs), "labels", len(labels)); err != nil {
		return 0, err
	}
	if err := checkNaN(fn, "probability", probs); err != nil {
		return 0, err
	}
	var s float64
	for i, p := range probs {
		if p < 0 || p > 1 {
			return 0, fmt.Errorf("%s: probability %d is %v, outside [0, 1]: %w", fn, i, p, ErrRange)
		}
		p = min(max(p, LogLossEps), 1-LogLossEps)
		if labels[i] {
			s -= math.Log(p)
		} else {
			s -= math.Log1p(-p)
		}
	}
	return s / float64(len(probs)), nil
}

// MAE is the mean absolute error between pred and actual. NaN or ±Inf in either is an error naming
// the index.
func MAE(pred, actual []float64) (float64, error) {
	const fn = "metrics: MAE"
	if err := checkLen(fn, "predictions", len(pred), "actual values", len(actual)); err != nil {
		return 0, err
	}
	if err := checkFinite(fn, "prediction", pred); err != nil {
		return 0, err
	}
	if err := checkFinite(fn, "actual value", actual); err != nil {
		return 0, err
	}
	var s float64
	for i, p := range pred {
		s += math.Abs(p - actual[i])
	}
	return s / float64(len(pred)), nil
}
