package jodie

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/baselines/popularity"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
	"github.com/tibench/tibench/internal/coupled"
	"github.com/tibench/tibench/models"
)

func newModel(t testing.TB, yamlParams string, be ag.Backend) *Model {
	t.Helper()
	m, err := New(benchtest.Params(t, yamlParams), models.Env{Backend: be})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

// tiny is a hand-made sequence with features and labels: 3 users, 3 items, two per window.
func tiny(t *testing.T, task bench.Task) *bench.Data {
	d := &datasets.Dataset{Name: "tiny",
		Users: []int32{0, 1, 0, 2, 1, 0, 2, 1}, Items: []int32{0, 1, 1, 2, 0, 2, 1, 1},
		Times: []float64{0, 1, 3, 4, 6, 7, 9, 10}, Labels: []uint8{0, 0, 1, 0, 0, 1, 0, 0},
		FeatureDim: 2, Features: []float32{.1, .2, .3, -.1, .5, .5, -.2, .1, 0, .4, .2, .2, -.3, .1, .1, .1},
		UserIDs: []string{"a", "b", "c"}, ItemIDs: []string{"x", "y", "z"}}
	split := datasets.Split{N: 8, TrainEnd: 6, ValEnd: 7, TestEnd: 8}
	bd, err := bench.NewData(d, split, datasets.NormTrain, task, bench.ProtocolFrozen)
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

// TestStepGradients checks the gradient of a whole window — two t-batches through the state tables,
// so the second batch backpropagates into the first — for both static modes, with the state head.
func TestStepGradients(t *testing.T) {
	for _, mode := range []string{"onehot", "learned"} {
		t.Run(mode, func(t *testing.T) {
			d := tiny(t, bench.TaskStateChange)
			m := newModel(t, "    dim: 3\n    windows: 1\n    static: {mode: "+mode+", dim: 2}\n", ag.NewCPU64())
			if err := m.Init(d, 1); err != nil {
				t.Fatal(err)
			}
			rows1, rows2 := []int32{0, 1}, []int32{2, 3} // user 0 and item 1 reappear in the second batch
			// Stop-gradients for finite differences: the first evaluation (the base point, where the
			// analytic gradient is taken) records every detached target; later ones replay them.
			var targets [][]float64
			calls := 0
			m.detach = func(tp *ag.Tape, x *ag.Tensor) *ag.Tensor {
				defer func() { calls++ }()
				if calls < len(targets) {
					return tp.Input64(x.Rows(), x.Cols(), targets[calls])
				}
				v := make([]float64, x.Len())
				x.CopyTo64(v)
				targets = append(targets, v)
				return tp.Detach(x)
			}
			bad, err := agtest.CheckGradients(m.params, func(tp *ag.Tape) *ag.Tensor {
				calls = 0
				m.tp = tp
				m.resetStates()
				l1, _, _ := m.step(d, rows1)
				l2, _, _ := m.step(d, rows2)
				m.users.Detach()
				m.items.Detach()
				return tp.Add(l1, l2)
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				t.Error(b)
			}
		})
	}
}

// TestSmokeBeatsPopularity trains 2 epochs on a -small preset and requires an MRR clearly above the
// popularity floor, and the same metrics from the same seed.
func TestSmokeBeatsPopularity(t *testing.T) {
	if testing.Short() {
		t.Skip("trains JODIE for 2 epochs (about 10 s)")
	}
	d := benchtest.SynthData(t, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
	run := func(m bench.Model, epochs int) float64 {
		out, err := bench.Train(context.Background(), m, d, 1, bench.RunConfig{Epochs: epochs}, bench.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return out.BestEpoch().Test["MRR"]
	}
	pop, err := popularity.New(bench.ModelParams{}, models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	popMRR := run(pop, 1)
	a := run(newModel(t, "    dim: 32\n", ag.NewCPU()), 2)
	b := run(newModel(t, "    dim: 32\n", ag.NewCPU()), 2)
	t.Logf("test MRR: JODIE %.4f, popularity %.4f", a, popMRR)
	if a != b {
		t.Errorf("same seed, different MRR: %v vs %v", a, b)
	}
	if a < popMRR+0.1 {
		t.Errorf("JODIE MRR %.4f is not clearly above popularity %.4f", a, popMRR)
	}
}

// TestEvaluateLeavesModelUnchanged: two evaluations give identical predictions, under both protocols,
// and the online protocol (which learns while evaluating) gives different ones from frozen.
func TestEvaluateLeavesModelUnchanged(t *testing.T) {
	var byProtocol [2][]bench.Prediction
	for k, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
		d := tiny(t, bench.TaskStateChange)
		d.Protocol = protocol
		// Evaluate rows 4–7 (times 6, 7, 9, 10) with windows of 0.5: online steps after row 5.
		d.Split = datasets.Split{N: 8, TrainEnd: 4, ValEnd: 6, TestEnd: 8}
		m := newModel(t, "    dim: 4\n    windows: 20\n", ag.NewCPU())
		first := benchtest.Predictions(t, m, d, 3, 2)
		var second []bench.Prediction
		if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { second = append(second, p) }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(first, second) {
			t.Errorf("%s: a second evaluation gave %v, the first %v", protocol, second, first)
		}
		byProtocol[k] = first
	}
	if slices.Equal(byProtocol[0], byProtocol[1]) {
		t.Error("online and frozen evaluation gave identical predictions: online learning had no effect")
	}
}

func TestOneHotMemoryRefusal(t *testing.T) {
	c := Config{MemoryLimitGB: 8}
	if err := c.resolve(); err != nil {
		t.Fatal(err)
	}
	err := c.checkMemory(1_000_000, 100_000, 0)
	if err == nil || !strings.Contains(err.Error(), "static mode onehot needs about") || !strings.Contains(err.Error(), "mode: learned") {
		t.Fatalf("err = %v, want a refusal with the estimate and the suggestion", err)
	}
	c.Static.Mode = "learned"
	if err := c.checkMemory(1_000_000, 100_000, 0); err != nil {
		t.Errorf("learned static embeddings at that scale refused: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, p := range []string{"    static: {mode: dense}\n", "    tbatch: maybe\n", "    window_rule: daily\n", "    dim: -1\n", "    dims: 3\n"} {
		if _, err := New(benchtest.Params(t, p), models.Env{}); err == nil {
			t.Errorf("params %q accepted", p)
		}
	}
}

// TestMaxWindowInteractionsCutsLargeTBatches: a t-batch larger than max_window_interactions is cut
// (a 1M-user burst would otherwise put ~90,000 interactions in one backpropagation step).
func TestMaxWindowInteractionsCutsLargeTBatches(t *testing.T) {
	d := tiny(t, bench.TaskNextItem) // one window: t-batches {0,1,3} {2,4} {5} of the training rows
	for _, tt := range []struct{ max, wantBatches int }{{100, 3}, {2, 4}, {1, 6}} {
		m := newModel(t, fmt.Sprintf("    dim: 3\n    windows: 1\n    max_window_interactions: %d\n", tt.max), ag.NewCPU())
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		if got, _ := m.NumBatches(); got != tt.wantBatches {
			t.Errorf("max %d: %d t-batches, want %d", tt.max, got, tt.wantBatches)
		}
		for k := range m.batches.NumBatches() {
			if n := len(m.batches.Batch(k)); n > tt.max {
				t.Errorf("max %d: t-batch %d holds %d", tt.max, k, n)
			}
		}
		if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEvaluateTwiceOnUnseenEntities: on a prefix where validation and test bring users and items
// that training never wrote, those rows read the learned initial embeddings; evaluation writes them
// and must make them read the initial embeddings again afterwards, so a second evaluation equals
// the first (before the fix, one row ranked 27 and then 30).
func TestEvaluateTwiceOnUnseenEntities(t *testing.T) {
	for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
		d := prefixData(t, "synth-wikipedia-small", 400, bench.TaskNextItem, protocol)
		m := newModel(t, "    dim: 8\n    windows: 40\n", ag.NewCPU())
		first := benchtest.Predictions(t, m, d, 11, 1)
		if err := samePredictions(first, evaluate(t, m, d)); err != nil {
			t.Errorf("%s: second evaluation: %v", protocol, err)
		}
	}
}

// TestLastWindow: the original trains only up to the last window its rolling rule closes
// (coupled.ClosedPrefix, tested there); last_window train keeps every training interaction.
func TestLastWindow(t *testing.T) {
	d := prefixData(t, "synth-wikipedia-small", 3000, bench.TaskNextItem, bench.ProtocolFrozen)
	trained := map[string]int{}
	for _, mode := range []string{"skip", "train"} {
		m := newModel(t, "    dim: 4\n    windows: 50\n    last_window: "+mode+"\n", ag.NewCPU())
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		st, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{})
		if err != nil {
			t.Fatal(err)
		}
		trained[mode] = st.Interactions
	}
	n := d.Split.TrainEnd
	want := coupled.ClosedPrefix(d.Times[:n], (d.Times[d.Len()-1]-d.Times[0])/50)
	if trained["train"] != n || trained["skip"] != want || want >= n {
		t.Errorf("trained %v interactions, want skip %d (< %d) and train %d", trained, want, n, n)
	}
}

// TestBatchServing: the states at the start of every serving window are the same under both
// servings (the same interactions were applied in the same order, with the same online steps), so
// each window's first prediction must be identical to realtime's; later predictions in a window
// come from stale embeddings, and some must differ.
func TestBatchServing(t *testing.T) {
	for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
		d := benchtest.SynthData(t, "synth-reddit-small", bench.TaskStateChange, protocol)
		d.Split.ValEnd, d.Split.TestEnd = d.Split.TrainEnd+150, d.Split.TrainEnd+300
		params := "    dim: 8\n    windows: 300\n"
		rt := benchtest.Predictions(t, newModel(t, params, ag.NewCPU()), d, 3, 1)
		m := newModel(t, params+"    serving: batch\n", ag.NewCPU())
		bt := benchtest.Predictions(t, m, d, 3, 1)
		if len(rt) != len(bt) {
			t.Fatalf("%s: %d predictions vs %d", protocol, len(bt), len(rt))
		}
		first := map[int]bool{0: true} // prediction indices that start a serving window
		windowStart := d.Times[d.Split.TrainEnd]
		for r := d.Split.TrainEnd; r < d.Split.TestEnd; r++ {
			if d.Times[r]-windowStart > m.windowLen {
				windowStart = d.Times[r]
				first[r+1-d.Split.TrainEnd] = true
			}
		}
		differ := 0
		for k := range rt {
			switch {
			case first[k] && rt[k] != bt[k]:
				t.Errorf("%s: prediction %d starts a window but differs: batch %+v, realtime %+v", protocol, k, bt[k], rt[k])
			case rt[k] != bt[k]:
				differ++
			}
		}
		if len(first) < 3 || differ == 0 {
			t.Errorf("%s: %d windows, %d predictions differ; the test needs several windows and stale predictions", protocol, len(first), differ)
		}
		t.Logf("%s: %d serving windows, %d of %d predictions differ from realtime", protocol, len(first), differ, len(rt))
	}
}

// recordingObserver checks the Embedder contract as JODIE streams: every update's prev is the
// entity's previous e (after its first update since a Restart), and it counts the updates.
type recordingObserver struct {
	t        *testing.T
	last     [2]map[int32][]float32
	count    [2]map[int32]int
	restarts int
}

func (o *recordingObserver) Restart() {
	o.restarts++
	for s := range o.last {
		o.last[s], o.count[s] = map[int32][]float32{}, map[int32]int{}
	}
}

func (o *recordingObserver) ObserveUpdate(side monitor.Side, id int32, prev, e []float32) {
	if p, ok := o.last[side][id]; ok && !slices.Equal(p, prev) {
		o.t.Fatalf("%s %d: prev is not the previous embedding reported", side, id)
	}
	o.last[side][id] = slices.Clone(e)
	o.count[side][id]++
}

// TestEmbedderReportsEveryUpdate: an observed epoch reports each user and item once per training
// interaction (those the epoch trains), each with the embedding it last reported as prev, after one
// Restart; the evaluation then continues every trajectory without a Restart.
func TestEmbedderReportsEveryUpdate(t *testing.T) {
	for _, engine := range []string{"tibench", "gorgonia"} {
		d := benchtest.SynthData(t, "synth-reddit-small", bench.TaskNextItem, bench.ProtocolFrozen)
		d.Split.ValEnd, d.Split.TestEnd = d.Split.TrainEnd+100, d.Split.TrainEnd+200
		m := newModel(t, "    dim: 8\n    windows: 100\n    engine: "+engine+"\n", ag.NewCPU())
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		o := &recordingObserver{t: t}
		m.ObserveEmbeddings(o)
		if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
			t.Fatal(err)
		}
		want := map[int32]int{}
		for k := range m.batches.NumBatches() {
			for _, r := range m.batches.Batch(k) {
				want[d.Users[r]]++
			}
		}
		if o.restarts != 1 || !maps.Equal(o.count[monitor.Users], want) {
			t.Errorf("%s: %d restarts, %d users observed, want 1 restart and the %d users trained", engine, o.restarts, len(o.count[monitor.Users]), len(want))
		}
		if err := m.Evaluate(context.Background(), d, func(bench.Prediction) {}); err != nil {
			t.Fatal(err)
		}
		for r := d.Split.TrainEnd; r < d.Split.TestEnd; r++ {
			want[d.Users[r]]++
		}
		if o.restarts != 1 || !maps.Equal(o.count[monitor.Users], want) {
			t.Errorf("%s: after evaluation %d restarts; user counts differ from training + evaluation rows", engine, o.restarts)
		}
	}
}
