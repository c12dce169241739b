package ctr

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Net is what one CTR model supplies: its parameters and the click logits of a batch.
type Net interface {
	Params() nn.Params
	// Logits returns the B×1 click logits of b. train says whether the batch is a training one
	// (batch statistics in batch norms); the tape records gradients only then.
	Logits(tp *ag.Tape, b *Batch, train bool) *ag.Tensor
}

// AuxLosser is implemented by nets with an auxiliary training loss (DIEN's): AuxLoss returns the
// term the last training Logits call built on the tape (nil for none), added to the batch's
// logloss; the epoch's reported loss includes it.
type AuxLosser interface {
	AuxLoss() *ag.Tensor
}

// Dims are the sizes a net is built for.
type Dims struct {
	Items      int
	Categories int // 1 + the largest category; 0 without categories (one shared category row)
	MaxHistory int // longest history in any part
	TimeBins   int // TTE-T bins (Config.TimeBins) when the model asked for time edges, else 0
}

// Spec describes one model to the engine.
type Spec struct {
	Name string // registry name, used in errors
	// Defaults fills the model's own defaults (ablation switches) before Config.Resolve.
	Defaults func(c *Config)
	// Resolved fills defaults that depend on resolved values (e.g. a width from item_dim), after
	// Config.Resolve and before Check (nil: none).
	Resolved func(c *Config)
	// Check validates the resolved config for this model (nil: nothing more to check).
	Check func(c Config) error
	// TimeEdges says whether the net needs Batch.TimeBin (equal-frequency bins on training data).
	TimeEdges func(c Config) bool
	// Calendar says whether the net needs the calendar rows (Batch.HistCal; nil: no).
	Calendar func(c Config) bool
	// Build creates the net with its initial parameters drawn from r.
	Build func(c Config, d Dims, be ag.Backend, r *rand.Rand) (Net, error)
}

// Model runs a Net under the CTR task: it implements bench.Model, bench.CTRScorer and
// bench.Configured.
type Model struct {
	spec Spec
	cfg  Config
	be   ag.Backend
	log  io.Writer

	net     Net
	params  nn.Params
	opt     *optimizer
	tp      *ag.Tape
	batcher *Batcher
	order   []int // training sample order, reshuffled every epoch
	shuffle *rand.Rand

	seed     uint64 // Init's
	dims     Dims
	shuffles uint64 // shuffles of order since Init (a checkpoint replays them)
}

var (
	_ bench.CTRScorer  = (*Model)(nil)
	_ bench.Configured = (*Model)(nil)
)

// New decodes and validates the parameters of a model described by spec.
func New(spec Spec, params bench.ModelParams, be ag.Backend, log io.Writer) (*Model, error) {
	m := &Model{spec: spec, be: be, log: log}
	if err := params.Decode(&m.cfg); err != nil {
		return nil, err
	}
	if spec.Defaults != nil {
		spec.Defaults(&m.cfg)
	}
	if err := m.cfg.Resolve(); err != nil {
		return nil, err
	}
	if spec.Resolved != nil {
		spec.Resolved(&m.cfg)
	}
	if spec.Check != nil {
		if err := spec.Check(m.cfg); err != nil {
			return nil, err
		}
	}
	if m.be == nil {
		m.be = ag.NewCPU()
	}
	return m, nil
}

// ScoresCTR marks the model as a bench.CTRScorer.
func (*Model) ScoresCTR() {}

// Config returns the resolved parameters.
func (m *Model) Config() any { return m.cfg }

// Net returns the built net (after Init), for model-specific read-outs and tests.
func (m *Model) Net() Net { return m.net }

// Streams of the model's random sources.
const (
	streamInit    = 1
	streamShuffle = 2
)

// Init builds the net for d's CTR samples with parameters drawn from seed.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	cs := d.CTR
	if cs == nil {
		return fmt.Errorf("%s: the data has no CTR samples (run the ctr task)", m.spec.Name)
	}
	dims := Dims{Items: cs.NumItems, Categories: cs.NumCategories}
	for _, part := range [][]datasets.CTRSample{cs.Train, cs.Val, cs.Test} {
		for _, s := range part {
			dims.MaxHistory = max(dims.MaxHistory, len(s.History))
		}
	}
	var edges []float64
	if m.spec.TimeEdges != nil && m.spec.TimeEdges(m.cfg) {
		edges = TimeEdges(cs, m.cfg.TimeBins)
		dims.TimeBins = len(edges) + 1
	}
	net, err := m.spec.Build(m.cfg, dims, m.be, rand.New(rand.NewPCG(seed, streamInit)))
	if err != nil {
		return fmt.Errorf("%s: %w", m.spec.Name, err)
	}
	m.net, m.params = net, net.Params()
	m.opt = newOptimizer(net, m.params, m.cfg.LR, cs)
	m.tp = ag.NewTape(m.be)
	m.batcher = NewBatcher(cs, edges)
	if m.spec.Calendar != nil && m.spec.Calendar(m.cfg) {
		m.batcher.WithCalendar()
	}
	m.seed, m.dims = seed, dims
	m.order = make([]int, len(cs.Train))
	m.resetOrder()
	return nil
}

// resetOrder puts the training order and its shuffle source back to Init's.
func (m *Model) resetOrder() {
	for i := range m.order {
		m.order[i] = i
	}
	m.shuffle = rand.New(rand.NewPCG(m.seed, streamShuffle))
	m.shuffles = 0
}

// shuffleOrder shuffles the training order in place (once per epoch).
func (m *Model) shuffleOrder() {
	m.shuffle.Shuffle(len(m.order), func(i, j int) { m.order[i], m.order[j] = m.order[j], m.order[i] })
	m.shuffles++
}

// Loss returns the mean logloss of logits z (B×1) against labels y: softplus(z) − y·z, which is
// −y·log σ(z) − (1−y)·log(1−σ(z)) without overflow.
func Loss(tp *ag.Tape, z *ag.Tensor, labels []float32) *ag.Tensor {
	y := tp.Input(len(labels), 1, labels)
	return tp.Mean(tp.Sub(tp.Softplus(z), tp.Mul(z, y)), ag.AxisAll)
}

// TrainEpoch makes one shuffled pass over the training samples.
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	train := d.CTR.Train
	m.shuffleOrder()
	defer m.opt.flush()
	var st bench.EpochStats
	var lossSum float64
	buf := make([]datasets.CTRSample, 0, m.cfg.BatchSize)
	next := make([]datasets.CTRSample, 0, m.cfg.BatchSize)
	batch := func(dst []datasets.CTRSample, lo int) []datasets.CTRSample {
		dst = dst[:0]
		for _, i := range m.order[min(lo, len(m.order)):min(lo+m.cfg.BatchSize, len(m.order))] {
			dst = append(dst, train[i])
		}
		return dst
	}
	next = batch(next, 0)
	for lo := 0; lo < len(m.order); lo += m.cfg.BatchSize {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		buf, next = next, buf
		next = batch(next, lo+m.cfg.BatchSize)
		m.opt.ahead(buf, next)
		b := m.batcher.Make(buf)
		m.tp.Reset()
		m.opt.zeroGrad()
		loss := Loss(m.tp, m.net.Logits(m.tp, b, true), b.Label)
		if a, ok := m.net.(AuxLosser); ok {
			if aux := a.AuxLoss(); aux != nil {
				loss = m.tp.Add(loss, aux)
			}
		}
		l := loss.Scalar()
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return st, fmt.Errorf("%s: batch %d: %w", m.spec.Name, st.Batches, bench.ErrNotFinite)
		}
		if err := m.tp.Backward(loss); err != nil {
			return st, err
		}
		if m.cfg.Clip > 0 {
			m.params.ClipGradNorm(m.cfg.Clip)
		}
		m.opt.step()
		lossSum += l * float64(len(buf))
		st.Interactions += len(buf)
		st.Batches++
		st.Steps++
		p.Advance(len(buf))
	}
	if st.Interactions > 0 {
		st.Loss = lossSum / float64(st.Interactions)
	}
	return st, nil
}

// Evaluate scores the validation samples, then the test samples, in order, without changing the
// model.
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	was := m.tp.SetGrad(false)
	defer m.tp.SetGrad(was)
	for _, part := range []bench.Part{bench.PartValidation, bench.PartTest} {
		samples := d.CTRPart(part)
		for lo := 0; lo < len(samples); lo += m.cfg.EvalBatch {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+m.cfg.EvalBatch, len(samples))
			logits := m.Score(samples[lo:hi])
			for i, z := range logits {
				p := d.CTRPrediction(part, lo+i)
				p.Score, p.Prob = z, sigmoid(z)
				sink(p)
			}
		}
	}
	return nil
}

// Score returns the logits of samples under evaluation mode (no gradients, running batch-norm
// statistics). The slice is freshly allocated.
func (m *Model) Score(samples []datasets.CTRSample) []float64 {
	was := m.tp.SetGrad(false)
	defer m.tp.SetGrad(was)
	m.tp.Reset()
	z := m.net.Logits(m.tp, m.batcher.Make(samples), false)
	out := make([]float64, len(samples))
	z.CopyTo64(out)
	return out
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
