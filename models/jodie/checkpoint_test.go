package jodie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// prefixData is the first n rows of a synthetic preset (features included), split 70/15/15.
func prefixData(t testing.TB, preset string, n int, task bench.Task, protocol bench.Protocol) *bench.Data {
	t.Helper()
	full, err := datasets.Synthesize(preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := *full
	d.Users, d.Items, d.Times, d.Labels = full.Users[:n], full.Items[:n], full.Times[:n], full.Labels[:n]
	d.Features = full.Features[:n*full.FeatureDim]
	split, err := datasets.SplitFractions(n, 0.7, 0.15, 0.15)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := bench.NewData(&d, split, datasets.NormTrain, task, protocol)
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

// epochOutput is what one epoch produces: its statistics and the evaluation's predictions.
type epochOutput struct {
	stats bench.EpochStats
	preds []bench.Prediction
}

func trainAndEvaluate(t *testing.T, m *Model, d *bench.Data) epochOutput {
	t.Helper()
	ctx := context.Background()
	st, err := m.TrainEpoch(ctx, d, bench.NoProgress{})
	if err != nil {
		t.Fatal(err)
	}
	return epochOutput{st, evaluate(t, m, d)}
}

func evaluate(t *testing.T, m *Model, d *bench.Data) []bench.Prediction {
	t.Helper()
	var out []bench.Prediction
	if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { out = append(out, p) }); err != nil {
		t.Fatal(err)
	}
	return out
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

// paramBits returns every parameter value's exact bits.
func paramBits(ps nn.Params) map[string][]uint64 {
	out := map[string][]uint64{}
	for _, p := range ps {
		v := make([]float64, p.Len())
		p.CopyTo64(v)
		bits := make([]uint64, len(v))
		for i, x := range v {
			bits[i] = math.Float64bits(x)
		}
		out[p.Name] = bits
	}
	return out
}

func sameParams(t *testing.T, want, got nn.Params) {
	t.Helper()
	a, b := paramBits(want), paramBits(got)
	for name, va := range a {
		vb, ok := b[name]
		if !ok || len(va) != len(vb) {
			t.Errorf("parameter %s missing or resized after resuming", name)
			continue
		}
		for i := range va {
			if va[i] != vb[i] {
				t.Errorf("parameter %s[%d] = %v after resuming, %v uninterrupted", name, i, math.Float64frombits(vb[i]), math.Float64frombits(va[i]))
				break
			}
		}
	}
}

// TestCheckpointResume: three epochs in one process, and one epoch, a checkpoint, a fresh model
// that loads it and two more epochs, give bit-identical epoch statistics, predictions (ranks,
// state scores and probabilities) and final parameters; the loaded model also re-evaluates epoch
// 1 as the saving process would, which depends on the restored state tables. Both static modes, both sparse_adam
// settings, t-Batch on and off, both protocols (online evaluation snapshots and restores the
// parameters and Adam state), both tasks.
func TestCheckpointResume(t *testing.T) {
	const base = "    dim: 8\n    static: {dim: 6, mode: %s}\n    sparse_adam: %s\n    tbatch: %s\n    windows: 40\n"
	tests := []struct {
		static, sparse, tbatch string
		task                   bench.Task
		protocol               bench.Protocol
	}{
		{"onehot", "lazy", "on", bench.TaskNextItem, bench.ProtocolFrozen},
		{"onehot", "lazy", "on", bench.TaskNextItem, bench.ProtocolOnline},
		{"onehot", "dense", "on", bench.TaskNextItem, bench.ProtocolFrozen},
		{"learned", "lazy", "on", bench.TaskNextItem, bench.ProtocolOnline},
		{"learned", "dense", "on", bench.TaskNextItem, bench.ProtocolFrozen},
		{"onehot", "lazy", "off", bench.TaskNextItem, bench.ProtocolFrozen},
		{"onehot", "lazy", "on", bench.TaskStateChange, bench.ProtocolOnline},
		{"learned", "lazy", "on", bench.TaskStateChange, bench.ProtocolFrozen},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("static=%s/sparse_adam=%s/tbatch=%s/%s/%s", tt.static, tt.sparse, tt.tbatch, tt.task, tt.protocol)
		t.Run(name, func(t *testing.T) {
			preset := "synth-wikipedia-small"
			if tt.task == bench.TaskStateChange {
				preset = "synth-mooc-small"
			}
			d := prefixData(t, preset, 400, tt.task, tt.protocol)
			params := fmt.Sprintf(base, tt.static, tt.sparse, tt.tbatch)
			const seed = 11
			build := func() *Model {
				m := newModel(t, params, ag.NewCPU())
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
			// What the saving process predicts when it evaluates again (the same as epoch 1's
			// evaluation: TestEvaluateTwiceOnUnseenEntities).
			again := evaluate(t, first, d)
			var buf bytes.Buffer
			if err := first.SaveCheckpoint(&buf); err != nil {
				t.Fatal(err)
			}
			resumed := build()
			if err := resumed.LoadCheckpoint(bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatal(err)
			}
			if err := samePredictions(again, evaluate(t, resumed, d)); err != nil {
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
			sameParams(t, full.params, resumed.params)
		})
	}
}

// TestCheckpointRejects: corrupt and truncated streams, and streams from another configuration,
// another dataset or another model, are refused with an error wrapping nn.ErrCheckpoint.
func TestCheckpointRejects(t *testing.T) {
	const params = "    dim: 8\n    windows: 40\n"
	d := prefixData(t, "synth-wikipedia-small", 300, bench.TaskNextItem, bench.ProtocolFrozen)
	m := newModel(t, params, ag.NewCPU())
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
	flipped[len(flipped)*2/3] ^= 0x01
	other := prefixData(t, "synth-wikipedia-small", 320, bench.TaskNextItem, bench.ProtocolFrozen)
	tests := []struct {
		name, params string
		data         *bench.Data
		stream       []byte
		want         string
	}{
		{"flipped-byte", params, d, flipped, "checksum mismatch"},
		{"truncated", params, d, good[:len(good)/2], "truncated"},
		{"truncated-checksum", params, d, good[:len(good)-1], "checksum mismatch"},
		{"other-dim", "    dim: 4\n    windows: 40\n", d, good, "Dim: 8 in the checkpoint, 4 in the model"},
		{"other-static-mode", params + "    static: {mode: learned}\n", d, good, `"Mode":"onehot"} in the checkpoint, {"Dim":128,"Mode":"learned"} in the model`},
		{"other-optimiser-mode", params + "    sparse_adam: lazy\n", d, good, `"dense" in the checkpoint, "lazy" in the model`},
		{"other-data", params, other, good, "in the checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(t, tt.params, ag.NewCPU())
			if err := m.Init(tt.data, 1); err != nil {
				t.Fatal(err)
			}
			err := m.LoadCheckpoint(bytes.NewReader(tt.stream))
			if !errors.Is(err, nn.ErrCheckpoint) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want nn.ErrCheckpoint mentioning %q", err, tt.want)
			}
			t.Log(err)
		})
	}
	// A checkpoint without its configuration section (a bare parameter stream of another width)
	// names the tensor whose shape differs.
	small := newModel(t, "    dim: 4\n    windows: 40\n", ag.NewCPU())
	if err := small.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	var bare bytes.Buffer
	w := nn.NewCheckpointWriter(&bare, checkpointName, small.be)
	w.Params("params", small.params)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := nn.NewCheckpointReader(&bare, checkpointName, m.be)
	r.Params("params", m.params)
	if err := r.Close(); err == nil || !strings.Contains(err.Error(), `tensor "user_rnn.weight_ih" is 4×`) {
		t.Errorf("shape mismatch: err = %v", err)
	}
}
