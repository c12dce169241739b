package ag

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSplitBitIdentical checks that the ops split over workers give the bits of one sequential
// pass, for even and uneven splits, on sizes above and below the split threshold.
func TestSplitBitIdentical(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][2]int{{37, 2048}, {3, 100}, {101, 41}} {
		rows, cols := shape[0], shape[1]
		n := rows * cols
		x, mask, dy := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 4)
			dy[i] = float32(r.NormFloat64())
			if r.IntN(5) > 0 {
				mask[i] = 1
			}
		}
		pos := make([]float32, n)
		for i, v := range x {
			pos[i] = float32(math.Abs(float64(v))) + 1e-3
		}
		targets := make([]int32, rows-1) // fewer targets than rows, as a sampled softmax may have
		for i := range targets {
			targets[i] = int32(r.IntN(cols))
		}
		run := func(workers int) [][]float32 {
			c := newCPU[float32](1, workers)
			st := func(v []float32) Storage { return &cpuStore[float32]{d: slices.Clone(v)} }
			var out [][]float32
			for _, log := range []bool{false, true} {
				y := st(make([]float32, n))
				c.Softmax(rows, cols, st(x), st(mask), y, log)
				out = append(out, d[float32](y))
				dx := st(x) // accumulates onto existing values
				c.SoftmaxGrad(rows, cols, y, st(dy), dx, log)
				out = append(out, d[float32](dx))
			}
			p := st(make([]float32, n))
			loss, wsum := c.CrossEntropy(rows, cols, st(x), targets, nil, p)
			out = append(out, d[float32](p), []float32{float32(loss), float32(wsum)})
			dl := st(dy)
			c.CrossEntropyGrad(rows, cols, p, targets, nil, 0.25, dl)
			out = append(out, d[float32](dl))
			for _, op := range []UnaryOp{OpTanh, OpExp, OpLog, OpSoftplus, OpSigmoid} {
				y := st(make([]float32, n))
				c.Unary(op, st(pos), y)
				out = append(out, d[float32](y))
			}
			return out
		}
		want := run(1)
		for _, workers := range []int{2, 3} {
			got := run(workers)
			for i := range want {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("%d×%d, %d workers, output %d element %d: %v, sequential %v", rows, cols, workers, i, j, got[i][j], want[i][j])
					}
				}
			}
		}
	}
}

// TestSoftmaxDenseRow: the row without a mask gives the bits of the general row with a mask that
// keeps everything.
func TestSoftmaxDenseRow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, cols := range []int{1, 3, 7, 2048} {
		x, ones := make([]float32, cols), make([]float32, cols)
		for i := range x {
			x[i], ones[i] = float32(r.NormFloat64()*30), 1
		}
		s := &softmaxScratch{args: make([]float64, cols), exps: make([]float64, cols)}
		dense, general := make([]float32, cols), make([]float32, cols)
		softmaxRow(x, nil, dense, s, false)
		softmaxRow(x, ones, general, s, false)
		for j := range x {
			if math.Float32bits(dense[j]) != math.Float32bits(general[j]) {
				t.Fatalf("%d columns, entry %d: %v without a mask, %v with one", cols, j, dense[j], general[j])
			}
		}
	}
}

// TestHostValues: the cpu backend's values are read in place, the float64 backend's are not.
func TestHostValues(t *testing.T) {
	x := NewParam(NewCPU(), "x", 2, 3)
	x.CopyFrom([]float32{1, 2, 3, 4, 5, 6})
	v, ok := x.HostValues()
	if !ok || !slices.Equal(v, []float32{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("HostValues = %v, %v", v, ok)
	}
	x.CopyFrom([]float32{6, 5, 4, 3, 2, 1})
	if v[0] != 6 {
		t.Error("HostValues is a copy, not the storage")
	}
	if _, ok := NewParam(NewCPU64(), "y", 1, 1).HostValues(); ok {
		t.Error("float64 values read as float32")
	}
}
