package nn

import (
	"fmt"

	"github.com/tibench/tibench/internal/ag"
)

// StateTable holds one state vector per entity — JODIE's dynamic user or item embeddings — and lets
// a model read and overwrite rows inside a backpropagation window while keeping their history.
//
// Values always holds the current vector of every row. A row written in the current window also
// remembers the tape tensor row that produced it, so a later Read in the same window returns that
// row with its autodiff history (gradient flows back through earlier t-batches, as PyTorch's in-place
// index assignment does in the original code). Detach ends the window: afterwards rows are read from
// Values as constants (truncated backpropagation).
type StateTable struct {
	Values *ag.Tensor // n×dim, no gradient

	refs    []ag.RowRef // per row: where its current value lives; T == nil means Values itself
	written []bool      // row was written in this window (refs points into a tape)
	touched []int32     // the written rows, to detach in O(touched)
	buf     []ag.RowRef // scratch for Read
}

// NewStateTable returns an n×dim table of zeros.
func NewStateTable(be ag.Backend, name string, n, dim int) *StateTable {
	return &StateTable{Values: ag.NewConst(be, name, n, dim), refs: make([]ag.RowRef, n), written: make([]bool, n)}
}

// Rows is the number of entities; Dim the state width.
func (s *StateTable) Rows() int { return s.Values.Rows() }

// Dim is the width of a state vector.
func (s *StateTable) Dim() int { return s.Values.Cols() }

// Read returns the states of ids (len(ids)×Dim), with history for rows written in this window.
func (s *StateTable) Read(tp *ag.Tape, ids []int32) *ag.Tensor {
	s.buf = s.buf[:0]
	for _, id := range ids {
		r := s.refs[id]
		if r.T == nil {
			r = ag.RowRef{T: s.Values, Row: id}
		}
		s.buf = append(s.buf, r)
	}
	return tp.GatherRefs(s.buf)
}

// Write stores row k of v as the new state of ids[k]. v must stay valid (its tape not Reset) until
// Detach. With repeated ids the last row wins; t-Batch never repeats an id within a batch.
func (s *StateTable) Write(ids []int32, v *ag.Tensor) {
	if v.Rows() != len(ids) || v.Cols() != s.Dim() {
		panic(fmt.Sprintf("nn: StateTable.Write of %v for %d ids of width %d", v, len(ids), s.Dim()))
	}
	be := s.Values.Backend()
	for k, id := range ids {
		be.CopyRow(s.Dim(), v.Storage(), k, s.Values.Storage(), int(id), false)
		if !s.written[id] {
			s.written[id] = true
			s.touched = append(s.touched, id)
		}
		s.refs[id] = ag.RowRef{T: v, Row: int32(k)}
	}
}

// Detach ends the backpropagation window: every row is read from Values, without history, until
// written again.
func (s *StateTable) Detach() {
	for _, id := range s.touched {
		s.refs[id] = ag.RowRef{}
		s.written[id] = false
	}
	s.touched = s.touched[:0]
}

// Fill sets every row to row 0 of init (1×Dim) and detaches. When init is a parameter (a learned
// initial state), rows keep a reference to it until first written, so the gradient of a first
// interaction reaches the initial vector. Values then holds init's value as of this call; Read
// returns the parameter's current value for rows not yet written.
func (s *StateTable) Fill(init *ag.Tensor) {
	if init.Rows() != 1 || init.Cols() != s.Dim() {
		panic(fmt.Sprintf("nn: StateTable.Fill with %v, want 1×%d", init, s.Dim()))
	}
	s.Detach()
	be := s.Values.Backend()
	for i := range s.Rows() {
		be.CopyRow(s.Dim(), init.Storage(), 0, s.Values.Storage(), i, false)
	}
	if init.RequiresGrad() {
		for i := range s.refs {
			s.refs[i] = ag.RowRef{T: init, Row: 0}
		}
	}
}

// DetachInitial makes the rows that still read the learned initial state (not written since Fill)
// read the value it had at Fill, as a constant: no more gradient reaches the initial state through
// them, and later updates of the parameter no longer show. This is the original JODIE code, whose
// table is initial.repeat(n, 1) and is detach_()ed after the first window of each epoch. Rows
// written in the current window keep their history.
func (s *StateTable) DetachInitial() {
	for i, r := range s.refs {
		if r.T != nil && !s.written[i] {
			s.refs[i] = ag.RowRef{}
		}
	}
}

// SaveRefs copies, outside a window, where every row's value lives — Values, or the learned initial
// state it was filled from and has not been written since — into dst (reused when large enough).
// A caller that saves and later restores Values (an evaluation that must leave the model as it
// found it) restores these too with RestoreRefs; otherwise rows written in between would stop
// following the initial state.
func (s *StateTable) SaveRefs(dst []ag.RowRef) []ag.RowRef {
	if len(s.touched) > 0 {
		panic("nn: StateTable.SaveRefs inside a window (Detach first)")
	}
	if cap(dst) < len(s.refs) {
		dst = make([]ag.RowRef, len(s.refs))
	}
	dst = dst[:len(s.refs)]
	copy(dst, s.refs)
	return dst
}

// RestoreRefs makes every row's value live where SaveRefs found it. It detaches first.
func (s *StateTable) RestoreRefs(src []ag.RowRef) {
	if len(src) != len(s.refs) {
		panic(fmt.Sprintf("nn: StateTable.RestoreRefs of %d rows for a table of %d", len(src), len(s.refs)))
	}
	s.Detach()
	copy(s.refs, src)
}
