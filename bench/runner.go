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
	Epochs    []EpochResult
	Best      int    // index into Epochs of the best validation epoch (JODIE's rule)
	Select    string // the validation metric that selected it
	SinceBest int    // epochs since the best one (early stopping)
	Stopped   bool   // early stopping ended the run
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
	// OnEpoch is called after every finished epoch with the outcome so far (checkpoints).
	OnEpoch func(out *Outcome) error
	// TrainOnly skips evaluation (timing experiments); the last epoch is reported.
	TrainOnly bool
}

// ProgressReporter is a Progress that is finished when an epoch ends.
type ProgressReporter interface {
	Progress
	Finish()
}

// ErrCapability is returned when a model cannot do the configured task.
var ErrCapability = errors.New("bench: model lacks a capability")

// Train runs one seed of one model: Init, then for each epoch TrainEpoch and Evaluate, selecting the
// epoch with the best validation metric (cfg.Select, in its direction: MAE or logloss keep the
// lowest) and stopping early after cfg.Patience epochs without a better one. d.Task decides the
// scores. Cancelling ctx stops after the current batch; the partial run is returned as an error,
// never as an outcome. A RunConfig without Select uses the task's default.
func Train(ctx context.Context, m Model, d *Data, seed uint64, cfg RunConfig, opt RunOptions) (*Outcome, error) {
	if err := CheckCapabilities(m, d.Task); err != nil {
		return nil, err
	}
	if err := m.Init(d, seed); err != nil {
		return nil, fmt.Errorf("%s: init: %w", opt.Label, err)
	}
	return Resume(ctx, m, d, cfg, opt, &Outcome{Best: -1})
}

// Resume continues training m, whose state is that after the epochs of out (an empty outcome
// with Best -1 after Init), to the configured number of epochs. After each finished epoch it calls
// opt.OnEpoch with the outcome so far (checkpoints).
func Resume(ctx context.Context, m Model, d *Data, cfg RunConfig, opt RunOptions, out *Outcome) (*Outcome, error) {
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	epochs := cfg.Epochs
	if f, ok := m.(FixedEpochs); ok {
		epochs = f.FixedEpochs()
	}
	if cfg.Select == "" {
		d.Task.Defaults(&cfg)
	}
	out.Select = cfg.Select
	if out.Stopped {
		return out, nil
	}
	for e := len(out.Epochs) + 1; e <= epochs; e++ {
		var prog ProgressReporter = nopReporter{}
		if opt.Progress != nil {
			prog = opt.Progress(fmt.Sprintf("%s epoch %d/%d", opt.Label, e, epochs), d.trainSize())
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
			if err := opt.epochDone(out); err != nil {
				return nil, err
			}
			continue
		}
		start = time.Now()
		res.Val, res.Test, err = Evaluate(ctx, m, d)
		if err != nil {
			return nil, fmt.Errorf("%s: epoch %d: evaluation: %w", opt.Label, e, err)
		}
		res.Eval = time.Since(start)
		out.Epochs = append(out.Epochs, res)
		v, ok := res.Val[out.Select]
		if !ok {
			return nil, fmt.Errorf("%s: selection metric %q is not among the %s task's scores", opt.Label, out.Select, d.Task.Name())
		}
		fmt.Fprintf(log, "%s epoch %d/%d: loss %.5g, val %s %.4f, test %s %.4f (train %.1fs, eval %.1fs)\n",
			opt.Label, e, epochs, stats.Loss, out.Select, v, out.Select, res.Test[out.Select], res.Train.Seconds(), res.Eval.Seconds())
		better := out.Best < 0
		if !better {
			if better, err = metrics.Improves(out.Select, v, out.Epochs[out.Best].Val[out.Select]); err != nil {
				return nil, err
			}
		}
		if better {
			out.Best, out.SinceBest = len(out.Epochs)-1, 0
		} else if out.SinceBest++; cfg.Patience > 0 && out.SinceBest >= cfg.Patience {
			fmt.Fprintf(log, "%s: early stop after epoch %d (no better validation %s for %d epochs)\n", opt.Label, e, out.Select, cfg.Patience)
			out.Stopped = true
		}
		if err := opt.epochDone(out); err != nil {
			return nil, err
		}
		if out.Stopped {
			break
		}
	}
	return out, nil
}

func (o RunOptions) epochDone(out *Outcome) error {
	if o.OnEpoch == nil {
		return nil
	}
	return o.OnEpoch(out)
}

// trainSize is the number of training units an epoch passes over, for progress.
func (d *Data) trainSize() int {
	switch {
	case d.Sessions != nil:
		n := 0
		for _, s := range d.Sessions.Train {
			n += s.Len()
		}
		return n
	case d.CTR != nil:
		return len(d.CTR.Train)
	}
	return d.Split.TrainEnd
}

// Evaluate streams validation and test through m and scores them with d.Task's scorer.
func Evaluate(ctx context.Context, m Model, d *Data) (val, test Scores, err error) {
	sc := d.Task.NewScorer(d)
	var sinkErr error
	err = m.Evaluate(ctx, d, func(p Prediction) {
		if sinkErr == nil {
			sinkErr = sc.Add(p)
		}
	})
	if err == nil {
		err = sinkErr
	}
	if err != nil {
		return nil, nil, err
	}
	if val, err = sc.Scores(PartValidation); err != nil {
		return nil, nil, err
	}
	if test, err = sc.Scores(PartTest); err != nil {
		return nil, nil, err
	}
	for _, p := range []struct {
		part Part
		sc   Scores
	}{{PartValidation, val}, {PartTest, test}} {
		for _, unit := range sortedKeys(p.sc) {
			if v := p.sc[unit]; math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("%w: %s %s is %v (a metric over nothing, or a scorer bug)", ErrNotANumber, p.part, unit, v)
			}
		}
	}
	if dp, ok := m.(DwellPredictor); ok && !dp.PredictsDwell() {
		for _, sc := range []Scores{val, test} {
			delete(sc, "MAE")
			for _, b := range d.LengthBuckets {
				delete(sc, b.Unit("MAE"))
			}
		}
	}
	return val, test, nil
}

type nopReporter struct{}

func (nopReporter) Advance(int) {}
func (nopReporter) Finish()     {}
