package nn

import (
	"slices"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// train runs a small GRU + MLP regression with Adam on the float32 backend. Its products are large
// enough to be split across the worker pool, so the test covers parallel determinism.
func train(seed uint64, steps int) []float32 {
	be := ag.NewCPU()
	r := rng(seed)
	gru := NewGRUCell(be, "gru", 96, 128, r)
	head := NewMLP(be, "head", []int{128, 64, 1}, ReLU, r)
	ps := Collect(gru, head)
	opt := NewAdam(ps, OptimConfig{LR: 1e-3, WeightDecay: 1e-5})
	x := make([]float32, 256*96)
	y := make([]float32, 256)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range y {
		y[i] = float32(r.Float64())
	}
	tp := ag.NewTape(be)
	for s := 0; s < steps; s++ {
		tp.Reset()
		h := gru.Forward(tp, tp.Input(256, 96, x), tp.Zeros(256, 128))
		h = gru.Forward(tp, tp.Input(256, 96, x), h)
		loss := tp.MSE(head.Forward(tp, h), tp.Input(256, 1, y))
		if err := tp.Backward(loss); err != nil {
			panic(err)
		}
		ps.ClipGradNorm(5)
		opt.Step()
		opt.ZeroGrad()
	}
	var out []float32
	for _, p := range ps {
		out = append(out, p.Values()...)
	}
	return out
}

func TestTrainingIsBitIdentical(t *testing.T) {
	a, b := train(42, 8), train(42, 8)
	if !slices.Equal(a, b) {
		t.Fatal("two trainings with the same seed gave different parameters")
	}
	if slices.Equal(a, train(43, 8)) {
		t.Fatal("a different seed gave identical parameters")
	}
}
