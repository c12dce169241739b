package ag_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

// gradCase builds a scalar loss from parameters of the given shapes. Non-scalar op outputs are
// reduced with a fixed random projection (Σ y⊙R) so every output element carries a distinct weight.
type gradCase struct {
	name   string
	shapes [][2]int
	// init, when set, fills parameter values (else uniform in [-1, 1], away from 0).
	init func(i int, v []float64, r *rand.Rand)
	f    func(tp *Tape, p []*Tensor) *Tensor
}

func uniformAwayFromZero(r *rand.Rand) float64 {
	v := 0.1 + 0.9*r.Float64()
	if r.IntN(2) == 0 {
		return -v
	}
	return v
}

func positiveInit(_ int, v []float64, r *rand.Rand) {
	for i := range v {
		v[i] = 0.2 + 2*r.Float64()
	}
}

func gradCases() []gradCase {
	var cases []gradCase
	one := func(name string, shapes [][2]int, f func(tp *Tape, p []*Tensor) *Tensor) {
		cases = append(cases, gradCase{name: name, shapes: shapes, f: f})
	}
	// MatMul, all four transpose combinations, with shapes that are not square.
	for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
		ta, tb := tr[0], tr[1]
		as, bs := [2]int{3, 4}, [2]int{4, 5}
		if ta {
			as = [2]int{4, 3}
		}
		if tb {
			bs = [2]int{5, 4}
		}
		one(fmt.Sprintf("MatMul/transA=%v/transB=%v", ta, tb), [][2]int{as, bs}, func(tp *Tape, p []*Tensor) *Tensor {
			return agtest.Project(tp, tp.MatMulT(p[0], p[1], ta, tb))
		})
	}
	unary := map[UnaryOp]func(*Tape, *Tensor) *Tensor{
		OpNeg: (*Tape).Neg, OpTanh: (*Tape).Tanh, OpSigmoid: (*Tape).Sigmoid, OpReLU: (*Tape).ReLU,
		OpExp: (*Tape).Exp, OpLog: (*Tape).Log, OpSoftplus: (*Tape).Softplus, OpSquare: (*Tape).Square,
		OpSqrt: (*Tape).Sqrt, OpAbs: (*Tape).Abs,
	}
	for op := OpNeg; op <= OpAbs; op++ {
		f := unary[op]
		c := gradCase{name: "Unary/" + op.String(), shapes: [][2]int{{3, 4}},
			f: func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, f(tp, p[0])) }}
		if op == OpLog || op == OpSqrt {
			c.init = positiveInit
		}
		cases = append(cases, c)
	}
	bshapes := map[Broadcast][2]int{BcastNone: {3, 4}, BcastRow: {1, 4}, BcastCol: {3, 1}, BcastScalar: {1, 1}}
	bnames := map[Broadcast]string{BcastNone: "none", BcastRow: "row", BcastCol: "col", BcastScalar: "scalar"}
	binary := map[BinaryOp]func(*Tape, *Tensor, *Tensor) *Tensor{
		OpAdd: (*Tape).Add, OpSub: (*Tape).Sub, OpMul: (*Tape).Mul, OpDiv: (*Tape).Div,
	}
	for op := OpAdd; op <= OpDiv; op++ {
		for bc := BcastNone; bc <= BcastScalar; bc++ {
			f := binary[op]
			c := gradCase{name: fmt.Sprintf("Binary/%v/bcast=%s", op, bnames[bc]),
				shapes: [][2]int{{3, 4}, bshapes[bc]},
				f:      func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, f(tp, p[0], p[1])) }}
			if op == OpDiv {
				c.init = positiveInit
			}
			cases = append(cases, c)
		}
	}
	// The same tensor on both sides: gradients from a and b must both accumulate.
	one("Binary/Mul/same-tensor", [][2]int{{2, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.Mul(p[0], p[0]))
	})
	one("Scale", [][2]int{{2, 3}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.Scale(p[0], -1.7)) })
	one("AddScalar", [][2]int{{2, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.Square(tp.AddScalar(p[0], 0.3)))
	})
	for _, ax := range []struct {
		name string
		a    Axis
	}{{"all", AxisAll}, {"rows", AxisRows}, {"cols", AxisCols}} {
		one("Sum/"+ax.name, [][2]int{{3, 4}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.Sum(p[0], ax.a)) })
		one("Mean/"+ax.name, [][2]int{{3, 4}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.Mean(p[0], ax.a)) })
	}
	one("Concat", [][2]int{{3, 2}, {3, 1}, {3, 4}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.Concat(p[0], p[1], p[2], p[0]))
	})
	one("SliceCols", [][2]int{{3, 5}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.SliceCols(p[0], 1, 4)) })
	one("Gather/repeated-indices", [][2]int{{5, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.Gather(p[0], []int32{4, 1, 1, 0, 4, 4}))
	})
	one("GatherRefs", [][2]int{{3, 4}, {2, 4}}, func(tp *Tape, p []*Tensor) *Tensor {
		h := tp.Tanh(p[1]) // a tape tensor: gradient flows through it into p[1]
		c := NewConst(tp.Backend(), "c", 2, 4)
		return agtest.Project(tp, tp.GatherRefs([]RowRef{{p[0], 2}, {h, 1}, {c, 0}, {p[0], 2}, {h, 0}}))
	})
	one("Softmax", [][2]int{{3, 5}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.Softmax(p[0], nil)) })
	one("LogSoftmax", [][2]int{{3, 5}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.LogSoftmax(p[0], nil)) })
	mask := []float64{1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}
	one("Softmax/mask", [][2]int{{3, 5}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.Softmax(p[0], tp.Input64(3, 5, mask)))
	})
	one("LogSoftmax/mask", [][2]int{{3, 5}}, func(tp *Tape, p []*Tensor) *Tensor {
		// Masked positions are −Inf (and −Inf·0 is NaN): read out unmasked ones only — columns 0–1 of
		// rows 0 (mask 1 1 0 1 0) and 1 (all unmasked).
		ls := tp.LogSoftmax(p[0], tp.Input64(3, 5, mask))
		return agtest.Project(tp, tp.SliceCols(tp.Gather(ls, []int32{0, 1}), 0, 2))
	})
	one("CrossEntropy", [][2]int{{4, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return tp.CrossEntropy(p[0], []int32{2, 0, 1, 2}, nil)
	})
	one("CrossEntropy/weighted", [][2]int{{4, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return tp.Scale(tp.CrossEntropy(p[0], []int32{2, 0, 1, 2}, []float32{1, 5, 0.5}), 3)
	})
	one("MSE", [][2]int{{3, 4}, {3, 4}}, func(tp *Tape, p []*Tensor) *Tensor { return tp.Scale(tp.MSE(p[0], p[1]), 2) })
	one("L2Normalize", [][2]int{{3, 4}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.L2Normalize(p[0])) })
	one("RowDot", [][2]int{{3, 4}, {3, 4}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.RowDot(p[0], p[1])) })
	one("SeqDot", [][2]int{{2, 3}, {8, 3}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.SeqDot(p[0], p[1], 4)) })
	one("SeqWeightedSum", [][2]int{{2, 4}, {8, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.SeqWeightedSum(p[0], p[1]))
	})
	one("Attention/masked", [][2]int{{2, 3}, {8, 3}, {8, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		m := tp.Input64(2, 4, []float64{1, 1, 1, 0, 1, 0, 0, 0})
		w := tp.Softmax(tp.SeqDot(p[0], p[1], 4), m)
		return agtest.Project(tp, tp.SeqWeightedSum(w, p[2]))
	})
	// Ragged sequences of lengths 3, 0 (empty), 1 and 4 packed into 8 rows.
	off := []int32{0, 3, 3, 4, 8}
	one("SegDot", [][2]int{{4, 3}, {8, 3}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.SegDot(p[0], p[1], off)) })
	one("SegSoftmax", [][2]int{{8, 1}}, func(tp *Tape, p []*Tensor) *Tensor { return agtest.Project(tp, tp.SegSoftmax(p[0], off)) })
	one("SegWeightedSum", [][2]int{{8, 1}, {8, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.SegWeightedSum(p[0], p[1], off))
	})
	one("Attention/segments", [][2]int{{4, 3}, {8, 3}, {8, 3}}, func(tp *Tape, p []*Tensor) *Tensor {
		return agtest.Project(tp, tp.SegWeightedSum(tp.SegSoftmax(tp.SegDot(p[0], p[1], off), off), p[2], off))
	})
	return cases
}

func TestGradientsFiniteDifference(t *testing.T) {
	be := NewCPU64()
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(c.name))))
			ps := make([]*Tensor, len(c.shapes))
			for i, s := range c.shapes {
				ps[i] = NewParam(be, fmt.Sprintf("p%d", i), s[0], s[1])
				v := make([]float64, s[0]*s[1])
				if c.init != nil {
					c.init(i, v, r)
				} else {
					for j := range v {
						v[j] = uniformAwayFromZero(r)
					}
				}
				ps[i].CopyFrom64(v)
			}
			bad, err := agtest.CheckGradients(ps, func(tp *Tape) *Tensor { return c.f(tp, ps) })
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range bad {
				t.Error(m)
			}
		})
	}
}

// TestFloat32MatchesFloat64 runs a graph with products large enough to be split into several tiles
// and bands on the float32 backend and checks values and gradients against the float64 backend.
func TestFloat32MatchesFloat64(t *testing.T) {
	run := func(be Backend) (float64, [][]float64) {
		r := rand.New(rand.NewPCG(3, 4))
		shapes := [][2]int{{150, 70}, {200, 70}, {70, 33}, {1, 200}}
		ps := make([]*Tensor, len(shapes))
		for i, s := range shapes {
			ps[i] = NewParam(be, "p", s[0], s[1])
			v := make([]float64, s[0]*s[1])
			for j := range v {
				v[j] = r.Float64() - 0.5
			}
			ps[i].CopyFrom64(v)
		}
		tp := NewTape(be)
		h := tp.Tanh(tp.Add(tp.MatMulT(ps[0], ps[1], false, true), ps[3])) // 150×200
		z := tp.MatMulT(h, ps[1], false, false)                            // 150×70
		w := tp.MatMulT(ps[0], z, true, false)                             // 70×70
		loss := tp.Add(tp.MSE(tp.MatMul(w, ps[2]), tp.Zeros(70, 33)), tp.Mean(tp.Square(z), AxisAll))
		if err := tp.Backward(loss); err != nil {
			t.Fatal(err)
		}
		grads := make([][]float64, len(ps))
		for i, p := range ps {
			grads[i] = p.GradValues()
		}
		return loss.Scalar(), grads
	}
	l32, g32 := run(NewCPU())
	l64, g64 := run(NewCPU64())
	if math.Abs(l32-l64) > 1e-4*math.Abs(l64) {
		t.Errorf("loss float32 %v, float64 %v", l32, l64)
	}
	for i := range g64 {
		var num, den float64
		for j := range g64[i] {
			num += (g32[i][j] - g64[i][j]) * (g32[i][j] - g64[i][j])
			den += g64[i][j] * g64[i][j]
		}
		if rel := math.Sqrt(num / den); rel > 1e-4 {
			t.Errorf("param %d: relative gradient error float32 vs float64 %.3g", i, rel)
		}
	}
}

// TestDetachBlocksGradient: finite differences see through Detach (it copies values), so check
// directly that d/dp [Σ p⊙R + Σ detach(p)²] equals d/dp Σ p⊙R.
func TestDetachBlocksGradient(t *testing.T) {
	be := NewCPU64()
	grad := func(withDetached bool) []float64 {
		p := NewParam(be, "p", 2, 3)
		p.CopyFrom64([]float64{0.5, -1, 2, 0.25, 3, -0.75})
		tp := NewTape(be)
		loss := agtest.Project(tp, p)
		if withDetached {
			loss = tp.Add(loss, tp.Sum(tp.Square(tp.Detach(p)), AxisAll))
		}
		if err := tp.Backward(loss); err != nil {
			t.Fatal(err)
		}
		return p.GradValues()
	}
	want, got := grad(false), grad(true)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: gradient %v through Detach, want %v", i, got[i], want[i])
		}
	}
}
