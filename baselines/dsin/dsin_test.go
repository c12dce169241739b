package dsin

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/ag/agtest"
)

const small = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

// TestGradients: a float64 gradient check of the whole net (embeddings, positions, every encoder
// layer, head) on a batch of Tiny's training samples (histories of 1 to 5 behaviours, padded), with
// and without batch norm, two heads.
func TestGradients(t *testing.T) {
	tiny := "    item_dim: 2\n    category_dim: 2\n    hidden: [3]\n    heads: 2\n    ffn: 3\n"
	ctrtest.CheckGradients(t, Spec, tiny)
	ctrtest.CheckGradients(t, Spec, tiny+"    batch_norm: false\n")
}

// TestSessions by hand: behaviours at 0, 600, 4000, 4100 s (gaps 600, 3400, 100: one cut, > 1800 s)
// and a sample at 0, 1801 s (one cut), in T = 4 slots.
func TestSessions(t *testing.T) {
	b := &ctr.Batch{B: 2, T: 4, Len: []int{4, 2}, Slots: ctr.Slots{Time: []float64{0, 600, 4000, 4100, 0, 1801, 0, 0}}}
	rows, sess, pos, lens := sessions(b)
	if !slices.Equal(rows, []int32{0, 1, 2, 3, 4, 5}) || !slices.Equal(sess, []int32{1, 1, 2, 2, 1, 2}) ||
		!slices.Equal(pos, []int32{1, 2, 1, 2, 1, 1}) || !slices.Equal(lens[0], []int{2, 2}) || !slices.Equal(lens[1], []int{1, 1}) {
		t.Errorf("rows %v sessions %v positions %v lengths %v", rows, sess, pos, lens)
	}
}

// TestGradientsAcrossSessions: a float64 gradient check on a hand-built batch whose histories span
// several sessions (3, 2 and 0), so that the Bi-LSTM runs both directions over more than one step,
// steps fewer samples as their sessions run out, and a sample without sessions gets zero interests.
func TestGradientsAcrossSessions(t *testing.T) {
	bn := true
	c := ctr.Config{ItemDim: 2, CategoryDim: 2, Hidden: []int{3}, BatchNorm: &bn, InitStd: 0.05, Blocks: 1, Heads: 2, FFN: 3}
	net := NewNet(c, ctr.Dims{Items: 6, Categories: 3, MaxHistory: 4}, ag.NewCPU64(), rand.New(rand.NewPCG(1, 2)))
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range net.Params() {
		agtest.FillUniform(p, r, -0.5, 0.5)
	}
	b := &ctr.Batch{B: 3, T: 4, Len: []int{4, 3, 0},
		Slots: ctr.Slots{
			Hist: []int32{0, 1, 2, 3, 4, 5, 1, 0, 0, 0, 0, 0}, HistCat: []int32{0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0},
			Time: []float64{0, 4000, 4100, 9000, 0, 60, 5000, 0, 0, 0, 0, 0},
		},
		Mask:   []float32{1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
		Target: []int32{5, 2, 3}, TargetCat: []int32{2, 1, 1}, Label: []float32{1, 0, 1}}
	b.Repack()
	if _, _, _, lens := sessions(b); !slices.Equal(lens[0], []int{1, 2, 1}) || !slices.Equal(lens[1], []int{2, 1}) || len(lens[2]) != 0 {
		t.Fatalf("sessions %v, want [1 2 1] [2 1] []", lens)
	}
	bad, err := agtest.CheckGradients(net.Params(), func(tp *ag.Tape) *ag.Tensor {
		return ctr.Loss(tp, net.Logits(tp, b, true), b.Label)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bad {
		t.Error(e)
	}
}

// TestBiLSTMDirections: packed session k of a sample holds [the forward LSTM's state after
// sessions 1..k ‖ the backward LSTM's state after sessions n..k], computed here step by step for a
// sample with 3 sessions (rows 0–2) beside one with 1 (row 3), which steps only once.
func TestBiLSTMDirections(t *testing.T) {
	bn := true
	c := ctr.Config{ItemDim: 2, CategoryDim: 2, Hidden: []int{3}, BatchNorm: &bn, InitStd: 0.05, Blocks: 1, Heads: 2, FFN: 3}
	be := ag.NewCPU64()
	net := NewNet(c, ctr.Dims{Items: 6, Categories: 3, MaxHistory: 4}, be, rand.New(rand.NewPCG(1, 2)))
	r := rand.New(rand.NewPCG(5, 6))
	const K, D = 3, 4
	iv := make([]float64, (K+1)*D)
	for i := range iv {
		iv[i] = r.NormFloat64()
	}
	tp := ag.NewTape(be)
	I := tp.Input64(K+1, D, iv)
	H := net.biLSTM(tp, I, &ctr.Batch{B: 2, T: K, Len: []int{K, 1}, N: K + 1, Off: []int32{0, K, K + 1}})
	row := func(s int) *ag.Tensor { return tp.Input64(1, D, iv[s*D:(s+1)*D]) }
	zero := func() *ag.Tensor { return tp.Input64(1, net.half, make([]float64, net.half)) }
	check := func(packed int, fwd, bwd *ag.Tensor) {
		for u := range net.half {
			if g, w := H.At(packed, u), fwd.At(0, u); math.Abs(g-w) > 1e-12 {
				t.Errorf("session row %d forward unit %d: %v, want %v", packed, u, g, w)
			}
			if g, w := H.At(packed, net.half+u), bwd.At(0, u); math.Abs(g-w) > 1e-12 {
				t.Errorf("session row %d backward unit %d: %v, want %v", packed, u, g, w)
			}
		}
	}
	var fwd [K]*ag.Tensor
	h, cell := zero(), zero()
	for k := range K {
		h, cell = net.Forward.Forward(tp, row(k), h, cell)
		fwd[k] = h
	}
	h, cell = zero(), zero()
	var bwd [K]*ag.Tensor
	for k := K - 1; k >= 0; k-- {
		h, cell = net.Back.Forward(tp, row(k), h, cell)
		bwd[k] = h
	}
	for k := range K {
		check(k, fwd[k], bwd[k])
	}
	f1, _ := net.Forward.Forward(tp, row(K), zero(), zero())
	b1, _ := net.Back.Forward(tp, row(K), zero(), zero())
	check(K, f1, b1)
}

// TestCommon: the shared CTR model tests (ctrtest.Common), and refused keys. Smoke: two epochs on
// the test CTR set beat a constant predictor. DSIN's representation is a concatenation, which an
// MLP turns into the behaviour-target match slowly (TIN §3.1.2), hence the lower bars of the concat
// models of package din.
func TestCommon(t *testing.T) {
	ctrtest.Common(t, Spec, small, 0.02, 0.6, append(ctrtest.TINSwitches, "    heads: 3\n")...)
}
