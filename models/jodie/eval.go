package jodie

import (
	"context"
	"fmt"
	"math"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/coupled"
)

// evalState holds what Evaluate saves and restores, and its host-side copies for ranking. Buffers are
// reused from one evaluation to the next.
type evalState struct {
	saved  coupled.Saved // state tables at the end of training; parameters and Adam state (online protocol)
	items  []float32     // (items+1)×dim dynamic item embeddings, mirrored on the host
	static []float32     // learned mode: (items+1)×static.dim normalised static embeddings
	pred   []float32     // one prediction
	row    []float32     // one updated item row
	logits []float32
	one    [1]int32
	// the gorgonia engine's per-window host copies
	ggUsers, ggItems []float64
	ggRefsU, ggRefsI []ag.RowRef
}

// Evaluate streams validation then test rows one at a time (see the package comment).
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	ev := &m.ev
	be := m.be
	// Save the end-of-training state; Evaluate must leave the model as it found it.
	online := d.Online()
	ev.saved.Save(be, m.users, m.items, online, m.params, m.opt)
	defer func() {
		m.endWindow()
		ev.saved.Restore()
		m.tp.SetGrad(true)
	}()
	m.endWindow()
	m.tp.SetGrad(online)
	m.mirrorItems()
	if m.cfg.Engine == "gorgonia" {
		return m.evaluateGorgonia(ctx, d, sink, online)
	}

	var loss *ag.Tensor
	windowStart := d.Times[d.Split.TrainEnd]
	for r := d.Split.TrainEnd; r < d.Split.TestEnd; r++ {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ev.one[0] = int32(r)
		l, pred, logits := m.step(d, ev.one[:])
		ev.pred = growF(ev.pred, pred.Len())
		pred.CopyTo(ev.pred)
		var hostLogits []float32
		if logits != nil {
			ev.logits = growF(ev.logits, 2)
			logits.CopyTo(ev.logits)
			hostLogits = ev.logits
		}
		m.emit(d, r, ev.pred, hostLogits, sink)
		// The true interaction is now revealed: mirror the item's new embedding for later ranks.
		m.mirrorItem(d.Items[r])
		if !online {
			m.endWindow()
			continue
		}
		// Online: keep learning, one Adam step per window as in training (the original's rule).
		if loss == nil {
			loss = l
		} else {
			loss = m.tp.Add(loss, l)
		}
		if d.Times[r]-windowStart > m.windowLen {
			if err := m.learn(loss); err != nil {
				return fmt.Errorf("online evaluation at row %d: %w", r, err)
			}
			m.endWindow()
			m.mirrorItems() // static embeddings (learned mode) changed with the step
			loss, windowStart = nil, d.Times[r]
		}
	}
	return nil
}

// emit sends row r's prediction: the rank of its item given the predicted embedding, and the
// state-change score and probability from the head's two logits (nil without a head).
func (m *Model) emit(d *bench.Data, r int, pred, logits []float32, sink bench.Sink) {
	p := d.RowPrediction(r)
	p.Rank = m.rank(pred, d.Items[r])
	if logits != nil {
		p.Score = float64(logits[1])
		p.Prob = 1 / (1 + math.Exp(float64(logits[0]-logits[1]))) // softmax of two logits
	}
	sink(p)
}

func growF(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

// mirrorItems copies every item's dynamic (and learned static) embedding to the host.
func (m *Model) mirrorItems() {
	ev := &m.ev
	ev.items = growF(ev.items, m.items.Values.Len())
	m.items.Values.CopyTo(ev.items)
	if m.itemStatic == nil {
		return
	}
	t := m.itemStatic.Table
	ev.static = growF(ev.static, t.Len())
	t.CopyTo(ev.static)
	s := t.Cols()
	for j := 0; j < t.Rows(); j++ { // the prediction targets normalised static vectors
		row := ev.static[j*s : (j+1)*s]
		var n float64
		for _, v := range row {
			n += float64(v) * float64(v)
		}
		n = max(math.Sqrt(n), ag.L2NormalizeEps)
		for k := range row {
			row[k] = float32(float64(row[k]) / n)
		}
	}
}

// mirrorItem refreshes one item's dynamic embedding on the host after its update.
func (m *Model) mirrorItem(item int32) {
	ev := &m.ev
	D := m.dim
	ev.row = growF(ev.row, D)
	// The table row was just written by step; read it back.
	be := m.be
	for k := 0; k < D; k++ {
		ev.row[k] = float32(be.Get(m.items.Values.Storage(), int(item)*D+k))
	}
	copy(ev.items[int(item)*D:], ev.row)
}

// rank returns 1 + the number of real items (the padding item excluded) strictly closer to the
// prediction than the true item, in float64 from the float32 embeddings. With one-hot static
// embeddings ‖p_s − onehot_j‖² = ‖p_s‖² − 2·p_s[j] + 1, so only −2·p_s[j] differs between items.
func (m *Model) rank(pred []float32, target int32) float64 {
	ev := &m.ev
	D := m.dim
	pd, ps := pred[:D], pred[D:]
	dist := func(j int) float64 {
		e := ev.items[j*D : (j+1)*D]
		var s float64
		for k, v := range pd {
			x := float64(v) - float64(e[k])
			s += x * x
		}
		if m.itemStatic == nil {
			return s - 2*float64(ps[j])
		}
		S := len(ps)
		st := ev.static[j*S : (j+1)*S]
		for k, v := range ps {
			x := float64(v) - float64(st[k])
			s += x * x
		}
		return s
	}
	t := dist(int(target))
	r := 1.0
	for j := 0; j < m.nItems; j++ {
		if dist(j) < t {
			r++
		}
	}
	return r
}
