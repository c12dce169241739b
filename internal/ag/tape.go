package ag

import (
	"errors"
	"fmt"
	"math"
)

// Tape records ops as they run (define-by-run) so Backward can replay them in reverse. It is also
// the arena of every tensor it creates: Reset recycles their memory for the next step. A step that
// creates the same shapes as an earlier one allocates nothing, and steps of varying shape (t-batches
// of different sizes) stop allocating once the arena has grown to the largest recent step.
//
// A Tape and its Backend are used by one goroutine at a time.
type Tape struct {
	be        Backend
	recording bool

	nodes []node

	tensors []*Tensor // recycled tensor headers
	nt      int
	mem     arena // storage of values and gradients

	ints  []int32   // arena for copied index slices
	refs  []RowRef  // arena for copied row references
	lists []*Tensor // arena for Concat inputs
	f32s  []float32 // arena for copied class weights

	segViews [5]Storage // reused view headers of the segment ops
}

// NewTape returns a recording tape on be.
func NewTape(be Backend) *Tape { return &Tape{be: be, recording: true, mem: arena{be: be}} }

// Backend returns the tape's backend.
func (tp *Tape) Backend() Backend { return tp.be }

// SetGrad turns recording on or off and returns the previous setting. With recording off (inference,
// "no grad" mode) ops compute values only: no nodes are kept and no gradient can be taken.
func (tp *Tape) SetGrad(on bool) (was bool) {
	was, tp.recording = tp.recording, on
	return was
}

// Recording reports whether ops are being recorded for Backward.
func (tp *Tape) Recording() bool { return tp.recording }

// Reset forgets the recorded ops and recycles the memory of every tensor the tape created.
// Parameters keep their accumulated gradients.
func (tp *Tape) Reset() {
	for i := range tp.nodes {
		tp.nodes[i] = node{}
	}
	tp.nodes = tp.nodes[:0]
	if tp.mem.reset() {
		// Recycled tensor headers still point at views of the released slabs (the other arenas
		// reach the slabs only through these headers).
		for _, t := range tp.tensors {
			*t = Tensor{}
		}
	}
	tp.nt = 0
	tp.ints, tp.refs, tp.lists, tp.f32s = tp.ints[:0], tp.refs[:0], tp.lists[:0], tp.f32s[:0]
}

// NumNodes is the number of ops recorded since the last Reset.
func (tp *Tape) NumNodes() int { return len(tp.nodes) }

// newTensor returns a recycled rows×cols tape tensor with unspecified contents.
func (tp *Tape) newTensor(rows, cols int) *Tensor {
	checkShape(rows, cols)
	if tp.nt == len(tp.tensors) {
		tp.tensors = append(tp.tensors, &Tensor{})
	}
	t := tp.tensors[tp.nt]
	tp.nt++
	*t = Tensor{rows: rows, cols: cols, be: tp.be, val: tp.newStorage(rows * cols)}
	return t
}

// newStorage returns n elements (contents unspecified) from the arena.
func (tp *Tape) newStorage(n int) Storage { return tp.mem.alloc(n) }

// gradOf returns t's gradient storage, creating it zeroed on first use in this step.
func (tp *Tape) gradOf(t *Tensor) Storage {
	if t.grad == nil {
		t.grad = tp.newStorage(t.Len())
		tp.be.Zero(t.grad)
	}
	return t.grad
}

func (tp *Tape) copyInts(idx []int32) []int32 {
	start := len(tp.ints)
	tp.ints = append(tp.ints, idx...)
	return tp.ints[start:len(tp.ints):len(tp.ints)]
}

func (tp *Tape) copyF32s(w []float32) []float32 {
	if w == nil {
		return nil
	}
	start := len(tp.f32s)
	tp.f32s = append(tp.f32s, w...)
	return tp.f32s[start:len(tp.f32s):len(tp.f32s)]
}

// Input creates a rows×cols tape tensor holding data (no gradient). data is copied.
func (tp *Tape) Input(rows, cols int, data []float32) *Tensor {
	t := tp.newTensor(rows, cols)
	t.CopyFrom(data)
	return t
}

// Input64 is Input from float64 values (exact on the float64 backend).
func (tp *Tape) Input64(rows, cols int, data []float64) *Tensor {
	t := tp.newTensor(rows, cols)
	t.CopyFrom64(data)
	return t
}

// Full creates a rows×cols tape tensor filled with v (no gradient).
func (tp *Tape) Full(rows, cols int, v float64) *Tensor {
	t := tp.newTensor(rows, cols)
	tp.be.Fill(t.val, v)
	return t
}

// Zeros creates a rows×cols tape tensor of zeros (no gradient).
func (tp *Tape) Zeros(rows, cols int) *Tensor { return tp.Full(rows, cols, 0) }

// ErrNotScalar is returned by Backward for a loss that is not 1×1.
var ErrNotScalar = errors.New("ag: Backward needs a 1×1 loss")

// ErrNonFinite is returned by Backward when the loss is NaN or ±Inf: stepping on it would destroy
// the parameters, so the caller must stop (and say where).
var ErrNonFinite = errors.New("ag: loss is not finite")

// ErrNoGraph is returned by Backward when the loss does not depend on any parameter.
var ErrNoGraph = errors.New("ag: loss does not depend on any parameter (or the tape was not recording)")

// Backward accumulates d(loss)/d(p) into the gradient of every parameter p the loss depends on.
// It may be called once per recorded graph; call Reset before recording the next step.
func (tp *Tape) Backward(loss *Tensor) error {
	if loss.rows != 1 || loss.cols != 1 {
		return fmt.Errorf("%w, got %v", ErrNotScalar, loss)
	}
	if v := loss.Scalar(); math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w (%v)", ErrNonFinite, v)
	}
	if !loss.needGrad {
		return ErrNoGraph
	}
	tp.be.Fill(tp.gradOf(loss), 1)
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := &tp.nodes[i]
		if n.out.grad == nil {
			continue // no gradient reached this op
		}
		tp.backward(n)
	}
	return nil
}

// want reports whether gradient must be propagated into t, and returns its gradient storage.
func (tp *Tape) want(t *Tensor) Storage {
	if t == nil || !t.needGrad {
		return nil
	}
	if t.param {
		if t.sparse {
			t.touchAll()
		}
		return t.grad
	}
	return tp.gradOf(t)
}

// record appends a node for out if any input needs a gradient and the tape is recording.
func (tp *Tape) record(n node, inputs ...*Tensor) {
	if !tp.recording {
		return
	}
	for _, in := range inputs {
		if in != nil && in.needGrad {
			n.out.needGrad = true
			tp.nodes = append(tp.nodes, n)
			return
		}
	}
}
