package jodie

import (
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
)

// TestDenseAdamByDefault: JODIE's default optimiser (sparse_adam dense, computed deferred with the
// background catch-up) learns exactly as the eager dense Adam of the original code — the same
// parameter bits after every epoch, the same predictions under online evaluation (which keeps
// taking Adam steps), hence the same MRR after 2 epochs (the issue asks for ±0.02) — while lazy
// Adam, on the same data and seed, does not.
func TestDenseAdamByDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("trains JODIE three times for 2 epochs")
	}
	d := prefixData(t, "synth-wikipedia-small", 4000, bench.TaskNextItem, bench.ProtocolOnline)
	const params = "    dim: 16\n    windows: 100\n"
	train := func(mode string) (*Model, []epochOutput) {
		m := newModel(t, params+"    sparse_adam: "+mode+"\n", ag.NewCPU())
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		var outs []epochOutput
		for range 2 {
			outs = append(outs, trainAndEvaluate(t, m, d))
		}
		return m, outs
	}
	mrr := func(preds []bench.Prediction) float64 {
		var s float64
		n := 0
		for _, p := range preds {
			if p.Part == bench.PartTest {
				s += 1 / p.Rank
				n++
			}
		}
		return s / float64(n)
	}
	def, defOut := train("dense")
	eager, eagerOut := train("dense-eager")
	_, lazyOut := train("lazy")
	for e := range defOut {
		if err := samePredictions(eagerOut[e].preds, defOut[e].preds); err != nil {
			t.Fatalf("epoch %d: deferred and eager dense Adam predict differently: %v", e+1, err)
		}
	}
	sameParams(t, eager.params, def.params)
	got, want, lazy := mrr(defOut[1].preds), mrr(eagerOut[1].preds), mrr(lazyOut[1].preds)
	t.Logf("test MRR after 2 epochs: default %.4f, dense-eager %.4f, lazy %.4f", got, want, lazy)
	if got != want {
		t.Errorf("test MRR %v by default, %v with eager dense Adam", got, want)
	}
	if lazy == want {
		t.Error("lazy Adam gives dense Adam's MRR: the comparison cannot tell the optimisers apart")
	}
}
