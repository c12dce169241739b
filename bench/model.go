package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Model is what the runner needs from a benchmarked model. Models live in packages models/... and
// baselines/... and register a constructor with models.Register; the runner only sees this interface.
//
// The runner calls Init once per run, then, for each epoch, TrainEpoch followed by Evaluate.
type Model interface {
	// Init sizes the model for the data (entity counts, feature width) and draws its initial
	// parameters from seed. It is called once, before the first epoch.
	Init(d *Data, seed uint64) error
	// TrainEpoch makes one pass over the training rows d.Split [0, TrainEnd). It checks ctx between
	// batches and returns ctx.Err() when cancelled, and reports progress through p.
	TrainEpoch(ctx context.Context, d *Data, p Progress) (EpochStats, error)
	// Evaluate streams the validation then the test rows in time order from the end-of-training state.
	// For each row it reports, through sink, the prediction made before the row is revealed, then
	// reveals the row (updating states, and parameters too under the "online" protocol). Evaluate must
	// leave the model as it found it: the next TrainEpoch continues from the end-of-training state.
	Evaluate(ctx context.Context, d *Data, sink Sink) error
}

// Ranker is implemented by models that predict the next item: Evaluate reports Prediction.Rank, the
// rank of the true item among ALL items. ItemScoring names the rule, e.g. "l2" (distance to the
// predicted embedding, JODIE) or "dot" (logits); it is recorded with the results.
type Ranker interface {
	Model
	ItemScoring() string
}

// StateClassifier is implemented by models with their own state-change head: Evaluate reports
// Prediction.Score (higher means label 1 is more likely) for every evaluated row.
type StateClassifier interface {
	Model
	PredictsState()
}

// Checkpointer is implemented by models whose training can stop between two epochs and continue
// later, in another process, with bit-identical results. SaveCheckpoint writes everything the next
// TrainEpoch and Evaluate depend on: parameters, optimiser moments and step counts, dynamic states
// (user/item tables, recurrent states), the model's epoch counter and the state of every random
// source it draws from after Init. LoadCheckpoint restores it into a model built from the same
// parameters and Init-ed with the same data and seed; it fails (without partial effect on a later
// Init) on data of another shape or a corrupt stream. The runner frames, checksums and writes the
// bytes atomically; a model only serialises itself.
type Checkpointer interface {
	SaveCheckpoint(w io.Writer) error
	LoadCheckpoint(r io.Reader) error
}

// Prediction is what a model reports for one evaluated row before seeing it.
type Prediction struct {
	Row   int     // row index in the dataset
	Rank  float64 // next-item: rank of the true item among all items (1 = best; ties by the model's rule)
	Score float64 // state change: score of label 1 (JODIE: the class-1 logit); for AUC
	Prob  float64 // state change: probability of label 1 (early-warning ratios need a probability)
}

// Sink receives predictions in row order.
type Sink func(Prediction)

// EpochStats summarises one training epoch.
type EpochStats struct {
	Loss         float64 // mean training loss per interaction (model-defined)
	Interactions int     // training interactions processed
	Batches      int     // optimiser batches (t-batches for t-Batch models)
	Steps        int     // optimiser steps
}

// Progress receives training progress; the runner shows it as a bar on a terminal or as throttled
// log lines otherwise. A nil Progress is valid and reports nothing.
type Progress interface {
	// Advance reports n more interactions processed.
	Advance(n int)
}

// NoProgress discards progress.
type NoProgress struct{}

// Advance does nothing.
func (NoProgress) Advance(int) {}

// ErrNotFinite is returned (wrapped with the epoch and batch) when a model's loss becomes NaN or ±Inf.
var ErrNotFinite = fmt.Errorf("bench: training loss is not finite")

// epochTiming is the time spent in one epoch's phases.
type epochTiming struct {
	Train, Eval time.Duration
}

// FixedEpochs is implemented by models without iterative training (counting baselines): the runner
// trains exactly FixedEpochs() epochs whatever run.epochs says.
type FixedEpochs interface {
	FixedEpochs() int
}

// Configured is implemented by models that can report their resolved parameters (defaults filled
// in), which the runner writes beside the results.
type Configured interface {
	Config() any
}
