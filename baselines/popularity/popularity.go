// Package popularity is the recency-weighted item-popularity baseline: every user gets the same
// ranking, items ordered by their decayed interaction counts so far. It is an honest floor for every
// next-item table (the JODIE paper had none): a model that does not beat it has learned nothing
// beyond "what is popular now".
package popularity

import (
	"context"

	"github.com/tibench/tibench/baselines/internal/popularity"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("popularity", "recency-weighted item popularity (same ranking for every user); a floor", New)
}

// Config is the model's parameters (configs/models/popularity.yaml).
type Config = popularity.Config

// Model ranks items by recency-weighted popularity.
type Model struct {
	cfg     Config
	counter *popularity.Counter // state at the end of training
}

var (
	_ bench.Ranker      = (*Model)(nil)
	_ bench.FixedEpochs = (*Model)(nil)
	_ bench.Configured  = (*Model)(nil)
)

// New decodes the parameters.
func New(params bench.ModelParams, _ models.Env) (models.Model, error) {
	cfg, err := popularity.DecodeConfig(params)
	if err != nil {
		return nil, err
	}
	return &Model{cfg: cfg}, nil
}

// Init allocates the counter.
func (m *Model) Init(d *bench.Data, _ uint64) error {
	c, err := popularity.New(d.NumItems(), m.cfg.HalfLife)
	m.counter = c
	return err
}

// TrainEpoch counts the training interactions (from scratch, so repeated epochs are idempotent).
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	m.counter.Reset()
	for i := 0; i < d.Split.TrainEnd; i++ {
		if i%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return bench.EpochStats{}, err
			}
		}
		m.counter.Add(d.Items[i], d.Times[i])
	}
	p.Advance(d.Split.TrainEnd)
	return bench.EpochStats{Interactions: d.Split.TrainEnd}, nil
}

// Evaluate ranks each validation and test item, then counts it.
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	c := m.counter.Clone()
	for i := d.Split.TrainEnd; i < d.Split.TestEnd; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p := d.RowPrediction(i)
		p.Rank = float64(c.Rank(d.Items[i]))
		sink(p)
		c.Add(d.Items[i], d.Times[i])
	}
	return nil
}

// ItemScoring names the ranking rule.
func (m *Model) ItemScoring() string { return "popularity" }

// FixedEpochs: counting needs one pass.
func (m *Model) FixedEpochs() int { return 1 }

// Config returns the resolved parameters.
func (m *Model) Config() any { return m.cfg }
