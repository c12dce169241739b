// Package monitor measures how dynamic embeddings evolve: after how many interactions an entity's
// embedding stops moving (maturity), how large the updates are as a function of the interaction
// index, how norms are distributed and how both relate to popularity — the questions of the
// embedding-evolution study (Saket, Jeunen, Kalim 2024, ../shared/papers) asked of any tibench model
// whose embeddings change with each interaction.
//
// A Monitor is fed every update of every entity (Observe: the entity's new embedding after its k-th
// interaction) and keeps memory bounded by its configuration, not by the entity count:
//
//   - update sizes ‖e_k − e_{k−1}‖, relative to ‖e_{k−1}‖, go into a fixed log-scale histogram per
//     interaction-index bucket (1, 2, 3–4, 5–8, …), for every entity: quantiles come from there;
//   - a fixed-size sample of entities per side (drawn once from the seed, uniformly among ids) keeps
//     its whole sequence of relative update sizes (one float32 per update) and its embeddings at
//     interaction indices 1, 2, 4, 8, … (for the cosine to the final embedding);
//   - every entity's last embedding norm and interaction count are two numbers per entity (8 bytes:
//     64 times less than a 128-d float32 embedding).
//
// The update size needs each entity's previous embedding. Models pass it with the new one (JODIE
// has it at hand); for a model that cannot, the monitor keeps the previous embedding of every entity
// of that side itself (ObserveUpdate with prev nil), which costs one embedding per entity.
//
// It knows nothing of models or engines: embeddings arrive as []float32.
package monitor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Side says whose embedding an update is.
type Side int

// The two sides of an interaction log.
const (
	Users Side = iota
	Items
)

func (s Side) String() string {
	if s == Items {
		return "items"
	}
	return "users"
}

// Config bounds the monitor. Zero values mean the documented defaults.
type Config struct {
	// Sample is how many entities per side keep their full trajectory. Default 1000.
	Sample int
	// Threshold is the relative update size ‖e_k − e_{k−1}‖/‖e_{k−1}‖ below which an update counts
	// as small: an entity has matured after interaction k when every later update is small.
	// Default 0.05.
	Threshold float64
	// Seed draws the sample.
	Seed uint64
}

func (c *Config) resolve() error {
	if c.Sample == 0 {
		c.Sample = 1000
	}
	if c.Threshold == 0 {
		c.Threshold = 0.05
	}
	if c.Sample < 0 || c.Threshold < 0 || math.IsNaN(c.Threshold) {
		return fmt.Errorf("monitor: sample %d and threshold %v must be positive", c.Sample, c.Threshold)
	}
	return nil
}

// Monitor accumulates the evolution statistics of one run.
type Monitor struct {
	cfg   Config
	sides [2]*side
}

// side is one side's state.
type side struct {
	dim     int
	last    [][]float32 // per entity: previous embedding, kept only for updates given without it
	norm    []float32   // per entity: the last embedding's norm
	count   []int32     // per entity: updates observed
	tracked map[int32]*trajectory
	sizes   []*logHistogram // per interaction-index bucket: relative update sizes
	turns   []*logHistogram // per interaction-index bucket: 1 − cos(e_{k−1}, e_k)
}

// trajectory is a sampled entity's history.
type trajectory struct {
	rel       []float32   // relative size of update k (index k−1); update 1 has no predecessor: NaN
	snapshots [][]float32 // embeddings at interaction indices 1, 2, 4, 8, …
	final     []float32   // the last embedding
}

// New returns a monitor for nUsers users and nItems items with embeddings of the given widths (0:
// the width of the side's first embedding).
func New(cfg Config, nUsers, nItems, userDim, itemDim int) (*Monitor, error) {
	if err := cfg.resolve(); err != nil {
		return nil, err
	}
	m := &Monitor{cfg: cfg}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6d6f6e))
	for s, n := range []int{nUsers, nItems} {
		dim := []int{userDim, itemDim}[s]
		sd := &side{dim: dim, last: make([][]float32, n), norm: make([]float32, n), count: make([]int32, n), tracked: map[int32]*trajectory{}}
		for _, id := range sample(r, n, cfg.Sample) {
			sd.tracked[int32(id)] = &trajectory{}
		}
		m.sides[s] = sd
	}
	return m, nil
}

// sample draws k distinct ids of n uniformly (all of them when k ≥ n), by a partial Fisher–Yates
// shuffle over a map, so that memory is O(k) whatever n.
func sample(r *rand.Rand, n, k int) []int {
	if k >= n {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	swapped := map[int]int{}
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]int, k)
	for i := range k {
		j := i + r.IntN(n-i)
		out[i] = at(j)
		swapped[j] = at(i)
	}
	return out
}

// Restart forgets every trajectory and statistic (the sample stays): the model has reset its states
// to their initial values, so what follows starts every entity over.
func (m *Monitor) Restart() {
	for _, sd := range m.sides {
		clear(sd.last)
		clear(sd.norm)
		clear(sd.count)
		for id := range sd.tracked {
			sd.tracked[id] = &trajectory{}
		}
		sd.sizes, sd.turns = nil, nil
	}
}

// Observe records entity id's embedding e after one more interaction, the monitor remembering the
// previous one itself (one embedding per entity of the side). e is copied.
func (m *Monitor) Observe(s Side, id int32, e []float32) { m.ObserveUpdate(s, id, nil, e) }

// ObserveUpdate records entity id's embedding e after one more interaction, prev being its
// embedding before it (nil: the monitor's own copy). The first interaction's update is not
// measured (it starts from the shared initial state). A side created with width 0 takes the width
// of its first embedding.
func (m *Monitor) ObserveUpdate(s Side, id int32, prev, e []float32) {
	sd := m.sides[s]
	if sd.dim == 0 {
		sd.dim = len(e)
	}
	if len(e) != sd.dim || (prev != nil && len(prev) != sd.dim) {
		panic(fmt.Sprintf("monitor: %s embedding of width %d (previous %d), want %d", s, len(e), len(prev), sd.dim))
	}
	sd.count[id]++
	k := int(sd.count[id])
	if prev == nil {
		if sd.last[id] == nil {
			sd.last[id] = make([]float32, len(e))
		} else {
			prev = sd.last[id]
		}
	}
	rel := math.NaN()
	if k > 1 && prev != nil {
		var diff, norm, dot, normE float64
		for c, v := range e {
			d := float64(v) - float64(prev[c])
			diff += d * d
			norm += float64(prev[c]) * float64(prev[c])
			dot += float64(v) * float64(prev[c])
			normE += float64(v) * float64(v)
		}
		rel = math.Sqrt(diff) / math.Max(math.Sqrt(norm), 1e-12)
		b := indexBucket(k)
		for len(sd.sizes) <= b {
			sd.sizes = append(sd.sizes, newLogHistogram())
			sd.turns = append(sd.turns, newLogHistogram())
		}
		sd.sizes[b].add(rel)
		sd.turns[b].add(1 - dot/math.Max(math.Sqrt(norm*normE), 1e-24))
	}
	if sd.last[id] != nil {
		copy(sd.last[id], e)
	}
	var n float64
	for _, v := range e {
		n += float64(v) * float64(v)
	}
	sd.norm[id] = float32(math.Sqrt(n))
	if t := sd.tracked[id]; t != nil {
		t.rel = append(t.rel, float32(rel))
		if k&(k-1) == 0 { // k is a power of two
			t.snapshots = append(t.snapshots, append([]float32(nil), e...))
		}
		t.final = append(t.final[:0], e...)
	}
}

// indexBucket maps an interaction index k ≥ 1 to its bucket: 1 → 0, 2 → 1, 3–4 → 2, 5–8 → 3, …
func indexBucket(k int) int {
	b := 0
	for n := 1; n < k; n <<= 1 {
		b++
	}
	return b
}

// BucketRange is the interaction indices [lo, hi] of bucket b.
func BucketRange(b int) (lo, hi int) {
	if b == 0 {
		return 1, 1
	}
	return 1<<(b-1) + 1, 1 << b
}
