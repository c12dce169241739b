package bench

import (
	"fmt"

	"github.com/tibench/tibench/datasets"
)

// Task is what a run measures.
type Task string

// The tasks (DESIGN.md, "Tasks and protocols").
const (
	// TaskNextItem ranks all items for each validation/test interaction: MRR, Recall@10, NDCG@10.
	TaskNextItem Task = "next-item"
	// TaskStateChange scores the state label of each validation/test interaction: AUC.
	TaskStateChange Task = "state-change"
)

// Protocol says whether parameters keep learning during evaluation.
type Protocol string

// The evaluation protocols.
const (
	// ProtocolOnline reproduces the original JODIE evaluation: the model keeps training on the
	// validation and test interactions as it streams them (REFERENCE-NOTES; JODIE issue #7).
	ProtocolOnline Protocol = "online"
	// ProtocolFrozen fixes parameters after training; states still follow observed interactions.
	ProtocolFrozen Protocol = "frozen"
)

// Data is everything a model may use in one run.
type Data struct {
	*datasets.Dataset
	Split datasets.Split
	// Time holds per-row time deltas (normalised as Time.Norm says) and each row's previous item.
	Time     *datasets.TimeFeatures
	Task     Task
	Protocol Protocol
}

// NewData derives the split's time features and bundles everything.
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
