package ag

import (
	"runtime"
	"sync/atomic"
	"time"
)

// crew is a backend's persistent helper goroutines, which run parts of one op (bands of a matrix
// product, chunks of a split op) beside the calling goroutine.
//
// Helpers and caller hand work over through atomics and spin briefly instead of parking at once.
// A session model runs thousands of small products per mini-batch, tens of µs each; on this
// project's machines (KVM guests) waking a parked thread costs about as much, and a channel send
// plus a WaitGroup wait paid it twice per product: 100×100×100 took 39–52 µs on two workers
// against 32–35 µs on one, and 1000×100×100 took 312–348 µs against 268–307 µs
// (BenchmarkCrewGemm). A helper that finds no work for idleWait parks, so an idle backend costs
// nothing.
//
// A part is claimed before it runs, by its helper or by the caller: a caller done with its own
// part runs the parts no helper has claimed yet (a helper parked, or descheduled by another
// process on a busy machine) instead of waiting for them, and parks only for a part that a
// helper is running.
//
// A crew serves one caller at a time, as the backend's other scratch does: a backend's ops are
// driven by one goroutine (nn.Adam's background catch-up calls only AdamCatchUpRows, which splits
// nothing). begin panics on a second caller rather than letting two ops share the helpers.
type crew struct {
	helpers []*helper
	busy    atomic.Bool
}

// begin marks the crew busy for an op that posts to it; end releases it.
func (c *crew) begin() {
	if !c.busy.CompareAndSwap(false, true) {
		panic("ag: two goroutines ran split ops or products on one CPU backend at once")
	}
}

func (c *crew) end() { c.busy.Store(false) }

// crewJob is one helper's part of an op. Jobs are preallocated values owned by the op, so posting
// one allocates nothing.
type crewJob interface{ run() }

// helper is one persistent goroutine. posted, claimed and finished count jobs: the caller posts
// job n by storing it and raising posted to n; whoever raises claimed from n−1 to n runs it and
// raises finished to n.
type helper struct {
	job      crewJob
	posted   atomic.Uint64
	claimed  atomic.Uint64
	finished atomic.Uint64
	parked   atomic.Bool   // the helper waits on wake
	waiting  atomic.Bool   // the caller waits on done
	wake     chan struct{} // to the helper: a job is posted
	done     chan struct{} // to the caller: the job is finished
	_        [64]byte      // keep helpers' counters on their own cache lines
}

// idleWait is how long a helper polls for its next job before it parks: longer than a VM's
// wake-up, short enough that an idle backend soon stops spinning. finishWait is how long a caller
// polls for a part a helper is running before it parks. Polls are plain atomic loads
// (runtime.Gosched would take the scheduler's lock at every poll), with the clock read every
// pollsPerClock of them; a helper also yields its P every pollsPerYield (see poll).
const (
	idleWait      = 100 * time.Microsecond
	finishWait    = 50 * time.Microsecond
	pollsPerClock = 256
	pollsPerYield = 16 * pollsPerClock
)

func newCrew(helpers int) *crew {
	c := &crew{}
	for range max(helpers, 0) {
		h := &helper{wake: make(chan struct{}, 1), done: make(chan struct{}, 1)}
		c.helpers = append(c.helpers, h)
		go h.loop()
	}
	return c
}

// poll calls ready until it reports true or, checking the clock every pollsPerClock calls, until
// limit has passed; it reports whether ready did. With yield it also calls runtime.Gosched every
// pollsPerYield calls, so that a goroutine waiting for this P (the CTR engine's Adam catch-up,
// which runs beside the step) gets it within µs instead of at the next preemption, 10 ms on.
func poll(limit time.Duration, yield bool, ready func() bool) bool {
	var since time.Time
	for polls := 1; !ready(); polls++ {
		if polls%pollsPerClock != 0 {
			continue
		}
		if yield && polls%pollsPerYield == 0 {
			runtime.Gosched()
		}
		if since.IsZero() {
			since = time.Now()
		} else if time.Since(since) >= limit {
			return false
		}
	}
	return true
}

// sleep blocks on ch until ready reports true, with flag raised. The other side raises its counter
// before it reads flag, and ready is checked after flag is raised (both sequentially consistent),
// so a wake-up is never lost; a stale token only costs one more check.
func sleep(flag *atomic.Bool, ch chan struct{}, ready func() bool) {
	flag.Store(true)
	for !ready() {
		<-ch
	}
	flag.Store(false)
}

// signal leaves a token on ch if the other side is, or is about to be, blocked on it.
func signal(flag *atomic.Bool, ch chan struct{}) {
	if flag.Load() {
		select {
		case ch <- struct{}{}:
		default: // a token is already there
		}
	}
}

func (h *helper) loop() {
	var seen uint64
	posted := func() bool { return h.posted.Load() != seen }
	for {
		if !poll(idleWait, true, posted) {
			sleep(&h.parked, h.wake, posted)
		}
		seen++
		if h.claimed.CompareAndSwap(seen-1, seen) {
			h.finish(seen)
		}
	}
}

// finish runs job n (claimed) and reports it finished.
func (h *helper) finish(n uint64) {
	h.job.run()
	h.job = nil // hold no op's memory between jobs
	h.finished.Store(n)
	signal(&h.waiting, h.done)
}

// post hands job to helper i, which must have finished its previous job (wait).
func (c *crew) post(i int, job crewJob) {
	h := c.helpers[i]
	h.job = job
	h.posted.Add(1)
	signal(&h.parked, h.wake)
}

// wait returns when the jobs posted to helpers 0..n−1 are finished: it runs those that no
// helper has claimed and waits for the others.
func (c *crew) wait(n int) {
	for _, h := range c.helpers[:n] {
		want := h.posted.Load()
		if h.claimed.CompareAndSwap(want-1, want) {
			h.finish(want)
			continue
		}
		finished := func() bool { return h.finished.Load() == want }
		if !poll(finishWait, false, finished) {
			sleep(&h.waiting, h.done, finished)
		}
	}
}
