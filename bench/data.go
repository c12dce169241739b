package bench

import (
	"fmt"

	"github.com/tibench/tibench/datasets"
)

// Protocol says whether parameters keep learning during evaluation.
type Protocol string

// The evaluation protocols.
const (
	// ProtocolOnline reproduces the original JODIE evaluation: the model keeps training on the
	// validation and test interactions as it streams them (the original code's evaluate script
	// calls optimizer.step() while it evaluates; issue #7 of srijankr/jodie).
	ProtocolOnline Protocol = "online"
	// ProtocolFrozen fixes parameters after training; states still follow observed interactions.
	ProtocolFrozen Protocol = "frozen"
)

// Data is everything a model may use in one run: the interaction log and the task's view of it.
// Row tasks (next-item, state-change) split the rows (Split, Time); the session task adds Sessions,
// the CTR task adds CTR. Fields a task does not use are zero.
type Data struct {
	*datasets.Dataset
	Split datasets.Split
	// Time holds per-row time deltas (normalised as Time.Norm says) and each row's previous item.
	Time     *datasets.TimeFeatures
	Task     Task
	Protocol Protocol
	// Cutoffs are the rank cutoffs k of Recall@k, NDCG@k and MRR@k (run.cutoffs); nil means the
	// task's default.
	Cutoffs []int
	// Sessions is the session task's view: sessions cut from the log, split by start time.
	Sessions *SessionView
	// CTR is the CTR task's view: leave-one-out samples with fixed-seed negatives.
	CTR *datasets.CTRSplit
	// LengthBuckets are run.length_buckets: the session and ctr tasks also score each bucket.
	LengthBuckets []LengthBucket
}

// SessionView is the session task's data: the sessions and their chronological split by start time
// (each session wholly in one part).
type SessionView struct {
	*datasets.Sessions
	Train, Val, Test []datasets.Session
	// ValUnseen and TestUnseen count the clicks of each evaluated part on items that no training
	// session clicks: kept and ranked among all items (see datasets.Sessions), reported in the run log.
	ValUnseen, TestUnseen datasets.UnseenStats
}

// Part returns the sessions of an evaluated part.
func (v *SessionView) Part(p Part) []datasets.Session {
	if p == PartValidation {
		return v.Val
	}
	return v.Test
}

// DescribeView summarises the task's view of the data in one line: what the session and CTR
// conversions read, dropped, capped and kept, every documented skip counted (issues #12, #13). The
// run log prints it for every run, and `tibench datasets stats` for the task defaults. A row task's
// view skips nothing and has no description ("").
func DescribeView(d *Data) string {
	switch {
	case d.Sessions != nil:
		v := d.Sessions
		return fmt.Sprintf("session view: %s; split %d/%d/%d sessions; items never clicked in training: validation %d (%d clicks, %d next-click targets), test %d (%d clicks, %d next-click targets), kept and ranked",
			v.Stats, len(v.Train), len(v.Val), len(v.Test),
			v.ValUnseen.Items, v.ValUnseen.Clicks, v.ValUnseen.Targets, v.TestUnseen.Items, v.TestUnseen.Clicks, v.TestUnseen.Targets)
	case d.CTR != nil:
		c := d.CTR
		cats := "no categories (one shared category row)"
		if c.Categories != nil {
			cats = fmt.Sprintf("%d categories", c.NumCategories)
			if n := d.UnknownCategoryItems(); n > 0 {
				cats += fmt.Sprintf(" (the last shared by %d items without one)", n)
			}
		}
		return fmt.Sprintf("ctr view: %s; %s", c, cats)
	}
	return ""
}

// NewData derives the split's time features and bundles everything for a row task.
func NewData(d *datasets.Dataset, split datasets.Split, norm datasets.Normalisation, task Task, protocol Protocol) (*Data, error) {
	if err := split.Validate(); err != nil {
		return nil, err
	}
	if split.N != d.Len() {
		return nil, fmt.Errorf("bench: split of %d rows for a dataset of %d", split.N, d.Len())
	}
	tf, err := datasets.ComputeTimeFeatures(d, norm, split.TrainEnd)
	if err != nil {
		return nil, err
	}
	return &Data{Dataset: d, Split: split, Time: tf, Task: task, Protocol: protocol}, nil
}

// Online reports whether models should keep learning during evaluation.
func (d *Data) Online() bool { return d.Protocol == ProtocolOnline }

// cutoffs returns the rank cutoffs of the run, or the task's default.
func (d *Data) cutoffs() []int {
	if len(d.Cutoffs) > 0 {
		return d.Cutoffs
	}
	var r RunConfig
	d.Task.Defaults(&r)
	return r.Cutoffs
}

// Needs reports whether the run's task needs capability c (a model with an optional head, such as
// JODIE's state-change head, builds it only when needed).
func (d *Data) Needs(c Capability) bool { return d.Task != nil && d.Task.Needs() == c }

// RowPrediction returns the prediction of evaluated row r (in [Split.TrainEnd, Split.TestEnd))
// with its part, user and state label filled in.
func (d *Data) RowPrediction(r int) Prediction {
	p := Prediction{Part: PartTest, Row: r, Group: d.Users[r], Label: d.Labels[r]}
	if r < d.Split.ValEnd {
		p.Part = PartValidation
	}
	return p
}

// ClickPrediction returns the prediction of click k of session s of an evaluated part, with its
// dwell time and censoring flag filled in.
func (d *Data) ClickPrediction(part Part, s, k int) Prediction {
	ss := &d.Sessions.Part(part)[s]
	return Prediction{Part: part, Row: k, Group: int32(s), Truth: ss.Dwell[k], Censored: ss.Censored[k]}
}

// CTRPrediction returns the prediction of CTR sample i of an evaluated part, with its user and
// click label filled in.
func (d *Data) CTRPrediction(part Part, i int) Prediction {
	s := d.CTRPart(part)[i]
	return Prediction{Part: part, Row: i, Group: s.User, Label: s.Label}
}

// CTRPart returns the CTR samples of an evaluated part.
func (d *Data) CTRPart(p Part) []datasets.CTRSample {
	if p == PartValidation {
		return d.CTR.Val
	}
	return d.CTR.Test
}
