package pipeline

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/models"
)

// Scripted models: their predictions follow a script, so the tasks' metrics, selection in the
// metric's direction and the records can be checked end to end through the real pipeline (config
// layers, dataset loading from a CSV path, task view, runner, records) against hand-computed values.

// scriptedSession predicts, for every click k of every evaluated session, the dwell time
// values[epoch-1] and the next-click rank sessionRanks[k] (0 for the last click).
type scriptedSession struct {
	epoch  int
	values []float64
}

var sessionRanks = []float64{1, 4, 25}

func (m *scriptedSession) Init(*bench.Data, uint64) error { m.epoch = 0; return nil }
func (m *scriptedSession) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	m.epoch++
	return bench.EpochStats{Loss: 1, Interactions: 1}, nil
}
func (m *scriptedSession) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	for _, part := range []bench.Part{bench.PartValidation, bench.PartTest} {
		for s, sess := range d.Sessions.Part(part) {
			for k := range sess.Len() {
				p := d.ClickPrediction(part, s, k)
				p.Value = m.values[m.epoch-1]
				if k < sess.Len()-1 {
					p.Rank = sessionRanks[k]
				}
				sink(p)
			}
		}
	}
	return nil
}
func (*scriptedSession) PredictsSessions() {}

// scriptedCTR predicts probs[epoch-1][i] for the i-th sample of each evaluated part.
type scriptedCTR struct {
	epoch int
	probs [][]float64
}

func (m *scriptedCTR) Init(*bench.Data, uint64) error { m.epoch = 0; return nil }
func (m *scriptedCTR) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	m.epoch++
	return bench.EpochStats{Loss: 1, Interactions: len(d.CTR.Train)}, nil
}
func (m *scriptedCTR) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	for _, part := range []bench.Part{bench.PartValidation, bench.PartTest} {
		for i := range d.CTRPart(part) {
			p := d.CTRPrediction(part, i)
			p.Prob = m.probs[m.epoch-1][i]
			p.Score = p.Prob
			sink(p)
		}
	}
	return nil
}
func (*scriptedCTR) ScoresCTR() {}

func init() {
	models.Register("scripted-session", "test: scripted session predictions", func(bench.ModelParams, models.Env) (models.Model, error) {
		// Validation MAE by epoch (truths 4 and 6 s): 5, 1, 995 → the lowest is epoch 2.
		return &scriptedSession{values: []float64{10, 5, 1000}}, nil
	})
	models.Register("scripted-ctr", "test: scripted CTR predictions", func(bench.ModelParams, models.Env) (models.Model, error) {
		return &scriptedCTR{probs: [][]float64{
			{0.9, 0.2, 0.4, 0.6, 0.7, 0.7}, // epoch 1: validation logloss 0.6203 (as test below)
			{0.1, 0.9, 0.1, 0.9, 0.1, 0.9}, // epoch 2: every sample confidently wrong: worse logloss
		}}, nil
	})
}

// testbed writes a configs directory, a CSV and an experiment file; it returns the runner options
// and the experiment's path.
func testbed(t *testing.T, csv, experiment string) (Options, string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("configs/defaults.yaml", "run:\n  seeds: [1]\n")
	data := write("data/toy.csv", csv)
	exp := write("exp.yaml", strings.ReplaceAll(experiment, "DATA", data))
	return Options{ConfigDir: filepath.Join(dir, "configs"), ResultsDir: filepath.Join(dir, "results"), Env: []bench.KV{{Key: "machine", Value: "test"}}}, exp
}

// readOne runs the experiment and returns its single record.
func readOne(t *testing.T, opt Options, exp string) bench.Record {
	t.Helper()
	if err := New(opt).RunFile(context.Background(), exp); err != nil {
		t.Fatal(err)
	}
	recs, err := bench.ReadResults(opt.ResultsDir)
	if err != nil || len(recs) != 1 {
		t.Fatalf("results: %v records, %v", len(recs), err)
	}
	return recs[0]
}

func checkValues(t *testing.T, r bench.Record, want map[string]float64) {
	t.Helper()
	for unit, w := range want {
		got, ok := r.Metric(unit)
		if !ok || math.Abs(got-w) > 1e-12 {
			t.Errorf("%s = %v (present %v), want %v", unit, got, ok, w)
		}
	}
}

// Five users, one session each (gap 100 s): three train sessions, the validation session (clicks at
// 3000, 3004, 3010: dwell 4 and 6 s observed, the last censored at c2 = 30 s) and the test session
// (clicks at 4000, 4005, 4020, 4100: dwell 5, 15 and 80 s observed, the last censored).
const sessionCSV = `user_id,item_id,timestamp,state_label,f
a,i0,0,0,0
a,i1,10,0,0
a,i2,20,0,0
b,i1,1000,0,0
b,i2,1010,0,0
b,i3,1020,0,0
c,i2,2000,0,0
c,i3,2010,0,0
d,i0,3000,0,0
d,i1,3004,0,0
d,i2,3010,0,0
e,i3,4000,0,0
e,i0,4005,0,0
e,i1,4020,0,0
e,i2,4100,0,0
`

func TestSessionTaskThroughThePipeline(t *testing.T) {
	opt, exp := testbed(t, sessionCSV, `name: toy-session
task: session
models: [scripted-session]
datasets: [DATA]
set: [run.epochs=3, run.select=MAE, "run.split={train: 0.6, val: 0.2, test: 0.2}",
      "run.sessions={gap: 100, min_item_count: 1, min_length: 1}"]
`)
	r := readOne(t, opt, exp)
	if r.Bench != "Dwell" || r.Get("dataset") != "toy" || !strings.HasSuffix(r.Get("dataset-path"), "data/toy.csv") {
		t.Errorf("record %s, dataset %q, dataset-path %q; want Dwell, toy and the CSV's path", r.FullName(), r.Get("dataset"), r.Get("dataset-path"))
	}
	// Selecting on MAE (lower is better) keeps epoch 2, the lowest validation MAE (1 s); keeping the
	// highest would pick epoch 3 (995 s). Test at epoch 2 (predicted dwell 5 s):
	//   MAE over observed clicks = (|5-5| + |5-15| + |5-80|)/3 = 85/3 (the censored last click is out);
	//   next-click ranks 1, 4, 25: Recall@20 = 2/3, MRR@20 = (1 + 1/4 + 0)/3, NDCG@20 = (1 + 1/log2 5)/3.
	checkValues(t, r, map[string]float64{
		"epochs": 2, "val-MAE": 1, "MAE": 85.0 / 3,
		"recall@20": 2.0 / 3, "MRR@20": 1.25 / 3, "ndcg@20": (1 + 1/math.Log2(5)) / 3,
	})
}

// Three users with four interactions each: leave-one-out gives each user one validation and one test
// positive, each followed by its fixed-seed negative.
const ctrCSV = `user_id,item_id,timestamp,state_label,f
u0,i0,1,0,0
u1,i1,2,0,0
u2,i2,3,0,0
u0,i1,4,0,0
u1,i2,5,0,0
u2,i3,6,0,0
u0,i2,7,0,0
u1,i3,8,0,0
u2,i4,9,0,0
u0,i3,10,0,0
u1,i4,11,0,0
u2,i5,12,0,0
i9user,i6,13,0,0
i9user,i7,14,0,0
`

func TestCTRTaskThroughThePipeline(t *testing.T) {
	opt, exp := testbed(t, ctrCSV, `name: toy-ctr
task: ctr
models: [scripted-ctr]
datasets: [DATA]
set: [run.epochs=2]
`)
	r := readOne(t, opt, exp)
	// Epoch 1 wins on logloss (lower is better; epoch 2 is confidently wrong everywhere). Test
	// samples (positive, negative) per user: (0.9, 0.2), (0.4, 0.6), (0.7, 0.7).
	//   logloss = −(ln .9 + ln .8 + ln .4 + ln .4 + ln .7 + ln .3)/6
	//   GAUC (TIN code: strictly above; a tie counts 0) = 1/3
	//   GAUC-impr (per-user AUC 1, 0, 1/2 with ties 1/2; equal weights) = 1/2
	ll := -(math.Log(0.9) + math.Log(0.8) + 2*math.Log(0.4) + math.Log(0.7) + math.Log(0.3)) / 6
	if r.Bench != "CTR" {
		t.Errorf("bench %s, want CTR", r.Bench)
	}
	checkValues(t, r, map[string]float64{"epochs": 1, "logloss": ll, "val-logloss": ll, "GAUC": 1.0 / 3, "GAUC-impr": 0.5})
}

// TestModelWithoutTheTaskIsPending: a registered model that cannot do the experiment's task (a
// session model listed in a CTR table, as gru4rec is in TIN's) is skipped as not implemented
// there, instead of failing the whole experiment.
func TestModelWithoutTheTaskIsPending(t *testing.T) {
	opt, exp := testbed(t, ctrCSV, `name: toy-ctr
task: ctr
models: [scripted-session, scripted-ctr]
datasets: [DATA]
set: [run.epochs=2]
`)
	r := readOne(t, opt, exp)
	if m := r.Get("model"); m != "" && m != "scripted-ctr" {
		t.Errorf("the one record is %s's", m)
	}
	if !strings.Contains(r.FullName(), "scripted-ctr") {
		t.Errorf("record %s, want scripted-ctr's", r.FullName())
	}
}

// scriptedNoDwell is scriptedSession without a dwell head (bench.DwellPredictor).
type scriptedNoDwell struct{ scriptedSession }

func (*scriptedNoDwell) PredictsDwell() bool { return false }

func init() {
	models.Register("scripted-session-nodwell", "test: scripted session predictions without a dwell head", func(bench.ModelParams, models.Env) (models.Model, error) {
		return &scriptedNoDwell{scriptedSession{values: []float64{10, 5, 1000}}}, nil
	})
	models.Register("scripted-ctr-lengths", "test: scripted CTR predictions of ctrLengthsCSV", func(bench.ModelParams, models.Env) (models.Model, error) {
		return &scriptedCTR{probs: [][]float64{{0.9, 0.2, 0.4, 0.6, 0.7, 0.7, 0.8, 0.1}}}, nil
	})
}

// TestSessionLengthBuckets: run.length_buckets breaks the session metrics down by session length
// (JUMP Fig. 7). With split 0.4/0.2/0.4 the five sessions of sessionCSV go a, b → train, c →
// validation, d (3 clicks) and e (4 clicks) → test. Selection on MAE keeps epoch 1 (validation dwell
// 10 s predicted 10 s), so every test click is predicted 10 s:
//
//	d: dwells 4, 6 (the last censored), next-click ranks 1, 4
//	e: dwells 5, 15, 80 (the last censored), next-click ranks 1, 4, 25
//	all:  MAE (6+4+5+5+70)/5 = 18, Recall@20 4/5, MRR@20 (1+1/4+1+1/4)/5
//	2-3:  d alone: MAE 5, Recall@20 1, MRR@20 1.25/2, NDCG@20 (1 + 1/log2 5)/2
//	4-:   e alone: MAE (5+5+70)/3, Recall@20 2/3, MRR@20 1.25/3
//	10-20: no session: no unit at all
func TestSessionLengthBuckets(t *testing.T) {
	for _, tc := range []struct {
		model    string
		wantMAE  bool
		wantRest map[string]float64
	}{
		{"scripted-session", true, nil},
		{"scripted-session-nodwell", false, nil},
	} {
		t.Run(tc.model, func(t *testing.T) {
			opt, exp := testbed(t, sessionCSV, `name: toy-session-lengths
task: session
models: [`+tc.model+`]
datasets: [DATA]
set: [run.epochs=3, run.select=MAE, "run.split={train: 0.4, val: 0.2, test: 0.4}",
      "run.sessions={gap: 100, min_item_count: 1, min_length: 1}", "run.length_buckets=[2-3, 4-, 10-20]"]
`)
			if tc.model == "scripted-session-nodwell" {
				// No MAE to select on: select on the click metric instead (every epoch ties; the first wins).
				b, _ := os.ReadFile(exp)
				os.WriteFile(exp, []byte(strings.Replace(string(b), "run.select=MAE", "run.select=MRR@20", 1)), 0o644)
			}
			r := readOne(t, opt, exp)
			checkValues(t, r, map[string]float64{
				"epochs": 1, "recall@20": 4.0 / 5, "MRR@20": 2.5 / 5,
				"recall@20/len=2-3": 1, "MRR@20/len=2-3": 1.25 / 2, "ndcg@20/len=2-3": (1 + 1/math.Log2(5)) / 2,
				"recall@20/len=4-": 2.0 / 3, "MRR@20/len=4-": 1.25 / 3,
			})
			mae := map[string]float64{"MAE": 18, "MAE/len=2-3": 5, "MAE/len=4-": 80.0 / 3}
			if tc.wantMAE {
				checkValues(t, r, mae)
			}
			for unit := range mae {
				if _, ok := r.Metric(unit); ok != tc.wantMAE {
					t.Errorf("%s present %v, want %v", unit, ok, tc.wantMAE)
				}
			}
			for _, v := range r.Values {
				if strings.Contains(v.Unit, "len=10-20") {
					t.Errorf("unit %s recorded for a bucket without sessions", v.Unit)
				}
			}
		})
	}
}

// ctrLengthsCSV is ctrCSV with a fourth user of five interactions: its test sample has a history
// of 4 behaviours, the others' 3.
const ctrLengthsCSV = ctrCSV + `u3,i0,20,0,0
u3,i1,21,0,0
u3,i2,22,0,0
u3,i3,23,0,0
u3,i4,24,0,0
`

// TestCTRLengthBuckets: run.length_buckets breaks the CTR metrics down by history length (TIN
// Table 3). Test pairs (positive, negative): u0 (0.9, 0.2), u1 (0.4, 0.6), u2 (0.7, 0.7), all with
// 3 behaviours, and u3 (0.8, 0.1) with 4:
//
//	1-3: as TestCTRTaskThroughThePipeline: GAUC 1/3, GAUC-impr 1/2
//	4-4: logloss −(ln .8 + ln .9)/2, GAUC 1, GAUC-impr 1
func TestCTRLengthBuckets(t *testing.T) {
	opt, exp := testbed(t, ctrLengthsCSV, `name: toy-ctr-lengths
task: ctr
models: [scripted-ctr-lengths]
datasets: [DATA]
set: [run.epochs=1, "run.length_buckets=[1-3, 4-4, 5-]"]
`)
	r := readOne(t, opt, exp)
	ll3 := -(math.Log(0.9) + math.Log(0.8) + 2*math.Log(0.4) + math.Log(0.7) + math.Log(0.3)) / 6
	ll4 := -(math.Log(0.8) + math.Log(0.9)) / 2
	checkValues(t, r, map[string]float64{
		"logloss": (6*ll3 + 2*ll4) / 8, "GAUC": 2.0 / 4, "GAUC-impr": 2.5 / 4,
		"logloss/len=1-3": ll3, "GAUC/len=1-3": 1.0 / 3, "GAUC-impr/len=1-3": 0.5,
		"logloss/len=4-4": ll4, "GAUC/len=4-4": 1, "GAUC-impr/len=4-4": 1,
	})
	for _, v := range r.Values {
		if strings.Contains(v.Unit, "len=5-") {
			t.Errorf("unit %s recorded for a bucket without samples", v.Unit)
		}
	}
}

// TestLengthBucketsRejected: a malformed bucket, a duplicate and a row task with buckets are
// config errors.
func TestLengthBucketsRejected(t *testing.T) {
	for _, tc := range []struct{ name, task, model, set, want string }{
		{"malformed", "session", "scripted-session", `"run.length_buckets=[6-2]"`, "length bucket \"6-2\""},
		{"zero", "ctr", "scripted-ctr", `"run.length_buckets=[0-4]"`, "length bucket \"0-4\""},
		{"twice", "ctr", "scripted-ctr", `"run.length_buckets=[1-4, 1-4]"`, "1-4 twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt, exp := testbed(t, ctrCSV, "name: toy-bad\ntask: "+tc.task+"\nmodels: ["+tc.model+"]\ndatasets: [DATA]\nset: [run.epochs=1, "+tc.set+"]\n")
			err := New(opt).RunFile(context.Background(), exp)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	for _, task := range []bench.Task{bench.TaskNextItem, bench.TaskStateChange} {
		r := bench.RunConfig{LengthBuckets: []bench.LengthBucket{{Min: 1, Max: 4}}}
		task.Defaults(&r)
		if err := task.Validate(r); err == nil || !strings.Contains(err.Error(), "run.length_buckets") {
			t.Errorf("%s: Validate = %v, want a run.length_buckets error", task.Name(), err)
		}
	}
}
