package coupled

import (
	"slices"
	"testing"

	"github.com/tibench/tibench/bench/tbatch"
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
