package bench

import (
	"context"
	"fmt"
	"io"
)

// Model is what the runner needs from a benchmarked model. Models live in packages models/... and
// baselines/... and register a constructor with models.Register; the runner only sees this interface
// and the optional capabilities below, checked by type assertion.
//
// The runner calls Init once per run, then, for each epoch, TrainEpoch followed by Evaluate.
type Model interface {
	// Init sizes the model for the data (entity counts, feature width) and draws its initial
	// parameters from seed. It is called once, before the first epoch.
	Init(d *Data, seed uint64) error
	// TrainEpoch makes one pass over the training part of d's view (rows [0, Split.TrainEnd), the
	// training sessions or the training CTR samples). It checks ctx between batches and returns
	// ctx.Err() when cancelled, and reports progress through p, which is never nil (NoProgress
	// discards).
	TrainEpoch(ctx context.Context, d *Data, p Progress) (EpochStats, error)
	// Evaluate streams the validation part, then the test part, in time order, from the
	// end-of-training state. For each evaluated unit (a row, a click, a CTR sample) it reports,
	// through sink, the prediction made before the unit is revealed, then reveals it (updating
	// states, and parameters too under the "online" protocol). Predictions are built with Data's
	// constructors (RowPrediction, ClickPrediction, CTRPrediction), which fill in which part, group
	// and truth they belong to; the model adds what it predicts. Evaluate must leave the model as it
	// found it: the next TrainEpoch continues from the end-of-training state.
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
// Prediction.Score (higher means label 1 is more likely) and Prediction.Prob for every evaluated row.
type StateClassifier interface {
	Model
	PredictsState()
}

// SessionPredictor is implemented by session models (JUMP and its comparators): Evaluate streams
// the validation and test sessions click by click and reports, for click k, Prediction.Value (the
// predicted dwell time on the clicked item, seconds) and Prediction.Rank (the rank of click k+1's
// item among all items; 0 for a session's last click, which has no next click).
type SessionPredictor interface {
	Model
	PredictsSessions()
}

// DwellPredictor is implemented by session models that can say whether they predict dwell times:
// one that returns false (a next-click model without a dwell head, which reports Value 0) gets no
// MAE in its scores and records — predicting 0 s is not a dwell model's error to print in JUMP's
// Table 2. Session models that do not implement it are scored on MAE as before.
type DwellPredictor interface {
	PredictsDwell() bool
}

// CTRScorer is implemented by click-through-rate models (TIN and its comparators): Evaluate reports
// Prediction.Score (a logit or any increasing score) and Prediction.Prob (the click probability)
// for every validation and test CTR sample, in the view's order.
type CTRScorer interface {
	Model
	ScoresCTR()
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

// Part is the evaluated part a prediction belongs to.
type Part uint8

// The evaluated parts.
const (
	PartValidation Part = iota + 1
	PartTest
)

func (p Part) String() string {
	switch p {
	case PartValidation:
		return "validation"
	case PartTest:
		return "test"
	}
	return fmt.Sprintf("Part(%d)", uint8(p))
}

// Prediction is what a model reports for one evaluated unit before seeing it. The identity and
// truth fields come from Data's constructors; the model fills in the predicted ones.
type Prediction struct {
	// Identity and truth.
	Part     Part    // validation or test
	Row      int     // the dataset row (next-item, state-change), the click's position in its session, or the CTR sample's index in its part
	Group    int32   // the user (rows, CTR samples) or the session's index in its part, for per-group metrics (GAUC)
	Label    uint8   // the true label: state change (rows), click (CTR samples)
	Truth    float64 // the true value: the click's dwell time in seconds (sessions)
	Censored bool    // Truth is only a lower bound (a session's last click, or a dwell cut at c1)

	// What the model predicts.
	Rank  float64 // rank of the true (next) item among all items (1 = best; ties by the model's rule; 0 = nothing to rank)
	Score float64 // score of label 1 (JODIE: the class-1 logit); for AUC and GAUC
	Prob  float64 // probability of label 1 (logloss; early-warning ratios)
	Value float64 // predicted value: the dwell time in seconds (sessions)
}

// Sink receives predictions in the order Evaluate streams them.
type Sink func(Prediction)

// EpochStats summarises one training epoch.
type EpochStats struct {
	Loss         float64 // mean training loss per interaction (model-defined)
	Interactions int     // training interactions processed
	Batches      int     // optimiser batches (t-batches for t-Batch models)
	Steps        int     // optimiser steps
}

// Progress receives training progress; the runner shows it as a bar on a terminal or as throttled
// log lines otherwise. The runner never passes a nil Progress; tests pass NoProgress.
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

// ErrNotANumber is returned when a metric or a result value is NaN or ±Inf: it is never written.
var ErrNotANumber = fmt.Errorf("bench: result is not a finite number")

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
