package ctdne

import (
	"fmt"
	"runtime"
)

// Config is the model's parameters (configs/models/ctdne.yaml). Zero values mean the default stated
// on each field; resolve fills them in.
type Config struct {
	// Dim is the embedding size. Default 128 (the CTDNE paper's and JODIE's setting).
	Dim int `yaml:"dim"`
	// WalksPerNode is R in the corpus budget β = R·N·(L − ω + 1) context windows per pass (N =
	// nodes with an edge). Default 10.
	WalksPerNode int `yaml:"walks_per_node"`
	// WalkLength is L, the maximal number of nodes of a temporal walk. Default 80.
	WalkLength int `yaml:"walk_length"`
	// Window is ω: the skip-gram's maximal distance between a node and its context in a walk (each
	// node draws a reduced window uniformly in 1..ω, as word2vec), and the context-window size of
	// the corpus budget. Default 10.
	Window int `yaml:"window"`
	// MinWalkLength: shorter walks are discarded (CTDNE keeps only walks of at least ω nodes).
	// Default Window.
	MinWalkLength int `yaml:"min_walk_length"`
	// Negatives is the number of negative samples per positive pair. Default 5.
	Negatives int `yaml:"negatives"`
	// LR is the skip-gram's initial learning rate, decayed linearly to LR·1e-4 over each pass.
	// Default 0.025 (word2vec's skip-gram default).
	LR float64 `yaml:"lr"`
	// StartBias selects start edges: uniform, exponential or linear. Default uniform.
	StartBias Bias `yaml:"start_bias"`
	// NeighbourBias selects each next edge: uniform, exponential or linear. Default uniform.
	NeighbourBias Bias `yaml:"neighbour_bias"`
	// TimeScale, seconds, of the exponential neighbour bias exp(−(t' − t)/TimeScale). Default 0:
	// the mean time between consecutive edges of a node in the training graph.
	TimeScale float64 `yaml:"time_scale"`
	// StartTimeScale, seconds, of the exponential start bias exp((T(e) − t_last)/StartTimeScale).
	// Default 0: a tenth of the training graph's time span.
	StartTimeScale float64 `yaml:"start_time_scale"`
	// Similarity ranks items for a user: dot or cosine (of the input vectors). Default dot: a
	// skip-gram vector's length grows with its node's frequency, and keeping it ranks active items
	// higher, which next-item prediction rewards (synth-wikipedia-small, 2 epochs, seed 1: test MRR
	// 0.309 with dot, 0.225 with cosine; BenchmarkQuality).
	Similarity string `yaml:"similarity"`
	// RefreshEvery is the number of evaluated interactions between two re-embeddings of all edges
	// seen so far during evaluation. Default 0: the evaluation stream (validation + test) in
	// refreshBlocks equal blocks; −1: never (the end-of-training embeddings throughout).
	RefreshEvery int `yaml:"refresh_every"`
	// Threads is the number of goroutines of the skip-gram (Hogwild when more than one) and of the
	// walk generation; −1 uses every core (GOMAXPROCS). With one goroutine the results are
	// bit-identical for a seed; with more the skip-gram runs Hogwild (lock-free; results depend on
	// scheduling), while the walks stay the same. Default 1: tibench's rule that a seed fixes every
	// metric, and an epoch on synth-wikipedia already takes well under the 60 s target on one core
	// (about 13 s; 7 s Hogwild on two: BenchmarkCTDNEEpoch, rough).
	Threads int `yaml:"threads"`
}

// Defaults of Config.
const (
	DefaultDim          = 128
	DefaultWalksPerNode = 10
	DefaultWalkLength   = 80
	DefaultWindow       = 10
	DefaultNegatives    = 5
	DefaultLR           = 0.025
	DefaultThreads      = 1

	SimilarityCosine = "cosine"
	SimilarityDot    = "dot"

	// refreshBlocks is the number of equal blocks the default RefreshEvery cuts the evaluation
	// stream into: three re-embeddings, one of them at about the start of the test part.
	refreshBlocks = 4
	// startTimeScaleFraction: the default StartTimeScale is the training span times this.
	startTimeScaleFraction = 0.1
	// maxAttemptsPerWalk caps a pass's start edges at this many times R·N.
	maxAttemptsPerWalk = 10
)

// AllThreads is the Threads value that uses every core (GOMAXPROCS), Hogwild.
const AllThreads = -1

// resolve fills the defaults and validates, naming the key of the first bad field.
func (c *Config) resolve() error {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, DefaultDim)
	def(&c.WalksPerNode, DefaultWalksPerNode)
	def(&c.WalkLength, DefaultWalkLength)
	def(&c.Window, DefaultWindow)
	def(&c.MinWalkLength, c.Window)
	def(&c.Negatives, DefaultNegatives)
	def(&c.Threads, DefaultThreads)
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.StartBias == "" {
		c.StartBias = BiasUniform
	}
	if c.NeighbourBias == "" {
		c.NeighbourBias = BiasUniform
	}
	if c.Similarity == "" {
		c.Similarity = SimilarityDot
	}
	switch {
	case c.Dim < 1:
		return fmt.Errorf("dim %d: must be at least 1", c.Dim)
	case c.WalksPerNode < 1:
		return fmt.Errorf("walks_per_node %d: must be at least 1", c.WalksPerNode)
	case c.WalkLength < 2:
		return fmt.Errorf("walk_length %d: must be at least 2 (a walk starts with an edge's two nodes)", c.WalkLength)
	case c.Window < 1:
		return fmt.Errorf("window %d: must be at least 1", c.Window)
	case c.MinWalkLength < 2 || c.MinWalkLength > c.WalkLength:
		return fmt.Errorf("min_walk_length %d: must be in [2, walk_length %d]", c.MinWalkLength, c.WalkLength)
	case c.Negatives < 0:
		return fmt.Errorf("negatives %d: must be 0 or more", c.Negatives)
	case !(c.LR > 0):
		return fmt.Errorf("lr %v: must be positive", c.LR)
	case !c.StartBias.valid():
		return fmt.Errorf("start_bias %q: must be one of uniform, exponential, linear", c.StartBias)
	case !c.NeighbourBias.valid():
		return fmt.Errorf("neighbour_bias %q: must be one of uniform, exponential, linear", c.NeighbourBias)
	case !(c.TimeScale >= 0):
		return fmt.Errorf("time_scale %v: must be 0 (auto) or positive", c.TimeScale)
	case !(c.StartTimeScale >= 0):
		return fmt.Errorf("start_time_scale %v: must be 0 (auto) or positive", c.StartTimeScale)
	case c.Similarity != SimilarityCosine && c.Similarity != SimilarityDot:
		return fmt.Errorf("similarity %q: must be cosine or dot", c.Similarity)
	case c.RefreshEvery < -1:
		return fmt.Errorf("refresh_every %d: must be positive, 0 (auto) or -1 (never)", c.RefreshEvery)
	case c.Threads < AllThreads:
		return fmt.Errorf("threads %d: must be positive, or -1 for every core", c.Threads)
	}
	return nil
}

// threads is the resolved goroutine count.
func (c *Config) threads() int {
	if c.Threads == AllThreads {
		return runtime.GOMAXPROCS(0)
	}
	return c.Threads
}

// refreshEvery is the interval between refreshes for an evaluation stream of n rows (0: never).
func (c *Config) refreshEvery(n int) int {
	switch c.RefreshEvery {
	case -1:
		return 0
	case 0:
		return max(1, (n+refreshBlocks-1)/refreshBlocks)
	}
	return c.RefreshEvery
}
