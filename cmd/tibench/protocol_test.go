package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/pipeline"
	"github.com/tibench/tibench/models"
)

// parameterFree are the registered next-item models without trainable parameters (the reference
// floors): nothing can learn in them during evaluation, so both protocols must give them the same
// predictions. Every other ranker must learn online.
var parameterFree = map[string]bool{"popularity": true, "repeatlast": true}

// TestOnlineProtocolLearns: for every registered ranker, two epochs on a 3,000-interaction prefix
// train identically under both protocols (same losses: online evaluation leaves the model as it
// found it), and the evaluated ranks differ under online evaluation unless the model is
// parameter-free, in which case they are equal. This is what the protocol-effect table relies on.
// The split is 20/40/40 so that evaluation spans more than one online block of the lane models
// (batch_users·bptt = 1,600 rows by default; the first block is predicted before any online step).
func TestOnlineProtocolLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model twice; skipped under -short")
	}
	ds, err := datasets.Synthesize("synth-wikipedia-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	ds = truncate(ds, 3000)
	split, err := datasets.SplitFractions(ds.Len(), 0.2, 0.4, 0.4)
	if err != nil {
		t.Fatal(err)
	}
	base, err := bench.NewData(ds, split, datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range models.Names() {
		if _, ok := newModel(t, name).(bench.Ranker); !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var losses [2][]float64
			var ranks [2][]float64
			for i, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
				d := *base
				d.Protocol = protocol
				m := newModel(t, name)
				out, err := bench.Train(context.Background(), m, &d, 1, bench.RunConfig{Epochs: 2}, bench.RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range out.Epochs {
					losses[i] = append(losses[i], e.Stats.Loss)
				}
				if err := m.Evaluate(context.Background(), &d, func(p bench.Prediction) { ranks[i] = append(ranks[i], p.Rank) }); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(losses[0], losses[1]) {
				t.Errorf("training losses differ between protocols: frozen %v, online %v", losses[0], losses[1])
			}
			same := slices.Equal(ranks[0], ranks[1])
			switch {
			case parameterFree[name] && !same:
				t.Error("a parameter-free model ranks differently under online evaluation")
			case !parameterFree[name] && same:
				t.Error("online evaluation ranks exactly as frozen: the model ignores the protocol (nothing learned at test time)")
			}
		})
	}
}

// TestExperimentFilesPlan: every configs/experiments/*.yaml, the files `tibench reproduce` runs,
// loads and plans with the real configs under both profiles. The protocol-effect experiment plans
// each of its models under both protocols, with the protocol in the resolved config (which the
// records' protocol key comes from) matching the variant.
func TestExperimentFilesPlan(t *testing.T) {
	configs := filepath.Join("..", "..", "configs")
	paths, err := pipeline.ExperimentFiles(configs)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, path := range paths {
		e, err := bench.LoadExperiment(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, profile := range []string{bench.ProfileQuick, bench.ProfilePaper} {
			x := pipeline.New(pipeline.Options{ConfigDir: configs, Profile: profile, Sets: []string{"run.protocol=online"}})
			runs, err := x.Plan(e, t.TempDir())
			if err != nil {
				t.Fatalf("%s, profile %s: %v", path, profile, err)
			}
			if e.Name != "protocol-effect" {
				continue
			}
			found = true
			byProtocol := map[bench.Protocol][]string{}
			for _, r := range runs {
				if len(r.Variant) != 1 || r.Variant[0].Key != "protocol" || r.Variant[0].Value != string(r.Config.Run.Protocol) {
					t.Errorf("%s %s: variant %v, config protocol %s", r.Model, r.Dataset, r.Variant, r.Config.Run.Protocol)
				}
				byProtocol[r.Config.Run.Protocol] = append(byProtocol[r.Config.Run.Protocol], r.Model+"/"+r.Dataset)
			}
			frozen, online := byProtocol[bench.ProtocolFrozen], byProtocol[bench.ProtocolOnline]
			if len(frozen) == 0 || !slices.Equal(frozen, online) {
				t.Errorf("profile %s: frozen runs %v, online runs %v; want the same models and datasets under both", profile, frozen, online)
			}
			for _, name := range models.Names() {
				if _, ok := newModel(t, name).(bench.Ranker); ok && !slices.Contains(e.Models, name) {
					t.Errorf("registered ranker %s is missing from the protocol-effect experiment", name)
				}
			}
		}
	}
	if !found {
		t.Error("no protocol-effect experiment among the files reproduce runs")
	}
}
