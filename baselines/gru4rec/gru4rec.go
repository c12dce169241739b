// Package gru4rec is GRU4Rec (Hidasi, Karatzoglou, Baltrunas, Tikk, "Session-based Recommendations
// with Recurrent Neural Networks", ICLR 2016), the "GRU" row of JUMP's Table 3: a GRU over the
// session's clicks, session-parallel mini-batches, and the next click scored against every item.
//
// GRU4Rec is also a row of TIN's CTR Table 1: that form is registered as gru4rec-ctr (ctr.go), a
// GRU over the behaviours on the CTR engine, under a name of its own because its parameters are
// the CTR engine's, not the session engine's. The session implementation lives in session.go.
package gru4rec

import (
	"context"
	"fmt"
	"io"

	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("gru4rec", "GRU4Rec: GRU over a session's clicks, session-parallel mini-batches (JUMP's GRU comparator)", New)
}

// Model is GRU4Rec on the view Init is given.
type Model struct {
	session *session.Model // the session task's model
	impl    bench.Model    // the one Init chose
}

var (
	_ bench.SessionPredictor = (*Model)(nil)
	_ bench.Configured       = (*Model)(nil)
)

// New decodes the parameters (configs/models/gru4rec.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	s, err := newSession(params, env.Backend, env.Log)
	if err != nil {
		return nil, err
	}
	return &Model{session: s}, nil
}

// Init picks the implementation for d's view and initialises it.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	if d.Sessions == nil {
		return fmt.Errorf("gru4rec: only the session task is implemented (task %v; for CTR samples use gru4rec-ctr)", d.Task)
	}
	m.impl = m.session
	return m.impl.Init(d, seed)
}

// TrainEpoch trains one epoch.
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	if m.impl == nil {
		return bench.EpochStats{}, fmt.Errorf("gru4rec: TrainEpoch before Init")
	}
	return m.impl.TrainEpoch(ctx, d, p)
}

// Evaluate streams the evaluated parts.
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	if m.impl == nil {
		return fmt.Errorf("gru4rec: Evaluate before Init")
	}
	return m.impl.Evaluate(ctx, d, sink)
}

// PredictsSessions marks the session predictor (bench.SessionPredictor).
func (m *Model) PredictsSessions() {}

// Config returns the resolved parameters.
func (m *Model) Config() any { return m.session.Config() }

// Session returns the session model, for tests.
func (m *Model) Session() *session.Model { return m.session }

var _ bench.Checkpointer = (*Model)(nil)

// SaveCheckpoint writes the training state of the implementation Init chose (bench.Checkpointer).
func (m *Model) SaveCheckpoint(w io.Writer) error {
	if m.impl == nil {
		return fmt.Errorf("gru4rec: SaveCheckpoint before Init")
	}
	return m.impl.(bench.Checkpointer).SaveCheckpoint(w)
}

// LoadCheckpoint restores a state written by SaveCheckpoint (bench.Checkpointer).
func (m *Model) LoadCheckpoint(r io.Reader) error {
	if m.impl == nil {
		return fmt.Errorf("gru4rec: LoadCheckpoint before Init")
	}
	return m.impl.(bench.Checkpointer).LoadCheckpoint(r)
}

// PredictsDwell is false: GRU4Rec has no dwell head (bench.DwellPredictor).
func (m *Model) PredictsDwell() bool { return m.session.PredictsDwell() }
