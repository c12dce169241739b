package jump

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/benchtest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

func checkGradients(t *testing.T, params []*ag.Tensor, loss func(tp *ag.Tape) *ag.Tensor) {
	t.Helper()
	mis, err := agtest.CheckGradients(params, loss)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range mis {
		if i == 10 {
			t.Errorf("... %d mismatches in all", len(mis))
			break
		}
		t.Error(m)
	}
}

// TestHighwayCellGradients checks eq. 15 with and without input against float64 finite
// differences, with every parameter (α, β, γ included) moved off its initial value.
func TestHighwayCellGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(1, 2))
	for _, in := range []int{3, 0} {
		c := NewHighwayCell(be, "c", in, 4, r)
		x := ag.NewParam(be, "x", 2, max(in, 1))
		h := ag.NewParam(be, "h", 2, 4)
		ps := append(c.Params(), h)
		if in > 0 {
			ps = append(ps, x)
		}
		for _, p := range ps {
			agtest.FillUniform(p, r, -1, 1)
		}
		checkGradients(t, ps, func(tp *ag.Tape) *ag.Tensor {
			var xin *ag.Tensor
			if in > 0 {
				xin = x
			}
			return agtest.Project(tp, c.Forward(tp, xin, h))
		})
	}
}

// TestStepGradients checks a whole JUMP step — embedding with batch norm, fast-slow layer with
// lanes running 1, 2 and 3 fast cells, attention over histories of 0, 2 and 1 earlier states,
// and the dwell head — against float64 finite differences.
func TestStepGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(3, 4))
	c := session.Config{Dim: 4, FastScale: 10, MaxFastSteps: 3}
	net := NewNet(be, c, session.Dims{Items: 5, DwellBuckets: 31, MeanLogDwell: 2}, r)
	state := ag.NewParam(be, "state", 3, 12)
	past := ag.NewParam(be, "past", 3*2, 4)
	ps := append(net.Params(), state, past)
	for _, p := range ps {
		agtest.FillUniform(p, r, -1, 1)
	}
	items := []int32{0, 3, 3}
	dwell := []float64{4, 30, 12} // fast steps 1, 3, 2
	checkGradients(t, ps, func(tp *ag.Tape) *ag.Tensor {
		s := session.NewStep(state, items, dwell, true, past, 2, []int{0, 2, 1})
		out := net.Step(tp, s)
		l := tp.Add(agtest.Project(tp, out.State), agtest.Project(tp, out.Session))
		return tp.Add(l, agtest.Project(tp, out.Dwell))
	})
}

// TestFastCellsPerRow: a click's state runs exactly n_k − 1 cells without input after the first two
// (eq. 14), whatever the other clicks of its mini-batch need: Step's h_k against each row run alone.
func TestFastCellsPerRow(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(5, 6))
	net := NewNet(be, session.Config{Dim: 4, FastScale: 10, MaxFastSteps: 3}, session.Dims{Items: 5, DwellBuckets: 31, MeanLogDwell: 2}, r)
	state := ag.NewParam(be, "state", 4, 12)
	for _, p := range append(net.Params(), state) {
		agtest.FillUniform(p, r, -1, 1)
	}
	items := []int32{0, 3, 3, 1}
	dwell := []float64{4, 30, 12, 25} // fast steps 1, 3, 2, 3
	tp := ag.NewTape(be)
	got := tp.SliceCols(net.Step(tp, session.NewStep(state, items, dwell, false, nil, 0, make([]int, 4))).State, 0, 4)

	x := net.Inputs(tp, items, dwell, false)
	h0 := net.First.Forward(tp, x, tp.SliceCols(state, 0, 4))
	h := net.Second.Forward(tp, net.Slow.Forward(tp, h0, tp.SliceCols(state, 4, 8)), h0)
	for row, tau := range dwell {
		want := tp.Gather(h, []int32{int32(row)})
		for range net.FastSteps(tau) - 1 {
			want = net.Fast.Forward(tp, nil, want)
		}
		for j := range 4 {
			if g, w := got.At(row, j), want.At(0, j); math.Abs(g-w) > 1e-12 {
				t.Errorf("row %d (τ %v, %d fast cells) h[%d] = %v, run alone %v", row, tau, net.FastSteps(tau), j, g, w)
			}
		}
	}
}

// TestFastSteps: ⌈τ/z⌉ clamped to [1, max].
func TestFastSteps(t *testing.T) {
	n := &Net{scale: 60, maxSteps: 8}
	for _, c := range []struct {
		tau  float64
		want int
	}{{0, 1}, {1, 1}, {60, 1}, {61, 2}, {180, 3}, {2000, 8}} {
		if got := n.FastSteps(c.tau); got != c.want {
			t.Errorf("FastSteps(%v) = %d, want %d", c.tau, got, c.want)
		}
	}
}

// TestBucket: whole seconds (the paper's T([τ])) or ⌊log2(1 + τ)⌋, capped at c1's row.
func TestBucket(t *testing.T) {
	d := session.Dims{Items: 1, DwellBuckets: 2001}
	sec := NewNet(ag.NewCPU64(), session.Config{Dim: 1, DwellEmbedding: session.EmbedSeconds}, d, rand.New(rand.NewPCG(1, 1)))
	lg := NewNet(ag.NewCPU64(), session.Config{Dim: 1, DwellEmbedding: session.EmbedLog2}, d, rand.New(rand.NewPCG(1, 1)))
	if lg.buckets != 11 || sec.buckets != 2001 {
		t.Errorf("rows: log2 %d, seconds %d; want 11, 2001", lg.buckets, sec.buckets)
	}
	for _, c := range []struct {
		tau       float64
		sec, log2 int32
	}{{0, 0, 0}, {0.9, 0, 0}, {1, 1, 1}, {3, 3, 2}, {30, 30, 4}, {2000, 2000, 10}, {5000, 2000, 10}} {
		if s, l := sec.Bucket(c.tau), lg.Bucket(c.tau); s != c.sec || l != c.log2 {
			t.Errorf("Bucket(%v): seconds %d, log2 %d; want %d, %d", c.tau, s, l, c.sec, c.log2)
		}
	}
}

func TestSmoke(t *testing.T) { sessiontest.Smoke(t, "jump", "    history: 5\n", true) }

func TestDeterministic(t *testing.T) { sessiontest.Deterministic(t, "jump", "") }

func TestConfigFile(t *testing.T) { sessiontest.ConfigFile(t, Spec) }

// TestResume: a checkpoint between epochs resumes bit-identically.
func TestResume(t *testing.T) { sessiontest.Resume(t, "jump", "    history: 5\n") }

// TestDwellGradient: under bptt click with dwell_gradient head the dwell loss trains only the
// dwell head, so the next-click ranks after training cannot depend on σ (the loss's weight); with
// shared the dwell loss also trains the layers the click head uses, and they do; so they do under
// bptt session (the default), where every state is live.
func TestDwellGradient(t *testing.T) {
	d := benchtest.SessionData(t, sessiontest.Preset)
	ranks := func(mode, sigma string) []float64 {
		params := "    history: 5\n    sigma: " + sigma + "\n"
		if mode != "" {
			params += "    bptt: click\n    dwell_gradient: " + mode + "\n"
		}
		m := sessiontest.New(t, "jump", sessiontest.SmallParams+params)
		if err := m.Init(d, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := m.TrainEpoch(context.Background(), d, bench.NoProgress{}); err != nil {
			t.Fatal(err)
		}
		var rs []float64
		if err := m.Evaluate(context.Background(), d, func(p bench.Prediction) { rs = append(rs, p.Rank) }); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if a, b := ranks("head", "0.3"), ranks("head", "30"); !slices.Equal(a, b) {
		t.Error("dwell_gradient head: the click ranks depend on σ")
	}
	if a, b := ranks("shared", "0.3"), ranks("shared", "30"); slices.Equal(a, b) {
		t.Error("dwell_gradient shared: the click ranks do not depend on σ")
	}
	if a, b := ranks("", "0.3"), ranks("", "30"); slices.Equal(a, b) {
		t.Error("bptt session: the click ranks do not depend on σ")
	}
}
