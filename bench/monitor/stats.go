package monitor

import (
	"math"
	"slices"
)

// logHistogram counts positive values in fixed bins of log10, from 1e-6 to 10 (values outside land
// in the end bins): quantiles within 1% relative error at constant memory.
type logHistogram struct {
	bins  [histBins]int64
	n     int64
	zeros int64 // exact zeros (an entity that did not move)
}

const (
	histLo    = -6.0
	histHi    = 1.0
	histWidth = 0.004 // log10 units per bin: adjacent bin edges differ by 0.93%
	histBins  = int((histHi - histLo) / histWidth)
)

func newLogHistogram() *logHistogram { return &logHistogram{} }

func (h *logHistogram) add(v float64) {
	if math.IsNaN(v) {
		return
	}
	h.n++
	if v <= 0 {
		h.zeros++
		return
	}
	b := int((math.Log10(v) - histLo) / histWidth)
	h.bins[min(max(b, 0), histBins-1)]++
}

// quantile returns the q-quantile (0 ≤ q ≤ 1), the geometric middle of the bin holding it (0 when
// it falls among the zeros, NaN when empty).
func (h *logHistogram) quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := q * float64(h.n-1) // 0-based rank of the value sought
	if rank < float64(h.zeros) {
		return 0
	}
	seen := float64(h.zeros)
	for b, c := range h.bins {
		if c == 0 {
			continue
		}
		if seen+float64(c) > rank {
			return math.Pow(10, histLo+(float64(b)+0.5)*histWidth)
		}
		seen += float64(c)
	}
	return math.Pow(10, histHi)
}

// SizeRow summarises the relative update sizes of one interaction-index bucket.
type SizeRow struct {
	From, To       int   // interaction indices of the bucket
	N              int64 // updates
	Q1, Median, Q3 float64
	// TurnMedian is the median of 1 − cos(e_{k−1}, e_k): how far updates rotate the embedding.
	TurnMedian float64
}

// UpdateSizes is the distribution of relative update sizes ‖e_k − e_{k−1}‖/‖e_{k−1}‖ by
// interaction index k (k ≥ 2: the first interaction has no previous embedding), over every entity.
func (m *Monitor) UpdateSizes(s Side) []SizeRow {
	var out []SizeRow
	for b, h := range m.sides[s].sizes {
		if h.n == 0 {
			continue
		}
		lo, hi := BucketRange(b)
		out = append(out, SizeRow{From: lo, To: hi, N: h.n, Q1: h.quantile(0.25), Median: h.quantile(0.5), Q3: h.quantile(0.75),
			TurnMedian: m.sides[s].turns[b].quantile(0.5)})
	}
	return out
}

// Maturity is a sampled entity's maturity: the interaction index after which every update was
// small (below Config.Threshold). Matured is false when the entity's last update was itself large:
// its maturity is then only known to exceed its interaction count (right-censored).
type Maturity struct {
	ID           int32
	Interactions int // updates observed
	At           int // matured after this interaction (1 when every update after the first was small)
	Matured      bool
}

// Maturities lists the sampled entities of a side that had at least one update, by id.
func (m *Monitor) Maturities(s Side) []Maturity {
	sd := m.sides[s]
	var out []Maturity
	for id, t := range sd.tracked {
		if len(t.rel) == 0 {
			continue
		}
		out = append(out, maturityOf(id, t.rel, m.cfg.Threshold))
	}
	slices.SortFunc(out, func(a, b Maturity) int { return int(a.ID - b.ID) })
	return out
}

// maturityOf finds the last large update of a trajectory of relative sizes (rel[k−1] is update k's).
func maturityOf(id int32, rel []float32, threshold float64) Maturity {
	at := 1
	for k := len(rel); k >= 2; k-- {
		if float64(rel[k-1]) >= threshold {
			at = k
			break
		}
	}
	return Maturity{ID: id, Interactions: len(rel), At: at, Matured: at < len(rel)}
}

// Entity is one entity's end state: its interactions observed and its last embedding's norm.
type Entity struct {
	ID           int32
	Interactions int
	Norm         float64
}

// Entities lists every entity of a side with at least one update, by id.
func (m *Monitor) Entities(s Side) []Entity {
	sd := m.sides[s]
	var out []Entity
	for id, c := range sd.count {
		if c == 0 {
			continue
		}
		out = append(out, Entity{ID: int32(id), Interactions: int(c), Norm: float64(sd.norm[id])})
	}
	return out
}

// CosineRow is the cosine between sampled entities' embeddings at interaction index K and their
// final embeddings: how far from where it ends an embedding is after K interactions.
type CosineRow struct {
	K      int
	N      int
	Median float64
}

// CosineToFinal summarises, for K = 1, 2, 4, 8, …, the cosine of the sampled entities' embedding
// after K interactions with their last one (entities with more than K interactions only).
func (m *Monitor) CosineToFinal(s Side) []CosineRow {
	sd := m.sides[s]
	byK := map[int][]float64{}
	for id, t := range sd.tracked {
		final := t.final
		for j, snap := range t.snapshots {
			k := 1 << j
			if k >= int(sd.count[id]) {
				break
			}
			byK[k] = append(byK[k], cosine(snap, final))
		}
	}
	var out []CosineRow
	for k := 1; len(byK[k]) > 0; k <<= 1 {
		xs := byK[k]
		slices.Sort(xs)
		out = append(out, CosineRow{K: k, N: len(xs), Median: median(xs)})
	}
	return out
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Max(math.Sqrt(aa*bb), 1e-24)
}

// median of sorted xs.
func median(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
