package session

import "math"

// JUMP's dwell-time model (§3.3, eqs. 5–6 and 10–11): log D = μ + σε with ε ~ N(0, 1), μ a linear
// function of the session vector for the clicked item (eq. 11), σ a fixed hyper-parameter (the
// paper's 10). A click's censored dwell (τ, δ) (eq. 4, datasets.Sessions) contributes
//
//	δ = 0 (observed):  −log of the density term of eq. 6:  z²/2
//	δ = 1 (censored):  −log of the survival term:          −log(1 − Ψ(z))
//
// with z = (y − μ)/σ, y = log(1 + τ), Ψ the standard normal CDF. The constants of the Gaussian
// density (log σ + ½ log 2π) are dropped as eq. 6 drops them ("∝"); σ is fixed, so they change no
// gradient. y is log(1 + τ), not log τ: the data has dwell times of 0 s (two clicks in the same
// second), whose log is −∞; the shift is monotone, so it keeps medians (below).
//
// Point prediction (Config.DwellPoint). MAE is minimised by a median, and MAE scores only observed
// dwell times, which are below c1 by construction (eq. 4 censors τ ≥ c1). Two points are offered:
//
//   - "median" (default): the median of the predicted log-normal, exp(μ) − 1, capped at c1 (no
//     observed dwell reaches c1, so the cap can only lower the error). The mean, exp(μ + σ²/2), is
//     e^50 times the median at σ = 10, useless as a point.
//   - "observed-median": the median of the predicted distribution given that the dwell is observed,
//     τ < c1 — the Bayes point for the clicks MAE scores when the law is right:
//     y = μ + σ·Ψ⁻¹(Ψ((log(1 + c1) − μ)/σ)/2), τ = exp(y) − 1. With σ fixed at 10 the law is far
//     wider than the data, and this point falls to 0 s unless μ is near log(1 + c1).
//
// Measured (rough, one seed): DIGINETICA sample, 10 epochs: MAE 69.8 s with "median", 93.4 s
// (everything 0 s) with "observed-median". With σ = 10 the censored clicks — every session's last
// click is one — push μ up through the survival term more than the observed ones pull it back
// (their gradient is scaled by 1/σ²); on data with long gaps (synth-reddit-small) the median then
// sits at c1 and "observed-median" does better.

// DefaultSigma is JUMP's σ (§5.2).
const DefaultSigma = 10

// LogDwell is the regression target y = log(1 + τ) of a dwell time τ in seconds.
func LogDwell(tau float64) float64 { return math.Log1p(max(tau, 0)) }

// The values of Config.DwellPoint.
const (
	PointMedian         = "median"
	PointObservedMedian = "observed-median"
)

// PredictDwell is the median exp(μ) − 1 of the log-normal, floored at 0 s (and capped so that it
// stays finite; LogNormal.Point caps it at c1).
func PredictDwell(mu float64) float64 {
	return max(0, math.Expm1(min(mu, 700)))
}

// PredictObservedDwell is the median of the log-normal dwell given τ < c1 (see above).
func PredictObservedDwell(mu, sigma, c1 float64) float64 {
	p := 0.5 * math.Erfc(-(LogDwell(c1)-mu)/(sigma*math.Sqrt2)) // Ψ((y_c1 − μ)/σ)
	if p < 1e-300 {
		return c1 // all the mass is beyond c1: the median of what can be observed tends to c1
	}
	// Ψ⁻¹(q) = −√2·erfcinv(2q)
	y := mu - sigma*math.Sqrt2*math.Erfcinv(p)
	return min(c1, PredictDwell(y))
}

// DwellNLL returns a click's negative log-likelihood under JUMP's censored log-normal (eqs. 6 and
// 10, constants dropped) and its derivative with respect to μ.
func DwellNLL(mu, tau float64, censored bool, sigma float64) (nll, dmu float64) {
	z := (LogDwell(tau) - mu) / sigma
	if !censored {
		// d(z²/2)/dμ = z · dz/dμ = −z/σ
		return z * z / 2, -z / sigma
	}
	logQ, mills := logSurvival(z)
	// d(−log Q(z))/dz = φ(z)/Q(z) (the inverse Mills ratio); dz/dμ = −1/σ
	return -logQ, -mills / sigma
}

// logSurvival returns log(1 − Ψ(z)) and the inverse Mills ratio φ(z)/(1 − Ψ(z)), stable for large
// z, where 1 − Ψ(z) underflows: there the first terms of the asymptotic series are used.
func logSurvival(z float64) (logQ, mills float64) {
	if z < 25 {
		q := 0.5 * math.Erfc(z/math.Sqrt2)
		phi := math.Exp(-z*z/2) / math.Sqrt(2*math.Pi)
		return math.Log(q), phi / q
	}
	// Q(z) ≈ φ(z)/z · (1 − 1/z² + 3/z⁴); φ/Q ≈ z/(1 − 1/z² + 3/z⁴)
	s := 1 - 1/(z*z) + 3/(z*z*z*z)
	return -z*z/2 - math.Log(z*math.Sqrt(2*math.Pi)) + math.Log(s), z / s
}

// LogNormal is JUMP's dwell law (DwellLaw): θ = (μ), log(1 + τ) ~ N(μ, σ²), censored clicks
// through the survival term, the point per Mode (PointMedian, the default, or PointObservedMedian).
type LogNormal struct {
	Sigma, C1 float64
	Mode      string
}

// NumParams is 1: μ.
func (l LogNormal) NumParams() int { return 1 }

// NLL is DwellNLL.
func (l LogNormal) NLL(theta []float64, tau float64, censored bool, grad []float64) float64 {
	nll, d := DwellNLL(theta[0], tau, censored, l.Sigma)
	grad[0] = d
	return nll
}

// Point is the median (Mode "median") or the median given τ < c1 (default).
func (l LogNormal) Point(theta []float64) float64 {
	if l.Mode == PointObservedMedian {
		return PredictObservedDwell(theta[0], l.Sigma, l.C1)
	}
	return min(l.C1, PredictDwell(theta[0]))
}
