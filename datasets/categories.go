package datasets

// CategoryMatchByPosition measures how much a behaviour's category says about the next target's,
// by target-relative position: rate[p-1] is the share of (target, behaviour p steps before it)
// pairs, over every user interaction with at least p predecessors, whose two items share a
// category. Chance is the rate between unrelated interactions; a rate falling from position 1 to
// maxPos is the temporal decay of the semantic correlation that TIN Fig. 1(a) shows. It returns nil
// when d has no categories.
func CategoryMatchByPosition(d *Dataset, maxPos int) (rate []float64) {
	if d.ItemCategories == nil || maxPos < 1 {
		return nil
	}
	match := make([]int, maxPos)
	total := make([]int, maxPos)
	recent := make([][]int32, d.NumUsers()) // each user's last maxPos categories, most recent last
	for i, u := range d.Users {
		c := d.ItemCategories[d.Items[i]]
		h := recent[u]
		for p := 1; p <= min(maxPos, len(h)); p++ {
			total[p-1]++
			if h[len(h)-p] == c {
				match[p-1]++
			}
		}
		if len(h) == maxPos {
			h = append(h[:0], h[1:]...)
		}
		recent[u] = append(h, c)
	}
	rate = make([]float64, maxPos)
	for p := range rate {
		if total[p] > 0 {
			rate[p] = float64(match[p]) / float64(total[p])
		}
	}
	return rate
}
