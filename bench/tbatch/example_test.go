package tbatch_test

import (
	"fmt"

	"github.com/tibench/tibench/bench/tbatch"
)

// The running example of the paper (Example 4.1): three users and four
// items, nine interactions, five t-batches.
func ExampleCompute() {
	users := []int32{0, 1, 2, 0, 1, 2, 1, 2, 1}
	items := []int32{0, 0, 1, 1, 1, 2, 2, 3, 3}
	b := tbatch.Compute(users, items)
	for k := range b.NumBatches() {
		fmt.Print("B", k+1, ":")
		for _, j := range b.Batch(k) {
			fmt.Printf(" (u%d,i%d)", users[j]+1, items[j]+1)
		}
		fmt.Println()
	}
	fmt.Printf("%.1f interactions per batch\n", b.MeanBatchSize())
	// Output:
	// B1: (u1,i1) (u3,i2)
	// B2: (u2,i1) (u1,i2) (u3,i3)
	// B3: (u2,i2) (u3,i4)
	// B4: (u2,i3)
	// B5: (u2,i4)
	// 1.8 interactions per batch
}

// A training loop over windows: the t-batches of a window run in order,
// their losses are summed, then one backward pass and optimizer step.
func ExampleComputeWindowed() {
	users := []int32{0, 1, 0, 2, 1, 0, 0, 1, 2, 2, 1}
	items := []int32{0, 0, 1, 2, 1, 0, 1, 2, 0, 2, 1}
	times := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	b, err := tbatch.ComputeWindowed(users, items, times, tbatch.WindowOptions{NumWindows: 2})
	if err != nil {
		panic(err)
	}
	for w := range b.NumWindows() {
		first, end := b.Window(w)
		for k := first; k < end; k++ {
			fmt.Println("window", w, "batch", k, b.Batch(k)) // forward pass, add the loss
		}
		fmt.Println("window", w, "backward pass")
	}
	// Output:
	// window 0 batch 0 [0 3]
	// window 0 batch 1 [1 2]
	// window 0 batch 2 [4]
	// window 0 backward pass
	// window 1 batch 3 [5 7]
	// window 1 batch 4 [6 8]
	// window 1 batch 5 [9 10]
	// window 1 backward pass
}
