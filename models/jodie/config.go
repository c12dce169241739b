package jodie

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tibench/tibench/internal/nn"
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
	// LastWindow is what becomes of the training interactions after the last window the rolling rule
	// closes: "skip" (default, the original: never trained — its loop ends without processing
	// them — 171 interactions on Wikipedia) or "train" (a departure: trained as one more window).
	// Ignored with window_rule grid.
	LastWindow string `yaml:"last_window"`
	// TBatch is "on" (default) or "off" (one interaction per batch, same windows and backprop) —
	// the two arms of the t-Batch speed-up measurement.
	TBatch string `yaml:"tbatch"`
	// Lambda weights the loss terms. Default 1 each.
	Lambda Lambdas `yaml:"lambda"`
	// LR is Adam's learning rate. Default 1e-3.
	LR float64 `yaml:"lr"`
	// WeightDecay is Adam's L2 penalty. Default 1e-5 (a negative value means none).
	WeightDecay float64 `yaml:"weight_decay"`
	// SparseAdam is how Adam updates the one-hot (or learned) static-embedding tables, whose rows get
	// gradient only in windows where their user or item appears:
	//   - "dense" (default): the original code's dense Adam — every row takes every step, moving on
	//     its momentum and on weight decay between appearances — computed by replaying a row's
	//     skipped steps when it is next read (nn.RowsDeferred): the same parameters as dense-eager,
	//     bit for bit, at a fraction of its cost;
	//   - "dense-eager": the same Adam applied to every row at every step (the reference; slow for
	//     large tables);
	//   - "lazy": torch.optim.SparseAdam — only rows that got gradient move (a departure: JODIE then
	//     learns several times slower per epoch).
	SparseAdam string `yaml:"sparse_adam"`
	// StateHead trains the state-change head: "on" (default: the original trains it in every run,
	// next-item runs included, where its loss shapes the user embeddings), "auto" (only when the
	// task is state-change) or "off".
	StateHead string `yaml:"state_head"`
	// ClassWeights is where the state-change loss's class weights [1, N/(1+positives)] are counted:
	// "train" (default: the training part; a departure — the original counts the whole file, which
	// lets the test labels' share leak into training) or "all" (the original).
	ClassWeights string `yaml:"class_weights"`
	// InitialGrad is which windows train the learned initial user/item vectors: "first-window"
	// (default, the original: its tables are initial.repeat(n, 1), detach_()ed after an epoch's first
	// window, so later windows read the initial vectors' epoch-start value as constants) or
	// "every-window" (a departure: rows never written keep reading the live parameter, with
	// gradient, in every window of the epoch).
	InitialGrad string `yaml:"initial_grad"`
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
	// Engine computes the model's forward and backward passes: "tibench" (default: internal/ag, the
	// project's own autodiff) or "gorgonia" (every window built as a gorgonia.org/gorgonia graph and
	// run by its tape machine; gradients come from gorgonia's symbolic differentiation, the Adam step
	// stays tibench's, so the two engines differ only in the passes). gorgonia supports static.mode
	// onehot only. It is the independent check of the hand-written backward passes and the route to
	// gorgonia's CUDA build (`make build-cuda`); it is several times slower (BENCHMARKS.md, Engines).
	Engine string `yaml:"engine"`
	// GorgoniaShapes is how the gorgonia engine meets t-batches of every size with graphs of static
	// shape: "exact" (one compiled machine per batch size met) or "bucket" (batches padded to the
	// next power of two, with a row mask). Ignored by the tibench engine. Default: the faster one
	// as measured (BENCHMARKS.md, Engines).
	GorgoniaShapes string `yaml:"gorgonia_shapes"`
	// Serving is when the embeddings that evaluation predicts from take up new interactions:
	// "realtime" (default, the original: every interaction updates them before the next prediction)
	// or "batch" (a snapshot refreshed at every t-Batch window boundary: a window's predictions all
	// come from the states at its start, then its interactions are applied in order — how a system
	// that refreshes embeddings by periodic jobs serves; the embedding-evolution study's "batch").
	// Training is the same under both. tibench engine only.
	Serving string `yaml:"serving"`
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
	if c.LastWindow == "" {
		c.LastWindow = "skip"
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
		c.SparseAdam = "dense"
	}
	if c.StateHead == "" {
		c.StateHead = "on"
	}
	if c.ClassWeights == "" {
		c.ClassWeights = "train"
	}
	if c.InitialGrad == "" {
		c.InitialGrad = "first-window"
	}
	if c.Engine == "" {
		c.Engine = "tibench"
	}
	if c.GorgoniaShapes == "" {
		c.GorgoniaShapes = "exact"
	}
	if c.Serving == "" {
		c.Serving = "realtime"
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
		oneOf("last_window", c.LastWindow, "skip", "train"),
		oneOf("sparse_adam", c.SparseAdam, "dense", "dense-eager", "lazy"),
		oneOf("state_head", c.StateHead, "on", "auto", "off"),
		oneOf("class_weights", c.ClassWeights, "train", "all"),
		oneOf("initial_grad", c.InitialGrad, "first-window", "every-window"),
		oneOf("engine", c.Engine, "tibench", "gorgonia"),
		oneOf("gorgonia_shapes", c.GorgoniaShapes, "exact", "bucket"),
		oneOf("serving", c.Serving, "realtime", "batch"),
	} {
		if err != nil {
			return err
		}
	}
	switch {
	case c.Engine == "gorgonia" && c.Serving != "realtime":
		return fmt.Errorf("engine gorgonia: serving %q is not supported (only realtime)", c.Serving)
	case c.Engine == "gorgonia" && c.Static.Mode != "onehot":
		return fmt.Errorf("engine gorgonia: static.mode %q is not supported (only onehot, the paper's)", c.Static.Mode)
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

// sparseRows maps sparse_adam to the optimiser's mode.
func (c *Config) sparseRows() nn.SparseRows {
	switch c.SparseAdam {
	case "dense-eager":
		return nn.RowsDense
	case "lazy":
		return nn.RowsLazy
	}
	return nn.RowsDeferred
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
