package bench_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
)

// scripted is a fake model whose evaluation ranks follow a script per epoch, so the runner's
// selection, early stopping and error paths can be checked exactly.
type scripted struct {
	ranks   [][]float64 // per epoch: ranks of the val+test rows in order
	losses  []float64
	epoch   int
	cancel  func() // called during the given epoch's training, if set
	cancelE int
	skipRow bool // report one prediction too few
}

func (s *scripted) Init(*bench.Data, uint64) error { s.epoch = 0; return nil }
func (s *scripted) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	s.epoch++
	if s.cancel != nil && s.epoch == s.cancelE {
		s.cancel()
		return bench.EpochStats{}, ctx.Err()
	}
	loss := 1.0
	if s.epoch-1 < len(s.losses) {
		loss = s.losses[s.epoch-1]
	}
	return bench.EpochStats{Loss: loss, Interactions: d.Split.TrainEnd}, nil
}
func (s *scripted) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	r := s.ranks[s.epoch-1]
	n := len(r)
	if s.skipRow {
		n--
	}
	for k := 0; k < n; k++ {
		p := d.RowPrediction(d.Split.TrainEnd + k)
		p.Rank = r[k]
		sink(p)
	}
	return nil
}
func (s *scripted) ItemScoring() string { return "scripted" }

func data(t *testing.T) *bench.Data {
	// 6 rows: train [0,4), validation row 4, test row 5.
	return benchtest.Data(t, []int32{0, 1, 0, 1, 0, 1}, []int32{0, 1, 1, 0, 0, 1}, []float64{0, 1, 2, 3, 4, 5}, nil, 4, 5, bench.ProtocolFrozen)
}

func TestTrainSelectsBestValidationEpoch(t *testing.T) {
	// Validation ranks 4, 1, 2 → epoch 2 is best (val MRR 1); its test rank is 5 (MRR 0.2).
	m := &scripted{ranks: [][]float64{{4, 1}, {1, 5}, {2, 1}}}
	out, err := bench.Train(context.Background(), m, data(t), 1, bench.RunConfig{Epochs: 3}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	best := out.BestEpoch()
	if len(out.Epochs) != 3 || best.Epoch != 2 || best.Val["MRR"] != 1 || best.Test["MRR"] != 0.2 || best.Test["recall@10"] != 1 {
		t.Errorf("best epoch %+v of %d, want epoch 2 with val MRR 1, test MRR 0.2, recall@10 1", best, len(out.Epochs))
	}
}

func TestTrainEarlyStopping(t *testing.T) {
	// Best at epoch 1, then two epochs without improvement: patience 2 stops after epoch 3.
	m := &scripted{ranks: [][]float64{{1, 1}, {2, 1}, {3, 1}, {1, 1}, {1, 1}}}
	out, err := bench.Train(context.Background(), m, data(t), 1, bench.RunConfig{Epochs: 5, Patience: 2}, bench.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Epochs) != 3 || out.BestEpoch().Epoch != 1 {
		t.Errorf("ran %d epochs with best %d, want 3 and 1", len(out.Epochs), out.BestEpoch().Epoch)
	}
}

func TestTrainErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tests := []struct {
		name  string
		model bench.Model
		ctx   context.Context
		want  error
		text  string
	}{
		{"nan-loss", &scripted{ranks: [][]float64{{1, 1}, {1, 1}}, losses: []float64{1, math.NaN()}}, context.Background(),
			bench.ErrNotFinite, "epoch 2"},
		{"cancelled", &scripted{ranks: [][]float64{{1, 1}}, cancel: cancel, cancelE: 1}, ctx, context.Canceled, "epoch 1"},
		{"missing-prediction", &scripted{ranks: [][]float64{{1, 1}}, skipRow: true}, context.Background(), nil,
			"reported 0 test predictions for 1"},
		{"no-capability", struct{ bench.Model }{&scripted{}}, context.Background(), bench.ErrCapability, "is not a bench.Ranker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := bench.Train(tt.ctx, tt.model, data(t), 1, bench.RunConfig{Epochs: 2}, bench.RunOptions{Label: "x"})
			if err == nil || out != nil {
				t.Fatalf("Train = %v, %v; want an error", out, err)
			}
			if (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want %v containing %q", err, tt.want, tt.text)
			}
		})
	}
}

func TestPlanExperiment(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/defaults.yaml", "run: {epochs: 10, seeds: [1, 2, 3]}\n")
	writeFile(t, dir+"/models/m1.yaml", "model: {params: {dim: 8}}\n")
	writeFile(t, dir+"/datasets/alias.yaml", "dataset: {name: /data/real.csv, lenient: true}\n")
	writeFile(t, dir+"/experiments/e.yaml", `name: sweep
task: next-item
models: [m1, m2, notyet]
datasets: [alias, synth-x]
seeds: [7]
set: [run.epochs=2]
sweep: {key: run.split.train, name: train, values: ["0.4", "0.8"]}
paper: {datasets: [real], seeds: [1, 2, 3, 4, 5], set: [run.epochs=50]}
`)
	e, err := bench.LoadExperiment(dir + "/experiments/e.yaml")
	if err != nil {
		t.Fatal(err)
	}
	registered := func(m string) bool { return m != "notyet" }
	runs, pending, err := e.Plan(bench.PlanOptions{ConfigDir: dir, ResultsDir: "results", Registered: registered,
		Models: []string{"m1", "notyet"}, Sets: []string{"run.epochs=4"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0] != "notyet" || len(runs) != 4 {
		t.Fatalf("%d runs, pending %v; want 4 runs (m1 × 2 datasets × 2 train fractions) and [notyet]", len(runs), pending)
	}
	r := runs[0]
	c := r.Config
	if r.Dir != "results/sweep/m1/alias/train=0.4" || c.Dataset.Name != "/data/real.csv" || !c.Dataset.Lenient ||
		c.Run.Epochs != 4 || len(c.Run.Seeds) != 1 || c.Run.Seeds[0] != 7 || c.Run.Split.Train != 0.4 {
		t.Errorf("first run: dir %s, config %+v %+v", r.Dir, c.Dataset, c.Run)
	}
	if got := r.ResultPath(7); got != "results/sweep/m1/alias/train=0.4/seed-7.bench" {
		t.Errorf("result path %s", got)
	}
	paper, _, err := e.Plan(bench.PlanOptions{ConfigDir: dir, ResultsDir: "results", Profile: bench.ProfilePaper, Registered: registered})
	if err != nil {
		t.Fatal(err)
	}
	if len(paper) != 4 || paper[0].Dataset != "real" || paper[0].Config.Run.Epochs != 50 || len(paper[0].Config.Run.Seeds) != 5 {
		t.Errorf("paper profile: %d runs, first %s epochs %d seeds %v", len(paper), paper[0].Dataset, paper[0].Config.Run.Epochs, paper[0].Config.Run.Seeds)
	}
}

func TestLoadExperimentUnknownKey(t *testing.T) {
	path := t.TempDir() + "/bad.yaml"
	writeFile(t, path, "name: x\nmodels: [m]\ndatasets: [d]\nsett: [run.epochs=1]\n")
	_, err := bench.LoadExperiment(path)
	if err == nil || !strings.Contains(err.Error(), `line 4: unknown key "sett" in the experiment`) {
		t.Fatalf("err = %v", err)
	}
}

// TestPlanSweepWinsOverSet: a run's variant names the value it runs with, even when the command line
// sets the swept key (here run.protocol, as in the protocol-effect experiment; the records' protocol
// file key comes from the resolved config, so it must agree with the variant's).
func TestPlanSweepWinsOverSet(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/defaults.yaml", "run: {epochs: 10}\n")
	writeFile(t, dir+"/experiments/e.yaml", `name: protocols
models: [m]
datasets: [synth-x]
sweep: {key: run.protocol, name: protocol, values: [frozen, online]}
`)
	e, err := bench.LoadExperiment(dir + "/experiments/e.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		sets      []string
		overrides []string
		plan      bool // run.protocolx is no config key: only SweepOverrides is checked
	}{
		{"no -set", nil, nil, true},
		{"-set of the swept key", []string{"run.epochs=2", "run.protocol=online"}, []string{"run.protocol=online"}, true},
		{"-set of its section", []string{"run={protocol: frozen}"}, []string{"run={protocol: frozen}"}, true},
		{"-set of a key with the same prefix", []string{"run.protocolx=1"}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := e.SweepOverrides(c.sets); !slices.Equal(got, c.overrides) {
				t.Errorf("SweepOverrides = %q, want %q", got, c.overrides)
			}
			if !c.plan {
				return
			}
			runs, _, err := e.Plan(bench.PlanOptions{ConfigDir: dir, ResultsDir: "results", Sets: c.sets})
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 2 {
				t.Fatalf("%d runs, want 2", len(runs))
			}
			for i, want := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
				r := runs[i]
				if r.Config.Run.Protocol != want || len(r.Variant) != 1 || r.Variant[0] != (bench.KV{Key: "protocol", Value: string(want)}) ||
					r.Dir != "results/protocols/m/synth-x/protocol="+string(want) {
					t.Errorf("run %d: protocol %s, variant %v, dir %s; want %s throughout", i, r.Config.Run.Protocol, r.Variant, r.Dir, want)
				}
			}
		})
	}
}

// TestPlanNamedVariants: a sweep of named variants applies each variant's own settings (none for a
// baseline variant) after the command line, names the runs by the variant, and the malformed forms
// are refused with the reason.
func TestPlanNamedVariants(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/defaults.yaml", "run: {epochs: 10}\n")
	writeFile(t, dir+"/experiments/e.yaml", `name: switches
models: [m]
datasets: [synth-x]
sweep:
  name: setting
  variants:
    - {value: defaults}
    - {value: online-short, set: [run.protocol=online, run.epochs=3]}
`)
	e, err := bench.LoadExperiment(dir + "/experiments/e.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Sweep.Keys(); !slices.Equal(got, []string{"run.protocol", "run.epochs"}) {
		t.Errorf("swept keys %q", got)
	}
	runs, _, err := e.Plan(bench.PlanOptions{ConfigDir: dir, ResultsDir: "results", Sets: []string{"run.epochs=5"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	for i, want := range []struct {
		value    string
		protocol bench.Protocol
		epochs   int
	}{{"defaults", bench.ProtocolFrozen, 5}, {"online-short", bench.ProtocolOnline, 3}} {
		r := runs[i]
		if r.Variant[0] != (bench.KV{Key: "setting", Value: want.value}) || r.Config.Run.Protocol != want.protocol ||
			r.Config.Run.Epochs != want.epochs || r.Dir != "results/switches/m/synth-x/setting="+want.value {
			t.Errorf("run %d: variant %v, protocol %s, epochs %d, dir %s; want %+v", i, r.Variant, r.Config.Run.Protocol,
				r.Config.Run.Epochs, r.Dir, want)
		}
	}
	for _, c := range []struct{ sweep, want string }{
		{"{name: s, key: run.epochs, values: [1], variants: [{value: a}]}", "use one form"},
		{"{name: s}", "needs key and values, or variants"},
		{"{key: run.epochs, values: [1]}", "needs a name"},
		{"{name: s, variants: [{value: a}, {value: a}]}", `variant value "a"`},
		{"{name: s, variants: [{value: a=b}]}", `variant value "a=b"`},
		{"{name: s, variants: [{value: a, set: [run.epochs]}]}", `setting "run.epochs" is not key=value`},
	} {
		path := dir + "/experiments/bad.yaml"
		writeFile(t, path, "name: bad\nmodels: [m]\ndatasets: [d]\nsweep: "+c.sweep+"\n")
		if _, err := bench.LoadExperiment(path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("sweep %s: err = %v, want one saying %q", c.sweep, err, c.want)
		}
	}
}
