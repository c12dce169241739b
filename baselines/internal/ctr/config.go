package ctr

import (
	"fmt"
	"slices"

	"github.com/tibench/tibench/bench"
)

// Config is model.params of every CTR model (configs/models/<name>.yaml). Zero means the default in
// each comment; a model's Spec may fill other defaults (its ablation switches) first.
type Config struct {
	ItemDim     int     `yaml:"item_dim"`     // item embedding width; default 64
	CategoryDim int     `yaml:"category_dim"` // category embedding width; default 64 (data without categories: one shared category)
	Hidden      []int   `yaml:"hidden"`       // MLP hidden sizes; default [80, 40]
	BatchNorm   *bool   `yaml:"batch_norm"`   // batch norm before the MLP and on the pooled vector; default true
	BatchSize   int     `yaml:"batch_size"`   // training samples per Adam step; default 32
	EvalBatch   int     `yaml:"eval_batch"`   // samples per evaluation batch; default 512
	LR          float64 `yaml:"lr"`           // Adam learning rate; default 0.001
	Clip        float64 `yaml:"clip"`         // global gradient-norm clip; default 5; negative = none
	InitStd     float64 `yaml:"init_std"`     // σ of the normal initialisation of embeddings; default 0.05

	// The Transformer models' keys (sasrec, bert4rec, bst: their Spec.Defaults fill them); other
	// models reject them (RejectTransformerKeys).
	Blocks int `yaml:"blocks"` // encoder layers
	Heads  int `yaml:"heads"`  // attention heads; must divide item_dim + category_dim
	FFN    int `yaml:"ffn"`    // feed-forward width of each layer

	// TIN's switches (package tin); other models reject them.
	Encoding       string `yaml:"encoding"`       // temporal encoding: tte-p, tte-t, coe, te or none
	TimeBins       int    `yaml:"time_bins"`      // equal-frequency bins of TTE-T; default 10
	Attention      *bool  `yaml:"attention"`      // target-aware attention (TA)
	Representation *bool  `yaml:"representation"` // target-aware representation (TR)
}

// Encodings of Config.Encoding.
const (
	EncodingTTEP = "tte-p" // target-relative position: most recent behaviour 1, the target 0
	EncodingTTET = "tte-t" // bin of the time to the target (equal-frequency on training data); target 0
	EncodingCOE  = "coe"   // target-agnostic position: oldest behaviour 1, the target len(history)+1
	EncodingTE   = "te"    // timestamp encoding: hour, weekday and month embeddings of each timestamp (TIN Table 4)
	EncodingNone = "none"  // no temporal encoding
)

func boolPtr(b bool) *bool { return &b }

// Resolve fills the defaults and validates.
func (c *Config) Resolve() error {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.ItemDim, 64)
	def(&c.CategoryDim, 64)
	def(&c.BatchSize, 32)
	def(&c.EvalBatch, 512)
	def(&c.TimeBins, 10)
	if c.Hidden == nil {
		c.Hidden = []int{80, 40}
	}
	if c.BatchNorm == nil {
		c.BatchNorm = boolPtr(true)
	}
	if c.LR == 0 {
		c.LR = 0.001
	}
	if c.Clip == 0 {
		c.Clip = 5
	}
	if c.InitStd == 0 {
		c.InitStd = 0.05
	}
	switch {
	case c.ItemDim < 1 || c.CategoryDim < 1:
		return fmt.Errorf("%w: model.params: item_dim %d and category_dim %d must be >= 1", bench.ErrConfig, c.ItemDim, c.CategoryDim)
	case c.BatchSize < 1 || c.EvalBatch < 1:
		return fmt.Errorf("%w: model.params: batch_size %d and eval_batch %d must be >= 1", bench.ErrConfig, c.BatchSize, c.EvalBatch)
	case !(c.LR > 0) || c.InitStd < 0:
		return fmt.Errorf("%w: model.params: lr %v must be > 0 and init_std %v >= 0", bench.ErrConfig, c.LR, c.InitStd)
	case c.Blocks < 0 || c.Heads < 0 || c.FFN < 0:
		return fmt.Errorf("%w: model.params: blocks %d, heads %d and ffn %d must not be negative", bench.ErrConfig, c.Blocks, c.Heads, c.FFN)
	case c.Heads > 0 && c.EmbedDim()%c.Heads != 0:
		return fmt.Errorf("%w: model.params.heads: %d heads do not divide item_dim + category_dim = %d", bench.ErrConfig, c.Heads, c.EmbedDim())
	case c.TimeBins < 1:
		return fmt.Errorf("%w: model.params.time_bins: %d, want >= 1", bench.ErrConfig, c.TimeBins)
	case slices.ContainsFunc(c.Hidden, func(h int) bool { return h < 1 }):
		return fmt.Errorf("%w: model.params.hidden: %v, want sizes >= 1", bench.ErrConfig, c.Hidden)
	}
	switch c.Encoding {
	case "", EncodingTTEP, EncodingTTET, EncodingCOE, EncodingTE, EncodingNone:
	default:
		return fmt.Errorf("%w: model.params.encoding: %q, want tte-p, tte-t, coe, te or none", bench.ErrConfig, c.Encoding)
	}
	return nil
}

// EmbedDim is the width of a behaviour's or target's [item ‖ category] embedding.
func (c *Config) EmbedDim() int { return c.ItemDim + c.CategoryDim }
