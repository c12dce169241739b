package datasets

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Split cuts a time-ordered dataset into consecutive row ranges: training [0,TrainEnd),
// validation [TrainEnd,ValEnd) and test [ValEnd,TestEnd). Rows [TestEnd,N) are unused (the
// train-fraction sweep leaves a tail).
type Split struct {
	N        int // rows in the dataset
	TrainEnd int
	ValEnd   int
	TestEnd  int
}

// ErrSplit is wrapped by errors about split fractions and boundaries.
var ErrSplit = errors.New("datasets: invalid split")

// String describes the split for records, e.g. "train=[0,80) val=[80,90) test=[90,100) of 100".
func (s Split) String() string {
	return fmt.Sprintf("train=[0,%d) val=[%d,%d) test=[%d,%d) of %d", s.TrainEnd, s.TrainEnd, s.ValEnd, s.ValEnd, s.TestEnd, s.N)
}

// TrainLen is the number of training rows.
func (s Split) TrainLen() int { return s.TrainEnd }

// ValLen is the number of validation rows.
func (s Split) ValLen() int { return s.ValEnd - s.TrainEnd }

// TestLen is the number of test rows.
func (s Split) TestLen() int { return s.TestEnd - s.ValEnd }

// Validate checks 0 < TrainEnd <= ValEnd <= TestEnd <= N.
func (s Split) Validate() error {
	if !(0 < s.TrainEnd && s.TrainEnd <= s.ValEnd && s.ValEnd <= s.TestEnd && s.TestEnd <= s.N) {
		return fmt.Errorf("%w: %v: want 0 < train end <= validation end <= test end <= rows", ErrSplit, s)
	}
	return nil
}

// JODIE's splits, by row index as in the original code (srijankr/jodie): interaction prediction
// trains on the first 80%, validates on the next 10% and tests on the last 10%; state-change
// prediction uses 60/20/20.
const (
	NextItemTrain, NextItemVal, NextItemTest          = 0.8, 0.1, 0.1
	StateChangeTrain, StateChangeVal, StateChangeTest = 0.6, 0.2, 0.2
)

// SweepVal and SweepTest are the validation and test shares that follow each training fraction in
// TrainSweep.
const SweepVal, SweepTest = 0.1, 0.1

const (
	fractionTolerance = 1e-9 // fractions may exceed a sum of 1 by rounding
	boundaryTolerance = 1e-6 // see boundary
)

func checkFractions(train, val, test float64) error {
	for _, f := range []float64{train, val, test} {
		if !(f >= 0 && f <= 1) { // also rejects NaN
			return fmt.Errorf("%w: fractions train %v, validation %v, test %v: each must be in [0,1]", ErrSplit, train, val, test)
		}
	}
	if train == 0 {
		return fmt.Errorf("%w: the training fraction must be positive", ErrSplit)
	}
	if sum := train + val + test; sum > 1+fractionTolerance {
		return fmt.Errorf("%w: fractions train %v + validation %v + test %v = %v exceed 1", ErrSplit, train, val, test, sum)
	}
	return nil
}

// boundary is floor(n*c) for a cumulative fraction c, as JODIE's int(n * proportion), except that
// values within 1e-6 below an integer round up, so that 0.7+0.1 of 10 rows (7.999999999999999)
// gives 8. It is clamped to n.
func boundary(n int, c float64) int {
	return min(n, int(math.Floor(float64(n)*c+boundaryTolerance)))
}

// SplitFractions splits n rows by row index: the first train share, the next val share and then
// the next test share (JODIE: 0.8, 0.1, 0.1 and 0.6, 0.2, 0.2). Fractions must be in [0,1], train
// positive, and sum to at most 1; every part of a non-zero fraction must get at least one row.
func SplitFractions(n int, train, val, test float64) (Split, error) {
	if err := checkFractions(train, val, test); err != nil {
		return Split{}, err
	}
	s := Split{N: n, TrainEnd: boundary(n, train), ValEnd: boundary(n, train+val), TestEnd: boundary(n, train+val+test)}
	return s, s.checkNonEmpty(train, val, test)
}

func (s Split) checkNonEmpty(train, val, test float64) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if (val > 0 && s.ValLen() == 0) || (test > 0 && s.TestLen() == 0) {
		return fmt.Errorf("%w: %v: fractions %v/%v/%v leave a part empty (too few rows or distinct times)", ErrSplit, s, train, val, test)
	}
	return nil
}

// SplitByTime splits d at time quantiles, as DyGLib does (np.quantile with linear interpolation
// over the rows' timestamps): training holds the rows with time <= the train quantile, validation
// those up to the train+val quantile, test those up to the train+val+test quantile. Rows with equal
// times therefore always land in the same part.
func SplitByTime(d *Dataset, train, val, test float64) (Split, error) {
	if err := checkFractions(train, val, test); err != nil {
		return Split{}, err
	}
	n := d.Len()
	if n == 0 {
		return Split{}, fmt.Errorf("%w: dataset %q is empty", ErrSplit, d.Name)
	}
	cut := func(c float64) int {
		if c >= 1-fractionTolerance {
			return n
		}
		q := quantile(d.Times, c)
		return sort.Search(n, func(i int) bool { return d.Times[i] > q }) // rows with time <= q
	}
	s := Split{N: n, TrainEnd: cut(train), ValEnd: cut(train + val), TestEnd: cut(train + val + test)}
	return s, s.checkNonEmpty(train, val, test)
}

// quantile is numpy's default (linear) quantile of sorted x.
func quantile(x []float64, q float64) float64 {
	h := float64(len(x)-1) * q
	lo := int(math.Floor(h))
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}

// TrainSweep returns the splits of JODIE's training-fraction (robustness) experiment: for each
// training fraction f, train on the first f, validate on the next 10% and test on the 10% after.
// nil fractions mean 0.1, 0.2, ..., 0.8.
func TrainSweep(n int, fractions []float64) ([]Split, error) {
	if fractions == nil {
		for k := 1; k <= 8; k++ {
			fractions = append(fractions, float64(k)/10)
		}
	}
	out := make([]Split, 0, len(fractions))
	for _, f := range fractions {
		s, err := SplitFractions(n, f, SweepVal, SweepTest)
		if err != nil {
			return nil, fmt.Errorf("training fraction %v: %w", f, err)
		}
		out = append(out, s)
	}
	return out, nil
}
