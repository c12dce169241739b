package jodie

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/coupled"
)

// The gorgonia engine (engine: gorgonia). Everything around the passes is shared with the tibench
// engine: parameters and their initialisation, t-batches and windows, the state tables, Adam (so
// sparse_adam means the same), checkpoints, evaluation's save/restore and ranking. Per window it
//
//  1. gathers the one-hot prediction rows the window reads on tibench's tape (so that deferred dense
//     Adam catches those rows up first) and copies every parameter block into gorgonia tensors;
//  2. runs the t-batches forward in order, each on the compiled machine of its shape
//     (gorgonia_step.go), keeping the states they write on the host;
//  3. when learning, runs them backward in reverse order, each with the gradients later t-batches
//     sent to the states it wrote, and assembles every parameter's gradient;
//  4. writes the new states into the state tables and hands the gradients to tibench's Adam through
//     a surrogate loss Σ⟨p, ∂L/∂p⟩ on tibench's tape, whose gradient is exactly ∂L/∂p.
//
// Shapes: gorgonia graphs have static shapes and JODIE's t-batches range from 1 to thousands of
// rows. gorgonia_shapes: exact compiles one machine per batch size met (and per forward/gradient
// use); bucket pads every batch to the next power of two with a row mask, compiling at most a few
// dozen. BENCHMARKS.md (Engines) has both measured.

// ggEngine holds the compiled machines and the window's parameter values.
type ggEngine struct {
	dt       tensor.Dtype
	bucket   bool
	blocks   []ggBlock
	machines map[ggKey]*ggStep
	values   []*tensor.Dense // this window's parameter blocks
}

type ggKey struct {
	rows int
	grad bool
}

func newGGEngine(m *Model) *ggEngine {
	dt := tensor.Float32
	if m.be.Precision() == 64 {
		dt = tensor.Float64
	}
	return &ggEngine{dt: dt, bucket: m.cfg.GorgoniaShapes == "bucket", blocks: m.ggBlocks(), machines: map[ggKey]*ggStep{}}
}

// machine returns the compiled machine for a batch of n rows.
func (m *Model) machine(n int, grad bool) (*ggStep, error) {
	e := m.gg
	rows := n
	if e.bucket {
		rows = 1 << bits.Len(uint(n-1)) // the next power of two ≥ n
	}
	k := ggKey{rows, grad}
	if s := e.machines[k]; s != nil {
		return s, nil
	}
	s, err := m.newGGStep(e.dt, rows, grad, e.bucket)
	if err != nil {
		return nil, err
	}
	e.machines[k] = s
	return s, nil
}

// Where a state a t-batch read came from, for sending its gradient back.
const (
	srcConst   = -1 // the table's value at the window's start: a constant
	srcInitial = -2 // the learned initial vector
)

type ggSrc struct{ batch, row int32 }

// ggBatchRun is one t-batch's inputs and outputs inside a window.
type ggBatchRun struct {
	uids, iids, prev []int32
	srcU, srcI, srcP []ggSrc
	inputs           ggInputs
	uNew, iNew       []float64
	pred, logits     []float64
	loss             float64
	grads            *ggGrads // from the forward run when nothing later reads its states
	readLater        bool
	gU, gI           []float64 // upstream gradients of its new states (backward phase)
}

// ggInputs are the host values a t-batch's machine is fed (rows × width, padded rows included).
type ggInputs struct {
	rows                                   int
	u, i, prev, du, di, feat, onehot, mask []float64
	userD, userS, prevD, prevS, ceMask     []float64
	wPred, wUser, wItem                    float64
}

type ggGrads struct {
	params                                 [][]float64
	u, i, prev, userD, userS, prevD, prevS []float64
}

// ggWindow is a window's result.
type ggWindow struct {
	loss    float64
	batches []*ggBatchRun
}

// runGorgonia runs the given t-batches as one window. With learn it leaves the window's gradient
// in a surrogate loss on tibench's tape (returned; not yet backpropagated nor stepped).
func (m *Model) runGorgonia(d *bench.Data, batches [][]int32, learn, predictions bool) (*ggWindow, *ag.Tensor, error) {
	e, D, ev := m.gg, m.dim, &m.ev
	out := D + m.outStatic
	ev.ggRefsU = m.users.SaveRefs(ev.ggRefsU)
	ev.ggRefsI = m.items.SaveRefs(ev.ggRefsI)
	ev.ggUsers = growF64(ev.ggUsers, m.users.Values.Len())
	m.users.Values.CopyTo64(ev.ggUsers)
	ev.ggItems = growF64(ev.ggItems, m.items.Values.Len())
	m.items.Values.CopyTo64(ev.ggItems)
	initU, initI := values64(m.initUser), values64(m.initItem)

	// The one-hot rows this window reads, gathered once on tibench's tape.
	localU, localP := map[int32]int{}, map[int32]int{}
	var userRows, prevRows []int32
	for _, rows := range batches {
		for _, r := range rows {
			u, p := d.Users[r], d.Time.PrevItem[r]
			if p < 0 {
				p = m.pad
			}
			if _, ok := localU[u]; !ok {
				localU[u] = len(userRows)
				userRows = append(userRows, u)
			}
			if _, ok := localP[p]; !ok {
				localP[p] = len(prevRows)
				prevRows = append(prevRows, p)
			}
		}
	}
	tp := m.tp
	agUser, agPrev := tp.Gather(m.predUser, userRows), tp.Gather(m.predPrevItem, prevRows)
	tabU, tabP := values64(agUser), values64(agPrev)
	e.values = e.values[:0]
	params := map[*ag.Tensor][]float64{} // a parameter split into several blocks is copied once
	for _, b := range e.blocks {
		all, ok := params[b.p]
		if !ok {
			all = values64(b.p)
			params[b.p] = all
		}
		rows, cols, vals := b.extract(all)
		e.values = append(e.values, e.dense(rows, cols, vals))
	}

	// Forward, in order. cur* say which t-batch row holds an entity's latest state in this window.
	curU, curI := map[int32]ggSrc{}, map[int32]ggSrc{}
	runs := make([]*ggBatchRun, len(batches))
	w := &ggWindow{batches: runs}
	read := func(ids []int32, cur map[int32]ggSrc, refs []ag.RowRef, vals, init []float64, dst []float64) []ggSrc {
		srcs := make([]ggSrc, len(ids))
		for k, id := range ids {
			switch src, ok := cur[id]; {
			case ok:
				srcs[k] = src
				copy(dst[k*D:], vals[int(id)*D:(int(id)+1)*D])
			case refs[id].T != nil:
				srcs[k] = ggSrc{srcInitial, 0}
				copy(dst[k*D:], init)
			default:
				srcs[k] = ggSrc{srcConst, 0}
				copy(dst[k*D:], vals[int(id)*D:(int(id)+1)*D])
			}
		}
		return srcs
	}
	// A t-batch whose states no later one reads gets no upstream gradient, so its one forward run
	// can already differentiate; the others run forward now and again, with gradients, backward.
	readLater := make([]bool, len(batches))
	if learn {
		lastU, lastI := map[int32]int{}, map[int32]int{}
		for j, rows := range batches {
			for _, r := range rows {
				p := d.Time.PrevItem[r]
				if p < 0 {
					p = m.pad
				}
				for _, x := range []struct {
					last map[int32]int
					id   int32
				}{{lastU, d.Users[r]}, {lastI, d.Items[r]}, {lastI, p}} {
					if w, ok := x.last[x.id]; ok {
						readLater[w] = true
					}
				}
			}
			for _, r := range rows {
				lastU[d.Users[r]], lastI[d.Items[r]] = j, j
			}
		}
	}
	for j, rows := range batches {
		m.prepare(d, rows)
		B := len(rows)
		r := &ggBatchRun{uids: append([]int32(nil), m.uids...), iids: append([]int32(nil), m.iids...),
			prev: append([]int32(nil), m.prev...), readLater: readLater[j]}
		runs[j] = r
		s, err := m.machine(B, learn && !r.readLater)
		if err != nil {
			return nil, nil, err
		}
		in := &r.inputs
		in.rows = s.B
		in.u, in.i, in.prev = make([]float64, s.B*D), make([]float64, s.B*D), make([]float64, s.B*D)
		r.srcU = read(r.uids, curU, ev.ggRefsU, ev.ggUsers, initU, in.u)
		r.srcI = read(r.iids, curI, ev.ggRefsI, ev.ggItems, initI, in.i)
		r.srcP = read(r.prev, curI, ev.ggRefsI, ev.ggItems, initI, in.prev)
		m.fillInputs(in, B, localU, localP, tabU, tabP)
		if err := m.runStep(s, r, predictions); err != nil {
			return nil, nil, err
		}
		w.loss += r.loss
		for k, id := range r.uids {
			copy(ev.ggUsers[int(id)*D:], r.uNew[k*D:(k+1)*D])
			curU[id] = ggSrc{int32(j), int32(k)}
		}
		for k, id := range r.iids {
			copy(ev.ggItems[int(id)*D:], r.iNew[k*D:(k+1)*D])
			curI[id] = ggSrc{int32(j), int32(k)}
		}
	}
	if math.IsNaN(w.loss) || math.IsInf(w.loss, 0) {
		return nil, nil, fmt.Errorf("%w: gorgonia window loss %v", bench.ErrNotFinite, w.loss)
	}
	// The new states, in t-batch order (a later write of the same row wins, as in step).
	for _, r := range runs {
		u, i := tp.Input64(len(r.uids), D, r.uNew), tp.Input64(len(r.iids), D, r.iNew)
		m.users.Write(r.uids, u)
		m.items.Write(r.iids, i)
		if m.obs != nil {
			m.observe(monitor.Users, r.uids, tp.Input64(len(r.uids), D, r.inputs.u[:len(r.uids)*D]), u)
			m.observe(monitor.Items, r.iids, tp.Input64(len(r.iids), D, r.inputs.i[:len(r.iids)*D]), i)
		}
	}
	if !learn {
		return w, nil, nil
	}

	// Backward, in reverse order: each t-batch's gradient with respect to the states it read goes to
	// the t-batch that wrote them (or to the learned initial vector; constants take none).
	pg := make([][]float64, len(e.blocks))
	for k, b := range e.blocks {
		pg[k] = make([]float64, (b.r1-b.r0)*(b.c1-b.c0))
	}
	gTabU, gTabP := make([]float64, len(tabU)), make([]float64, len(tabP))
	gInitU, gInitI := make([]float64, D), make([]float64, D)
	for _, r := range runs {
		r.gU, r.gI = make([]float64, len(r.uids)*D), make([]float64, len(r.iids)*D)
	}
	send := func(srcs []ggSrc, g []float64, toState func(*ggBatchRun) []float64, init []float64) {
		for k, s := range srcs {
			row := g[k*D : (k+1)*D]
			var dst []float64
			switch s.batch {
			case srcConst:
				continue
			case srcInitial:
				dst = init
			default:
				dst = toState(runs[s.batch])[int(s.row)*D:]
			}
			for c, v := range row {
				dst[c] += v
			}
		}
	}
	for j := len(runs) - 1; j >= 0; j-- {
		r := runs[j]
		if r.readLater {
			s, err := m.machine(len(r.uids), true)
			if err != nil {
				return nil, nil, err
			}
			if err := m.runStep(s, r, false); err != nil {
				return nil, nil, err
			}
		}
		g := r.grads
		for k := range pg {
			addTo(pg[k], g.params[k])
		}
		for k, id := range r.uids {
			lu := localU[id] * out
			addTo(gTabU[lu:lu+D], g.userD[k*D:(k+1)*D])
			addTo(gTabU[lu+D:lu+out], g.userS[k*m.outStatic:(k+1)*m.outStatic])
		}
		for k, id := range r.prev {
			lp := localP[id] * out
			addTo(gTabP[lp:lp+D], g.prevD[k*D:(k+1)*D])
			addTo(gTabP[lp+D:lp+out], g.prevS[k*m.outStatic:(k+1)*m.outStatic])
		}
		send(r.srcU, g.u, func(b *ggBatchRun) []float64 { return b.gU }, gInitU)
		send(r.srcI, g.i, func(b *ggBatchRun) []float64 { return b.gI }, gInitI)
		send(r.srcP, g.prev, func(b *ggBatchRun) []float64 { return b.gI }, gInitI)
	}

	// Σ⟨p, g⟩ over every parameter, g its gradient assembled from its blocks: the gradient of this
	// surrogate with respect to p is g, which tibench's backward routes into the parameters
	// (scattering the one-hot rows back into their tables).
	full := map[*ag.Tensor][]float64{}
	var order []*ag.Tensor
	for k, b := range e.blocks {
		dst := full[b.p]
		if dst == nil {
			dst = make([]float64, b.p.Len())
			full[b.p] = dst
			order = append(order, b.p)
		}
		b.place(dst, pg[k])
	}
	var sur *ag.Tensor
	add := func(p *ag.Tensor, g []float64) {
		term := tp.Sum(tp.Mul(p, tp.Input64(p.Rows(), p.Cols(), g)), ag.AxisAll)
		if sur == nil {
			sur = term
		} else {
			sur = tp.Add(sur, term)
		}
	}
	for _, p := range order {
		add(p, full[p])
	}
	add(agUser, gTabU)
	add(agPrev, gTabP)
	add(m.initUser, gInitU)
	add(m.initItem, gInitI)
	return w, sur, nil
}

// fillInputs fills a t-batch's inputs beyond the states (already in in.u, in.i, in.prev) from the
// model's prepared buffers (m.prepare) and the window's one-hot rows; padded rows repeat row 0 (so
// that every row stays finite) with mask 0.
func (m *Model) fillInputs(in *ggInputs, B int, localU, localP map[int32]int, tabU, tabP []float64) {
	D, S, F, rows := m.dim, m.outStatic, m.nFeat, in.rows
	out := D + S
	f64 := func(v []float32) []float64 {
		o := make([]float64, len(v))
		for k, x := range v {
			o[k] = float64(x)
		}
		return o
	}
	in.du, in.di, in.feat = make([]float64, rows), make([]float64, rows), make([]float64, rows*F)
	copy(in.du, f64(m.du))
	copy(in.di, f64(m.di))
	copy(in.feat, f64(m.feat))
	in.onehot, in.mask = make([]float64, rows*S), make([]float64, rows)
	in.userD, in.userS = make([]float64, rows*D), make([]float64, rows*S)
	in.prevD, in.prevS = make([]float64, rows*D), make([]float64, rows*S)
	for k := range B {
		in.onehot[k*S+int(m.iids[k])] = 1
		in.mask[k] = 1
		lu, lp := localU[m.uids[k]]*out, localP[m.prev[k]]*out
		copy(in.userD[k*D:], tabU[lu:lu+D])
		copy(in.userS[k*S:], tabU[lu+D:lu+out])
		copy(in.prevD[k*D:], tabP[lp:lp+D])
		copy(in.prevS[k*S:], tabP[lp+D:lp+out])
	}
	for k := B; k < rows; k++ {
		for _, x := range []struct {
			v []float64
			w int
		}{{in.u, D}, {in.i, D}, {in.prev, D}, {in.du, 1}, {in.di, 1}, {in.feat, F}, {in.userD, D}, {in.userS, S}, {in.prevD, D}, {in.prevS, S}} {
			copy(x.v[k*x.w:(k+1)*x.w], x.v[:x.w])
		}
	}
	lam := m.cfg.Lambda
	in.wPred = lam.Prediction / float64(B*out)
	in.wUser, in.wItem = lam.User/float64(B*D), lam.Item/float64(B*D)
	if m.stateHead {
		// Class-weighted mean cross-entropy: per row λ·w[y]/Σw on its label's column.
		var wsum float64
		for _, y := range m.labels {
			wsum += float64(m.classWeights[y])
		}
		in.ceMask = make([]float64, rows*2)
		for k, y := range m.labels {
			in.ceMask[2*k+int(y)] = lam.State * float64(m.classWeights[y]) / wsum
		}
	}
}

// runStep feeds a t-batch to a machine, runs it and reads back what the window needs: the loss and
// new states, the prediction and logits with keepPredictions, and with a gradient machine the
// gradients (with respect to the parameters' blocks, the states read and the one-hot rows).
func (m *Model) runStep(s *ggStep, r *ggBatchRun, keepPredictions bool) error {
	in, B, D := &r.inputs, len(r.uids), m.dim
	let := func(n *G.Node, v []float64, cols int) error {
		if n == nil {
			return nil
		}
		return G.Let(n, m.gg.dense(in.rows, cols, v))
	}
	lets := []struct {
		n    *G.Node
		v    []float64
		cols int
	}{{s.u, in.u, D}, {s.i, in.i, D}, {s.prev, in.prev, D}, {s.du, in.du, 1}, {s.di, in.di, 1}, {s.feat, in.feat, m.nFeat},
		{s.onehot, in.onehot, m.outStatic}, {s.mask, in.mask, 1}, {s.ceMask, in.ceMask, 2},
		{s.userD, in.userD, D}, {s.userS, in.userS, m.outStatic}, {s.prevD, in.prevD, D}, {s.prevS, in.prevS, m.outStatic}}
	if s.grad {
		gU, gI := make([]float64, in.rows*D), make([]float64, in.rows*D)
		copy(gU, r.gU)
		copy(gI, r.gI)
		lets = append(lets, struct {
			n    *G.Node
			v    []float64
			cols int
		}{s.gU, gU, D}, struct {
			n    *G.Node
			v    []float64
			cols int
		}{s.gI, gI, D})
	}
	for _, l := range lets {
		if err := let(l.n, l.v, l.cols); err != nil {
			return fmt.Errorf("gorgonia: setting an input: %w", err)
		}
	}
	for k, n := range s.params {
		if err := G.Let(n, m.gg.values[k]); err != nil {
			return fmt.Errorf("gorgonia: setting %s: %w", n.Name(), err)
		}
	}
	for n, v := range map[*G.Node]float64{s.wPred: in.wPred, s.wUser: in.wUser, s.wItem: in.wItem} {
		if err := G.Let(n, s.scalarValue(v)); err != nil {
			return fmt.Errorf("gorgonia: setting a loss weight: %w", err)
		}
	}
	defer s.vm.Reset()
	if err := s.vm.RunAll(); err != nil {
		return fmt.Errorf("gorgonia: running a t-batch of %d: %w", B, err)
	}
	r.loss = valuesOf(s.loss)[0]
	r.uNew, r.iNew = valuesOf(s.uNew)[:B*D], valuesOf(s.iNew)[:B*D]
	if keepPredictions {
		pd, ps := valuesOf(s.predD), valuesOf(s.predS)
		out := D + m.outStatic
		r.pred = make([]float64, B*out)
		for k := range B {
			copy(r.pred[k*out:], pd[k*D:(k+1)*D])
			copy(r.pred[k*out+D:], ps[k*m.outStatic:(k+1)*m.outStatic])
		}
		if s.logits != nil {
			r.logits = valuesOf(s.logits)[:2*B]
		}
	}
	if s.grad {
		g := &ggGrads{u: valuesOf(s.dU), i: valuesOf(s.dI), prev: valuesOf(s.dPrev),
			userD: valuesOf(s.dUserD), userS: valuesOf(s.dUserS), prevD: valuesOf(s.dPrevD), prevS: valuesOf(s.dPrevS)}
		for _, v := range s.dParams {
			g.params = append(g.params, valuesOf(v))
		}
		r.grads = g
	}
	return nil
}

// extract returns the block's values (in the leaf's orientation) from the parameter's values.
func (b ggBlock) extract(all []float64) (rows, cols int, vals []float64) {
	rows, cols = b.r1-b.r0, b.c1-b.c0
	vals = make([]float64, 0, rows*cols)
	for r := b.r0; r < b.r1; r++ {
		vals = append(vals, all[r*b.p.Cols()+b.c0:r*b.p.Cols()+b.c1]...)
	}
	if b.transpose {
		return cols, rows, transposed(vals, rows, cols)
	}
	return rows, cols, vals
}

// place writes the block's gradient g (in the leaf's orientation) into the parameter-shaped dst.
func (b ggBlock) place(dst, g []float64) {
	rows, cols := b.r1-b.r0, b.c1-b.c0
	if b.transpose {
		g = transposed(g, cols, rows)
	}
	for r := range rows {
		copy(dst[(b.r0+r)*b.p.Cols()+b.c0:], g[r*cols:(r+1)*cols])
	}
}

// dense is a gorgonia tensor of the engine's precision holding vals.
func (e *ggEngine) dense(rows, cols int, vals []float64) *tensor.Dense {
	if e.dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for k, v := range vals {
			f[k] = float32(v)
		}
		return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), vals...)))
}

// values64 copies a tensor's values in float64.
func values64(t *ag.Tensor) []float64 {
	v := make([]float64, t.Len())
	t.CopyTo64(v)
	return v
}

// transposed returns the cols×rows transpose of a rows×cols row-major matrix.
func transposed(v []float64, rows, cols int) []float64 {
	t := make([]float64, len(v))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = v[r*cols+c]
		}
	}
	return t
}

// valuesOf copies a gorgonia value's elements in float64.
func valuesOf(v G.Value) []float64 {
	switch x := v.Data().(type) {
	case []float64:
		return append([]float64(nil), x...)
	case []float32:
		out := make([]float64, len(x))
		for k, f := range x {
			out[k] = float64(f)
		}
		return out
	case float64:
		return []float64{x}
	case float32:
		return []float64{float64(x)}
	}
	panic(fmt.Sprintf("jodie: unexpected gorgonia value %T", v.Data()))
}

func growF64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

func copyF32(dst []float32, src []float64) {
	for k, v := range src {
		dst[k] = float32(v)
	}
}

func addTo(dst, src []float64) {
	for k, v := range src {
		dst[k] += v
	}
}

// trainWindowGorgonia is trainWindow on gorgonia: the step's t-batches, one Adam step.
func (m *Model) trainWindowGorgonia(d *bench.Data, first, end int) (float64, int, error) {
	batches := make([][]int32, 0, end-first)
	n := 0
	for k := first; k < end; k++ {
		batches = append(batches, m.batches.Batch(k))
		n += len(m.batches.Batch(k))
	}
	w, sur, err := m.runGorgonia(d, batches, true, false)
	if err != nil {
		return 0, 0, err
	}
	return w.loss, n, m.learn(sur)
}

// evaluateGorgonia streams validation and test rows as Evaluate does, one interaction per t-batch,
// in chunks that end where the online protocol takes an Adam step (or every evalChunk rows frozen):
// each row's prediction comes from the states the rows before it left, exactly as row-by-row
// streaming; ranks are taken in order, each against the item embeddings as the rows before it
// updated them.
func (m *Model) evaluateGorgonia(ctx context.Context, d *bench.Data, sink bench.Sink, online bool) error {
	const evalChunk = 256
	ev := &m.ev
	windows := coupled.OnlineWindows{Len: m.windowLen}
	windows.Start(d.Times[d.Split.TrainEnd])
	for from := d.Split.TrainEnd; from < d.Split.TestEnd; {
		if err := ctx.Err(); err != nil {
			return err
		}
		var to int
		var closes bool
		if online {
			to, closes = m.servingWindow(d, from, &windows, 0)
		} else {
			to, _ = m.servingWindow(d, from, &windows, evalChunk)
		}
		batches := make([][]int32, 0, to-from)
		for r := from; r < to; r++ {
			batches = append(batches, []int32{int32(r)})
		}
		w, sur, err := m.runGorgonia(d, batches, online && closes, true)
		if err != nil {
			return fmt.Errorf("evaluation at rows %d–%d: %w", from, to-1, err)
		}
		out := m.dim + m.outStatic
		for k, b := range w.batches {
			r := from + k
			ev.pred = growF(ev.pred, out)
			copyF32(ev.pred, b.pred)
			var logits []float32
			if b.logits != nil {
				ev.logits = growF(ev.logits, 2)
				copyF32(ev.logits, b.logits)
				logits = ev.logits
			}
			m.emit(d, r, ev.pred, logits, sink)
			// The true interaction is now revealed: its item's new embedding counts for later ranks.
			item := int(d.Items[r])
			copyF32(ev.items[item*m.dim:(item+1)*m.dim], b.iNew)
		}
		if sur != nil {
			if err := m.learn(sur); err != nil {
				return fmt.Errorf("online evaluation at row %d: %w", to-1, err)
			}
		}
		m.endWindow()
		from = to
	}
	return nil
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for k := range v {
		v[k] = 1
	}
	return v
}
