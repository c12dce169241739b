package seqrec

import (
	"math"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
)

// Inputs says which context columns a net receives besides item and user ids.
type Inputs struct {
	DeltaT   bool // z-scored time since the entity's previous interaction (1 column)
	Clock    bool // sin/cos of the time of day and of the day of week (ClockWidth columns)
	Features int  // interaction features per row; 0 when unused or absent
}

// ClockWidth is the number of clock columns: sin and cos of 2πt/day and of 2πt/week.
const ClockWidth = 4

// EventWidth is the width of Batch.Event: [Δt_user?, clock?, features?], the context of an
// interaction once it is revealed.
func (in Inputs) EventWidth() int { return in.QueryWidth() + in.Features }

// QueryWidth is the width of Batch.Query: [Δt_user?, clock?], what is known about an interaction
// when its item is predicted (its time, hence the time since the user's previous one), but not
// its features.
func (in Inputs) QueryWidth() int {
	w := 0
	if in.DeltaT {
		w++
	}
	if in.Clock {
		w += ClockWidth
	}
	return w
}

// ItemEventWidth is the width of Batch.ItemEvent: [Δt_item?, features?], an interaction's context
// seen from its item (rrn's item recurrence).
func (in Inputs) ItemEventWidth() int {
	w := in.Features
	if in.DeltaT {
		w++
	}
	return w
}

// Batch is one step: interactions of distinct users (and distinct items on a coupled schedule),
// each the next one of its user. Its slices are reused from step to step; a net must not keep them.
type Batch struct {
	Rows  []int32 // dataset row indices
	Users []int32
	Items []int32
	// WantLogits asks Step for the item scores (training, online evaluation, next-item ranking);
	// WantEmb for the user embeddings after the step (the state-change read-out).
	WantLogits, WantEmb bool

	in                      Inputs
	event, query, itemEvent []float32
	deltaUser               []float32
}

// Len is the number of interactions in the batch.
func (b *Batch) Len() int { return len(b.Rows) }

// Inputs reports the context columns of the batch.
func (b *Batch) Inputs() Inputs { return b.in }

// Event returns the revealed interactions' context, Len()×EventWidth, or nil when that is empty.
func (b *Batch) Event(tp *ag.Tape) *ag.Tensor { return input(tp, b.Len(), b.in.EventWidth(), b.event) }

// Query returns the context known before the items are revealed, Len()×QueryWidth, or nil.
func (b *Batch) Query(tp *ag.Tape) *ag.Tensor { return input(tp, b.Len(), b.in.QueryWidth(), b.query) }

// ItemEvent returns the interactions' context seen from the items, Len()×ItemEventWidth, or nil.
func (b *Batch) ItemEvent(tp *ag.Tape) *ag.Tensor {
	return input(tp, b.Len(), b.in.ItemEventWidth(), b.itemEvent)
}

// DeltaUser returns the z-scored time since each user's previous interaction, Len()×1, whatever
// Inputs.DeltaT says (Time-LSTM's gates are built on it).
func (b *Batch) DeltaUser(tp *ag.Tape) *ag.Tensor { return tp.Input(b.Len(), 1, b.deltaUser) }

func input(tp *ag.Tape, rows, cols int, v []float32) *ag.Tensor {
	if cols == 0 {
		return nil
	}
	return tp.Input(rows, cols, v[:rows*cols])
}

// fill loads rows into b, reusing its buffers.
func (b *Batch) fill(d *bench.Data, in Inputs, rows []int32, wantLogits, wantEmb bool) {
	n := len(rows)
	b.Rows, b.in, b.WantLogits, b.WantEmb = rows, in, wantLogits, wantEmb
	b.Users, b.Items = b.Users[:0], b.Items[:0]
	b.event = grow(b.event, n*in.EventWidth())
	b.query = grow(b.query, n*in.QueryWidth())
	b.itemEvent = grow(b.itemEvent, n*in.ItemEventWidth())
	b.deltaUser = grow(b.deltaUser, n)
	ev, q, ie := b.event, b.query, b.itemEvent
	for k, r := range rows {
		b.Users = append(b.Users, d.Users[r])
		b.Items = append(b.Items, d.Items[r])
		du := d.Time.DeltaUser[r]
		b.deltaUser[k] = du
		if in.DeltaT {
			q[0], ev[0], ie[0] = du, du, d.Time.DeltaItem[r]
			q, ev, ie = q[1:], ev[1:], ie[1:]
		}
		if in.Clock {
			clock(d.Times[r], q)
			copy(ev, q[:ClockWidth])
			q, ev = q[ClockWidth:], ev[ClockWidth:]
		}
		if in.Features > 0 {
			f := d.Feature(int(r))
			copy(ev, f)
			copy(ie, f)
			ev, ie = ev[in.Features:], ie[in.Features:]
		}
	}
}

// clock writes sin/cos of the time of day and of the day of week of t (seconds) into dst. Times
// are relative to the first interaction, so the phase is arbitrary; a linear layer learns it.
func clock(t float64, dst []float32) {
	const day, week = 86400, 7 * 86400
	sd, cd := math.Sincos(2 * math.Pi * math.Mod(t, day) / day)
	sw, cw := math.Sincos(2 * math.Pi * math.Mod(t, week) / week)
	dst[0], dst[1], dst[2], dst[3] = float32(sd), float32(cd), float32(sw), float32(cw)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
