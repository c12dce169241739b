package deepcoevolve

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/tbatch"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/coupled"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("deepcoevolve", "DeepCoevolve (Dai et al. 2016): coupled user/item RNN updates, Rayleigh intensity with sampled survival; t-Batch as JODIE", New)
}

// Model is DeepCoevolve.
type Model struct {
	cfg Config
	be  ag.Backend

	nUsers, nItems, nFeat int
	seed                  uint64
	epoch                 int // finished training epochs: the negatives' random stream

	userRNN, itemRNN   *nn.RNNCell
	initUser, initItem *ag.Tensor
	bias               *ag.Tensor // b of the log-intensity s = uᵀj·score_scale + b (the base rate)
	params             nn.Params
	opt                *nn.Adam

	users, items *nn.StateTable
	batches      *tbatch.Batches
	steps        []int // t-batch index where each backpropagation step starts; then the end
	windowLen    float64
	gap          []float32 // per row: Δ of the intensity, the user's time since its previous interaction in time_scale units
	timeScale    float64   // resolved time_scale

	// the inputs of every entity's last update, for the replay across windows (replay.go)
	uCache, iCache updateCache
	gen            uint32 // the current window

	tp *ag.Tape
	// per-batch host buffers, reused
	rIDs                          []int32
	rOwn, rPartner, rDelta, rFeat []float32
	hostU, hostI                  []float32
	uids, iids, negIDs, negOf     []int32
	du, di, feat, pos, surv       []float32

	// state change: the user's embedding after each training interaction of the last epoch, and
	// the read-out fitted on it (nil until needed after each epoch)
	record   bool
	trainEmb []float32
	readout  *seqrec.Readout

	ev evalState
}

var (
	_ bench.Ranker          = (*Model)(nil)
	_ bench.StateClassifier = (*Model)(nil)
	_ bench.Configured      = (*Model)(nil)
)

// New decodes and validates the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	m := &Model{be: env.Backend}
	if m.be == nil {
		m.be = ag.NewCPU()
	}
	if err := params.Decode(&m.cfg); err != nil {
		return nil, err
	}
	if err := m.cfg.resolve(); err != nil {
		return nil, fmt.Errorf("%w: deepcoevolve: %v", bench.ErrConfig, err)
	}
	return m, nil
}

// Config returns the resolved parameters.
func (m *Model) Config() any { return m.cfg }

// ItemScoring: items ranked by intensity at the query time, i.e. by the score uᵀj.
func (m *Model) ItemScoring() string { return "dot" }

// PredictsState: the state-change task reads out the user embedding (the JODIE paper's rule for
// baselines: a logistic regression fitted on the training rows).
func (m *Model) PredictsState() {}

// NumBatches reports the t-batches and windows of a training epoch (for timings).
func (m *Model) NumBatches() (batches, windows int) {
	return m.batches.NumBatches(), m.batches.NumWindows()
}

// Init builds the layers for d and draws them from seed.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	if d.Sessions != nil || d.CTR != nil {
		return fmt.Errorf("deepcoevolve: only the row tasks (next-item, state-change) are supported")
	}
	c := &m.cfg
	m.nUsers, m.nItems, m.nFeat = d.NumUsers(), d.NumItems(), d.FeatureDim
	m.seed, m.epoch = seed, 0
	r := rand.New(rand.NewPCG(seed, 0xdc0e))
	be, D := m.be, c.Dim
	m.userRNN = nn.NewRNNCell(be, "user_rnn", D+1+m.nFeat, D, r)
	m.itemRNN = nn.NewRNNCell(be, "item_rnn", D+1+m.nFeat, D, r)
	m.initUser, m.initItem = ag.NewParam(be, "initial_user_embedding", 1, D), ag.NewParam(be, "initial_item_embedding", 1, D)
	bound := 1 / math.Sqrt(float64(D))
	nn.Uniform(m.initUser, r, -bound, bound)
	nn.Uniform(m.initItem, r, -bound, bound)
	// The base rate starts at 1/N per item and unit of Δ²: the survival sum over all items then
	// starts near Δ²/2 per interaction instead of N times that.
	m.bias = ag.NewParam(be, "intensity_bias", 1, 1)
	m.bias.CopyFrom64([]float64{-math.Log(float64(max(m.nItems, 1)))})
	m.params = append(nn.Collect(m.userRNN, m.itemRNN), m.initUser, m.initItem, m.bias)
	m.opt = nn.NewAdam(m.params, nn.OptimConfig{LR: c.LR, WeightDecay: c.WeightDecay})
	m.users = nn.NewStateTable(be, "user_embeddings", m.nUsers, D)
	m.items = nn.NewStateTable(be, "item_embeddings", m.nItems, D)
	m.tp = ag.NewTape(be)
	m.uCache, m.iCache = newUpdateCache(m.nUsers, D), newUpdateCache(m.nItems, D)

	plan, err := coupled.PlanWindows(d, coupled.WindowConfig{Windows: c.Windows, Grid: c.WindowRule == "grid",
		SkipLast: c.LastWindow == "skip", Sequential: c.TBatch == "off", MaxInteractions: c.MaxWindowInteractions})
	if err != nil {
		return err
	}
	m.windowLen, m.batches, m.steps = plan.WindowLen, plan.Batches, plan.Steps
	m.gaps(d)
	m.record = d.Needs(bench.NeedsStateClassifier)
	m.trainEmb, m.readout = nil, nil
	return nil
}

// gaps computes every row's Δ: the time since its user's previous interaction (0 for a user's
// first), in units of time_scale (default: the mean of those gaps over the training rows).
func (m *Model) gaps(d *bench.Data) {
	n := d.Len()
	raw := make([]float64, n)
	var sum float64
	var cnt int
	for r := range n {
		if d.Time.PrevItem[r] >= 0 {
			raw[r] = d.Time.RawUser[r]
			if r < d.Split.TrainEnd {
				sum += raw[r]
				cnt++
			}
		}
	}
	m.timeScale = m.cfg.TimeScale
	if m.timeScale == 0 && cnt > 0 && sum > 0 {
		m.timeScale = sum / float64(cnt)
	}
	if m.timeScale == 0 {
		m.timeScale = 1
	}
	m.gap = make([]float32, n)
	for r, g := range raw {
		m.gap[r] = float32(g / m.timeScale)
	}
}

// drawNegatives fills m.negIDs with K uniform items per row, from the row's own stream (see the
// package comment), and m.negOf with the batch position each belongs to.
func (m *Model) drawNegatives(rows []int32) {
	K := m.cfg.negatives()
	m.negIDs, m.negOf = m.negIDs[:0], m.negOf[:0]
	for k, row := range rows {
		r := rand.New(rand.NewPCG(m.seed, uint64(m.epoch)<<32|uint64(row)))
		for range K {
			m.negIDs = append(m.negIDs, int32(r.IntN(m.nItems)))
			m.negOf = append(m.negOf, int32(k))
		}
	}
}

// prepare fills the host buffers of a batch of rows.
func (m *Model) prepare(d *bench.Data, rows []int32) {
	m.uids, m.iids = m.uids[:0], m.iids[:0]
	m.du, m.di, m.feat, m.pos, m.surv = m.du[:0], m.di[:0], m.feat[:0], m.pos[:0], m.surv[:0]
	K := m.cfg.negatives()
	for _, r := range rows {
		m.uids = append(m.uids, d.Users[r])
		m.iids = append(m.iids, d.Items[r])
		m.du = append(m.du, d.Time.DeltaUser[r])
		m.di = append(m.di, d.Time.DeltaItem[r])
		if m.nFeat > 0 {
			m.feat = append(m.feat, d.Feature(int(r))...)
		}
		// The survival weight of each negative: Δ²/2 times N/K (the sum over all items estimated
		// from K uniform draws).
		g := float64(m.gap[r])
		w := float32(g * g / 2 * float64(m.nItems) / float64(max(K, 1)))
		for range K {
			m.surv = append(m.surv, w)
		}
	}
}

// step runs one t-batch: the loss of its interactions (when withLoss) from the embeddings before
// them, then the coupled updates, written to the state tables. It returns the loss (nil without)
// and the users' new embeddings.
func (m *Model) step(d *bench.Data, rows []int32, withLoss bool) (loss, uNew *ag.Tensor) {
	tp, B := m.tp, len(rows)
	m.prepare(d, rows)
	if tp.Recording() {
		m.replay(d, true, m.uids)
		m.replay(d, false, m.iids)
	}
	u := m.users.Read(tp, m.uids)
	i := m.items.Read(tp, m.iids)
	if withLoss {
		// −log λ(u, i, t) without the constant log Δ: −s(u, i).
		pos := tp.Add(tp.Scale(tp.RowDot(u, i), m.cfg.ScoreScale), m.bias)
		loss = tp.Neg(tp.Sum(pos, ag.AxisAll))
		if K := m.cfg.negatives(); K > 0 {
			m.drawNegatives(rows)
			neg := m.items.Read(tp, m.negIDs)
			uRep := tp.Gather(u, m.negOf)
			s := tp.Add(tp.Scale(tp.RowDot(uRep, neg), m.cfg.ScoreScale), m.bias)
			surv := tp.Mul(tp.Exp(s), tp.Input(B*K, 1, m.surv))
			loss = tp.Add(loss, tp.Sum(surv, ag.AxisAll))
		}
	}
	du, di := tp.Input(B, 1, m.du), tp.Input(B, 1, m.di)
	uIn, iIn := []*ag.Tensor{i, du}, []*ag.Tensor{u, di}
	if m.nFeat > 0 {
		f := tp.Input(B, m.nFeat, m.feat)
		uIn, iIn = append(uIn, f), append(iIn, f)
	}
	uNew = m.userRNN.Forward(tp, tp.Concat(uIn...), u)
	iNew := m.itemRNN.Forward(tp, tp.Concat(iIn...), i)
	if tp.Recording() {
		m.remember(rows, u, i)
	}
	m.users.Write(m.uids, uNew)
	m.items.Write(m.iids, iNew)
	return loss, uNew
}

// resetStates puts every user and item back to the learned initial vectors (start of an epoch).
func (m *Model) resetStates() {
	m.users.Fill(m.initUser)
	m.items.Fill(m.initItem)
	m.uCache.reset()
	m.iCache.reset()
	m.gen++
}

func (m *Model) endWindow() {
	m.users.Detach()
	m.items.Detach()
	m.tp.Reset()
	m.gen++
}

// learn backpropagates a window's loss and takes one Adam step; a window whose loss reaches no
// parameter is no step.
func (m *Model) learn(loss *ag.Tensor) error { return coupled.Learn(m.tp, loss, m.opt, true) }

// trainWindow runs the t-batches [first, end) of one backpropagation step, then one backward pass
// and one Adam step. It returns the summed loss and the interactions.
func (m *Model) trainWindow(d *bench.Data, first, end int) (float64, int, error) {
	loss := coupled.NewLossSum(m.tp)
	n := 0
	for k := first; k < end; k++ {
		rows := m.batches.Batch(k)
		l, uNew := m.step(d, rows, true)
		if m.record {
			m.recordUsers(rows, uNew)
		}
		loss.Add(l)
		n += len(rows)
	}
	v := loss.Total().Scalar()
	return v, n, m.learn(loss.Total())
}

// recordUsers keeps the users' new embeddings of training rows, the state-change read-out's inputs.
func (m *Model) recordUsers(rows []int32, uNew *ag.Tensor) {
	D := m.cfg.Dim
	if need := m.batches.Len() * D; len(m.trainEmb) != need {
		m.trainEmb = make([]float32, need)
	}
	m.ev.row = growF(m.ev.row, uNew.Len())
	uNew.CopyTo(m.ev.row)
	for k, r := range rows {
		copy(m.trainEmb[int(r)*D:(int(r)+1)*D], m.ev.row[k*D:(k+1)*D])
	}
}

// TrainEpoch runs every training window: its t-batches in order, one backward pass, one Adam step.
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	m.tp.SetGrad(true)
	m.resetStates()
	m.readout = nil
	var st bench.EpochStats
	var total float64
	for w := 0; w+1 < len(m.steps); w++ {
		if err := ctx.Err(); err != nil {
			m.endWindow()
			return st, err
		}
		first, end := m.steps[w], m.steps[w+1]
		v, n, err := m.trainWindow(d, first, end)
		m.endWindow()
		if err != nil {
			return st, fmt.Errorf("deepcoevolve: backpropagation step %d (t-batches %d–%d): %w", w, first, end-1, err)
		}
		total += v
		st.Interactions += n
		st.Batches += end - first
		st.Steps++
		p.Advance(n)
	}
	if st.Interactions > 0 {
		st.Loss = total / float64(st.Interactions)
	}
	m.epoch++
	return st, nil
}
