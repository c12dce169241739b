package deepcoevolve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

func evaluateAll(t *testing.T, m *Model, d *bench.Data) []bench.Prediction {
	t.Helper()
	var out []bench.Prediction
	if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { out = append(out, p) }); err != nil {
		t.Fatal(err)
	}
	return out
}

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

// TestCheckpointResume: three epochs in one process, and one epoch, a checkpoint, a fresh model
// that loads it and two more epochs, give bit-identical epoch losses and predictions; the loaded
// model also evaluates epoch 1 exactly as the saving process (state tables, replay caches for the
// online protocol's steps, the recorded embeddings of the state-change read-out). Both tasks, both
// protocols, t-Batch on and off.
func TestCheckpointResume(t *testing.T) {
	const params = "    dim: 8\n    windows: 40\n    tbatch: %s\n"
	for _, tt := range []struct {
		tbatch   string
		task     bench.Task
		protocol bench.Protocol
	}{
		{"on", bench.TaskNextItem, bench.ProtocolFrozen},
		{"on", bench.TaskNextItem, bench.ProtocolOnline},
		{"off", bench.TaskNextItem, bench.ProtocolOnline},
		{"on", bench.TaskStateChange, bench.ProtocolOnline},
		{"on", bench.TaskStateChange, bench.ProtocolFrozen},
	} {
		t.Run(fmt.Sprintf("tbatch=%s/%s/%s", tt.tbatch, tt.task, tt.protocol), func(t *testing.T) {
			preset := "synth-wikipedia-small"
			if tt.task == bench.TaskStateChange {
				preset = "synth-mooc-small"
			}
			d := benchtest.SynthData(t, preset, tt.task, tt.protocol)
			ctx := context.Background()
			epoch := func(m *Model) (float64, []bench.Prediction) {
				st, err := m.TrainEpoch(ctx, d, bench.NoProgress{})
				if err != nil {
					t.Fatal(err)
				}
				return st.Loss, evaluateAll(t, m, d)
			}
			fresh := func() *Model {
				m := newModel(t, fmt.Sprintf(params, tt.tbatch), ag.NewCPU())
				if err := m.Init(d, 7); err != nil {
					t.Fatal(err)
				}
				return m
			}
			a := fresh()
			var wantLoss [3]float64
			var wantPreds [3][]bench.Prediction
			for e := range 3 {
				wantLoss[e], wantPreds[e] = epoch(a)
			}
			b := fresh()
			epoch(b)
			var buf bytes.Buffer
			if err := b.SaveCheckpoint(&buf); err != nil {
				t.Fatal(err)
			}
			c := fresh()
			if err := c.LoadCheckpoint(bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatal(err)
			}
			if err := samePredictions(wantPreds[0], evaluateAll(t, c, d)); err != nil {
				t.Errorf("evaluation after loading epoch 1: %v", err)
			}
			for e := 1; e < 3; e++ {
				loss, preds := epoch(c)
				if math.Float64bits(loss) != math.Float64bits(wantLoss[e]) {
					t.Errorf("epoch %d loss %v after resuming, %v uninterrupted", e+1, loss, wantLoss[e])
				}
				if err := samePredictions(wantPreds[e], preds); err != nil {
					t.Errorf("epoch %d: %v", e+1, err)
				}
			}
		})
	}
}

// TestCheckpointRefused: a stream from another configuration, seed or dataset, or a corrupt one, is
// an nn.ErrCheckpoint naming what differs.
func TestCheckpointRefused(t *testing.T) {
	d := benchtest.SynthData(t, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
	m := newModel(t, "    dim: 8\n    windows: 40\n", ag.NewCPU())
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
	corrupt := bytes.Clone(buf.Bytes())
	corrupt[len(corrupt)/2] ^= 0x40
	for _, c := range []struct {
		name, params string
		seed         uint64
		stream       []byte
	}{
		{"other dim", "    dim: 6\n    windows: 40\n", 1, buf.Bytes()},
		{"other windows", "    dim: 8\n    windows: 41\n", 1, buf.Bytes()},
		{"other seed", "    dim: 8\n    windows: 40\n", 2, buf.Bytes()},
		{"corrupt", "    dim: 8\n    windows: 40\n", 1, corrupt},
		{"truncated", "    dim: 8\n    windows: 40\n", 1, buf.Bytes()[:buf.Len()-100]},
	} {
		other := newModel(t, c.params, ag.NewCPU())
		if err := other.Init(d, c.seed); err != nil {
			t.Fatal(err)
		}
		if err := other.LoadCheckpoint(bytes.NewReader(c.stream)); !errors.Is(err, nn.ErrCheckpoint) {
			t.Errorf("%s: %v, want nn.ErrCheckpoint", c.name, err)
		}
	}
}
