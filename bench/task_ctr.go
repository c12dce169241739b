package bench

import (
	"fmt"
	"math"

	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/datasets"
)

// TaskCTR is TIN's task (Zhou, Pan et al., WWW 2024): per user, leave-one-out CTR samples (last
// positive → test, second to last → validation, the rest → training), each positive paired with one
// negative drawn once with run.ctr.negative_seed — the same negatives for every model and every
// model seed. Metrics: logloss (selection, lower is better), GAUC as the TIN code computes it (per
// user, positive scored strictly above its negative; ties count 0) and the impression-weighted GAUC
// (per-user AUC, ties 1/2, users weighted by their samples).
//
// Bad input (issue #13; the data rules are in the datasets.CTRSamples doc): users with fewer than
// run.ctr.min_interactions interactions are left out and histories are capped at
// run.ctr.max_history, both counted and printed in the run log (DescribeView). Every evaluated user
// has exactly one positive and its negative, so GAUC never has a user of one class to skip: a
// one-class user is an error (a broken split), not a skip; no user at all is ErrOneClass.
var TaskCTR Task = ctrTask{}

func init() { RegisterTask(TaskCTR) }

type ctrTask struct{}

func (ctrTask) Name() string     { return "ctr" }
func (t ctrTask) String() string { return t.Name() }
func (ctrTask) Bench() string    { return "CTR" }
func (ctrTask) Description() string {
	return "click probability of leave-one-out samples with fixed-seed negatives: logloss, GAUC (TIN Table 1)"
}
func (ctrTask) Needs() Capability { return NeedsCTRScorer }

func (ctrTask) Defaults(r *RunConfig) {
	if r.Select == "" {
		r.Select = "logloss"
	}
	if r.CTR.NegativeSeed == 0 {
		r.CTR.NegativeSeed = 1
	}
}

func (t ctrTask) Validate(r RunConfig) error {
	if r.Split != (SplitConfig{}) {
		return fmt.Errorf("%w: run.split: the ctr task splits each user's history leave-one-out; remove run.split", ErrConfig)
	}
	if len(r.Cutoffs) > 0 {
		return fmt.Errorf("%w: run.cutoffs: the ctr task ranks nothing; remove run.cutoffs", ErrConfig)
	}
	if r.CTR.MaxHistory < 0 || r.CTR.MinInteractions < 0 {
		return fmt.Errorf("%w: run.ctr: max_history %d and min_interactions %d must not be negative", ErrConfig, r.CTR.MaxHistory, r.CTR.MinInteractions)
	}
	if err := checkLengthBuckets(r); err != nil {
		return err
	}
	return checkSelection(t, r)
}

func (t ctrTask) View(d *datasets.Dataset, r RunConfig) (*Data, error) {
	cs, err := datasets.CTRSamples(d, datasets.CTRConfig{MaxHistory: r.CTR.MaxHistory, MinInteractions: r.CTR.MinInteractions, Categories: d.ItemCategories}, r.CTR.NegativeSeed)
	if err != nil {
		return nil, fmt.Errorf("run.ctr: %w", err)
	}
	return &Data{Dataset: d, Task: t, Protocol: r.Protocol, CTR: cs, LengthBuckets: r.LengthBuckets}, nil
}

// Units: logloss, GAUC and GAUC-impr, then the same for every length bucket (TIN Table 3).
func (ctrTask) Units(r RunConfig) []string {
	return bucketUnits([]string{"logloss", "GAUC", "GAUC-impr"}, r.LengthBuckets)
}

func (ctrTask) NewScorer(d *Data) Scorer {
	s := &ctrScorer{d: d}
	for _, p := range []Part{PartValidation, PartTest} {
		n := len(d.CTRPart(p))
		s.parts[p].seen = make([]bool, n)
		s.parts[p].prob = make([]float64, n)
		s.parts[p].score = make([]float64, n)
	}
	return s
}

// ctrScorer keeps each sample's predicted probability and score, by sample index.
type ctrScorer struct {
	d     *Data
	parts [3]struct {
		seen        []bool
		prob, score []float64
		n           int
	}
}

func (s *ctrScorer) Add(p Prediction) error {
	if p.Part != PartValidation && p.Part != PartTest {
		return fmt.Errorf("CTR prediction of part %v (use Data.CTRPrediction)", p.Part)
	}
	ps := &s.parts[p.Part]
	samples := s.d.CTRPart(p.Part)
	if p.Row < 0 || p.Row >= len(samples) {
		return fmt.Errorf("%s CTR sample %d: no such sample", p.Part, p.Row)
	}
	if ps.seen[p.Row] {
		return fmt.Errorf("%s CTR sample %d: predicted twice", p.Part, p.Row)
	}
	if smp := samples[p.Row]; p.Label != smp.Label || p.Group != smp.User {
		return fmt.Errorf("%s CTR sample %d: prediction says user %d label %d, the data user %d label %d (use Data.CTRPrediction)",
			p.Part, p.Row, p.Group, p.Label, smp.User, smp.Label)
	}
	if math.IsNaN(p.Score) || !(p.Prob >= 0 && p.Prob <= 1) {
		return fmt.Errorf("%s CTR sample %d: score %v, probability %v (want a number and a probability in [0, 1])", p.Part, p.Row, p.Score, p.Prob)
	}
	ps.seen[p.Row], ps.prob[p.Row], ps.score[p.Row] = true, p.Prob, p.Score
	ps.n++
	return nil
}

func (s *ctrScorer) Scores(part Part) (Scores, error) {
	ps := &s.parts[part]
	samples := s.d.CTRPart(part)
	if err := checkCount(part, ps.n, len(samples)); err != nil {
		return nil, err
	}
	sc := Scores{}
	if err := s.score(sc, part, func(int) bool { return true }, func(u string) string { return u }); err != nil {
		return nil, err
	}
	for _, b := range s.d.LengthBuckets {
		if err := s.score(sc, part, b.Contains, b.Unit); err != nil {
			return nil, fmt.Errorf("length bucket %s: %w", b, err)
		}
	}
	return sc, nil
}

// score adds the metrics of the samples whose history length passes keep to sc, under name(unit).
// No sample passing keeps sc as it was (an empty length bucket records nothing).
func (s *ctrScorer) score(sc Scores, part Part, keep func(historyLen int) bool, name func(string) string) error {
	ps := &s.parts[part]
	samples := s.d.CTRPart(part)
	var labels []bool
	var users []int32
	var pos, neg, probs, scores []float64
	for i, smp := range samples {
		if !keep(len(smp.History)) {
			continue
		}
		labels, users = append(labels, smp.Label == 1), append(users, smp.User)
		probs, scores = append(probs, ps.prob[i]), append(scores, ps.score[i])
		// Samples come as a positive immediately followed by its negative, with the same history
		// (datasets.CTRSplit), so a pair is never split by a length bucket.
		if smp.Label == 1 {
			if i+1 >= len(samples) || samples[i+1].Label != 0 || samples[i+1].User != smp.User {
				return fmt.Errorf("%s CTR sample %d: a positive without its negative after it", part, i)
			}
			pos, neg = append(pos, ps.score[i]), append(neg, ps.score[i+1])
		}
	}
	if len(labels) == 0 {
		return nil
	}
	ll, err := metrics.LogLoss(probs, labels)
	if err != nil {
		return fmt.Errorf("%s logloss: %w", part, err)
	}
	gauc, err := metrics.GAUCPairwise(pos, neg)
	if err != nil {
		return fmt.Errorf("%s GAUC: %w", part, err)
	}
	impr, err := metrics.GroupAUC(users, scores, labels, metrics.WeightImpressions)
	if err != nil {
		return fmt.Errorf("%s GAUC-impr: %w", part, err)
	}
	if impr.OneClass > 0 {
		return fmt.Errorf("%s GAUC-impr: %d of %d users have samples of one class only (every evaluated user must have a positive and its negative)",
			part, impr.OneClass, impr.OneClass+impr.Users)
	}
	sc[name("logloss")], sc[name("GAUC")], sc[name("GAUC-impr")] = ll, gauc, impr.Value
	return nil
}

// CTRRunConfig is run.ctr: how CTR samples are built. Zero means the default in each comment.
type CTRRunConfig struct {
	MaxHistory      int    `yaml:"max_history"`      // most recent behaviours in a history; default 50 (TIN's Alibaba setting)
	MinInteractions int    `yaml:"min_interactions"` // users with fewer interactions are left out; default 3
	NegativeSeed    uint64 `yaml:"negative_seed"`    // seed of the negatives, shared by every model and model seed; default 1
}
