package nn

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// stateFixture is a miniature model: a sparse embedding and a linear layer, an optimiser, a state
// table filled from a learned initial state, a counter and a configuration.
type stateFixture struct {
	be    ag.Backend
	emb   *Embedding
	lin   *Linear
	init  *ag.Tensor
	ps    Params
	opt   Optimizer
	table *StateTable
	epoch uint64
	cfg   struct{ Dim, Rows int }
}

func newStateFixture(be ag.Backend, optName string, rows SparseRows, dim int, seed uint64) *stateFixture {
	f := &stateFixture{be: be}
	f.emb = NewEmbedding(be, "emb", 5, dim, rng(seed))
	f.lin = NewLinear(be, "lin", dim, 2, true, rng(seed+1))
	f.init = ag.NewParam(be, "init", 1, dim)
	Uniform(f.init, rng(seed+2), -1, 1)
	f.ps = append(Collect(f.emb, f.lin), f.init)
	f.opt, _ = OptimizerByName(optName, f.ps, OptimConfig{LR: 0.05, Momentum: 0.5, SparseRows: rows})
	f.table = NewStateTable(be, "states", 4, dim)
	f.table.Fill(f.init)
	f.cfg.Dim, f.cfg.Rows = dim, 4
	return f
}

// step trains on one batch: states of users read and rewritten from the embedding of items.
func (f *stateFixture) step(users, items []int32) {
	tp := ag.NewTape(f.be)
	s := f.table.Read(tp, users)
	x := tp.Add(s, f.emb.Forward(tp, items))
	f.table.Write(users, tp.Tanh(x))
	loss := tp.MSE(f.lin.Forward(tp, x), tp.Input(len(users), 2, make([]float32, 2*len(users))))
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
	f.opt.Step()
	f.opt.ZeroGrad()
	f.table.Detach()
	f.epoch++
}

func (f *stateFixture) save(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewCheckpointWriter(&buf, "fixture", f.be)
	w.Config("config", f.cfg)
	w.Uint64("epoch", f.epoch)
	w.Params("params", f.ps)
	w.Optimizer("optimizer", f.opt)
	w.StateTable("states", f.table, Params{f.init})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (f *stateFixture) load(b []byte) error {
	r := NewCheckpointReader(bytes.NewReader(b), "fixture", f.be)
	r.Config("config", f.cfg)
	r.Uint64("epoch", &f.epoch)
	r.Params("params", f.ps)
	r.Optimizer("optimizer", f.opt)
	r.StateTable("states", f.table, Params{f.init})
	return r.Close()
}

// fingerprint is every value the fixture's future depends on, in float64.
func (f *stateFixture) fingerprint() []float64 {
	var out []float64
	for _, p := range append(slices.Clone(f.ps), f.table.Values) {
		v := make([]float64, p.Len())
		p.CopyTo64(v)
		out = append(out, v...)
	}
	out = append(out, float64(f.epoch))
	return out
}

// TestTrainStateResume: a fixture saved after two steps and loaded into one drawn from another
// seed continues bit-identically, for every optimiser and both precisions; rows never written keep
// reading the learned initial state (whose value the third step changes).
func TestTrainStateResume(t *testing.T) {
	for _, tt := range []struct {
		name string
		be   func() ag.Backend
		opt  string
		rows SparseRows
	}{
		{"adam-lazy-cpu", func() ag.Backend { return ag.NewCPU() }, "adam", RowsLazy},
		{"adam-dense-cpu", func() ag.Backend { return ag.NewCPU() }, "adam", RowsDense},
		{"adam-deferred-cpu", func() ag.Backend { return ag.NewCPU() }, "adam", RowsDeferred},
		{"adam-lazy-cpu64", func() ag.Backend { return ag.NewCPU64() }, "adam", RowsLazy},
		{"sgd-momentum-cpu", func() ag.Backend { return ag.NewCPU() }, "sgd", RowsDense},
		{"adagrad-cpu64", func() ag.Backend { return ag.NewCPU64() }, "adagrad", RowsDense},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newStateFixture(tt.be(), tt.opt, tt.rows, 3, 1)
			a.step([]int32{0, 1}, []int32{2, 3})
			a.step([]int32{1}, []int32{4})
			saved := a.save(t)
			b := newStateFixture(tt.be(), tt.opt, tt.rows, 3, 7)
			if err := b.load(saved); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.fingerprint(), b.fingerprint()) {
				t.Fatal("loaded state differs from the saved one")
			}
			for _, f := range []*stateFixture{a, b} {
				f.step([]int32{2, 0}, []int32{2, 0})
				f.step([]int32{3}, []int32{1}) // row 3 was never written: it reads init
			}
			if !slices.Equal(a.fingerprint(), b.fingerprint()) {
				t.Error("resumed training differs from uninterrupted training")
			}
		})
	}
}

// TestTrainStateErrors: corrupt, truncated and foreign streams are refused with an error that says
// why, wrapping ErrCheckpoint.
func TestTrainStateErrors(t *testing.T) {
	src := newStateFixture(ag.NewCPU(), "adam", RowsLazy, 3, 1)
	src.step([]int32{0}, []int32{1})
	good := src.save(t)
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x10
	var v1 bytes.Buffer
	if err := Save(&v1, src.ps); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		into *stateFixture
		want string
	}{
		{"flipped", flipped, newStateFixture(ag.NewCPU(), "adam", RowsLazy, 3, 2), "checksum mismatch"},
		{"truncated", good[:len(good)/3], newStateFixture(ag.NewCPU(), "adam", RowsLazy, 3, 2), "truncated"},
		{"no-checksum", good[:len(good)-2], newStateFixture(ag.NewCPU(), "adam", RowsLazy, 3, 2), "checksum mismatch"},
		{"empty", nil, newStateFixture(ag.NewCPU(), "adam", RowsLazy, 3, 2), "not a tibench checkpoint"},
		{"params-only", v1.Bytes(), newStateFixture(ag.NewCPU(), "adam", RowsLazy, 3, 2), "parameters-only"},
		{"dim", good, newStateFixture(ag.NewCPU(), "adam", RowsLazy, 4, 2), `Dim: 3 in the checkpoint, 4 in the model`},
		{"precision", good, newStateFixture(ag.NewCPU64(), "adam", RowsLazy, 3, 2), "float32"},
		{"optimizer", good, newStateFixture(ag.NewCPU(), "adagrad", RowsDense, 3, 2), `optimiser "adam", the model's is "adagrad"`},
		{"lazy", good, newStateFixture(ag.NewCPU(), "adam", RowsDense, 3, 2), "per-row step counts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.into.load(tt.data)
			if !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrCheckpoint mentioning %q", err, tt.want)
			}
			if tt.into.epoch != 0 {
				t.Errorf("epoch counter assigned (%d) by a failed load", tt.into.epoch)
			}
		})
	}
	// A shape mismatch without a configuration section to catch it first names the tensor.
	other := newStateFixture(ag.NewCPU(), "adam", RowsLazy, 4, 2)
	var buf bytes.Buffer
	w := NewCheckpointWriter(&buf, "fixture", src.be)
	w.Params("params", src.ps)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := NewCheckpointReader(&buf, "fixture", other.be)
	r.Params("params", other.ps)
	if err := r.Close(); err == nil || !strings.Contains(err.Error(), `tensor "emb.weight" is 5×3, the model's is 5×4`) {
		t.Errorf("shape mismatch: err = %v", err)
	}
	// Another model's stream.
	r = NewCheckpointReader(bytes.NewReader(good), "other", src.be)
	if err := r.Close(); err == nil || !strings.Contains(err.Error(), `model "fixture", not "other"`) {
		t.Errorf("model mismatch: err = %v", err)
	}
}

// TestTrainStateRefusesOpenWindow: saving a table with rows written in an open window, or
// parameters holding a gradient, fails instead of writing a state that cannot resume exactly.
func TestTrainStateRefusesOpenWindow(t *testing.T) {
	f := newStateFixture(ag.NewCPU(), "adam", RowsDense, 3, 1)
	tp := ag.NewTape(f.be)
	f.table.Write([]int32{0}, tp.Tanh(f.table.Read(tp, []int32{0})))
	w := NewCheckpointWriter(&bytes.Buffer{}, "fixture", f.be)
	w.StateTable("states", f.table, Params{f.init})
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "open backpropagation window") {
		t.Errorf("open window: err = %v", err)
	}
	f.be.Fill(f.init.GradStorage(), 1)
	w = NewCheckpointWriter(&bytes.Buffer{}, "fixture", f.be)
	w.Params("params", f.ps)
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "gradient") {
		t.Errorf("pending gradient: err = %v", err)
	}
}
