package session

import (
	"math"
	"testing"
)

// TestDwellNLLHandComputed checks JUMP's censored likelihood against values computed by hand.
//
//	observed, σ = 10, τ = e⁵ − 1 (y = log(1+τ) = 5), μ = 3: z = (5 − 3)/10 = 0.2,
//	  NLL = z²/2 = 0.02, dNLL/dμ = −z/σ = −0.02.
//	censored (a session's last click, τ = c2 = 30 s), σ = 10, μ = log 31 (so z = 0):
//	  1 − Ψ(0) = 1/2, NLL = −log(1/2) = log 2 = 0.693147…,
//	  dNLL/dμ = −φ(0)/(σ·(1/2)) = −(1/√(2π))/5 = −0.0797885…
//	censored at c1 = 2000 s, σ = 10, μ = log(2001) − 10 (z = 1):
//	  1 − Ψ(1) = 0.158655…, NLL = 1.841021…, dNLL/dμ = −φ(1)/(10·0.158655) = −0.241971/1.58655 = −0.152514…
func TestDwellNLLHandComputed(t *testing.T) {
	cases := []struct {
		name     string
		mu, tau  float64
		censored bool
		nll, dmu float64
	}{
		{"observed", 3, math.Exp(5) - 1, false, 0.02, -0.02},
		{"censored-c2", math.Log(31), 30, true, 0.6931471805599453, -0.07978845608028654},
		{"censored-c1", math.Log(2001) - 10, 2000, true, 1.8410216450092636, -0.15251352761609812},
	}
	for _, c := range cases {
		nll, dmu := DwellNLL(c.mu, c.tau, c.censored, DefaultSigma)
		if math.Abs(nll-c.nll) > 1e-9 || math.Abs(dmu-c.dmu) > 1e-9 {
			t.Errorf("%s: NLL %.12g, dμ %.12g; want %.12g, %.12g", c.name, nll, dmu, c.nll, c.dmu)
		}
	}
}

// TestDwellNLLGradient checks dNLL/dμ against central differences, also where the survival term
// switches to its asymptotic series.
func TestDwellNLLGradient(t *testing.T) {
	for _, sigma := range []float64{0.5, 10} {
		for _, cens := range []bool{false, true} {
			for _, mu := range []float64{-20, -3, 0, 2.5, 7} {
				const h = 1e-6
				_, g := DwellNLL(mu, 30, cens, sigma)
				a, _ := DwellNLL(mu+h, 30, cens, sigma)
				b, _ := DwellNLL(mu-h, 30, cens, sigma)
				if num := (a - b) / (2 * h); math.Abs(num-g) > 1e-5*max(1, math.Abs(g)) {
					t.Errorf("σ %v censored %v μ %v: dμ %v, numeric %v", sigma, cens, mu, g, num)
				}
			}
		}
	}
}

// TestLogSurvivalContinuous checks that the asymptotic branch meets the exact one at z = 25.
func TestLogSurvivalContinuous(t *testing.T) {
	a, ma := logSurvival(25 - 1e-9)
	b, mb := logSurvival(25)
	if math.Abs(a-b) > 1e-6*math.Abs(a) || math.Abs(ma-mb) > 1e-6*ma {
		t.Errorf("log Q: %v vs %v; Mills: %v vs %v", a, b, ma, mb)
	}
}

func TestPredictDwellIsMedian(t *testing.T) {
	for _, c := range []struct{ mu, want float64 }{{0, 0}, {math.Log(31), 30}, {-5, 0}, {1e6, math.Expm1(700)}} {
		if got := PredictDwell(c.mu); math.Abs(got-c.want) > 1e-9*max(1, c.want) {
			t.Errorf("PredictDwell(%v) = %v, want %v", c.mu, got, c.want)
		}
	}
}

// TestPredictObservedDwell checks the median given τ < c1 by hand:
//
//	μ = log(1 + c1) (c1 = 2000): half the mass is below c1, so the observed median is the point
//	  whose CDF is 1/4: y = μ + σ·Ψ⁻¹(1/4) = log 2001 − 10·0.6744897… = 0.8567…, τ = e^y − 1 = 1.3554…
//	μ very negative: almost all mass is below c1, the observed median is the plain median.
//	μ very large: no mass below c1 in float64; the point is c1.
func TestPredictObservedDwell(t *testing.T) {
	y := math.Log(2001) - 10*0.6744897501960817
	cases := []struct{ mu, want float64 }{
		{math.Log(2001), math.Expm1(y)},
		{-30, PredictDwell(-30)},
		{1e4, 2000},
	}
	for _, c := range cases {
		if got := PredictObservedDwell(c.mu, 10, 2000); math.Abs(got-c.want) > 1e-9*max(1, c.want) {
			t.Errorf("PredictObservedDwell(%v) = %v, want %v", c.mu, got, c.want)
		}
	}
	for _, mu := range []float64{-5, 0, 3, 7, 12, 50} {
		if got := PredictObservedDwell(mu, 10, 2000); !(got >= 0 && got <= 2000) {
			t.Errorf("PredictObservedDwell(%v) = %v, outside [0, c1]", mu, got)
		}
	}
}
