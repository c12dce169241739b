package dien

import (
	"math/rand/v2"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

const small = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

// TestGradients: a float64 gradient check of the whole training loss — logloss and auxiliary loss —
// through every parameter (embeddings, extractor GRU, attention, AUGRU, head) on one batch of every
// Tiny training sample (histories of 1 to 5 behaviours, padded), with and without batch norm. The
// negatives' stream is reset before every evaluation of the loss, so that each draws the same ones.
func TestGradients(t *testing.T) {
	for _, bn := range []bool{true, false} {
		cs := ctrtest.Tiny(t)
		c := ctr.Config{ItemDim: 2, CategoryDim: 2, Hidden: []int{3}, BatchNorm: &bn, InitStd: 0.05}
		net := NewNet(c, ctr.Dims{Items: cs.NumItems, Categories: cs.NumCategories, MaxHistory: 5}, ag.NewCPU64(), rand.New(rand.NewPCG(1, 2)))
		r := rand.New(rand.NewPCG(3, 4))
		for _, p := range net.Params() {
			agtest.FillUniform(p, r, -0.5, 0.5)
		}
		b := ctr.NewBatcher(cs, nil).Make(cs.Train)
		withAux := 0
		bad, err := agtest.CheckGradients(net.Params(), func(tp *ag.Tape) *ag.Tensor {
			net.neg = rand.New(rand.NewPCG(9, 9))
			loss := ctr.Loss(tp, net.Logits(tp, b, true), b.Label)
			if aux := net.AuxLoss(); aux != nil {
				withAux++
				loss = tp.Add(loss, aux)
			}
			return loss
		})
		if err != nil {
			t.Fatal(err)
		}
		if withAux == 0 {
			t.Error("the auxiliary loss was never built")
		}
		for _, e := range bad {
			t.Errorf("batch_norm=%v: %v", bn, e)
		}
	}
}

// TestCommon: the shared CTR model tests (ctrtest.Common), and refused keys. Smoke: two epochs on
// the test CTR set beat a constant predictor. DIEN's representation is a concatenation, which an
// MLP turns into the behaviour-target match slowly (TIN §3.1.2), hence the lower bars of the concat
// models of package din (measured when written: logloss 0.671, GAUC 0.640; deterministic for the
// seed).
func TestCommon(t *testing.T) {
	ctrtest.Common(t, Spec, small, 0.02, 0.6, append(ctrtest.TINSwitches, ctrtest.TransformerKeys...)...)
}
