// Package seqrectest holds the checks every sequence baseline runs on itself: a gradient check of a
// whole training window, a check that every parameter is reached by the loss, the -small smoke
// test, and the training and evaluation benchmarks.
package seqrectest

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/baselines/popularity"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
	"github.com/tibench/tibench/models"
)

// Tiny is a hand-made sequence with two features and labels: 3 users, 3 items, 10 rows over three
// days, split 6 / 2 / 2.
func Tiny(t testing.TB, task bench.Task, protocol bench.Protocol) *bench.Data {
	t.Helper()
	d := &datasets.Dataset{Name: "tiny",
		Users:  []int32{0, 1, 0, 2, 1, 0, 2, 1, 0, 2},
		Items:  []int32{0, 1, 1, 2, 0, 2, 1, 1, 0, 2},
		Times:  []float64{0, 3600, 7200, 30000, 90000, 100000, 150000, 200000, 210000, 250000},
		Labels: []uint8{0, 0, 1, 0, 0, 1, 0, 0, 1, 0}, FeatureDim: 2,
		Features: []float32{.1, .2, .3, -.1, .5, .5, -.2, .1, 0, .4, .2, .2, -.3, .1, .1, .1, .4, -.2, 0, .3},
		UserIDs:  []string{"a", "b", "c"}, ItemIDs: []string{"x", "y", "z"}}
	bd, err := bench.NewData(d, datasets.Split{N: 10, TrainEnd: 6, ValEnd: 8, TestEnd: 10}, datasets.NormTrain, task, protocol)
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

// New builds a model of spec from YAML parameters (indented under model.params) on be.
func New(t testing.TB, spec seqrec.Spec, params string, be ag.Backend) *seqrec.Model {
	t.Helper()
	m, err := seqrec.New(spec, benchtest.Params(t, params), be, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// AllInputs are parameters that turn every context input on, at a size a gradient check affords.
const AllInputs = "    dim: 3\n    use_dt: true\n    use_features: true\n    clock: on\n"

// windowSteps are three steps of Tiny in which users 0 and 1 and items 0, 1 and 2 come back, so
// later steps' losses backpropagate through earlier steps' states (an item state written by the
// second step is scored by the third). Users and items are distinct within each step, so they are
// valid for coupled models too.
var windowSteps = [][]int32{{0, 1}, {2, 3}, {4, 5}}

// CheckGradients compares, in float64, the analytic gradient of a three-step training window —
// cross-entropy of every step's scores plus a fixed projection of every step's user embeddings —
// with central finite differences, for every parameter of the model (the learned initial states
// included). params are model.params lines (AllInputs exercises every input).
func CheckGradients(t *testing.T, spec seqrec.Spec, params string) {
	t.Helper()
	d := Tiny(t, bench.TaskNextItem, bench.ProtocolFrozen)
	m := New(t, spec, params, ag.NewCPU64())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	bad, err := agtest.CheckGradients(m.Params(), func(tp *ag.Tape) *ag.Tensor {
		loss, _, embs := m.Window(tp, d, windowSteps)
		for _, e := range embs {
			loss = tp.Add(loss, agtest.Project(tp, e))
		}
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// EveryParamLearns checks that the loss of a training window reaches every parameter: a parameter
// without gradient is one the net forgot to use (or uses in the wrong place).
func EveryParamLearns(t *testing.T, spec seqrec.Spec, params string) {
	t.Helper()
	d := Tiny(t, bench.TaskNextItem, bench.ProtocolFrozen)
	m := New(t, spec, params, ag.NewCPU64())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	tp := ag.NewTape(ag.NewCPU64())
	loss, _, embs := m.Window(tp, d, windowSteps)
	for _, e := range embs {
		loss = tp.Add(loss, agtest.Project(tp, e))
	}
	m.Params().ZeroGrad()
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		nonzero := false
		for _, g := range p.GradValues() {
			nonzero = nonzero || g != 0
		}
		if !nonzero {
			t.Errorf("%s receives no gradient", p.Name)
		}
	}
}

// NoPeek checks that a step's item scores are computed before its interactions are revealed: they
// must not change when the step's items, features and item-side time deltas are replaced (its
// users and times stay: they are known when the prediction is made).
func NoPeek(t *testing.T, spec seqrec.Spec, params string) {
	t.Helper()
	d := Tiny(t, bench.TaskNextItem, bench.ProtocolFrozen)
	m := New(t, spec, params, ag.NewCPU64())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	scores := func(d *bench.Data) []float64 {
		tp := ag.NewTape(ag.NewCPU64())
		_, logits, _ := m.Window(tp, d, windowSteps)
		last := logits[len(logits)-1]
		v := make([]float64, last.Len())
		last.CopyTo64(v)
		return v
	}
	want := scores(d)
	changed := *d
	ds := *d.Dataset
	changed.Dataset = &ds
	tf := *d.Time
	changed.Time = &tf
	ds.Items, ds.Features = slices.Clone(d.Items), slices.Clone(d.Features)
	tf.DeltaItem = slices.Clone(d.Time.DeltaItem)
	for _, r := range windowSteps[len(windowSteps)-1] {
		ds.Items[r] = (ds.Items[r] + 1) % int32(d.NumItems())
		for j := range ds.FeatureDim {
			ds.Features[int(r)*ds.FeatureDim+j] += 1
		}
		tf.DeltaItem[r] += 1
	}
	if got := scores(&changed); !slices.Equal(got, want) {
		t.Errorf("%s: the last step's scores depend on its own items or features", spec.Name)
	}
}

// Prefix returns the first n rows of a synthetic preset, split chronologically by fractions.
func Prefix(t testing.TB, preset string, n int, task bench.Task, fr [3]float64) *bench.Data {
	t.Helper()
	full, err := datasets.Synthesize(preset, 1)
	if err != nil {
		t.Fatal(err)
	}
	n = min(n, full.Len())
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

// SmokeParams are the smoke test's parameters: the defaults at a quarter of the hidden size.
const SmokeParams = "    dim: 32\n"

// Smoke trains one epoch on the first 5,000 rows of synth-wikipedia-small through the runner and
// requires a test MRR above the popularity floor's, then runs the state-change task (read-out AUC)
// on the first 8,000 rows of synth-mooc-small (about 80 drop-outs) and requires a valid AUC.
func Smoke(t *testing.T, spec seqrec.Spec) {
	t.Helper()
	ctx := context.Background()
	d := Prefix(t, "synth-wikipedia-small", 5000, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	pop, err := popularity.New(bench.ModelParams{}, models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	floor, err := bench.Train(ctx, pop, d, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := bench.Train(ctx, New(t, spec, SmokeParams, ag.NewCPU()), d, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, want := out.BestEpoch().Test["MRR"], floor.BestEpoch().Test["MRR"]
	t.Logf("%s: test MRR %.4f after one epoch, popularity %.4f", spec.Name, got, want)
	if !(got > want) {
		t.Errorf("%s: test MRR %.4f does not beat popularity's %.4f", spec.Name, got, want)
	}

	sd := Prefix(t, "synth-mooc-small", 8000, bench.TaskStateChange, [3]float64{0.6, 0.2, 0.2})
	out, err = bench.Train(ctx, New(t, spec, SmokeParams, ag.NewCPU()), sd, 1, bench.RunConfig{Epochs: 1}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	auc := out.BestEpoch().Test["AUC"]
	t.Logf("%s: state-change test AUC %.4f", spec.Name, auc)
	if math.IsNaN(auc) || auc < 0 || auc > 1 {
		t.Errorf("%s: state-change AUC %v", spec.Name, auc)
	}
}

// Bench times one training epoch and one whole evaluation pass (the replay of the training rows
// included, as the first evaluation after every epoch) on a full preset with the default
// parameters, reporting sec/epoch and sec/eval (wall) beside Go's ns/op, and the process's CPU
// time per epoch or pass (cpu-sec/...), which a machine shared with other work inflates less.
func Bench(b *testing.B, spec seqrec.Spec, dataset string) {
	full, err := datasets.Synthesize(dataset, 1)
	if err != nil {
		b.Fatal(err)
	}
	split, err := datasets.SplitFractions(full.Len(), datasets.NextItemTrain, datasets.NextItemVal, datasets.NextItemTest)
	if err != nil {
		b.Fatal(err)
	}
	d, err := bench.NewData(full, split, datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m := New(b, spec, "", ag.NewCPU())
	if err := m.Init(d, 1); err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("model=%s/dataset=%s", spec.Name, dataset)
	b.Run(name+"/phase=train", func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			if _, err := m.TrainEpoch(ctx, d, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/epoch")
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-sec/epoch")
		b.ReportMetric(float64(split.TrainEnd*b.N)/b.Elapsed().Seconds(), "interactions/s")
	})
	b.Run(name+"/phase=eval", func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			m.ResetEvaluation()
			if err := m.Evaluate(ctx, d, func(bench.Prediction) {}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/eval")
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-sec/eval")
	})
}

// ConfigFile checks configs/models/<name>.yaml: it loads as a config layer, builds the model, and
// states exactly the defaults that the zero values resolve to (the file documents them).
func ConfigFile(t *testing.T, spec seqrec.Spec) {
	t.Helper()
	path := filepath.Join("..", "..", "configs", "models", spec.Name+".yaml")
	cfg, err := bench.LoadConfig([]bench.Layer{{Path: path}, {Path: "test", Data: []byte("dataset: {name: d}\nmodel: {name: " + spec.Name + "}\n")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := seqrec.New(spec, cfg.Model.Params, nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defaults, err := seqrec.New(spec, bench.ModelParams{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fromFile.Config().(seqrec.Config), defaults.Config().(seqrec.Config)
	if *a.UseDt != *b.UseDt || *a.UseFeatures != *b.UseFeatures {
		t.Errorf("%s: use_dt/use_features %v/%v, defaults %v/%v", path, *a.UseDt, *a.UseFeatures, *b.UseDt, *b.UseFeatures)
	}
	if (a.Cross == nil) != (b.Cross == nil) || a.Cross != nil && *a.Cross != *b.Cross {
		t.Errorf("%s: cross %v, default %v", path, a.Cross, b.Cross)
	}
	a.UseDt, a.UseFeatures, b.UseDt, b.UseFeatures = nil, nil, nil, nil
	a.Cross, b.Cross = nil, nil
	if a != b {
		t.Errorf("%s states %+v, the defaults are %+v", path, a, b)
	}
}

// Quality trains a model with the default parameters for epochs epochs on a whole preset (split
// 80/10/10, frozen protocol, seed 1) through the runner, and reports the test MRR and Recall@10 at
// the best validation epoch, with the wall time per epoch. It is a benchmark because it takes
// minutes; the popularity and repeatlast floors give the scale:
//
//	go test -run '^$' -bench Quality -benchtime 1x ./baselines/lstm
func Quality(b *testing.B, spec seqrec.Spec, dataset string, epochs int) {
	full, err := datasets.Synthesize(dataset, 1)
	if err != nil {
		b.Fatal(err)
	}
	split, err := datasets.SplitFractions(full.Len(), datasets.NextItemTrain, datasets.NextItemVal, datasets.NextItemTest)
	if err != nil {
		b.Fatal(err)
	}
	d, err := bench.NewData(full, split, datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("model=%s/dataset=%s/epochs=%d", spec.Name, dataset, epochs), func(b *testing.B) {
		var out *bench.Outcome
		for b.Loop() {
			out, err = bench.Train(context.Background(), New(b, spec, "", ag.NewCPU()), d, 1, bench.RunConfig{Epochs: epochs}, bench.RunOptions{})
			if err != nil {
				b.Fatal(err)
			}
		}
		best := out.BestEpoch()
		b.ReportMetric(best.Test["MRR"], "MRR")
		b.ReportMetric(best.Test["recall@10"], "recall@10")
		b.ReportMetric(float64(best.Epoch), "best-epoch")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N*epochs), "sec/epoch")
	})
}

// Deterministic checks, on the first 600 rows of synth-wikipedia-small with small parameters and
// float32 (parallel matrix products), that the same seed gives bit-identical predictions (ranks)
// and another seed other ones, and, under both protocols, that a second evaluation repeats the
// first exactly: Evaluate leaves the model as it found it. On Tiny's state-change task it checks
// the same of the read-out's scores.
func Deterministic(t *testing.T, spec seqrec.Spec) {
	t.Helper()
	const params = "    dim: 8\n    batch_users: 4\n    bptt: 5\n"
	ctx := context.Background()
	evaluate := func(m *seqrec.Model, d *bench.Data) []bench.Prediction {
		var out []bench.Prediction
		if err := m.Evaluate(ctx, d, func(p bench.Prediction) { out = append(out, p) }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	d := Prefix(t, "synth-wikipedia-small", 600, bench.TaskNextItem, [3]float64{0.8, 0.1, 0.1})
	run := func(seed uint64) []bench.Prediction {
		return benchtest.Predictions(t, New(t, spec, params, ag.NewCPU()), d, seed, 2)
	}
	a := run(5)
	if b := run(5); !slices.Equal(a, b) {
		t.Errorf("%s: same seed, different predictions", spec.Name)
	}
	if c := run(6); slices.Equal(a, c) {
		t.Errorf("%s: different seeds, same predictions", spec.Name)
	}
	sd := Tiny(t, bench.TaskStateChange, bench.ProtocolFrozen)
	for _, data := range []*bench.Data{d, sd} {
		for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
			dp := *data
			dp.Protocol = protocol
			m := New(t, spec, params, ag.NewCPU())
			first := benchtest.Predictions(t, m, &dp, 1, 1)
			if second := evaluate(m, &dp); !slices.Equal(first, second) {
				t.Errorf("%s: %s/%s: a second evaluation differs from the first", spec.Name, dp.Task, protocol)
			}
		}
	}
}

// Registered checks that the model registered itself under spec.Name with the capabilities the
// harness relies on (next-item ranking and a state-change read-out).
func Registered(t *testing.T, spec seqrec.Spec) {
	t.Helper()
	m, err := models.New(spec.Name, bench.ModelParams{}, models.Env{})
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
