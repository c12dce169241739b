package nn

import (
	"fmt"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// jodieStep is one JODIE-shaped t-batch training step at the sizes of the paper's Wikipedia/Reddit
// setting: 128-d embeddings, 172 features, 10,000 users and 1,000 items.
type jodieStep struct {
	tp             *ag.Tape
	users, items   *StateTable
	userRNN        *RNNCell
	itemRNN        *RNNCell
	proj, predict  *Linear
	opt            Optimizer
	batches        [][2][]int32 // (user ids, item ids) of a few distinct batches, used in turn
	du, di, feat   []float32
	batchSize, dim int
}

func newJODIEStep(be ag.Backend, batchSize int) *jodieStep {
	const dim, nf, nUsers, nItems = 128, 172, 10000, 1000
	r := rng(1)
	s := &jodieStep{tp: ag.NewTape(be), batchSize: batchSize, dim: dim,
		users:   NewStateTable(be, "users", nUsers, dim),
		items:   NewStateTable(be, "items", nItems, dim),
		userRNN: NewRNNCell(be, "user_rnn", dim+1+nf, dim, r),
		itemRNN: NewRNNCell(be, "item_rnn", dim+1+nf, dim, r),
		proj:    NewNormalLinear(be, "projection", 1, dim, r),
		predict: NewLinear(be, "prediction", 2*dim, dim, true, r),
		du:      make([]float32, batchSize), di: make([]float32, batchSize), feat: make([]float32, batchSize*nf),
	}
	init := ag.NewConst(be, "init", 1, dim)
	Uniform(init, r, -0.1, 0.1)
	s.users.Fill(init)
	s.items.Fill(init)
	s.opt = NewAdam(Collect(s.userRNN, s.itemRNN, s.proj, s.predict), OptimConfig{LR: 1e-3, WeightDecay: 1e-5})
	for k := 0; k < 8; k++ { // distinct ids within a batch, as t-Batch guarantees
		us, is := r.Perm(nUsers)[:batchSize], r.Perm(nItems)[:batchSize]
		var b [2][]int32
		for i := range batchSize {
			b[0] = append(b[0], int32(us[i]))
			b[1] = append(b[1], int32(is[i]))
		}
		s.batches = append(s.batches, b)
	}
	for i := range s.du {
		s.du[i], s.di[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	for i := range s.feat {
		s.feat[i] = float32(r.NormFloat64())
	}
	return s
}

func (s *jodieStep) run(k int) {
	tp, B := s.tp, s.batchSize
	uids, iids := s.batches[k%len(s.batches)][0], s.batches[k%len(s.batches)][1]
	tp.Reset()
	u, i := s.users.Read(tp, uids), s.items.Read(tp, iids)
	du, di := tp.Input(B, 1, s.du), tp.Input(B, 1, s.di)
	feat := tp.Input(B, len(s.feat)/B, s.feat)
	// Projection û = u ⊙ (1 + W·Δu); prediction from [û, item embedding]; targets detached.
	uHat := tp.Mul(u, tp.AddScalar(s.proj.Forward(tp, du), 1))
	pred := s.predict.Forward(tp, tp.Concat(uHat, i))
	loss := tp.MSE(pred, tp.Detach(i))
	uNew := tp.L2Normalize(s.userRNN.Forward(tp, tp.Concat(i, du, feat), u))
	iNew := tp.L2Normalize(s.itemRNN.Forward(tp, tp.Concat(u, di, feat), i))
	loss = tp.Add(loss, tp.Add(tp.MSE(uNew, tp.Detach(u)), tp.MSE(iNew, tp.Detach(i))))
	if err := tp.Backward(loss); err != nil {
		panic(err)
	}
	s.opt.Step()
	s.opt.ZeroGrad()
	s.users.Write(uids, uNew)
	s.items.Write(iids, iNew)
	s.users.Detach()
	s.items.Detach()
}

// BenchmarkJODIEStep times one JODIE-shaped t-batch step (forward, backward, Adam, write-back) for
// t-batch sizes 1, 11 (Wikipedia's mean), 64 and 512. Run:
//
//	go test -run '^$' -bench JODIEStep -benchmem ./internal/nn
func BenchmarkJODIEStep(b *testing.B) {
	for _, B := range []int{1, 11, 64, 512} {
		b.Run(fmt.Sprintf("B=%d", B), func(b *testing.B) {
			s := newJODIEStep(ag.NewCPU(), B)
			for k := range 2 * len(s.batches) { // warm-up: grow the tape's arena
				s.run(k)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for k := 0; k < b.N; k++ {
				s.run(k)
			}
			b.ReportMetric(float64(b.N*B)/b.Elapsed().Seconds(), "interactions/s")
		})
	}
}

func TestJODIEStepAllocatesNothing(t *testing.T) {
	s := newJODIEStep(ag.NewCPU(), 11)
	for k := range 2 * len(s.batches) {
		s.run(k)
	}
	k := 0
	if n := testing.AllocsPerRun(10, func() { s.run(k); k++ }); n != 0 {
		t.Errorf("JODIE step allocates %v times per step in steady state, want 0", n)
	}
}
