package seqrec

import (
	"context"
	"fmt"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/internal/ag"
)

// evalLanes is the number of users run in parallel when no gradient is taken (the end-of-training
// replay and frozen evaluation). Users are independent there, so the predictions do not depend on
// it; it only sets the size of the matrix products.
const evalLanes = 256

// ensureEnd computes the end-of-training state once per parameter version: it replays the
// training rows with the current parameters, without gradient, from the initial states, keeps the
// resulting states, and — for the state-change task — fits the read-out on the user embedding
// after every training interaction. Replaying instead of keeping the states reached during the
// epoch makes evaluation start from states computed by the parameters being evaluated (the
// epoch's states were computed by parameters that changed along the way).
func (m *Model) ensureEnd(ctx context.Context, d *bench.Data) error {
	key := endKey{d, d.Split.TrainEnd, d.Task}
	if m.ended && m.endKey == key {
		return nil
	}
	stateTask := d.Needs(bench.NeedsStateClassifier)
	n := d.Split.TrainEnd
	s := &m.sched
	if m.spec.Coupled {
		// Any schedule keeping each user's and item's order gives the same states; the replay
		// needs no item scores, so the t-batches' size cap does not matter here.
		if err := m.coupled.Build(s, d.Users, d.Items, d.Times, 0, n, evalLanes, 1); err != nil {
			return err
		}
	} else {
		m.lanes.Build(s, d.Users, d.NumUsers(), 0, n, evalLanes, 1, nil)
	}
	was := m.tp.SetGrad(false)
	defer m.tp.SetGrad(was)
	m.resetStates()
	for k := range s.NumSteps() {
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		m.tp.Reset()
		rows := s.Step(k)
		_, emb := m.step(d, rows, false, stateTask)
		if stateTask {
			e := m.download(emb)
			if m.embDim == 0 || len(m.feats) != n*m.embDim {
				m.embDim = emb.Cols()
				m.feats = grow(m.feats, n*m.embDim)
			}
			for k, r := range rows {
				copy(m.feats[int(r)*m.embDim:(int(r)+1)*m.embDim], e[k*m.embDim:(k+1)*m.embDim])
			}
		}
		m.detach()
	}
	m.tp.Reset()
	m.end = m.end[:0]
	for _, t := range m.tables {
		m.end = append(m.end, t.snap())
	}
	m.readout = nil
	if stateTask {
		r, err := FitReadout(m.feats, m.embDim, d.Labels[:n], ReadoutL2)
		if err != nil {
			return fmt.Errorf("%s: state-change read-out: %w", m.spec.Name, err)
		}
		m.readout = r
	}
	m.ended, m.endKey = true, key
	return nil
}

// download copies t to the host buffer and returns it.
func (m *Model) download(t *ag.Tensor) []float32 {
	m.host = grow(m.host, t.Len())
	t.CopyTo(m.host)
	return m.host
}

// Evaluate streams the validation and test rows in time order from the end-of-training state.
// Each row is predicted from its user's state before the row (and, for coupled models, every
// item's state before it), then revealed: the states advance through it. Users are independent in
// the lane models, so their rows are processed in parallel lanes, which gives exactly the
// predictions of a one-row-at-a-time stream; coupled models go one row at a time.
//
// Under the online protocol the model also learns while it streams, as JODIE's evaluation does:
// the rows are cut into consecutive blocks (BatchUsers·BPTT rows; BPTT rows for coupled models);
// every block is predicted with the parameters reached after the previous blocks, then its loss
// takes one Adam step (a fresh Adam with the training settings). The parameters are restored
// afterwards, so Evaluate leaves the model as it found it.
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	if m.net == nil {
		return fmt.Errorf("%s: Evaluate before Init", m.spec.Name)
	}
	m.tp = m.evalTp
	defer func() { m.tp = m.trainTp }()
	if err := m.ensureEnd(ctx, d); err != nil {
		return err
	}
	for i, t := range m.tables {
		t.restore(m.end[i])
	}
	lo, hi := d.Split.TrainEnd, d.Split.TestEnd
	online := d.Online()
	block := hi - lo
	if online {
		saved := make([][]float32, len(m.params))
		for i, p := range m.params {
			saved[i] = p.Values()
		}
		opt := m.opt
		m.opt = m.newOptimizer()
		defer func() {
			for i, p := range m.params {
				p.CopyFrom(saved[i])
			}
			m.opt = opt
			m.opt.ZeroGrad()
		}()
		block = m.cfg.BatchUsers * m.cfg.BPTT
		if m.spec.Coupled {
			block = m.cfg.BPTT
		}
	}
	was := m.tp.SetGrad(online)
	defer m.tp.SetGrad(was)
	preds := make([]bench.Prediction, hi-lo)
	for b0 := lo; b0 < hi; b0 += block {
		b1 := min(hi, b0+block)
		if err := m.evalBlock(ctx, d, b0, b1, online, preds[b0-lo:b1-lo]); err != nil {
			return err
		}
		for _, p := range preds[b0-lo : b1-lo] {
			sink(p)
		}
	}
	return nil
}

// evalBlock predicts and reveals rows [lo, hi) into out (indexed from lo), then, online, learns
// from them.
func (m *Model) evalBlock(ctx context.Context, d *bench.Data, lo, hi int, online bool, out []bench.Prediction) error {
	s := &m.sched
	if m.spec.Coupled {
		Sequential(s, lo, hi, hi-lo)
	} else {
		m.lanes.Build(s, d.Users, d.NumUsers(), lo, hi, evalLanes, max(1, hi-lo), nil)
	}
	nextItem, stateTask := d.Needs(bench.NeedsRanker), d.Needs(bench.NeedsStateClassifier)
	m.tp.Reset()
	var loss *ag.Tensor
	for k := range s.NumSteps() {
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !online {
			m.tp.Reset()
		}
		rows := s.Step(k)
		logits, emb := m.step(d, rows, nextItem || online, stateTask)
		for _, r := range rows {
			out[int(r)-lo] = d.RowPrediction(int(r))
		}
		if nextItem {
			if err := m.rank(logits, d.NumItems(), rows, lo, out); err != nil {
				return err
			}
		}
		if stateTask {
			e := m.download(emb)
			w := emb.Cols()
			for k, r := range rows {
				out[int(r)-lo].Score = m.readout.Logit(e[k*w : (k+1)*w])
			}
		}
		if online {
			l := m.tp.Scale(m.tp.CrossEntropy(logits, m.batch.Items, nil), float64(len(rows))/float64(hi-lo))
			if loss == nil {
				loss = l
			} else {
				loss = m.tp.Add(loss, l)
			}
		} else {
			m.detach()
		}
	}
	if online && loss != nil {
		if err := m.update(loss); err != nil {
			return fmt.Errorf("%s: online evaluation, rows [%d,%d): %w", m.spec.Name, lo, hi, err)
		}
	}
	return nil
}

// rank writes the rank of every row's true item among all items (1 + the number of items scored
// strictly higher, JODIE's rule).
func (m *Model) rank(logits *ag.Tensor, numItems int, rows []int32, lo int, out []bench.Prediction) error {
	scores := m.download(logits)
	m.ranks = grow(m.ranks, len(rows))
	if err := metrics.RankScores(scores, numItems, m.batch.Items, metrics.TiesOptimistic, m.ranks); err != nil {
		return fmt.Errorf("%s: ranking rows %d..: %w", m.spec.Name, rows[0], err)
	}
	for k, r := range rows {
		out[int(r)-lo].Rank = m.ranks[k]
	}
	return nil
}
