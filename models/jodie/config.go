package jodie

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Config is JODIE's parameters (configs/models/jodie.yaml). Zero values mean the defaults stated per
// field, which are the original code's settings.
type Config struct {
	// Dim is the size of the dynamic embeddings. Default 128.
	Dim int `yaml:"dim"`
	// Static embeddings: one-hot as the paper, or learned for large entity counts.
	Static StaticConfig `yaml:"static"`
	// Windows is the number of t-Batch windows over the dataset's time span (window length =
	// span / Windows). Default 500.
	Windows int `yaml:"windows"`
	// WindowRule is "rolling" (default; the original code: a window closes at the first interaction
	// past its length) or "grid" (fixed boundaries in time).
	WindowRule string `yaml:"window_rule"`
	// TBatch is "on" (default) or "off" (one interaction per batch, same windows and backprop) —
	// the two arms of the t-Batch speed-up measurement.
	TBatch string `yaml:"tbatch"`
	// Lambda weights the loss terms. Default 1 each.
	Lambda Lambdas `yaml:"lambda"`
	// LR is Adam's learning rate. Default 1e-3.
	LR float64 `yaml:"lr"`
	// WeightDecay is Adam's L2 penalty. Default 1e-5 (a negative value means none).
	WeightDecay float64 `yaml:"weight_decay"`
	// SparseAdam is "lazy" (default: static-embedding tables update only the rows that got gradient,
	// as torch.optim.SparseAdam) or "dense" (every row every step, as the original code's Adam, which
	// keeps moving rows through momentum and weight decay; slow for large tables).
	SparseAdam string `yaml:"sparse_adam"`
	// StateHead trains the state-change head: "auto" (default: when the task is state-change), "on"
	// or "off".
	StateHead string `yaml:"state_head"`
	// MemoryLimitGB bounds the estimated parameter memory; beyond it Init fails with the estimate.
	// Default 0: 80% of the machine's memory.
	MemoryLimitGB float64 `yaml:"memory_limit_gb"`
	// MaxWindowInteractions bounds the interactions of one backpropagation step, because a step's
	// whole autodiff graph is kept until its backward pass: a t-Batch window holding more is split
	// into several steps at t-batch boundaries, and a single t-batch larger than this is first cut
	// into pieces (tbatch.SplitLarger; its interactions share no user or item, so the pieces compute
	// the same updates). Default 50000: far above JODIE's datasets' windows (hundreds to a few
	// thousand), but a burst (every user of a 1M-user set arriving at once; one t-batch can then
	// hold ~90,000 interactions) would otherwise need tens of GB.
	MaxWindowInteractions int `yaml:"max_window_interactions"`
}

// StaticConfig chooses the static embeddings.
type StaticConfig struct {
	// Mode is "onehot" (default; the paper's one-hot vectors, implemented as row gathers of the
	// prediction layer's weights) or "learned" (an embedding table of size Dim per entity).
	Mode string `yaml:"mode"`
	// Dim is the learned static embedding size. Default 128. Ignored for onehot.
	Dim int `yaml:"dim"`
}

// Lambdas weight JODIE's loss terms; zero means 1, a negative value means 0 (term off).
type Lambdas struct {
	Prediction float64 `yaml:"prediction"` // MSE of the predicted item embedding
	User       float64 `yaml:"user"`       // MSE between a user's new and previous embedding
	Item       float64 `yaml:"item"`       // MSE between an item's new and previous embedding
	State      float64 `yaml:"state"`      // class-weighted cross-entropy of the state-change head
}

func weight(v float64) float64 {
	switch {
	case v == 0:
		return 1
	case v < 0:
		return 0
	}
	return v
}

// resolve fills defaults and validates.
func (c *Config) resolve() error {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, 128)
	def(&c.Static.Dim, 128)
	def(&c.Windows, 500)
	def(&c.MaxWindowInteractions, 50000)
	if c.Static.Mode == "" {
		c.Static.Mode = "onehot"
	}
	if c.WindowRule == "" {
		c.WindowRule = "rolling"
	}
	if c.TBatch == "" {
		c.TBatch = "on"
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = 1e-5
	}
	if c.SparseAdam == "" {
		c.SparseAdam = "lazy"
	}
	if c.StateHead == "" {
		c.StateHead = "auto"
	}
	c.Lambda = Lambdas{weight(c.Lambda.Prediction), weight(c.Lambda.User), weight(c.Lambda.Item), weight(c.Lambda.State)}
	oneOf := func(key, v string, valid ...string) error {
		for _, x := range valid {
			if v == x {
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not one of %s", key, v, strings.Join(valid, ", "))
	}
	for _, err := range []error{
		oneOf("static.mode", c.Static.Mode, "onehot", "learned"),
		oneOf("window_rule", c.WindowRule, "rolling", "grid"),
		oneOf("tbatch", c.TBatch, "on", "off"),
		oneOf("sparse_adam", c.SparseAdam, "lazy", "dense"),
		oneOf("state_head", c.StateHead, "auto", "on", "off"),
	} {
		if err != nil {
			return err
		}
	}
	switch {
	case c.Dim < 1 || c.Static.Dim < 1 || c.Windows < 1 || c.MaxWindowInteractions < 1:
		return fmt.Errorf("dim %d, static.dim %d, windows %d, max_window_interactions %d: must be positive",
			c.Dim, c.Static.Dim, c.Windows, c.MaxWindowInteractions)
	case c.LR < 0:
		return fmt.Errorf("lr %v: must be positive", c.LR)
	}
	if c.WeightDecay < 0 {
		c.WeightDecay = 0
	}
	return nil
}

// memoryEstimate is the bytes of parameters, gradients and Adam moments (4 float32 copies each), plus
// the two state tables, for the given entity counts.
func (c *Config) memoryEstimate(users, items, features int) float64 {
	d := float64(c.Dim)
	u, i := float64(users), float64(items+1)
	rnn := 2 * ((d+1+float64(features))*d + d*d + 2*d)
	var pred float64
	if c.Static.Mode == "onehot" {
		out := d + i
		pred = (2*d+1)*out + (i+u)*out // dense block and bias, then the two one-hot row tables
	} else {
		s := float64(c.Static.Dim)
		pred = (2*d+2*s+1)*(d+s) + (u+i)*s
	}
	return 16*(rnn+pred) + 4*(u+i)*d
}

// systemMemory returns MemTotal from /proc/meminfo in bytes (0 when unknown).
func systemMemory() float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// checkMemory refuses a configuration whose parameters would not fit, before anything is allocated.
func (c *Config) checkMemory(users, items, features int) error {
	limit := c.MemoryLimitGB * (1 << 30)
	if limit == 0 {
		limit = 0.8 * systemMemory()
	}
	need := c.memoryEstimate(users, items, features)
	if limit > 0 && need > limit {
		hint := "use `static: {mode: learned}` (static.dim 128 needs about %.1f GB here)"
		learned := *c
		learned.Static.Mode = "learned"
		return fmt.Errorf("static mode %s needs about %.1f GB of parameters and optimiser state for %d users × %d items "+
			"(limit %.1f GB; memory_limit_gb raises it): "+hint,
			c.Static.Mode, need/(1<<30), users, items, limit/(1<<30), learned.memoryEstimate(users, items, features)/(1<<30))
	}
	return nil
}
