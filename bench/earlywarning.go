package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
)

// EarlyWarningPoint is JODIE's Exp. 6 statistic k interactions before a drop-out: the mean, over
// students who drop out in the test part, of the ratio of their predicted drop-out probability to
// the expected probability of students who do not (the mean over all their test interactions), with
// a normal-approximation 95% confidence interval.
type EarlyWarningPoint struct {
	Before      int     // 0 is the drop-out interaction itself
	Ratio       float64 // mean ratio
	Lo, Hi      float64 // 95% confidence interval of the mean
	N           int     // students with an interaction that far before their drop-out
	ExpectedNon float64 // the non-dropping students' mean probability
}

// EarlyWarning evaluates m (in its current state) and computes the ratios for k = 0..maxBefore.
// Only test interactions count ("to prevent direct training on the drop-out interactions"); a
// student's drop-out is their first label-1 test interaction.
func EarlyWarning(ctx context.Context, m Model, d *Data, maxBefore int) ([]EarlyWarningPoint, error) {
	if err := NeedsStateClassifier.Check(m); err != nil {
		return nil, fmt.Errorf("%w: the early-warning analysis needs a state-change head", err)
	}
	prob := map[int]float64{}
	if err := m.Evaluate(ctx, d, func(p Prediction) {
		if p.Part == PartTest {
			prob[p.Row] = p.Prob
		}
	}); err != nil {
		return nil, err
	}
	// Each user's test rows in time order, and the index of their drop-out among them (-1: none).
	rows := map[int32][]int{}
	drop := map[int32]int{}
	for r := d.Split.ValEnd; r < d.Split.TestEnd; r++ {
		u := d.Users[r]
		if _, seen := drop[u]; !seen {
			drop[u] = -1
		}
		if d.Labels[r] == 1 && drop[u] < 0 {
			drop[u] = len(rows[u])
		}
		rows[u] = append(rows[u], r)
	}
	var sum float64
	var n int
	for u, at := range drop {
		if at < 0 {
			for _, r := range rows[u] {
				sum += prob[r]
				n++
			}
		}
	}
	if n == 0 || sum == 0 {
		return nil, fmt.Errorf("bench: early warning needs test interactions of students who do not drop out")
	}
	expected := sum / float64(n)
	// Users in a fixed order so floating-point sums are reproducible.
	users := make([]int32, 0, len(drop))
	for u, at := range drop {
		if at >= 0 {
			users = append(users, u)
		}
	}
	sortInt32(users)
	var pts []EarlyWarningPoint
	for k := 0; k <= maxBefore; k++ {
		var xs []float64
		for _, u := range users {
			if i := drop[u] - k; i >= 0 {
				xs = append(xs, prob[rows[u][i]]/expected)
			}
		}
		if len(xs) == 0 {
			break
		}
		mean, half := meanCI95(xs)
		pts = append(pts, EarlyWarningPoint{Before: k, Ratio: mean, Lo: mean - half, Hi: mean + half, N: len(xs), ExpectedNon: expected})
	}
	return pts, nil
}

func meanCI95(xs []float64) (mean, half float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, 1.96 * math.Sqrt(ss/float64(len(xs)-1)/float64(len(xs)))
}

func sortInt32(a []int32) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// EarlyWarningRecords turns the points into EarlyWarning records (one per k).
func EarlyWarningRecords(pts []EarlyWarningPoint, p *PlannedRun, seed uint64, d *Data, backend string, env []KV) []Record {
	var recs []Record
	for _, pt := range pts {
		recs = append(recs, Record{Bench: "EarlyWarning",
			Name:   append(p.recordName(), KV{"before", strconv.Itoa(pt.Before)}),
			Values: []Value{{pt.Ratio, "ratio"}, {pt.Lo, "ratio-lo"}, {pt.Hi, "ratio-hi"}, {float64(pt.N), "students"}},
			Config: p.recordConfig(seed, d, backend, env)})
	}
	return recs
}
