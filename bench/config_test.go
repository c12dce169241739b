package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

type jodieLikeParams struct {
	Dim    int     `yaml:"dim"`
	Lambda float64 `yaml:"lambda"`
	Static struct {
		Mode string `yaml:"mode"`
	} `yaml:"static"`
}

func TestLoadConfigLayers(t *testing.T) {
	layers := []Layer{
		{Path: "defaults.yaml", Data: []byte("run:\n  epochs: 10\n  seeds: [1, 2, 3]\nmodel:\n  params:\n    dim: 128\n    lambda: 1\n")},
		{Path: "models/jodie.yaml", Data: []byte("model:\n  name: jodie\n  params:\n    dim: 64\n    static:\n      mode: onehot\n")},
		{Path: "missing.yaml", Optional: true},
		{Path: "datasets/d.yaml", Data: []byte("dataset:\n  name: synth-wikipedia-small\n")},
		{Path: "empty.yaml", Data: []byte("# nothing\n")},
	}
	c, err := LoadConfig(layers, []string{"run.epochs=3", "model.params.lambda=0.5", "run.protocol=online"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Epochs != 3 || c.Run.Protocol != ProtocolOnline || !slices.Equal(c.Run.Seeds, []uint64{1, 2, 3}) {
		t.Errorf("run = %+v", c.Run)
	}
	// Defaults for what no layer set.
	if c.Run.Task != TaskNextItem.Name() || c.Run.Split != (SplitConfig{0.8, 0.1, 0.1, "rows"}) || c.Run.Normalisation != "train" || c.Run.Backend != "cpu" {
		t.Errorf("defaults not applied: %+v", c.Run)
	}
	var p jodieLikeParams
	if err := c.Model.Params.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Dim != 64 || p.Lambda != 0.5 || p.Static.Mode != "onehot" {
		t.Errorf("model params = %+v, want dim 64 (model layer), lambda 0.5 (-set), static.mode onehot", p)
	}
}

func TestStateChangeDefaultSplit(t *testing.T) {
	c, err := LoadConfig([]Layer{{Path: "x", Data: []byte("dataset: {name: d}\nmodel: {name: m}\nrun: {task: state-change}\n")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Split != (SplitConfig{0.6, 0.2, 0.2, "rows"}) {
		t.Errorf("state-change split %+v, want 60/20/20", c.Run.Split)
	}
}

// TestConfigErrors: every bad config gives one line naming the file (or -set), the line and the key.
func TestConfigErrors(t *testing.T) {
	base := Layer{Path: "base.yaml", Data: []byte("dataset: {name: d}\nmodel: {name: m}\n")}
	tests := []struct {
		name   string
		layers []Layer
		sets   []string
		want   string
	}{
		{"unknown-key", []Layer{base, {Path: "configs/x.yaml", Data: []byte("run:\n  epochs: 3\n  epoch: 4\n")}}, nil,
			`configs/x.yaml: line 3: unknown key "epoch" in run`},
		{"unknown-top-key", []Layer{base, {Path: "e.yaml", Data: []byte("rnu: {}\n")}}, nil,
			`e.yaml: line 1: unknown key "rnu" in the top level`},
		{"bad-type", []Layer{base, {Path: "e.yaml", Data: []byte("run:\n  epochs: many\n")}}, nil,
			"e.yaml: line 2: cannot unmarshal !!str `many` into int"},
		{"bad-protocol", []Layer{base, {Path: "e.yaml", Data: []byte("run: {protocol: onlin}\n")}}, nil,
			`run.protocol: "onlin" is not one of online, frozen (set in e.yaml)`},
		{"bad-set", []Layer{base}, []string{"run.epochs"}, `-set "run.epochs": want key=value`},
		{"set-unknown", []Layer{base}, []string{"run.epocs=2"}, `-set run.epocs=2: line 2: unknown key "epocs" in run`},
		{"bad-split", []Layer{base}, []string{"run.split={train: 0.9, val: 0.2, test: 0.1}"}, "run.split: train 0.9, val 0.2, test 0.1"},
		{"missing-model", []Layer{{Path: "e.yaml", Data: []byte("dataset: {name: d}\n")}}, nil, "model.name: missing"},
		{"missing-file", []Layer{{Path: "/nonexistent/defaults.yaml"}}, nil, "/nonexistent/defaults.yaml"},
		{"yaml-syntax", []Layer{{Path: "e.yaml", Data: []byte("run: [\n")}}, nil, "e.yaml: yaml: line"},
		{"repeated-seed", []Layer{base}, []string{"run.seeds=[1,1]"}, "run.seeds: seed 1 repeated"},
		{"unknown-task", []Layer{base}, []string{"run.task=next-click"}, `run.task: "next-click" is not one of ctr, next-item, session, state-change (set in -set run.task=next-click)`},
		{"select-not-a-unit", []Layer{base}, []string{"run.select=MAE"}, `run.select: "MAE" is not a metric of the next-item task (valid: MRR, recall@10, ndcg@10) (set in -set run.select=MAE)`},
		{"bad-cutoffs", []Layer{base}, []string{"run.cutoffs=[20,10]"}, "run.cutoffs: [20 10]: want distinct positive cutoffs in ascending order"},
		{"ctr-split", []Layer{base}, []string{"run.task=ctr", "run.split.train=0.8"}, "run.split: the ctr task splits each user's history leave-one-out"},
		{"session-split", []Layer{base}, []string{"run.task=session", "run.split={train: 0.5, val: 0.1, test: 0.1}"}, "the fractions must be positive (val may be 0) and sum to 1"},
		{"bad-checkpoint", []Layer{base}, []string{"run.checkpoint=best"}, `run.checkpoint: "best" is not one of epoch, off`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(tt.layers, tt.sets)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrConfig containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
}

func TestModelParamsUnknownKey(t *testing.T) {
	c, err := LoadConfig([]Layer{
		{Path: "base.yaml", Data: []byte("dataset: {name: d}\nmodel: {name: m}\n")},
		{Path: "configs/models/jodie.yaml", Data: []byte("model:\n  params:\n    dim: 8\n    static:\n      mdoe: learned\n")},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var p jodieLikeParams
	err = c.Model.Params.Decode(&p)
	want := `configs/models/jodie.yaml: line 5: unknown key "mdoe" in model.params.static (valid: mode)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// TestTaskDefaultsAndCutoffs: each task fills its own split, cutoffs and selection metric, and the
// cutoffs decide the units of its records.
func TestTaskDefaultsAndCutoffs(t *testing.T) {
	base := Layer{Path: "base.yaml", Data: []byte("dataset: {name: d}\nmodel: {name: m}\n")}
	for _, tc := range []struct {
		sets  []string
		units string
		sel   string
		split SplitConfig
	}{
		{nil, "MRR recall@10 ndcg@10", "MRR", SplitConfig{0.8, 0.1, 0.1, "rows"}},
		{[]string{"run.cutoffs=[5, 20]"}, "MRR recall@5 recall@20 ndcg@5 ndcg@20", "MRR", SplitConfig{0.8, 0.1, 0.1, "rows"}},
		{[]string{"run.task=state-change"}, "AUC", "AUC", SplitConfig{0.6, 0.2, 0.2, "rows"}},
		{[]string{"run.task=session"}, "MAE recall@20 MRR@20 ndcg@20", "MRR@20", SplitConfig{0.7, 0.1, 0.2, ""}},
		{[]string{"run.task=session", "run.select=MAE"}, "MAE recall@20 MRR@20 ndcg@20", "MAE", SplitConfig{0.7, 0.1, 0.2, ""}},
		{[]string{"run.task=ctr"}, "logloss GAUC GAUC-impr", "logloss", SplitConfig{}},
	} {
		c, err := LoadConfig([]Layer{base}, tc.sets)
		if err != nil {
			t.Fatalf("%v: %v", tc.sets, err)
		}
		task, err := c.Run.TaskOf()
		if err != nil {
			t.Fatal(err)
		}
		if u := strings.Join(task.Units(c.Run), " "); u != tc.units || c.Run.Select != tc.sel || c.Run.Split != tc.split {
			t.Errorf("%v: units %q, select %q, split %+v; want %q, %q, %+v", tc.sets, u, c.Run.Select, c.Run.Split, tc.units, tc.sel, tc.split)
		}
	}
}
