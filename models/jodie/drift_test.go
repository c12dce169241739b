package jodie

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// sizeObserver records the relative size of every user update, by user, in order.
type sizeObserver struct{ sizes map[int32][]float64 }

func (o *sizeObserver) Restart() { o.sizes = map[int32][]float64{} }
func (o *sizeObserver) ObserveUpdate(side monitor.Side, id int32, prev, e []float32) {
	if side != monitor.Users {
		return
	}
	var diff, norm float64
	for c := range e {
		diff += float64(e[c]-prev[c]) * float64(e[c]-prev[c])
		norm += float64(prev[c]) * float64(prev[c])
	}
	o.sizes[id] = append(o.sizes[id], math.Sqrt(diff/norm))
}

// TestMonitorSeesTheGeneratorsDrift uses the synthetic generator's ground truth as an oracle: where
// a user shifted interest (its latent then travels to a new cluster, and it picks items there), the
// embedding updates JODIE reports to the monitor must be larger than elsewhere. Compared: the median
// relative update of a user's interactions at and just after a shift (the shift and its next 3)
// against all its other interactions past its first 4 (which move from the initial vector).
func TestMonitorSeesTheGeneratorsDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("trains JODIE for 3 epochs")
	}
	ds, trace, err := datasets.SynthesizeTrace("synth-lastfm-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	split, err := datasets.SplitFractions(ds.Len(), 0.8, 0.1, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := bench.NewData(ds, split, datasets.NormTrain, bench.TaskNextItem, bench.ProtocolFrozen)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, "    dim: 32\n", ag.NewCPU())
	if err := m.Init(d, 1); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
			t.Fatal(err)
		}
	}
	o := &sizeObserver{}
	m.ObserveEmbeddings(o)
	if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
		t.Fatal(err)
	}
	// A user's k-th reported update is its k-th trained row: t-batches keep each user's order.
	rows := map[int32][]int{}
	for k := range m.batches.NumBatches() {
		for _, r := range m.batches.Batch(k) {
			rows[d.Users[r]] = append(rows[d.Users[r]], int(r))
		}
	}
	var near, far []float64
	for u, rs := range rows {
		sizes := o.sizes[u]
		if len(sizes) != len(rs) {
			t.Fatalf("user %d: %d updates reported for %d trained rows", u, len(sizes), len(rs))
		}
		after := -1 // rows since the last shift
		for k, r := range rs {
			if trace.Shift[r] {
				after = 0
			} else if after >= 0 {
				after++
			}
			switch {
			case k < 4:
			case after >= 0 && after <= 3:
				near = append(near, sizes[k])
			default:
				far = append(far, sizes[k])
			}
		}
	}
	slices.Sort(near)
	slices.Sort(far)
	mn, mf := near[len(near)/2], far[len(far)/2]
	t.Logf("median relative user update: %.4f at and after %d shift rows, %.4f on %d others (ratio %.2f)", mn, len(near), mf, len(far), mn/mf)
	if len(near) < 50 || mn < 1.2*mf {
		t.Errorf("updates near a shift (median %.4f, %d rows) are not clearly larger than elsewhere (%.4f)", mn, len(near), mf)
	}
}
