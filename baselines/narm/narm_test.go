package narm

import (
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

// TestStepGradients checks a NARM step — GRU, local attention over histories of 0, 2 and 1
// earlier states, bilinear decoder — against float64 finite differences.
func TestStepGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(5, 6))
	net := NewNet(be, 3, 4, r)
	state := ag.NewParam(be, "state", 3, 3)
	past := ag.NewParam(be, "past", 3*2, 3)
	ps := append(net.Params(), state, past)
	for _, p := range ps {
		agtest.FillUniform(p, r, -1, 1)
	}
	mis, err := agtest.CheckGradients(ps, func(tp *ag.Tape) *ag.Tensor {
		s := session.NewStep(state, []int32{1, 3, 0}, []float64{1, 2, 3}, true, past, 2, []int{0, 2, 1})
		out := net.Step(tp, s)
		return tp.Add(agtest.Project(tp, out.State), agtest.Project(tp, out.Session))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mis {
		t.Error(m)
	}
}

// TestPaddingIgnored: a lane's session vector does not depend on the padding rows of its history.
func TestPaddingIgnored(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(7, 8))
	net := NewNet(be, 3, 4, r)
	tp := ag.NewTape(be)
	state := tp.Input64(2, 3, []float64{0.1, 0.2, 0.3, -0.1, 0.4, 0})
	run := func(pad float64) float64 {
		past := tp.Input64(2*2, 3, []float64{1, 2, 3, pad, pad, pad, 4, 5, 6, 7, 8, 9})
		out := net.Step(tp, session.NewStep(state, []int32{1, 2}, []float64{0, 0}, false, past, 2, []int{1, 2}))
		return out.Session.At(0, 0)
	}
	if a, b := run(0), run(100); a != b {
		t.Errorf("padding changed lane 0's session vector: %v vs %v", a, b)
	}
}

func TestSmoke(t *testing.T) { sessiontest.Smoke(t, "narm", "    history: 5\n", false) }

func TestDeterministic(t *testing.T) { sessiontest.Deterministic(t, "narm", "") }

func TestConfigFile(t *testing.T) { sessiontest.ConfigFile(t, Spec) }

// TestResume: a checkpoint between epochs resumes bit-identically.
func TestResume(t *testing.T) { sessiontest.Resume(t, "narm", "    history: 5\n") }
