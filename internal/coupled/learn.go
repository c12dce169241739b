package coupled

import (
	"errors"
	"fmt"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// LossSum adds up the losses of one backpropagation step (the t-batches of a window in training,
// the evaluated interactions of a window under the online protocol) on one tape.
type LossSum struct {
	tp    *ag.Tape
	total *ag.Tensor
}

// NewLossSum starts an empty sum on tp.
func NewLossSum(tp *ag.Tape) LossSum { return LossSum{tp: tp} }

// Add adds l (a 1×1 loss) to the sum.
func (s *LossSum) Add(l *ag.Tensor) {
	if s.total == nil {
		s.total = l
		return
	}
	s.total = s.tp.Add(s.total, l)
}

// Total is the sum so far (nil when nothing was added).
func (s *LossSum) Total() *ag.Tensor { return s.total }

// Reset empties the sum (the next window).
func (s *LossSum) Reset() { s.total = nil }

// Learn backpropagates a step's loss through tp and takes one optimiser step. A loss that is not
// finite is bench.ErrNotFinite. With emptyOK, a loss that reaches no parameter (ag.ErrNoGraph: a
// window whose every interaction read states from earlier windows only) is no step rather than an
// error.
func Learn(tp *ag.Tape, loss *ag.Tensor, opt nn.Optimizer, emptyOK bool) error {
	if err := tp.Backward(loss); err != nil {
		if emptyOK && errors.Is(err, ag.ErrNoGraph) {
			return nil
		}
		if errors.Is(err, ag.ErrNonFinite) {
			return fmt.Errorf("%w: %v", bench.ErrNotFinite, err)
		}
		return err
	}
	opt.Step()
	opt.ZeroGrad()
	return nil
}

// OnlineWindows is the online protocol's rule for optimiser steps during evaluation, the original
// JODIE code's: a window closes at the first evaluated interaction more than Len after the window's
// start, which then starts the next window.
type OnlineWindows struct {
	Len   float64 // the window length (Plan.WindowLen)
	start float64
}

// Start begins the first window at time t (the first evaluated interaction's).
func (w *OnlineWindows) Start(t float64) { w.start = t }

// Closes reports whether the interaction at time t closes the current window, and if so starts the
// next one at t.
func (w *OnlineWindows) Closes(t float64) bool {
	if t-w.start > w.Len {
		w.start = t
		return true
	}
	return false
}
