package seqrectest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

// resumeParams are small parameters with several windows per epoch, so that Adam's step count and
// the lane order drawn per epoch both matter; clipping is on to cover its path too.
const resumeParams = "    dim: 8\n    batch_users: 4\n    bptt: 5\n    clip: 5\n"

type epochOutput struct {
	stats bench.EpochStats
	preds []bench.Prediction
}

func evaluate(t *testing.T, m *seqrec.Model, d *bench.Data) []bench.Prediction {
	t.Helper()
	var out []bench.Prediction
	if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { out = append(out, p) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func trainAndEvaluate(t *testing.T, m *seqrec.Model, d *bench.Data) epochOutput {
	t.Helper()
	st, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{})
	if err != nil {
		t.Fatal(err)
	}
	return epochOutput{st, evaluate(t, m, d)}
}

// samePredictions compares predictions bit for bit and reports the first difference.
func samePredictions(a, b []bench.Prediction) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d predictions, want %d", len(b), len(a))
	}
	for i := range a {
		p, q := a[i], b[i]
		if p.Row != q.Row || math.Float64bits(p.Rank) != math.Float64bits(q.Rank) ||
			math.Float64bits(p.Score) != math.Float64bits(q.Score) || math.Float64bits(p.Prob) != math.Float64bits(q.Prob) {
			return fmt.Errorf("prediction %d is %+v, want %+v", i, q, p)
		}
	}
	return nil
}

// sameParams compares every parameter value's bits.
func sameParams(t *testing.T, want, got nn.Params) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d parameters after resuming, %d uninterrupted", len(got), len(want))
	}
	for i, p := range want {
		a, b := make([]float64, p.Len()), make([]float64, got[i].Len())
		p.CopyTo64(a)
		got[i].CopyTo64(b)
		for k := range a {
			if math.Float64bits(a[k]) != math.Float64bits(b[k]) {
				t.Errorf("parameter %s[%d] = %v after resuming, %v uninterrupted", p.Name, k, b[k], a[k])
				break
			}
		}
	}
}

// Resume checks bench.Checkpointer: three epochs (each followed by an evaluation) in one process,
// and one epoch, a checkpoint, a fresh model that is Init-ed with the same data and seed, loads it
// and trains two more epochs, give bit-identical epoch statistics, predictions (ranks, read-out
// scores) and final parameters; the loaded model also re-evaluates epoch 1 exactly. It covers
// next-item ranking and the state-change read-out, under both protocols.
func Resume(t *testing.T, spec seqrec.Spec) {
	t.Helper()
	// The registered constructor must hand the runner a Checkpointer (it returns *seqrec.Model).
	if m, err := models.New(spec.Name, bench.ModelParams{}, models.Env{}); err != nil {
		t.Fatal(err)
	} else if _, ok := m.(bench.Checkpointer); !ok {
		t.Errorf("%T (registered as %q) is not a bench.Checkpointer", m, spec.Name)
	}
	nextItem := Prefix(t, "synth-wikipedia-small", 500, bench.TaskNextItem, [3]float64{0.7, 0.15, 0.15})
	stateChange := Tiny(t, bench.TaskStateChange, bench.ProtocolFrozen)
	for _, data := range []*bench.Data{nextItem, stateChange} {
		for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
			d := *data
			d.Protocol = protocol
			t.Run(fmt.Sprintf("%s/%s/%s", spec.Name, d.Task, protocol), func(t *testing.T) {
				resume(t, spec, &d)
			})
		}
	}
}

func resume(t *testing.T, spec seqrec.Spec, d *bench.Data) {
	const seed = 9
	build := func() *seqrec.Model {
		m := New(t, spec, resumeParams, ag.NewCPU())
		if err := m.Init(d, seed); err != nil {
			t.Fatal(err)
		}
		return m
	}
	full := build()
	var want []epochOutput
	for range 3 {
		want = append(want, trainAndEvaluate(t, full, d))
	}
	first := build()
	if got := trainAndEvaluate(t, first, d); got.stats != want[0].stats {
		t.Fatalf("epoch 1 stats %+v, want %+v (training is not deterministic)", got.stats, want[0].stats)
	}
	var buf bytes.Buffer
	if err := first.SaveCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	resumed := build()
	if err := resumed.LoadCheckpoint(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := samePredictions(want[0].preds, evaluate(t, resumed, d)); err != nil {
		t.Errorf("re-evaluating epoch 1 after loading: %v", err)
	}
	for e := 1; e < 3; e++ {
		got := trainAndEvaluate(t, resumed, d)
		if got.stats != want[e].stats {
			t.Errorf("epoch %d stats %+v, want %+v", e+1, got.stats, want[e].stats)
		}
		if err := samePredictions(want[e].preds, got.preds); err != nil {
			t.Errorf("epoch %d: %v", e+1, err)
		}
	}
	sameParams(t, full.Params(), resumed.Params())
}

// CheckpointRejects checks that corrupt and truncated checkpoints, and checkpoints from a model
// of another width, another seed, another model or other data, are refused with an error wrapping
// nn.ErrCheckpoint that says what differs.
func CheckpointRejects(t *testing.T, spec seqrec.Spec, other seqrec.Spec) {
	t.Helper()
	d := Prefix(t, "synth-wikipedia-small", 300, bench.TaskNextItem, [3]float64{0.7, 0.15, 0.15})
	m := New(t, spec, resumeParams, ag.NewCPU())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.SaveCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flipped := bytes.Clone(good)
	flipped[len(flipped)*3/4] ^= 0x20
	moreUsers := Prefix(t, "synth-wikipedia-small", 400, bench.TaskNextItem, [3]float64{0.7, 0.15, 0.15})
	tests := []struct {
		name   string
		spec   seqrec.Spec
		params string
		data   *bench.Data
		seed   uint64
		stream []byte
		want   string
	}{
		{"flipped-byte", spec, resumeParams, d, 1, flipped, "checksum mismatch"},
		{"truncated", spec, resumeParams, d, 1, good[:len(good)/2], "truncated"},
		{"truncated-checksum", spec, resumeParams, d, 1, good[:len(good)-3], "checksum mismatch"},
		{"other-dim", spec, strings.Replace(resumeParams, "dim: 8", "dim: 6", 1), d, 1, good, "Dim: 8 in the checkpoint, 6 in the model"},
		{"other-seed", spec, resumeParams, d, 2, good, "the seed is 1 in the checkpoint, 2 here"},
		{"other-model", other, resumeParams, d, 1, good, fmt.Sprintf("model %q, not %q", "seqrec/"+spec.Name, "seqrec/"+other.Name)},
		{"other-data", spec, resumeParams, moreUsers, 1, good, "in the checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(t, tt.spec, tt.params, ag.NewCPU())
			if err := m.Init(tt.data, tt.seed); err != nil {
				t.Fatal(err)
			}
			err := m.LoadCheckpoint(bytes.NewReader(tt.stream))
			if !errors.Is(err, nn.ErrCheckpoint) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want nn.ErrCheckpoint mentioning %q", err, tt.want)
			}
			t.Log(err)
		})
	}
}
