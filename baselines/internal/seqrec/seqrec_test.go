package seqrec

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name, params string
		want         Config // compared on the scalar fields; UseDt/UseFeatures separately
		dt, features bool
		err          string
	}{
		{name: "defaults", want: Config{Dim: 128, BPTT: 50, BatchUsers: 32, LR: 1e-2, Clock: "off"}, dt: true, features: true},
		{name: "set", params: "    dim: 64\n    bptt: 5\n    batch_users: 7\n    lr: 0.5\n    weight_decay: 0.1\n    clip: 2\n    use_dt: false\n    use_features: false\n    clock: auto\n",
			want: Config{Dim: 64, BPTT: 5, BatchUsers: 7, LR: 0.5, WeightDecay: 0.1, Clip: 2, Clock: "auto"}},
		{name: "dim", params: "    dim: -1\n", err: "dim -1"},
		{name: "bptt", params: "    bptt: -2\n", err: "bptt -2"},
		{name: "batch", params: "    batch_users: -3\n", err: "batch_users -3"},
		{name: "lr", params: "    lr: -0.1\n", err: "lr -0.1"},
		{name: "decay", params: "    weight_decay: -1\n", err: "weight_decay -1"},
		{name: "clip", params: "    clip: -1\n", err: "clip -1"},
		{name: "clock", params: "    clock: sometimes\n", err: `clock "sometimes"`},
		{name: "unknown key", params: "    dims: 3\n", err: `unknown key "dims"`},
		{name: "cross", params: "    cross: true\n", err: "cross: only rrn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			err := benchtest.Params(t, tt.params).Decode(&c)
			if err == nil {
				err = c.Resolve(Spec{Name: "m", DefaultClock: ClockOff})
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *c.UseDt != tt.dt || *c.UseFeatures != tt.features {
				t.Errorf("use_dt %v use_features %v, want %v %v", *c.UseDt, *c.UseFeatures, tt.dt, tt.features)
			}
			c.UseDt, c.UseFeatures = nil, nil
			if c != tt.want {
				t.Errorf("resolved %+v, want %+v", c, tt.want)
			}
		})
	}
}

// steps lists a schedule's steps as slices.
func steps(s *Schedule) [][]int32 {
	var out [][]int32
	for k := range s.NumSteps() {
		out = append(out, slices.Clone(s.Step(k)))
	}
	return out
}

func TestLanesHandComputed(t *testing.T) {
	// Users' rows: u0 {0, 2, 4}, u1 {1, 5}, u2 {3}. Two lanes, users in order of first appearance:
	// step 1 u0:0 u1:1; step 2 u0:2 u1:5 (u1 done); step 3 u0:4 (done), lane 2 takes u2: 3.
	var s Schedule
	var lb Lanes
	lb.Build(&s, []int32{0, 1, 0, 2, 0, 1}, 3, 0, 6, 2, 2, nil)
	want := [][]int32{{0, 1}, {2, 5}, {4, 3}}
	if got := steps(&s); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("steps %v, want %v", got, want)
	}
	if !slices.Equal(s.WindowStart, []int32{0, 2, 3}) {
		t.Errorf("windows %v, want [0 2 3] (bptt 2)", s.WindowStart)
	}
	if s.WindowRows(0) != 4 || s.WindowRows(1) != 2 {
		t.Errorf("window rows %d, %d, want 4, 2", s.WindowRows(0), s.WindowRows(1))
	}
	// A sub-range: rows [2, 6) are u0 {2, 4}, u2 {3}, u1 {5}; three lanes run them all at once.
	lb.Build(&s, []int32{0, 1, 0, 2, 0, 1}, 3, 2, 6, 3, 10, nil)
	want = [][]int32{{2, 3, 5}, {4}}
	if got := steps(&s); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("sub-range steps %v, want %v", got, want)
	}
}

// checkSchedule verifies the invariants every schedule of rows [lo, hi) must meet.
func checkSchedule(t *testing.T, s *Schedule, users, items []int32, lo, hi, maxRows int, distinctItems bool) {
	t.Helper()
	seen := make([]bool, hi)
	lastUser := map[int32]int32{}
	lastItem := map[int32]int32{}
	for k := range s.NumSteps() {
		step := s.Step(k)
		if len(step) == 0 || len(step) > maxRows {
			t.Fatalf("step %d has %d rows (max %d)", k, len(step), maxRows)
		}
		inStepU, inStepI := map[int32]bool{}, map[int32]bool{}
		for _, r := range step {
			if int(r) < lo || int(r) >= hi || seen[r] {
				t.Fatalf("step %d: row %d outside [%d,%d) or repeated", k, r, lo, hi)
			}
			seen[r] = true
			u, it := users[r], items[r]
			if inStepU[u] || (distinctItems && inStepI[it]) {
				t.Fatalf("step %d: user %d or item %d twice", k, u, it)
			}
			inStepU[u], inStepI[it] = true, true
			if p, ok := lastUser[u]; ok && p > r {
				t.Fatalf("user %d: row %d after row %d", u, r, p)
			}
			lastUser[u] = r
			if distinctItems {
				if p, ok := lastItem[it]; ok && p > r {
					t.Fatalf("item %d: row %d after row %d", it, r, p)
				}
				lastItem[it] = r
			}
		}
	}
	for r := lo; r < hi; r++ {
		if !seen[r] {
			t.Fatalf("row %d never scheduled", r)
		}
	}
	if s.NumWindows() > 0 && int(s.WindowStart[s.NumWindows()]) != s.NumSteps() {
		t.Fatalf("windows end at step %d of %d", s.WindowStart[s.NumWindows()], s.NumSteps())
	}
}

func TestSchedulesOnSyntheticData(t *testing.T) {
	d, err := datasets.Synthesize("synth-wikipedia-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	var s Schedule
	var lb Lanes
	for _, c := range []struct{ lo, hi, lanes, bptt int }{{0, d.Len(), 32, 50}, {5000, 9000, 7, 3}, {100, 101, 4, 1}} {
		lb.Build(&s, d.Users, d.NumUsers(), c.lo, c.hi, c.lanes, c.bptt, rand.New(rand.NewPCG(1, 2)))
		checkSchedule(t, &s, d.Users, d.Items, c.lo, c.hi, c.lanes, false)
		for w := range s.NumWindows() {
			if first, end := s.Window(w); end-first > c.bptt {
				t.Fatalf("window %d has %d steps, bptt %d", w, end-first, c.bptt)
			}
		}
	}
	var cb Coupled
	for _, c := range []struct{ lo, hi, maxRows, bptt int }{{0, 16000, 32, 50}, {16000, 20000, 4, 10}} {
		if err := cb.Build(&s, d.Users, d.Items, d.Times, c.lo, c.hi, c.maxRows, c.bptt); err != nil {
			t.Fatal(err)
		}
		checkSchedule(t, &s, d.Users, d.Items, c.lo, c.hi, c.maxRows, true)
	}
	Sequential(&s, 10, 15, 2)
	if got := steps(&s); !slices.EqualFunc(got, [][]int32{{10}, {11}, {12}, {13}, {14}}, slices.Equal) || !slices.Equal(s.WindowStart, []int32{0, 2, 4, 5}) {
		t.Errorf("Sequential: steps %v windows %v", got, s.WindowStart)
	}
}

func TestLanesShuffleIsSeeded(t *testing.T) {
	d, err := datasets.Synthesize("synth-reddit-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	build := func(seed uint64) []int32 {
		var s Schedule
		var lb Lanes
		lb.Build(&s, d.Users, d.NumUsers(), 0, d.Len(), 16, 50, rand.New(rand.NewPCG(seed, 1)))
		return slices.Clone(s.Rows)
	}
	if !slices.Equal(build(3), build(3)) {
		t.Error("same seed, different schedules")
	}
	if slices.Equal(build(3), build(4)) {
		t.Error("different seeds, same schedule")
	}
}

func TestClock(t *testing.T) {
	const day, week = 86400.0, 7 * 86400.0
	tests := []struct {
		t    float64
		want [4]float64 // oracle: sin/cos of 2πt/day and 2πt/week by hand
	}{
		{0, [4]float64{0, 1, 0, 1}},
		{day / 4, [4]float64{1, 0, math.Sin(2 * math.Pi / 28), math.Cos(2 * math.Pi / 28)}},
		{day + day/2, [4]float64{0, -1, math.Sin(2 * math.Pi * 1.5 / 7), math.Cos(2 * math.Pi * 1.5 / 7)}},
		{week, [4]float64{0, 1, 0, 1}},
	}
	for _, tt := range tests {
		got := make([]float32, 4)
		clock(tt.t, got)
		for i := range got {
			if math.Abs(float64(got[i])-tt.want[i]) > 1e-6 {
				t.Errorf("clock(%v) = %v, want %v", tt.t, got, tt.want)
				break
			}
		}
	}
}

func TestBatchColumns(t *testing.T) {
	d := benchtest.Data(t, []int32{0, 1, 0}, []int32{1, 0, 1}, []float64{0, 3600, 21600}, nil, 2, 2, bench.ProtocolFrozen)
	d.FeatureDim, d.Features = 2, []float32{1, 2, 3, 4, 5, 6}
	var b Batch
	in := Inputs{DeltaT: true, Clock: true, Features: 2}
	b.fill(d, in, []int32{2, 1}, true, false)
	du2, di2 := d.Time.DeltaUser[2], d.Time.DeltaItem[2]
	du1, di1 := d.Time.DeltaUser[1], d.Time.DeltaItem[1]
	var c2, c1 [4]float32
	clock(21600, c2[:])
	clock(3600, c1[:])
	wantEvent := []float32{du2, c2[0], c2[1], c2[2], c2[3], 5, 6, du1, c1[0], c1[1], c1[2], c1[3], 3, 4}
	wantQuery := []float32{du2, c2[0], c2[1], c2[2], c2[3], du1, c1[0], c1[1], c1[2], c1[3]}
	wantItem := []float32{di2, 5, 6, di1, 3, 4}
	tp := ag.NewTape(ag.NewCPU())
	for _, c := range []struct {
		name string
		got  *ag.Tensor
		want []float32
	}{{"event", b.Event(tp), wantEvent}, {"query", b.Query(tp), wantQuery}, {"item event", b.ItemEvent(tp), wantItem},
		{"delta user", b.DeltaUser(tp), []float32{du2, du1}}} {
		if !slices.Equal(c.got.Values(), c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got.Values(), c.want)
		}
	}
	if !slices.Equal(b.Users, []int32{0, 1}) || !slices.Equal(b.Items, []int32{1, 0}) {
		t.Errorf("users %v items %v", b.Users, b.Items)
	}
	b.fill(d, Inputs{}, []int32{0}, false, false)
	if b.Event(tp) != nil || b.Query(tp) != nil || b.ItemEvent(tp) != nil {
		t.Error("empty context gave tensors")
	}
}

// readoutGrad is the gradient of FitReadout's objective written out independently, as the oracle
// for the optimum (zero gradient).
func readoutGrad(x []float32, dim int, labels []uint8, l2 float64, r *Readout) []float64 {
	n, pos := len(labels), 0
	for _, y := range labels {
		pos += int(y)
	}
	g := make([]float64, dim+1)
	for i, y := range labels {
		c := float64(n) / (2 * float64(n-pos))
		if y == 1 {
			c = float64(n) / (2 * float64(pos))
		}
		z := r.Logit(x[i*dim : (i+1)*dim])
		e := c * (1/(1+math.Exp(-z)) - float64(y))
		for j := range dim {
			g[j] += e * float64(x[i*dim+j])
		}
		g[dim] += e
	}
	for j := range dim {
		g[j] += l2 * r.W[j]
	}
	return g
}

func TestFitReadout(t *testing.T) {
	// Hand case: one feature, x = +1 labelled 1 and x = −1 labelled 0 (weights 1 each). By
	// symmetry B = 0, and W solves l2·W = 2σ(−W); the oracle solves that by bisection.
	for _, l2 := range []float64{1, 0.1} {
		r, err := FitReadout([]float32{1, -1}, 1, []uint8{1, 0}, l2)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := 0.0, 100.0
		for range 200 {
			mid := (lo + hi) / 2
			if l2*mid < 2/(1+math.Exp(mid)) {
				lo = mid
			} else {
				hi = mid
			}
		}
		if math.Abs(r.W[0]-lo) > 1e-6 || math.Abs(r.B) > 1e-6 {
			t.Errorf("l2 %v: W %v B %v, want W %v B 0", l2, r.W[0], r.B, lo)
		}
	}
	// Random imbalanced data (5% positives, shifted): the gradient vanishes at the fit.
	rng := rand.New(rand.NewPCG(7, 1))
	const n, dim = 2000, 5
	x := make([]float32, n*dim)
	labels := make([]uint8, n)
	for i := range n {
		if rng.Float64() < 0.05 {
			labels[i] = 1
		}
		for j := range dim {
			x[i*dim+j] = float32(rng.NormFloat64() + float64(labels[i])*0.8*float64(j%2))
		}
	}
	r, err := FitReadout(x, dim, labels, ReadoutL2)
	if err != nil {
		t.Fatal(err)
	}
	for j, g := range readoutGrad(x, dim, labels, ReadoutL2, r) {
		if math.Abs(g) > 1e-4 {
			t.Errorf("gradient[%d] = %v at the fit, want 0", j, g)
		}
	}
	// Errors.
	if _, err := FitReadout([]float32{1, 2}, 1, []uint8{0, 0}, 1); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: err %v, want ErrOneClass", err)
	}
	if _, err := FitReadout([]float32{1, 2, 3}, 2, []uint8{0, 1}, 1); err == nil {
		t.Error("mismatched sizes accepted")
	}
}

func TestTableSnapshotRestore(t *testing.T) {
	be := ag.NewCPU64()
	tab := NewTable(be, "t", 4, 2, false)
	tab.Init.CopyFrom64([]float64{0.5, -0.5})
	tab.reset()
	tp := ag.NewTape(be)
	b := &Batch{Users: []int32{1, 3}}
	tab.Write(b.Users, tp.Input64(2, 2, []float64{1, 2, 3, 4}))
	tab.written(b)
	tab.Detach()
	s := tab.snap()
	tab.reset()
	tab.Init.CopyFrom64([]float64{7, 8}) // a later Init must show in the rows never written
	tab.restore(s)
	tp.Reset()
	got := make([]float64, 8)
	tab.Read(tp, []int32{0, 1, 2, 3}).CopyTo64(got)
	if want := []float64{7, 8, 1, 2, 7, 8, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("restored rows %v, want %v", got, want)
	}
	if !slices.Equal(tab.fresh, []bool{true, false, true, false}) {
		t.Errorf("fresh %v", tab.fresh)
	}
}

func TestResolveCross(t *testing.T) {
	spec := Spec{Name: "rrn", Cross: true, DefaultClock: ClockOff}
	for _, c := range []struct {
		params string
		want   bool
	}{{"", true}, {"    cross: false\n", false}, {"    cross: true\n", true}} {
		var cfg Config
		if err := benchtest.Params(t, c.params).Decode(&cfg); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Resolve(spec); err != nil {
			t.Fatal(err)
		}
		if *cfg.Cross != c.want {
			t.Errorf("%q: cross %v, want %v", c.params, *cfg.Cross, c.want)
		}
	}
}
