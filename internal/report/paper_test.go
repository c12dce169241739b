package report

import (
	"math"
	"testing"
)

// The transcribed numbers are checked against what the papers say about them elsewhere (their
// text, bold "best" marks, derived rows), which catches typing errors in paper.go.

// TestJODIEImprovementRows: each "% improvement" cell of JODIE Tables 3 and 4 equals
// 100 × (JODIE − best baseline) from the same table, rounded to one decimal as printed.
func TestJODIEImprovementRows(t *testing.T) {
	cases := []struct {
		name  string
		table map[paperKey]paperValue
		imp   map[improvementKey]float64
	}{
		{"Table 3", jodieTable3, jodieTable3Improvement},
		{"Table 4", jodieTable4, jodieTable4Improvement},
	}
	for _, c := range cases {
		if len(c.imp) == 0 {
			t.Fatalf("%s: no improvement row", c.name)
		}
		for k, printed := range c.imp {
			jodie, ok := c.table[paperKey{"jodie", k.Dataset, k.Unit}]
			if !ok {
				t.Fatalf("%s: no JODIE value for %v", c.name, k)
			}
			best := math.Inf(-1)
			for pk, v := range c.table {
				if pk.Model != "jodie" && pk.Dataset == k.Dataset && pk.Unit == k.Unit {
					best = math.Max(best, v.Mean)
				}
			}
			if got := math.Round(1000*(jodie.Mean-best)) / 10; math.Abs(got-printed) > 1e-9 {
				t.Errorf("%s %v: 100 × (%.3f − %.3f) = %.1f, printed %.1f", c.name, k, jodie.Mean, best, got, printed)
			}
		}
	}
	// Table 3 has 7 methods × 3 datasets × 2 metrics, Table 4 6 methods × 3 datasets.
	if len(jodieTable3) != 42 || len(jodieTable4) != 18 {
		t.Errorf("cells: Table 3 %d (want 42), Table 4 %d (want 18)", len(jodieTable3), len(jodieTable4))
	}
}

// TestJODIETable5: the text quotes 8.5× (JODIE) and 7.4× (DeepCoevolve) from t-Batch and 9.2× for
// JODIE with t-Batch against DeepCoevolve without.
func TestJODIETable5(t *testing.T) {
	cases := []struct {
		name string
		got  float64
		text float64
	}{
		{"JODIE speed-up", jodieTable5["jodie"]["off"] / jodieTable5["jodie"]["on"], 8.5},
		{"DeepCoevolve speed-up", jodieTable5["deepcoevolve"]["off"] / jodieTable5["deepcoevolve"]["on"], 7.4},
		{"JODIE+t-Batch vs DeepCoevolve", jodieTable5["deepcoevolve"]["off"] / jodieTable5["jodie"]["on"], 9.2},
	}
	for _, c := range cases {
		if math.Round(10*c.got)/10 != c.text {
			t.Errorf("%s = %.3f, the text says %.1f", c.name, c.got, c.text)
		}
	}
}

// TestJUMPBest: JUMP is bold (best) in every column of JUMP Tables 2 (lowest MAE) and 3.
func TestJUMPBest(t *testing.T) {
	for _, tc := range []struct {
		table  map[paperKey]paperValue
		units  []string
		higher bool
		rows   int
	}{
		{jumpTable2, []string{"MAE"}, false, 4},
		{jumpTable3, []string{"recall@20", "MRR@20", "ndcg@20"}, true, 8},
	} {
		if len(tc.table) != tc.rows*len(tc.units)*len(jumpDatasets) {
			t.Errorf("%v: %d cells", tc.units, len(tc.table))
		}
		for _, d := range jumpDatasets {
			for _, u := range tc.units {
				j := tc.table[paperKey{"jump", d.Key, u}].Mean
				for k, v := range tc.table {
					if k.Model != "jump" && k.Dataset == d.Key && k.Unit == u && (tc.higher && v.Mean >= j || !tc.higher && v.Mean <= j) {
						t.Errorf("%s %s: %s %.4f is not worse than JUMP %.4f", d.Name, u, k.Model, v.Mean, j)
					}
				}
			}
		}
	}
}

// TestTINTable1: TIN is bold in every column, the text's GAUC gains over the best baselines
// (0.43% over DSIN on Amazon, 0.51% over DIN on Alibaba) and the Δ% column's first cells
// (Avg Pooling & Product vs & Concat: −1.71 logloss, +0.92 GAUC on Amazon) follow from the numbers.
func TestTINTable1(t *testing.T) {
	if len(tinTable1) != len(tinMethods)*2*2 {
		t.Errorf("%d cells, want %d", len(tinTable1), len(tinMethods)*4)
	}
	for _, d := range tinDatasets {
		tin := tinTable1[paperKey{"tin", d.Key, "logloss"}].Mean
		tinG := tinTable1[paperKey{"tin", d.Key, "GAUC"}].Mean
		for k, v := range tinTable1 {
			if k.Model == "tin" || k.Dataset != d.Key {
				continue
			}
			if k.Unit == "logloss" && v.Mean <= tin || k.Unit == "GAUC" && v.Mean >= tinG {
				t.Errorf("%s %s: %s %.4f is not worse than TIN", d.Name, k.Unit, k.Model, v.Mean)
			}
			if !v.HasStd || v.Std <= 0 {
				t.Errorf("%v: no std", k)
			}
		}
	}
	rel := func(a, b float64) float64 { return math.Round(10000*(a-b)/b) / 100 }
	cases := []struct {
		name       string
		got, paper float64
	}{
		{"Amazon GAUC TIN vs DSIN", rel(tinTable1[paperKey{"tin", "amazon", "GAUC"}].Mean, tinTable1[paperKey{"dsin", "amazon", "GAUC"}].Mean), 0.43},
		{"Alibaba GAUC TIN vs DIN", rel(tinTable1[paperKey{"tin", "alibaba", "GAUC"}].Mean, tinTable1[paperKey{"din", "alibaba", "GAUC"}].Mean), 0.51},
		{"Amazon logloss Product vs Concat", rel(tinTable1[paperKey{"avgpool-product", "amazon", "logloss"}].Mean, tinTable1[paperKey{"avgpool-concat", "amazon", "logloss"}].Mean), -1.71},
		{"Amazon GAUC Product vs Concat", rel(tinTable1[paperKey{"avgpool-product", "amazon", "GAUC"}].Mean, tinTable1[paperKey{"avgpool-concat", "amazon", "GAUC"}].Mean), 0.92},
		{"Alibaba GAUC TIN vs Concat", rel(tinTable1[paperKey{"tin", "alibaba", "GAUC"}].Mean, tinTable1[paperKey{"avgpool-concat", "alibaba", "GAUC"}].Mean), 1.15},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.paper) > 1e-9 {
			t.Errorf("%s: %.2f%%, the paper says %.2f%%", c.name, c.got, c.paper)
		}
	}
}
