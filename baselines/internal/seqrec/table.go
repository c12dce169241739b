package seqrec

import (
	"fmt"

	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Table is one recurrent state per entity — a user's [h | c], an item's hidden vector — with the
// learned initial state of an entity that has no history yet. Inside a backpropagation window the
// rows written earlier carry their autodiff history (nn.StateTable); rows never written read Init
// itself, so the first interaction of every user trains the initial state.
type Table struct {
	*nn.StateTable
	// Init is the 1×Dim state of an entity with no history, a parameter. The engine adds it to
	// the optimised parameters; a net must not list it in its own Params.
	Init *ag.Tensor
	// ByItem says the rows are items, written for Batch.Items; otherwise they are users.
	ByItem bool

	fresh []bool // rows not written since the last reset
}

// NewTable returns a table of rows states of width dim, all at a zero initial state.
func NewTable(be ag.Backend, name string, rows, dim int, byItem bool) *Table {
	return &Table{StateTable: nn.NewStateTable(be, name, rows, dim), Init: ag.NewParam(be, name+".init", 1, dim),
		ByItem: byItem, fresh: make([]bool, rows)}
}

// reset puts every row back to the initial state (the start of an epoch).
func (t *Table) reset() {
	t.Fill(t.Init)
	for i := range t.fresh {
		t.fresh[i] = true
	}
}

// written records that the net wrote the rows of b that belong to this table.
func (t *Table) written(b *Batch) {
	ids := b.Users
	if t.ByItem {
		ids = b.Items
	}
	for _, id := range ids {
		t.fresh[id] = false
	}
}

// snapshot is a table's contents outside any window: the values of the rows written since the
// last reset (the others are at Init).
type snapshot struct {
	ids  []int32
	vals *ag.Tensor // len(ids)×Dim, constant
}

// snap copies the written rows. It must be called outside a window (after Detach).
func (t *Table) snap() snapshot {
	var s snapshot
	for i, f := range t.fresh {
		if !f {
			s.ids = append(s.ids, int32(i))
		}
	}
	if len(s.ids) == 0 {
		return s
	}
	be := t.Values.Backend()
	s.vals = ag.NewConst(be, t.Values.Name+".snapshot", len(s.ids), t.Dim())
	for k, id := range s.ids {
		be.CopyRow(t.Dim(), t.Values.Storage(), int(id), s.vals.Storage(), k, false)
	}
	return s
}

// restore makes the table hold s again: its rows at their snapshot values, every other row at
// the current Init, all without history.
func (t *Table) restore(s snapshot) {
	t.reset()
	if len(s.ids) == 0 {
		return
	}
	if s.vals.Cols() != t.Dim() {
		panic(fmt.Sprintf("seqrec: restoring %v into a table of width %d", s.vals, t.Dim()))
	}
	t.Write(s.ids, s.vals)
	t.Detach()
	for _, id := range s.ids {
		t.fresh[id] = false
	}
}
