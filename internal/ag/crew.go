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
// plus a WaitGroup wait paid it twice per product: 100×100×100 took 42–57 µs on two workers
// against 28–34 µs on one, and 1000×100×100 took 228 µs against 203 µs (BenchmarkCrewGemm). A
// helper that finds no work for idleWait parks on its channel, so an idle backend costs nothing.
type crew struct {
	helpers []*helper
}

// crewJob is one helper's part of an op. Jobs are preallocated values owned by the op, so posting
// one allocates nothing.
type crewJob interface{ run() }

// helper is one persistent goroutine. posted and finished count jobs: the caller posts job n by
// storing it and raising posted to n, the helper raises finished to n when it is done.
type helper struct {
	job      crewJob
	posted   atomic.Uint64
	finished atomic.Uint64
	parked   atomic.Bool
	wake     chan struct{}
	_        [64]byte // keep helpers' counters on their own cache lines
}

// idleWait is how long a helper polls for its next job before it parks: longer than a VM's
// wake-up, short enough that an idle backend soon stops spinning. The polls are plain atomic loads
// (runtime.Gosched would take the scheduler's lock at every poll), with the clock read every
// pollsPerClock of them. pollsBeforeYield is how many loads a caller makes for a helper's finish
// (a few µs) before it polls through runtime.Gosched, which lets other goroutines run.
const (
	idleWait         = 100 * time.Microsecond
	pollsPerClock    = 256
	pollsBeforeYield = 4096
)

func newCrew(helpers int) *crew {
	c := &crew{}
	for range max(helpers, 0) {
		h := &helper{wake: make(chan struct{}, 1)}
		c.helpers = append(c.helpers, h)
		go h.loop()
	}
	return c
}

func (h *helper) loop() {
	var done uint64
	for {
		var since time.Time
		for polls := 1; h.posted.Load() == done; polls++ {
			if polls%pollsPerClock != 0 {
				continue
			}
			if since.IsZero() {
				since = time.Now()
				continue
			}
			if time.Since(since) < idleWait {
				continue
			}
			// Park. posted is read again after parked is set, and post reads parked after raising
			// posted (both sequentially consistent), so a job is never posted to a helper that
			// neither sees it nor gets woken. A stale wake-up token only costs one more check.
			h.parked.Store(true)
			if h.posted.Load() == done {
				<-h.wake
			}
			h.parked.Store(false)
			since = time.Time{}
		}
		done++
		h.job.run()
		h.job = nil // hold no op's memory between jobs
		h.finished.Store(done)
	}
}

// post hands job to helper i, which must have finished its previous job (wait).
func (c *crew) post(i int, job crewJob) {
	h := c.helpers[i]
	h.job = job
	h.posted.Add(1)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default: // a token is already there
		}
	}
}

// wait returns when helpers 0..n−1 have finished every job posted to them.
func (c *crew) wait(n int) {
	for _, h := range c.helpers[:n] {
		want := h.posted.Load()
		for spins := 0; h.finished.Load() != want; spins++ {
			if spins < pollsBeforeYield {
				continue // the helper is running a part as long as the caller's own: poll
			}
			runtime.Gosched()
		}
	}
}
