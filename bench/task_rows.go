package bench

import (
	"fmt"
	"math"

	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/datasets"
)

// The row tasks of the JODIE paper: both evaluate every validation and test row of a chronological
// row split of the interaction log.
var (
	// TaskNextItem ranks all items for each validation/test interaction: MRR, Recall@k, NDCG@k
	// (JODIE Table 3; k = 10).
	TaskNextItem Task = nextItemTask{}
	// TaskStateChange scores the state label of each validation/test interaction: AUC (JODIE
	// Table 4; 60/20/20 split).
	TaskStateChange Task = stateChangeTask{}
)

func init() {
	RegisterTask(TaskNextItem)
	RegisterTask(TaskStateChange)
}

// rowTask is the data view and validation shared by the row tasks.
type rowTask struct{}

func (rowTask) view(d *datasets.Dataset, r RunConfig, t Task) (*Data, error) {
	split, err := SplitFor(d, r)
	if err != nil {
		return nil, err
	}
	data, err := NewData(d, split, r.Normalisation, t, r.Protocol)
	if err != nil {
		return nil, err
	}
	data.Cutoffs = r.Cutoffs
	return data, nil
}

func (rowTask) defaults(r *RunConfig, train, val, test float64) {
	if r.Split.Train == 0 && r.Split.Val == 0 && r.Split.Test == 0 {
		r.Split.Train, r.Split.Val, r.Split.Test = train, val, test
	}
	if r.Split.By == "" {
		r.Split.By = "rows"
	}
}

func (rowTask) validate(r RunConfig) error {
	if len(r.LengthBuckets) > 0 {
		return fmt.Errorf("%w: run.length_buckets: the row tasks score single interactions, which have no sequence length; remove it", ErrConfig)
	}
	if r.Split.By != "rows" && r.Split.By != "time" {
		return fmt.Errorf("%w: run.split.by: %q is not one of rows, time", ErrConfig, r.Split.By)
	}
	if _, err := datasets.SplitFractions(1000, r.Split.Train, r.Split.Val, r.Split.Test); err != nil {
		return fmt.Errorf("%w: run.split: train %v, val %v, test %v: fractions must be in [0,1] and sum to at most 1",
			ErrConfig, r.Split.Train, r.Split.Val, r.Split.Test)
	}
	return nil
}

// SplitFor cuts d as the run configuration says (rows or time quantiles).
func SplitFor(d *datasets.Dataset, r RunConfig) (datasets.Split, error) {
	if r.Split.By == "time" {
		return datasets.SplitByTime(d, r.Split.Train, r.Split.Val, r.Split.Test)
	}
	return datasets.SplitFractions(d.Len(), r.Split.Train, r.Split.Val, r.Split.Test)
}

type nextItemTask struct{ rowTask }

func (nextItemTask) Name() string     { return "next-item" }
func (t nextItemTask) String() string { return t.Name() }
func (nextItemTask) Bench() string    { return "NextItem" }
func (nextItemTask) Description() string {
	return "rank all items for each validation/test interaction: MRR, Recall@k, NDCG@k (JODIE Table 3)"
}
func (nextItemTask) Needs() Capability { return NeedsRanker }

func (t nextItemTask) Defaults(r *RunConfig) {
	t.defaults(r, datasets.NextItemTrain, datasets.NextItemVal, datasets.NextItemTest)
	if len(r.Cutoffs) == 0 {
		r.Cutoffs = []int{10}
	}
	if r.Select == "" {
		r.Select = "MRR"
	}
}

func (t nextItemTask) Validate(r RunConfig) error {
	if err := t.validate(r); err != nil {
		return err
	}
	if err := checkCutoffs(r); err != nil {
		return err
	}
	return checkSelection(t, r)
}

func (t nextItemTask) View(d *datasets.Dataset, r RunConfig) (*Data, error) {
	return t.rowTask.view(d, r, t)
}

// Units: MRR, then Recall@k for every cutoff, then NDCG@k (JODIE's code reports MRR and Recall@10).
func (nextItemTask) Units(r RunConfig) []string {
	u := []string{"MRR"}
	for _, k := range r.Cutoffs {
		u = append(u, metrics.RecallName(k))
	}
	for _, k := range r.Cutoffs {
		u = append(u, metrics.NDCGName(k))
	}
	return u
}

func (nextItemTask) NewScorer(d *Data) Scorer {
	cut := d.cutoffs()
	return &rankScorer{d: d, acc: [3]*metrics.RankAccumulator{nil, metrics.NewRankAccumulator(cut...), metrics.NewRankAccumulator(cut...)}}
}

// rankScorer accumulates one rank per evaluated row.
type rankScorer struct {
	d   *Data
	acc [3]*metrics.RankAccumulator // by Part
}

func (s *rankScorer) Add(p Prediction) error {
	if err := s.d.checkRow(p); err != nil {
		return err
	}
	if err := s.acc[p.Part].Add(p.Rank); err != nil {
		return fmt.Errorf("row %d: %w", p.Row, err)
	}
	return nil
}

func (s *rankScorer) Scores(part Part) (Scores, error) {
	a := s.acc[part]
	if err := checkCount(part, a.Count(), s.d.rowsIn(part)); err != nil {
		return nil, err
	}
	sc := Scores{"MRR": a.MRR()}
	for _, k := range a.Cutoffs() {
		sc[metrics.RecallName(k)] = a.Recall(k)
		sc[metrics.NDCGName(k)] = a.NDCG(k)
	}
	return sc, nil
}

type stateChangeTask struct{ rowTask }

func (stateChangeTask) Name() string     { return "state-change" }
func (t stateChangeTask) String() string { return t.Name() }
func (stateChangeTask) Bench() string    { return "StateChange" }
func (stateChangeTask) Description() string {
	return "score the state label (ban, drop-out) of each validation/test interaction: AUC (JODIE Table 4)"
}
func (stateChangeTask) Needs() Capability { return NeedsStateClassifier }

func (t stateChangeTask) Defaults(r *RunConfig) {
	t.defaults(r, datasets.StateChangeTrain, datasets.StateChangeVal, datasets.StateChangeTest)
	if r.Select == "" {
		r.Select = "AUC"
	}
}

func (t stateChangeTask) Validate(r RunConfig) error {
	if err := t.validate(r); err != nil {
		return err
	}
	return checkSelection(t, r)
}

func (t stateChangeTask) View(d *datasets.Dataset, r RunConfig) (*Data, error) {
	return t.rowTask.view(d, r, t)
}

func (stateChangeTask) Units(RunConfig) []string { return []string{"AUC"} }

func (stateChangeTask) NewScorer(d *Data) Scorer { return &aucScorer{d: d} }

// aucScorer collects each evaluated row's score and true label.
type aucScorer struct {
	d      *Data
	scores [3][]float64
	labels [3][]bool
}

func (s *aucScorer) Add(p Prediction) error {
	if err := s.d.checkRow(p); err != nil {
		return err
	}
	if math.IsNaN(p.Score) {
		return fmt.Errorf("row %d: state-change score is NaN", p.Row)
	}
	s.scores[p.Part] = append(s.scores[p.Part], p.Score)
	s.labels[p.Part] = append(s.labels[p.Part], p.Label == 1)
	return nil
}

func (s *aucScorer) Scores(part Part) (Scores, error) {
	if err := checkCount(part, len(s.scores[part]), s.d.rowsIn(part)); err != nil {
		return nil, err
	}
	auc, err := metrics.AUC(s.scores[part], s.labels[part])
	if err != nil {
		return nil, fmt.Errorf("%s AUC: %w", part, err)
	}
	return Scores{"AUC": auc}, nil
}

// checkRow checks that a row prediction names an evaluated row of its part with the data's truth.
func (d *Data) checkRow(p Prediction) error {
	lo, hi := d.Split.TrainEnd, d.Split.ValEnd
	if p.Part == PartTest {
		lo, hi = d.Split.ValEnd, d.Split.TestEnd
	} else if p.Part != PartValidation {
		return fmt.Errorf("row %d: prediction of part %v (use Data.RowPrediction)", p.Row, p.Part)
	}
	if p.Row < lo || p.Row >= hi {
		return fmt.Errorf("row %d: not in the %s part [%d, %d)", p.Row, p.Part, lo, hi)
	}
	if p.Label != d.Labels[p.Row] || p.Group != d.Users[p.Row] {
		return fmt.Errorf("row %d: prediction says user %d label %d, the data user %d label %d (use Data.RowPrediction)",
			p.Row, p.Group, p.Label, d.Users[p.Row], d.Labels[p.Row])
	}
	return nil
}

// rowsIn is the number of rows of an evaluated part.
func (d *Data) rowsIn(p Part) int {
	if p == PartValidation {
		return d.Split.ValLen()
	}
	return d.Split.TestLen()
}

func checkCount(part Part, got, want int) error {
	if got != want {
		return fmt.Errorf("model reported %d %s predictions for %d", got, part, want)
	}
	return nil
}
