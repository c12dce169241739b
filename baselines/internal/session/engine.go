package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/nn"
)

// Model runs a Net under tibench's session task: it implements bench.SessionPredictor and
// bench.Configured.
type Model struct {
	spec Spec
	cfg  Config
	be   ag.Backend
	log  io.Writer

	net           Net
	dwell         DwellNet // net's dwell head, nil without one
	law           DwellLaw
	params        nn.Params
	opt           nn.Optimizer
	trainTp       *ag.Tape
	evalTp        *ag.Tape
	seed          uint64
	epoch         int
	numItems      int
	trainSessions int // len(d.Sessions.Train) at Init, which a checkpoint must match

	cumPop  []float64  // cumulative training popularity^SampleAlpha, for negative sampling
	clickP  []float64  // each item's share of the training clicks (the step's next items' law), for log Q
	drawP   []float64  // each item's probability per popularity^SampleAlpha draw, for log Q
	logQ    []float64  // a step's −SampledLogQ·log Q per candidate column
	ones    []float32  // the constant column that multiplies it
	rng     *rand.Rand // this epoch's negative sampler
	negIDs  []int32
	rowIDs  []int32
	negMask []float32

	step   Step
	buf    stepBuffers
	ranks  []float64
	scores []float32 // an evaluation step's logits copied to the host, reused, when not host memory already
}

var (
	_ bench.SessionPredictor = (*Model)(nil)
	_ bench.Configured       = (*Model)(nil)
)

// New decodes and validates the parameters of the model described by spec.
func New(spec Spec, params bench.ModelParams, be ag.Backend, log io.Writer) (*Model, error) {
	m := &Model{spec: spec, be: be, log: log}
	if err := params.Decode(&m.cfg); err != nil {
		return nil, err
	}
	if err := m.cfg.Resolve(spec); err != nil {
		return nil, err
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
	streamInit  = 0x5e55
	streamOrder = 0x0de5
	streamNeg   = 0x4e6
)

// Init builds the net for d's sessions and draws its parameters from seed.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	if d.Sessions == nil {
		return fmt.Errorf("%s: needs the session task's data (task: session)", m.spec.Name)
	}
	if len(d.Sessions.Train) == 0 || d.Sessions.NumItems() == 0 {
		return fmt.Errorf("%s: %d training sessions over %d items", m.spec.Name, len(d.Sessions.Train), d.Sessions.NumItems())
	}
	dims := Dims{Items: d.Sessions.NumItems(), DwellBuckets: int(math.Ceil(d.Sessions.Config.C1)) + 1}
	var sum float64
	var n int
	for _, s := range d.Sessions.Train {
		for k, tau := range s.Dwell {
			if !s.Censored[k] {
				sum += LogDwell(tau)
				n++
			}
		}
	}
	if n > 0 {
		dims.MeanLogDwell = sum / float64(n)
	}
	net, err := m.spec.Build(m.cfg, dims, m.be, rand.New(rand.NewPCG(seed, streamInit)))
	if err != nil {
		return fmt.Errorf("%s: %w", m.spec.Name, err)
	}
	m.dwell, _ = net.(DwellNet)
	if net.HistoryWidth() > 0 && m.cfg.History < 1 {
		return fmt.Errorf("%s: the net attends over its history but the model does not take model.params.history", m.spec.Name)
	}
	m.law = nil
	if m.dwell != nil {
		m.law = m.dwell.DwellLaw(m.cfg, d.Sessions.Config.C1)
	}
	m.net, m.seed, m.epoch, m.numItems, m.trainSessions = net, seed, 0, dims.Items, len(d.Sessions.Train)
	m.params = net.Params()
	m.cumPop = nil
	if m.cfg.Negatives > 0 || m.cfg.SampledSoftmax > 0 {
		count := make([]float64, dims.Items)
		for _, s := range d.Sessions.Train {
			for _, it := range s.Items {
				count[it]++
			}
		}
		m.cumPop = make([]float64, dims.Items)
		acc, clicks := 0.0, 0.0
		for i, c := range count {
			acc += math.Pow(c, *m.cfg.SampleAlpha) // 0^α = 0 for α > 0: unseen items are never drawn
			m.cumPop[i] = acc
			clicks += c
		}
		m.clickP, m.drawP = make([]float64, dims.Items), make([]float64, dims.Items)
		for i, c := range count {
			if clicks > 0 {
				m.clickP[i] = c / clicks
			}
			if acc > 0 {
				m.drawP[i] = math.Pow(c, *m.cfg.SampleAlpha) / acc
			}
		}
	}
	rows := nn.RowsDense
	if m.cfg.SparseAdam {
		rows = nn.RowsLazy
		for _, p := range m.params {
			if p.Rows() == dims.Items && !p.SparseGrad() {
				p.EnableSparseGrad()
			}
		}
	}
	m.opt = nn.NewAdam(m.params, nn.OptimConfig{LR: m.cfg.LR, SparseRows: rows})
	m.trainTp, m.evalTp = ag.NewTape(m.be), ag.NewTape(m.be)
	fmt.Fprintf(m.log, "%s: %d parameters, %d items, dwell head %v\n", m.spec.Name, m.params.Count(), dims.Items, m.dwell != nil)
	return nil
}

// Config returns the resolved parameters (bench.Configured).
func (m *Model) Config() any { return m.cfg }

// PredictsSessions marks the session predictor (bench.SessionPredictor).
func (m *Model) PredictsSessions() {}

// Net returns the model's net (after Init), for tests.
func (m *Model) Net() Net { return m.net }

// Params returns the trainable parameters (after Init).
func (m *Model) Params() nn.Params { return m.params }

// TrainEpoch runs the training sessions once, in an order drawn from (seed, epoch): through
// session-parallel lanes with one Adam step per batch step (BPTT "click"), or in mini-batches of
// whole sessions with one Adam step per mini-batch (BPTT "session", bptt.go).
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	if m.net == nil {
		return bench.EpochStats{}, fmt.Errorf("%s: TrainEpoch before Init", m.spec.Name)
	}
	m.epoch++
	train := d.Sessions.Train
	order := rand.New(rand.NewPCG(m.seed^uint64(m.epoch), streamOrder)).Perm(len(train))
	m.rng = rand.New(rand.NewPCG(m.seed^uint64(m.epoch), streamNeg))
	if m.cfg.BPTT == BPTTSession {
		return m.trainSessionBatches(ctx, train, order, p)
	}
	ls := newLanes(train, order, m.cfg.BatchSize, m.net.StateWidth(), m.net.HistoryWidth(), m.cfg.History)
	var st bench.EpochStats
	var lossSum float64
	tp := m.trainTp
	for ls.active() > 0 {
		if st.Batches%64 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		tp.Reset()
		r := m.forward(tp, ls, true)
		n := len(r.lanes)
		loss, value := m.loss(tp, r, float64(n))
		st.Interactions += n
		p.Advance(n)
		if loss == nil { // every lane at its session's last click, and no dwell head: nothing to learn
			ls.advance(r.lanes)
			continue
		}
		if err := m.update(tp, loss, value, st.Batches); err != nil {
			return st, err
		}
		lossSum += value * float64(n)
		st.Batches++
		st.Steps++
		ls.advance(r.lanes)
	}
	if st.Interactions > 0 {
		st.Loss = lossSum / float64(st.Interactions)
	}
	return st, nil
}

// update backpropagates loss, clips and takes one optimiser step. A non-finite loss (the tape's,
// or the reported value with the dwell NLL) is an ErrNotFinite error naming the epoch and batch.
func (m *Model) update(tp *ag.Tape, loss *ag.Tensor, value float64, batch int) error {
	if err := tp.Backward(loss); err != nil {
		m.opt.ZeroGrad()
		if errors.Is(err, ag.ErrNonFinite) {
			return fmt.Errorf("%s: epoch %d, batch %d: %w (%v)", m.spec.Name, m.epoch, batch, bench.ErrNotFinite, value)
		}
		return err
	}
	if m.cfg.Clip > 0 {
		m.params.ClipGradNorm(m.cfg.Clip)
	}
	m.opt.Step()
	m.opt.ZeroGrad()
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("%s: epoch %d, batch %d: %w (%v)", m.spec.Name, m.epoch, batch, bench.ErrNotFinite, value)
	}
	return nil
}

// loss is the step's training loss: the sum over the step's clicks of the next-click loss (rows
// that have a next click) plus, with a dwell head, JUMP's censored dwell NLL, divided by n (the
// step's clicks under BPTT "click", the mini-batch's under "session"). It returns the tape loss
// and its value.
func (m *Model) loss(tp *ag.Tape, r *stepResult, n float64) (*ag.Tensor, float64) {
	var loss *ag.Tensor
	var value float64
	if len(r.targets) > 0 {
		var click *ag.Tensor
		switch m.cfg.Loss {
		case LossBPR, LossTOP1:
			click = pairwiseLoss(tp, m.cfg.Loss, r.next, m.net.Output(), r.targets)
		case LossBPRMax, LossTOP1Max:
			click = m.maxLoss(tp, r.next, r.targets)
		default:
			if m.cfg.SampledSoftmax > 0 {
				click = m.sampledCrossEntropy(tp, r.next, r.targets)
			} else {
				click = tp.CrossEntropy(r.logits(tp, m.net.Output()), r.targets, nil)
			}
		}
		loss = tp.Scale(click, float64(len(r.targets))/n)
		value = loss.Scalar()
	}
	if r.theta != nil {
		// The dwell law has no tape op: its gradient dNLL/dθ is computed here in float64 and
		// enters through the surrogate Σ_j ⟨θ_j, g_j⟩/n, whose gradient in θ is g/n.
		theta, P := m.thetaHost(r.theta), r.theta.Cols()
		g := grow(m.buf.grad, len(theta))
		var nll float64
		for j := range len(theta) / P {
			nll += m.law.NLL(theta[j*P:(j+1)*P], r.dwell[j], r.censored[j], g[j*P:(j+1)*P])
		}
		for i := range g {
			g[i] /= n
		}
		m.buf.grad = g
		sur := tp.Sum(tp.Mul(r.theta, tp.Input64(r.theta.Rows(), P, g)), ag.AxisAll)
		if loss == nil {
			loss = sur
		} else {
			loss = tp.Add(loss, sur)
		}
		value += nll / n
	}
	return loss, value
}

// thetaHost downloads the dwell parameters in float64.
func (m *Model) thetaHost(theta *ag.Tensor) []float64 {
	m.buf.theta = grow(m.buf.theta, theta.Len())
	theta.CopyTo64(m.buf.theta)
	return m.buf.theta
}

// pairwiseLoss is GRU4Rec's BPR or TOP1 loss with the other rows' next items as negatives
// (Hidasi et al. 2016, §3.1.3), over the scores r_ij = ⟨v_i, out_{target_j}⟩ (the diagonal included,
// as GRU4Rec's code does):
//
//	BPR  = −mean_ij log σ(r_ii − r_ij)
//	TOP1 = mean_ij σ(r_ij − r_ii) + σ(r_ij²)
func pairwiseLoss(tp *ag.Tape, kind string, v, out *ag.Tensor, targets []int32) *ag.Tensor {
	items := tp.Gather(out, targets)
	scores := tp.MatMulT(v, items, false, true)
	pos := tp.RowDot(v, items)
	if kind == LossBPR {
		// −log σ(x) = softplus(−x), x = r_ii − r_ij
		return tp.Mean(tp.Softplus(tp.Sub(scores, pos)), ag.AxisAll)
	}
	return tp.Mean(tp.Add(tp.Sigmoid(tp.Sub(scores, pos)), tp.Sigmoid(tp.Square(scores))), ag.AxisAll)
}

// maxLoss is BPR-max or TOP1-max (Hidasi and Karatzoglou 2018, eqs. 4 and 6) over the negatives
// N = the other rows' next items + Negatives items drawn by popularity^SampleAlpha (shared by the
// rows), with s_j = softmax_{j∈N}(r_j) weighting each negative:
//
//	TOP1-max = Σ_j s_j (σ(r_j − r_i) + σ(r_j²))
//	BPR-max  = −log Σ_j s_j σ(r_i − r_j) + λ Σ_j s_j r_j²      (λ = BPRMaxReg)
//
// averaged over the rows. A row's own target is masked out of its in-batch negatives.
func (m *Model) maxLoss(tp *ag.Tape, v *ag.Tensor, targets []int32) *ag.Tensor {
	n := len(targets)
	m.candidates(targets, m.cfg.Negatives)
	cols := len(m.negIDs)
	m.negMask = grow(m.negMask, n*cols)
	for i := range n {
		for j := range cols {
			m.negMask[i*cols+j] = 1
		}
		m.negMask[i*cols+i] = 0
	}
	if cols == 1 { // one row, no sampled negatives: nothing to compare with
		return tp.Scale(tp.RowDot(v, tp.Gather(m.net.Output(), targets)), 0)
	}
	out := m.net.Output()
	scores := tp.MatMulT(v, tp.Gather(out, m.negIDs), false, true)
	pos := tp.RowDot(v, tp.Gather(out, targets))
	s := tp.Softmax(scores, tp.Input(n, cols, m.negMask[:n*cols]))
	if m.cfg.Loss == LossTOP1Max {
		l := tp.Add(tp.Sigmoid(tp.Sub(scores, pos)), tp.Sigmoid(tp.Square(scores)))
		return tp.Scale(tp.Sum(tp.Mul(s, l), ag.AxisAll), 1/float64(n))
	}
	// σ(r_i − r_j) = σ(−(r_j − r_i)); the small constant keeps log finite when every σ underflows
	win := tp.Sum(tp.Mul(s, tp.Sigmoid(tp.Neg(tp.Sub(scores, pos)))), ag.AxisCols)
	bpr := tp.Neg(tp.Sum(tp.Log(tp.AddScalar(win, 1e-24)), ag.AxisAll))
	reg := tp.Scale(tp.Sum(tp.Mul(s, tp.Square(scores)), ag.AxisAll), BPRMaxReg)
	return tp.Scale(tp.Add(bpr, reg), 1/float64(n))
}

// candidates sets m.negIDs to the targets followed by k items drawn by popularity^SampleAlpha.
func (m *Model) candidates(targets []int32, k int) {
	m.negIDs = append(m.negIDs[:0], targets...)
	if len(m.cumPop) == 0 || m.cumPop[len(m.cumPop)-1] == 0 {
		return
	}
	total := m.cumPop[len(m.cumPop)-1]
	for range k {
		x := m.rng.Float64() * total
		i, _ := slices.BinarySearch(m.cumPop, x)
		m.negIDs = append(m.negIDs, int32(min(i, len(m.cumPop)-1)))
	}
}

// sampledCrossEntropy is the softmax cross-entropy of each row's next item against the step's
// other next items and SampledSoftmax popularity-drawn items (column i is row i's target; a
// duplicate of it among the others counts as a negative, as in GRU4Rec's sampling), with the
// log-Q correction (Config.SampledLogQ).
func (m *Model) sampledCrossEntropy(tp *ag.Tape, v *ag.Tensor, targets []int32) *ag.Tensor {
	m.candidates(targets, m.cfg.SampledSoftmax)
	m.rowIDs = m.rowIDs[:0]
	for i := range targets {
		m.rowIDs = append(m.rowIDs, int32(i))
	}
	cands := tp.Gather(m.net.Output(), m.negIDs)
	if w := m.cfg.logQWeight(); w > 0 && len(m.clickP) > 0 {
		// Candidate j is expected Q_j = B·clicks_j/clicks + K·draw_j times among the B next items
		// and K draws; its logit minus log Q_j makes the sampled softmax an estimate of the full one.
		// The −log Q column joins the candidates and a column of ones the session vectors, so the
		// product adds it (two thin copies instead of a pass over the B×(B+K) logits each way).
		b, k := float64(len(targets)), float64(m.cfg.SampledSoftmax)
		m.logQ = m.logQ[:0]
		for _, it := range m.negIDs {
			q := b*m.clickP[it] + k*m.drawP[it]
			m.logQ = append(m.logQ, -w*math.Log(max(q, math.SmallestNonzeroFloat64)))
		}
		if len(m.ones) < len(targets) {
			m.ones = make([]float32, len(targets))
			for i := range m.ones {
				m.ones[i] = 1
			}
		}
		v = tp.Concat(v, tp.Input(len(targets), 1, m.ones[:len(targets)]))
		cands = tp.Concat(cands, tp.Input64(len(m.logQ), 1, m.logQ))
	}
	logits := tp.MatMulT(v, cands, false, true)
	return tp.CrossEntropy(logits, m.rowIDs, nil)
}

// Evaluate streams the validation, then the test sessions from the end-of-training parameters and
// reports one prediction per click (see bench.SessionPredictor). Parameters do not change.
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	if m.net == nil {
		return fmt.Errorf("%s: Evaluate before Init", m.spec.Name)
	}
	tp := m.evalTp
	was := tp.SetGrad(false)
	defer tp.SetGrad(was)
	for _, part := range []bench.Part{bench.PartValidation, bench.PartTest} {
		sessions := d.Sessions.Part(part)
		ls := newLanes(sessions, nil, m.cfg.EvalBatch, m.net.StateWidth(), m.net.HistoryWidth(), m.cfg.History)
		for k := 0; ls.active() > 0; k++ {
			if k%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			tp.Reset()
			r := m.forward(tp, ls, false)
			if err := m.report(tp, d, part, ls, r, sink); err != nil {
				return err
			}
			ls.advance(r.lanes)
		}
	}
	return nil
}

// report sends the step's predictions: dwell medians and the next items' ranks among all items.
func (m *Model) report(tp *ag.Tape, d *bench.Data, part bench.Part, ls *lanes, r *stepResult, sink bench.Sink) error {
	var theta []float64
	P := 0
	if r.theta != nil {
		theta, P = m.thetaHost(r.theta), r.theta.Cols()
	}
	m.ranks = grow(m.ranks, len(r.targets))
	if len(r.targets) > 0 {
		logits := r.logits(tp, m.net.Output())
		scores, host := logits.HostValues()
		if !host {
			m.scores = grow(m.scores, logits.Len())
			logits.CopyTo(m.scores)
			scores = m.scores
		}
		if err := metrics.RankScores(scores, m.numItems, r.targets, metrics.TiesOptimistic, m.ranks); err != nil {
			return fmt.Errorf("%s: ranking %s next clicks: %w", m.spec.Name, part, err)
		}
	}
	t := 0
	for j, l := range r.lanes {
		ln := &ls.ln[l]
		p := d.ClickPrediction(part, ln.sess, ln.pos)
		if theta != nil {
			p.Value = m.law.Point(theta[j*P : (j+1)*P])
		}
		if t < len(r.rows) && int(r.rows[t]) == j {
			p.Rank = m.ranks[t]
			t++
		}
		sink(p)
	}
	return nil
}

// stepResult is one batch step's forward pass.
type stepResult struct {
	lanes    []int      // the active lanes, in row order
	rows     []int32    // rows with a next click
	targets  []int32    // their next items
	next     *ag.Tensor // their session vectors (len(rows)×Dim), nil when none
	theta    *ag.Tensor // n×P dwell-law parameters, nil without a dwell head
	dwell    []float64
	censored []bool
}

// logits scores the rows with a next click against every item: one matrix product.
func (r *stepResult) logits(tp *ag.Tape, out *ag.Tensor) *ag.Tensor {
	return tp.MatMulT(r.next, out, false, true)
}

// stepBuffers are the engine's reusable host buffers.
type stepBuffers struct {
	res stepResult
	// dwellAhead's row references and dwell targets
	refs       []ag.RowRef
	aheadDwell []float64
	aheadCens  []bool
	state      []float32
	past       []float32
	grad       []float64
	theta      []float64
	host       []float32

	// BPTT "session" (bptt.go)
	batch    []int
	allItems []int32
	allDwell []float64
	xStart   []int
	hidden   []*ag.Tensor
	pastRefs []ag.RowRef
	iota     []int32
	nextRefs []ag.RowRef
	targets  []int32
}

// forward runs one batch step of the active lanes: dwell head, recurrence, and the session
// vectors of the rows that have a next click. It writes the lanes' new states and histories.
func (m *Model) forward(tp *ag.Tape, ls *lanes, train bool) *stepResult {
	b := &m.buf
	r := &b.res
	r.lanes = ls.activeLanes(r.lanes[:0])
	n := len(r.lanes)
	s := &m.step
	s.Items, s.Dwell = grow(s.Items, n), grow(s.Dwell, n)
	r.dwell, r.censored = grow(r.dwell, n), grow(r.censored, n)
	r.rows, r.targets = r.rows[:0], r.targets[:0]
	for j, l := range r.lanes {
		ln := &ls.ln[l]
		ss := &ls.sessions[ln.sess]
		s.Items[j], s.Dwell[j] = ss.Items[ln.pos], ss.Dwell[ln.pos]
		r.dwell[j], r.censored[j] = ss.Dwell[ln.pos], ss.Censored[ln.pos]
		if ln.pos+1 < ss.Len() {
			r.rows = append(r.rows, int32(j))
			r.targets = append(r.targets, ss.Items[ln.pos+1])
		}
	}
	s.Train = train
	s.X, s.pastRefs = nil, nil // the net embeds its clicks; histories come from the lanes
	b.state = ls.gatherState(r.lanes, b.state)
	s.State = tp.Input(n, ls.stateW, b.state)
	if ls.histW > 0 {
		s.histLen = grow(s.histLen, n)
		s.pastLen, b.past = ls.gatherHistory(r.lanes, s.histLen, b.past)
		s.past = nil
		if s.pastLen > 0 {
			s.past = tp.Input(n*s.pastLen, ls.histW, b.past)
		}
	}
	out := m.net.Step(tp, s)
	r.theta = nil
	if m.dwell != nil {
		r.theta = out.Dwell
		if ahead, ok := m.net.(AheadDwellNet); ok && train && m.cfg.DwellGradient == DwellGradShared {
			r.theta = m.dwellAhead(tp, ls, r, ahead, out)
		}
	}
	b.host = grow(b.host, n*ls.stateW)
	out.State.CopyTo(b.host)
	ls.scatterState(r.lanes, b.host)
	if ls.histW > 0 {
		b.host = grow(b.host, n*ls.histW)
		out.Hidden.CopyTo(b.host)
		ls.pushHistory(r.lanes, b.host)
	}
	r.next = nil
	if len(r.rows) > 0 {
		r.next = tp.Gather(out.Session, r.rows)
	}
	return r
}

// dwellAhead lays out a training step's dwell terms when they are computed one click early: the
// first clicks of sessions from this step's own θ (the state before them is the initial one), then
// the next click of every row that has one from this step's live output state. Every click's
// dwell is thus trained exactly once per epoch, at the step before it (or its own, for a first
// click), with the same θ values as its own step would give.
func (m *Model) dwellAhead(tp *ag.Tape, ls *lanes, r *stepResult, ahead AheadDwellNet, out StepOut) *ag.Tensor {
	refs := m.buf.refs[:0]
	dwell, cens := m.buf.aheadDwell[:0], m.buf.aheadCens[:0]
	for j, l := range r.lanes {
		if ls.ln[l].pos == 0 {
			refs = append(refs, ag.RowRef{T: out.Dwell, Row: int32(j)})
			dwell, cens = append(dwell, r.dwell[j]), append(cens, r.censored[j])
		}
	}
	if len(r.rows) > 0 {
		next := ahead.DwellAhead(tp, tp.Gather(out.State, r.rows), r.targets)
		for i, j := range r.rows {
			ln := &ls.ln[r.lanes[j]]
			ss := &ls.sessions[ln.sess]
			refs = append(refs, ag.RowRef{T: next, Row: int32(i)})
			dwell, cens = append(dwell, ss.Dwell[ln.pos+1]), append(cens, ss.Censored[ln.pos+1])
		}
	}
	m.buf.refs, m.buf.aheadDwell, m.buf.aheadCens = refs, dwell, cens
	r.dwell, r.censored = append(r.dwell[:0], dwell...), append(r.censored[:0], cens...)
	if len(refs) == 0 {
		return nil
	}
	return tp.GatherRefs(refs)
}

// PredictsDwell reports whether the net has a dwell head (bench.DwellPredictor): without one the
// model reports 0 s for every click and the session task records no MAE for it.
func (m *Model) PredictsDwell() bool { return m.dwell != nil }
