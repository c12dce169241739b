package deepcoevolve

import (
	"fmt"
	"math"
	"strings"
)

// Config is DeepCoevolve's parameters (configs/models/deepcoevolve.yaml). Zero values mean the
// defaults stated per field.
type Config struct {
	// Dim is the size of the user and item embeddings. Default 128 (the JODIE paper's for every model).
	Dim int `yaml:"dim"`
	// Negatives is K, the items sampled per interaction to estimate the survival term. Default 10
	// (the JODIE paper's runs); -1 means none (the survival term off: an ablation, and the tests'
	// t-Batch equivalence).
	Negatives int `yaml:"negatives"`
	// ScoreScale multiplies uᵀj in the intensity exp(uᵀj·score_scale)·Δ. Default 0: 1/√dim (see the
	// package comment); 1 is the paper's.
	ScoreScale float64 `yaml:"score_scale"`
	// TimeScale is the unit of Δ in the intensity, in the data's seconds. Default 0: the mean time
	// between a user's consecutive training interactions.
	TimeScale float64 `yaml:"time_scale"`
	// Windows is the number of t-Batch windows over the dataset's time span, as JODIE. Default 500.
	Windows int `yaml:"windows"`
	// WindowRule is "rolling" (default, JODIE's original code) or "grid" (fixed boundaries in time).
	WindowRule string `yaml:"window_rule"`
	// LastWindow is "train" (default: the training interactions after the last closed rolling window
	// are trained as one more window) or "skip" (JODIE's original code: never trained).
	LastWindow string `yaml:"last_window"`
	// TBatch is "on" (default) or "off" (one interaction per batch, same windows and backprop): the two
	// arms of the t-Batch speed-up measurement.
	TBatch string `yaml:"tbatch"`
	// LR is Adam's learning rate. Default 1e-3 (as JODIE's).
	LR float64 `yaml:"lr"`
	// WeightDecay is Adam's L2 penalty. Default 1e-5 (a negative value means none).
	WeightDecay float64 `yaml:"weight_decay"`
	// MaxWindowInteractions bounds the interactions of one backpropagation step (JODIE's key of the
	// same name). Default 50000.
	MaxWindowInteractions int `yaml:"max_window_interactions"`
}

// resolve fills defaults and validates.
func (c *Config) resolve() error {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, 128)
	def(&c.Negatives, 10)
	def(&c.Windows, 500)
	def(&c.MaxWindowInteractions, 50000)
	defS := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	defS(&c.WindowRule, "rolling")
	defS(&c.LastWindow, "train")
	defS(&c.TBatch, "on")
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = 1e-5
	}
	if c.WeightDecay < 0 {
		c.WeightDecay = 0
	}
	oneOf := func(key, v string, valid ...string) error {
		for _, x := range valid {
			if v == x {
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not one of %s", key, v, strings.Join(valid, ", "))
	}
	for _, err := range []error{
		oneOf("window_rule", c.WindowRule, "rolling", "grid"),
		oneOf("last_window", c.LastWindow, "train", "skip"),
		oneOf("tbatch", c.TBatch, "on", "off"),
	} {
		if err != nil {
			return err
		}
	}
	switch {
	case c.Dim < 1 || c.Windows < 1 || c.MaxWindowInteractions < 1:
		return fmt.Errorf("dim %d, windows %d, max_window_interactions %d: must be positive", c.Dim, c.Windows, c.MaxWindowInteractions)
	case c.Negatives < -1:
		return fmt.Errorf("negatives %d: must be positive, or -1 for none", c.Negatives)
	case c.LR < 0 || c.ScoreScale < 0 || c.TimeScale < 0:
		return fmt.Errorf("lr %v, score_scale %v, time_scale %v: must not be negative", c.LR, c.ScoreScale, c.TimeScale)
	}
	if c.ScoreScale == 0 {
		c.ScoreScale = 1 / math.Sqrt(float64(c.Dim))
	}
	return nil
}

// negatives is K, the items sampled per interaction (0 with negatives: -1).
func (c *Config) negatives() int { return max(c.Negatives, 0) }
