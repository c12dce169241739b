package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// scalarParam returns a 1×1 float64 parameter with value v.
func scalarParam(v float64) *ag.Tensor {
	p := ag.NewParam(ag.NewCPU64(), "p", 1, 1)
	p.CopyFrom64([]float64{v})
	return p
}

func setGrad(p *ag.Tensor, g float64) {
	p.ZeroGrad()
	p.Backend().Fill(p.GradStorage(), g)
}

// TestOptimizerSteps checks two steps of each optimiser on p0 = 1 with gradients g1, g2 against
// values computed by hand from torch.optim's update rules (derivations in the comments).
func TestOptimizerSteps(t *testing.T) {
	tests := []struct {
		name   string
		opt    string
		cfg    OptimConfig
		grads  [2]float64
		want   [2]float64
		oracle string
	}{
		{"SGD", "sgd", OptimConfig{LR: 0.1}, [2]float64{0.5, 0.5}, [2]float64{0.95, 0.9},
			"p -= 0.1·0.5 twice"},
		{"SGD/momentum", "sgd", OptimConfig{LR: 0.1, Momentum: 0.9}, [2]float64{0.5, 0.5}, [2]float64{0.95, 0.855},
			"buf = 0.5 → 0.95; buf = 0.9·0.5+0.5 = 0.95 → 0.95−0.095"},
		{"SGD/weight-decay", "sgd", OptimConfig{LR: 0.1, WeightDecay: 0.1}, [2]float64{0.5, 0.5}, [2]float64{0.94, 0.8806},
			"g = 0.5+0.1·1 → 1−0.06; g = 0.5+0.094 → 0.94−0.0594"},
		{"Adam", "adam", OptimConfig{LR: 0.1}, [2]float64{0.5, 0.25}, [2]float64{0.900000002, 0.8067820404774624},
			"m=0.05, v=2.5e-4, m̂=0.5, v̂=0.25 → 1−0.1·0.5/(0.5+1e-8); then m=0.07, v=3.1225e-4, bias 0.19/0.001999"},
		{"Adam/weight-decay", "adam", OptimConfig{LR: 0.1, WeightDecay: 0.1}, [2]float64{0.5, 0.25},
			[2]float64{0.9000000016666666, 0.8050097658613199}, "as Adam with g += 0.1·p (torch.optim.Adam L2)"},
		{"Adagrad", "adagrad", OptimConfig{LR: 0.1}, [2]float64{0.5, 0.5}, [2]float64{0.90000000002, 0.8292893219113453},
			"sum=0.25 → 1−0.1·0.5/(0.5+1e-10); sum=0.5 → 0.9−0.05/√0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := scalarParam(1)
			o, err := OptimizerByName(tt.opt, Params{p}, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for k, g := range tt.grads {
				setGrad(p, g)
				o.Step()
				if got := p.Scalar(); math.Abs(got-tt.want[k]) > 1e-12 {
					t.Errorf("step %d: p = %.16g, want %.16g (%s)", k+1, got, tt.want[k], tt.oracle)
				}
			}
		})
	}
}

func TestOptimizerByNameUnknown(t *testing.T) {
	_, err := OptimizerByName("adamw2", nil, OptimConfig{})
	if err == nil || !strings.Contains(err.Error(), `"adamw2"`) || !strings.Contains(err.Error(), "adagrad") {
		t.Errorf("err = %v, want one naming the bad optimizer and the valid ones", err)
	}
}

// TestLazySparseAdam: rows without gradient keep their values; touched rows take the dense Adam step
// of their own first update.
func TestLazySparseAdam(t *testing.T) {
	be := ag.NewCPU64()
	emb := ag.NewParam(be, "emb", 3, 1)
	emb.EnableSparseGrad()
	emb.CopyFrom64([]float64{1, 1, 1})
	o := NewAdam(Params{emb}, OptimConfig{LR: 0.1, LazySparse: true})
	tp := ag.NewTape(be)
	if err := tp.Backward(tp.Scale(tp.Sum(tp.Gather(emb, []int32{2}), ag.AxisAll), 0.5)); err != nil {
		t.Fatal(err)
	}
	o.Step()
	got := make([]float64, 3)
	emb.CopyTo64(got)
	if got[0] != 1 || got[1] != 1 || math.Abs(got[2]-0.900000002) > 1e-12 {
		t.Errorf("after a lazy step on row 2: %v, want [1 1 0.900000002]", got)
	}
}

func TestClipGradNorm(t *testing.T) {
	a, b := scalarParam(0), scalarParam(0)
	setGrad(a, 3)
	setGrad(b, 4)
	ps := Params{a, b}
	if n := ps.ClipGradNorm(1); n != 5 {
		t.Errorf("norm before clipping %v, want 5", n)
	}
	// torch: factor 1/(5+1e-6)
	ga, gb := a.GradValues()[0], b.GradValues()[0]
	if math.Abs(ga-3/(5+1e-6)) > 1e-15 || math.Abs(gb-4/(5+1e-6)) > 1e-15 {
		t.Errorf("clipped grads %v, %v", ga, gb)
	}
	if n := ps.ClipGradNorm(10); math.Abs(n-5/(5+1e-6)) > 1e-12 {
		t.Errorf("norm %v: a norm below the limit must not change", n)
	}
}
