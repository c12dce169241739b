package nn

import (
	"math"
	"slices"
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
	o := NewAdam(Params{emb}, OptimConfig{LR: 0.1, SparseRows: RowsLazy})
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

// TestDeferredAdamEqualsDense: deferred dense Adam gives dense Adam's parameters and moments bit
// for bit — over many steps, with rows touched at irregular intervals, rows touched only early, a
// row never touched, reads between steps, a snapshot restored mid-way, and a width that is no
// multiple of the 8-lane kernel — and lazy Adam, on the same steps, does not.
//
// Without weight decay and without the background sweep (the CTR engine's tables), over 1,600 steps,
// the rows that sit out from step 150 on freeze (their replay skips parameter updates) and their
// first moments decay into subnormal floats: the bits must still be dense Adam's.
func TestDeferredAdamEqualsDense(t *testing.T) {
	for _, c := range []struct {
		name       string
		wd, lr     float64
		sweep      int
		cols, step int
	}{
		{"decay", 1e-2, 1e-2, 0, 37, 400},
		{"no-decay-no-sweep", 0, 1e-3, -1, 67, 1600},
	} {
		for _, be := range []ag.Backend{ag.NewCPU(), ag.NewCPU64()} {
			t.Run(c.name+"/"+be.Name(), func(t *testing.T) { testDeferredAdam(t, be, c.wd, c.lr, c.sweep, c.cols, c.step) })
		}
	}
}

func testDeferredAdam(t *testing.T, be ag.Backend, wd, lr float64, sweep, cols, steps int) {
	const rows = 9
	build := func(mode SparseRows) (*ag.Tensor, *Linear, *Adam) {
		r := rng(3)
		emb := ag.NewParam(be, "emb", rows, cols)
		Uniform(emb, r, -0.1, 0.1)
		emb.EnableSparseGrad()
		lin := NewLinear(be, "lin", cols, 2, true, r)
		// Large weight decay makes its share of the untouched rows' steps visible.
		return emb, lin, NewAdam(Params{emb, lin.W, lin.B}, OptimConfig{LR: lr, WeightDecay: wd, SparseRows: mode, AheadSweep: sweep})
	}
	dEmb, dLin, dense := build(RowsDense)
	fEmb, fLin, deferred := build(RowsDeferred)
	lEmb, lLin, lazy := build(RowsLazy)
	// Row r is touched with probability (r+1)/12 before step 150; rows 0–2 never after, row
	// 8 never at all; every touched id is read twice (its gradient adds up).
	touch := rng(11)
	plan := make([][]int32, steps+2)
	for s := 1; s <= steps+1; s++ {
		for r := range int32(rows - 1) {
			if (s < 150 || r > 2) && touch.Float64() < float64(r+1)/12 {
				plan[s] = append(plan[s], r, r)
			}
		}
		if len(plan[s]) == 0 {
			plan[s] = []int32{4}
		}
	}
	var snap Snapshot
	var snapAt int
	for s := 1; s <= steps; s++ {
		ids := plan[s]
		// The background catch-up, told the truth on even steps and only part of it on odd
		// ones (a read outside Now must wait for the worker).
		now := ids
		if s%2 == 1 {
			now = ids[:1]
		}
		deferred.Ahead(RowReads{Param: fEmb, Now: now, Next: plan[s+1]})
		var read [3][]float64
		for k, m := range []struct {
			emb *ag.Tensor
			lin *Linear
			opt *Adam
		}{{dEmb, dLin, dense}, {fEmb, fLin, deferred}, {lEmb, lLin, lazy}} {
			tp := ag.NewTape(be)
			x := tp.Gather(m.emb, ids)
			read[k] = make([]float64, x.Len())
			x.CopyTo64(read[k])
			loss := tp.Sum(tp.Tanh(m.lin.Forward(tp, x)), ag.AxisAll)
			if err := tp.Backward(loss); err != nil {
				t.Fatal(err)
			}
			m.opt.Step()
			m.opt.ZeroGrad()
		}
		if !slices.Equal(read[0], read[1]) {
			t.Fatalf("step %d: rows %v read through Gather differ between dense and deferred Adam", s, ids)
		}
		if s == 200 {
			snap.Take(Params{fEmb, fLin.W, fLin.B}, deferred)
			snapAt = s
		}
	}
	deferred.Flush()
	want := fingerprintOf(dense)
	if got := fingerprintOf(deferred); !slices.Equal(got, want) {
		t.Errorf("after %d steps and Flush, deferred Adam differs from dense Adam", steps)
	}
	if slices.Equal(fingerprintOf(lazy), want) {
		t.Error("lazy Adam equals dense Adam: the steps never leave a row untouched, so the test proves nothing")
	}
	// Restoring the snapshot and replaying from it gives the same result again.
	snap.Restore()
	if deferred.t != snapAt {
		t.Fatalf("restored step count %d, want %d", deferred.t, snapAt)
	}
	deferred.Flush()
	if slices.Equal(fingerprintOf(deferred), want) {
		t.Errorf("restoring a step-200 snapshot left the step-%d parameters", steps)
	}
}

// fingerprintOf is every parameter value and both moments of every parameter of o, in order.
func fingerprintOf(o *Adam) []float64 {
	var out []float64
	grab := func(be ag.Backend, s ag.Storage) {
		x := make([]float64, s.Len())
		be.Download64(x, s)
		out = append(out, x...)
	}
	for i, p := range o.ps {
		grab(p.Backend(), p.Storage())
		grab(p.Backend(), o.m[i])
		grab(p.Backend(), o.v[i])
	}
	return out
}
