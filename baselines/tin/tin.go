// Package tin is the Temporal Interest Network (Zhou, Pan et al., WWW 2024) as its authors' code
// builds it, and its three ablations of TIN Table 1:
//
//	ẽ_i = [item_i ‖ cat_i] + p(i),  ṽ_t = [item_t ‖ cat_t] + p(t)      (target-aware temporal encoding)
//	α_i = softmax_i(⟨ṽ_t, ẽ_i⟩ / √d)   over the user's behaviours       (target-aware attention, TA)
//	u   = Dense(BN(Σ_i α_i · ẽ_i ⊙ ṽ_t))                                (target-aware representation, TR)
//	ŷ   = σ(MLP(BN([u, v_t, u ⊙ v_t])) + b_item(t))                     (MLP 80 → 40 → 1, sigmoid activations)
//
// p is a learned table indexed by the encoding (Config.Encoding): TTE-P, the target-relative
// position (most recent behaviour 1, the target 0); TTE-T, the bin of the time to the target
// (equal-frequency bins on the training data; the target 0); COE, the target-agnostic position
// (oldest behaviour 1, the target len+1); or none. Attention and keys, queries and values are the
// encoded embeddings themselves, without projections (Q = K = V), as in the authors' code; without
// TA the behaviours are averaged, without TR they enter the pooling alone (ẽ_i).
//
// Registered names: tin (TTE-P, TA, TR), the ablations tin-no-tte, tin-no-ta and tin-no-tr (Table 1),
// and the encodings of Tables 3 and 4: tin-coe (COE), tin-tte-t (TTE-T) and tin-te (timestamp
// encoding: hour, weekday and month embeddings of the behaviour's and the target's timestamps,
// read as Unix seconds in UTC from the Dataset's TimeOrigin).
package tin

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Config is model.params (configs/models/tin.yaml).
type Config = ctr.Config

// Specs are the seven registered variants; they differ only in their default switches.
var Specs = []ctr.Spec{
	spec("tin", "TIN: target-aware temporal encoding (TTE-P), attention and representation", ctr.EncodingTTEP, true, true),
	spec("tin-no-tte", "TIN without target-aware temporal encoding (TIN Table 1 ablation)", ctr.EncodingNone, true, true),
	spec("tin-no-ta", "TIN without target-aware attention: behaviours averaged (TIN Table 1 ablation)", ctr.EncodingTTEP, false, true),
	spec("tin-no-tr", "TIN without target-aware representation: behaviours pooled alone (TIN Table 1 ablation)", ctr.EncodingTTEP, true, false),
	spec("tin-coe", "TIN with chronological order encoding instead of TTE-P (TIN Table 3)", ctr.EncodingCOE, true, true),
	spec("tin-tte-t", "TIN with the time-interval encoding TTE-T instead of TTE-P (TIN Table 4)", ctr.EncodingTTET, true, true),
	spec("tin-te", "TIN with timestamp encoding (hour, weekday, month embeddings) instead of TTE-P (TIN Table 4)", ctr.EncodingTE, true, true),
}

var descriptions = map[string]string{}

func spec(name, desc, enc string, ta, tr bool) ctr.Spec {
	descriptions[name] = desc
	return ctr.Spec{
		Name:  name,
		Check: ctr.RejectTransformerKeys,
		Defaults: func(c *ctr.Config) {
			if c.Encoding == "" {
				c.Encoding = enc
			}
			if c.Attention == nil {
				c.Attention = &ta
			}
			if c.Representation == nil {
				c.Representation = &tr
			}
		},
		TimeEdges: func(c ctr.Config) bool { return c.Encoding == ctr.EncodingTTET },
		Calendar:  func(c ctr.Config) bool { return c.Encoding == ctr.EncodingTE },
		Build: func(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) (ctr.Net, error) {
			return NewNet(c, d, be, r), nil
		},
	}
}

func init() {
	for _, s := range Specs {
		ctr.Register(s, descriptions[s.Name])
	}
}

// Net is TIN's network.
type Net struct {
	Emb       *ctr.Embeddings
	Temporal  *nn.Embedding // encoding table (EmbedDim wide); nil for encoding none
	PoolBN    *ctr.BatchNorm
	PoolDense *nn.Linear
	Head      *ctr.Head
	cfg       ctr.Config
	tgtIdx    []int32 // scratch: the target's temporal index, per sample and per sample step
}

// NewNet builds the net for c and d.
func NewNet(c ctr.Config, d ctr.Dims, be ag.Backend, r *rand.Rand) *Net {
	D := c.EmbedDim()
	n := &Net{
		Emb:       ctr.NewEmbeddings(be, "tin.emb", c, d, r),
		PoolDense: nn.NewLinear(be, "tin.pool", D, D, true, r),
		Head:      ctr.NewHead(be, "tin.head", 3*D, c, d, r),
		cfg:       c,
	}
	rows := 0
	switch c.Encoding {
	case ctr.EncodingTTEP:
		rows = d.MaxHistory + 1 // positions 0 (target) .. MaxHistory
	case ctr.EncodingCOE:
		rows = d.MaxHistory + 2 // positions 1 .. MaxHistory, the target up to MaxHistory+1
	case ctr.EncodingTTET:
		rows = d.TimeBins + 1 // bin 0 is the target
	case ctr.EncodingTE:
		rows = ctr.CalendarRows // hour, weekday and month rows in one table
	}
	if rows > 0 {
		n.Temporal = nn.NewEmbedding(be, "tin.temporal", rows, D, r)
		nn.Normal(n.Temporal.Table, r, 0, c.InitStd)
	}
	if *c.BatchNorm {
		n.PoolBN = ctr.NewBatchNorm(be, "tin.pool_bn", D)
	}
	return n
}

var _ ctr.TableOwner = (*Net)(nil)

// Tables implements ctr.TableOwner: the item and category tables and the head, whose item bias
// the targets read.
func (n *Net) Tables() (*ctr.Embeddings, *ctr.Head) { return n.Emb, n.Head }

// BatchNorms implements ctr.BatchNormOwner: the head's and the pooled vector's.
func (n *Net) BatchNorms() []*ctr.BatchNorm {
	bns := n.Head.BatchNorms()
	if n.PoolBN != nil {
		bns = append(bns, n.PoolBN)
	}
	return bns
}

// Params lists the trainable parameters.
func (n *Net) Params() nn.Params {
	ps := nn.Collect(n.Emb, n.PoolDense, n.Head)
	if n.Temporal != nil {
		ps = append(ps, n.Temporal.Table)
	}
	if n.PoolBN != nil {
		ps = append(ps, n.PoolBN.Params()...)
	}
	return ps
}

// Encode returns the encoded behaviours ẽ (a row per slot of s: b.Slots, padded, or b.Packed), the
// encoded targets ṽ_t (B×D), the encoded target repeated per slot of s and the plain target
// embeddings v_t (B×D).
func (n *Net) Encode(tp *ag.Tape, b *ctr.Batch, s *ctr.Slots) (e, vt, vtRep, plain *ag.Tensor) {
	e = n.Emb.Forward(tp, s.Hist, s.HistCat)
	plain = n.Emb.Forward(tp, b.Target, b.TargetCat)
	vt, vtRep = plain, n.Emb.Forward(tp, s.TargetRep, s.TargetCatRep)
	if n.Temporal == nil {
		return e, vt, vtRep, plain
	}
	if n.cfg.Encoding == ctr.EncodingTE {
		// Timestamp encoding: the sum of the hour, weekday and month embeddings of each timestamp,
		// the behaviour's own and the target's.
		cal := func(idx [3][]int32) *ag.Tensor {
			return tp.Add(tp.Add(n.Temporal.Forward(tp, idx[0]), n.Temporal.Forward(tp, idx[1])), n.Temporal.Forward(tp, idx[2]))
		}
		return tp.Add(e, cal(s.HistCal)), tp.Add(vt, cal(b.TargetCal)), tp.Add(vtRep, cal(s.TargetCalRep)), plain
	}
	var steps []int32
	n.tgtIdx = n.tgtIdx[:0]
	switch n.cfg.Encoding {
	case ctr.EncodingTTEP, ctr.EncodingTTET:
		steps = s.RelPos
		if n.cfg.Encoding == ctr.EncodingTTET {
			steps = s.TimeBin
		}
		for range b.B + len(s.Hist) {
			n.tgtIdx = append(n.tgtIdx, 0)
		}
	case ctr.EncodingCOE:
		steps = s.ChronPos
		for _, L := range b.Len {
			n.tgtIdx = append(n.tgtIdx, int32(L+1))
		}
		for _, i := range s.Sample {
			n.tgtIdx = append(n.tgtIdx, int32(b.Len[i]+1))
		}
	}
	e = tp.Add(e, n.Temporal.Forward(tp, steps))
	vt = tp.Add(vt, n.Temporal.Forward(tp, n.tgtIdx[:b.B]))
	vtRep = tp.Add(vtRep, n.Temporal.Forward(tp, n.tgtIdx[b.B:]))
	return e, vt, vtRep, plain
}

// Weights returns the pooling weights α (N×1, the packed behaviours of b): the target-aware
// attention, or the mean over the behaviours without TA.
func (n *Net) Weights(tp *ag.Tape, b *ctr.Batch, e, vt *ag.Tensor) *ag.Tensor {
	if !*n.cfg.Attention {
		return tp.SegSoftmax(tp.Zeros(b.N, 1), b.Off)
	}
	z := tp.Scale(tp.SegDot(vt, e, b.Off), 1/math.Sqrt(float64(n.cfg.EmbedDim())))
	return tp.SegSoftmax(z, b.Off)
}

// Logits implements ctr.Net, on the packed behaviours (padding costs nothing; the same values as
// over the padded ones, whose masked slots add exact zeros).
func (n *Net) Logits(tp *ag.Tape, b *ctr.Batch, train bool) *ag.Tensor {
	e, vt, vtRep, plain := n.Encode(tp, b, &b.Packed)
	alpha := n.Weights(tp, b, e, vt)
	r := e
	if *n.cfg.Representation {
		r = tp.Mul(e, vtRep)
	}
	u := tp.SegWeightedSum(alpha, r, b.Off)
	if n.PoolBN != nil {
		u = n.PoolBN.Forward(tp, u, train, train && tp.Recording())
	}
	u = n.PoolDense.Forward(tp, u)
	return n.Head.Forward(tp, tp.Concat(u, plain, tp.Mul(u, plain)), b.Target, train)
}

// Correlation implements ctr.Correlator: TIN's learned semantic-temporal correlation (eq. 5 and
// Table 2) of every behaviour with its target, e^{⟨ẽ_i, ṽ_t⟩/√d}·‖ẽ_i ⊙ ṽ_t‖₂, each factor only when
// its component is on (w/o TA: ‖ẽ_i ⊙ ṽ_t‖₂; w/o TR: e^z·‖ẽ_i‖₂; w/o TTE: the plain embeddings).
func (n *Net) Correlation(tp *ag.Tape, b *ctr.Batch) []float64 {
	e, vt, vtRep, _ := n.Encode(tp, b, &b.Slots)
	r := e
	if *n.cfg.Representation {
		r = tp.Mul(e, vtRep)
	}
	var query *ag.Tensor
	if *n.cfg.Attention {
		query = vt
	}
	return ctr.CorrelationOf(b.B, b.T, e, query, 1/math.Sqrt(float64(n.cfg.EmbedDim())), r)
}

// String names the variant.
func (n *Net) String() string {
	return fmt.Sprintf("tin(encoding=%s, attention=%v, representation=%v)", n.cfg.Encoding, *n.cfg.Attention, *n.cfg.Representation)
}
