package session

import (
	"fmt"
	"io"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/nn"
)

// StatefulNet is a net with state besides its parameters that training changes and evaluation
// reads (JUMP's batch-norm running statistics): State returns it as float64 slices, which a
// checkpoint saves and restores in place.
type StatefulNet interface {
	Net
	State() [][]float64
}

var _ bench.Checkpointer = (*Model)(nil)

// SaveCheckpoint writes the training state (bench.Checkpointer): the resolved config, the data's
// sizes, the epoch counter, the parameters, Adam's moments and step count, and a StatefulNet's
// state. The session order and the negatives of an epoch are drawn from (seed, epoch), so no
// random source needs saving. Call it between epochs.
func (m *Model) SaveCheckpoint(w io.Writer) error {
	if m.net == nil {
		return fmt.Errorf("%s: SaveCheckpoint before Init", m.spec.Name)
	}
	cw := nn.NewCheckpointWriter(w, "session/"+m.spec.Name, m.be)
	cw.Config("config", m.cfg)
	cw.Uint64("items", uint64(m.numItems))
	cw.Uint64("train-sessions", uint64(m.trainSessions))
	cw.Uint64("epoch", uint64(m.epoch))
	cw.Params("params", m.params)
	cw.Optimizer("adam", m.opt)
	if s, ok := m.net.(StatefulNet); ok {
		for k, xs := range s.State() {
			cw.Float64s(fmt.Sprintf("state.%d", k), xs)
		}
	}
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
	cr := nn.NewCheckpointReader(r, "session/"+m.spec.Name, m.be)
	cr.Config("config", m.cfg)
	cr.Expect("items", uint64(m.numItems), "items")
	cr.Expect("train-sessions", uint64(m.trainSessions), "training sessions")
	var epoch uint64
	cr.Uint64("epoch", &epoch)
	cr.Params("params", m.params)
	cr.Optimizer("adam", m.opt)
	if s, ok := m.net.(StatefulNet); ok {
		for k, xs := range s.State() {
			cr.Float64s(fmt.Sprintf("state.%d", k), xs, "state values")
		}
	}
	if err := cr.Close(); err != nil {
		return fmt.Errorf("%s: loading checkpoint: %w", m.spec.Name, err)
	}
	m.epoch = int(epoch)
	return nil
}
