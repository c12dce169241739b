// Package dien is the Deep Interest Evolution Network (Zhou et al., AAAI 2019) as TIN's Table 1 runs
// it on CTR samples, on the shared CTR engine (baselines/internal/ctr):
//
//	e_i = [item_i ‖ cat_i],  v_t = [item_t ‖ cat_t]
//	h_i = GRU(e_i, h_{i−1})                         (interest extractor, ctr.Recurrence)
//	L_aux = mean over i < n−1 of −log σ(⟨h_i, e_{i+1}⟩) − log(1 − σ(⟨h_i, e⁻⟩))   (eq. 3)
//	a_i = softmax_i(⟨h_i, W_a·v_t⟩)                 (attention of the target on the interests)
//	h'_i = AUGRU(h_i, h'_{i−1}, a_i)                 (interest evolution, eqs. 5–6; nn.AUGRUCell)
//	ŷ   = σ(MLP(BN([h'_n, v_t])) + b_item(t))        (Concat & MLP: no target-aware representation)
//
// The training loss is the CTR logloss + L_aux (DIEN's α = 1). Departure, stated: the negative e⁻
// of step i is the embedding of a behaviour drawn uniformly from the whole batch's real behaviours
// (so by popularity among them), from the net's own seeded stream; DIEN's code reads clicked-free
// ("noclk") items that its data pipeline samples from the item pool. A sample without behaviours
// has no interest: its attention falls on its first (empty) slot and h' is a constant vector.
// TIN's Table 5 classes DIEN's evolution layer as temporal information by GRU, target attention
// σ(⟨h, v⟩), and a Concat & MLP representation.
package dien

import (
	"math/rand/v2"
	"slices"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Spec is the registered model.
var Spec = ctr.Spec{
	Name:  "dien",
	Check: ctr.CommonKeysOnly,
	Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
		return NewNet(c, d, be, r), nil
	},
}

func init() {
	ctr.Register(Spec, "DIEN on CTR samples: GRU interest extractor with an auxiliary loss, AUGRU interest evolution under target attention (TIN Table 1)")
}

// Net is DIEN's network.
type Net struct {
	Emb       *ctr.Embeddings
	Extractor *nn.GRUCell
	AttW      *nn.Linear
	Evolution *nn.AUGRUCell
	Head      *ctr.Head
	dim       int
	neg       *rand.Rand // negatives of the auxiliary loss
	negSrc    *rand.PCG  // neg's source (checkpointed: ctr.RandomNet)
	aux       *ag.Tensor
}

var _ ctr.AuxLosser = (*Net)(nil)

// NewNet builds the net with parameters drawn from r (and the negatives' stream seeded from it).
func NewNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *Net {
	dim := c.EmbedDim()
	n := &Net{
		Emb:       ctr.NewEmbeddings(be, "dien", c, d, r),
		Extractor: nn.NewGRUCell(be, "dien.extractor", dim, dim, r),
		AttW:      nn.NewLinear(be, "dien.attention", dim, dim, false, r),
		Evolution: nn.NewAUGRUCell(be, "dien.evolution", dim, dim, r),
		Head:      ctr.NewHead(be, "dien.head", 2*dim, c, d, r),
		dim:       dim,
	}
	n.negSrc = rand.NewPCG(r.Uint64(), r.Uint64()) // drawn after every parameter, as before
	n.neg = rand.New(n.negSrc)
	return n
}

var (
	_ ctr.TableOwner = (*Net)(nil)
	_ ctr.RandomNet  = (*Net)(nil)
)

// Sources implements ctr.RandomNet: the auxiliary loss's negatives.
func (n *Net) Sources() []*rand.PCG { return []*rand.PCG{n.negSrc} }

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *Net) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	return append(nn.Collect(n.Emb, n.Extractor, n.AttW, n.Evolution), n.Head.Params()...)
}

// AuxLoss is the auxiliary loss of the last training batch (nil after an evaluation batch).
func (n *Net) AuxLoss() *ag.Tensor { return n.aux }

// Logits returns the B×1 click logits of b; in training it also builds the auxiliary loss. Both
// recurrences run on the packed behaviours (ctr.PackedSteps), each step on the samples that have a
// behaviour there, unless a sample has none (its interest is defined on the padded layout: then
// logitsPadded).
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	if slices.Contains(b.Len, 0) {
		return n.logitsPadded(tp, b, train)
	}
	p := &b.Packed
	hist := n.Emb.Forward(tp, p.Hist, p.HistCat)
	states, _ := ctr.PackedRecurrence(tp, n.Extractor, hist, b, n.dim, true)
	n.aux = nil
	if train && tp.Recording() {
		n.aux = n.auxLoss(tp, b, hist, states, func(s, t int) int32 { return b.Off[s] + int32(t) })
	}
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	att := tp.SegSoftmax(tp.SegDot(n.AttW.Forward(tp, v), states, b.Off), b.Off) // N×1
	_, h := ctr.PackedSteps(tp, b, n.dim, false, func(rows []int32, h *ag.Tensor) *ag.Tensor {
		return n.Evolution.Forward(tp, tp.Gather(states, rows), h, tp.Gather(att, rows))
	})
	return n.Head.Forward(tp, tp.Concat(h, v), b.Target, train)
}

// logitsPadded is Logits on the padded layout: a sample without behaviours has its attention on its
// first (empty) slot, whose interest state is the initial zeros.
func (n *Net) logitsPadded(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	B, T := b.B, b.T
	hist := n.Emb.Forward(tp, b.Hist, b.HistCat)
	states, _ := ctr.Recurrence(tp, n.Extractor, hist, b.Mask, B, T, n.dim)
	n.aux = nil
	if train && tp.Recording() {
		n.aux = n.auxLoss(tp, b, hist, states, func(s, t int) int32 { return int32(s*T + t) })
	}
	v := n.Emb.Forward(tp, b.Target, b.TargetCat)
	mask := make([]float32, B*T)
	copy(mask, b.Mask)
	for i, L := range b.Len {
		if L == 0 {
			mask[i*T] = 1
		}
	}
	att := tp.Softmax(tp.SeqDot(n.AttW.Forward(tp, v), states, T), tp.Input(B, T, mask)) // B×T, 0 on padding
	h := tp.Input(B, n.dim, make([]float32, B*n.dim))
	idx := make([]int32, B)
	for t := range T {
		for i := range B {
			idx[i] = int32(i*T + t)
		}
		h = n.Evolution.Forward(tp, tp.Gather(states, append([]int32(nil), idx...)), h, tp.SliceCols(att, t, t+1))
	}
	return n.Head.Forward(tp, tp.Concat(h, v), b.Target, train)
}

// auxLoss is eq. 3: each interest state h_i (i < n−1) should score the next behaviour above a
// negative one. row maps behaviour t of sample s to its row of hist and states.
func (n *Net) auxLoss(tp *ag.Tape, b *ctr.Batch, hist, states *ag.Tensor, row func(s, t int) int32) *ag.Tensor {
	var real []int32
	for i, L := range b.Len {
		for t := range L {
			real = append(real, row(i, t))
		}
	}
	var hRows, posRows, negRows []int32
	for i, L := range b.Len {
		for t := 0; t+1 < L; t++ {
			hRows = append(hRows, row(i, t))
			posRows = append(posRows, row(i, t+1))
			negRows = append(negRows, real[n.neg.IntN(len(real))])
		}
	}
	if len(hRows) == 0 {
		return nil
	}
	h := tp.Gather(states, hRows)
	pos := tp.RowDot(h, tp.Gather(hist, posRows))
	neg := tp.RowDot(h, tp.Gather(hist, negRows))
	// −log σ(p) − log(1 − σ(q)) = softplus(−p) + softplus(q)
	return tp.Mean(tp.Add(tp.Softplus(tp.Neg(pos)), tp.Softplus(neg)), ag.AxisAll)
}
