package datasets

import (
	"errors"
	"slices"
	"testing"
)

func TestCategoryMatchByPosition(t *testing.T) {
	// User 0: categories a b a a; user 1: categories b b.
	// Position 1 pairs: (b,a) (a,b) (a,a) | (b,b) -> 2 of 4. Position 2: (a,a) (a,b) -> 1 of 2.
	// Position 3: (a,a) -> 1 of 1.
	d := &Dataset{
		Users:          []int32{0, 0, 1, 0, 1, 0},
		Items:          []int32{0, 1, 2, 0, 1, 3},
		ItemCategories: []int32{7, 8, 8, 7},
		UserIDs:        []string{"u0", "u1"},
		ItemIDs:        []string{"i0", "i1", "i2", "i3"},
	}
	tests := []struct {
		maxPos int
		want   []float64
	}{
		{3, []float64{0.5, 0.5, 1}},
		{1, []float64{0.5}},
		{0, nil},
	}
	for _, tt := range tests {
		if got := CategoryMatchByPosition(d, tt.maxPos); !slices.Equal(got, tt.want) {
			t.Errorf("maxPos %d: got %v, want %v", tt.maxPos, got, tt.want)
		}
	}
	d.ItemCategories = nil
	if got := CategoryMatchByPosition(d, 3); got != nil {
		t.Errorf("without categories: got %v, want nil", got)
	}
}

// TestSynthAmazonSemanticTemporal checks the property the CTR presets exist for: the most recent
// behaviour shares the next item's category far more often than the tenth most recent, which in
// turn is above chance, so that target-aware temporal encoding can matter.
func TestSynthAmazonSemanticTemporal(t *testing.T) {
	d, err := Synthesize("synth-amazon-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(d.ItemCategories) != d.NumItems() {
		t.Fatalf("%d categories for %d items", len(d.ItemCategories), d.NumItems())
	}
	nc := int(slices.Max(d.ItemCategories)) + 1
	rate := CategoryMatchByPosition(d, 10)
	chance := 1 / float64(nc)
	for p := 1; p < len(rate); p++ {
		if rate[p] >= rate[p-1] {
			t.Errorf("match rate does not decay: position %d %.3f, position %d %.3f", p, rate[p-1], p+1, rate[p])
		}
	}
	if rate[0] < 2*rate[9] || rate[9] < 3*chance {
		t.Errorf("match rates %v (chance %.3f over %d categories): want position 1 at least twice position 10, and 10 above 3x chance", rate, chance, nc)
	}
}

func TestValidateItemCategories(t *testing.T) {
	base := func() *Dataset {
		return &Dataset{Name: "x", Users: []int32{0}, Items: []int32{0}, Times: []float64{0}, Labels: []uint8{0},
			UserIDs: []string{"u"}, ItemIDs: []string{"i"}}
	}
	tests := []struct {
		name string
		cats []int32
		ids  []string
		ok   bool
	}{
		{"none", nil, nil, true},
		{"one", []int32{3}, nil, true},
		{"too many", []int32{1, 2}, nil, false},
		{"negative", []int32{-1}, nil, false},
		{"named", []int32{1}, []string{"a", ""}, true},
		{"without a name", []int32{2}, []string{"a", ""}, false},
		{"names without categories", nil, []string{"a"}, false},
	}
	for _, tt := range tests {
		d := base()
		d.ItemCategories, d.CategoryIDs = tt.cats, tt.ids
		err := d.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
