package coupled

import (
	"errors"
	"slices"
	"testing"

	"github.com/tibench/tibench/bench/tbatch"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

func TestBackpropStepsSplitLargeWindows(t *testing.T) {
	// One window of 8 interactions in t-batches of sizes 3, 2, 2, 1 (user 0 every time), cut at 4.
	users := []int32{0, 1, 2, 0, 1, 0, 1, 0}
	items := []int32{0, 1, 2, 3, 4, 5, 6, 7}
	b, err := tbatch.ComputeWindowed(users, items, make([]float64, 8), tbatch.WindowOptions{NumWindows: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := BackpropSteps(b, 4), []int{0, 1, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v (batches of 3 | 2+2 | 1)", got, want)
	}
	if got, want := BackpropSteps(b, 100), []int{0, 4}; !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v (one window, one step)", got, want)
	}
}

// TestClosedPrefix: the original trains only up to the last window its rolling rule closes
// (hand-computed prefixes).
func TestClosedPrefix(t *testing.T) {
	for _, c := range []struct {
		times  []float64
		length float64
		want   int
	}{
		{[]float64{0, 1, 2, 3, 4, 5, 6}, 2, 7}, // closes after t=3 (3−0 > 2) and t=6 (6−3 > 2)
		{[]float64{0, 1, 2, 3, 4, 5}, 2, 4},    // closes after t=3; 5−3 = 2 does not close: 4, 5 dropped
		{[]float64{0, 0, 2.5, 2.5, 3}, 2, 3},   // closes after the first 2.5; 3−2.5 does not close
		{[]float64{0, 1, 2}, 5, 3},             // nothing closes: everything is kept
		{nil, 1, 0},
	} {
		if got := ClosedPrefix(c.times, c.length); got != c.want {
			t.Errorf("ClosedPrefix(%v, %v) = %d, want %d", c.times, c.length, got, c.want)
		}
	}
}

// TestOnlineWindows: the original's rule, by hand: windows of length 2 starting at t=0 close at the
// first time more than 2 after their start (t=2.5, then 5), and each closing time starts the next.
func TestOnlineWindows(t *testing.T) {
	w := OnlineWindows{Len: 2}
	w.Start(0)
	var closed []float64
	for _, at := range []float64{0, 1, 2, 2.5, 3, 4.5, 5, 5, 7.5} {
		if w.Closes(at) {
			closed = append(closed, at)
		}
	}
	if want := []float64{2.5, 5, 7.5}; !slices.Equal(closed, want) {
		t.Errorf("windows closed at %v, want %v", closed, want)
	}
}

// TestLossSumAndLearn: the sum of two losses backpropagates once; a loss that reaches no parameter
// is no step with emptyOK and an error without it.
func TestLossSumAndLearn(t *testing.T) {
	be := ag.NewCPU64()
	p := ag.NewParam(be, "p", 1, 1)
	p.CopyFrom64([]float64{3})
	opt := nn.NewSGD(nn.Params{p}, nn.OptimConfig{LR: 0.5})
	tp := ag.NewTape(be)
	sum := NewLossSum(tp)
	if sum.Total() != nil {
		t.Fatal("empty sum is not nil")
	}
	sum.Add(tp.Mul(p, p))   // d/dp p² = 6
	sum.Add(tp.Scale(p, 2)) // d/dp 2p = 2
	if got := sum.Total().Scalar(); got != 15 {
		t.Errorf("loss %v, want 9 + 6 = 15", got)
	}
	if err := Learn(tp, sum.Total(), opt, false); err != nil {
		t.Fatal(err)
	}
	if got := p.At(0, 0); got != 3-0.5*8 {
		t.Errorf("after one SGD step p = %v, want 3 − 0.5·8 = −1", got)
	}
	tp.Reset()
	sum.Reset()
	constant := tp.Input(1, 1, []float32{1})
	if err := Learn(tp, constant, opt, true); err != nil {
		t.Errorf("emptyOK: %v", err)
	}
	if err := Learn(tp, constant, opt, false); !errors.Is(err, ag.ErrNoGraph) {
		t.Errorf("without emptyOK: %v, want ag.ErrNoGraph", err)
	}
}
