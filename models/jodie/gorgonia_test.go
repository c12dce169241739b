package jodie

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/internal/ag"
)

// TestGorgoniaMatchesTibench is the differential test of the two engines: from the same parameters
// (same seed) and the same states, one backpropagation window of several t-batches — users and
// items reappearing in later t-batches, so gradient flows back through earlier ones, every first
// interaction reading the learned initial vectors — and the next window, which reads the states the
// first left, give the same loss (relative 1e-5 in float32) and the same gradient for every
// parameter (each element within 1e-4 of the parameter's largest gradient element), and the same
// new embeddings; in float64 all within 1e-10 and 1e-9. The gradients come from tibench's hand-written backward
// passes on one side and from gorgonia's symbolic differentiation on the other.
func TestGorgoniaMatchesTibench(t *testing.T) {
	for _, tc := range []struct {
		name string
		be   func() ag.Backend
		task bench.Task
		tol  float64 // relative, on the loss and the states; 10× on the gradients
		more string  // gorgonia parameters
	}{
		// In float64 the engines differ only by the order of floating-point sums.
		{"float64/state-change", func() ag.Backend { return ag.NewCPU64() }, bench.TaskStateChange, 1e-10, ""},
		{"float64/next-item", func() ag.Backend { return ag.NewCPU64() }, bench.TaskNextItem, 1e-10, ""},
		{"float64/bucket", func() ag.Backend { return ag.NewCPU64() }, bench.TaskStateChange, 1e-10, "    gorgonia_shapes: bucket\n"},
		// In float32 (the default precision), the tolerances: loss 1e-5, gradients 1e-4.
		{"float32/state-change", func() ag.Backend { return ag.NewCPU() }, bench.TaskStateChange, 1e-5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := benchtest.SynthData(t, "synth-reddit-small", tc.task, bench.ProtocolFrozen)
			const params = "    dim: 16\n    windows: 40\n"
			ref, gor := newModel(t, params, tc.be()), newModel(t, params+"    engine: gorgonia\n"+tc.more, tc.be())
			for _, m := range []*Model{ref, gor} {
				if err := m.Init(d, 7); err != nil {
					t.Fatal(err)
				}
				m.tp.SetGrad(true)
				m.resetStates()
			}
			// Window 0 reads the learned initial vectors; after one Adam step each and the original's
			// detach, window 1 reads constants and the states window 0 left.
			for w := range 2 {
				first, end := ref.steps[w], ref.steps[w+1]
				if end-first < 3 {
					t.Fatalf("window %d has %d t-batches; the test needs several", w, end-first)
				}
				var batches [][]int32
				n := 0
				for k := first; k < end; k++ {
					batches = append(batches, ref.batches.Batch(k))
					n += len(ref.batches.Batch(k))
				}
				var refLoss *ag.Tensor
				for _, rows := range batches {
					l, _, _ := ref.step(d, rows)
					if refLoss == nil {
						refLoss = l
					} else {
						refLoss = ref.tp.Add(refLoss, l)
					}
				}
				want := refLoss.Scalar()
				if err := ref.tp.Backward(refLoss); err != nil {
					t.Fatal(err)
				}
				win, sur, err := gor.runGorgonia(d, batches, true, false)
				if err != nil {
					t.Fatal(err)
				}
				if err := gor.tp.Backward(sur); err != nil {
					t.Fatal(err)
				}
				t.Logf("window %d: %d t-batches, %d interactions, loss %.10g (tibench) %.10g (gorgonia)", w, end-first, n, want, win.loss)
				if rel := math.Abs(win.loss-want) / math.Abs(want); rel > tc.tol {
					t.Errorf("window %d loss: gorgonia %.12g, tibench %.12g (relative %.2g > %g)", w, win.loss, want, rel, tc.tol)
				}
				for k, p := range ref.params {
					q := gor.params[k]
					if p.Name != q.Name {
						t.Fatalf("parameter %d: %s vs %s", k, p.Name, q.Name)
					}
					if err := closeGrads(p.GradValues(), q.GradValues(), 10*tc.tol); err != nil {
						t.Errorf("window %d, gradient of %s: %v", w, p.Name, err)
					}
				}
				for _, tab := range []struct {
					name     string
					ref, gor *ag.Tensor
				}{{"user states", ref.users.Values, gor.users.Values}, {"item states", ref.items.Values, gor.items.Values}} {
					if err := closeGrads(values64(tab.ref), values64(tab.gor), tc.tol); err != nil {
						t.Errorf("%s after window %d: %v", tab.name, w, err)
					}
				}
				for _, m := range []*Model{ref, gor} {
					m.opt.Step()
					m.opt.ZeroGrad()
					m.endWindow()
					m.users.DetachInitial()
					m.items.DetachInitial()
				}
			}
		})
	}
}

// closeGrads reports the first element of got farther from want than tol times want's largest
// magnitude (a scale-aware tolerance: a parameter's gradient elements span many orders, and an
// element-wise relative test would fail on the near-zero ones through rounding alone).
func closeGrads(want, got []float64, tol float64) error {
	if len(want) != len(got) {
		return fmt.Errorf("%d elements vs %d", len(got), len(want))
	}
	var scale float64
	for _, v := range want {
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 {
		scale = 1
	}
	for k := range want {
		if math.Abs(got[k]-want[k]) > tol*scale {
			return fmt.Errorf("element %d: gorgonia %.8g, tibench %.8g (max |tibench| %.3g)", k, got[k], want[k], scale)
		}
	}
	return nil
}

// TestGorgoniaEpochAndEvaluation runs whole epochs and both evaluation protocols on both engines in
// float64, where they differ only by summation order: the ranks must be the same and the state
// scores equal to 1e-9. It covers TrainEpoch's windows, detaches and Adam steps, and evaluation's
// chunks, online steps, item mirror and restore.
func TestGorgoniaEpochAndEvaluation(t *testing.T) {
	for _, protocol := range []bench.Protocol{bench.ProtocolFrozen, bench.ProtocolOnline} {
		t.Run(string(protocol), func(t *testing.T) {
			d := benchtest.SynthData(t, "synth-reddit-small", bench.TaskStateChange, protocol)
			d.Split.TestEnd = d.Split.TrainEnd + 600 // enough rows for several online windows, kept fast
			d.Split.ValEnd = d.Split.TrainEnd + 300
			const params = "    dim: 8\n    windows: 100\n"
			preds := make([][]bench.Prediction, 2)
			for k, engine := range []string{"tibench", "gorgonia"} {
				m := newModel(t, params+"    engine: "+engine+"\n", ag.NewCPU64())
				preds[k] = benchtest.Predictions(t, m, d, 5, 1)
				var again []bench.Prediction
				if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { again = append(again, p) }); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(again, preds[k]) {
					t.Errorf("%s: a second evaluation differs from the first: Evaluate did not restore the model", engine)
				}
				if engine == "gorgonia" && protocol == bench.ProtocolFrozen {
					rerun := benchtest.Predictions(t, newModel(t, params+"    engine: gorgonia\n", ag.NewCPU64()), d, 5, 1)
					if !slices.Equal(rerun, preds[k]) {
						t.Error("gorgonia: the same seed gave different predictions")
					}
				}
			}
			if len(preds[0]) != len(preds[1]) {
				t.Fatalf("%d predictions (tibench) vs %d (gorgonia)", len(preds[0]), len(preds[1]))
			}
			for k, p := range preds[0] {
				q := preds[1][k]
				if p.Rank != q.Rank || math.Abs(p.Score-q.Score) > 1e-9*max(1, math.Abs(p.Score)) {
					t.Fatalf("prediction %d: tibench rank %v score %.12g, gorgonia rank %v score %.12g", k, p.Rank, p.Score, q.Rank, q.Score)
				}
			}
		})
	}
}

// TestGorgoniaMRRWithinSeedNoise trains 2 epochs on a -small preset in float32, the default
// precision, with both engines from the same seed: their test MRRs must differ by less than the
// seed noise, 0.009 — twice the standard deviation of the tibench engine's MRR over seeds 1–5 in
// this setting (0.5904, 0.5866, 0.5862, 0.5952, 0.5835: sd 0.0045). In float32 the engines' sums
// round differently, so trajectories drift apart slowly; a gap larger than a seed's worth would mean
// the engines train different models. (Measured: both 0.59036.)
func TestGorgoniaMRRWithinSeedNoise(t *testing.T) {
	if testing.Short() {
		t.Skip("trains JODIE for 2 epochs on both engines (about 15 s)")
	}
	d := benchtest.SynthData(t, "synth-reddit-small", bench.TaskNextItem, bench.ProtocolFrozen)
	mrr := map[string]float64{}
	for _, engine := range []string{"tibench", "gorgonia"} {
		m := newModel(t, "    dim: 32\n    engine: "+engine+"\n", ag.NewCPU())
		out, err := bench.Train(context.Background(), m, d, 1, bench.RunConfig{Epochs: 2}, bench.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mrr[engine] = out.BestEpoch().Test["MRR"]
	}
	t.Logf("test MRR after 2 epochs: tibench %.5f, gorgonia %.5f", mrr["tibench"], mrr["gorgonia"])
	if diff := math.Abs(mrr["tibench"] - mrr["gorgonia"]); diff > 0.009 {
		t.Errorf("engines' MRR differ by %.4f, more than the seed noise 0.009", diff)
	}
}
