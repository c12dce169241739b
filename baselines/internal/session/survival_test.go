package session

import (
	"math"
	"testing"
)

// TestDiscreteHazardHandComputed: 2 bins over [0, c1) with c1 = 99 (edges 0, 9, 99: uniform in
// log(1 + τ)), logits 0 and log 3 (hazards ½ and ¾).
//
//	τ = 5 (bin 0) observed: −log ½ = 0.693147…; grad (σ(0) − 1, 0) = (−½, 0)
//	τ = 50 (bin 1) observed: −log(1 − ½) − log ¾ = 0.693147… + 0.287682… = 0.980829…;
//	  grad (σ(0), σ(log 3) − 1) = (½, −¼)
//	τ = 50 censored: −log ½ = 0.693147…; grad (½, 0)
//	median given τ < c1: P(bin 0) = ½, P(bin 1) = ½·¾ = ⅜, total ⅞, half 7/16 < ½: inside bin 0 at
//	  7/8 of it: 9·7/8 = 7.875 s.
func TestDiscreteHazardHandComputed(t *testing.T) {
	l := DiscreteHazard{Bins: 2, C1: 99}
	theta := []float64{0, math.Log(3)}
	g := make([]float64, 2)
	cases := []struct {
		tau      float64
		censored bool
		nll      float64
		grad     [2]float64
	}{
		{5, false, math.Ln2, [2]float64{-0.5, 0}},
		{50, false, math.Ln2 - math.Log(0.75), [2]float64{0.5, -0.25}},
		{50, true, math.Ln2, [2]float64{0.5, 0}},
	}
	for _, c := range cases {
		nll := l.NLL(theta, c.tau, c.censored, g)
		if math.Abs(nll-c.nll) > 1e-12 || math.Abs(g[0]-c.grad[0]) > 1e-12 || math.Abs(g[1]-c.grad[1]) > 1e-12 {
			t.Errorf("τ %v censored %v: NLL %v grad %v, want %v %v", c.tau, c.censored, nll, g, c.nll, c.grad)
		}
	}
	if p := l.Point(theta); math.Abs(p-7.875) > 1e-9 {
		t.Errorf("Point = %v, want 7.875", p)
	}
}

func TestDiscreteHazardGradient(t *testing.T) {
	l := DiscreteHazard{Bins: 5, C1: 2000}
	theta := []float64{-1, 0.5, 2, -3, 0.1}
	g := make([]float64, 5)
	for _, cens := range []bool{false, true} {
		for _, tau := range []float64{0, 3, 40, 1999, 2000} {
			l.NLL(theta, tau, cens, g)
			for k := range theta {
				const h = 1e-6
				up, down := append([]float64(nil), theta...), append([]float64(nil), theta...)
				up[k] += h
				down[k] -= h
				num := (l.NLL(up, tau, cens, make([]float64, 5)) - l.NLL(down, tau, cens, make([]float64, 5))) / (2 * h)
				if math.Abs(num-g[k]) > 1e-6 {
					t.Errorf("τ %v censored %v: d%d %v, numeric %v", tau, cens, k, g[k], num)
				}
			}
		}
	}
}
