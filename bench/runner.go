package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tibench/tibench/bench/metrics"
)

// Scores are the metrics of one evaluated part (validation or test), by unit name.
type Scores map[string]float64

// EpochResult is one epoch's training statistics, timings and evaluation.
type EpochResult struct {
	Epoch       int // 1-based
	Stats       EpochStats
	Train, Eval time.Duration
	Val, Test   Scores
}

// Outcome is a finished run: every epoch, and which one the validation metric selected.
type Outcome struct {
	Epochs []EpochResult
	Best   int    // index into Epochs of the best validation epoch (JODIE's rule)
	Select string // the validation metric that selected it
}

// BestEpoch returns the selected epoch.
func (o *Outcome) BestEpoch() EpochResult { return o.Epochs[o.Best] }

// MeanTrain is the mean training time per epoch.
func (o *Outcome) MeanTrain() time.Duration {
	var t time.Duration
	for _, e := range o.Epochs {
		t += e.Train
	}
	return t / time.Duration(len(o.Epochs))
}

// MeanEval is the mean time of one validation+test evaluation pass.
func (o *Outcome) MeanEval() time.Duration {
	var t time.Duration
	for _, e := range o.Epochs {
		t += e.Eval
	}
	return t / time.Duration(len(o.Epochs))
}

// RunOptions are the runner's hooks.
type RunOptions struct {
	// Log receives one line per epoch (nil discards).
	Log io.Writer
	// Progress returns the progress reporter of one epoch's training (nil: none).
	Progress func(desc string, total int) ProgressReporter
	// Label prefixes log lines and progress, e.g. "table3 jodie synth-wikipedia seed=1".
	Label string
	// OnBest is called whenever an epoch improves the validation metric (checkpoints).
	OnBest func(epoch int) error
	// TrainOnly skips evaluation (timing experiments); the last epoch is reported.
	TrainOnly bool
}

// ProgressReporter is a Progress that is finished when an epoch ends.
type ProgressReporter interface {
	Progress
	Finish()
}

// SelectMetric is the validation metric that picks the best epoch for a task.
func SelectMetric(task Task) string {
	if task == TaskStateChange {
		return "AUC"
	}
	return "MRR"
}

// ErrCapability is returned when a model cannot do the configured task.
var ErrCapability = errors.New("bench: model lacks a capability")

// CheckCapabilities reports whether m can run task.
func CheckCapabilities(m Model, task Task) error {
	switch task {
	case TaskNextItem:
		if _, ok := m.(Ranker); !ok {
			return fmt.Errorf("%w: %T does not rank items (bench.Ranker) for %s", ErrCapability, m, task)
		}
	case TaskStateChange:
		if _, ok := m.(StateClassifier); !ok {
			return fmt.Errorf("%w: %T has no state-change head (bench.StateClassifier) for %s", ErrCapability, m, task)
		}
	}
	return nil
}

// Train runs one seed of one model: Init, then for each epoch TrainEpoch and Evaluate, selecting the
// epoch with the best validation metric and stopping early after cfg.Patience epochs without one.
// Cancelling ctx stops after the current batch; the partial run is returned as an error, never as an
// outcome.
func Train(ctx context.Context, m Model, d *Data, seed uint64, cfg RunConfig, opt RunOptions) (*Outcome, error) {
	if err := CheckCapabilities(m, d.Task); err != nil {
		return nil, err
	}
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	if err := m.Init(d, seed); err != nil {
		return nil, fmt.Errorf("%s: init: %w", opt.Label, err)
	}
	epochs := cfg.Epochs
	if f, ok := m.(FixedEpochs); ok {
		epochs = f.FixedEpochs()
	}
	out := &Outcome{Select: SelectMetric(d.Task), Best: -1}
	bestVal, sinceBest := math.Inf(-1), 0
	for e := 1; e <= epochs; e++ {
		var prog ProgressReporter = nopReporter{}
		if opt.Progress != nil {
			prog = opt.Progress(fmt.Sprintf("%s epoch %d/%d", opt.Label, e, epochs), d.Split.TrainEnd)
		}
		start := time.Now()
		stats, err := m.TrainEpoch(ctx, d, prog)
		prog.Finish()
		if err != nil {
			return nil, fmt.Errorf("%s: epoch %d: %w", opt.Label, e, err)
		}
		if math.IsNaN(stats.Loss) || math.IsInf(stats.Loss, 0) {
			return nil, fmt.Errorf("%s: epoch %d: %w (%v)", opt.Label, e, ErrNotFinite, stats.Loss)
		}
		res := EpochResult{Epoch: e, Stats: stats, Train: time.Since(start)}
		if opt.TrainOnly {
			out.Epochs, out.Best = append(out.Epochs, res), len(out.Epochs)
			fmt.Fprintf(log, "%s epoch %d/%d: loss %.5g (train %.1fs, %d batches)\n", opt.Label, e, epochs, stats.Loss, res.Train.Seconds(), stats.Batches)
			continue
		}
		start = time.Now()
		res.Val, res.Test, err = evaluate(ctx, m, d)
		if err != nil {
			return nil, fmt.Errorf("%s: epoch %d: evaluation: %w", opt.Label, e, err)
		}
		res.Eval = time.Since(start)
		out.Epochs = append(out.Epochs, res)
		v := res.Val[out.Select]
		fmt.Fprintf(log, "%s epoch %d/%d: loss %.5g, val %s %.4f, test %s %.4f (train %.1fs, eval %.1fs)\n",
			opt.Label, e, epochs, stats.Loss, out.Select, v, out.Select, res.Test[out.Select], res.Train.Seconds(), res.Eval.Seconds())
		if v > bestVal || out.Best < 0 {
			bestVal, out.Best, sinceBest = v, len(out.Epochs)-1, 0
			if opt.OnBest != nil {
				if err := opt.OnBest(e); err != nil {
					return nil, err
				}
			}
		} else if sinceBest++; cfg.Patience > 0 && sinceBest >= cfg.Patience {
			fmt.Fprintf(log, "%s: early stop after epoch %d (no better validation %s for %d epochs)\n", opt.Label, e, out.Select, cfg.Patience)
			break
		}
	}
	return out, nil
}

// evaluate streams validation and test and computes their scores.
func evaluate(ctx context.Context, m Model, d *Data) (val, test Scores, err error) {
	switch d.Task {
	case TaskNextItem:
		accVal, accTest := metrics.NewRankAccumulator(10), metrics.NewRankAccumulator(10)
		var sinkErr error
		err = m.Evaluate(ctx, d, func(p Prediction) {
			acc := accTest
			if p.Row < d.Split.ValEnd {
				acc = accVal
			}
			if e := acc.Add(p.Rank); e != nil && sinkErr == nil {
				sinkErr = fmt.Errorf("row %d: %w", p.Row, e)
			}
		})
		if err == nil {
			err = sinkErr
		}
		if err != nil {
			return nil, nil, err
		}
		if err := checkCount("validation", accVal.Count(), d.Split.ValLen()); err != nil {
			return nil, nil, err
		}
		if err := checkCount("test", accTest.Count(), d.Split.TestLen()); err != nil {
			return nil, nil, err
		}
		return rankScores(accVal), rankScores(accTest), nil
	case TaskStateChange:
		var vs, ts []float64
		var vl, tl []bool
		err = m.Evaluate(ctx, d, func(p Prediction) {
			if p.Row < d.Split.ValEnd {
				vs, vl = append(vs, p.Score), append(vl, d.Labels[p.Row] == 1)
			} else {
				ts, tl = append(ts, p.Score), append(tl, d.Labels[p.Row] == 1)
			}
		})
		if err != nil {
			return nil, nil, err
		}
		va, err := metrics.AUC(vs, vl)
		if err != nil {
			return nil, nil, fmt.Errorf("validation AUC: %w", err)
		}
		ta, err := metrics.AUC(ts, tl)
		if err != nil {
			return nil, nil, fmt.Errorf("test AUC: %w", err)
		}
		return Scores{"AUC": va}, Scores{"AUC": ta}, nil
	}
	return nil, nil, fmt.Errorf("bench: unknown task %q", d.Task)
}

func checkCount(part string, got, want int) error {
	if got != want {
		return fmt.Errorf("model reported %d %s predictions for %d rows", got, part, want)
	}
	return nil
}

func rankScores(a *metrics.RankAccumulator) Scores {
	return Scores{"MRR": a.MRR(), "recall@10": a.Recall(10), "ndcg@10": a.NDCG(10)}
}

type nopReporter struct{}

func (nopReporter) Advance(int) {}
func (nopReporter) Finish()     {}
