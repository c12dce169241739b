package ag

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
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

// TestSparseGradSumSquaresAndScale: on a sparse table, GradSumSquares and ScaleGrad visit only the
// touched rows, yet give the bits of the dense kernels over the whole gradient (the other rows are
// zero), in float32 where summation order would show.
func TestSparseGradSumSquaresAndScale(t *testing.T) {
	be := NewCPU()
	r := rand.New(rand.NewPCG(1, 2))
	table := NewParam(be, "emb", 500, 24)
	table.EnableSparseGrad()
	vals := make([]float32, table.Len())
	for i := range vals {
		vals[i] = float32(r.NormFloat64())
	}
	table.CopyFrom(vals)
	idx := make([]int32, 40)
	for i := range idx {
		idx[i] = int32(r.IntN(table.Rows()))
	}
	tp := NewTape(be)
	if err := tp.Backward(tp.Sum(tp.Square(tp.Gather(table, idx)), AxisAll)); err != nil {
		t.Fatal(err)
	}
	dense := be.SumSquares(table.GradStorage())
	if got := table.GradSumSquares(); got != dense {
		t.Errorf("GradSumSquares %v, SumSquares over the table %v", got, dense)
	}
	if !slices.IsSorted(table.TouchedRows()) {
		t.Errorf("touched rows %v not sorted by GradSumSquares", table.TouchedRows())
	}
	want := make([]float32, table.Len())
	be.Download(want, table.GradStorage())
	scaled := be.New(table.Len())
	be.Upload(scaled, want)
	be.ScaleAdd(scaled, 0.37, 0, scaled)
	be.Download(want, scaled)
	table.ScaleGrad(0.37)
	got := make([]float32, table.Len())
	be.Download(got, table.GradStorage())
	if !slices.Equal(got, want) {
		t.Error("ScaleGrad on the touched rows differs from ScaleAdd over the whole gradient")
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

// TestArenaMemoryFollowsTheStep: after a big step, small steps eventually release its memory instead
// of keeping the historical peak.
func TestArenaMemoryFollowsTheStep(t *testing.T) {
	tp := NewTape(NewCPU())
	step := func(rows, tensors int) {
		tp.Reset()
		for range tensors {
			tp.Zeros(rows, 64)
		}
	}
	step(4096, 8) // 8×2^18 elements; more tensors than the small steps, whose headers then idle
	step(16, 2)
	if held := tp.mem.capacity(); held < 8*4096*64 {
		t.Fatalf("arena holds %d elements after one small step, want the big step's %d kept for now", held, 8*4096*64)
	}
	for range 200 {
		step(16, 2) // the big slab idles; once the high-water mark has decayed below it, released
	}
	if held := tp.mem.capacity(); held > arenaMinSlab {
		t.Errorf("arena holds %d elements after small steps, want one minimal slab (%d)", held, arenaMinSlab)
	}
	// Released means collectable: no recycled tensor header or view may still reach the big slab.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if big := uint64(8 * 4096 * 64 * 4); ms.HeapAlloc > big/2 {
		t.Errorf("live heap %d bytes after release, want well under the big step's %d", ms.HeapAlloc, big)
	}
	runtime.KeepAlive(tp) // the tape itself must stay live for the measurement to mean anything
}

// TestArenaViewsAreDisjoint: every tensor of a step keeps its own values, across slab spills.
func TestArenaViewsAreDisjoint(t *testing.T) {
	tp := NewTape(NewCPU())
	r := rand.New(rand.NewPCG(1, 2))
	for step := range 5 {
		tp.Reset()
		var ts []*Tensor
		for k := range 200 {
			x := tp.Full(1+r.IntN(3000), 1+r.IntN(9), float64(k))
			ts = append(ts, x)
		}
		for k, x := range ts {
			for i := range x.Len() {
				if got := x.Backend().Get(x.Storage(), i); got != float64(k) {
					t.Fatalf("step %d: tensor %d element %d = %v, overwritten by a neighbour", step, k, i, got)
				}
			}
		}
	}
}

// TestArenaVaryingWindowsDoNotFragment: windows whose t-batches have different sizes (the scale
// test's first windows are single t-batches of 11,000–18,000 interactions) keep the arena near the
// largest window's need, not a multiple of it.
func TestArenaVaryingWindowsDoNotFragment(t *testing.T) {
	tp := NewTape(NewCPU())
	r := rand.New(rand.NewPCG(3, 4))
	largest, peak := 0, 0
	for range 60 {
		tp.Reset()
		batches := 1 + r.IntN(8)
		total := 2000 + r.IntN(18000)
		need := 0
		for b := range batches {
			rows := total / batches
			if b == 0 {
				rows += total % batches
			}
			for range 10 {
				x := tp.Zeros(rows, 128)
				need += x.Len()
			}
		}
		largest, peak = max(largest, need), max(peak, tp.mem.capacity())
	}
	// Slabs are kept and filled next-fit; a window that outgrows them adds one of half the total.
	// Windows of other shapes leave some slab space unusable: 1.58× here (size classes: 2–4×).
	t.Logf("peak %d, largest %d (%.2f×)", peak, largest, float64(peak)/float64(largest))
	if float64(peak) > 2*float64(largest)+arenaMinSlab {
		t.Errorf("arena held up to %d elements; the largest window needed %d", peak, largest)
	}
}

// TestBinaryGradMatchesElementwise: the row-wise BinaryGrad gives bit for bit what the plain
// element-by-element definition gives, for every op and broadcast.
func TestBinaryGradMatchesElementwise(t *testing.T) {
	be := NewCPU()
	r := rand.New(rand.NewPCG(5, 6))
	const rows, cols = 5, 7
	sizes := map[Broadcast]int{BcastNone: rows * cols, BcastRow: cols, BcastCol: rows, BcastScalar: 1}
	vals := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64()) + 2 // away from 0: OpDiv divides by b
		}
		return v
	}
	for _, op := range []BinaryOp{OpAdd, OpSub, OpMul, OpDiv} {
		for bc, nb := range sizes {
			a, b, dc := vals(rows*cols), vals(nb), vals(rows*cols)
			da0, db0 := vals(rows*cols), vals(nb)
			// The definition, one element at a time.
			wantA, wantB := slices.Clone(da0), slices.Clone(db0)
			for i := range rows * cols {
				row, col := i/cols, i%cols
				bi := bIndex(bc, row, col, cols)
				g := dc[i]
				switch op {
				case OpAdd:
					wantA[i] += g
					wantB[bi] += g
				case OpSub:
					wantA[i] += g
					wantB[bi] -= g
				case OpMul:
					wantA[i] += g * b[bi]
					wantB[bi] += g * a[i]
				case OpDiv:
					wantA[i] += g / b[bi]
					wantB[bi] -= g * a[i] / (b[bi] * b[bi])
				}
			}
			st := func(v []float32) Storage { s := be.New(len(v)); be.Upload(s, v); return s }
			das, dbs := st(da0), st(db0)
			be.BinaryGrad(op, bc, rows, cols, st(a), st(b), st(dc), das, dbs)
			gotA, gotB := make([]float32, rows*cols), make([]float32, nb)
			be.Download(gotA, das)
			be.Download(gotB, dbs)
			if !slices.Equal(gotA, wantA) || !slices.Equal(gotB, wantB) {
				t.Errorf("op %d broadcast %d: da %v db %v, want %v %v", op, bc, gotA, gotB, wantA, wantB)
			}
		}
	}
}

// TestSegmentOpsMatchPadded: attention over packed ragged sequences (SegDot, SegSoftmax,
// SegWeightedSum) gives, in float32, the same bits as over the padded layout with a mask (SeqDot,
// Softmax, SeqWeightedSum), forward and backward, padding rows holding arbitrary values.
func TestSegmentOpsMatchPadded(t *testing.T) {
	be := NewCPU()
	r := rand.New(rand.NewPCG(21, 22))
	lens := []int{5, 1, 0, 7, 3, 7}
	B, T, D := len(lens), 7, 24
	var off []int32
	var rows []int32 // padded row of each packed row
	mask := make([]float32, B*T)
	off = append(off, 0)
	for b, L := range lens {
		for t := range L {
			rows = append(rows, int32(b*T+t))
			mask[b*T+t] = 1
		}
		off = append(off, int32(len(rows)))
	}
	fill := func(p *Tensor) {
		v := make([]float32, p.Len())
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		p.CopyFrom(v)
	}
	type grads struct{ q, k, v []float64 }
	run := func(packed bool) ([]float32, grads) {
		q, k, v := NewParam(be, "q", B, D), NewParam(be, "k", B*T, D), NewParam(be, "v", B*T, D)
		r = rand.New(rand.NewPCG(21, 22))
		fill(q)
		fill(k)
		fill(v)
		proj := NewConst(be, "proj", B, D)
		fill(proj)
		tp := NewTape(be)
		var u *Tensor
		if packed {
			kp, vp := tp.Gather(k, rows), tp.Gather(v, rows)
			w := tp.SegSoftmax(tp.Scale(tp.SegDot(q, kp, off), 0.125), off)
			u = tp.SegWeightedSum(w, tp.Mul(vp, kp), off)
		} else {
			w := tp.Softmax(tp.Scale(tp.SeqDot(q, k, T), 0.125), tp.Input(B, T, mask))
			u = tp.SeqWeightedSum(w, tp.Mul(v, k))
		}
		if err := tp.Backward(tp.Sum(tp.Mul(u, proj), AxisAll)); err != nil {
			t.Fatal(err)
		}
		return u.Values(), grads{q.GradValues(), k.GradValues(), v.GradValues()}
	}
	up, gp := run(true)
	ud, gd := run(false)
	if !slices.Equal(up, ud) {
		t.Errorf("packed attention output differs from the padded one")
	}
	for name, pair := range map[string][2][]float64{"q": {gp.q, gd.q}, "k": {gp.k, gd.k}, "v": {gp.v, gd.v}} {
		if !slices.Equal(pair[0], pair[1]) {
			t.Errorf("gradient of %s differs between packed and padded attention", name)
		}
	}
}
