package tbatch

import (
	"slices"
	"testing"
)

// fuzzInput derives a sequence and window options from fuzz bytes. The
// first three bytes pick the options (rule, number of windows or a length);
// then every three bytes are one interaction: user and item ids in [0, 8), so
// that they collide often, and a time step in [0, 3], so that times tie and
// fall on window boundaries.
func fuzzInput(data []byte) (users, items []int32, times []float64, opt WindowOptions) {
	if len(data) >= 3 {
		opt.Rule = Rule(data[0] & 1)
		if data[0]&2 != 0 {
			opt.Length = float64(data[2]%8+1) / 2
		} else {
			opt.NumWindows = int(data[1] % 9) // 0: the default 500
		}
		data = data[3:]
	}
	const maxInteractions = 400 // keeps the quadratic oracle fast
	var t float64
	for len(data) >= 3 && len(users) < maxInteractions {
		t += float64(data[2] % 4)
		users = append(users, int32(data[0]%8))
		items = append(items, int32(data[1]%8))
		times = append(times, t)
		data = data[3:]
	}
	return users, items, times, opt
}

func FuzzTBatch(f *testing.F) {
	// The paper's running example, one window, then with 2 grid windows.
	paper := []byte{0, 1, 0, 0, 0, 1, 1, 0, 1, 2, 1, 1, 0, 1, 1, 1, 1, 1, 2, 2, 1, 1, 2, 1, 2, 3, 1, 1, 3, 0}
	f.Add(paper)
	f.Add(append([]byte{0, 2, 0}, paper[3:]...))
	f.Add(append([]byte{1, 3, 0}, paper[3:]...))
	f.Add(append([]byte{3, 0, 5}, paper[3:]...))
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 7, 7, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		users, items, times, opt := fuzzInput(data)
		whole := Compute(users, items)
		checkBatches(t, users, items, times, whole)
		b, err := ComputeWindowed(users, items, times, opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		checkWindowed(t, users, items, times, opt, b, whole, true)
		for _, max := range []int{1, 2, 3} {
			split := b.SplitLarger(max)
			checkBatches(t, users, items, times, split)
			if split.NumWindows() != b.NumWindows() {
				t.Fatalf("SplitLarger(%d): %d windows, want %d", max, split.NumWindows(), b.NumWindows())
			}
			for k := range split.NumBatches() {
				if len(split.Batch(k)) > max {
					t.Fatalf("SplitLarger(%d): batch %d holds %d", max, k, len(split.Batch(k)))
				}
			}
		}

		// A reused Builder gives the same result as a fresh one.
		var bd Builder
		dst := Compute([]int32{3, 1, 2}, []int32{0, 0, 9})
		bd.Compute(dst, []int32{5, 5}, []int32{7, 6})
		got, err := bd.ComputeWindowed(dst, users, items, times, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Order, b.Order) || !slices.Equal(got.BatchStart, b.BatchStart) || !slices.Equal(got.WindowStart, b.WindowStart) {
			t.Fatalf("reused Builder: %+v, fresh %+v", got, b)
		}
	})
}
