package seqrec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Net is what one sequence model supplies to the engine: its parameters, its state tables and one
// step of its recurrence.
type Net interface {
	// Params are the trainable parameters, without the tables' Init (the engine adds those).
	Params() nn.Params
	// Tables are the per-entity states the net reads and writes.
	Tables() []*Table
	// Step processes one batch. When b.WantLogits it returns the scores of ALL items for every row
	// (Len()×NumItems, higher is better), computed from the states BEFORE the rows are revealed
	// and from Batch.Query only — never from the rows' items or Batch.Event. It then reveals the
	// rows: it writes every row's user state (and item state, for item tables) after the
	// interaction, and returns the users' dynamic embeddings after it (Len()×E), the input of the
	// state-change read-out.
	Step(tp *ag.Tape, b *Batch) (logits, emb *ag.Tensor)
}

// Projector is implemented by nets with constrained parameters: Project is called after every
// optimiser step (Time-LSTM keeps its first time gate's weight ≤ 0).
type Projector interface {
	Project()
}

// Dims are the sizes a net is built for.
type Dims struct {
	Users, Items int
	Inputs       Inputs
}

// Spec describes one model to the engine.
type Spec struct {
	// Name is the registry name, used in errors.
	Name string
	// Scoring is the model's ItemScoring (bench.Ranker): "softmax" or "dot".
	Scoring string
	// Coupled says the net scores items with the items' own recurrent states, which must be as of
	// each interaction's time: training runs on t-batches and evaluation one row at a time.
	// Otherwise users are independent and run in parallel lanes.
	Coupled bool
	// DefaultClock is the model's default for Config.Clock.
	DefaultClock string
	// Cross says the model takes Config.Cross (rrn).
	Cross bool
	// Check validates the resolved config for this model (nil: nothing more to check).
	Check func(c Config) error
	// Build creates the net with its initial parameters drawn from r.
	Build func(c Config, d Dims, be ag.Backend, r *rand.Rand) (Net, error)
}

// Model runs a Net under tibench's protocol: it implements bench.Model, bench.Ranker,
// bench.StateClassifier and bench.Configured.
type Model struct {
	spec Spec
	cfg  Config
	be   ag.Backend
	log  io.Writer

	net    Net
	tables []*Table
	params nn.Params
	opt    nn.Optimizer
	tp     *ag.Tape // the tape in use: trainTp, or evalTp inside Evaluate
	// Training windows and evaluation steps have different shapes; each phase keeps its own tape
	// so that its arena recycles its own blocks instead of releasing and regrowing them every time
	// the phases alternate (ag.Tape.Reset drops blocks a smaller step left idle).
	trainTp, evalTp *ag.Tape
	in              Inputs
	seed            uint64
	epoch           int
	trainRows       int // d.Split.TrainEnd at Init, which a checkpoint must match

	lanes    Lanes
	coupled  Coupled
	train    Schedule // the coupled training schedule, the same every epoch
	trainKey endKey   // the data it was built for
	sched    Schedule // scratch schedule
	batch    Batch
	host     []float32 // downloaded logits or embeddings
	ranks    []float64

	// The end-of-training state, computed by replaying the training rows with the final parameters
	// (valid until the next TrainEpoch), and the read-out fitted on it.
	end     []snapshot
	ended   bool
	endKey  endKey // what the end state was computed for
	readout *Readout
	embDim  int
	feats   []float32               // training embeddings for the read-out
	obs     bench.EmbeddingObserver // the embedding-evolution monitor, when attached
	obsHost []float32               // its embeddings on the host, reused
}

// endKey identifies the data an end-of-training state belongs to.
type endKey struct {
	d        *bench.Data
	trainEnd int
	task     bench.Task
}

var (
	_ bench.Ranker          = (*Model)(nil)
	_ bench.StateClassifier = (*Model)(nil)
	_ bench.Configured      = (*Model)(nil)
	_ bench.Embedder        = (*Model)(nil)
)

// New decodes and validates the parameters of a model described by spec.
func New(spec Spec, params bench.ModelParams, be ag.Backend, log io.Writer) (*Model, error) {
	m := &Model{spec: spec, be: be, log: log}
	if err := params.Decode(&m.cfg); err != nil {
		return nil, err
	}
	if err := m.cfg.Resolve(spec); err != nil {
		return nil, err
	}
	if spec.Check != nil {
		if err := spec.Check(m.cfg); err != nil {
			return nil, err
		}
	}
	if m.be == nil {
		m.be = ag.NewCPU()
	}
	if m.log == nil {
		m.log = io.Discard
	}
	return m, nil
}

// Streams of the random source derived from Init's seed.
const (
	streamInit  = 0x5e9
	streamOrder = 0x0de
)

// Init builds the net for d and draws its parameters from seed.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	if d.NumItems() < 1 || d.NumUsers() < 1 {
		return fmt.Errorf("%s: data has %d users and %d items", m.spec.Name, d.NumUsers(), d.NumItems())
	}
	m.in = Inputs{DeltaT: *m.cfg.UseDt}
	if *m.cfg.UseFeatures {
		m.in.Features = d.FeatureDim
	}
	switch m.cfg.Clock {
	case ClockOn:
		m.in.Clock = true
	case ClockAuto:
		m.in.Clock = d.Len() > 0 && d.Times[d.Len()-1]-d.Times[0] >= clockSpan
	}
	net, err := m.spec.Build(m.cfg, Dims{Users: d.NumUsers(), Items: d.NumItems(), Inputs: m.in}, m.be,
		rand.New(rand.NewPCG(seed, streamInit)))
	if err != nil {
		return fmt.Errorf("%s: %w", m.spec.Name, err)
	}
	m.net, m.tables, m.seed, m.epoch = net, net.Tables(), seed, 0
	m.trainRows = d.Split.TrainEnd
	m.params = append(nn.Params{}, net.Params()...)
	for _, t := range m.tables {
		m.params = append(m.params, t.Init)
	}
	m.opt = m.newOptimizer()
	m.trainTp, m.evalTp = ag.NewTape(m.be), ag.NewTape(m.be)
	m.tp = m.trainTp
	fmt.Fprintf(m.log, "%s: %d parameters; inputs: item embeddings, Δt %v, clock %v, %d features\n",
		m.spec.Name, m.params.Count(), m.in.DeltaT, m.in.Clock, m.in.Features)
	m.ended, m.readout, m.end, m.trainKey = false, nil, nil, endKey{}
	return nil
}

func (m *Model) newOptimizer() nn.Optimizer {
	return nn.NewAdam(m.params, nn.OptimConfig{LR: m.cfg.LR, WeightDecay: m.cfg.WeightDecay})
}

// trainSchedule returns this epoch's training schedule: lanes over users in an order drawn from
// (seed, epoch), or the coupled t-batches, which do not change from epoch to epoch.
func (m *Model) trainSchedule(d *bench.Data) (*Schedule, error) {
	if m.spec.Coupled {
		key := endKey{d: d, trainEnd: d.Split.TrainEnd}
		if m.trainKey != key {
			if err := m.coupled.Build(&m.train, d.Users, d.Items, d.Times, 0, d.Split.TrainEnd, m.cfg.BatchUsers, m.cfg.BPTT); err != nil {
				return nil, err
			}
			m.trainKey = key
		}
		return &m.train, nil
	}
	r := rand.New(rand.NewPCG(m.seed, streamOrder+uint64(m.epoch)))
	m.lanes.Build(&m.sched, d.Users, d.NumUsers(), 0, d.Split.TrainEnd, m.cfg.BatchUsers, m.cfg.BPTT, r)
	return &m.sched, nil
}

func (m *Model) resetStates() {
	for _, t := range m.tables {
		t.reset()
	}
	if m.obs != nil {
		m.obs.Restart()
	}
}

// ObserveEmbeddings reports every user's dynamic embedding (the state-change read-out's input) after
// each of its interactions (without the previous one, which the observer keeps), in training, in the replay of the training log that evaluation starts
// from (Restart first: the replay recomputes every state from the initial ones) and in evaluation.
func (m *Model) ObserveEmbeddings(obs bench.EmbeddingObserver) { m.obs = obs }

func (m *Model) detach() {
	for _, t := range m.tables {
		t.Detach()
	}
}

// step fills the batch with rows and runs the net, recording which rows it wrote.
func (m *Model) step(d *bench.Data, rows []int32, wantLogits, wantEmb bool) (logits, emb *ag.Tensor) {
	wantEmb = wantEmb || m.obs != nil
	m.batch.fill(d, m.in, rows, wantLogits, wantEmb)
	logits, emb = m.net.Step(m.tp, &m.batch)
	for _, t := range m.tables {
		t.written(&m.batch)
	}
	if m.obs != nil && emb != nil {
		m.obsHost = grow(m.obsHost, emb.Len())
		host := m.obsHost
		emb.CopyTo(host)
		E := emb.Cols()
		for k, r := range rows {
			m.obs.ObserveUpdate(monitor.Users, d.Users[r], nil, host[k*E:(k+1)*E])
		}
	}
	return logits, emb
}

// TrainEpoch runs one epoch of truncated BPTT over the training rows: every window sums the
// softmax cross-entropy of each row's true item (mean over the window's rows), then takes one
// backward pass and one Adam step, and detaches the states.
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	if m.net == nil {
		return bench.EpochStats{}, fmt.Errorf("%s: TrainEpoch before Init", m.spec.Name)
	}
	m.epoch++
	m.ended = false
	m.resetStates()
	s, err := m.trainSchedule(d)
	if err != nil {
		return bench.EpochStats{}, err
	}
	var stats bench.EpochStats
	var total float64
	m.tp.SetGrad(true)
	for w := range s.NumWindows() {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		loss, err := m.window(d, s, w)
		if err != nil {
			return stats, fmt.Errorf("%s: epoch %d, batch %d of %d: %w", m.spec.Name, m.epoch, w+1, s.NumWindows(), err)
		}
		n := s.WindowRows(w)
		total += loss * float64(n)
		stats.Interactions += n
		stats.Batches++
		stats.Steps++
		if p != nil {
			p.Advance(n)
		}
	}
	if stats.Interactions > 0 {
		stats.Loss = total / float64(stats.Interactions)
	}
	return stats, nil
}

// window trains on one window of s and returns its mean loss.
func (m *Model) window(d *bench.Data, s *Schedule, w int) (float64, error) {
	m.tp.Reset()
	first, end := s.Window(w)
	rows := float64(s.WindowRows(w))
	var loss *ag.Tensor
	for k := first; k < end; k++ {
		step := s.Step(k)
		logits, _ := m.step(d, step, true, false)
		l := m.tp.Scale(m.tp.CrossEntropy(logits, m.batch.Items, nil), float64(len(step))/rows)
		if loss == nil {
			loss = l
		} else {
			loss = m.tp.Add(loss, l)
		}
	}
	v := loss.Scalar()
	if err := m.update(loss); err != nil {
		return v, err
	}
	return v, nil
}

// update backpropagates loss, steps the optimiser and ends the window.
func (m *Model) update(loss *ag.Tensor) error {
	defer m.detach()
	if err := m.tp.Backward(loss); err != nil {
		m.opt.ZeroGrad()
		if errors.Is(err, ag.ErrNonFinite) {
			return fmt.Errorf("%w (%v)", bench.ErrNotFinite, loss.Scalar())
		}
		return err
	}
	if m.cfg.Clip > 0 {
		m.params.ClipGradNorm(m.cfg.Clip)
	}
	m.opt.Step()
	m.opt.ZeroGrad()
	if p, ok := m.net.(Projector); ok {
		p.Project()
	}
	return nil
}

// ItemScoring names the ranking rule (bench.Ranker).
func (m *Model) ItemScoring() string { return m.spec.Scoring }

// PredictsState marks the logistic-regression read-out (bench.StateClassifier).
func (m *Model) PredictsState() {}

// Config returns the resolved parameters (bench.Configured).
func (m *Model) Config() any { return m.cfg }

// Net returns the model's net (after Init), for tests.
func (m *Model) Net() Net { return m.net }

// ResetEvaluation forgets the cached end-of-training state, so that the next Evaluate replays the
// training rows again, as the first one after an epoch does (benchmarks time whole passes).
func (m *Model) ResetEvaluation() { m.ended = false }

// Params returns every trainable parameter, the tables' initial states included (after Init).
func (m *Model) Params() nn.Params { return m.params }

// Window runs steps (each a list of rows forming a valid step) on tp from the initial states, as
// one training window, and returns the summed cross-entropy of the steps, and every step's item
// scores and user embeddings. The states are detached afterwards. It exists for tests: gradient
// checks, whose loss must be a function of the parameters alone, and checks of what scores see.
func (m *Model) Window(tp *ag.Tape, d *bench.Data, steps [][]int32) (loss *ag.Tensor, logits, embs []*ag.Tensor) {
	saved := m.tp
	m.tp = tp
	defer func() { m.tp = saved }()
	m.resetStates()
	defer m.detach()
	for _, rows := range steps {
		lg, emb := m.step(d, rows, true, true)
		l := tp.CrossEntropy(lg, m.batch.Items, nil)
		if loss == nil {
			loss = l
		} else {
			loss = tp.Add(loss, l)
		}
		logits, embs = append(logits, lg), append(embs, emb)
	}
	return loss, logits, embs
}

// Inputs returns the context columns the net receives (after Init).
func (m *Model) Inputs() Inputs { return m.in }
