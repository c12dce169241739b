package jodie

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// This file expresses one JODIE t-batch — Model.step — as a gorgonia expression graph of fixed shape,
// compiled once into a tape machine per batch size and re-run with new values (G.Let). It uses
// gorgonia's operators only (matrix products, broadcast additions, tanh, ReLU, log-softmax, square
// roots) and gets every gradient from gorgonia's symbolic differentiation (G.Grad), not from
// tibench's backward passes: that independence is what the differential tests rely on.
//
// A t-batch reads states that earlier t-batches of its window wrote; the window's gradient flows back
// through them. The graph therefore takes the states it reads (u, i, previous item) as leaves, and
// its cost adds ⟨u', g_u⟩ + ⟨i', g_i⟩ for the gradients g_u, g_i that later t-batches send back to
// the states it writes (u', i'): running the t-batches forward in order, then backward in reverse
// order with those upstream gradients, gives exactly the window's gradient (the chain rule across
// t-batches; gorgonia differentiates everything inside one).

// ggBlock is a block of a tibench parameter that becomes one leaf of the step graphs: rows
// [r0, r1) × columns [c0, c1), transposed when asked (Linear weights are out×in in tibench; the
// graph multiplies x·W with W in×out). Splitting a layer's weight into the blocks that meet each
// input block is the same product as concatenating the inputs, with fewer graph nodes.
type ggBlock struct {
	p              *ag.Tensor
	r0, r1, c0, c1 int
	transpose      bool
}

// ggBlocks lists the parameter blocks of the step graphs, in the order of ggStep.params.
func (m *Model) ggBlocks() []ggBlock {
	D, out := m.dim, m.dim+m.outStatic
	whole := func(p *ag.Tensor, transpose bool) ggBlock { return ggBlock{p, 0, p.Rows(), 0, p.Cols(), transpose} }
	var bs []ggBlock
	// An RNN cell's parameters are W_ih, b_ih, W_hh, b_hh (nn.RNNCell.Params); W_ih's columns are
	// the blocks [other side's embedding, Δt, features].
	for _, c := range []interface{ Params() nn.Params }{m.userRNN, m.itemRNN} {
		ps := c.Params()
		bs = append(bs, ggBlock{ps[0], 0, D, 0, D, true}, ggBlock{ps[0], 0, D, D, D + 1, true})
		if m.nFeat > 0 {
			bs = append(bs, ggBlock{ps[0], 0, D, D + 1, D + 1 + m.nFeat, true})
		}
		bs = append(bs, whole(ps[2], true), whole(ps[1], false), whole(ps[3], false))
	}
	// The prediction layer's weight is out×2D: output rows [dynamic | static], input columns
	// [û | previous item's dynamic embedding].
	W, b := m.predDense.W, m.predDense.B
	bs = append(bs, whole(m.proj.W, true), whole(m.proj.B, false),
		ggBlock{W, 0, D, 0, D, true}, ggBlock{W, 0, D, D, 2 * D, true},
		ggBlock{W, D, out, 0, D, true}, ggBlock{W, D, out, D, 2 * D, true},
		ggBlock{b, 0, 1, 0, D, false}, ggBlock{b, 0, 1, D, out, false})
	if m.stateHead {
		for _, l := range m.head.Layers {
			bs = append(bs, whole(l.W, true), whole(l.B, false))
		}
	}
	return bs
}

// ggStep is the compiled graph of one t-batch of B rows (B padded rows in bucket mode).
type ggStep struct {
	B    int
	grad bool // computes gradients (else forward only)
	g    *G.ExprGraph
	vm   G.VM
	dt   tensor.Dtype

	params []*G.Node // one leaf per ggBlock
	// per-batch inputs
	u, i, prev, du, di, feat, onehot, ceMask, mask *G.Node
	userD, userS, prevD, prevS                     *G.Node // the one-hot rows of the user and previous item
	gU, gI                                         *G.Node // upstream gradients of the new states
	// the loss terms' weights: λ over the element counts of the three MSE terms (set per run: in
	// bucket mode they count the real rows only)
	wPred, wUser, wItem *G.Node
	// read back after a run
	loss, uNew, iNew, predD, predS, logits        G.Value
	dParams                                       []G.Value
	dU, dI, dPrev, dUserD, dUserS, dPrevD, dPrevS G.Value
}

// newGGStep builds and compiles the graph for B rows. masked adds a row mask (bucket mode).
func (m *Model) newGGStep(dt tensor.Dtype, B int, grad, masked bool) (*ggStep, error) {
	s := &ggStep{B: B, grad: grad, g: G.NewGraph(), dt: dt}
	D, w, F := m.dim, m.outStatic, m.nFeat
	mat := func(name string, rows, cols int) *G.Node {
		return G.NewMatrix(s.g, dt, G.WithShape(rows, cols), G.WithName(name))
	}
	for k, b := range m.ggBlocks() {
		rows, cols := b.r1-b.r0, b.c1-b.c0
		if b.transpose {
			rows, cols = cols, rows
		}
		s.params = append(s.params, mat(fmt.Sprintf("p%d:%s", k, b.p.Name), rows, cols))
	}
	s.u, s.i, s.prev = mat("u", B, D), mat("i", B, D), mat("prev", B, D)
	s.du, s.di = mat("du", B, 1), mat("di", B, 1)
	if F > 0 {
		s.feat = mat("feat", B, F)
	}
	s.onehot = mat("onehot", B, w)
	s.userD, s.userS, s.prevD, s.prevS = mat("userD", B, D), mat("userS", B, w), mat("prevD", B, D), mat("prevS", B, w)
	scalar := func(name string) *G.Node { return G.NewScalar(s.g, dt, G.WithName(name)) }
	s.wPred, s.wUser, s.wItem = scalar("wPred"), scalar("wUser"), scalar("wItem")
	if m.stateHead {
		s.ceMask = mat("ceMask", B, 2)
	}
	if masked {
		s.mask = mat("mask", B, 1)
	}

	p := s.params
	next := func() *G.Node { n := p[0]; p = p[1:]; return n }
	cellLeaves := func() (xs []*G.Node, hh, bih, bhh *G.Node) {
		xs = []*G.Node{next(), next()}
		if F > 0 {
			xs = append(xs, next())
		}
		return xs, next(), next(), next()
	}
	uws, uhh, bUih, bUhh := cellLeaves()
	iws, ihh, bIih, bIhh := cellLeaves()
	wProj, bProj := next(), next()
	wDU, wDP, wSU, wSP, bD, bS := next(), next(), next(), next(), next(), next()

	masked2 := func(x *G.Node) *G.Node { // zero the padded rows
		if s.mask == nil {
			return x
		}
		return G.Must(G.BroadcastHadamardProd(x, s.mask, nil, []byte{1}))
	}
	// û = u ⊙ (1 + W·Δu + b); the prediction [dynamic, static] adds the one-hot rows of the previous
	// item and of the user to the dense layer on [û, previous item's dynamic embedding].
	one := G.NewConstant(s.scalarValue(1))
	uHat := G.Must(G.HadamardProd(s.u, G.Must(G.Add(plusBias(mul(s.du, wProj), bProj), one))))
	predD := sum(plusBias(sum(mul(uHat, wDU), mul(s.prev, wDP)), bD), s.prevD, s.userD)
	predS := sum(plusBias(sum(mul(uHat, wSU), mul(s.prev, wSP)), bS), s.prevS, s.userS)
	// MSE(prediction, [detached item embedding, one-hot item]) over all B·(D+items+1) elements.
	sq := func(a, b *G.Node) *G.Node { return G.Must(G.Sum(G.Must(G.Square(masked2(G.Must(G.Sub(a, b))))))) }
	predLoss := G.Must(G.Mul(G.Must(G.Add(sq(predD, stopGradient(s.i)), sq(predS, s.onehot))), s.wPred))

	uxs, ixs := []*G.Node{s.i, s.du}, []*G.Node{s.u, s.di}
	if F > 0 {
		uxs, ixs = append(uxs, s.feat), append(ixs, s.feat)
	}
	uNew := cell(uxs, uws, s.u, uhh, bUih, bUhh)
	iNew := cell(ixs, iws, s.i, ihh, bIih, bIhh)
	loss := sum(predLoss, G.Must(G.Mul(sq(uNew, stopGradient(s.u)), s.wUser)), G.Must(G.Mul(sq(iNew, stopGradient(s.i)), s.wItem)))
	var logits *G.Node
	if m.stateHead {
		x := uNew
		for l := range m.head.Layers {
			x = plusBias(mul(x, next()), next())
			if l+1 < len(m.head.Layers) {
				x = G.Must(G.Rectify(x))
			}
		}
		logits = x
		// Class-weighted mean cross-entropy Σ_r w[y_r]·(−log softmax(x_r)[y_r]) / Σ_r w[y_r]: the
		// weights, divided by their sum and times λ, are a per-row one-hot mask (0 on padded rows).
		ce := G.Must(G.Neg(G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.LogSoftMax(logits, 1)), s.ceMask))))))
		loss = G.Must(G.Add(loss, ce))
	}
	G.Read(loss, &s.loss)
	G.Read(uNew, &s.uNew)
	G.Read(iNew, &s.iNew)
	G.Read(predD, &s.predD)
	G.Read(predS, &s.predS)
	if logits != nil {
		G.Read(logits, &s.logits)
	}
	if grad {
		// Later t-batches' gradients with respect to the states this one writes.
		s.gU, s.gI = mat("gU", B, D), mat("gI", B, D)
		cost := sum(loss, G.Must(G.Sum(G.Must(G.HadamardProd(uNew, s.gU)))), G.Must(G.Sum(G.Must(G.HadamardProd(iNew, s.gI)))))
		wrt := append(G.Nodes{s.u, s.i, s.prev, s.userD, s.userS, s.prevD, s.prevS}, s.params...)
		gs, err := G.Grad(cost, wrt...)
		if err != nil {
			return nil, fmt.Errorf("gorgonia: differentiating the t-batch graph: %w", err)
		}
		for _, dst := range []*G.Value{&s.dU, &s.dI, &s.dPrev, &s.dUserD, &s.dUserS, &s.dPrevD, &s.dPrevS} {
			G.Read(gs[0], dst)
			gs = gs[1:]
		}
		s.dParams = make([]G.Value, len(gs))
		for k, g := range gs {
			G.Read(g, &s.dParams[k])
		}
	}
	// UseCudaFor is gorgonia's switch to its CUDA machine: a no-op unless built with gorgonia's cuda
	// tag (`make build-cuda`), which no machine of this project can compile or run (README, Engines).
	s.vm = G.NewTapeMachine(s.g, G.UseCudaFor())
	return s, nil
}

func (s *ggStep) scalarValue(v float64) any {
	if s.dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// plusBias adds the 1×n bias b to every row of x.
func plusBias(x, b *G.Node) *G.Node { return G.Must(G.BroadcastAdd(x, b, nil, []byte{0})) }

// sum adds nodes of one shape.
func sum(xs ...*G.Node) *G.Node {
	s := xs[0]
	for _, x := range xs[1:] {
		s = G.Must(G.Add(s, x))
	}
	return s
}

func mul(x, w *G.Node) *G.Node { return G.Must(G.Mul(x, w)) }

// l2Normalize divides every row by its Euclidean norm. (tibench floors the norm at 1e-12, as
// PyTorch; JODIE's rows never come near it.)
func l2Normalize(x *G.Node) *G.Node {
	norm := G.Must(G.Sqrt(G.Must(G.Sum(G.Must(G.Square(x)), 1))))
	return G.Must(G.BroadcastHadamardDiv(x, norm, nil, []byte{1}))
}

// cell is a tanh RNN cell on the input blocks xs (with their weight blocks ws) and hidden state h,
// L2-normalised: JODIE's update.
func cell(xs, ws []*G.Node, h, whh, bih, bhh *G.Node) *G.Node {
	terms := make([]*G.Node, 0, len(xs)+1)
	for k, x := range xs {
		terms = append(terms, mul(x, ws[k]))
	}
	terms = append(terms, mul(h, whh))
	return l2Normalize(G.Must(G.Tanh(plusBias(plusBias(sum(terms...), bih), bhh))))
}

// stopGradient is the identity whose gradient is zero: JODIE's loss targets are detached.
func stopGradient(x *G.Node) *G.Node { return G.Must(G.ApplyOp(stopGradOp{}, x)) }

// stopGradOp passes its input through and declares itself not differentiable with respect to it,
// so gorgonia's symbolic differentiation sends no gradient back (gorgonia has no detach of its own;
// a custom Op is its documented extension point).
type stopGradOp struct{}

func (stopGradOp) Arity() int { return 1 }
func (stopGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (stopGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("stopGradient: input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (stopGradOp) Do(v ...G.Value) (G.Value, error) { return G.CloneValue(v[0]) }
func (stopGradOp) ReturnsPtr() bool                 { return false }
func (stopGradOp) CallsExtern() bool                { return false }
func (stopGradOp) OverwritesInput() int             { return -1 }
func (stopGradOp) WriteHash(h hash.Hash)            { fmt.Fprint(h, "stopGradient") }
func (stopGradOp) Hashcode() uint32                 { return 0x5709 }
func (stopGradOp) String() string                   { return "stopGradient" }
func (stopGradOp) DiffWRT(n int) []bool             { return make([]bool, n) }
func (stopGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("stopGradient has no derivative")
}
