package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/internal/ag"
)

// Linear is y = x·Wᵀ + b with W stored out×in (PyTorch's layout, so checkpoints map one to one).
type Linear struct {
	W, B    *ag.Tensor // B is nil without bias
	In, Out int
}

// NewLinear returns a Linear with PyTorch's default initialisation: weight and bias U(±1/√in)
// (kaiming_uniform with a=√5 reduces to that bound).
func NewLinear(be ag.Backend, name string, in, out int, bias bool, r *rand.Rand) *Linear {
	l := &Linear{W: ag.NewParam(be, name+".weight", out, in), In: in, Out: out}
	bound := 1 / math.Sqrt(float64(in))
	Uniform(l.W, r, -bound, bound)
	if bias {
		l.B = ag.NewParam(be, name+".bias", 1, out)
		Uniform(l.B, r, -bound, bound)
	}
	return l
}

// NewNormalLinear returns a Linear initialised as JODIE's NormalLinear: weight and bias drawn from
// N(0, 1/√in) — N(0, 1) for the 1→d projection layer.
func NewNormalLinear(be ag.Backend, name string, in, out int, r *rand.Rand) *Linear {
	l := &Linear{W: ag.NewParam(be, name+".weight", out, in), B: ag.NewParam(be, name+".bias", 1, out), In: in, Out: out}
	std := 1 / math.Sqrt(float64(in))
	Normal(l.W, r, 0, std)
	Normal(l.B, r, 0, std)
	return l
}

// Forward applies the layer to x (rows×In).
func (l *Linear) Forward(tp *ag.Tape, x *ag.Tensor) *ag.Tensor {
	if x.Cols() != l.In {
		panic(fmt.Sprintf("nn: Linear %s expects %d input columns, got %v", l.W.Name, l.In, x))
	}
	y := tp.MatMulT(x, l.W, false, true)
	if l.B != nil {
		y = tp.Add(y, l.B)
	}
	return y
}

// Params returns W (and B).
func (l *Linear) Params() Params {
	if l.B == nil {
		return Params{l.W}
	}
	return Params{l.W, l.B}
}

// Embedding is a table of vectors read by index (one-hot times a matrix, as a row gather). Its
// gradient is sparse: only the rows read in a step receive (and are zeroed of) gradient.
type Embedding struct {
	Table *ag.Tensor
}

// NewEmbedding returns an n×dim table initialised N(0, 1) as torch.nn.Embedding.
func NewEmbedding(be ag.Backend, name string, n, dim int, r *rand.Rand) *Embedding {
	e := &Embedding{Table: ag.NewParam(be, name+".weight", n, dim)}
	Normal(e.Table, r, 0, 1)
	e.Table.EnableSparseGrad()
	return e
}

// Forward returns the rows idx.
func (e *Embedding) Forward(tp *ag.Tape, idx []int32) *ag.Tensor { return tp.Gather(e.Table, idx) }

// Params returns the table.
func (e *Embedding) Params() Params { return Params{e.Table} }

// Activation is an element-wise non-linearity of an MLP.
type Activation func(tp *ag.Tape, x *ag.Tensor) *ag.Tensor

// The activations MLPs use.
var (
	ReLU    Activation = (*ag.Tape).ReLU
	Tanh    Activation = (*ag.Tape).Tanh
	Sigmoid Activation = (*ag.Tape).Sigmoid
)

// MLP is a stack of Linear layers with an activation between them (none after the last).
type MLP struct {
	Layers []*Linear
	Act    Activation
}

// NewMLP builds Linear layers sizes[0]→sizes[1]→…→sizes[n-1] with PyTorch initialisation.
func NewMLP(be ag.Backend, name string, sizes []int, act Activation, r *rand.Rand) *MLP {
	if len(sizes) < 2 {
		panic("nn: MLP needs at least input and output sizes")
	}
	m := &MLP{Act: act}
	for i := 0; i+1 < len(sizes); i++ {
		m.Layers = append(m.Layers, NewLinear(be, fmt.Sprintf("%s.%d", name, i), sizes[i], sizes[i+1], true, r))
	}
	return m
}

// Forward applies the layers.
func (m *MLP) Forward(tp *ag.Tape, x *ag.Tensor) *ag.Tensor {
	for i, l := range m.Layers {
		x = l.Forward(tp, x)
		if i+1 < len(m.Layers) {
			x = m.Act(tp, x)
		}
	}
	return x
}

// Params returns every layer's parameters.
func (m *MLP) Params() Params {
	var ps Params
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}
