package ag

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestUnaryOpsAllNamed(t *testing.T) {
	// The gradient-check table iterates OpNeg..OpAbs: it must cover every op.
	if OpAbs != numUnaryOps-1 || len(unaryNames) != int(numUnaryOps) {
		t.Fatalf("unary ops changed: update the gradient-check table (last %v, count %d)", OpAbs, numUnaryOps)
	}
}

func TestSparseGradTouchesOnlyGatheredRows(t *testing.T) {
	be := NewCPU64()
	table := NewParam(be, "emb", 6, 2)
	table.EnableSparseGrad()
	tp := NewTape(be)
	loss := tp.Sum(tp.Gather(table, []int32{4, 1, 4}), AxisAll)
	if err := tp.Backward(loss); err != nil {
		t.Fatal(err)
	}
	if got := table.TouchedRows(); !slices.Equal(got, []int32{4, 1}) {
		t.Errorf("touched rows %v, want [4 1] (first-touch order)", got)
	}
	// Row 4 was read twice: its gradient is 2 per element; row 1 once; others 0.
	want := []float64{0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 0, 0}
	if got := table.GradValues(); !slices.Equal(got, want) {
		t.Errorf("gradient %v, want %v", got, want)
	}
	table.ZeroGrad()
	if got := table.GradValues(); !slices.Equal(got, make([]float64, 12)) || len(table.TouchedRows()) != 0 {
		t.Errorf("after ZeroGrad: gradient %v, touched %v", got, table.TouchedRows())
	}
}

func TestBackwardErrors(t *testing.T) {
	be := NewCPU()
	w := NewParam(be, "w", 1, 2)
	tp := NewTape(be)
	if err := tp.Backward(tp.MatMulT(w, w, false, true)); err != nil {
		t.Fatalf("1×1 loss: %v", err)
	}
	tp.Reset()
	if err := tp.Backward(tp.Tanh(w)); !errors.Is(err, ErrNotScalar) {
		t.Errorf("1×2 loss: err %v, want ErrNotScalar", err)
	}
	tp.Reset()
	if err := tp.Backward(tp.Full(1, 1, 3)); !errors.Is(err, ErrNoGraph) {
		t.Errorf("constant loss: err %v, want ErrNoGraph", err)
	}
	tp.Reset()
	if err := tp.Backward(tp.Log(tp.Sum(tp.Neg(tp.Square(w)), AxisAll))); !errors.Is(err, ErrNonFinite) {
		t.Errorf("log of a non-positive number: err %v, want ErrNonFinite", err)
	}
}

func TestNoGradRecordsNothing(t *testing.T) {
	be := NewCPU()
	w := NewParam(be, "w", 3, 3)
	tp := NewTape(be)
	tp.SetGrad(false)
	y := tp.Tanh(tp.MatMul(tp.Full(2, 3, 1), w))
	if tp.NumNodes() != 0 || y.RequiresGrad() {
		t.Errorf("no-grad mode recorded %d nodes, requiresGrad=%v", tp.NumNodes(), y.RequiresGrad())
	}
}

func TestSoftmaxFullyMaskedRowIsZero(t *testing.T) {
	be := NewCPU64()
	tp := NewTape(be)
	y := tp.Softmax(tp.Input64(1, 3, []float64{1, 2, 3}), tp.Zeros(1, 3))
	for j := 0; j < 3; j++ {
		if v := y.At(0, j); v != 0 || math.IsNaN(v) {
			t.Errorf("fully masked softmax[%d] = %v, want 0", j, v)
		}
	}
}

// jodieLikeStep is a fixed-shape training step: products on both sides of the tile thresholds, a
// gather, elementwise ops, a loss, and the backward pass.
func jodieLikeStep(tp *Tape, w, table *Tensor, idx []int32, x []float32) {
	tp.Reset()
	in := tp.Concat(tp.Gather(table, idx), tp.Input(len(idx), 8, x))
	h := tp.L2Normalize(tp.Tanh(tp.MatMulT(in, w, false, true)))
	loss := tp.Add(tp.MSE(h, tp.Detach(tp.Gather(table, idx))), tp.CrossEntropy(h, idx, nil))
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
}

func TestSteadyStateStepAllocatesNothing(t *testing.T) {
	be := NewCPU()
	w := NewParam(be, "w", 32, 40)
	table := NewParam(be, "table", 32, 32)
	table.EnableSparseGrad()
	idx := make([]int32, 300)
	for i := range idx {
		idx[i] = int32(i * 7 % 32)
	}
	x := make([]float32, 300*8)
	tp := NewTape(be)
	jodieLikeStep(tp, w, table, idx, x) // warm-up grows the arena
	allocs := testing.AllocsPerRun(20, func() {
		jodieLikeStep(tp, w, table, idx, x)
		table.ZeroGrad()
		w.ZeroGrad()
	})
	if allocs != 0 {
		t.Errorf("steady-state step allocates %v times, want 0", allocs)
	}
}

// TestArenaMemoryFollowsTheStep: after a big step, small steps release the big step's blocks instead
// of keeping every size class's historical peak.
func TestArenaMemoryFollowsTheStep(t *testing.T) {
	tp := NewTape(NewCPU())
	step := func(rows int) {
		tp.Reset()
		for range 8 {
			tp.Zeros(rows, 64)
		}
	}
	step(4096) // 8 blocks of 2^18 elements
	for range 200 {
		step(16) // the big blocks idle; once the high-water mark has decayed below them, released
	}
	if held := tp.freeCap + tp.usedCap; held > 4*8*16*64 {
		t.Errorf("arena holds %d elements after small steps, want at most a few small steps' worth", held)
	}
}
