package ag

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// countJob adds its value to a shared total when it runs, after pause.
type countJob struct {
	total *atomic.Int64
	v     int64
	pause time.Duration
}

func (j *countJob) run() {
	time.Sleep(j.pause)
	j.total.Add(j.v)
}

// TestCrewRunsEveryJobOnce posts rounds of jobs to every helper: back to back (helpers spinning),
// after pauses longer than their spin (helpers parked: the caller runs what they have not
// claimed), and jobs that take longer than the caller's poll (the caller parks until they finish).
// wait must return only after every job of the round ran, each exactly once.
func TestCrewRunsEveryJobOnce(t *testing.T) {
	const helpers = 3
	c := newCrew(helpers)
	var total atomic.Int64
	jobs := make([]countJob, helpers)
	var want int64
	for round := range 300 {
		if round%50 == 0 {
			time.Sleep(5 * time.Millisecond) // longer than idleWait: the helpers park
		}
		var pause time.Duration
		if round%7 == 0 {
			pause = time.Millisecond // longer than finishWait
		}
		n := 1 + round%helpers
		for i := range n {
			jobs[i] = countJob{total: &total, v: int64(round*10 + i + 1), pause: pause}
			c.post(i, &jobs[i])
			want += int64(round*10 + i + 1)
		}
		c.wait(n)
		if got := total.Load(); got != want {
			t.Fatalf("round %d: total %d after wait, want %d", round, got, want)
		}
	}
}

// TestCrewProductsMatchOneWorker: a product split over a crew equals the same product on one
// worker bit for bit, before and after the helpers park.
func TestCrewProductsMatchOneWorker(t *testing.T) {
	one, two := newCPU[float32](1, 1), newCPU[float32](2, 2)
	m, n, k := 300, 100, 100
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(i%17) * 0.25
	}
	for i := range b {
		b[i] = float32(i%13) * -0.5
	}
	product := func(c *CPU[float32]) []float32 {
		as, bs, cs := c.New(len(a)), c.New(len(b)), c.New(m*n)
		c.Upload(as, a)
		c.Upload(bs, b)
		c.Gemm(false, true, m, n, k, 1, as, bs, 0, cs)
		out := make([]float32, m*n)
		c.Download(out, cs)
		return out
	}
	want := product(one)
	for range 2 {
		got := product(two)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("C[%d] = %v on two workers, %v on one", i, got[i], want[i])
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkCrewGemm times products on one worker and on two (the caller and one helper) at a
// session cell's sizes (100 clicks of width 100, and 30), a CTR Transformer layer's (340×128×128)
// and a session mini-batch's (1,000 clicks): the crew pays off where the second band's work
// exceeds the hand-over.
func BenchmarkCrewGemm(b *testing.B) {
	for _, sh := range [][3]int{{30, 100, 100}, {100, 100, 100}, {340, 128, 128}, {1000, 100, 100}} {
		for _, tr := range [][2]bool{{false, true}, {false, false}, {true, false}} {
			m, n, k := sh[0], sh[1], sh[2]
			for _, workers := range []int{1, 2} {
				be := newCPU[float32](workers, workers)
				as, bs, cs := be.New(m*k), be.New(k*n), be.New(m*n)
				name := fmt.Sprintf("%dx%dx%d/transA=%v/transB=%v/workers=%d", m, n, k, tr[0], tr[1], workers)
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						be.Gemm(tr[0], tr[1], m, n, k, 1, as, bs, 1, cs)
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestCrewRefusesSecondCaller: an op that finds the crew busy (another goroutine's op posting to
// the same helpers) panics instead of mixing its parts with the other op's.
func TestCrewRefusesSecondCaller(t *testing.T) {
	c := newCrew(1)
	c.begin()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a second begin on a busy crew did not panic")
			}
		}()
		c.begin()
	}()
	c.end()
	c.begin() // free again
	c.end()
}
