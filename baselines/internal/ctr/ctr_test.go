package ctr

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
	"github.com/tibench/tibench/internal/nn"
)

func TestTimeBin(t *testing.T) {
	edges := []float64{10, 20, 20, 40}
	tests := []struct {
		gap  float64
		want int32
	}{
		{0, 1}, {9.9, 1}, {10, 2}, {15, 2}, {20, 4}, {39, 4}, {40, 5}, {1e9, 5},
	}
	for _, tt := range tests {
		if got := TimeBin(edges, tt.gap); got != tt.want {
			t.Errorf("TimeBin(%v) = %d, want %d", tt.gap, got, tt.want)
		}
	}
}

// split is one user with items 0..4 at times 0, 10, 30, 60, 100 and categories 5,6,5,6,5:
// positive training samples at positions 1 and 2 (3 is validation, 4 test).
func split(t *testing.T) *datasets.CTRSplit {
	t.Helper()
	d := &datasets.Dataset{Name: "one", Users: []int32{0, 0, 0, 0, 0}, Items: []int32{0, 1, 2, 3, 4},
		Times: []float64{0, 10, 30, 60, 100}, Labels: make([]uint8, 5), UserIDs: []string{"u"},
		ItemIDs: []string{"a", "b", "c", "d", "e", "f", "g"}, ItemCategories: []int32{5, 6, 5, 6, 5, 6, 5}}
	cs, err := datasets.CTRSamples(d, datasets.CTRConfig{MaxHistory: 5, Categories: d.ItemCategories}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestTimeEdges(t *testing.T) {
	// Gaps of the positive training behaviours: target 1 (t=10): 10; target 2 (t=30): 30, 20.
	// Sorted 10, 20, 30; two bins: the edge is gaps[1*3/2] = 20.
	cs := split(t)
	if got := TimeEdges(cs, 2); !slices.Equal(got, []float64{20}) {
		t.Errorf("TimeEdges(2) = %v, want [20]", got)
	}
	if got := TimeEdges(cs, 3); !slices.Equal(got, []float64{20, 30}) {
		t.Errorf("TimeEdges(3) = %v, want [20 30]", got)
	}
}

func TestBatcher(t *testing.T) {
	cs := split(t)
	// The validation positive (target 3 at t=60, history 0,1,2) and the first training positive
	// (target 1 at t=10, history 0), padded to T = 3.
	b := NewBatcher(cs, []float64{20}).Make([]datasets.CTRSample{cs.Val[0], cs.Train[0]})
	want := Batch{B: 2, T: 3,
		Slots: Slots{
			Hist: []int32{0, 1, 2, 0, 0, 0}, HistCat: []int32{5, 6, 5, 5, 0, 0},
			RelPos: []int32{3, 2, 1, 1, 0, 0}, ChronPos: []int32{1, 2, 3, 1, 0, 0},
			TimeBin:   []int32{2, 2, 2, 1, 0, 0}, // gaps 60, 50, 30 | 10
			Time:      []float64{0, 10, 30, 0, 0, 0},
			Sample:    []int32{0, 0, 0, 1, 1, 1},
			TargetRep: []int32{3, 3, 3, 1, 1, 1}, TargetCatRep: []int32{6, 6, 6, 6, 6, 6},
		},
		Mask: []float32{1, 1, 1, 1, 0, 0}, Len: []int{3, 1},
		Target: []int32{3, 1}, TargetCat: []int32{6, 6}, Label: []float32{1, 1},
		N: 4, Off: []int32{0, 3, 4},
		Packed: Slots{
			Hist: []int32{0, 1, 2, 0}, HistCat: []int32{5, 6, 5, 5},
			RelPos: []int32{3, 2, 1, 1}, ChronPos: []int32{1, 2, 3, 1},
			TimeBin: []int32{2, 2, 2, 1}, Time: []float64{0, 10, 30, 0}, Sample: []int32{0, 0, 0, 1},
			TargetRep: []int32{3, 3, 3, 1}, TargetCatRep: []int32{6, 6, 6, 6},
		},
	}
	if cs.Val[0].Target != 3 || cs.Train[0].Target != 1 {
		t.Fatalf("unexpected samples %+v %+v", cs.Val[0], cs.Train[0])
	}
	check := func(name string, ok bool) {
		if !ok {
			t.Errorf("%s: got %+v, want %+v", name, *b, want)
		}
	}
	check("shape", b.B == want.B && b.T == want.T)
	check("Hist", slices.Equal(b.Hist, want.Hist))
	check("HistCat", slices.Equal(b.HistCat, want.HistCat))
	check("Mask", slices.Equal(b.Mask, want.Mask))
	check("Len", slices.Equal(b.Len, want.Len))
	check("RelPos", slices.Equal(b.RelPos, want.RelPos))
	check("ChronPos", slices.Equal(b.ChronPos, want.ChronPos))
	check("TimeBin", slices.Equal(b.TimeBin, want.TimeBin))
	check("Time", slices.Equal(b.Time, want.Time))
	check("Target", slices.Equal(b.Target, want.Target) && slices.Equal(b.TargetCat, want.TargetCat))
	check("Label", slices.Equal(b.Label, want.Label))
	check("TargetRep", slices.Equal(b.TargetRep, want.TargetRep) && slices.Equal(b.TargetCatRep, want.TargetCatRep))
	check("Sample", slices.Equal(b.Sample, want.Sample))
	check("packed shape", b.N == want.N && slices.Equal(b.Off, want.Off) && slices.Equal(b.PadRows(), []int32{0, 1, 2, 3}))
	// Repack gives Make's packed layout from the padded one.
	re := &Batch{B: b.B, T: b.T, Slots: b.Slots, Len: b.Len}
	re.Repack()
	check("Repack", re.N == b.N && slices.Equal(re.Off, b.Off) && slices.Equal(re.Packed.Hist, b.Packed.Hist) &&
		slices.Equal(re.Packed.TimeBin, b.Packed.TimeBin) && slices.Equal(re.Packed.Time, b.Packed.Time) &&
		slices.Equal(re.Packed.Sample, b.Packed.Sample) && slices.Equal(re.Packed.TargetRep, b.Packed.TargetRep))
	p, wp := b.Packed, want.Packed
	check("packed slots", slices.Equal(p.Hist, wp.Hist) && slices.Equal(p.HistCat, wp.HistCat) && slices.Equal(p.RelPos, wp.RelPos) &&
		slices.Equal(p.ChronPos, wp.ChronPos) && slices.Equal(p.TimeBin, wp.TimeBin) && slices.Equal(p.Time, wp.Time) &&
		slices.Equal(p.Sample, wp.Sample) && slices.Equal(p.TargetRep, wp.TargetRep) && slices.Equal(p.TargetCatRep, wp.TargetCatRep))
}

func TestLoss(t *testing.T) {
	// z = 0, y = 1: log 2; z = 2, y = 0: log(1 + e²); mean of the two.
	tp := ag.NewTape(ag.NewCPU64())
	z := tp.Input64(2, 1, []float64{0, 2})
	got := Loss(tp, z, []float32{1, 0}).Scalar()
	want := (math.Ln2 + math.Log(1+math.Exp(2))) / 2
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("Loss = %v, want %v", got, want)
	}
}

func TestBatchNormGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(1, 1))
	bn := NewBatchNorm(be, "bn", 3)
	x := ag.NewParam(be, "x", 4, 3)
	for _, p := range []*ag.Tensor{x, bn.Gamma, bn.Beta} {
		agtest.FillUniform(p, r, -1, 1)
	}
	mis, err := agtest.CheckGradients([]*ag.Tensor{x, bn.Gamma, bn.Beta}, func(tp *ag.Tape) *ag.Tensor {
		return agtest.Project(tp, bn.Forward(tp, x, true, false))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mis {
		t.Error(m)
	}
}

func TestBatchNormRunning(t *testing.T) {
	// Column values 1 and 3: batch mean 2, variance 1. After one update with momentum 0.5 the
	// running mean is 1 and the running variance 1; evaluation maps 3 to (3-1)/sqrt(1+eps).
	be := ag.NewCPU64()
	bn := NewBatchNorm(be, "bn", 1)
	bn.Momentum = 0.5
	tp := ag.NewTape(be)
	y := bn.Forward(tp, tp.Input64(2, 1, []float64{1, 3}), true, true)
	if a, b := y.At(0, 0), y.At(1, 0); math.Abs(a+1/math.Sqrt(1+bn.Eps)) > 1e-12 || math.Abs(b-1/math.Sqrt(1+bn.Eps)) > 1e-12 {
		t.Errorf("training output %v, %v, want ∓1/sqrt(1+eps)", a, b)
	}
	if bn.mean[0] != 1 || bn.vari[0] != 1 {
		t.Errorf("running mean %v variance %v, want 1 and 1", bn.mean[0], bn.vari[0])
	}
	e := bn.Forward(tp, tp.Input64(1, 1, []float64{3}), false, false).At(0, 0)
	if want := 2 / math.Sqrt(1+bn.Eps); math.Abs(e-want) > 1e-12 {
		t.Errorf("evaluation output %v, want %v", e, want)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		params string
		ok     bool
	}{
		{"", true},
		{"    item_dim: 0\n", true},
		{"    item_dim: -1\n", false},
		{"    hidden: [80, 0]\n", false},
		{"    encoding: tte-q\n", false},
		{"    lr: -1\n", false},
		{"    time_bins: -2\n", false},
		{"    unknown: 1\n", false},
	}
	for _, tt := range tests {
		_, err := New(Spec{Name: "x"}, benchtest.Params(t, tt.params), nil, nil)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, bench.ErrConfig)) {
			t.Errorf("%q: New = %v, want ok=%v", tt.params, err, tt.ok)
		}
	}
	m, err := New(Spec{Name: "x"}, bench.ModelParams{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config().(Config)
	if c.ItemDim != 64 || c.CategoryDim != 64 || !slices.Equal(c.Hidden, []int{80, 40}) || c.BatchSize != 32 || c.LR != 0.001 || c.Clip != 5 || !*c.BatchNorm {
		t.Errorf("defaults %+v, want TIN's (64+64, [80 40], batch 32, lr 0.001, clip 5, batch norm)", c)
	}
}

// TestRecurrence: a GRU over a padded batch equals the same GRU run sample by sample on each real
// history (final states and every real step's state, float64), padding slots repeat the last real
// state, and an empty history keeps zeros; then a float64 gradient check of a loss on all states.
func TestRecurrence(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(3, 4))
	const D, H, T = 3, 4, 3
	cell := nn.NewGRUCell(be, "gru", D, H, r)
	lens := []int{3, 1, 0}
	B := len(lens)
	xv := make([]float32, B*T*D)
	mask := make([]float32, B*T)
	for b, L := range lens {
		for s := range L {
			mask[b*T+s] = 1
			for k := range D {
				xv[(b*T+s)*D+k] = float32(r.NormFloat64())
			}
		}
	}
	tp := ag.NewTape(be)
	xs := tp.Input(B*T, D, xv)
	states, final := Recurrence(tp, cell, xs, mask, B, T, H)
	for b, L := range lens {
		h := tp.Input(1, H, make([]float32, H))
		for s := range T {
			if s < L {
				h = cell.Forward(tp, tp.Input(1, D, xv[(b*T+s)*D:(b*T+s+1)*D]), h)
			}
			for k := range H {
				if got, want := states.At(b*T+s, k), h.At(0, k); math.Abs(got-want) > 1e-12 {
					t.Fatalf("sample %d step %d unit %d: %v, sample by sample %v", b, s, k, got, want)
				}
			}
		}
		for k := range H {
			if got, want := final.At(b, k), h.At(0, k); math.Abs(got-want) > 1e-12 {
				t.Errorf("sample %d final unit %d: %v, want %v", b, k, got, want)
			}
			if L == 0 && final.At(b, k) != 0 {
				t.Errorf("empty history: final state %v, want 0", final.At(b, k))
			}
		}
	}
	w := make([]float32, B*T*H)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	bad, err := agtest.CheckGradients(cell.Params(), func(tp *ag.Tape) *ag.Tensor {
		st, fin := Recurrence(tp, cell, tp.Input(B*T, D, xv), mask, B, T, H)
		return tp.Add(tp.Sum(tp.Mul(st, tp.Input(B*T, H, w)), ag.AxisAll), tp.Sum(tp.Square(fin), ag.AxisAll))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// TestPackedRecurrence: on float32, PackedRecurrence gives Recurrence's states on every real slot
// and its final states bit for bit, and the same gradients of a loss on the final states, for
// batches of 2 samples (fewer than the kernels' 4 rows) and of 9 with lengths from 0 to 6; and a
// float64 gradient check of a loss on all its states.
func TestPackedRecurrence(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const D, H = 5, 8
	for _, lens := range [][]int{{2, 3}, {3, 1, 0, 6, 2, 6, 1, 1, 4}} {
		be := ag.NewCPU()
		cell := nn.NewGRUCell(be, "gru", D, H, rand.New(rand.NewPCG(7, 8)))
		B, T := len(lens), slices.Max(lens)
		b := &Batch{B: B, T: T, Len: lens, Off: []int32{0}, Mask: make([]float32, B*T)}
		xv := make([]float32, B*T*D)
		var xp []float32
		for s, L := range lens {
			for i := range L {
				b.Mask[s*T+i] = 1
				for k := range D {
					xv[(s*T+i)*D+k] = float32(r.NormFloat64())
				}
				xp = append(xp, xv[(s*T+i)*D:(s*T+i+1)*D]...)
			}
			b.N += L
			b.Off = append(b.Off, int32(b.N))
		}
		w := make([]float32, B*H)
		for i := range w {
			w[i] = float32(r.NormFloat64())
		}
		run := func(packed bool) (states, final []float32, grads [][]float64) {
			cell.Params().ZeroGrad()
			tp := ag.NewTape(be)
			var st, fin *ag.Tensor
			if packed {
				st, fin = PackedRecurrence(tp, cell, tp.Input(b.N, D, xp), b, H, true)
			} else {
				st, fin = Recurrence(tp, cell, tp.Input(B*T, D, xv), b.Mask, B, T, H)
			}
			if err := tp.Backward(tp.Sum(tp.Mul(fin, tp.Input(B, H, w)), ag.AxisAll)); err != nil {
				t.Fatal(err)
			}
			for _, p := range cell.Params() {
				grads = append(grads, p.GradValues())
			}
			return st.Values(), fin.Values(), grads
		}
		ps, pf, pg := run(true)
		ds, df, dg := run(false)
		if !slices.Equal(pf, df) {
			t.Errorf("lengths %v: final states differ", lens)
		}
		for s, L := range lens {
			for i := range L {
				if !slices.Equal(ps[(int(b.Off[s])+i)*H:(int(b.Off[s])+i+1)*H], ds[(s*T+i)*H:(s*T+i+1)*H]) {
					t.Errorf("lengths %v: sample %d step %d: states differ", lens, s, i)
				}
			}
		}
		for k := range pg {
			if !slices.Equal(pg[k], dg[k]) {
				t.Errorf("lengths %v: gradient of %v differs", lens, cell.Params()[k])
			}
		}
	}
	// float64 gradient check of a loss on every state and the final ones.
	be := ag.NewCPU64()
	cell := nn.NewGRUCell(be, "gru", D, H, r)
	lens := []int{3, 1, 0, 2}
	b := &Batch{B: 4, T: 3, Len: lens, Off: []int32{0, 3, 4, 4, 6}, N: 6}
	xp := make([]float32, b.N*D)
	for i := range xp {
		xp[i] = float32(r.NormFloat64())
	}
	wv := make([]float32, b.N*H)
	for i := range wv {
		wv[i] = float32(r.NormFloat64())
	}
	bad, err := agtest.CheckGradients(cell.Params(), func(tp *ag.Tape) *ag.Tensor {
		st, fin := PackedRecurrence(tp, cell, tp.Input(b.N, D, xp), b, H, true)
		return tp.Add(tp.Sum(tp.Mul(st, tp.Input(b.N, H, wv)), ag.AxisAll), tp.Sum(tp.Square(fin), ag.AxisAll))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bad {
		t.Error(e)
	}
}
