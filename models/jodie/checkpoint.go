package jodie

import (
	"fmt"
	"io"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/nn"
)

var _ bench.Checkpointer = (*Model)(nil)

// checkpointName identifies JODIE's training-state streams.
const checkpointName = "jodie"

// What a checkpoint holds, and why nothing else is needed to resume bit-identically:
//
//   - the resolved configuration (memory_limit_gb aside: it changes no result) and the data's
//     shape, so that a stream from another setting or dataset is refused with the difference;
//   - every parameter, and Adam's moments, step count and the per-row step counts of the one-hot (or
//     learned static) tables (lazy: each row's own update count; dense: the step each row is
//     current at — TrainEpoch flushes, so at an epoch's end every row is current);
//   - the user and item state tables: their values and which rows still read the learned initial
//     vectors. TrainEpoch refills them, but Evaluate starts from them, so a model loaded after an
//     epoch evaluates exactly as the saving process would have.
//
// Init's random source draws the initial parameters only; the t-batches, backpropagation steps,
// window length and class weights are functions of the data that Init recomputes; Evaluate's
// buffers and snapshot are refilled on every call. JODIE keeps no epoch counter.
func (m *Model) checkpointConfig() Config {
	c := m.cfg
	c.MemoryLimitGB = 0
	return c
}

// dataShape is what Init derived from the data beyond the parameters' shapes.
func (m *Model) dataShape() []dataSize {
	return []dataSize{
		{"data.features", "the feature width", uint64(m.nFeat)},
		{"data.train_interactions", "the number of training interactions", uint64(m.batches.Len())},
		{"data.tbatches", "the number of t-batches", uint64(m.batches.NumBatches())},
		{"data.backprop_steps", "the number of backpropagation steps", uint64(len(m.steps) - 1)},
	}
}

// dataSize is one size checked on loading.
type dataSize struct {
	tag, what string
	v         uint64
}

// SaveCheckpoint writes the training state (bench.Checkpointer). Call it between epochs.
func (m *Model) SaveCheckpoint(w io.Writer) error {
	if m.opt == nil {
		return fmt.Errorf("jodie: SaveCheckpoint before Init")
	}
	cw := nn.NewCheckpointWriter(w, checkpointName, m.be)
	cw.Config("config", m.checkpointConfig())
	for _, s := range m.dataShape() {
		cw.Uint64(s.tag, s.v)
	}
	cw.Params("params", m.params)
	cw.Optimizer("adam", m.opt)
	cw.StateTable("user_states", m.users, nn.Params{m.initUser})
	cw.StateTable("item_states", m.items, nn.Params{m.initItem})
	if err := cw.Close(); err != nil {
		return fmt.Errorf("jodie: saving checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint restores a state written by SaveCheckpoint into a model built with the same
// parameters and Init-ed with the same data (bench.Checkpointer). On error the model may be partly
// loaded and must be Init-ed again.
func (m *Model) LoadCheckpoint(r io.Reader) error {
	if m.opt == nil {
		return fmt.Errorf("jodie: LoadCheckpoint before Init")
	}
	cr := nn.NewCheckpointReader(r, checkpointName, m.be)
	cr.Config("config", m.checkpointConfig())
	for _, s := range m.dataShape() {
		cr.Expect(s.tag, s.v, s.what)
	}
	m.endWindow()
	cr.Params("params", m.params)
	cr.Optimizer("adam", m.opt)
	cr.StateTable("user_states", m.users, nn.Params{m.initUser})
	cr.StateTable("item_states", m.items, nn.Params{m.initItem})
	if err := cr.Close(); err != nil {
		return fmt.Errorf("jodie: loading checkpoint: %w", err)
	}
	return nil
}
