package deepcoevolve

import (
	"fmt"
	"io"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/nn"
)

var _ bench.Checkpointer = (*Model)(nil)

// checkpointName identifies DeepCoevolve's training-state streams.
const checkpointName = "deepcoevolve"

// What a checkpoint holds, and why nothing else is needed to resume bit-identically:
//
//   - the resolved configuration, the seed and the data's derived sizes, so that a stream from
//     another setting or dataset is refused with the difference named;
//   - the epoch counter: each epoch's negatives are drawn from PCG(seed, epoch·2³² + row);
//   - every parameter, and Adam's moments and step count;
//   - the user and item state tables (values, and which rows still read the learned initial
//     vectors): TrainEpoch refills them, but Evaluate starts from them;
//   - the replay caches (each entity's last update's inputs, row and window), which the online
//     protocol's first steps replay across the cut, and the window counter they are stamped with;
//   - the users' embeddings after each training interaction of the last epoch, from which the
//     state-change read-out is fitted (the read-out itself is refitted on demand, deterministically).
//
// Init's random source draws the initial parameters only; the schedule, the Δ of every row and the
// time scale are functions of the data that Init recomputes.
func (m *Model) dataShape() []dataSize {
	return []dataSize{
		{"seed", "the seed", m.seed},
		{"data.users", "the number of users", uint64(m.nUsers)},
		{"data.items", "the number of items", uint64(m.nItems)},
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
		return fmt.Errorf("deepcoevolve: SaveCheckpoint before Init")
	}
	cw := nn.NewCheckpointWriter(w, checkpointName, m.be)
	cw.Config("config", m.cfg)
	for _, s := range m.dataShape() {
		cw.Uint64(s.tag, s.v)
	}
	cw.Uint64("epoch", uint64(m.epoch))
	cw.Params("params", m.params)
	cw.Optimizer("adam", m.opt)
	cw.StateTable("user_states", m.users, nn.Params{m.initUser})
	cw.StateTable("item_states", m.items, nn.Params{m.initItem})
	cw.Uint64("window", uint64(m.gen))
	for _, c := range []struct {
		side  string
		cache *updateCache
	}{{"user", &m.uCache}, {"item", &m.iCache}} {
		cw.Float32s(c.side+"_cache.own", c.cache.own)
		cw.Float32s(c.side+"_cache.partner", c.cache.partner)
		cw.Int32s(c.side+"_cache.row", c.cache.row)
		cw.Uint32s(c.side+"_cache.window", c.cache.gen)
	}
	cw.Float32s("train_user_embeddings", m.trainEmb)
	if err := cw.Close(); err != nil {
		return fmt.Errorf("deepcoevolve: saving checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint restores a state written by SaveCheckpoint into a model built with the same
// parameters and Init-ed with the same data and seed (bench.Checkpointer). On error the model may be
// partly loaded and must be Init-ed again.
func (m *Model) LoadCheckpoint(r io.Reader) error {
	if m.opt == nil {
		return fmt.Errorf("deepcoevolve: LoadCheckpoint before Init")
	}
	cr := nn.NewCheckpointReader(r, checkpointName, m.be)
	cr.Config("config", m.cfg)
	for _, s := range m.dataShape() {
		cr.Expect(s.tag, s.v, s.what)
	}
	m.endWindow()
	var epoch, window uint64
	cr.Uint64("epoch", &epoch)
	cr.Params("params", m.params)
	cr.Optimizer("adam", m.opt)
	cr.StateTable("user_states", m.users, nn.Params{m.initUser})
	cr.StateTable("item_states", m.items, nn.Params{m.initItem})
	cr.Uint64("window", &window)
	caches := [2]updateCache{}
	for k, side := range []string{"user", "item"} {
		c := &caches[k]
		cr.Float32s(side+"_cache.own", &c.own)
		cr.Float32s(side+"_cache.partner", &c.partner)
		cr.Int32s(side+"_cache.row", &c.row)
		cr.Uint32s(side+"_cache.window", &c.gen)
	}
	var trainEmb []float32
	cr.Float32s("train_user_embeddings", &trainEmb)
	if err := cr.Close(); err != nil {
		return fmt.Errorf("deepcoevolve: loading checkpoint: %w", err)
	}
	D := m.cfg.Dim
	for k, n := range []int{m.nUsers, m.nItems} {
		c := caches[k]
		if len(c.own) != n*D || len(c.partner) != n*D || len(c.row) != n || len(c.gen) != n {
			return fmt.Errorf("deepcoevolve: loading checkpoint: %w: replay cache sizes do not match %d entities of dim %d", nn.ErrCheckpoint, n, D)
		}
	}
	if len(trainEmb) != 0 && len(trainEmb) != m.batches.Len()*D {
		return fmt.Errorf("deepcoevolve: loading checkpoint: %w: %d recorded user-embedding values, want %d", nn.ErrCheckpoint, len(trainEmb), m.batches.Len()*D)
	}
	m.epoch, m.gen = int(epoch), uint32(window)
	m.uCache, m.iCache = caches[0], caches[1]
	m.trainEmb, m.readout = trainEmb, nil
	return nil
}
