package datasets

import (
	"math"
	"testing"
)

// TestCategoryTargetCorrelation by hand. Items 0..3 have categories 7, 7, 8, 8; targets of category
// 7 are items 0 and 1. Four samples with a target of category 7 (and one of category 8, ignored):
//
//	history (oldest first)   label   position 1 (most recent)   position 2
//	[2, 0]                   1       item 0 → 7                 item 2 → 8
//	[3, 1]                   1       item 1 → 7                 item 3 → 8
//	[0, 2]                   0       item 2 → 8                 item 0 → 7
//	[3]                      0       item 3 → 8                 none
//
// Category 7 at position 1: X = (1, 1, 0, 0), Y = (1, 1, 0, 0): X = Y, a fair coin, so MI = H(Y) =
// log 2. At position 2: X = (0, 0, 1, 0), Y = (1, 1, 0, 0): cells (x,y) (0,1)=2, (0,0)=1, (1,0)=1;
// P(x=0) = 3/4, P(x=1) = 1/4, P(y) = 1/2 each:
// MI = 2/4·log((2/4)/(3/4·1/2)) + 1/4·log((1/4)/(3/4·1/2)) + 1/4·log((1/4)/(1/4·1/2)), that is
// 1/2·log(4/3) + 1/4·log(2/3) + 1/4·log 2 = 0.215762…
// Category 8 at position 1 is the complement of category 7's there, and at position 2 it is
// (1, 1, 0, 0) = Y (a missing behaviour counts as x = 0): log 2 both.
func TestCategoryTargetCorrelation(t *testing.T) {
	c := &CTRSplit{Name: "hand", Categories: []int32{7, 7, 8, 8}}
	samples := []CTRSample{
		{History: []int32{2, 0}, Target: 1, Label: 1},
		{History: []int32{3, 1}, Target: 0, Label: 1},
		{History: []int32{0, 2}, Target: 0, Label: 0},
		{History: []int32{3}, Target: 1, Label: 0},
		{History: []int32{0, 1}, Target: 2, Label: 1}, // target category 8: not counted
	}
	got, err := CategoryTargetCorrelation(c, samples, 7, []int32{7, 8}, 2)
	if err != nil {
		t.Fatal(err)
	}
	pos2 := 0.5*math.Log(4.0/3) + 0.25*math.Log(2.0/3) + 0.25*math.Log(2)
	want := [][]float64{{math.Ln2, pos2}, {math.Ln2, math.Ln2}}
	for i := range want {
		for p := range want[i] {
			if math.Abs(got[i][p]-want[i][p]) > 1e-12 {
				t.Errorf("category %d position %d: MI %v, want %v", []int32{7, 8}[i], p+1, got[i][p], want[i][p])
			}
		}
	}
	if math.Abs(pos2-0.215762) > 1e-6 {
		t.Errorf("hand value %v", pos2)
	}
	for _, bad := range []struct {
		c      *CTRSplit
		target int32
		maxPos int
	}{{&CTRSplit{Name: "none"}, 7, 2}, {c, 9, 2}, {c, 7, 0}} {
		if _, err := CategoryTargetCorrelation(bad.c, samples, bad.target, []int32{7}, bad.maxPos); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestMutualInformationIndependent: independent variables have MI 0, never a negative rounding.
func TestMutualInformationIndependent(t *testing.T) {
	if mi := mutualInformation([2][2]float64{{3, 3}, {5, 5}}, 16); mi != 0 {
		t.Errorf("MI of independent variables %v, want 0", mi)
	}
}
