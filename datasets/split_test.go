package datasets

import (
	"errors"
	"math"
	"testing"
)

func TestSplitFractions(t *testing.T) {
	for _, tc := range []struct {
		name             string
		n                int
		train, val, test float64
		want             [3]int
	}{
		// Oracle: the original JODIE code (srijankr/jodie) trains on 125,979 of Wikipedia's 157,474
		// interactions
		// (int(157474*0.8)); int(157474*0.9) = int(141726.6) = 141726.
		{"wikipedia next-item", 157474, NextItemTrain, NextItemVal, NextItemTest, [3]int{125979, 141726, 157474}},
		{"state change", 100, StateChangeTrain, StateChangeVal, StateChangeTest, [3]int{60, 80, 100}},
		{"0.7+0.1 of 10 is 8", 10, 0.7, 0.1, 0.2, [3]int{7, 8, 10}},
		{"floors", 7, 0.5, 0.25, 0.25, [3]int{3, 5, 7}},
		{"unused tail", 100, 0.5, 0.1, 0.1, [3]int{50, 60, 70}},
		{"train only", 10, 0.5, 0, 0, [3]int{5, 5, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := SplitFractions(tc.n, tc.train, tc.val, tc.test)
			if err != nil {
				t.Fatal(err)
			}
			if got := [3]int{s.TrainEnd, s.ValEnd, s.TestEnd}; got != tc.want || s.N != tc.n {
				t.Errorf("got %v, want %v", s, tc.want)
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	for _, tc := range []struct {
		name             string
		n                int
		train, val, test float64
		want             string
	}{
		{"sum above 1", 100, 0.8, 0.2, 0.1, "datasets: invalid split: fractions train 0.8 + validation 0.2 + test 0.1 = 1.1 exceed 1"},
		{"negative", 100, 0.8, -0.1, 0.1, "datasets: invalid split: fractions train 0.8, validation -0.1, test 0.1: each must be in [0,1]"},
		{"NaN", 100, math.NaN(), 0.1, 0.1, "datasets: invalid split: fractions train NaN, validation 0.1, test 0.1: each must be in [0,1]"},
		{"no training", 100, 0, 0.5, 0.5, "datasets: invalid split: the training fraction must be positive"},
		{"no rows", 0, 0.8, 0.1, 0.1, "datasets: invalid split: train=[0,0) val=[0,0) test=[0,0) of 0: want 0 < train end <= validation end <= test end <= rows"},
		{"empty validation", 3, 0.8, 0.1, 0.1, "datasets: invalid split: train=[0,2) val=[2,2) test=[2,3) of 3: fractions 0.8/0.1/0.1 leave a part empty (too few rows or distinct times)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := SplitFractions(tc.n, tc.train, tc.val, tc.test)
			if !errors.Is(err, ErrSplit) || err.Error() != tc.want {
				t.Errorf("got %v, %v\nwant %s", s, err, tc.want)
			}
		})
	}
}

func TestSplitString(t *testing.T) {
	s := Split{N: 100, TrainEnd: 80, ValEnd: 90, TestEnd: 100}
	if got, want := s.String(), "train=[0,80) val=[80,90) test=[90,100) of 100"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if s.TrainLen() != 80 || s.ValLen() != 10 || s.TestLen() != 10 {
		t.Errorf("lengths %d %d %d", s.TrainLen(), s.ValLen(), s.TestLen())
	}
	if err := (Split{N: 10, TrainEnd: 5, ValEnd: 4, TestEnd: 10}).Validate(); !errors.Is(err, ErrSplit) {
		t.Errorf("decreasing bounds: %v", err)
	}
}

func TestSplitByTime(t *testing.T) {
	d := &Dataset{Name: "t", Times: []float64{0, 1, 1, 1, 2, 3, 4, 5, 5, 6}, Users: make([]int32, 10)}
	for _, tc := range []struct {
		name             string
		train, val, test float64
		want             [3]int
		wantErr          bool
	}{
		// np.quantile(times, 0.5) = x[4] + 0.5*(x[5]-x[4]) = 2.5 -> 5 rows <= 2.5;
		// np.quantile(times, 0.7) = x[6] + 0.3*(x[7]-x[6]) = 4.3 -> 7 rows.
		{"50/20/30", 0.5, 0.2, 0.3, [3]int{5, 7, 10}, false},
		// np.quantile(times, 0.2) = x[1] + 0.8*(x[2]-x[1]) = 1: the three rows at time 1 stay
		// together in training (4 rows, not 2).
		{"ties stay together", 0.2, 0.3, 0.5, [3]int{4, 5, 10}, false},
		// np.quantile(times, 0.4) = x[3] + 0.6*(x[4]-x[3]) = 1.6 -> still 4 rows: validation empty.
		{"tie swallows validation", 0.2, 0.2, 0.6, [3]int{}, true},
		// 0.7+0.2+0.1 = 0.9999999999999999 must still reach the last row.
		{"sum just below 1", 0.7, 0.2, 0.1, [3]int{7, 9, 10}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := SplitByTime(d, tc.train, tc.val, tc.test)
			if tc.wantErr {
				if !errors.Is(err, ErrSplit) {
					t.Errorf("got %v, %v; want ErrSplit", s, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := [3]int{s.TrainEnd, s.ValEnd, s.TestEnd}; got != tc.want {
				t.Errorf("got %v, want %v", s, tc.want)
			}
		})
	}
	if _, err := SplitByTime(&Dataset{Name: "empty"}, 0.8, 0.1, 0.1); !errors.Is(err, ErrSplit) {
		t.Errorf("empty dataset: %v", err)
	}
}

func TestTrainSweep(t *testing.T) {
	ss, err := TrainSweep(1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 8 {
		t.Fatalf("%d splits, want 8", len(ss))
	}
	for k, s := range ss {
		f := 100 * (k + 1) // training rows for fraction (k+1)/10 of 1000
		if s.TrainEnd != f || s.ValEnd != f+100 || s.TestEnd != f+200 {
			t.Errorf("fraction %d/10: %v", k+1, s)
		}
	}
	if _, err := TrainSweep(1000, []float64{0.5, 0.9}); !errors.Is(err, ErrSplit) || err.Error() != "training fraction 0.9: datasets: invalid split: fractions train 0.9 + validation 0.1 + test 0.1 = 1.1 exceed 1" {
		t.Errorf("0.9: %v", err)
	}
}
