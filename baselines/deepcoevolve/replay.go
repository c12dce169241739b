package deepcoevolve

import (
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
)

// Truncated backpropagation cuts the graph at every window's end. JODIE's loss reaches its
// parameters through its prediction layer whatever the window, but DeepCoevolve's intensity is
// read from the embeddings only: an interaction whose user and item were last updated in an earlier
// window would give no gradient at all, and with span/500 windows that is most interactions. So
// the first time a window reads an entity updated in an earlier window, it replays that entity's
// last update from its inputs (the entity's and the partner's embeddings before it, detached, and
// the row's Δ and features), writing the result — the same value — into the state table with its
// history: the gradient then reaches the update parameters through one step, across the cut.

// updateCache is, per entity of one side, the inputs of its last update.
type updateCache struct {
	own, partner []float32 // n×dim: the entity's and its partner's embedding before the update
	row          []int32   // the update's row, -1 for none since the tables were filled
	gen          []uint32  // the window (generation) of the last update or replay
}

func newUpdateCache(n, dim int) updateCache {
	return updateCache{own: make([]float32, n*dim), partner: make([]float32, n*dim), row: make([]int32, n), gen: make([]uint32, n)}
}

func (c *updateCache) reset() {
	for k := range c.row {
		c.row[k] = -1
	}
}

func (c *updateCache) copyFrom(src *updateCache) {
	copy(c.own, src.own)
	copy(c.partner, src.partner)
	copy(c.row, src.row)
	copy(c.gen, src.gen)
}

func (c *updateCache) clone() updateCache {
	out := newUpdateCache(len(c.row), len(c.own)/max(len(c.row), 1))
	out.copyFrom(c)
	return out
}

// replay rewrites, with history, the states of ids last updated in an earlier window (see above).
func (m *Model) replay(d *bench.Data, user bool, ids []int32) {
	c, table, cell, delta := &m.iCache, m.items, m.itemRNN, d.Time.DeltaItem
	if user {
		c, table, cell, delta = &m.uCache, m.users, m.userRNN, d.Time.DeltaUser
	}
	D := m.cfg.Dim
	m.rIDs, m.rOwn, m.rPartner, m.rDelta, m.rFeat = m.rIDs[:0], m.rOwn[:0], m.rPartner[:0], m.rDelta[:0], m.rFeat[:0]
	for _, e := range ids {
		r := c.row[e]
		if r < 0 || c.gen[e] == m.gen {
			continue
		}
		c.gen[e] = m.gen
		m.rIDs = append(m.rIDs, e)
		m.rOwn = append(m.rOwn, c.own[int(e)*D:(int(e)+1)*D]...)
		m.rPartner = append(m.rPartner, c.partner[int(e)*D:(int(e)+1)*D]...)
		m.rDelta = append(m.rDelta, delta[r])
		if m.nFeat > 0 {
			m.rFeat = append(m.rFeat, d.Feature(int(r))...)
		}
	}
	n := len(m.rIDs)
	if n == 0 {
		return
	}
	tp := m.tp
	in := []*ag.Tensor{tp.Input(n, D, m.rPartner), tp.Input(n, 1, m.rDelta)}
	if m.nFeat > 0 {
		in = append(in, tp.Input(n, m.nFeat, m.rFeat))
	}
	table.Write(m.rIDs, cell.Forward(tp, tp.Concat(in...), tp.Input(n, D, m.rOwn)))
}

// remember stores the inputs of a batch's updates (u and i before them) in the caches.
func (m *Model) remember(rows []int32, u, i *ag.Tensor) {
	D := m.cfg.Dim
	m.hostU = growF(m.hostU, u.Len())
	m.hostI = growF(m.hostI, i.Len())
	u.CopyTo(m.hostU)
	i.CopyTo(m.hostI)
	for k, r := range rows {
		us, is := m.hostU[k*D:(k+1)*D], m.hostI[k*D:(k+1)*D]
		ue, ie := int(m.uids[k]), int(m.iids[k])
		copy(m.uCache.own[ue*D:], us)
		copy(m.uCache.partner[ue*D:], is)
		m.uCache.row[ue], m.uCache.gen[ue] = r, m.gen
		copy(m.iCache.own[ie*D:], is)
		copy(m.iCache.partner[ie*D:], us)
		m.iCache.row[ie], m.iCache.gen[ie] = r, m.gen
	}
}
