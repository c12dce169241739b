package deepcoevolve

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
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

// tiny is a hand-made sequence with features and labels: 3 users, 3 items.
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

// TestStepGradients checks the gradient of a whole window in float64: three t-batches through the
// state tables (user 0 and item 1 reappear, so later batches backpropagate into earlier ones), the
// intensity term and the sampled survival term (negatives read the item table too), and the
// learned initial vectors.
func TestStepGradients(t *testing.T) {
	for _, scale := range []string{"0", "1"} {
		t.Run("score_scale="+scale, func(t *testing.T) {
			d := tiny(t, bench.TaskNextItem)
			m := newModel(t, "    dim: 3\n    windows: 1\n    negatives: 4\n    score_scale: "+scale+"\n", ag.NewCPU64())
			if err := m.Init(d, 1); err != nil {
				t.Fatal(err)
			}
			bad, err := agtest.CheckGradients(m.params, func(tp *ag.Tape) *ag.Tensor {
				m.tp = tp
				m.resetStates()
				var loss *ag.Tensor
				for _, rows := range [][]int32{{0, 1}, {2, 3}, {4, 5}} {
					l, _ := m.step(d, rows, true)
					if loss == nil {
						loss = l
					} else {
						loss = tp.Add(loss, l)
					}
				}
				m.users.Detach()
				m.items.Detach()
				return loss
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

// TestLossByHand: one interaction from the initial vectors, hand-computed. With one item every
// negative is that item: loss = −s + K·(N/K)·exp(s)·Δ²/2 with s = uᵀi·score_scale.
func TestLossByHand(t *testing.T) {
	d := benchtest.Data(t, []int32{0, 0, 0, 0}, []int32{0, 0, 0, 0}, []float64{0, 2, 3, 4}, nil, 3, 3, bench.ProtocolFrozen)
	m := newModel(t, "    dim: 2\n    negatives: 3\n    score_scale: 0.5\n    time_scale: 1\n", ag.NewCPU64())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	m.initUser.CopyFrom64([]float64{0.3, -0.2})
	m.initItem.CopyFrom64([]float64{0.5, 0.4})
	m.bias.CopyFrom64([]float64{0})
	m.resetStates()
	m.tp.SetGrad(false)
	// Row 1: the user's second interaction, Δ = 2 − 0 = 2, from the initial vectors (row 0 not run).
	l, _ := m.step(d, []int32{1}, true)
	s := 0.5 * (0.3*0.5 - 0.2*0.4)
	want := -s + math.Exp(s)*2*2/2
	if got := l.Scalar(); math.Abs(got-want) > 1e-6 { // Δ²/2·N/K is a float32 input
		t.Errorf("loss %v, want %v", got, want)
	}
	// Row 0, a first interaction: Δ = 0, no survival.
	m.resetStates()
	if l, _ := m.step(d, []int32{0}, true); math.Abs(l.Scalar()+s) > 1e-12 {
		t.Errorf("first interaction's loss %v, want %v", l.Scalar(), -s)
	}
}

// TestTBatchMatchesSequential: without negatives, t-Batch and one interaction per batch compute the
// same thing on one window (its t-batches hold interactions with no user or item in common), so
// one epoch gives the same loss and the same parameters, to float64 rounding.
func TestTBatchMatchesSequential(t *testing.T) {
	d := tiny(t, bench.TaskNextItem)
	var losses []float64
	var params [][]float64
	for _, tb := range []string{"on", "off"} {
		m := newModel(t, "    dim: 4\n    windows: 1\n    negatives: -1\n    tbatch: "+tb+"\n", ag.NewCPU64())
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		if b, _ := m.NumBatches(); (tb == "on") != (b < d.Split.TrainEnd) {
			t.Fatalf("tbatch %s: %d batches for %d interactions", tb, b, d.Split.TrainEnd)
		}
		st, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{})
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, st.Loss)
		var all []float64
		for _, p := range m.params {
			v := make([]float64, p.Len())
			p.CopyTo64(v)
			all = append(all, v...)
		}
		params = append(params, all)
	}
	if math.Abs(losses[0]-losses[1]) > 1e-12 {
		t.Errorf("loss t-Batch %v, sequential %v", losses[0], losses[1])
	}
	for k := range params[0] {
		if math.Abs(params[0][k]-params[1][k]) > 1e-12 {
			t.Fatalf("parameter %d: t-Batch %v, sequential %v", k, params[0][k], params[1][k])
		}
	}
}

// TestNegativesFollowRows: a row's negatives are a function of the seed, the epoch and the row, not
// of the batch it is in; they are spread over the items.
func TestNegativesFollowRows(t *testing.T) {
	d := tiny(t, bench.TaskNextItem)
	m := newModel(t, "    dim: 2\n    negatives: 5\n", ag.NewCPU())
	if err := m.Init(d, 7); err != nil {
		t.Fatal(err)
	}
	m.drawNegatives([]int32{2, 4})
	batch := slices.Clone(m.negIDs)
	m.drawNegatives([]int32{4})
	if !slices.Equal(batch[5:], m.negIDs) || !slices.Equal(m.negOf, []int32{0, 0, 0, 0, 0}) {
		t.Errorf("row 4's negatives %v alone, %v in a batch", m.negIDs, batch[5:])
	}
	m.epoch++
	m.drawNegatives([]int32{2, 4})
	if slices.Equal(batch, m.negIDs) {
		t.Error("the same negatives in two epochs")
	}
}

// TestSmokeDeterministic trains 2 epochs on a -small preset (the quick profile's budget): finite
// loss, an MRR in (0, 1], and the same metrics from the same seed.
func TestSmokeDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains DeepCoevolve for 2 epochs")
	}
	d := benchtest.SynthData(t, "synth-wikipedia-small", bench.TaskNextItem, bench.ProtocolFrozen)
	run := func() float64 {
		out, err := bench.Train(context.Background(), newModel(t, "    dim: 32\n", ag.NewCPU()), d, 1, bench.RunConfig{Epochs: 2}, bench.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return out.BestEpoch().Test["MRR"]
	}
	a, b := run(), run()
	t.Logf("test MRR %.4f", a)
	if a != b {
		t.Errorf("same seed, different MRR: %v vs %v", a, b)
	}
	if !(a > 0 && a <= 1) {
		t.Errorf("MRR %v outside (0, 1]", a)
	}
}

// fixedPreferences is a log where user u always interacts with item u (60 users, 6000
// interactions, exponential gaps): the association a coupled update must learn to carry from one
// interaction to the next. Popularity ranks the truth about 30th here (MRR ≈ 0.08).
func fixedPreferences(t *testing.T) *bench.Data {
	r := rand.New(rand.NewPCG(1, 2))
	const n, users = 6000, 60
	ds := &datasets.Dataset{Name: "fixed-preferences"}
	var at float64
	for range n {
		u := int32(r.IntN(users))
		at += r.ExpFloat64() * 100
		ds.Users, ds.Items = append(ds.Users, u), append(ds.Items, u)
		ds.Times, ds.Labels = append(ds.Times, at), append(ds.Labels, 0)
	}
	for k := range users {
		ds.UserIDs, ds.ItemIDs = append(ds.UserIDs, fmt.Sprint(k)), append(ds.ItemIDs, fmt.Sprint(k))
	}
	d, err := bench.NewData(ds, datasets.Split{N: n, TrainEnd: n * 8 / 10, ValEnd: n * 9 / 10, TestEnd: n},
		datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLearnsFixedPreferences: the model can learn. On fixedPreferences, where the item a user
// interacted with last is always the next one, the intensity of (u, u) must come to dominate:
// test MRR ≥ 0.8 after 8 epochs (measured 0.99 when written; epoch 1 gives 0.09, popularity's
// level). A gradient that never crosses windows, or updates that ignore the partner's embedding,
// stay near 0.1.
func TestLearnsFixedPreferences(t *testing.T) {
	if testing.Short() {
		t.Skip("trains DeepCoevolve for 8 epochs")
	}
	d := fixedPreferences(t)
	m := newModel(t, "    dim: 32\n    windows: 100\n    lr: 0.01\n", ag.NewCPU())
	out, err := bench.Train(context.Background(), m, d, 1, bench.RunConfig{Epochs: 8}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.BestEpoch().Test["MRR"]; got < 0.8 {
		t.Errorf("test MRR %.4f after 8 epochs, want ≥ 0.8", got)
	}
}

// TestEvaluateLeavesModelUnchanged: under both protocols and both tasks, two evaluations give
// identical predictions (Evaluate restores the states and, online, the parameters), and online
// evaluation (which learns) differs from frozen.
func TestEvaluateLeavesModelUnchanged(t *testing.T) {
	for _, task := range []bench.Task{bench.TaskNextItem, bench.TaskStateChange} {
		var byProtocol [2][]bench.Prediction
		for k, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
			d := tiny(t, task)
			d.Protocol = protocol
			// Evaluate rows 4–7 (times 6, 7, 9, 10) with windows of 0.5: online steps after row 5.
			d.Split = datasets.Split{N: 8, TrainEnd: 4, ValEnd: 6, TestEnd: 8}
			m := newModel(t, "    dim: 4\n    windows: 20\n    lr: 0.05\n", ag.NewCPU())
			first := benchtest.Predictions(t, m, d, 3, 2)
			var second []bench.Prediction
			if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { second = append(second, p) }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(first, second) {
				t.Errorf("%s %s: a second evaluation gave %v, the first %v", task.Name(), protocol, second, first)
			}
			byProtocol[k] = first
		}
		// With 3 items the next-item ranks are too coarse to show the online step; the state-change
		// scores are continuous.
		if task == bench.TaskStateChange && slices.Equal(byProtocol[0], byProtocol[1]) {
			t.Errorf("%s: online and frozen evaluation gave identical predictions: online learning had no effect", task.Name())
		}
	}
}

// TestStateChangeDeterministic: the state-change read-out runs and the same seed gives the same
// scores on a -small preset.
func TestStateChangeDeterministic(t *testing.T) {
	d := benchtest.SynthData(t, "synth-mooc-small", bench.TaskStateChange, bench.ProtocolFrozen)
	a := benchtest.Predictions(t, newModel(t, "    dim: 8\n    windows: 50\n", ag.NewCPU()), d, 5, 1)
	b := benchtest.Predictions(t, newModel(t, "    dim: 8\n    windows: 50\n", ag.NewCPU()), d, 5, 1)
	if !slices.Equal(a, b) {
		t.Error("same seed, different state-change predictions")
	}
	distinct := map[float64]bool{}
	for _, p := range a {
		distinct[p.Score] = true
	}
	if len(distinct) < 10 {
		t.Errorf("%d distinct scores over %d rows: the read-out does not look at the embeddings", len(distinct), len(a))
	}
}

func TestConfigErrors(t *testing.T) {
	for _, p := range []string{"    tbatch: maybe\n", "    window_rule: daily\n", "    dim: -1\n", "    negatives: -2\n", "    dims: 3\n", "    score_scale: -1\n"} {
		if _, err := New(benchtest.Params(t, p), models.Env{}); err == nil {
			t.Errorf("params %q accepted", p)
		}
	}
	m := newModel(t, "", ag.NewCPU())
	if c := m.cfg; c.Dim != 128 || c.Negatives != 10 || c.Windows != 500 || c.TBatch != "on" || c.ScoreScale != 1/math.Sqrt(128) {
		t.Errorf("defaults %+v", c)
	}
}

// TestConfigFile: configs/models/deepcoevolve.yaml loads and states exactly the defaults.
func TestConfigFile(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "models", "deepcoevolve.yaml")
	cfg, err := bench.LoadConfig([]bench.Layer{{Path: path}, {Path: "test", Data: []byte("dataset: {name: d}\nmodel: {name: deepcoevolve}\n")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := New(cfg.Model.Params, models.Env{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defaults, err := New(bench.ModelParams{}, models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fromFile.(*Model).cfg, defaults.(*Model).cfg; a != b {
		t.Errorf("%s states %+v, the defaults are %+v", path, a, b)
	}
}

// TestRegistered: the model registered itself with the capabilities the harness relies on.
func TestRegistered(t *testing.T) {
	m, err := models.New("deepcoevolve", bench.ModelParams{}, models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(bench.Ranker); !ok {
		t.Errorf("%T is not a bench.Ranker", m)
	}
	if _, ok := m.(bench.StateClassifier); !ok {
		t.Errorf("%T is not a bench.StateClassifier", m)
	}
}

// TestRankAveragesTies: 3 items of dim 2, user (1, 0). Scores uᵀj of items (2, 0), (1, 5), (1, −5):
// 2, 1, 1. The target 0 ranks 1; the target 1 has one item above and one equal: 1 + 1 + 1/2 = 2.5
// (the optimistic rule would say 2). All equal: 1 + 2/2 = 2 for every target.
func TestRankAveragesTies(t *testing.T) {
	d := tiny(t, bench.TaskNextItem)
	m := newModel(t, "    dim: 2\n", ag.NewCPU64())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	user := []float32{1, 0}
	for _, c := range []struct {
		items  []float32
		target int32
		want   float64
	}{
		{[]float32{2, 0, 1, 5, 1, -5}, 0, 1},
		{[]float32{2, 0, 1, 5, 1, -5}, 1, 2.5},
		{[]float32{2, 0, 1, 5, 1, -5}, 2, 2.5},
		{[]float32{.3, .1, .3, .1, .3, .1}, 1, 2},
	} {
		m.ev.items = c.items
		if got := m.rank(user, c.target); got != c.want {
			t.Errorf("items %v, target %d: rank %v, want %v", c.items, c.target, got, c.want)
		}
	}
}
