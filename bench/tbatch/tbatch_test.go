package tbatch

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// batchesOf returns the batches of b as slices of interaction indices.
func batchesOf(b *Batches) [][]int32 {
	out := make([][]int32, b.NumBatches())
	for k := range out {
		out[k] = slices.Clone(b.Batch(k))
	}
	return out
}

// windowsOf returns, for each window, its batches as a half-open range.
func windowsOf(b *Batches) [][2]int {
	out := make([][2]int, b.NumWindows())
	for w := range out {
		first, end := b.Window(w)
		out[w] = [2]int{first, end}
	}
	return out
}

func equalBatches(t *testing.T, name string, got *Batches, wantBatches [][]int32, wantWindows [][2]int) {
	t.Helper()
	if g := batchesOf(got); !slices.EqualFunc(g, wantBatches, slices.Equal) {
		t.Errorf("%s: batches = %v, want %v", name, g, wantBatches)
	}
	if g := windowsOf(got); !slices.Equal(g, wantWindows) {
		t.Errorf("%s: windows = %v, want %v", name, g, wantWindows)
	}
}

// TestPaperExample encodes Example 4.1 of the paper (jodie-kdd2019.md,
// section 4), whose interactions are those of Figure 1, listed in the order
// of their times. u_k and i_k become ids k-1. The paper writes t_8 for both
// (u_3, i_4) and (u_2, i_4), while counting "the naive 9 batches"; we keep the
// tie and the order in which the example lists them, the only order that
// yields its 5 batches.
func TestPaperExample(t *testing.T) {
	users := []int32{0, 1, 2, 0, 1, 2, 1, 2, 1}
	items := []int32{0, 0, 1, 1, 1, 2, 2, 3, 3}
	times := []float64{1, 2, 3, 4, 5, 6, 7, 8, 8}
	// B1: (u1,i1,t1), (u3,i2,t3); B2: (u2,i1,t2), (u1,i2,t4), (u3,i3,t6);
	// B3: (u2,i2,t5), (u3,i4,t8); B4: (u2,i3,t7); B5: (u2,i4,t8).
	want := [][]int32{{0, 2}, {1, 3, 5}, {4, 7}, {6}, {8}}
	one := [][2]int{{0, 5}}

	b := Compute(users, items)
	equalBatches(t, "Compute", b, want, one)
	checkBatches(t, users, items, times, b)
	if got := b.MeanBatchSize(); got != 9.0/5 {
		t.Errorf("MeanBatchSize = %v, want 9/5", got)
	}

	bw, err := ComputeWindowed(users, items, times, WindowOptions{NumWindows: 1})
	if err != nil {
		t.Fatal(err)
	}
	equalBatches(t, "ComputeWindowed(1 window)", bw, want, one)

	// "a 45% decrease compared to the naive 9 batches"
	seq := b.Sequential()
	if seq.NumBatches() != 9 || seq.NumWindows() != 1 {
		t.Errorf("Sequential: %d batches in %d windows, want 9 in 1", seq.NumBatches(), seq.NumWindows())
	}
}

// handSeq is a small sequence whose windowed batches are worked out by hand
// in TestWindowedHandComputed.
var handSeq = struct {
	users, items []int32
	times        []float64
}{
	users: []int32{0, 1, 0, 2, 1, 0, 0, 1, 2, 2, 1},
	items: []int32{0, 0, 1, 2, 1, 0, 1, 2, 0, 2, 1},
	times: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
}

func TestWindowedHandComputed(t *testing.T) {
	// Interactions (index: user,item @time):
	//   0: 0,0@0  1: 1,0@1  2: 0,1@2  3: 2,2@3  4: 1,1@4  5: 0,0@5
	//   6: 0,1@6  7: 1,2@7  8: 2,0@8  9: 2,2@9  10: 1,1@10
	tests := []struct {
		name    string
		opt     WindowOptions
		batches [][]int32
		windows [][2]int
	}{{
		// L = 10/2 = 5: window 0 is t in [0,5) = 0..4, window 1 is [5,10] =
		// 5..10 (t = End goes to the last window). Window 0: 0->1, 1->2
		// (item 0), 2->2 (user 0), 3->1, 4->3 (user 1 and item 1 in 2).
		// Window 1, counters reset: 5->1, 6->2 (user 0), 7->1, 8->2 (item 0),
		// 9->3 (user 2 in 2), 10->3 (item 1 in 2).
		name:    "grid/2 windows",
		opt:     WindowOptions{NumWindows: 2},
		batches: [][]int32{{0, 3}, {1, 2}, {4}, {5, 7}, {6, 8}, {9, 10}},
		windows: [][2]int{{0, 3}, {3, 6}},
	}, {
		// L = 4 from Start = 0: windows [0,4) = 0..3, [4,8) = 4..7,
		// [8,12) = 8..10. Window 1: 4->1, 5->1, 6->2 (user 0), 7->2 (user 1).
		// Window 2: 8->1, 9->2 (user 2), 10->1.
		name:    "grid/length 4",
		opt:     WindowOptions{Length: 4},
		batches: [][]int32{{0, 3}, {1, 2}, {4, 5}, {6, 7}, {8, 10}, {9}},
		windows: [][2]int{{0, 2}, {2, 4}, {4, 6}},
	}, {
		// Start = -3, L = 4: windows [-3,1) = 0, [1,5) = 1..4, [5,9) = 5..8,
		// [9,13) = 9..10. Window 1: 1->1, 2->1, 3->1, 4->2 (both). Window 2:
		// 5->1, 6->2, 7->1, 8->2 (item 0). Window 3: 9->1, 10->1.
		name:    "grid/length 4 from -3",
		opt:     WindowOptions{Length: 4, Start: -3},
		batches: [][]int32{{0}, {1, 2, 3}, {4}, {5, 7}, {6, 8}, {9, 10}},
		windows: [][2]int{{0, 1}, {1, 3}, {3, 5}, {5, 6}},
	}, {
		// Windows [0,1), [1,2), ... one interaction each: no two
		// interactions share a window.
		name:    "grid/10 windows",
		opt:     WindowOptions{NumWindows: 10},
		batches: [][]int32{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9, 10}},
		windows: [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}},
	}, {
		// L = 5, start 0: the first time with t - 0 > 5 is 6 (index 6), which
		// closes window 0 = 0..6; the next window starts at 6 and would close
		// only after t > 11, so 7..10 is the tail the original code drops.
		// Window 0: 0->1, 1->2, 2->2, 3->1, 4->3, 5->3 (user 0 and item 0 in
		// 2), 6->4 (user 0 in 3). Window 1: 7->1, 8->1, 9->2, 10->2.
		name:    "rolling/2 windows",
		opt:     WindowOptions{Rule: Rolling, NumWindows: 2},
		batches: [][]int32{{0, 3}, {1, 2}, {4, 5}, {6}, {7, 8}, {9, 10}},
		windows: [][2]int{{0, 4}, {4, 6}},
	}, {
		// L = 4: t = 5 > 0 + 4 closes window 0 = 0..5; t = 10 > 5 + 4 closes
		// window 1 = 6..10; no tail. Window 1: 6->1, 7->1, 8->1, 9->2, 10->2.
		name:    "rolling/length 4",
		opt:     WindowOptions{Rule: Rolling, Length: 4},
		batches: [][]int32{{0, 3}, {1, 2}, {4, 5}, {6, 7, 8}, {9, 10}},
		windows: [][2]int{{0, 3}, {3, 5}},
	}, {
		// Algorithm 2 over everything: after 0..4 (batches 1,2,2,1,3),
		// 5->3, 6->4, 7->4 (user 1 in 3), 8->4 (item 0 in 3), 9->5, 10->5.
		name:    "grid/1 window",
		opt:     WindowOptions{NumWindows: 1},
		batches: [][]int32{{0, 3}, {1, 2}, {4, 5}, {6, 7, 8}, {9, 10}},
		windows: [][2]int{{0, 5}},
	}}
	var bd Builder
	var dst Batches
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ComputeWindowed(handSeq.users, handSeq.items, handSeq.times, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			equalBatches(t, "ComputeWindowed", got, tc.batches, tc.windows)
			checkBatches(t, handSeq.users, handSeq.items, handSeq.times, got)
			// The same through a Builder reused across the cases.
			reused, err := bd.ComputeWindowed(&dst, handSeq.users, handSeq.items, handSeq.times, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			equalBatches(t, "Builder.ComputeWindowed", reused, tc.batches, tc.windows)
		})
	}
	// With one window the result is Algorithm 2 over the whole sequence.
	equalBatches(t, "Compute", Compute(handSeq.users, handSeq.items), tests[len(tests)-1].batches, [][2]int{{0, 5}})
}

// checkBatches verifies everything the package promises about b for the
// given sequence: the partition, the co-batching conditions of the paper,
// time order within batches, and windows that are consecutive index ranges
// in time order. times may be nil.
func checkBatches(t testing.TB, users, items []int32, times []float64, b *Batches) (batchOf, windowOf []int) {
	t.Helper()
	n := len(users)
	nb, nw := b.NumBatches(), b.NumWindows()
	if b.Len() != n || len(b.Order) != n {
		t.Fatalf("Len = %d, len(Order) = %d, want %d", b.Len(), len(b.Order), n)
	}
	if len(b.BatchStart) != nb+1 || b.BatchStart[0] != 0 || int(b.BatchStart[nb]) != n {
		t.Fatalf("BatchStart = %v, want %d+1 entries from 0 to %d", b.BatchStart, nb, n)
	}
	if len(b.WindowStart) != nw+1 || b.WindowStart[0] != 0 || int(b.WindowStart[nw]) != nb {
		t.Fatalf("WindowStart = %v, want %d+1 entries from 0 to %d", b.WindowStart, nw, nb)
	}
	if n == 0 {
		if nb != 0 || nw != 0 {
			t.Fatalf("empty sequence: %d batches, %d windows", nb, nw)
		}
		return nil, nil
	}
	batchOf = make([]int, n)
	windowOf = make([]int, n)
	for j := range batchOf {
		batchOf[j] = -1
	}
	for w := range nw {
		first, end := b.Window(w)
		if first >= end {
			t.Fatalf("window %d is empty: batches [%d, %d)", w, first, end)
		}
		// Window w must hold exactly the interactions lo..hi-1.
		lo, hi := int(b.BatchStart[first]), int(b.BatchStart[end])
		for k := first; k < end; k++ {
			batch := b.Batch(k)
			if len(batch) == 0 {
				t.Fatalf("batch %d is empty", k)
			}
			for p, j32 := range batch {
				j := int(j32)
				if j < lo || j >= hi {
					t.Fatalf("batch %d of window %d holds interaction %d outside [%d, %d)", k, w, j, lo, hi)
				}
				if batchOf[j] != -1 {
					t.Fatalf("interaction %d in batches %d and %d", j, batchOf[j], k)
				}
				if p > 0 && batch[p-1] >= j32 {
					t.Fatalf("batch %d not in increasing index order: %v", k, batch)
				}
				batchOf[j], windowOf[j] = k, w
			}
		}
		if w > 0 && times != nil && times[lo-1] > times[lo] {
			t.Fatalf("window %d starts at time %v, before the end of window %d at %v", w, times[lo], w-1, times[lo-1])
		}
	}
	for j, k := range batchOf {
		if k == -1 {
			t.Fatalf("interaction %d in no batch", j)
		}
	}
	// Condition 1: a user or item at most once per batch. Condition 2: the
	// consecutive interactions of a user or item in strictly increasing
	// batches (which also forbids a repeat within a batch).
	lastU := map[int32]int{}
	lastI := map[int32]int{}
	for j := range n {
		u, i, k := users[j], items[j], batchOf[j]
		if prev, ok := lastU[u]; ok && prev >= k {
			t.Fatalf("user %d: interaction %d in batch %d, after one in batch %d", u, j, k, prev)
		}
		if prev, ok := lastI[i]; ok && prev >= k {
			t.Fatalf("item %d: interaction %d in batch %d, after one in batch %d", i, j, k, prev)
		}
		lastU[u], lastI[i] = k, k
	}
	return batchOf, windowOf
}

// naiveBatch is the definition Algorithm 2 computes, written as a quadratic
// oracle: inside its window, interaction j's batch is one more than the
// largest batch of an earlier interaction of the same window sharing its
// user or its item (1 if none); batches are numbered window after window.
func naiveBatch(users, items []int32, windowOf []int) []int {
	n := len(users)
	level := make([]int, n)
	for j := range n {
		level[j] = 1
		for k := j - 1; k >= 0 && windowOf[k] == windowOf[j]; k-- {
			if users[k] == users[j] || items[k] == items[j] {
				level[j] = max(level[j], level[k]+1)
			}
		}
	}
	global := make([]int, n)
	base, top := 0, 0
	for j := range n {
		if j > 0 && windowOf[j] != windowOf[j-1] {
			base += top
			top = 0
		}
		top = max(top, level[j])
		global[j] = base + level[j] - 1
	}
	return global
}

// originalWindows replays the window logic of the original training loop
// (jodie.py): every interaction is appended to the current t-batches; the
// start time is set by the first interaction; when "timestamp -
// tbatch_start_time > tbatch_timespan" the window is processed and the start
// time reset. It returns the processed windows as index ranges and the tail
// the original never trains on.
func originalWindows(times []float64, timespan float64) (processed [][2]int, dropped int) {
	var start float64
	started := false
	lo := 0
	for j, ts := range times {
		if !started {
			start, started = ts, true
		}
		if ts-start > timespan {
			start = ts
			processed = append(processed, [2]int{lo, j + 1})
			lo = j + 1
		}
	}
	return processed, len(times) - lo
}

// gridWindow is the documented Grid rule for one time.
func gridWindow(t, start, length float64, numWindows int) float64 {
	if length == 0 {
		return 0
	}
	w := math.Floor((t - start) / length)
	if numWindows > 0 {
		w = min(w, float64(numWindows-1))
	}
	return w
}

// randomSeq draws a sequence with ids in [0, nu) and [0, ni); with
// probability repeat a user repeats its previous item (as in Reddit and
// Wikipedia); times advance by whole steps in [0, maxStep], so ties occur.
func randomSeq(r *rand.Rand, n, nu, ni int, repeat float64, maxStep int) (users, items []int32, times []float64) {
	users = make([]int32, n)
	items = make([]int32, n)
	times = make([]float64, n)
	prev := make([]int32, nu)
	for u := range prev {
		prev[u] = -1
	}
	var t float64
	for j := range n {
		u := int32(r.IntN(nu))
		i := prev[u]
		if i < 0 || r.Float64() >= repeat {
			i = int32(r.IntN(ni))
		}
		prev[u] = i
		t += float64(r.IntN(maxStep + 1))
		users[j], items[j], times[j] = u, i, t
	}
	return users, items, times
}

func TestProperties(t *testing.T) {
	tests := []struct {
		n, nu, ni int
		repeat    float64
		maxStep   int
		seed      uint64
	}{
		{n: 0, nu: 1, ni: 1, seed: 1},
		{n: 1, nu: 1, ni: 1, maxStep: 3, seed: 2},
		{n: 50, nu: 1, ni: 1, maxStep: 1, seed: 3}, // one user, one item: fully serial
		{n: 300, nu: 300, ni: 1, maxStep: 2, seed: 4},
		{n: 300, nu: 1, ni: 300, maxStep: 2, seed: 5},
		{n: 1000, nu: 1000, ni: 1000, maxStep: 5, seed: 6}, // wide batches
		{n: 2000, nu: 20, ni: 30, repeat: 0.5, maxStep: 3, seed: 7},
		{n: 2000, nu: 200, ni: 10, repeat: 0.79, maxStep: 0, seed: 8}, // all times equal
		{n: 3000, nu: 100, ni: 100, repeat: 0.1, maxStep: 100, seed: 9},
		{n: 60000, nu: 1000, ni: 1000, repeat: 0.086, maxStep: 10, seed: 10}, // invariants only
		{n: 60000, nu: 10000, ni: 1000, repeat: 0.79, maxStep: 10, seed: 11},
	}
	opts := []WindowOptions{
		{},
		{NumWindows: 1},
		{NumWindows: 3},
		{NumWindows: 37},
		{Rule: Rolling},
		{Rule: Rolling, NumWindows: 7},
		{Length: 2.5},
		{Rule: Rolling, Length: 2.5},
	}
	for _, tc := range tests {
		r := rand.New(rand.NewPCG(tc.seed, 1))
		users, items, times := randomSeq(r, tc.n, tc.nu, tc.ni, tc.repeat, tc.maxStep)
		whole := Compute(users, items)
		batchOf, _ := checkBatches(t, users, items, times, whole)
		if tc.n <= 3000 {
			zeros := make([]int, tc.n)
			if want := naiveBatch(users, items, zeros); !slices.Equal(batchOf, want) {
				t.Errorf("n=%d seed=%d: Compute differs from the quadratic oracle", tc.n, tc.seed)
			}
		}
		for _, opt := range opts {
			b, err := ComputeWindowed(users, items, times, opt)
			if err != nil {
				t.Fatalf("n=%d seed=%d %+v: %v", tc.n, tc.seed, opt, err)
			}
			checkWindowed(t, users, items, times, opt, b, whole, tc.n <= 3000)
		}
	}
}

// checkWindowed verifies b = ComputeWindowed(users, items, times, opt), with
// the default range: checkBatches, windows exactly as the rule says,
// batches equal to the quadratic oracle (when oracle is set), one window
// equal to whole = Compute(users, items), and Sequential.
func checkWindowed(t *testing.T, users, items []int32, times []float64, opt WindowOptions, b, whole *Batches, oracle bool) {
	t.Helper()
	n := len(users)
	batchOf, windowOf := checkBatches(t, users, items, times, b)
	checkSequential(t, times, b)
	if n == 0 {
		return
	}
	start, end := times[0], times[n-1]
	nw, length := opt.NumWindows, opt.Length
	if length == 0 {
		nw = orDefault(nw, DefaultNumWindows)
		length = (end - start) / float64(nw)
	} else {
		nw = 0
	}
	switch opt.Rule {
	case Grid:
		for j := 1; j < n; j++ {
			same := gridWindow(times[j], start, length, nw) == gridWindow(times[j-1], start, length, nw)
			if same != (windowOf[j] == windowOf[j-1]) {
				t.Fatalf("n=%d %+v: interactions %d and %d (times %v, %v) in windows %d, %d",
					n, opt, j-1, j, times[j-1], times[j], windowOf[j-1], windowOf[j])
			}
		}
	case Rolling:
		processed, dropped := originalWindows(times, length)
		if dropped > 0 {
			processed = append(processed, [2]int{n - dropped, n})
		}
		if len(processed) != b.NumWindows() {
			t.Fatalf("n=%d %+v: %d windows, the original code processes %d (+ tail)", n, opt, b.NumWindows(), len(processed))
		}
		for w, rng := range processed {
			first, end := b.Window(w)
			if lo, hi := int(b.BatchStart[first]), int(b.BatchStart[end]); lo != rng[0] || hi != rng[1] {
				t.Fatalf("n=%d %+v: window %d = [%d, %d), original [%d, %d)", n, opt, w, lo, hi, rng[0], rng[1])
			}
		}
	}
	if oracle {
		if want := naiveBatch(users, items, windowOf); !slices.Equal(batchOf, want) {
			t.Errorf("n=%d %+v: batches differ from the quadratic oracle", n, opt)
		}
	}
	if opt.NumWindows == 1 && opt.Length == 0 {
		if !slices.Equal(b.Order, whole.Order) || !slices.Equal(b.BatchStart, whole.BatchStart) || b.NumWindows() != 1 {
			t.Errorf("n=%d %+v: one window differs from Compute", n, opt)
		}
	}
}

func orDefault(x, def int) int {
	if x == 0 {
		return def
	}
	return x
}

// checkSequential verifies that b.Sequential() has one interaction per batch,
// in index order, and the same windows as b.
func checkSequential(t *testing.T, times []float64, b *Batches) {
	t.Helper()
	s := b.Sequential()
	n := b.Len()
	_, windowOfSeq := checkBatches(t, make([]int32, n), make([]int32, n), times, s)
	if s.NumBatches() != n || s.NumWindows() != b.NumWindows() {
		t.Fatalf("Sequential: %d batches, %d windows; want %d, %d", s.NumBatches(), s.NumWindows(), n, b.NumWindows())
	}
	for k := range n {
		if got := s.Batch(k); len(got) != 1 || got[0] != int32(k) {
			t.Fatalf("Sequential batch %d = %v, want [%d]", k, got, k)
		}
	}
	for w := range b.NumWindows() {
		first, end := b.Window(w)
		for k := first; k < end; k++ {
			for _, j := range b.Batch(k) {
				if windowOfSeq[j] != w {
					t.Fatalf("interaction %d: window %d with t-Batch, %d sequential", j, w, windowOfSeq[j])
				}
			}
		}
	}
}

// TestRollingDropsTailInOriginal shows the bug the package fixes: on a
// sequence whose last window never closes, the original loop leaves
// interactions untrained, and ComputeWindowed keeps them as a last window.
func TestRollingDropsTailInOriginal(t *testing.T) {
	times := handSeq.times
	processed, dropped := originalWindows(times, 5)
	if len(processed) != 1 || dropped != 4 {
		t.Fatalf("original loop: %v processed, %d dropped; want 1 window and 4 dropped (hand-computed)", processed, dropped)
	}
	b, err := ComputeWindowed(handSeq.users, handSeq.items, times, WindowOptions{Rule: Rolling, Length: 5})
	if err != nil {
		t.Fatal(err)
	}
	first, end := b.Window(b.NumWindows() - 1)
	if lo, hi := b.BatchStart[first], b.BatchStart[end]; lo != 7 || hi != 11 {
		t.Errorf("last window holds [%d, %d), want the dropped tail [7, 11)", lo, hi)
	}
}

func TestBuilderReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	bigU, bigI, bigT := randomSeq(r, 5000, 500, 300, 0.5, 4)
	smallU, smallI, smallT := randomSeq(r, 700, 30, 40, 0.2, 2)
	opt := WindowOptions{NumWindows: 20}

	var bd Builder
	var dst Batches
	// Big, then small, then big again: stale state from a previous call
	// (last-batch entries, longer buffers) must not leak into the next.
	for round, seq := range []struct {
		u, i []int32
		t    []float64
	}{{bigU, bigI, bigT}, {smallU, smallI, smallT}, {bigU, bigI, bigT}} {
		got, err := bd.ComputeWindowed(&dst, seq.u, seq.i, seq.t, opt)
		if err != nil {
			t.Fatal(err)
		}
		if got != &dst {
			t.Fatalf("round %d: result is not dst", round)
		}
		want, _ := ComputeWindowed(seq.u, seq.i, seq.t, opt)
		if !slices.Equal(got.Order, want.Order) || !slices.Equal(got.BatchStart, want.BatchStart) || !slices.Equal(got.WindowStart, want.WindowStart) {
			t.Fatalf("round %d: reused Builder differs from a fresh one", round)
		}
		if got := bd.Compute(&dst, seq.u, seq.i); !slices.Equal(got.Order, Compute(seq.u, seq.i).Order) {
			t.Fatalf("round %d: reused Builder.Compute differs from Compute", round)
		}
	}

	allocs := testing.AllocsPerRun(20, func() {
		if _, err := bd.ComputeWindowed(&dst, bigU, bigI, bigT, opt); err != nil {
			t.Fatal(err)
		}
		bd.Compute(&dst, smallU, smallI)
	})
	if allocs != 0 {
		t.Errorf("reused Builder: %v allocations per run, want 0", allocs)
	}
	var seq Batches
	b := Compute(bigU, bigI)
	b.SequentialInto(&seq)
	if allocs := testing.AllocsPerRun(20, func() { b.SequentialInto(&seq) }); allocs != 0 {
		t.Errorf("SequentialInto: %v allocations per run, want 0", allocs)
	}
}

func TestErrors(t *testing.T) {
	users := []int32{0, 1, 2}
	items := []int32{0, 1, 2}
	tests := []struct {
		name  string
		times []float64
		opt   WindowOptions
		want  error
	}{
		{"unsorted", []float64{1, 3, 2}, WindowOptions{}, ErrUnsorted},
		{"NaN time", []float64{1, math.NaN(), 2}, WindowOptions{}, ErrBadTime},
		{"infinite time", []float64{1, 2, math.Inf(1)}, WindowOptions{}, ErrBadTime},
		{"negative NumWindows", []float64{1, 2, 3}, WindowOptions{NumWindows: -1}, ErrBadOptions},
		{"negative Length", []float64{1, 2, 3}, WindowOptions{Length: -1}, ErrBadOptions},
		{"NaN Length", []float64{1, 2, 3}, WindowOptions{Length: math.NaN()}, ErrBadOptions},
		{"End before Start", []float64{1, 2, 3}, WindowOptions{Start: 3, End: 1}, ErrBadOptions},
		{"unknown rule", []float64{1, 2, 3}, WindowOptions{Rule: 9}, ErrBadOptions},
		{"infinite Start", []float64{1, 2, 3}, WindowOptions{Start: math.Inf(-1), End: 3}, ErrBadOptions},
		{"time after End", []float64{1, 2, 3}, WindowOptions{Start: 1, End: 2.5}, ErrOutOfRange},
		{"time before Start", []float64{1, 2, 3}, WindowOptions{Start: 1.5, End: 3}, ErrOutOfRange},
		{"time before Start, Length form", []float64{1, 2, 3}, WindowOptions{Length: 1, Start: 2}, ErrOutOfRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var bd Builder
			dst := Compute(users, items)
			before := slices.Clone(dst.Order)
			got, err := bd.ComputeWindowed(dst, users, items, tc.times, tc.opt)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if got != nil || !slices.Equal(dst.Order, before) {
				t.Errorf("on error: result %v, dst changed: %v", got, !slices.Equal(dst.Order, before))
			}
			t.Log(err)
		})
	}
}

func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		call func()
	}{
		{"length mismatch", func() { Compute([]int32{0, 1}, []int32{0}) }},
		{"negative user", func() { Compute([]int32{0, -1}, []int32{0, 0}) }},
		{"negative item", func() { Compute([]int32{0, 1}, []int32{-5, 0}) }},
		{"times length", func() { _, _ = ComputeWindowed([]int32{0}, []int32{0}, []float64{1, 2}, WindowOptions{}) }},
		{"SequentialInto itself", func() { b := Compute([]int32{0}, []int32{0}); b.SequentialInto(b) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			tc.call()
		})
	}
}

func TestEdgeCases(t *testing.T) {
	var zero Batches
	if zero.NumBatches() != 0 || zero.NumWindows() != 0 || zero.MeanBatchSize() != 0 || zero.Len() != 0 {
		t.Errorf("zero Batches: %d batches, %d windows, mean %v", zero.NumBatches(), zero.NumWindows(), zero.MeanBatchSize())
	}
	if s := zero.Sequential(); s.NumBatches() != 0 || s.NumWindows() != 0 {
		t.Errorf("zero Batches Sequential: %d batches, %d windows", s.NumBatches(), s.NumWindows())
	}
	empty, err := ComputeWindowed(nil, nil, nil, WindowOptions{})
	if err != nil || empty.NumBatches() != 0 || empty.NumWindows() != 0 {
		t.Errorf("empty sequence: %v, %d batches, %d windows", err, empty.NumBatches(), empty.NumWindows())
	}
	// All times equal: a zero-length range is one window, under both rules.
	for _, rule := range []Rule{Grid, Rolling} {
		b, err := ComputeWindowed([]int32{0, 0, 1}, []int32{0, 1, 1}, []float64{4, 4, 4}, WindowOptions{Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		equalBatches(t, rule.String()+"/equal times", b, [][]int32{{0}, {1}, {2}}, [][2]int{{0, 3}})
	}
	// A window index beyond any integer type (here +Inf) must not wrap
	// around: 0 and 1e300 with Length 1e-300 are two windows.
	b, err := ComputeWindowed([]int32{0, 0, 0}, []int32{0, 0, 0}, []float64{0, 1e300, 1e300}, WindowOptions{Length: 1e-300})
	if err != nil {
		t.Fatal(err)
	}
	equalBatches(t, "tiny Length", b, [][]int32{{0}, {1}, {2}}, [][2]int{{0, 1}, {1, 3}})
}

func TestRuleText(t *testing.T) {
	for _, r := range []Rule{Grid, Rolling} {
		text, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Rule
		if err := back.UnmarshalText(text); err != nil || back != r {
			t.Errorf("%v -> %q -> %v, %v", r, text, back, err)
		}
	}
	var r Rule
	if err := r.UnmarshalText([]byte("fixed")); !errors.Is(err, ErrBadOptions) {
		t.Errorf("unknown rule: err = %v", err)
	}
	if _, err := Rule(7).MarshalText(); !errors.Is(err, ErrBadOptions) {
		t.Errorf("Rule(7).MarshalText: err = %v", err)
	}
	if got := Rule(7).String(); got != "Rule(7)" {
		t.Errorf("Rule(7).String() = %q", got)
	}
}

// TestSplitLarger cuts the paper's example (Example 4.1: {0,2} {1,3,5} {4,7} {6} {8}) and a
// two-window schedule, and checks every cut schedule against the t-batch conditions.
func TestSplitLarger(t *testing.T) {
	users := []int32{0, 1, 2, 0, 1, 2, 1, 2, 1}
	items := []int32{0, 0, 1, 1, 1, 2, 2, 3, 3}
	paper := Compute(users, items)
	two := &Batches{Order: []int32{0, 1, 2, 3, 4}, BatchStart: []int32{0, 3, 4, 5}, WindowStart: []int32{0, 1, 3}}
	tests := []struct {
		name        string
		in          *Batches
		max         int
		wantBatches [][]int32
		wantWindows [][2]int
	}{
		{"none larger", paper, 3, batchesOf(paper), windowsOf(paper)},
		{"max 0 keeps b", paper, 0, batchesOf(paper), windowsOf(paper)},
		{"max 2", paper, 2, [][]int32{{0, 2}, {1, 3}, {5}, {4, 7}, {6}, {8}}, [][2]int{{0, 6}}},
		{"max 1", paper, 1, [][]int32{{0}, {2}, {1}, {3}, {5}, {4}, {7}, {6}, {8}}, [][2]int{{0, 9}}},
		{"windows kept", two, 2, [][]int32{{0, 1}, {2}, {3}, {4}}, [][2]int{{0, 2}, {2, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.SplitLarger(tt.max)
			equalBatches(t, tt.name, got, tt.wantBatches, tt.wantWindows)
			if (tt.max <= 0 || tt.max >= 3) && got != tt.in {
				t.Errorf("SplitLarger(%d) copied b although no batch is larger", tt.max)
			}
			if tt.in == paper {
				checkBatches(t, users, items, nil, got)
			}
		})
	}
}
