package session

import (
	"cmp"
	"context"
	"slices"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// Training under BPTT "session": NARM's code trains on every prefix of a session with the encoder
// backpropagated through the whole prefix, and the sequence likelihoods of RMTPP, ATRP, NSR and
// JUMP (eq. 17) are sums over a session's clicks differentiated as a whole. One forward pass over
// a session with the loss of every click summed gives exactly those gradients (the nets are
// causal: click k's output depends on clicks 1..k only), so a mini-batch here is BatchSize whole
// sessions, run click by click on one tape with states, attention histories and dwell
// parameters live, and one optimiser step per mini-batch. The loss is the mean over the
// mini-batch's clicks of the next-click loss plus the dwell NLL, the per-click scale of BPTT
// "click".
//
// Within a mini-batch the sessions are ordered longest first, so that the sessions still running
// at click k are always the first rows and every step's tensors are prefixes of the step before.

// trainSessionBatches is TrainEpoch under BPTT "session": the sessions in order, BatchSize at a
// time.
func (m *Model) trainSessionBatches(ctx context.Context, train []datasets.Session, order []int, p bench.Progress) (bench.EpochStats, error) {
	var st bench.EpochStats
	var lossSum float64
	tp := m.trainTp
	for start := 0; start < len(order); start += m.cfg.BatchSize {
		if st.Batches%16 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		batch := m.longestFirst(train, order[start:min(start+m.cfg.BatchSize, len(order))])
		tp.Reset()
		loss, value, clicks := m.sessionBatch(tp, train, batch)
		st.Interactions += clicks
		p.Advance(clicks)
		if loss == nil { // one-click sessions and no dwell head: nothing to learn
			continue
		}
		if err := m.update(tp, loss, value, st.Batches); err != nil {
			return st, err
		}
		lossSum += value * float64(clicks)
		st.Batches++
		st.Steps++
	}
	if st.Interactions > 0 {
		st.Loss = lossSum / float64(st.Interactions)
	}
	return st, nil
}

// longestFirst returns the mini-batch's session indices ordered by decreasing length (the epoch's
// order among equal lengths), in a reused buffer.
func (m *Model) longestFirst(train []datasets.Session, batch []int) []int {
	b := append(m.buf.batch[:0], batch...)
	slices.SortStableFunc(b, func(x, y int) int { return cmp.Compare(train[y].Len(), train[x].Len()) })
	m.buf.batch = b
	return b
}

// sessionBatch runs the sessions batch (longest first) through every click on tp and returns the
// mini-batch's loss (nil when no click has anything to learn), its value and the click count.
func (m *Model) sessionBatch(tp *ag.Tape, train []datasets.Session, batch []int) (*ag.Tensor, float64, int) {
	b := &m.buf
	longest := train[batch[0]].Len()
	clicks := 0
	for _, i := range batch {
		clicks += train[i].Len()
	}
	denom := float64(clicks)

	// With a BatchInputNet every click's input row is computed at once, rows of click k of the
	// running sessions from b.xStart[k].
	var x *ag.Tensor
	if in, ok := m.net.(BatchInputNet); ok {
		items, dwell := b.allItems[:0], b.allDwell[:0]
		b.xStart = grow(b.xStart, longest)
		for k := range longest {
			b.xStart[k] = len(items)
			for _, i := range batch {
				if train[i].Len() <= k {
					break
				}
				items, dwell = append(items, train[i].Items[k]), append(dwell, train[i].Dwell[k])
			}
		}
		b.allItems, b.allDwell = items, dwell
		x = in.Inputs(tp, items, dwell, true)
	}

	s := &m.step
	r := &b.res
	histW := m.net.HistoryWidth()
	state := tp.Zeros(len(batch), m.net.StateWidth())
	hidden := b.hidden[:0]
	var total *ag.Tensor
	var value float64
	nextRefs, targets := b.nextRefs[:0], b.targets[:0]
	n := len(batch)
	for k := range longest {
		for train[batch[n-1]].Len() <= k {
			n--
		}
		s.Items, s.Dwell = grow(s.Items, n), grow(s.Dwell, n)
		r.dwell, r.censored = grow(r.dwell, n), grow(r.censored, n)
		r.rows, r.targets = r.rows[:0], r.targets[:0]
		for j := range n {
			ss := &train[batch[j]]
			s.Items[j], s.Dwell[j] = ss.Items[k], ss.Dwell[k]
			r.dwell[j], r.censored[j] = ss.Dwell[k], ss.Censored[k]
			if k+1 < ss.Len() {
				r.rows = append(r.rows, int32(j))
				r.targets = append(r.targets, ss.Items[k+1])
			}
		}
		s.Train = true
		s.State = m.firstRows(tp, state, n)
		s.X = nil
		if x != nil {
			s.X = tp.Gather(x, m.iota(b.xStart[k], n))
		}
		s.past, s.pastRefs, s.pastLen = nil, nil, 0
		if histW > 0 {
			// The running sessions' latest min(k, History) hidden states, live: row j of step i
			// is the same session as row j of step k (rows only ever drop off the end).
			past := min(k, m.cfg.History)
			refs := b.pastRefs[:0]
			s.histLen = grow(s.histLen, n)
			for j := range n {
				s.histLen[j] = past
				for i := k - past; i < k; i++ {
					refs = append(refs, ag.RowRef{T: hidden[i], Row: int32(j)})
				}
			}
			b.pastRefs = refs
			s.pastRefs, s.pastLen = refs, past
		}
		out := m.net.Step(tp, s)
		if histW > 0 {
			hidden = append(hidden, out.Hidden)
		}
		state = out.State
		r.theta = nil
		if m.dwell != nil {
			r.theta = out.Dwell
		}
		// The rows with a next click are a prefix too; their session vectors are scored after the
		// loop, all clicks of the mini-batch at once.
		for j := range r.rows {
			nextRefs = append(nextRefs, ag.RowRef{T: out.Session, Row: int32(j)})
		}
		targets = append(targets, r.targets...)
		r.rows, r.targets, r.next = r.rows[:0], r.targets[:0], nil
		if loss, v := m.loss(tp, r, denom); loss != nil { // the dwell terms of this click
			value += v
			total = addLoss(tp, total, loss)
		}
	}
	if len(targets) > 0 {
		// One product of every click's session vector with the output table (or with one shared
		// set of sampled candidates) instead of one per click: the same loss, far fewer and larger
		// GEMMs, and the sampled softmax's negatives drawn once per mini-batch rather than once per
		// click of it (in-batch negatives of the pairwise losses: the mini-batch's next items).
		r.theta, r.targets = nil, targets
		r.next = tp.GatherRefs(nextRefs)
		loss, v := m.loss(tp, r, denom)
		value += v
		total = addLoss(tp, total, loss)
	}
	clear(hidden) // drop the references to this tape's tensors
	b.hidden = hidden[:0]
	clear(nextRefs)
	b.nextRefs, b.targets = nextRefs[:0], targets[:0]
	r.targets = r.targets[:0:0]
	s.pastRefs = nil
	return total, value, clicks
}

// addLoss is total + loss, either of which may be nil.
func addLoss(tp *ag.Tape, total, loss *ag.Tensor) *ag.Tensor {
	switch {
	case loss == nil:
		return total
	case total == nil:
		return loss
	}
	return tp.Add(total, loss)
}

// firstRows is t's first n rows: t itself when it has n.
func (m *Model) firstRows(tp *ag.Tape, t *ag.Tensor, n int) *ag.Tensor {
	if t.Rows() == n {
		return t
	}
	return tp.Gather(t, m.iota(0, n))
}

// iota returns from, from+1, …, from+n−1 in a reused buffer (Gather copies its indices).
func (m *Model) iota(from, n int) []int32 {
	m.buf.iota = grow(m.buf.iota, n)
	for i := range n {
		m.buf.iota[i] = int32(from + i)
	}
	return m.buf.iota
}
