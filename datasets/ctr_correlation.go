package datasets

import (
	"fmt"
	"math"
)

// CategoryTargetCorrelation is TIN's Category-wise Target-aware Correlation (CTC, Definition 1,
// the data behind TIN Fig. 1(a)): for the samples whose target has category targetCat, and for
// each behaviour category c in cats and target-relative position p = 1..maxPos (1 = the most recent
// behaviour), the mutual information (nats) between X = 1[the behaviour p steps before the target
// has category c] and Y = the sample's label (the click; negatives are the fixed-seed random
// items). A sample whose history is shorter than p has no behaviour there: X = 0. out[i][p-1] is
// category cats[i] at position p. It needs categories (c.Categories) and at least one sample with
// the target category.
func CategoryTargetCorrelation(c *CTRSplit, samples []CTRSample, targetCat int32, cats []int32, maxPos int) ([][]float64, error) {
	if c.Categories == nil {
		return nil, fmt.Errorf("datasets: %s: category-wise correlation needs item categories", c.Name)
	}
	if maxPos < 1 {
		return nil, fmt.Errorf("datasets: category-wise correlation: maxPos %d, want >= 1", maxPos)
	}
	// counts[i][p][x][y]
	counts := make([][][2][2]float64, len(cats))
	for i := range counts {
		counts[i] = make([][2][2]float64, maxPos)
	}
	n := 0
	for _, s := range samples {
		if c.Categories[s.Target] != targetCat {
			continue
		}
		n++
		y := int(s.Label)
		for i, cat := range cats {
			for p := 1; p <= maxPos; p++ {
				x := 0
				if L := len(s.History); p <= L && c.Categories[s.History[L-p]] == cat {
					x = 1
				}
				counts[i][p-1][x][y]++
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("datasets: %s: no sample has a target of category %d", c.Name, targetCat)
	}
	out := make([][]float64, len(cats))
	for i := range cats {
		out[i] = make([]float64, maxPos)
		for p := range maxPos {
			out[i][p] = mutualInformation(counts[i][p], float64(n))
		}
	}
	return out, nil
}

// mutualInformation of a 2×2 contingency table of n observations, in nats: Σ P(x,y)·log(P(x,y) /
// (P(x)·P(y))) over the non-empty cells.
func mutualInformation(t [2][2]float64, n float64) float64 {
	var mi float64
	for x := range 2 {
		px := (t[x][0] + t[x][1]) / n
		for y := range 2 {
			py := (t[0][y] + t[1][y]) / n
			if pxy := t[x][y] / n; pxy > 0 {
				mi += pxy * math.Log(pxy/(px*py))
			}
		}
	}
	return max(mi, 0) // rounding can leave −1e-17 for independent variables
}
