package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x7ab)) }

// TestLayerGradients checks every layer's backward pass against finite differences in float64.
func TestLayerGradients(t *testing.T) {
	be := ag.NewCPU64()
	input := func(tp *ag.Tape, rows, cols int, seed uint64) *ag.Tensor {
		r := rng(seed)
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = r.Float64()*2 - 1
		}
		return tp.Input64(rows, cols, v)
	}
	type layerCase struct {
		name   string
		params Params
		loss   func(tp *ag.Tape) *ag.Tensor
	}
	var cases []layerCase
	{
		l := NewLinear(be, "lin", 4, 3, true, rng(1))
		cases = append(cases, layerCase{"Linear", l.Params(), func(tp *ag.Tape) *ag.Tensor {
			return agtest.Project(tp, l.Forward(tp, input(tp, 5, 4, 1)))
		}})
	}
	{
		l := NewLinear(be, "lin", 4, 3, false, rng(2))
		cases = append(cases, layerCase{"Linear/no-bias", l.Params(), func(tp *ag.Tape) *ag.Tensor {
			return agtest.Project(tp, l.Forward(tp, input(tp, 2, 4, 2)))
		}})
	}
	{
		l := NewNormalLinear(be, "proj", 1, 6, rng(3))
		cases = append(cases, layerCase{"NormalLinear", l.Params(), func(tp *ag.Tape) *ag.Tensor {
			return agtest.Project(tp, l.Forward(tp, input(tp, 3, 1, 3)))
		}})
	}
	{
		e := NewEmbedding(be, "emb", 7, 3, rng(4))
		cases = append(cases, layerCase{"Embedding/repeated", e.Params(), func(tp *ag.Tape) *ag.Tensor {
			return agtest.Project(tp, tp.Tanh(e.Forward(tp, []int32{6, 0, 6, 2, 6})))
		}})
	}
	{
		m := NewMLP(be, "mlp", []int{4, 5, 3, 2}, Tanh, rng(5))
		cases = append(cases, layerCase{"MLP", m.Params(), func(tp *ag.Tape) *ag.Tensor {
			return agtest.Project(tp, m.Forward(tp, input(tp, 3, 4, 5)))
		}})
	}
	{
		c := NewRNNCell(be, "rnn", 4, 3, rng(6))
		h0 := ag.NewParam(be, "h0", 2, 3)
		agtest.FillUniform(h0, rng(60), -1, 1)
		cases = append(cases, layerCase{"RNNCell/two-steps", append(c.Params(), h0), func(tp *ag.Tape) *ag.Tensor {
			h := c.Forward(tp, input(tp, 2, 4, 6), h0)
			return agtest.Project(tp, c.Forward(tp, input(tp, 2, 4, 7), h))
		}})
	}
	{
		c := NewGRUCell(be, "gru", 4, 3, rng(7))
		h0 := ag.NewParam(be, "h0", 2, 3)
		agtest.FillUniform(h0, rng(70), -1, 1)
		cases = append(cases, layerCase{"GRUCell/two-steps", append(c.Params(), h0), func(tp *ag.Tape) *ag.Tensor {
			h := c.Forward(tp, input(tp, 2, 4, 8), h0)
			return agtest.Project(tp, c.Forward(tp, input(tp, 2, 4, 9), h))
		}})
	}
	{
		c := NewLSTMCell(be, "lstm", 4, 3, rng(8))
		h0, c0 := ag.NewParam(be, "h0", 2, 3), ag.NewParam(be, "c0", 2, 3)
		agtest.FillUniform(h0, rng(80), -1, 1)
		agtest.FillUniform(c0, rng(81), -1, 1)
		cases = append(cases, layerCase{"LSTMCell/two-steps", append(c.Params(), h0, c0), func(tp *ag.Tape) *ag.Tensor {
			h, cell := c.Forward(tp, input(tp, 2, 4, 10), h0, c0)
			h, cell = c.Forward(tp, input(tp, 2, 4, 11), h, cell)
			return tp.Add(agtest.Project(tp, h), agtest.Project(tp, tp.Scale(cell, 0.5)))
		}})
	}
	{
		// Two t-batches in one window: the second reads a row the first wrote, so the gradient must
		// flow through the first update into the cell's weights and the learned initial state.
		c := NewRNNCell(be, "rnn", 2, 3, rng(9))
		init := ag.NewParam(be, "init", 1, 3)
		agtest.FillUniform(init, rng(90), -1, 1)
		table := NewStateTable(be, "users", 4, 3)
		cases = append(cases, layerCase{"StateTable/window", append(c.Params(), init), func(tp *ag.Tape) *ag.Tensor {
			table.Fill(init)
			ids1, ids2 := []int32{1, 3}, []int32{3, 0}
			h1 := tp.L2Normalize(c.Forward(tp, input(tp, 2, 2, 12), table.Read(tp, ids1)))
			table.Write(ids1, h1)
			h2 := c.Forward(tp, input(tp, 2, 2, 13), table.Read(tp, ids2))
			table.Write(ids2, h2)
			loss := agtest.Project(tp, table.Read(tp, []int32{0, 1, 3, 2}))
			table.Detach()
			return loss
		}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad, err := agtest.CheckGradients(c.params, c.loss)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range bad {
				t.Error(m)
			}
		})
	}
}

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestCellEquations pins the forward passes to PyTorch's equations on a 1-input, 1-unit cell whose
// weights are set by hand, so a gate-order or sign mistake cannot hide behind a consistent backward.
func TestCellEquations(t *testing.T) {
	be := ag.NewCPU64()
	set := func(l *Linear, w, b []float64) { l.W.CopyFrom64(w); l.B.CopyFrom64(b) }
	const x, h0, c0 = 0.7, -0.4, 0.3
	tp := ag.NewTape(be)
	xin, hin, cin := tp.Input64(1, 1, []float64{x}), tp.Input64(1, 1, []float64{h0}), tp.Input64(1, 1, []float64{c0})

	rnn := NewRNNCell(be, "rnn", 1, 1, rng(1))
	set(rnn.ih, []float64{0.5}, []float64{0.1})
	set(rnn.hh, []float64{-0.3}, []float64{0.2})
	wantRNN := math.Tanh(0.5*x + 0.1 - 0.3*h0 + 0.2)

	// GRU rows: r, z, n.
	gru := NewGRUCell(be, "gru", 1, 1, rng(2))
	set(gru.ih, []float64{0.2, -0.5, 0.9}, []float64{0.1, 0.2, 0.3})
	set(gru.hh, []float64{0.4, 0.6, -0.7}, []float64{-0.1, 0.05, 0.15})
	r := sigm(0.2*x + 0.1 + 0.4*h0 - 0.1)
	z := sigm(-0.5*x + 0.2 + 0.6*h0 + 0.05)
	n := math.Tanh(0.9*x + 0.3 + r*(-0.7*h0+0.15))
	wantGRU := (1-z)*n + z*h0

	// LSTM rows: i, f, g, o.
	lstm := NewLSTMCell(be, "lstm", 1, 1, rng(3))
	set(lstm.ih, []float64{0.3, -0.2, 0.8, 0.5}, []float64{0.1, 0.2, -0.1, 0.05})
	set(lstm.hh, []float64{0.6, 0.4, -0.5, 0.2}, []float64{0, 0.1, 0.2, -0.3})
	i := sigm(0.3*x + 0.1 + 0.6*h0)
	f := sigm(-0.2*x + 0.2 + 0.4*h0 + 0.1)
	g := math.Tanh(0.8*x - 0.1 - 0.5*h0 + 0.2)
	o := sigm(0.5*x + 0.05 + 0.2*h0 - 0.3)
	wantC := f*c0 + i*g
	wantH := o * math.Tanh(wantC)

	gotH, gotC := lstm.Forward(tp, xin, hin, cin)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"RNNCell", rnn.Forward(tp, xin, hin).Scalar(), wantRNN},
		{"GRUCell", gru.Forward(tp, xin, hin).Scalar(), wantGRU},
		{"LSTMCell/h", gotH.Scalar(), wantH},
		{"LSTMCell/c", gotC.Scalar(), wantC},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %.15g, want %.15g", c.name, c.got, c.want)
		}
	}
}

func TestInitialisationBounds(t *testing.T) {
	be := ag.NewCPU()
	l := NewLinear(be, "l", 16, 200, true, rng(1))
	bound := 1 / math.Sqrt(16)
	for _, v := range append(l.W.Values(), l.B.Values()...) {
		if math.Abs(float64(v)) > bound {
			t.Fatalf("Linear init %v outside ±%v", v, bound)
		}
	}
	// NormalLinear 1→d: N(0, 1). With 4000 draws the sample std is within 5% of 1.
	p := NewNormalLinear(be, "p", 1, 4000, rng(2))
	var s, s2 float64
	for _, v := range p.W.Values() {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	mean, std := s/4000, math.Sqrt(s2/4000-(s/4000)*(s/4000))
	if math.Abs(mean) > 0.05 || math.Abs(std-1) > 0.05 {
		t.Errorf("NormalLinear(1→d) weights: mean %.3f std %.3f, want ≈ N(0,1)", mean, std)
	}
}

func TestStateTableDetachForgetsHistory(t *testing.T) {
	be := ag.NewCPU64()
	init := ag.NewParam(be, "init", 1, 2)
	init.CopyFrom64([]float64{0.5, -0.5})
	tab := NewStateTable(be, "s", 3, 2)
	tab.Fill(init)
	tp := ag.NewTape(be)
	w := tp.Scale(tab.Read(tp, []int32{0, 2}), 2) // rows 0, 2 from init
	tab.Write([]int32{0, 2}, w)
	tab.Detach()
	tp.Reset() // the written tensor is gone: reading row 0 must come from Values, not the tape
	got := tab.Read(tp, []int32{0, 1, 2})
	want := []float64{1, -1, 0.5, -0.5, 1, -1}
	v := make([]float64, 6)
	got.CopyTo64(v)
	for i := range v {
		if v[i] != want[i] {
			t.Fatalf("after Detach read %v, want %v", v, want)
		}
	}
	// Row 1 was never written: it still reads the initial vector, with gradient.
	if err := tp.Backward(tp.Sum(got, ag.AxisAll)); err != nil {
		t.Fatal(err)
	}
	if g := init.GradValues(); g[0] != 1 || g[1] != 1 {
		t.Errorf("initial-state gradient %v, want [1 1] (only row 1 still refers to it)", g)
	}
}

// TestStateTableDetachInitial: after DetachInitial, rows never written read the initial vector's
// value as of Fill, without gradient, even once the parameter has moved; a row written in the open
// window keeps its history.
func TestStateTableDetachInitial(t *testing.T) {
	be := ag.NewCPU64()
	init := ag.NewParam(be, "init", 1, 2)
	init.CopyFrom64([]float64{0.5, -0.5})
	tab := NewStateTable(be, "s", 3, 2)
	tab.Fill(init)
	tp := ag.NewTape(be)
	tab.Write([]int32{2}, tp.Scale(tab.Read(tp, []int32{2}), 3)) // row 2: 3·init, history in the window
	tab.DetachInitial()
	init.CopyFrom64([]float64{7, 7}) // an optimiser step moves the parameter
	got := tab.Read(tp, []int32{0, 2})
	v := make([]float64, 4)
	got.CopyTo64(v)
	if want := []float64{0.5, -0.5, 1.5, -1.5}; !slices.Equal(v, want) {
		t.Fatalf("after DetachInitial read %v, want %v", v, want)
	}
	if err := tp.Backward(tp.Sum(got, ag.AxisAll)); err != nil {
		t.Fatal(err)
	}
	if g := init.GradValues(); g[0] != 3 || g[1] != 3 {
		t.Errorf("initial-state gradient %v, want [3 3]: only the written row 2 (3·init) still leads to it", g)
	}
}
