package session

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Config is the parameters every session model takes (configs/models/{jump,gru4rec}.yaml). The
// models share one key set so that a sweep such as model.params.dim means the same thing for all of
// them; a key that only some models read (Spec.Uses) is an error when set for another. Zero values
// mean the default stated on each field; Resolve fills them in.
type Config struct {
	// Dim is the width of the item embeddings and of the hidden states. Default 100 (JUMP §5.2:
	// "the dimension of item embedding vectors is set to 100" for every method).
	Dim int `yaml:"dim"`
	// BatchSize is the number of sessions trained in parallel (GRU4Rec's session-parallel lanes),
	// one Adam step per batch step. Default 100 (JUMP §5: "batch size set to 100").
	BatchSize int `yaml:"batch_size"`
	// BPTT is how far a training step backpropagates: "click" (GRU4Rec's session-parallel lanes,
	// Hidasi et al. 2016 §3.1.1: the state is carried from click to click but gradients stop at every
	// click, one optimiser step per batch step) or "session" (mini-batches of BatchSize whole
	// sessions, the loss summed over every click of the batch and backpropagated through the whole
	// session, one optimiser step per batch: the training of NARM's code and of the sequence
	// likelihoods of RMTPP, ATRP, NSR and JUMP). Default: the model's (Spec.DefaultBPTT; see each
	// model's package doc for why).
	BPTT string `yaml:"bptt"`
	// EvalBatch is the number of lanes at evaluation; it does not change a prediction. Default 256.
	EvalBatch int `yaml:"eval_batch"`
	// LR is Adam's learning rate. Default 0.001 (Adam's default; the paper does not give one).
	LR float64 `yaml:"lr"`
	// Clip is the maximal global gradient norm per step. Default 0: no clipping.
	Clip float64 `yaml:"clip"`
	// Loss (models that use "loss") is the next-click training loss: "cross-entropy" (full softmax
	// over all items), "bpr" or "top1" (GRU4Rec's pairwise losses against the other lanes' next
	// items, Hidasi et al. 2016 §3.1.3), "bpr-max" or "top1-max" (Hidasi and Karatzoglou 2018
	// §3.1–3.2: weighted by a softmax over the negatives' scores, the negatives being the other
	// lanes' next items plus Negatives shared samples; under BPTT "session", the other next items of
	// the mini-batch). Default: the model's (Spec.DefaultLoss).
	Loss string `yaml:"loss"`
	// Negatives (igru) is the number of extra negative items sampled per step, shared by the
	// step's rows, drawn in proportion to training popularity^SampleAlpha. Default 256.
	Negatives int `yaml:"negatives"`
	// SampleAlpha is the exponent of popularity in negative sampling (Negatives and
	// SampledSoftmax; 0 uniform, 1 popularity). Default 0.75 (GRU4Rec's code).
	SampleAlpha *float64 `yaml:"sample_alpha"`
	// SampledSoftmax, when > 0, trains the cross-entropy over the step's next items plus this many
	// items drawn by popularity^SampleAlpha (shared by the step's rows; under BPTT "session" the
	// step is the whole mini-batch: its clicks' next items plus one draw) instead of over all items:
	// the cost of a training step then no longer grows with the item count (the speed target of
	// issue #12 at 40,000 items). Evaluation always ranks ALL items. Default 0: the full softmax.
	SampledSoftmax int `yaml:"sampled_softmax"`
	// SampledLogQ (with SampledSoftmax) is the weight of the log-Q correction: each candidate's
	// logit minus SampledLogQ·log Q, Q its expected count among the step's candidates (the step's
	// next items, drawn by training popularity, plus the popularity^SampleAlpha draws), so that the
	// sampled softmax estimates the full one's gradient instead of pushing down popular items
	// (Jean et al. 2015; GRU4Rec's code: logq, 1.0 in its best cross-entropy settings). 0 turns it
	// off. Default 1.
	SampledLogQ *float64 `yaml:"sampled_logq"`
	// SparseAdam updates only the rows of the item-indexed tables (embeddings, output tables, item
	// biases) that received gradient in a step, each with its own bias correction
	// (torch.optim.SparseAdam; nn.RowsLazy). With a sampled loss a step touches a few thousand of
	// 40,000 items and dense Adam's pass over whole tables dominates the step. Default false:
	// dense Adam, every row every step.
	SparseAdam bool `yaml:"sparse_adam"`
	// Sigma (models with a dwell head) is σ of the log-normal dwell time (JUMP eq. 5). Default 10.
	Sigma float64 `yaml:"sigma"`
	// DwellPoint (jump) is the point prediction MAE scores: "median" (exp(μ) − 1, capped at c1)
	// or "observed-median" (the median given that the dwell is observed, below c1). Default
	// "median"; see dwell.go for both and measurements.
	DwellPoint string `yaml:"dwell_point"`
	// DwellEmbedding (jump) is how eq. 16's time embedding T buckets a dwell: "seconds" (one row
	// per whole second up to c1, as the paper's T([τ])) or "log2" (row ⌊log2(1 + τ)⌋, 11 rows up
	// to c1 = 2000 s). Default "seconds".
	DwellEmbedding string `yaml:"dwell_embedding"`
	// DwellGradient (jump) is what the dwell loss trains under per-click gradient truncation:
	// "shared" (a click's dwell parameters are computed at the step before it, where the session
	// vector they read is on the tape, so the loss also trains the layers the click head uses, as
	// JUMP's joint objective) or "head" (computed at the click's own step from the stored state:
	// only the dwell head learns from it, and click accuracy cannot depend on σ). Default "shared".
	// With BPTT "session" the state is live at every click and the loss always trains the shared
	// layers: only "shared" is valid there.
	DwellGradient string `yaml:"dwell_gradient"`
	// FastScale (jump) is z of JUMP eq. 14, seconds per fast step: a click with dwell τ runs
	// ceil(τ/z) fast cells. Default 60.
	FastScale float64 `yaml:"fast_scale"`
	// MaxFastSteps (jump) caps ceil(τ/z). Default 8.
	MaxFastSteps int `yaml:"max_fast_steps"`
	// History (attention models) is how many of the session's latest hidden states attention
	// reads (JUMP eq. 12 reads them all; the cap bounds the cost of very long sessions). Default 50.
	History int `yaml:"history"`
}

// Defaults of Config.
const (
	DefaultDim          = 100
	DefaultBatchSize    = 100
	DefaultEvalBatch    = 256
	DefaultLR           = 1e-3
	DefaultFastScale    = 60
	DefaultMaxFastSteps = 8
	DefaultHistory      = 50
	DefaultNegatives    = 256
	DefaultSampleAlpha  = 0.75
	DefaultSampledLogQ  = 1.0
)

// logQWeight is SampledLogQ, 0 when unset (a Config built by hand rather than resolved).
func (c Config) logQWeight() float64 {
	if c.SampledLogQ == nil {
		return 0
	}
	return *c.SampledLogQ
}

// The values of Config.Loss.
const (
	LossCrossEntropy = "cross-entropy"
	LossBPR          = "bpr"
	LossTOP1         = "top1"
	LossBPRMax       = "bpr-max"
	LossTOP1Max      = "top1-max"
)

// The values of Config.DwellGradient.
const (
	DwellGradShared = "shared"
	DwellGradHead   = "head"
)

// The values of Config.DwellEmbedding.
const (
	EmbedSeconds = "seconds"
	EmbedLog2    = "log2"
)

// The values of Config.BPTT.
const (
	BPTTClick   = "click"
	BPTTSession = "session"
)

// BPRMaxReg is λ of BPR-max's score regulariser λ·Σ_j s_j r_j² (GRU4Rec's bpreg default, 1).
const BPRMaxReg = 1.0

var losses = []string{LossCrossEntropy, LossBPR, LossTOP1, LossBPRMax, LossTOP1Max}

// Keys a model may take beyond the common ones (Spec.Uses).
const (
	KeyLoss         = "loss"
	KeySigma        = "sigma"
	KeyDwellPoint   = "dwell_point"
	KeyDwellEmbed   = "dwell_embedding"
	KeyDwellGrad    = "dwell_gradient"
	KeyFastScale    = "fast_scale"
	KeyMaxFastSteps = "max_fast_steps"
	KeyHistory      = "history"
	KeyNegatives    = "negatives"
)

// Resolve fills zero values with their defaults and validates every field, naming the key of the
// first bad one. uses lists the model-specific keys the model reads.
func (c *Config) Resolve(spec Spec) error {
	name, uses := spec.Name, spec.Uses
	set := map[string]bool{
		KeyLoss: c.Loss != "", KeySigma: c.Sigma != 0, KeyDwellPoint: c.DwellPoint != "", KeyDwellEmbed: c.DwellEmbedding != "", KeyFastScale: c.FastScale != 0,
		KeyMaxFastSteps: c.MaxFastSteps != 0, KeyHistory: c.History != 0,
		KeyNegatives: c.Negatives != 0, KeyDwellGrad: c.DwellGradient != "",
	}
	for _, k := range []string{KeyLoss, KeySigma, KeyDwellPoint, KeyDwellEmbed, KeyDwellGrad, KeyFastScale, KeyMaxFastSteps, KeyHistory, KeyNegatives} {
		if set[k] && !slices.Contains(uses, k) {
			return fmt.Errorf("%s: model.params.%s: not a parameter of %s (its own keys: %s)", name, k, name, strings.Join(uses, ", "))
		}
	}
	defInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	defInt(&c.Dim, DefaultDim)
	defInt(&c.BatchSize, DefaultBatchSize)
	defInt(&c.EvalBatch, DefaultEvalBatch)
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.BPTT == "" {
		c.BPTT = cmp.Or(spec.DefaultBPTT, BPTTClick)
	}
	if slices.Contains(uses, KeyLoss) && c.Loss == "" {
		c.Loss = cmp.Or(spec.DefaultLoss, LossCrossEntropy)
	}
	if slices.Contains(uses, KeyNegatives) {
		defInt(&c.Negatives, DefaultNegatives)
	}
	if c.SampleAlpha == nil {
		a := DefaultSampleAlpha
		c.SampleAlpha = &a
	}
	if c.SampledLogQ == nil {
		w := DefaultSampledLogQ
		c.SampledLogQ = &w
	}
	if slices.Contains(uses, KeySigma) && c.Sigma == 0 {
		c.Sigma = DefaultSigma
	}
	if slices.Contains(uses, KeyDwellPoint) && c.DwellPoint == "" {
		c.DwellPoint = PointMedian
	}
	if slices.Contains(uses, KeyDwellEmbed) && c.DwellEmbedding == "" {
		c.DwellEmbedding = EmbedSeconds
	}
	if slices.Contains(uses, KeyDwellGrad) && c.DwellGradient == "" {
		c.DwellGradient = DwellGradShared
	}
	if slices.Contains(uses, KeyFastScale) && c.FastScale == 0 {
		c.FastScale = DefaultFastScale
	}
	if slices.Contains(uses, KeyMaxFastSteps) {
		defInt(&c.MaxFastSteps, DefaultMaxFastSteps)
	}
	if slices.Contains(uses, KeyHistory) {
		defInt(&c.History, DefaultHistory)
	}
	switch {
	case c.Dim < 1:
		return fmt.Errorf("%s: model.params.dim: %d, want >= 1", name, c.Dim)
	case c.BatchSize < 1:
		return fmt.Errorf("%s: model.params.batch_size: %d, want >= 1", name, c.BatchSize)
	case c.EvalBatch < 1:
		return fmt.Errorf("%s: model.params.eval_batch: %d, want >= 1", name, c.EvalBatch)
	case !(c.LR > 0):
		return fmt.Errorf("%s: model.params.lr: %v, want > 0", name, c.LR)
	case !(c.Clip >= 0):
		return fmt.Errorf("%s: model.params.clip: %v, want >= 0", name, c.Clip)
	case c.Sigma < 0 || c.FastScale < 0:
		return fmt.Errorf("%s: model.params.sigma %v and fast_scale %v must be > 0", name, c.Sigma, c.FastScale)
	case c.MaxFastSteps < 0 || c.History < 0:
		return fmt.Errorf("%s: model.params.max_fast_steps %d and history %d must be >= 1", name, c.MaxFastSteps, c.History)
	}
	if c.Loss != "" && !slices.Contains(losses, c.Loss) {
		return fmt.Errorf("%s: model.params.loss: %q, want one of %s", name, c.Loss, strings.Join(losses, ", "))
	}
	if c.Negatives < 0 || c.SampledSoftmax < 0 || !(*c.SampleAlpha >= 0) || !(*c.SampledLogQ >= 0) {
		return fmt.Errorf("%s: model.params.negatives %d, sampled_softmax %d, sample_alpha %v and sampled_logq %v must be >= 0",
			name, c.Negatives, c.SampledSoftmax, *c.SampleAlpha, *c.SampledLogQ)
	}
	if c.DwellEmbedding != "" && c.DwellEmbedding != EmbedSeconds && c.DwellEmbedding != EmbedLog2 {
		return fmt.Errorf("%s: model.params.dwell_embedding: %q, want %s or %s", name, c.DwellEmbedding, EmbedSeconds, EmbedLog2)
	}
	if c.BPTT != BPTTClick && c.BPTT != BPTTSession {
		return fmt.Errorf("%s: model.params.bptt: %q, want %s or %s", name, c.BPTT, BPTTClick, BPTTSession)
	}
	if c.DwellGradient != "" && c.DwellGradient != DwellGradShared && c.DwellGradient != DwellGradHead {
		return fmt.Errorf("%s: model.params.dwell_gradient: %q, want %s or %s", name, c.DwellGradient, DwellGradShared, DwellGradHead)
	}
	if c.DwellGradient == DwellGradHead && c.BPTT == BPTTSession {
		// Under whole-session backpropagation the state a click's dwell head reads is live, so the
		// dwell loss always trains the shared layers; "head" describes per-click truncation only.
		return fmt.Errorf("%s: model.params.dwell_gradient: %q needs model.params.bptt: %s (with bptt %s the dwell loss always trains the shared layers)",
			name, c.DwellGradient, BPTTClick, BPTTSession)
	}
	if c.DwellPoint != "" && c.DwellPoint != PointMedian && c.DwellPoint != PointObservedMedian {
		return fmt.Errorf("%s: model.params.dwell_point: %q, want %s or %s", name, c.DwellPoint, PointObservedMedian, PointMedian)
	}
	return nil
}
