package session

import "math"

// DiscreteHazard is a discrete-time survival law for dwell times, as neural survival
// recommenders use (Jing and Smola, WSDM 2017, model the hazard of the next event over time bins
// from the recurrent state): [0, c1) is cut into Bins bins uniform in log(1 + τ), θ holds one logit
// per bin, and h_b = σ(θ_b) is the probability that the dwell ends in bin b given that it lasted
// until the bin's start. A dwell observed in bin b contributes
//
//	−log P(bin b) = −Σ_{j<b} log(1 − h_j) − log h_b
//
// and a censored one (at least τ, τ in bin b) −Σ_{j<b} log(1 − h_j): it survived the bins that end
// before τ (the partial bin is not credited, a conservative reading of "at least τ").
//
// Point: the median of the binned law given τ < c1 (every bin is below c1), linear within its bin.
type DiscreteHazard struct {
	Bins int
	C1   float64
}

// DefaultBins is DiscreteHazard.Bins.
const DefaultBins = 20

// NumParams is the number of bins.
func (l DiscreteHazard) NumParams() int { return l.Bins }

// edge is the start of bin b (edge(Bins) = c1).
func (l DiscreteHazard) edge(b int) float64 {
	return math.Expm1(float64(b) / float64(l.Bins) * math.Log1p(l.C1))
}

// bin is the bin of dwell tau (the last bin for τ ≥ c1).
func (l DiscreteHazard) bin(tau float64) int {
	b := int(math.Floor(LogDwell(tau) / math.Log1p(l.C1) * float64(l.Bins)))
	return max(0, min(l.Bins-1, b))
}

// NLL returns the click's negative log-likelihood and writes d/dθ to grad.
func (l DiscreteHazard) NLL(theta []float64, tau float64, censored bool, grad []float64) float64 {
	clear(grad)
	b := l.bin(tau)
	var nll float64
	for j := range b {
		// −log(1 − σ(x)) = softplus(x), derivative σ(x)
		nll += softplus(theta[j])
		grad[j] = sigmoid(theta[j])
	}
	if !censored {
		// −log σ(x) = softplus(−x), derivative −(1 − σ(x))
		nll += softplus(-theta[b])
		grad[b] = sigmoid(theta[b]) - 1
	}
	return nll
}

// Point is the median given τ < c1, in seconds.
func (l DiscreteHazard) Point(theta []float64) float64 {
	pmf := make([]float64, l.Bins)
	alive, total := 1.0, 0.0
	for b, x := range theta {
		h := sigmoid(x)
		pmf[b] = alive * h
		alive *= 1 - h
		total += pmf[b]
	}
	if total < 1e-300 {
		return l.C1 / 2
	}
	acc := 0.0
	for b, p := range pmf {
		if acc+p >= total/2 && p > 0 {
			frac := (total/2 - acc) / p
			lo, hi := l.edge(b), l.edge(b+1)
			return lo + frac*(hi-lo)
		}
		acc += p
	}
	return l.C1
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}
