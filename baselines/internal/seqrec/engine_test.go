package seqrec_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/baselines/internal/seqrec/seqrectest"
	"github.com/tibench/tibench/baselines/lstm"
	"github.com/tibench/tibench/baselines/rrn"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// The engine is exercised through two real nets: lstm (independent users, lanes) and rrn (coupled
// users and items: t-batches, one row at a time in evaluation).
var specs = []seqrec.Spec{lstm.Spec, rrn.Spec}

// small is a 600-row prefix of synth-wikipedia-small: 480 training rows, 60 validation, 60 test.
func small(t *testing.T, protocol bench.Protocol) *bench.Data {
	d := seqrectest.Prefix(t, "synth-wikipedia-small", 600, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	d.Protocol = protocol
	return d
}

// params keep the tests fast and make several online blocks: 4·5 = 20 rows (lanes), 5 (coupled).
const params = "    dim: 8\n    batch_users: 4\n    bptt: 5\n"

func trained(t *testing.T, spec seqrec.Spec, d *bench.Data, be ag.Backend, seed uint64) *seqrec.Model {
	t.Helper()
	m := seqrectest.New(t, spec, params, be)
	if err := m.Init(d, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TrainEpoch(context.Background(), d, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func evaluate(t *testing.T, m bench.Model, d *bench.Data) []bench.Prediction {
	t.Helper()
	var out []bench.Prediction
	if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { out = append(out, p) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEvaluateMatchesStream: the oracle predicts each evaluated row j alone, as the only
// validation row of a split whose training part is rows [0, j): the model replays everything
// before j and scores j from that state — the one-row-at-a-time stream by definition. Frozen
// evaluation (parallel lanes for lstm) must give the same rank for every row, in row order.
func TestEvaluateMatchesStream(t *testing.T) {
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			d := small(t, bench.ProtocolFrozen)
			m := trained(t, spec, d, ag.NewCPU64(), 1)
			got := evaluate(t, m, d)
			if len(got) != d.Split.TestEnd-d.Split.TrainEnd {
				t.Fatalf("%d predictions for %d rows", len(got), d.Split.TestEnd-d.Split.TrainEnd)
			}
			for k, p := range got {
				j := d.Split.TrainEnd + k
				if p.Row != j {
					t.Fatalf("prediction %d is for row %d, want %d (row order)", k, p.Row, j)
				}
				dj := *d
				dj.Split = datasets.Split{N: d.Split.N, TrainEnd: j, ValEnd: j + 1, TestEnd: j + 1}
				want := evaluate(t, m, &dj)
				if len(want) != 1 || want[0].Rank != p.Rank {
					t.Fatalf("row %d: rank %v in the stream, %v predicted alone", j, p.Rank, want)
				}
			}
		})
	}
}

// TestEvaluateLeavesModelUnchanged: two evaluations agree, and training after an evaluation ends
// where training without one does, under both protocols.
func TestEvaluateLeavesModelUnchanged(t *testing.T) {
	for _, spec := range specs {
		for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
			t.Run(spec.Name+"/"+string(protocol), func(t *testing.T) {
				d := small(t, protocol)
				m := trained(t, spec, d, ag.NewCPU(), 1)
				first := evaluate(t, m, d)
				if second := evaluate(t, m, d); !slices.Equal(first, second) {
					t.Fatal("a second evaluation differs from the first")
				}
				if _, err := m.TrainEpoch(context.Background(), d, nil); err != nil {
					t.Fatal(err)
				}
				ref := trained(t, spec, d, ag.NewCPU(), 1)
				if _, err := ref.TrainEpoch(context.Background(), d, nil); err != nil {
					t.Fatal(err)
				}
				for i, p := range m.Params() {
					if !slices.Equal(p.Values(), ref.Params()[i].Values()) {
						t.Fatalf("%s differs after evaluate+train from train alone", p.Name)
					}
				}
			})
		}
	}
}

// TestOnlineLearns: online evaluation predicts its first block with the end-of-training
// parameters, exactly as frozen does, and later blocks with parameters that kept learning.
func TestOnlineLearns(t *testing.T) {
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			frozen := evaluate(t, trained(t, spec, small(t, bench.ProtocolFrozen), ag.NewCPU(), 1), small(t, bench.ProtocolFrozen))
			d := small(t, bench.ProtocolOnline)
			online := evaluate(t, trained(t, spec, d, ag.NewCPU(), 1), d)
			block := 20 // batch_users·bptt
			if spec.Coupled {
				block = 5 // bptt
			}
			if !slices.Equal(frozen[:block], online[:block]) {
				t.Error("the first online block differs from frozen evaluation")
			}
			if slices.Equal(frozen[block:], online[block:]) {
				t.Error("online evaluation after the first block equals frozen: nothing was learned")
			}
		})
	}
}

// TestNotFinite: a NaN parameter makes the first window's loss NaN; TrainEpoch stops with
// bench.ErrNotFinite naming the epoch and the batch.
func TestNotFinite(t *testing.T) {
	d := small(t, bench.ProtocolFrozen)
	m := seqrectest.New(t, lstm.Spec, params, ag.NewCPU())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	p := m.Net().(*lstm.Net).Out.B
	nan := make([]float32, p.Len())
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	p.CopyFrom(nan)
	_, err := m.TrainEpoch(context.Background(), d, nil)
	if !errors.Is(err, bench.ErrNotFinite) || !strings.Contains(err.Error(), "epoch 1, batch 1 of") {
		t.Fatalf("err = %v, want ErrNotFinite at epoch 1, batch 1", err)
	}
}

func TestCancel(t *testing.T) {
	d := small(t, bench.ProtocolFrozen)
	m := seqrectest.New(t, lstm.Spec, params, ag.NewCPU())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.TrainEpoch(ctx, d, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("TrainEpoch: err %v, want context.Canceled", err)
	}
	if err := m.Evaluate(ctx, d, func(bench.Prediction) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate: err %v, want context.Canceled", err)
	}
}

// TestInitialStatesLearn: every table's learned initial state moves away from zero in training
// (each user's first interaction backpropagates into it).
func TestInitialStatesLearn(t *testing.T) {
	for _, spec := range specs {
		m := trained(t, spec, small(t, bench.ProtocolFrozen), ag.NewCPU(), 1)
		for _, tab := range m.Net().Tables() {
			if slices.Max(tab.Init.Values()) == 0 && slices.Min(tab.Init.Values()) == 0 {
				t.Errorf("%s: %s stayed zero", spec.Name, tab.Init.Name)
			}
		}
	}
}

// TestStateChange: the read-out scores every evaluated row and needs both labels in training.
func TestStateChange(t *testing.T) {
	d := seqrectest.Tiny(t, bench.TaskStateChange, bench.ProtocolFrozen)
	m := seqrectest.New(t, lstm.Spec, "    dim: 4\n", ag.NewCPU())
	ps := benchtest.Predictions(t, m, d, 1, 1)
	if len(ps) != 4 {
		t.Fatalf("%d predictions, want 4", len(ps))
	}
	for _, p := range ps {
		if p.Rank != 0 || math.IsNaN(p.Score) || p.Score == 0 {
			t.Errorf("row %d: rank %v score %v, want no rank and a finite score", p.Row, p.Rank, p.Score)
		}
	}
	d.Labels = make([]uint8, len(d.Labels)) // no positive in training
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	if err := m.Evaluate(context.Background(), d, func(bench.Prediction) {}); !errors.Is(err, seqrec.ErrOneClass) {
		t.Errorf("err %v, want ErrOneClass", err)
	}
}

func TestBeforeInit(t *testing.T) {
	d := small(t, bench.ProtocolFrozen)
	m := seqrectest.New(t, lstm.Spec, params, ag.NewCPU())
	if _, err := m.TrainEpoch(context.Background(), d, nil); err == nil {
		t.Error("TrainEpoch before Init succeeded")
	}
	if err := m.Evaluate(context.Background(), d, func(bench.Prediction) {}); err == nil {
		t.Error("Evaluate before Init succeeded")
	}
}

// epochAllocs trains a model of spec on the first n rows of synth-wikipedia-small until its tape
// arena has grown, then returns the allocations of one training epoch and of one evaluation that
// streams the validation and test rows from the cached end-of-training state.
func epochAllocs(t *testing.T, spec seqrec.Spec, n int) (train, eval float64) {
	t.Helper()
	d := seqrectest.Prefix(t, "synth-wikipedia-small", n, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	m := trained(t, spec, d, ag.NewCPU(), 1)
	ctx := context.Background()
	sink := func(bench.Prediction) {}
	for range 2 { // grow the tapes' arenas
		if _, err := m.TrainEpoch(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		if err := m.Evaluate(ctx, d, sink); err != nil {
			t.Fatal(err)
		}
	}
	train = testing.AllocsPerRun(2, func() { _, _ = m.TrainEpoch(ctx, d, nil) })
	if err := m.Evaluate(ctx, d, sink); err != nil { // the end state of the last epoch
		t.Fatal(err)
	}
	eval = testing.AllocsPerRun(2, func() { _ = m.Evaluate(ctx, d, sink) })
	return train, eval
}

// TestSteadyStateAllocs: once the tapes' arenas have grown, the ops of a step allocate nothing:
// four times the rows must not double the allocations (an allocation per op, dozens per step, would
// nearly quadruple them; a mutation allocating once per step is caught on rrn's one-row stream).
//
// Streaming evaluation (the replay cached) allocates a constant number of times per call (its
// output slice, the online protocol's saved parameters). Training on lanes (lstm) allocates a
// constant number of times per epoch: the arena (ag.Tape.Reset) releases the blocks that a
// smaller window leaves idle, so the epoch's short last windows cost one regrowth. Coupled
// training (rrn) runs t-batches of varying sizes, so its windows change shape all along and the
// arena releases and regrows blocks at every shrink — the arena's trade (memory follows the
// current step), logged here, not asserted.
func TestSteadyStateAllocs(t *testing.T) {
	for _, spec := range specs {
		t.Run(spec.Name, func(t *testing.T) {
			const short, long = 600, 2400
			trainS, evalS := epochAllocs(t, spec, short)
			trainL, evalL := epochAllocs(t, spec, long)
			t.Logf("allocations per epoch: %v (%d rows), %v (%d rows); per streaming evaluation: %v (%d rows), %v (%d rows)",
				trainS, short, trainL, long, evalS, short/5, evalL, long/5)
			if evalL > 2*evalS {
				t.Errorf("streaming evaluation: %v allocations for %d rows, %v for %d: they grow with the rows", evalS, short/5, evalL, long/5)
			}
			if !spec.Coupled && trainL > 2*trainS {
				t.Errorf("an epoch of %d rows allocates %v times, of %d rows %v: allocations grow with the steps", long, trainL, short, trainS)
			}
		})
	}
}
