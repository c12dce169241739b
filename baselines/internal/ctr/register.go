package ctr

import (
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/models"
)

// Register makes spec's model available by its name in the model registry (call it from the
// model package's init).
func Register(spec Spec, description string) {
	models.Register(spec.Name, description, func(params bench.ModelParams, env models.Env) (models.Model, error) {
		return New(spec, params, env.Backend, env.Log)
	})
}

// EncoderDefaults returns a Spec's Defaults and Resolved for a model with a Transformer encoder:
// blocks layers of heads heads, feed-forward width ffnMult × the embedding width — each unless the
// configuration sets it.
func EncoderDefaults(blocks, heads, ffnMult int) (defaults, resolved func(c *Config)) {
	defaults = func(c *Config) {
		if c.Blocks == 0 {
			c.Blocks = blocks
		}
		if c.Heads == 0 {
			c.Heads = heads
		}
	}
	resolved = func(c *Config) {
		if c.FFN == 0 {
			c.FFN = ffnMult * c.EmbedDim()
		}
	}
	return defaults, resolved
}
