package datasets

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
)

// Hand-computed from testdata/small.csv (times 0,2,5,7,10,10,16,20; users alice,bob,alice,alice,
// carol,bob,alice,bob; items x,y,y,y,x,z,x,z). A first interaction's delta is its time since the
// first row, as in JODIE.
var (
	smallDeltaUser = []float64{0, 2, 5, 2, 10, 8, 9, 10}
	smallDeltaItem = []float64{0, 2, 3, 2, 10, 10, 6, 10}
	smallPrevItem  = []int32{-1, -1, 0, 1, -1, 1, 1, 2}
)

func TestComputeTimeFeatures(t *testing.T) {
	d, _, err := LoadCSV(context.Background(), "testdata/small.csv", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		norm     Normalisation
		trainEnd int
		// mean and population variance, by hand:
		// global user: sum 46/8 = 5.75, squared deviations sum 113.5 -> 14.1875;
		// global item: 43/8 = 5.375, 121.875/8 = 15.234375;
		// train (first 4 rows) user: 9/4 = 2.25, 12.75/4 = 3.1875; item: 7/4 = 1.75, 4.75/4 = 1.1875.
		uMean, uVar, iMean, iVar float64
		statRows                 int
	}{
		{"global", NormGlobal, 0, 5.75, 14.1875, 5.375, 15.234375, 8},
		{"train", NormTrain, 4, 2.25, 3.1875, 1.75, 1.1875, 4},
		{"default is train", "", 4, 2.25, 3.1875, 1.75, 1.1875, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ComputeTimeFeatures(d, tc.norm, tc.trainEnd)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.RawUser, smallDeltaUser) || !reflect.DeepEqual(f.RawItem, smallDeltaItem) {
				t.Errorf("raw deltas %v %v", f.RawUser, f.RawItem)
			}
			if !reflect.DeepEqual(f.PrevItem, smallPrevItem) {
				t.Errorf("previous items %v, want %v", f.PrevItem, smallPrevItem)
			}
			if f.StatRows != tc.statRows || f.UserMean != tc.uMean || f.ItemMean != tc.iMean ||
				math.Abs(f.UserStd-math.Sqrt(tc.uVar)) > 1e-12 || math.Abs(f.ItemStd-math.Sqrt(tc.iVar)) > 1e-12 {
				t.Errorf("stats rows %d user %v±%v item %v±%v", f.StatRows, f.UserMean, f.UserStd, f.ItemMean, f.ItemStd)
			}
			for i := range smallDeltaUser {
				wu := (smallDeltaUser[i] - tc.uMean) / math.Sqrt(tc.uVar)
				wi := (smallDeltaItem[i] - tc.iMean) / math.Sqrt(tc.iVar)
				if math.Abs(float64(f.DeltaUser[i])-wu) > 1e-6 || math.Abs(float64(f.DeltaItem[i])-wi) > 1e-6 {
					t.Errorf("row %d: z %v %v, want %v %v", i, f.DeltaUser[i], f.DeltaItem[i], wu, wi)
				}
			}
		})
	}
	// Spot check against a number worked out on paper: the first row's global user z-score is
	// -5.75/sqrt(14.1875) = -1.5265636...
	f, _ := ComputeTimeFeatures(d, NormGlobal, 0)
	if math.Abs(float64(f.DeltaUser[0])+1.5265636) > 1e-6 {
		t.Errorf("z[0] = %v", f.DeltaUser[0])
	}
}

func TestComputeTimeFeaturesConstant(t *testing.T) {
	// All deltas equal: sklearn leaves the scale at 1, so z = delta - mean = 0.
	d := &Dataset{Users: []int32{0, 0, 0}, Items: []int32{0, 0, 0}, Times: []float64{0, 0, 0}, Labels: []uint8{0, 0, 0},
		UserIDs: []string{"u"}, ItemIDs: []string{"i"}}
	f, err := ComputeTimeFeatures(d, NormGlobal, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.UserStd != 1 || !reflect.DeepEqual(f.DeltaUser, []float32{0, 0, 0}) || !reflect.DeepEqual(f.PrevItem, []int32{-1, 0, 0}) {
		t.Errorf("%+v", f)
	}
}

func TestComputeTimeFeaturesErrors(t *testing.T) {
	d, _, err := LoadCSV(context.Background(), "testdata/small.csv", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		norm     Normalisation
		trainEnd int
		want     error
	}{{"zscore", 4, ErrNormalisation}, {NormTrain, 0, ErrSplit}, {NormTrain, 9, ErrSplit}} {
		if _, err := ComputeTimeFeatures(d, tc.norm, tc.trainEnd); !errors.Is(err, tc.want) {
			t.Errorf("%q, %d: got %v, want %v", tc.norm, tc.trainEnd, err, tc.want)
		}
	}
}

func TestParseNormalisation(t *testing.T) {
	for in, want := range map[string]Normalisation{"": NormTrain, "train": NormTrain, "global": NormGlobal} {
		if got, err := ParseNormalisation(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	_, err := ParseNormalisation("Global")
	if !errors.Is(err, ErrNormalisation) || err.Error() != `datasets: unknown time-delta normalisation "Global" (valid: train, global)` {
		t.Errorf("got %v", err)
	}
}

func TestSummarize(t *testing.T) {
	d, _, err := LoadCSV(context.Background(), "testdata/small.csv", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Repeats by hand: rows 3 (alice y after y) and 7 (bob z after z) among the 5 rows whose
	// user has a previous item -> 2/5; labels 2 of 8.
	want := Summary{Name: "small", Interactions: 8, Users: 3, Items: 3, TimeSpan: 20, RepeatRate: 0.4, Positives: 2, LabelRate: 0.25, FeatureDim: 1}
	if got := Summarize(d); got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
