package session

import (
	"math"
	"testing"
)

// TestIntensityHandComputed: with w = 0 the law is exponential with rate e^a per minute.
//
//	a = log ½, τ = 120 s (t = 2 min): observed NLL = −a + e^a·t = log 2 + 1 = 1.693147…,
//	  d/da = −1 + e^a·t = 0, d/dw = −t + e^a·t²/2 = −2 + 1 = −1;
//	  censored NLL = e^a·t = 1, d/da = 1, d/dw = e^a·t²/2 = 1.
//	Point with c1 = 600 s (T = 10 min), rate ½: E[t | t < T] = 1/λ − T·e^{−λT}/(1 − e^{−λT})
//	  = 2 − 10·e^{−5}/(1 − e^{−5}) = 1.932165… min = 115.9299… s.
func TestIntensityHandComputed(t *testing.T) {
	l := Intensity{Unit: 60, C1: 600}
	theta := []float64{math.Log(0.5), 0}
	g := make([]float64, 2)
	if nll := l.NLL(theta, 120, false, g); math.Abs(nll-(math.Ln2+1)) > 1e-12 || math.Abs(g[0]) > 1e-12 || math.Abs(g[1]+1) > 1e-12 {
		t.Errorf("observed: NLL %v, grad %v; want %v, [0 -1]", nll, g, math.Ln2+1)
	}
	if nll := l.NLL(theta, 120, true, g); math.Abs(nll-1) > 1e-12 || math.Abs(g[0]-1) > 1e-12 || math.Abs(g[1]-1) > 1e-12 {
		t.Errorf("censored: NLL %v, grad %v; want 1, [1 1]", nll, g)
	}
	want := (2 - 10*math.Exp(-5)/(1-math.Exp(-5))) * 60
	if got := l.Point(theta); math.Abs(got-want) > 1e-6 {
		t.Errorf("Point = %v, want %v", got, want)
	}
}

// TestIntensityGradient checks d/da and d/dw against central differences for growing, flat and
// decaying intensities, observed and censored.
func TestIntensityGradient(t *testing.T) {
	l := Intensity{Unit: 60, C1: 2000}
	g := make([]float64, 2)
	for _, cens := range []bool{false, true} {
		for _, th := range [][2]float64{{-1, 0.3}, {0.5, -0.7}, {-2, 1e-6}, {1, 0}} {
			for _, tau := range []float64{0, 30, 700} {
				l.NLL(th[:], tau, cens, g)
				for k := range 2 {
					const h = 1e-6
					up, down := th, th
					up[k] += h
					down[k] -= h
					num := (l.NLL(up[:], tau, cens, make([]float64, 2)) - l.NLL(down[:], tau, cens, make([]float64, 2))) / (2 * h)
					if math.Abs(num-g[k]) > 1e-5*max(1, math.Abs(num)) {
						t.Errorf("θ %v τ %v censored %v: d%d %v, numeric %v", th, tau, cens, k, g[k], num)
					}
				}
			}
		}
	}
}

func TestIntensityPointBounds(t *testing.T) {
	l := Intensity{Unit: 60, C1: 2000}
	for _, th := range [][]float64{{-20, 0}, {5, 0}, {-1, 2}, {-1, -2}, {0, 0}} {
		if p := l.Point(th); !(p >= 0 && p <= 2000) || math.IsNaN(p) {
			t.Errorf("Point(%v) = %v, outside [0, c1]", th, p)
		}
	}
	// no mass before c1: uniform limit c1/2
	if p := l.Point([]float64{-40, 0}); p != 1000 {
		t.Errorf("Point of a vanishing intensity = %v, want 1000", p)
	}
}
