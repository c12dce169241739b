package atrp

import (
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

// TestStepGradients checks a step (twin GRUs, attention over histories of 0, 2 and 1 earlier
// states, both heads) against float64 finite differences; the intensity law's derivatives are
// checked in package session.
func TestStepGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(13, 14))
	net := NewNet(be, 3, session.Dims{Items: 4, MeanLogDwell: 3}, r)
	state := ag.NewParam(be, "state", 3, 7)
	past := ag.NewParam(be, "past", 3*2, 3)
	ps := append(net.Params(), state, past)
	for _, p := range ps {
		agtest.FillUniform(p, r, -1, 1)
	}
	mis, err := agtest.CheckGradients(ps, func(tp *ag.Tape) *ag.Tensor {
		out := net.Step(tp, session.NewStep(state, []int32{2, 0, 1}, []float64{10, 300, 0}, true, past, 2, []int{0, 2, 1}))
		l := tp.Add(agtest.Project(tp, out.Session), agtest.Project(tp, out.Dwell))
		return tp.Add(l, agtest.Project(tp, out.State))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mis {
		t.Error(m)
	}
}

// TestNoPeek: neither head depends on the current click's own dwell.
func TestNoPeek(t *testing.T) {
	be := ag.NewCPU64()
	net := NewNet(be, 3, session.Dims{Items: 4, MeanLogDwell: 3}, rand.New(rand.NewPCG(1, 2)))
	tp := ag.NewTape(be)
	state := tp.Input64(1, 7, []float64{0.1, -0.2, 0.3, 0, 0.5, -0.5, 1})
	a := net.Step(tp, session.NewStep(state, []int32{1}, []float64{5}, false, nil, 0, []int{0}))
	b := net.Step(tp, session.NewStep(state, []int32{1}, []float64{1500}, false, nil, 0, []int{0}))
	if a.Dwell.At(0, 0) != b.Dwell.At(0, 0) || a.Session.At(0, 1) != b.Session.At(0, 1) {
		t.Error("the click's own dwell reached its predictions")
	}
	if a.State.At(0, 6) == b.State.At(0, 6) {
		t.Error("the click's dwell did not reach the next click's input")
	}
}

func TestSmoke(t *testing.T) { sessiontest.Smoke(t, "atrp", "    history: 5\n", true) }

func TestDeterministic(t *testing.T) { sessiontest.Deterministic(t, "atrp", "") }

func TestConfigFile(t *testing.T) { sessiontest.ConfigFile(t, Spec) }

// TestResume: a checkpoint between epochs resumes bit-identically.
func TestResume(t *testing.T) { sessiontest.Resume(t, "atrp", "    history: 5\n") }
