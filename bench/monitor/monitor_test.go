package monitor

import (
	"math"
	"slices"
	"testing"
)

// walk feeds one entity a trajectory: the embedding stays on the x axis and grows,
// e_k = e_{k−1}·(1 + step), so the relative update size ‖e_k − e_{k−1}‖/‖e_{k−1}‖ is exactly step.
func walk(m *Monitor, s Side, id int32, steps []float64) {
	e := []float32{1, 0}
	m.Observe(s, id, e)
	x := 1.0
	for _, st := range steps {
		x *= 1 + st
		e = []float32{float32(x), 0}
		m.Observe(s, id, e)
	}
}

// TestMaturityOfHandBuiltTrajectories: known update sizes give known maturity (threshold 0.05).
//   - sizes 0.5, 0.2, 0.01, 0.01: the last large update is update 3 (0.2; update k has size
//     steps[k−2]), so it matured after interaction 3 of 5;
//   - all small: matured after interaction 1;
//   - last update large: not matured (censored at its 4 interactions);
//   - a single interaction: no update to judge, At 1, not matured.
func TestMaturityOfHandBuiltTrajectories(t *testing.T) {
	m, err := New(Config{Sample: 10, Threshold: 0.05, Seed: 1}, 4, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	walk(m, Users, 0, []float64{0.5, 0.2, 0.01, 0.01})
	walk(m, Users, 1, []float64{0.01, 0.02, 0.03})
	walk(m, Users, 2, []float64{0.01, 0.01, 0.3})
	walk(m, Users, 3, nil)
	got := m.Maturities(Users)
	want := []Maturity{
		{ID: 0, Interactions: 5, At: 3, Matured: true},
		{ID: 1, Interactions: 4, At: 1, Matured: true},
		{ID: 2, Interactions: 4, At: 4, Matured: false},
		{ID: 3, Interactions: 1, At: 1, Matured: false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("maturities %+v, want %+v", got, want)
	}
}

// TestUpdateSizeQuantiles: relative sizes by interaction-index bucket, within the histogram's 1%.
// 100 entities, entity j's update k (k = 2, 3, 4) has size (j+1)/100 · 2^−(k−1): bucket k=2 holds
// 0.005, 0.010, …, 0.5, whose median (rank 49.5 of 0..99) is 0.25–0.255, Q1 (rank 24.75) 0.125–0.13
// and Q3 (rank 74.25) 0.375–0.38; bucket k=3–4 holds 200 updates.
func TestUpdateSizeQuantiles(t *testing.T) {
	m, err := New(Config{Sample: 5, Seed: 1}, 100, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 100 {
		var steps []float64
		for k := 2; k <= 4; k++ {
			steps = append(steps, float64(j+1)/100*math.Pow(2, -float64(k-1)))
		}
		walk(m, Users, int32(j), steps)
	}
	rows := m.UpdateSizes(Users)
	if len(rows) != 2 || rows[0].From != 2 || rows[0].To != 2 || rows[1].From != 3 || rows[1].To != 4 {
		t.Fatalf("buckets %+v, want [2,2] and [3,4]", rows)
	}
	if rows[0].N != 100 || rows[1].N != 200 {
		t.Errorf("counts %d, %d, want 100, 200", rows[0].N, rows[1].N)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"median of k=2", rows[0].Median, 0.25},
		{"Q1 of k=2", rows[0].Q1, 0.125},
		{"Q3 of k=2", rows[0].Q3, 0.375},
	} {
		if math.Abs(c.got-c.want)/c.want > 0.025 {
			t.Errorf("%s = %.4f, want ≈ %.4f", c.name, c.got, c.want)
		}
	}
}

// TestSampleIsBoundedAndDistinct: the tracked set has exactly Sample distinct ids in range, the same
// for the same seed, and all ids when Sample exceeds the entity count.
func TestSampleIsBoundedAndDistinct(t *testing.T) {
	ids := func(seed uint64, n, k int) []int32 {
		m, err := New(Config{Sample: k, Seed: seed}, n, 1, 2, 2)
		if err != nil {
			t.Fatal(err)
		}
		var out []int32
		for id := range m.sides[Users].tracked {
			if int(id) < 0 || int(id) >= n {
				t.Fatalf("tracked id %d outside [0, %d)", id, n)
			}
			out = append(out, id)
		}
		slices.Sort(out)
		return out
	}
	a, b := ids(7, 1_000_000, 500), ids(7, 1_000_000, 500)
	if len(a) != 500 || !slices.Equal(a, b) {
		t.Errorf("sample of 500 of 1e6: %d ids, deterministic %v", len(a), slices.Equal(a, b))
	}
	if c := ids(8, 1_000_000, 500); slices.Equal(a, c) {
		t.Error("another seed drew the same sample")
	}
	if all := ids(1, 10, 50); len(all) != 10 {
		t.Errorf("sample of 50 of 10: %d ids, want all 10", len(all))
	}
}

// TestCosineToFinal: an embedding rotating by 10° per interaction has, after K of 9 interactions,
// cosine cos((9−K)·10°) with its last one.
func TestCosineToFinal(t *testing.T) {
	m, err := New(Config{Sample: 1, Seed: 1}, 1, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 9; k++ {
		a := float64(k-1) * 10 * math.Pi / 180
		m.Observe(Users, 0, []float32{float32(math.Cos(a)), float32(math.Sin(a))})
	}
	rows := m.CosineToFinal(Users)
	if len(rows) != 4 { // K = 1, 2, 4, 8 < 9
		t.Fatalf("rows %+v, want K = 1, 2, 4, 8", rows)
	}
	for _, r := range rows {
		want := math.Cos(float64(9-r.K) * 10 * math.Pi / 180)
		if math.Abs(r.Median-want) > 1e-6 {
			t.Errorf("K=%d: cosine %.6f, want %.6f", r.K, r.Median, want)
		}
	}
	if e := m.Entities(Users); len(e) != 1 || e[0].Interactions != 9 || math.Abs(e[0].Norm-1) > 1e-6 {
		t.Errorf("entities %+v, want one with 9 interactions and norm 1", e)
	}
}
