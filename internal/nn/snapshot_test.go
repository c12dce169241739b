package nn

import (
	"slices"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

func TestSnapshotRestoresParamsAndAdam(t *testing.T) {
	be := ag.NewCPU64()
	p := ag.NewParam(be, "p", 1, 2)
	p.CopyFrom64([]float64{1, -1})
	opt := NewAdam(Params{p}, OptimConfig{LR: 0.1})
	step := func(g float64) {
		p.ZeroGrad()
		be.Fill(p.GradStorage(), g)
		opt.Step()
	}
	step(0.5)
	var s Snapshot
	s.Take(Params{p}, opt)
	step(0.25)
	want := p.Values()
	s.Restore()
	step(0.25) // the same step from the restored state must give the same values
	if got := p.Values(); !slices.Equal(got, want) {
		t.Errorf("after restore and the same step: %v, want %v", got, want)
	}
}
