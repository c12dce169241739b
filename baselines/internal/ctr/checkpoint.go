package ctr

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/nn"
)

var _ bench.Checkpointer = (*Model)(nil)

// What a checkpoint holds, and why nothing else is needed to resume bit-identically (a CTR epoch
// on real data takes minutes to an hour, so that `tibench run -resume` continues a stopped run
// from its last finished epoch):
//
//   - the resolved configuration, the seed and the data's sizes, so that a stream from another
//     setting or dataset is refused with the difference named;
//   - the number of shuffles of the training order so far: Init's order and shuffle source are
//     rebuilt from the seed and the shuffles replayed (each epoch's order is the previous one
//     shuffled in place, so the order is the shuffles' composition);
//   - every parameter, and both Adams' moments and step count (the deferred tables are flushed at
//     the end of every epoch, so every row is current);
//   - every batch norm's running statistics (BatchNormOwner, or a TableOwner's head);
//   - the state of every random source a net draws from while training (RandomNet: DIEN's
//     auxiliary negatives).

// BatchNormOwner is implemented by nets with batch norms besides their head's: BatchNorms lists
// all of them, the head's included, in a fixed order. A TableOwner without it has its head's only.
type BatchNormOwner interface {
	BatchNorms() []*BatchNorm
}

// RandomNet is implemented by nets that draw from random sources of their own while training:
// Sources lists them in a fixed order, for a checkpoint to save and restore their state.
type RandomNet interface {
	Sources() []*rand.PCG
}

// BatchNorms returns the head's batch norm, if it has one.
func (h *Head) BatchNorms() []*BatchNorm {
	if h.BN == nil {
		return nil
	}
	return []*BatchNorm{h.BN}
}

// batchNorms lists the net's batch norms (see BatchNormOwner).
func batchNorms(net Net) []*BatchNorm {
	if o, ok := net.(BatchNormOwner); ok {
		return o.BatchNorms()
	}
	if t, ok := net.(TableOwner); ok {
		_, h := t.Tables()
		return h.BatchNorms()
	}
	return nil
}

// checkpointName identifies a model's training-state streams.
func (m *Model) checkpointName() string { return "ctr/" + m.spec.Name }

// SaveCheckpoint writes the training state (bench.Checkpointer). Call it between epochs.
func (m *Model) SaveCheckpoint(w io.Writer) error {
	if m.net == nil {
		return fmt.Errorf("%s: SaveCheckpoint before Init", m.spec.Name)
	}
	m.opt.flush()
	m.opt.zeroGrad() // the last step's gradients, spent (each batch clears them before its backward pass)
	cw := nn.NewCheckpointWriter(w, m.checkpointName(), m.be)
	cw.Config("config", m.cfg)
	cw.Uint64("seed", m.seed)
	cw.Uint64("data.train_samples", uint64(len(m.order)))
	cw.Uint64("data.items", uint64(m.dims.Items))
	cw.Uint64("data.categories", uint64(m.dims.Categories))
	cw.Uint64("shuffles", m.shuffles)
	cw.Params("params", m.params)
	cw.Optimizer("adam.dense", m.opt.dense)
	if m.opt.tables != nil {
		cw.Optimizer("adam.tables", m.opt.tables)
	}
	for k, bn := range batchNorms(m.net) {
		mean, variance := bn.RunningStats()
		for j, xs := range [][]float64{mean, variance} {
			cw.Float64s(fmt.Sprintf("bn.%d.%d", k, j), xs)
		}
	}
	if r, ok := m.net.(RandomNet); ok {
		for k, src := range r.Sources() {
			b, err := src.MarshalBinary()
			if err != nil {
				return fmt.Errorf("%s: saving checkpoint: random source %d: %w", m.spec.Name, k, err)
			}
			cw.Uint64(fmt.Sprintf("rand.%d.len", k), uint64(len(b)))
			for i, v := range b {
				cw.Uint64(fmt.Sprintf("rand.%d.%d", k, i), uint64(v))
			}
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
	cr := nn.NewCheckpointReader(r, m.checkpointName(), m.be)
	cr.Config("config", m.cfg)
	cr.Expect("seed", m.seed, "the seed")
	cr.Expect("data.train_samples", uint64(len(m.order)), "training samples")
	cr.Expect("data.items", uint64(m.dims.Items), "items")
	cr.Expect("data.categories", uint64(m.dims.Categories), "categories")
	var shuffles uint64
	cr.Uint64("shuffles", &shuffles)
	cr.Params("params", m.params)
	cr.Optimizer("adam.dense", m.opt.dense)
	if m.opt.tables != nil {
		cr.Optimizer("adam.tables", m.opt.tables)
	}
	for k, bn := range batchNorms(m.net) {
		mean, variance := bn.RunningStats()
		for j, xs := range [][]float64{mean, variance} {
			cr.Float64s(fmt.Sprintf("bn.%d.%d", k, j), xs, "batch-norm statistics")
		}
	}
	var sources []*rand.PCG
	var states [][]uint64
	if rn, ok := m.net.(RandomNet); ok {
		sources = rn.Sources()
		for k, src := range sources {
			b, err := src.MarshalBinary()
			if err != nil {
				return fmt.Errorf("%s: loading checkpoint: random source %d: %w", m.spec.Name, k, err)
			}
			cr.Expect(fmt.Sprintf("rand.%d.len", k), uint64(len(b)), "random-source state bytes")
			states = append(states, make([]uint64, len(b)))
			for i := range b {
				cr.Uint64(fmt.Sprintf("rand.%d.%d", k, i), &states[k][i])
			}
		}
	}
	if err := cr.Close(); err != nil {
		return fmt.Errorf("%s: loading checkpoint: %w", m.spec.Name, err)
	}
	for k, src := range sources {
		b := make([]byte, len(states[k]))
		for i, v := range states[k] {
			b[i] = byte(v)
		}
		if err := src.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("%s: loading checkpoint: random source %d: %w", m.spec.Name, k, err)
		}
	}
	m.resetOrder()
	for range shuffles {
		m.shuffleOrder()
	}
	return nil
}
