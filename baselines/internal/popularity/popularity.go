// Package popularity keeps a recency-weighted count of each item's interactions, shared by the
// popularity and repeat-last baselines.
//
// An interaction at time t contributes 2^(−(now−t)/halfLife) to its item's score at time now.
// Every score decays by the same factor between events, so the ranking at any time is the ranking
// of the undecayed sums Σ 2^((t−t0)/halfLife): they are kept in that form (rescaled to a new t0
// when they grow large), and ranking needs no pass over the items to decay them.
package popularity

import (
	"fmt"
	"math"
	"slices"
)

// DefaultHalfLife is one day, in seconds.
const DefaultHalfLife = 86400.0

// Config is the popularity parameters shared by the baselines that use a Counter
// (configs/models/popularity.yaml, configs/models/repeatlast.yaml).
type Config struct {
	// HalfLife of an interaction's weight, in seconds. Default 86400 (one day); .inf counts
	// every interaction equally.
	HalfLife float64 `yaml:"half_life"`
}

// DecodeConfig decodes a model's parameter layers into a Config, fills the default and validates.
func DecodeConfig(params interface{ Decode(any) error }) (Config, error) {
	var c Config
	if err := params.Decode(&c); err != nil {
		return c, err
	}
	if c.HalfLife == 0 {
		c.HalfLife = DefaultHalfLife
	}
	if !(c.HalfLife > 0) {
		return c, fmt.Errorf("half_life %v: must be positive (or .inf)", c.HalfLife)
	}
	return c, nil
}

// Counter is the recency-weighted popularity of every item.
type Counter struct {
	halfLife float64 // seconds; +Inf counts every interaction equally
	t0       float64
	score    []float64
}

// New returns a counter over n items. halfLife 0 means DefaultHalfLife; +Inf disables decay.
func New(n int, halfLife float64) (*Counter, error) {
	if halfLife == 0 {
		halfLife = DefaultHalfLife
	}
	if !(halfLife > 0) {
		return nil, fmt.Errorf("popularity: half_life %v must be positive (or .inf for plain counts)", halfLife)
	}
	return &Counter{halfLife: halfLife, score: make([]float64, n)}, nil
}

// HalfLife is the decay half-life in seconds.
func (c *Counter) HalfLife() float64 { return c.halfLife }

// Add records an interaction with item at time t (times non-decreasing).
func (c *Counter) Add(item int32, t float64) {
	if math.IsInf(c.halfLife, 1) {
		c.score[item]++
		return
	}
	w := math.Exp2((t - c.t0) / c.halfLife)
	if w > 1e200 { // rescale everything to a new origin before the sums overflow
		f := 1 / w
		for i := range c.score {
			c.score[i] *= f
		}
		c.t0, w = t, 1
	}
	c.score[item] += w
}

// Score returns item's score in the counter's current scale (comparable across items only).
func (c *Counter) Score(item int32) float64 { return c.score[item] }

// Scores exposes the scores in the current scale (read-only).
func (c *Counter) Scores() []float64 { return c.score }

// Rank returns 1 + the number of items with a strictly higher score than item (ties count in the
// item's favour, as JODIE's rank rule).
func (c *Counter) Rank(item int32) int {
	s, r := c.score[item], 1
	for _, v := range c.score {
		if v > s {
			r++
		}
	}
	return r
}

// Reset clears every score.
func (c *Counter) Reset() {
	clear(c.score)
	c.t0 = 0
}

// Clone returns an independent copy (a snapshot for evaluation).
func (c *Counter) Clone() *Counter {
	d := *c
	d.score = slices.Clone(c.score)
	return &d
}
