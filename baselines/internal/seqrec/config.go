package seqrec

import (
	"fmt"
)

// Config is the parameters every sequence baseline takes (configs/models/{lstm,timelstm,rrn,
// latentcross,crnn}.yaml). The five models share one key set, so a sweep such as fig6's
// model.params.dim means the same thing for all of them. Zero values mean the default stated on
// each field; Resolve fills them in.
type Config struct {
	// Dim is the hidden size of the recurrent cells and the width of every embedding. Default 128,
	// the JODIE paper's fair-comparison setting (§5: "128 dimensions ... for all algorithms").
	Dim int `yaml:"dim"`
	// BPTT is the truncated-backpropagation length: the number of steps (each user advances at
	// most one interaction per step) whose losses are summed before one backward pass and one
	// optimiser step. Default 50.
	BPTT int `yaml:"bptt"`
	// BatchUsers is the number of users trained in parallel: the lanes of a mini-batch (a user
	// whose sequence ends hands its lane to the next user). For rrn it caps the rows of a t-batch,
	// whose users are distinct too. Default 32.
	BatchUsers int `yaml:"batch_users"`
	// LR is Adam's learning rate. Default 1e-2: with one step per window of BatchUsers·BPTT rows
	// an epoch has few steps (10 on a -small preset, 80 on synth-wikipedia), and JODIE's 1e-3
	// leaves these models far from converged after the quick profile's 3 epochs (measured on
	// synth-wikipedia-small: LSTM test MRR 0.55 at 1e-3, 0.73 at 1e-2; on synth-wikipedia after 3
	// epochs: 0.78 at 1e-2).
	LR float64 `yaml:"lr"`
	// WeightDecay is Adam's L2 penalty (PyTorch semantics). Default 0.
	WeightDecay float64 `yaml:"weight_decay"`
	// Clip is the maximal global gradient norm per optimiser step. Default 0: no clipping.
	Clip float64 `yaml:"clip"`
	// UseDt feeds the z-scored time since the user's previous interaction (the item's, on rrn's
	// item side) as an input. Default true. timelstm's time gates always need it.
	UseDt *bool `yaml:"use_dt"`
	// UseFeatures feeds the interaction's features (when the data has any) as an input of the
	// update after the interaction is revealed; never into the prediction made before it.
	// Default true.
	UseFeatures *bool `yaml:"use_features"`
	// Clock adds time of day and day of week (sin/cos pairs of the timestamp) as inputs: "on",
	// "off", or "auto" (on when the timestamps span at least two days). Default: "auto" for
	// latentcross, whose context is the point of the model; "off" for the others.
	Clock string `yaml:"clock"`
	// Cross, rrn only: also score the user's dynamic state against every item's stationary
	// embedding, ⟨V·h_u, s_i⟩, besides ⟨ũ_t, ĩ_t⟩ + ⟨s_u, s_i⟩. The JODIE paper gives every
	// baseline a static one-hot item embedding beside its dynamic one (§5, "one-hot vectors for
	// static embeddings"), which lets the user's state reach item identities; without it RRN can
	// only learn "the item I just used" by memorising user–item pairs (see package rrn).
	// Default true; false is the RRN paper's score alone.
	Cross *bool `yaml:"cross,omitempty"`
}

// Defaults of Config.
const (
	DefaultDim        = 128
	DefaultBPTT       = 50
	DefaultBatchUsers = 32
	DefaultLR         = 1e-2
)

// The values of Config.Clock.
const (
	ClockAuto = "auto"
	ClockOn   = "on"
	ClockOff  = "off"
)

// Resolve fills zero values with the defaults of the model described by spec and validates every
// field, naming the key of the first bad one.
func (c *Config) Resolve(spec Spec) error {
	if spec.Cross && c.Cross == nil {
		c.Cross = ptr(true)
	}
	if !spec.Cross && c.Cross != nil {
		return fmt.Errorf("cross: only rrn has this key, not %s", spec.Name)
	}
	defaultClock := spec.DefaultClock
	if c.Dim == 0 {
		c.Dim = DefaultDim
	}
	if c.BPTT == 0 {
		c.BPTT = DefaultBPTT
	}
	if c.BatchUsers == 0 {
		c.BatchUsers = DefaultBatchUsers
	}
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.UseDt == nil {
		c.UseDt = ptr(true)
	}
	if c.UseFeatures == nil {
		c.UseFeatures = ptr(true)
	}
	if c.Clock == "" {
		c.Clock = defaultClock
	}
	switch {
	case c.Dim < 1:
		return fmt.Errorf("dim %d: must be at least 1", c.Dim)
	case c.BPTT < 1:
		return fmt.Errorf("bptt %d: must be at least 1", c.BPTT)
	case c.BatchUsers < 1:
		return fmt.Errorf("batch_users %d: must be at least 1", c.BatchUsers)
	case !(c.LR > 0):
		return fmt.Errorf("lr %v: must be positive", c.LR)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay %v: must be 0 or positive", c.WeightDecay)
	case !(c.Clip >= 0):
		return fmt.Errorf("clip %v: must be 0 (off) or positive", c.Clip)
	case c.Clock != ClockAuto && c.Clock != ClockOn && c.Clock != ClockOff:
		return fmt.Errorf("clock %q: must be one of %s, %s, %s", c.Clock, ClockAuto, ClockOn, ClockOff)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// clockSpan is the time span from which Clock "auto" turns the clock inputs on: two days, so that
// both the time of day and (over longer data) the day of week vary.
const clockSpan = 2 * 86400
