package session

import "math"

// Exponential-intensity dwell law of RMTPP (Du et al., KDD 2016, eqs. 11–13), for point-process
// heads: the time t to the next click has the conditional intensity λ(t) = exp(a + w·t), so
//
//	log S(t) = −e^a·(e^{wt} − 1)/w                  (survival; −e^a·t when w = 0)
//	log f(t) = a + w·t + log S(t)                   (density)
//
// θ = (a, w): a from the net's hidden state, w the net's learned scalar. An observed dwell
// contributes −log f(t), a censored one (c1, or a session's last click) −log S(t), the survival
// term — the same censoring JUMP's eq. 6 applies. Time is measured in Unit seconds (minutes), so
// that w and a stay of order one.
//
// Point: the expected dwell time given that it is observed (τ < c1), the clicks MAE scores:
// E[t | t < T] = ∫₀ᵀ (S(t) − S(T)) dt / (1 − S(T)), T = c1/Unit, by Simpson's rule. (RMTPP predicts
// the unconditional expectation ∫₀^∞ S(t) dt, which is infinite when w < 0: the intensity decays
// and the user may never click again.)
type Intensity struct {
	Unit, C1 float64
}

// DefaultIntensityUnit is Intensity.Unit: one minute.
const DefaultIntensityUnit = 60

// NumParams is 2: a and w.
func (l Intensity) NumParams() int { return 2 }

// growth returns g(w) = (e^{wt} − 1)/w and g'(w), by their series where wt is small.
func growth(w, t float64) (g, dg float64) {
	x := w * t
	if math.Abs(x) < 1e-4 {
		return t * (1 + x/2 + x*x/6), t * t * (0.5 + x/3 + x*x/8)
	}
	e := math.Expm1(x)
	return e / w, (t*(e+1)*w - e) / (w * w)
}

// NLL returns the click's negative log-likelihood and writes d/da, d/dw to grad.
func (l Intensity) NLL(theta []float64, tau float64, censored bool, grad []float64) float64 {
	a, w, t := theta[0], theta[1], max(tau, 0)/l.Unit
	g, dg := growth(w, t)
	ea := math.Exp(a)
	nll := ea * g // −log S(t)
	grad[0], grad[1] = nll, ea*dg
	if !censored {
		nll -= a + w*t
		grad[0]--
		grad[1] -= t
	}
	return nll
}

// Point is the expected dwell given τ < c1, in seconds.
func (l Intensity) Point(theta []float64) float64 {
	a, w, T := theta[0], theta[1], l.C1/l.Unit
	ea := math.Exp(a)
	surv := func(t float64) float64 {
		g, _ := growth(w, t)
		return math.Exp(-ea * g)
	}
	sT := surv(T)
	if 1-sT < 1e-12 { // almost no mass before c1: the conditional law tends to uniform on [0, c1)
		return l.C1 / 2
	}
	const n = 256 // even
	h := T / n
	sum := surv(0) + sT - 2*sT
	for i := 1; i < n; i++ {
		wgt := 2.0
		if i%2 == 1 {
			wgt = 4
		}
		sum += wgt * (surv(float64(i)*h) - sT)
	}
	return min(l.C1, max(0, sum*h/3/(1-sT)*l.Unit))
}
