// Package sessiontest holds the tests and benchmarks every session model runs: smoke through the
// registry and the task's scorer, determinism, the config file against the defaults, learning,
// and the epoch benchmark on a large synthetic session set.
package sessiontest

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/models"
)

// Preset is the synthetic preset the tests cut sessions from.
const Preset = "synth-reddit-small"

// SmallParams are parameters small enough for unit tests.
const SmallParams = "    dim: 8\n    batch_size: 16\n    eval_batch: 7\n    lr: 0.01\n"

// New builds a registered model from YAML parameters (indented under model.params).
func New(t testing.TB, name, params string) bench.Model {
	t.Helper()
	var p bench.ModelParams
	if params != "" {
		p = benchtest.Params(t, params)
	}
	m, err := models.New(name, p, models.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Score runs predictions through the session task's scorer and returns both parts' scores.
func Score(t testing.TB, d *bench.Data, ps []bench.Prediction) [2]bench.Scores {
	t.Helper()
	sc := bench.TaskSession.NewScorer(d)
	for _, p := range ps {
		if err := sc.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	var out [2]bench.Scores
	for i, part := range []bench.Part{bench.PartValidation, bench.PartTest} {
		s, err := sc.Scores(part)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Errorf("%s %s = %v", part, k, v)
			}
		}
		out[i] = s
	}
	return out
}

// Smoke trains a registered model two epochs with small parameters on Preset's sessions and checks
// that every click gets one valid prediction (the task's scorer accepts the pass), that the
// training loss is finite and decreases, and, for models with a dwell head, that the dwell
// predictions vary.
func Smoke(t *testing.T, name, params string, dwell bool) {
	d := benchtest.SessionData(t, Preset)
	m := New(t, name, SmallParams+params)
	if _, ok := m.(bench.SessionPredictor); !ok {
		t.Fatalf("%T is not a bench.SessionPredictor", m)
	}
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var losses []float64
	for range 2 {
		st, err := m.TrainEpoch(ctx, d, bench.NoProgress{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Interactions == 0 || math.IsNaN(st.Loss) {
			t.Fatalf("epoch stats %+v", st)
		}
		losses = append(losses, st.Loss)
	}
	if !(losses[1] < losses[0]) {
		t.Errorf("training loss %v did not decrease", losses)
	}
	var ps []bench.Prediction
	if err := m.Evaluate(ctx, d, func(p bench.Prediction) { ps = append(ps, p) }); err != nil {
		t.Fatal(err)
	}
	sc := Score(t, d, ps)
	values := map[float64]bool{}
	for _, p := range ps {
		values[p.Value] = true
	}
	switch {
	case dwell && len(values) < 10:
		t.Errorf("%d distinct dwell predictions", len(values))
	case !dwell && (len(values) != 1 || !values[0]):
		t.Errorf("a model without a dwell head predicts %d distinct dwell values, want only 0", len(values))
	}
	_, test, err := bench.Evaluate(ctx, m, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, hasMAE := test["MAE"]; hasMAE != dwell {
		t.Errorf("test scores %v: MAE recorded %v, want %v (a model without a dwell head gets none)", test, hasMAE, dwell)
	}
	t.Logf("%s: losses %v, test %v", name, losses, sc[1])
}

// Deterministic checks that two models with the same seed give bit-identical predictions, that
// Evaluate leaves the model as it found it, and that another seed changes the predictions.
func Deterministic(t *testing.T, name, params string) {
	d := benchtest.SessionData(t, Preset)
	run := func(seed uint64) ([]bench.Prediction, []bench.Prediction) {
		m := New(t, name, SmallParams+params)
		a := benchtest.Predictions(t, m, d, seed, 1)
		var b []bench.Prediction
		if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { b = append(b, p) }); err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	a1, b1 := run(1)
	a2, _ := run(1)
	if !reflect.DeepEqual(a1, a2) {
		t.Error("same seed, different predictions")
	}
	if !reflect.DeepEqual(a1, b1) {
		t.Error("a second Evaluate gave other predictions")
	}
	if c, _ := run(2); reflect.DeepEqual(a1, c) {
		t.Error("seeds 1 and 2 gave identical predictions")
	}
}

// ConfigFile checks that configs/models/<name>.yaml loads and states the defaults.
func ConfigFile(t *testing.T, spec session.Spec) {
	t.Helper()
	path := filepath.Join("..", "..", "configs", "models", spec.Name+".yaml")
	cfg, err := bench.LoadConfig([]bench.Layer{{Path: path}, {Path: "test", Data: []byte("dataset: {name: d}\nmodel: {name: " + spec.Name + "}\n")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := session.New(spec, cfg.Model.Params, nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defaults, err := session.New(spec, bench.ModelParams{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fromFile.Config().(session.Config), defaults.Config().(session.Config)
	if (a.SampleAlpha == nil) != (b.SampleAlpha == nil) || a.SampleAlpha != nil && *a.SampleAlpha != *b.SampleAlpha {
		t.Errorf("%s: sample_alpha %v, default %v", path, a.SampleAlpha, b.SampleAlpha)
	}
	a.SampleAlpha, b.SampleAlpha = nil, nil
	if (a.SampledLogQ == nil) != (b.SampledLogQ == nil) || a.SampledLogQ != nil && *a.SampledLogQ != *b.SampledLogQ {
		t.Errorf("%s: sampled_logq %v, default %v", path, a.SampledLogQ, b.SampledLogQ)
	}
	a.SampledLogQ, b.SampledLogQ = nil, nil
	if a != b {
		t.Errorf("%s states %+v, the defaults are %+v", path, a, b)
	}
}

// SyntheticSessions builds a session view of n sessions over items items with about clicks
// clicks, for speed benchmarks: lengths 2 + Geometric, items drawn from a Zipf law, log-normal
// dwell times censored as JUMP's eq. 4 (c1 2000 s, the last click c2 30 s). Split 70/10/20.
func SyntheticSessions(n, clicks, items int, seed uint64) *bench.Data {
	r := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(items-1))
	meanExtra := float64(clicks)/float64(n) - 2
	ss := &datasets.Sessions{Name: fmt.Sprintf("synthetic-%d-sessions", n), Config: datasets.SessionConfig{C1: 2000, C2: 30}}
	for i := range items {
		ss.ItemIDs = append(ss.ItemIDs, strconv.Itoa(i))
	}
	t := 0.0
	for i := range n {
		l := 2
		for r.Float64() < meanExtra/(meanExtra+1) {
			l++
		}
		s := datasets.Session{ID: strconv.Itoa(i), User: -1}
		for k := range l {
			s.Items = append(s.Items, int32(zipf.Uint64()))
			s.Times = append(s.Times, t)
			dwell := math.Exp(3.5 + 1.2*r.NormFloat64())
			switch {
			case k == l-1:
				s.Dwell, s.Censored = append(s.Dwell, 30), append(s.Censored, true)
			case dwell >= 2000:
				s.Dwell, s.Censored = append(s.Dwell, 2000), append(s.Censored, true)
			default:
				s.Dwell, s.Censored = append(s.Dwell, math.Floor(dwell)), append(s.Censored, false)
			}
			t += math.Floor(dwell)
		}
		ss.Sessions = append(ss.Sessions, s)
	}
	tr, va, te, err := ss.Split(0.7, 0.1)
	if err != nil {
		panic(err)
	}
	return &bench.Data{Task: bench.TaskSession, Cutoffs: []int{20},
		Sessions: &bench.SessionView{Sessions: ss, Train: tr, Val: va, Test: te}}
}

// Bench times a training epoch and an evaluation pass of a registered model with its default
// parameters (plus params) on SyntheticSessions(sessions, clicks, items).
func Bench(b *testing.B, name, params string, sessions, clicks, items int) {
	d := SyntheticSessions(sessions, clicks, items, 1)
	m := New(b, name, params)
	if err := m.Init(d, 1); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var trainClicks int
	for _, s := range d.Sessions.Train {
		trainClicks += s.Len()
	}
	tag := fmt.Sprintf("model=%s/sessions=%d/items=%d", name, sessions, items)
	if params != "" {
		tag += "/params=" + strings.Join(strings.Fields(params), "")
	}
	b.Run(tag+"/phase=train", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.TrainEpoch(ctx, d, bench.NoProgress{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/epoch")
		b.ReportMetric(float64(trainClicks*b.N)/b.Elapsed().Seconds(), "clicks/s")
	})
	b.Run(tag+"/phase=eval", func(b *testing.B) {
		for b.Loop() {
			if err := m.Evaluate(ctx, d, func(bench.Prediction) {}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "sec/eval")
	})
}

// DigineticaSample is the public DIGINETICA sample beside the repository, from a model package's
// directory (baselines/<model>).
const DigineticaSample = "../../../shared/datasets/diginetica-sample.csv"

// Real trains a registered model with its default parameters (plus params) on the DIGINETICA
// sample's sessions (JUMP's CIKM16 preprocessing: c1 2000 s, c2 30 s, items clicked fewer than 3
// times and one-click sessions dropped; split 70/10/20 by start), for epochs epochs, and reports the
// test MAE and Recall/MRR/NDCG@20 of the epoch with the best validation MRR@20. It skips when the
// sample is absent. A quick check of one model; the tables' runs go through the pipeline
// (tibench run configs/experiments-real/jump-diginetica.yaml), which selects the epoch the same way:
//
//	go test -run '^$' -bench Diginetica -benchtime 1x ./baselines/<model>
func Real(b *testing.B, name, params string, epochs int) {
	ss, err := datasets.LoadDiginetica(context.Background(), DigineticaSample, datasets.SessionConfig{})
	if err != nil {
		b.Skipf("DIGINETICA sample not available (%v): place it at %s", err, DigineticaSample)
	}
	tr, va, te, err := ss.Split(bench.SessionTrain, bench.SessionVal)
	if err != nil {
		b.Fatal(err)
	}
	d := &bench.Data{Task: bench.TaskSession, Cutoffs: []int{20},
		Sessions: &bench.SessionView{Sessions: ss, Train: tr, Val: va, Test: te}}
	b.Run(fmt.Sprintf("model=%s/dataset=diginetica-sample", name), func(b *testing.B) {
		for b.Loop() {
			m := New(b, name, params)
			if err := m.Init(d, 1); err != nil {
				b.Fatal(err)
			}
			best, bestVal := [2]bench.Scores{}, -1.0
			for range epochs {
				if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
					b.Fatal(err)
				}
				var ps []bench.Prediction
				if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { ps = append(ps, p) }); err != nil {
					b.Fatal(err)
				}
				if sc := Score(b, d, ps); sc[0]["MRR@20"] > bestVal {
					best, bestVal = sc, sc[0]["MRR@20"]
				}
			}
			for _, u := range []string{"MAE", "recall@20", "MRR@20", "ndcg@20"} {
				b.ReportMetric(best[1][u], u)
			}
		}
	})
}

// BenchEpochs is every session model's speed benchmark on issue #12's set (100,000 sessions,
// ~1,000,000 clicks, 40,000 items): with the sampled softmax of 2,048 items and sparse Adam on the
// whole set, and
// with the full softmax on a tenth of the sessions (the full softmax costs the same per click, so
// its epoch on the whole set is ten times that; one pass of it takes many minutes on 2 cores).
func BenchEpochs(b *testing.B, name string) {
	b.Run("softmax=sampled", func(b *testing.B) {
		Bench(b, name, "    sampled_softmax: 2048\n    sparse_adam: true\n", 100000, 1000000, 40000)
	})
	b.Run("softmax=full", func(b *testing.B) { Bench(b, name, "", 10000, 100000, 40000) })
}

// Resume checks checkpoints (bench.Checkpointer): two epochs in one go and one epoch, a checkpoint,
// a fresh model Init-ed alike that loads it and trains the second epoch give bit-identical
// predictions; a checkpoint does not load into a model of other parameters.
func Resume(t *testing.T, name, params string) {
	d := benchtest.SessionData(t, Preset)
	saved := benchtest.ResumeMatches(t, func() bench.Model { return New(t, name, SmallParams+params) }, d, 1)
	other := New(t, name, SmallParams+params+"    clip: 3\n")
	if err := other.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	if err := other.(bench.Checkpointer).LoadCheckpoint(bytes.NewReader(saved)); err == nil {
		t.Error("a checkpoint without clipping loaded into a model with clip 3")
	}
}
