package ctdne

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tibench/tibench/baselines/popularity"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/models"
)

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

// smallParams keep the tests fast: small vectors and corpora, refreshes as by default.
const smallParams = "    dim: 16\n    walks_per_node: 2\n    walk_length: 20\n    window: 5\n"

func newModel(t testing.TB, params string) *Model {
	t.Helper()
	m, err := New(benchtest.Params(t, params), models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

// prefix returns the first n rows of a synthetic preset, split chronologically by fractions.
func prefix(t testing.TB, preset string, n int, task bench.Task, fr [3]float64) *bench.Data {
	t.Helper()
	full, err := datasets.Synthesize(preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := *full
	d.Users, d.Items, d.Times, d.Labels = full.Users[:n], full.Items[:n], full.Times[:n], full.Labels[:n]
	d.Features = full.Features[:n*full.FeatureDim]
	split, err := datasets.SplitFractions(n, fr[0], fr[1], fr[2])
	if err != nil {
		t.Fatal(err)
	}
	bd, err := bench.NewData(&d, split, datasets.NormTrain, task, bench.ProtocolFrozen)
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

// TestSmoke trains one epoch on the first 5,000 rows of synth-wikipedia-small through the runner
// and requires a test MRR above the popularity floor's; then runs the state-change task on the
// first 8,000 rows of synth-mooc-small and requires a valid AUC.
func TestSmoke(t *testing.T) {
	ctx := context.Background()
	d := prefix(t, "synth-wikipedia-small", 5000, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	pop, err := popularity.New(bench.ModelParams{}, models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	floor, err := bench.Train(ctx, pop, d, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := bench.Train(ctx, newModel(t, smallParams), d, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, want := out.BestEpoch().Test["MRR"], floor.BestEpoch().Test["MRR"]
	t.Logf("test MRR %.4f after one epoch, popularity %.4f; loss %.4f", got, want, out.BestEpoch().Stats.Loss)
	if !(got > want) {
		t.Errorf("test MRR %.4f does not beat popularity's %.4f", got, want)
	}
	sd := prefix(t, "synth-mooc-small", 8000, bench.TaskStateChange, [3]float64{0.6, 0.2, 0.2})
	out, err = bench.Train(ctx, newModel(t, smallParams), sd, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	auc := out.BestEpoch().Test["AUC"]
	t.Logf("state-change test AUC %.4f", auc)
	if math.IsNaN(auc) || auc < 0 || auc > 1 {
		t.Errorf("state-change AUC %v", auc)
	}
}

// TestDeterministic (threads 1, the default): the same seed gives bit-identical predictions and
// another seed other ones; under both protocols and both tasks a second evaluation repeats the
// first exactly (Evaluate leaves the model as it found it, refreshes included); and the two
// protocols' refreshes differ (online also trains the output vectors).
func TestDeterministic(t *testing.T) {
	d := prefix(t, "synth-wikipedia-small", 1500, bench.TaskNextItem, [3]float64{0.6, 0.2, 0.2})
	run := func(seed uint64) []bench.Prediction {
		return benchtest.Predictions(t, newModel(t, smallParams), d, seed, 2)
	}
	a := run(5)
	if b := run(5); !slices.Equal(a, b) {
		t.Error("same seed, different predictions")
	}
	if c := run(6); slices.Equal(a, c) {
		t.Error("different seeds, same predictions")
	}
	sd := prefix(t, "synth-mooc-small", 3000, bench.TaskStateChange, [3]float64{0.6, 0.2, 0.2})
	for _, data := range []*bench.Data{d, sd} {
		var byProtocol [][]bench.Prediction
		for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
			dp := *data
			dp.Protocol = protocol
			m := newModel(t, smallParams)
			first := benchtest.Predictions(t, m, &dp, 1, 1)
			var second []bench.Prediction
			if err := m.Evaluate(context.Background(), &dp, func(p bench.Prediction) { second = append(second, p) }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(first, second) {
				t.Errorf("%s/%s: a second evaluation differs from the first", dp.Task, protocol)
			}
			byProtocol = append(byProtocol, first)
		}
		if slices.Equal(byProtocol[0], byProtocol[1]) {
			t.Errorf("%s: frozen and online predictions are identical", data.Task)
		}
	}
}

// TestNoPeek: predictions never depend on later rows. Two logs share their first k rows and
// differ afterwards (later items shuffled); every prediction of a row before k, refreshes
// included, is the same on both.
func TestNoPeek(t *testing.T) {
	d := prefix(t, "synth-wikipedia-small", 1500, bench.TaskNextItem, [3]float64{0.6, 0.2, 0.2})
	k := 1200 // inside the test part, after the second refresh (every 150 rows from 900)
	alt := *d.Dataset
	alt.Items = slices.Clone(d.Items)
	r := newTestRand(9)
	r.Shuffle(len(alt.Items)-k, func(i, j int) { alt.Items[k+i], alt.Items[k+j] = alt.Items[k+j], alt.Items[k+i] })
	da := *d
	da.Dataset = &alt
	a := benchtest.Predictions(t, newModel(t, smallParams), d, 1, 1)
	b := benchtest.Predictions(t, newModel(t, smallParams), &da, 1, 1)
	n := k - d.Split.TrainEnd
	if !slices.Equal(a[:n], b[:n]) {
		t.Error("predictions before row k depend on rows after it")
	}
	if slices.Equal(a[n:], b[n:]) {
		t.Error("the altered rows changed nothing (the test would not notice a peek)")
	}
}

// TestRefreshUsesSeenRows: with refreshes off the predictions differ from the default's, and a
// refresh interval beyond the stream gives exactly the no-refresh predictions.
func TestRefreshUsesSeenRows(t *testing.T) {
	d := prefix(t, "synth-wikipedia-small", 1500, bench.TaskNextItem, [3]float64{0.6, 0.2, 0.2})
	never := benchtest.Predictions(t, newModel(t, smallParams+"    refresh_every: -1\n"), d, 1, 1)
	beyond := benchtest.Predictions(t, newModel(t, smallParams+"    refresh_every: 100000\n"), d, 1, 1)
	def := benchtest.Predictions(t, newModel(t, smallParams), d, 1, 1)
	if !slices.Equal(never, beyond) {
		t.Error("a refresh interval longer than the stream changed the predictions")
	}
	if slices.Equal(never, def) {
		t.Error("refreshes changed nothing")
	}
}

// TestCheckpointResume: an epoch, a checkpoint loaded into a fresh model, and a second epoch give
// the predictions of two uninterrupted epochs; a checkpoint of other data is rejected.
func TestCheckpointResume(t *testing.T) {
	ctx := context.Background()
	d := prefix(t, "synth-wikipedia-small", 1000, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	want := benchtest.Predictions(t, newModel(t, smallParams), d, 3, 2)
	m := newModel(t, smallParams)
	_ = benchtest.Predictions(t, m, d, 3, 1)
	var buf bytes.Buffer
	if err := m.SaveCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	saved := buf.Bytes()
	fresh := newModel(t, smallParams)
	if err := fresh.Init(d, 3); err != nil {
		t.Fatal(err)
	}
	if err := fresh.LoadCheckpoint(bytes.NewReader(saved)); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.TrainEpoch(ctx, d, nil); err != nil {
		t.Fatal(err)
	}
	var got []bench.Prediction
	if err := fresh.Evaluate(ctx, d, func(p bench.Prediction) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("resumed training differs from uninterrupted training")
	}
	other := newModel(t, smallParams)
	if err := other.Init(prefix(t, "synth-reddit-small", 1000, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1}), 3); err != nil {
		t.Fatal(err)
	}
	if err := other.LoadCheckpoint(bytes.NewReader(saved)); err == nil {
		t.Error("a checkpoint of other data was accepted")
	}
	if err := other.LoadCheckpoint(bytes.NewReader(saved[:len(saved)/2])); err == nil {
		t.Error("a truncated checkpoint was accepted")
	}
}

// TestRejectsBadParams: unknown keys and out-of-range values are errors naming the key.
func TestRejectsBadParams(t *testing.T) {
	for _, params := range []string{
		"    dims: 8\n", "    start_bias: gaussian\n", "    neighbour_bias: later\n", "    similarity: l2\n",
		"    walk_length: 1\n", "    min_walk_length: 90\n", "    refresh_every: -2\n", "    threads: -3\n",
		"    lr: -0.1\n", "    time_scale: -5\n",
	} {
		if _, err := New(benchtest.Params(t, params), models.Env{}); err == nil {
			t.Errorf("%q accepted", params)
		}
	}
}

// TestConfigFile: configs/models/ctdne.yaml loads and states exactly the defaults.
func TestConfigFile(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "models", "ctdne.yaml")
	cfg, err := bench.LoadConfig([]bench.Layer{{Path: path}, {Path: "test", Data: []byte("dataset: {name: d}\nmodel: {name: ctdne}\n")}}, nil)
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
	m, err := models.New("ctdne", bench.ModelParams{}, models.Env{})
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

// TestHogwild: with two goroutines (racy by design, so only the outcome's validity is checked)
// training finishes with a finite loss and every rank is in [1, items].
func TestHogwild(t *testing.T) {
	d := prefix(t, "synth-wikipedia-small", 1500, bench.TaskNextItem, [3]float64{0.6, 0.2, 0.2})
	m := newModel(t, smallParams+"    threads: 2\n")
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	st, err := m.TrainEpoch(context.Background(), d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) || st.Steps == 0 {
		t.Errorf("epoch stats %+v", st)
	}
	err = m.Evaluate(context.Background(), d, func(p bench.Prediction) {
		if p.Rank < 1 || p.Rank > float64(d.NumItems()) {
			t.Fatalf("row %d: rank %v", p.Row, p.Rank)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
