package tin

import (
	"context"
	"math"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
)

// TestLearnedCorrelation: every variant measures one positive, finite value per behaviour, and the
// measure is TIN eq. 5 of the model's own computations: divided by ‖r‖ (r = ẽ_i ⊙ ṽ_t, or ẽ_i
// without TR) and normalised over a sample's behaviours it is the attention softmax the net pools
// with (Net.Weights); without TA it is ‖r‖ itself.
func TestLearnedCorrelation(t *testing.T) {
	d := ctrtest.Data(t)
	samples := d.CTR.Test[:40]
	for _, s := range Specs {
		t.Run(s.Name, func(t *testing.T) {
			m := ctrtest.New(t, s, small)
			ctrtest.Train(t, m, d, 1, 1)
			var _ bench.CorrelationProber = m
			cor, err := m.LearnedCorrelation(context.Background(), d, samples)
			if err != nil {
				t.Fatal(err)
			}
			n := m.Net().(*Net)
			tp := ag.NewTape(ag.NewCPU()) // the models' default backend (float32)
			tp.SetGrad(false)
			bt := ctr.NewBatcher(d.CTR, nil)
			switch n.cfg.Encoding {
			case ctr.EncodingTTET:
				bt = ctr.NewBatcher(d.CTR, ctr.TimeEdges(d.CTR, n.cfg.TimeBins))
			case ctr.EncodingTE:
				bt.WithCalendar()
			}
			b := bt.Make(samples)
			e, vt, vtRep, _ := n.Encode(tp, b, &b.Packed)
			r := e
			if *n.cfg.Representation {
				r = tp.Mul(e, vtRep)
			}
			rv := make([]float64, b.N*r.Cols())
			r.CopyTo64(rv)
			alpha := make([]float64, b.N)
			n.Weights(tp, b, e, vt).CopyTo64(alpha)
			D := r.Cols()
			for i, smp := range samples {
				if len(cor[i]) != len(smp.History) {
					t.Fatalf("sample %d: %d values for %d behaviours", i, len(cor[i]), len(smp.History))
				}
				var total float64
				att := make([]float64, len(cor[i]))
				for j, v := range cor[i] {
					if !(v > 0) || math.IsInf(v, 0) {
						t.Fatalf("sample %d behaviour %d: correlation %v", i, j, v)
					}
					var n2 float64
					for _, x := range rv[(int(b.Off[i])+j)*D : (int(b.Off[i])+j+1)*D] {
						n2 += x * x
					}
					att[j] = v / math.Sqrt(n2)
					total += att[j]
				}
				for j := range att {
					want := 1.0 // without TA the measure is ‖r‖: the factor is 1
					got := att[j]
					if *n.cfg.Attention {
						want, got = alpha[int(b.Off[i])+j], att[j]/total
					}
					if math.Abs(got-want) > 1e-4*math.Max(1, want) {
						t.Fatalf("sample %d behaviour %d: attention factor %v, want %v", i, j, got, want)
					}
				}
			}
		})
	}
}
