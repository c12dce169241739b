package nn

import (
	"fmt"
	"sync/atomic"

	"github.com/tibench/tibench/internal/ag"
)

// Deferred dense Adam (RowsDeferred): catching rows up when they are read, all at once (Flush), and
// in the background while the caller computes a step (Ahead). See Adam for the method.

// aheadSweep is how many Ahead calls it takes the background sweep to visit every row once: each
// visit replays the ~aheadSweep steps a row sat out, in cache, so the sweep streams a table through
// memory aheadSweep times less often than dense Adam does, and a Flush at the end of an epoch finds
// every row at most ~aheadSweep steps behind.
const aheadSweep = 16

// aheadState is the background catch-up started by Ahead and joined by wait.
type aheadState struct {
	done   chan struct{}         // closed when the worker finishes; nil when none runs
	inNow  map[*ag.Tensor][]bool // rows the current step reads: the worker leaves them alone
	marked []RowReads            // whose Now rows are marked in inNow
	cursor map[*ag.Tensor]int    // where the sweep resumes
	row    [1]int32              // the worker's scratch
	cur    [1]int32

	// The rows of Next to bring up to step target: shared by the worker and the caller, who helps
	// when it reaches wait before the worker is done (claimed through next, one at a time).
	work                []aheadItem
	next                atomic.Int64
	target              int
	stepSize, sqrtBias2 []float64
	stamp               map[*ag.Tensor][]uint32 // stamp[p][r] == gen: row r is in work
	gen                 uint32
}

// aheadItem is one row of one deferred parameter (its index in Adam.ps) for the catch-up.
type aheadItem struct {
	param int
	row   int32
}

// claim advances the unclaimed rows of the shared work, with scratch row and cur, until none is
// left.
func (o *Adam) claim(row, cur *[1]int32) {
	a := &o.ahead
	for {
		k := int(a.next.Add(1)) - 1
		if k >= len(a.work) {
			return
		}
		it := a.work[k]
		o.advance(it.param, it.row, a.target, a.stepSize, a.sqrtBias2, row, cur)
	}
}

// RowReads names, for one sparse-gradient parameter under RowsDeferred, the rows the coming step
// reads (Now) and the rows the step after it will read (Next).
type RowReads struct {
	Param     *ag.Tensor
	Now, Next []int32
}

// Ahead starts bringing rows of deferred parameters up to the current step in a goroutine, while
// the caller runs the coming step on the other core: first the rows of Next (so that the step
// after finds them at most one step behind), then 1/aheadSweep of every table, round robin
// (OptimConfig.AheadSweep; none when negative). It
// never touches a row of Now, which the coming step reads and updates itself; a Gather of any other
// row, Step, Flush and everything that reads the optimiser's state wait for the goroutine first. It
// only ever applies steps already taken, so results are the same bits with or without it. A no-op
// for other modes.
func (o *Adam) Ahead(reads ...RowReads) {
	if o.cfg.SparseRows != RowsDeferred {
		return
	}
	o.wait()
	a := &o.ahead
	if a.inNow == nil {
		a.inNow, a.cursor = map[*ag.Tensor][]bool{}, map[*ag.Tensor]int{}
	}
	for _, rr := range reads {
		if _, ok := o.rowSteps[rr.Param]; !ok {
			panic(fmt.Sprintf("nn: Adam.Ahead on %v, which is no deferred sparse-gradient parameter of this optimiser", rr.Param))
		}
		marks := a.inNow[rr.Param]
		if marks == nil {
			marks = make([]bool, rr.Param.Rows())
			a.inNow[rr.Param] = marks
		}
		for _, r := range rr.Now {
			marks[r] = true
		}
	}
	a.marked = append(a.marked[:0], reads...)
	// The worker reads only what is captured here (and rows outside Now), so nothing it touches
	// changes under it: Step appends to stepSize only after wait.
	target := o.t
	stepSize, sqrtBias2 := o.stepSize[:target], o.sqrtBias2[:target]
	sweep := o.cfg.AheadSweep
	if sweep == 0 {
		sweep = aheadSweep
	}
	// The rows of Next behind, each once (two goroutines must not replay the same row).
	if a.stamp == nil {
		a.stamp = map[*ag.Tensor][]uint32{}
	}
	a.gen++
	a.work = a.work[:0]
	for _, rr := range a.marked {
		i, marks, steps := o.index(rr.Param), a.inNow[rr.Param], o.rowSteps[rr.Param]
		stamp := a.stamp[rr.Param]
		if stamp == nil {
			stamp = make([]uint32, rr.Param.Rows())
			a.stamp[rr.Param] = stamp
		}
		for _, r := range rr.Next {
			if !marks[r] && stamp[r] != a.gen && int(steps[r]) < target {
				stamp[r] = a.gen
				a.work = append(a.work, aheadItem{i, r})
			}
		}
	}
	a.next.Store(0)
	a.target, a.stepSize, a.sqrtBias2 = target, stepSize, sqrtBias2
	a.done = make(chan struct{})
	go func() {
		defer close(a.done)
		o.claim(&a.row, &a.cur)
		for i, p := range o.ps {
			steps, ok := o.rowSteps[p]
			if !ok || sweep < 0 {
				continue
			}
			marks, stamp := a.inNow[p], a.stamp[p]
			r := a.cursor[p]
			for range (len(steps) + sweep - 1) / sweep {
				// Rows of Now are the step's; rows of the shared work may be the caller's.
				if (marks == nil || !marks[r]) && (stamp == nil || stamp[r] != a.gen) {
					o.advance(i, int32(r), target, stepSize, sqrtBias2, &a.row, &a.cur)
				}
				if r++; r == len(steps) {
					r = 0
				}
			}
			a.cursor[p] = r
		}
	}()
}

// wait joins the background catch-up, if one runs, and clears its marks. Rows of Next the worker
// has not started yet it replays itself meanwhile (the same replay, whichever goroutine runs it).
func (o *Adam) wait() {
	a := &o.ahead
	if a.done == nil {
		return
	}
	o.claim(&o.row, &o.cur)
	<-a.done
	a.done = nil
	for _, rr := range a.marked {
		marks := a.inNow[rr.Param]
		for _, r := range rr.Now {
			marks[r] = false
		}
	}
	a.marked = a.marked[:0]
}

// index is the position of p in the optimiser's parameters.
func (o *Adam) index(p *ag.Tensor) int {
	for i, q := range o.ps {
		if q == p {
			return i
		}
	}
	panic("nn: Adam: " + p.String() + " is none of its parameters")
}

// advance replays the steps row r of parameter i missed, up to step target.
func (o *Adam) advance(i int, r int32, target int, stepSize, sqrtBias2 []float64, row, cur *[1]int32) {
	p := o.ps[i]
	steps := o.rowSteps[p]
	if int(steps[r]) >= target {
		return
	}
	c := o.cfg
	row[0], cur[0] = r, steps[r]
	p.Backend().AdamCatchUpRows(p.Cols(), row[:], cur[:], p.Storage(), o.m[i], o.v[i], c.Beta1, c.Beta2, c.Eps, c.WeightDecay,
		stepSize[:target], sqrtBias2[:target])
	steps[r] = int32(target)
}

// catchUp brings rows of parameter i up to the current step before they are read (the Gather hook).
// A row the background worker may be replaying (any row outside the current step's Now) waits for
// it first.
// The rows behind are replayed in one call.
func (o *Adam) catchUp(i int, rows []int32) {
	p := o.ps[i]
	steps := o.rowSteps[p]
	marks := o.ahead.inNow[p]
	o.behind, o.behindAt = o.behind[:0], o.behindAt[:0]
	for _, r := range rows {
		if o.ahead.done != nil && (marks == nil || !marks[r]) {
			o.wait()
			marks = nil
		}
		if int(steps[r]) < o.t {
			o.behind, o.behindAt = append(o.behind, r), append(o.behindAt, steps[r])
			steps[r] = int32(o.t) // a repeated row is replayed once
		}
	}
	if len(o.behind) > 0 {
		c := o.cfg
		p.Backend().AdamCatchUpRows(p.Cols(), o.behind, o.behindAt, p.Storage(), o.m[i], o.v[i], c.Beta1, c.Beta2, c.Eps, c.WeightDecay,
			o.stepSize[:o.t], o.sqrtBias2[:o.t])
	}
}

// Flush brings every row of every deferred parameter up to the current step; a no-op for other
// modes. Call it before reading deferred parameters other than through Gather (saving them,
// inspecting them, comparing with dense Adam).
func (o *Adam) Flush() {
	if o.cfg.SparseRows != RowsDeferred {
		return
	}
	o.wait()
	for i, p := range o.ps {
		if steps, ok := o.rowSteps[p]; ok {
			for r := range steps {
				o.advance(i, int32(r), o.t, o.stepSize, o.sqrtBias2, &o.row, &o.cur)
			}
		}
	}
}
