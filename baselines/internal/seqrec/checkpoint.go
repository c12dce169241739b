package seqrec

import (
	"fmt"
	"io"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/nn"
)

var _ bench.Checkpointer = (*Model)(nil)

// What a checkpoint holds, and why nothing else is needed to resume bit-identically:
//
//   - the resolved configuration, the seed and the data's derived sizes, so that a stream from
//     another setting or dataset is refused with the difference named (the seed also draws every
//     epoch's lane order, so it must be the one Init received);
//   - the epoch counter, from which TrainEpoch derives the next epoch's lane order;
//   - every parameter (the tables' learned initial states included), and Adam's moments and step
//     count.
//
// The state tables are not saved: TrainEpoch resets them before reading any, and Evaluate restores
// them from the end-of-training state, which it recomputes from the parameters (ensureEnd) after a
// load just as after an epoch. Online evaluation runs on a fresh optimiser and restores the
// parameters, so it leaves nothing behind either. Init's random source draws the initial
// parameters only; the coupled training schedule is rebuilt from the data.

// checkpointName identifies a model's training-state streams.
func (m *Model) checkpointName() string { return "seqrec/" + m.spec.Name }

// dataSizes are what Init derived from the data beyond the parameters' shapes: the training rows,
// the inputs, and the rows of every state table (a net whose parameters do not depend on the
// number of users still has a table per user).
func (m *Model) dataSizes() []dataSize {
	b := func(v bool) uint64 {
		if v {
			return 1
		}
		return 0
	}
	out := []dataSize{
		{"seed", "the seed", m.seed},
		{"data.train_interactions", "the number of training interactions", uint64(m.trainRows)},
		{"inputs.features", "the feature input width", uint64(m.in.Features)},
		{"inputs.delta_t", "the Δt input", b(m.in.DeltaT)},
		{"inputs.clock", "the clock input", b(m.in.Clock)},
	}
	for _, t := range m.tables {
		out = append(out, dataSize{"rows." + t.Values.Name, "the rows of state table " + t.Values.Name, uint64(t.Rows())})
	}
	return out
}

// dataSize is one size checked on loading.
type dataSize struct {
	tag, what string
	v         uint64
}

// SaveCheckpoint writes the training state (bench.Checkpointer). Call it between epochs.
func (m *Model) SaveCheckpoint(w io.Writer) error {
	if m.net == nil {
		return fmt.Errorf("%s: SaveCheckpoint before Init", m.spec.Name)
	}
	cw := nn.NewCheckpointWriter(w, m.checkpointName(), m.be)
	cw.Config("config", m.cfg)
	for _, s := range m.dataSizes() {
		cw.Uint64(s.tag, s.v)
	}
	cw.Uint64("epoch", uint64(m.epoch))
	cw.Params("params", m.params)
	cw.Optimizer("adam", m.opt)
	if err := cw.Close(); err != nil {
		return fmt.Errorf("%s: saving checkpoint: %w", m.spec.Name, err)
	}
	return nil
}

// LoadCheckpoint restores a state written by SaveCheckpoint into a model built with the same
// parameters and Init-ed with the same data and seed (bench.Checkpointer). On error the model may
// be partly loaded and must be Init-ed again.
func (m *Model) LoadCheckpoint(r io.Reader) error {
	if m.net == nil {
		return fmt.Errorf("%s: LoadCheckpoint before Init", m.spec.Name)
	}
	cr := nn.NewCheckpointReader(r, m.checkpointName(), m.be)
	cr.Config("config", m.cfg)
	for _, s := range m.dataSizes() {
		cr.Expect(s.tag, s.v, s.what)
	}
	var epoch uint64
	cr.Uint64("epoch", &epoch)
	// Whatever the end-of-training state was computed from, it is stale now.
	m.ended, m.readout = false, nil
	cr.Params("params", m.params)
	cr.Optimizer("adam", m.opt)
	if err := cr.Close(); err != nil {
		return fmt.Errorf("%s: loading checkpoint: %w", m.spec.Name, err)
	}
	m.epoch = int(epoch)
	return nil
}
