package pipeline

import (
	"context"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/models"
)

// scriptedEmbedder ranks every row 1 and reports, for a user's k-th interaction since its states
// were reset, the embedding [k, 0]: update k ≥ 2 then has relative size 1/(k−1).
type scriptedEmbedder struct {
	obs   bench.EmbeddingObserver
	count map[int32]int
}

func (m *scriptedEmbedder) Init(*bench.Data, uint64) error { return nil }
func (m *scriptedEmbedder) step(d *bench.Data, r int) {
	u := d.Users[r]
	m.count[u]++
	if m.obs != nil {
		m.obs.ObserveUpdate(monitor.Users, u, nil, []float32{float32(m.count[u]), 0})
	}
}
func (m *scriptedEmbedder) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	m.count = map[int32]int{}
	if m.obs != nil {
		m.obs.Restart()
	}
	for r := range d.Split.TrainEnd {
		m.step(d, r)
	}
	return bench.EpochStats{Loss: 1, Interactions: d.Split.TrainEnd}, nil
}
func (m *scriptedEmbedder) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	saved := map[int32]int{}
	for k, v := range m.count {
		saved[k] = v
	}
	for r := d.Split.TrainEnd; r < d.Split.TestEnd; r++ {
		p := d.RowPrediction(r)
		p.Rank = 1
		sink(p)
		m.step(d, r)
	}
	m.count = saved
	return nil
}
func (*scriptedEmbedder) ItemScoring() string                             { return "scripted" }
func (m *scriptedEmbedder) ObserveEmbeddings(obs bench.EmbeddingObserver) { m.obs = obs }

func init() {
	models.Register("scripted-embedder", "test: scripted embeddings", func(bench.ModelParams, models.Env) (models.Model, error) {
		return &scriptedEmbedder{}, nil
	})
}

// TestEvolutionKindThroughThePipeline: kind evolution writes the run's NextItem record and the
// monitor's records over one more epoch plus the evaluation (sessionCSV: five users with 2 to 4
// interactions each). The scripted update sizes 1, 1/2, 1/3 are all above the threshold 0.05, so
// no user matures, and every user's second interaction moves it by exactly 1: the k=2 bucket's
// median is 1 within the histogram's 1%.
func TestEvolutionKindThroughThePipeline(t *testing.T) {
	opt, exp := testbed(t, sessionCSV, `name: evolution
task: next-item
kind: evolution
models: [scripted-embedder]
datasets: [DATA]
set: [run.epochs=1, "run.split.train=0.6", "run.split.val=0.2", "run.split.test=0.2"]
`)
	if err := New(opt).RunFile(context.Background(), exp); err != nil {
		t.Fatal(err)
	}
	recs, err := bench.ReadResults(opt.ResultsDir)
	if err != nil {
		t.Fatal(err)
	}
	byBench := map[string][]bench.Record{}
	for _, r := range recs {
		byBench[r.Bench] = append(byBench[r.Bench], r)
	}
	if len(byBench["NextItem"]) != 1 || len(byBench["Evolution"]) == 0 || len(byBench["Maturity"]) == 0 || len(byBench["Norms"]) == 0 {
		t.Fatalf("records by benchmark: %d NextItem, %d Evolution, %d Maturity, %d Norms", len(byBench["NextItem"]),
			len(byBench["Evolution"]), len(byBench["Maturity"]), len(byBench["Norms"]))
	}
	for _, r := range byBench["Evolution"] {
		if r.Get("k") == "2" {
			if v, ok := r.Metric("rel-update-median"); ok && (v < 0.99 || v > 1.01) {
				t.Errorf("k=2 median %v, want 1 (within the histogram's 1%%)", v)
			}
		}
	}
	for _, r := range byBench["Maturity"] {
		if v, _ := r.Metric("matured"); v != 0 {
			t.Errorf("%v: matured %v, want 0", r.Name, v)
		}
	}
}
