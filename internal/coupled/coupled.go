// Package coupled is the machinery shared by the coupled user/item recurrent models — JODIE
// (models/jodie) and DeepCoevolve (baselines/deepcoevolve) — whose states live in two
// nn.StateTables and are trained with truncated backpropagation over t-Batch windows:
//
//   - Plan cuts the training part into windows of span/Windows (the original JODIE code's rule),
//     their t-batches (or one interaction per batch: the t-Batch-off arm of the speed-up
//     measurement), and the backpropagation steps that bound one step's autodiff graph;
//   - Saved keeps the end-of-training state tables (values and where each row's value lives) and,
//     under the online protocol, the parameters and optimiser state, so that an evaluation that
//     updates them leaves the model as it found it.
//
// It sits at the models layer, beside the packages that use it: it imports the protocol
// (bench, bench/tbatch) and the engine, never a model, the pipeline or the report. It is a
// top-level internal package because its two users live under models/ and baselines/, and Go's
// internal rule would hide a package under either from the other.
package coupled

import (
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/tbatch"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// WindowConfig chooses how the training part is cut into windows and t-batches.
type WindowConfig struct {
	// Windows is the number of windows over the whole dataset's time span (window length =
	// span / Windows, taken from all the data as the original code does, applied to the training part).
	Windows int
	// Grid places fixed window boundaries; otherwise the rolling rule (a window closes at the first
	// interaction past its length: the original code).
	Grid bool
	// SkipLast drops the training interactions after the last window the rolling rule closes (the
	// original JODIE code never trains them). Ignored with Grid.
	SkipLast bool
	// Sequential puts one interaction per batch (same windows): t-Batch off.
	Sequential bool
	// MaxInteractions bounds the interactions of one backpropagation step (see BackpropSteps) and of
	// one t-batch (tbatch.SplitLarger).
	MaxInteractions int
}

// Plan is the training epoch's schedule.
type Plan struct {
	// Batches are the t-batches, grouped into windows.
	Batches *tbatch.Batches
	// Steps holds the t-batch index where each backpropagation step starts, then the end: step s
	// runs t-batches [Steps[s], Steps[s+1]).
	Steps []int
	// WindowLen is the window length in the data's time unit (0 when every interaction is at one
	// instant: then there is one window). Online evaluation takes one optimiser step per window of
	// this length, as training does.
	WindowLen float64
}

// PlanWindows computes the schedule of d's training part.
func PlanWindows(d *bench.Data, c WindowConfig) (Plan, error) {
	span := d.Times[d.Len()-1] - d.Times[0]
	p := Plan{WindowLen: span / float64(c.Windows)}
	opt := tbatch.WindowOptions{Length: p.WindowLen, Rule: tbatch.Rolling}
	if c.Grid {
		opt.Rule = tbatch.Grid
	}
	if p.WindowLen == 0 { // all interactions at one instant: one window
		opt = tbatch.WindowOptions{NumWindows: 1}
	}
	n := d.Split.TrainEnd
	if c.SkipLast && opt.Rule == tbatch.Rolling && p.WindowLen > 0 {
		n = ClosedPrefix(d.Times[:n], p.WindowLen)
	}
	b, err := tbatch.ComputeWindowed(d.Users[:n], d.Items[:n], d.Times[:n], opt)
	if err != nil {
		return Plan{}, err
	}
	if c.Sequential {
		b = b.Sequential()
	}
	p.Batches = b.SplitLarger(c.MaxInteractions)
	p.Steps = BackpropSteps(b, c.MaxInteractions)
	return p, nil
}

// ClosedPrefix is how many of the training interactions the original JODIE code trains: those up
// to the last window the rolling rule closes (jodie.py processes its t-batches when an
// interaction's time exceeds the window's start by more than the window length, and never after
// its loop ends). When no window closes at all — a single window over the training span — the
// original would train nothing; every interaction is kept then.
func ClosedPrefix(times []float64, length float64) int {
	if len(times) == 0 {
		return 0
	}
	end, start := 0, times[0]
	for j, t := range times {
		if t-start > length {
			end, start = j+1, t
		}
	}
	if end == 0 {
		return len(times)
	}
	return end
}

// BackpropSteps cuts each window's t-batches into steps of at most max interactions (a step always
// holds at least one t-batch), returning the t-batch index where each step starts, then the end.
func BackpropSteps(b *tbatch.Batches, max int) []int {
	steps := []int{0}
	for w := 0; w < b.NumWindows(); w++ {
		first, end := b.Window(w)
		n := 0
		for k := first; k < end; k++ {
			size := len(b.Batch(k))
			if n > 0 && n+size > max {
				steps = append(steps, k)
				n = 0
			}
			n += size
		}
		steps = append(steps, end)
	}
	return steps
}

// Saved holds what an evaluation saves before it streams (and updates) the states, and restores
// after. Its buffers are reused from one Save to the next.
type Saved struct {
	be                 ag.Backend
	users, items       *nn.StateTable
	userVals, itemVals ag.Storage  // the tables' values
	userRefs, itemRefs []ag.RowRef // where their rows' values live (nn.StateTable.SaveRefs)
	online             bool
	params             nn.Snapshot // parameters and optimiser state (online only)
}

// Save copies the two state tables and, when online (the evaluation trains), the parameters and the
// optimiser's state. It ends the tables' backpropagation window (Detach): rows never written since
// the tables were filled keep reading the learned initial states, and Restore makes them do so
// again, not only restores their old values.
func (s *Saved) Save(be ag.Backend, users, items *nn.StateTable, online bool, params nn.Params, opt nn.Optimizer) {
	s.be, s.users, s.items, s.online = be, users, items, online
	s.userVals = be.Resize(s.userVals, users.Values.Len())
	s.itemVals = be.Resize(s.itemVals, items.Values.Len())
	be.Copy(s.userVals, users.Values.Storage())
	be.Copy(s.itemVals, items.Values.Storage())
	if online {
		s.params.Take(params, opt)
	}
	users.Detach()
	items.Detach()
	s.userRefs = users.SaveRefs(s.userRefs)
	s.itemRefs = items.SaveRefs(s.itemRefs)
}

// Restore puts back what the last Save copied. The caller resets its tape first (the tables'
// rows must not point into a tape about to be reused).
func (s *Saved) Restore() {
	s.be.Copy(s.users.Values.Storage(), s.userVals)
	s.be.Copy(s.items.Values.Storage(), s.itemVals)
	s.users.RestoreRefs(s.userRefs)
	s.items.RestoreRefs(s.itemRefs)
	if s.online {
		s.params.Restore()
	}
}
