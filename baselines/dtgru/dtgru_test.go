package dtgru

import (
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/baselines/internal/session/sessiontest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

// TestCellGradients checks the time-gated GRU cell against float64 finite differences.
func TestCellGradients(t *testing.T) {
	be := ag.NewCPU64()
	r := rand.New(rand.NewPCG(9, 10))
	c := NewCell(be, "c", 3, 4, r)
	x := ag.NewParam(be, "x", 2, 3)
	h := ag.NewParam(be, "h", 2, 4)
	ps := append(c.Params(), x, h)
	for _, p := range ps {
		agtest.FillUniform(p, r, -1, 1)
	}
	mis, err := agtest.CheckGradients(ps, func(tp *ag.Tape) *ag.Tensor {
		return agtest.Project(tp, c.Forward(tp, x, h, tp.Input64(2, 1, []float64{0.5, 3})))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mis {
		t.Error(m)
	}
}

// TestDwellMatters: the same clicks with other dwell times give another state.
func TestDwellMatters(t *testing.T) {
	be := ag.NewCPU64()
	c := NewCell(be, "c", 2, 2, rand.New(rand.NewPCG(1, 1)))
	tp := ag.NewTape(be)
	x, h := tp.Input64(1, 2, []float64{1, -1}), tp.Input64(1, 2, []float64{0.5, 0.5})
	a := c.Forward(tp, x, h, tp.Input64(1, 1, []float64{0})).At(0, 0)
	b := c.Forward(tp, x, h, tp.Input64(1, 1, []float64{6})).At(0, 0)
	if a == b {
		t.Errorf("dwell 0 and e^6 − 1 s give the same state %v", a)
	}
}

func TestSmoke(t *testing.T) { sessiontest.Smoke(t, "dtgru", "", false) }

func TestDeterministic(t *testing.T) { sessiontest.Deterministic(t, "dtgru", "") }

func TestConfigFile(t *testing.T) { sessiontest.ConfigFile(t, Spec) }

// TestResume: a checkpoint between epochs resumes bit-identically.
func TestResume(t *testing.T) { sessiontest.Resume(t, "dtgru", "") }
