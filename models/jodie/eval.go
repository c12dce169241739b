package jodie

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
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
	if m.cfg.Serving == "batch" {
		return m.evaluateBatchServing(ctx, d, sink, online)
	}

	loss := coupled.NewLossSum(m.tp)
	windows := coupled.OnlineWindows{Len: m.windowLen}
	windows.Start(d.Times[d.Split.TrainEnd])
	for r := d.Split.TrainEnd; r < d.Split.TestEnd; r++ {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		l := m.predictRow(d, r, sink)
		// The true interaction is now revealed: mirror the item's new embedding for later ranks.
		m.mirrorItem(d.Items[r])
		if !online {
			m.endWindow()
			continue
		}
		// Online: keep learning, one Adam step per window as in training (the original's rule).
		loss.Add(l)
		if windows.Closes(d.Times[r]) {
			if err := m.learn(loss.Total()); err != nil {
				return fmt.Errorf("online evaluation at row %d: %w", r, err)
			}
			m.endWindow()
			m.mirrorItems() // static embeddings (learned mode) changed with the step
			loss.Reset()
		}
	}
	return nil
}

// evaluateBatchServing is Evaluate with serving: batch. The rows are cut where the t-Batch windows
// close (the online protocol's rule); a window's rows are all predicted from the states at its start
// (and ranked against the item embeddings of then), then its interactions update the states in
// order — with the online protocol's loss and Adam step — and the served embeddings are refreshed.
// An observer sees each entity's embedding once per window, when it is served.
func (m *Model) evaluateBatchServing(ctx context.Context, d *bench.Data, sink bench.Sink, online bool) error {
	obs := m.obs
	defer func() { m.obs, m.predictOnly = obs, false }()
	windows := coupled.OnlineWindows{Len: m.windowLen}
	windows.Start(d.Times[d.Split.TrainEnd])
	for from := d.Split.TrainEnd; from < d.Split.TestEnd; {
		if err := ctx.Err(); err != nil {
			return err
		}
		to, closes := m.servingWindow(d, from, &windows, 0)
		// Predict every row of the window from the served (window-start) states.
		was := m.tp.SetGrad(false)
		m.predictOnly = true
		for r := from; r < to; r++ {
			m.predictRow(d, r, sink)
			m.endWindow()
		}
		m.predictOnly = false
		m.tp.SetGrad(was)
		// Apply the window's interactions in order; the observer waits for the refresh, and sees
		// the served embeddings move from the window's start to its end.
		var servedU, servedI []float32
		if obs != nil {
			servedU, servedI = m.users.Values.Values(), m.items.Values.Values()
		}
		m.obs = nil
		loss := coupled.NewLossSum(m.tp)
		touchedU, touchedI := map[int32]bool{}, map[int32]bool{}
		for r := from; r < to; r++ {
			m.ev.one[0] = int32(r)
			l, _, _ := m.step(d, m.ev.one[:])
			touchedU[d.Users[r]], touchedI[d.Items[r]] = true, true
			if !online {
				m.endWindow()
				continue
			}
			loss.Add(l)
		}
		if online && closes {
			if err := m.learn(loss.Total()); err != nil {
				return fmt.Errorf("online evaluation at row %d: %w", to-1, err)
			}
		}
		m.endWindow()
		m.mirrorItems()
		m.obs = obs
		if obs != nil {
			m.observeRows(monitor.Users, touchedU, servedU, m.users.Values)
			m.observeRows(monitor.Items, touchedI, servedI, m.items.Values)
		}
		from = to
	}
	return nil
}

// predictRow runs row r's step (which, unless predictOnly, also updates the states), sends its
// prediction and returns its loss.
func (m *Model) predictRow(d *bench.Data, r int, sink bench.Sink) *ag.Tensor {
	ev := &m.ev
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
	return l
}

// servingWindow returns the end of the evaluation rows from `from` up to and including the first
// that closes a t-Batch window (the original's rule, as the online protocol learns: the row's time
// exceeds the window's start by more than the window length; it then starts the next window), or
// at most maxRows rows when maxRows > 0, whichever comes first; closes says a window closed.
func (m *Model) servingWindow(d *bench.Data, from int, windows *coupled.OnlineWindows, maxRows int) (to int, closes bool) {
	for to = from; to < d.Split.TestEnd; {
		r := to
		to++
		if windows.Closes(d.Times[r]) {
			return to, true
		}
		if maxRows > 0 && to-from == maxRows {
			break
		}
	}
	return to, false
}

// observeRows reports the given rows of a state table, from their served values to their current
// ones, in id order.
func (m *Model) observeRows(side monitor.Side, ids map[int32]bool, served []float32, values *ag.Tensor) {
	sorted := make([]int32, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	all, D := values.Values(), m.dim
	for _, id := range sorted {
		m.obs.ObserveUpdate(side, id, served[int(id)*D:(int(id)+1)*D], all[int(id)*D:(int(id)+1)*D])
	}
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
