package bench

import (
	"fmt"
	"math"

	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/datasets"
)

// TaskSession is JUMP's task (Zhou et al., IJCAI 2018): in each validation/test session, after each
// click predict the dwell time on the clicked item (MAE in seconds, JUMP Table 2) and the next
// click among all items (Recall@k, MRR@k, NDCG@k; k = 20, JUMP Table 3). Sessions are cut from the
// interaction log by the gap rule (run.sessions) and split chronologically by start time.
//
// MAE counts observed dwell times only: a censored dwell (a session's last click, or one cut at c1,
// JUMP eq. 4) is a lower bound, not a truth, so no point prediction can be scored against it. The
// censoring flag still reaches every prediction (Prediction.Censored), for models' likelihoods and
// for other analyses.
//
// Bad input (issue #12; the data rules are in the datasets.Sessions doc): an evaluated part
// (validation, test) with no next click or no observed dwell time is an error before training,
// naming the data and the run.split field, so that MAE over zero clicks can never be written as 0
// or NaN (the scorer refuses it too). A length bucket without observed dwell times records no MAE,
// as an empty bucket records nothing. Items of validation and test sessions never clicked in
// training are kept and ranked among all items; SessionView counts them, and the run log prints
// the count with the session stats (DescribeView).
var TaskSession Task = sessionTask{}

func init() { RegisterTask(TaskSession) }

// Default session split: JUMP tests on the last 20% of sessions; this harness takes a validation
// part from the end of JUMP's training 80% so that epoch selection never sees the test sessions.
const (
	SessionTrain = 0.7
	SessionVal   = 0.1
	SessionTest  = 0.2
)

type sessionTask struct{}

func (sessionTask) Name() string     { return "session" }
func (t sessionTask) String() string { return t.Name() }
func (sessionTask) Bench() string    { return "Dwell" }
func (sessionTask) Description() string {
	return "after each click in a session, predict its dwell time (MAE, s) and the next click: Recall/MRR/NDCG@k (JUMP Tables 2–3)"
}
func (sessionTask) Needs() Capability { return NeedsSessionPredictor }

func (sessionTask) Defaults(r *RunConfig) {
	if r.Split.Train == 0 && r.Split.Val == 0 && r.Split.Test == 0 {
		r.Split.Train, r.Split.Val, r.Split.Test = SessionTrain, SessionVal, SessionTest
	}
	if len(r.Cutoffs) == 0 {
		r.Cutoffs = []int{20}
	}
	if r.Select == "" {
		r.Select = metrics.MRRName(r.Cutoffs[0])
	}
}

func (t sessionTask) Validate(r RunConfig) error {
	s := r.Split
	if !(s.Train > 0 && s.Val >= 0 && s.Test > 0) || math.Abs(s.Train+s.Val+s.Test-1) > 1e-9 {
		return fmt.Errorf("%w: run.split: train %v, val %v, test %v: the session task splits every session, so the fractions must be positive (val may be 0) and sum to 1",
			ErrConfig, s.Train, s.Val, s.Test)
	}
	if s.By != "" && s.By != "time" {
		return fmt.Errorf("%w: run.split.by: %q: the session task always splits by session start time", ErrConfig, s.By)
	}
	if err := checkCutoffs(r); err != nil {
		return err
	}
	if err := checkLengthBuckets(r); err != nil {
		return err
	}
	return checkSelection(t, r)
}

func (t sessionTask) View(d *datasets.Dataset, r RunConfig) (*Data, error) {
	ss, err := datasets.SessionsFromDataset(d, r.Sessions.datasetsConfig())
	if err != nil {
		return nil, err
	}
	tr, va, te, err := ss.Split(r.Split.Train, r.Split.Val)
	if err != nil {
		return nil, fmt.Errorf("run.split: %w (%s)", err, ss.Stats)
	}
	for _, p := range []struct {
		part     Part
		field    string
		frac     float64
		sessions []datasets.Session
	}{{PartValidation, "run.split.val", r.Split.Val, va}, {PartTest, "run.split.test", r.Split.Test, te}} {
		if err := scorable(d.Name, p.part, p.field, p.frac, p.sessions); err != nil {
			return nil, err
		}
	}
	v := &SessionView{Sessions: ss, Train: tr, Val: va, Test: te, ValUnseen: ss.Unseen(tr, va), TestUnseen: ss.Unseen(tr, te)}
	return &Data{Dataset: d, Task: t, Protocol: r.Protocol, Cutoffs: r.Cutoffs, Sessions: v, LengthBuckets: r.LengthBuckets}, nil
}

// scorable reports an evaluated part that has no next click or no observed dwell time: its Recall
// or MAE would be a metric over nothing. The runner selects epochs on validation, so an empty
// validation part is as fatal as an empty test part.
func scorable(name string, part Part, field string, frac float64, ss []datasets.Session) error {
	next, observed := 0, 0
	for _, s := range ss {
		next += s.Len() - 1
		for _, c := range s.Censored {
			if !c {
				observed++
			}
		}
	}
	if next > 0 && observed > 0 {
		return nil
	}
	return fmt.Errorf("session view of %q: %s: the %s part (%.4g of the sessions) has %d sessions, %d next clicks and %d observed dwell times; "+
		"Recall and MAE need at least one of each (the epoch is selected on validation, so it cannot be empty either)",
		name, field, part, frac, len(ss), next, observed)
}

// Units: MAE (Table 2), then Recall@k, MRR@k and NDCG@k for every cutoff (Table 3's order), then
// the same for every length bucket (Fig. 7).
func (sessionTask) Units(r RunConfig) []string {
	u := []string{"MAE"}
	for _, k := range r.Cutoffs {
		u = append(u, metrics.RecallName(k), metrics.MRRName(k), metrics.NDCGName(k))
	}
	return bucketUnits(u, r.LengthBuckets)
}

func (sessionTask) NewScorer(d *Data) Scorer {
	s := &sessionScorer{d: d}
	for _, p := range []Part{PartValidation, PartTest} {
		ps := &s.parts[p]
		ps.all = newSessionTally(d.cutoffs())
		for range d.LengthBuckets {
			ps.buckets = append(ps.buckets, newSessionTally(d.cutoffs()))
		}
		ps.offset = make([]int, len(d.Sessions.Part(p))+1)
		for i, ss := range d.Sessions.Part(p) {
			ps.offset[i+1] = ps.offset[i] + ss.Len()
		}
		ps.seen = make([]bool, ps.offset[len(ps.offset)-1])
	}
	return s
}

// sessionScorer accumulates next-click ranks and dwell errors, and checks that every click of
// every evaluated session is predicted exactly once.
type sessionScorer struct {
	d     *Data
	parts [3]struct {
		all     *sessionTally
		buckets []*sessionTally // by Data.LengthBuckets: clicks of sessions whose length is in the bucket
		offset  []int           // session -> index of its first click
		seen    []bool
		n       int
	}
}

// sessionTally is the metrics' state over a set of clicks.
type sessionTally struct {
	acc       *metrics.RankAccumulator
	absErr    float64
	observed  int
	nextClick int
}

func newSessionTally(cutoffs []int) *sessionTally {
	return &sessionTally{acc: metrics.NewRankAccumulator(cutoffs...)}
}

// scores returns MAE and the rank metrics under their names with suffix applied; a metric over no
// clicks is left out (and reported by the caller when the whole part has none).
func (t *sessionTally) scores(sc Scores, name func(string) string) {
	if t.observed > 0 {
		sc[name("MAE")] = t.absErr / float64(t.observed)
	}
	if t.nextClick == 0 {
		return
	}
	for _, k := range t.acc.Cutoffs() {
		sc[name(metrics.RecallName(k))] = t.acc.Recall(k)
		sc[name(metrics.MRRName(k))] = t.acc.MRRAt(k)
		sc[name(metrics.NDCGName(k))] = t.acc.NDCG(k)
	}
}

func (s *sessionScorer) Add(p Prediction) error {
	if p.Part != PartValidation && p.Part != PartTest {
		return fmt.Errorf("click prediction of part %v (use Data.ClickPrediction)", p.Part)
	}
	ps := &s.parts[p.Part]
	sessions := s.d.Sessions.Part(p.Part)
	if p.Group < 0 || int(p.Group) >= len(sessions) || p.Row < 0 || p.Row >= sessions[p.Group].Len() {
		return fmt.Errorf("%s session %d click %d: no such click", p.Part, p.Group, p.Row)
	}
	ss := &sessions[p.Group]
	at := ps.offset[p.Group] + p.Row
	if ps.seen[at] {
		return fmt.Errorf("%s session %d click %d: predicted twice", p.Part, p.Group, p.Row)
	}
	ps.seen[at] = true
	ps.n++
	if p.Truth != ss.Dwell[p.Row] || p.Censored != ss.Censored[p.Row] {
		return fmt.Errorf("%s session %d click %d: prediction says dwell %v (censored %v), the data %v (%v) (use Data.ClickPrediction)",
			p.Part, p.Group, p.Row, p.Truth, p.Censored, ss.Dwell[p.Row], ss.Censored[p.Row])
	}
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		return fmt.Errorf("%s session %d click %d: predicted dwell %v", p.Part, p.Group, p.Row, p.Value)
	}
	last := p.Row == ss.Len()-1
	if last && p.Rank != 0 {
		return fmt.Errorf("%s session %d click %d: rank %v for the last click, which has no next click (want 0)", p.Part, p.Group, p.Row, p.Rank)
	}
	if err := ps.all.add(p, last); err != nil {
		return fmt.Errorf("%s session %d click %d: %w", p.Part, p.Group, p.Row, err)
	}
	for i, b := range s.d.LengthBuckets {
		if b.Contains(ss.Len()) {
			_ = ps.buckets[i].add(p, last) // the rank passed the check just above
		}
	}
	return nil
}

func (t *sessionTally) add(p Prediction, last bool) error {
	if !last {
		if err := t.acc.Add(p.Rank); err != nil {
			return err
		}
		t.nextClick++
	}
	if !p.Censored {
		t.absErr += math.Abs(p.Value - p.Truth)
		t.observed++
	}
	return nil
}

func (s *sessionScorer) Scores(part Part) (Scores, error) {
	ps := &s.parts[part]
	if err := checkCount(part, ps.n, len(ps.seen)); err != nil {
		return nil, err
	}
	if ps.all.observed == 0 || ps.all.nextClick == 0 {
		return nil, fmt.Errorf("%s part: %d observed dwell times and %d next clicks: too few sessions to score", part, ps.all.observed, ps.all.nextClick)
	}
	sc := Scores{}
	ps.all.scores(sc, func(u string) string { return u })
	for i, b := range s.d.LengthBuckets {
		ps.buckets[i].scores(sc, b.Unit)
	}
	return sc, nil
}

// SessionConfig is run.sessions: how sessions are cut from an interaction log and how dwell times
// are censored (JUMP §3.2 and §5.1). Zero means the default in each comment.
type SessionConfig struct {
	Gap          float64 `yaml:"gap"`            // seconds; a longer pause starts a new session; default 3600 (JUMP's Reddit rule)
	C1           float64 `yaml:"c1"`             // seconds; a dwell of at least c1 is censored at c1; default 2000
	C2           float64 `yaml:"c2"`             // seconds; the censored dwell of a session's last click; default 30
	MinItemCount int     `yaml:"min_item_count"` // items clicked fewer times are dropped; default 3 (JUMP); 1 keeps all
	MinLength    int     `yaml:"min_length"`     // shorter sessions are dropped after that; default 2 (JUMP); 1 keeps all
}

func (c SessionConfig) datasetsConfig() datasets.SessionConfig {
	return datasets.SessionConfig{Gap: c.Gap, C1: c.C1, C2: c.C2, MinItemCount: c.MinItemCount, MinLength: c.MinLength}
}
