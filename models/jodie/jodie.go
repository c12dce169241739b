// Package jodie implements JODIE (Kumar, Zhang, Leskovec: "Predicting Dynamic Embedding Trajectory in
// Temporal Interaction Networks", KDD 2019) as the original code (srijankr/jodie) trains and
// evaluates it (PyTorch 0.4; the details below are read from that code where the paper is vague).
//
//   - Update (paper eq. 1–2): two tanh RNN cells. The user cell reads [item dynamic embedding, Δu,
//     features] with the user's embedding as hidden state; the item cell reads [user dynamic
//     embedding, Δi, features]. Outputs are L2-normalised. Every user (item) starts from one learned
//     initial vector, which (as the original's detach_ after an epoch's first window) receives
//     gradient only in the first window of each epoch; later windows read its epoch-start value.
//   - Project (eq. 3): û = u ⊙ (1 + W·Δu), W = Linear(1→d) drawn from N(0, 1).
//   - Predict (eq. 4): a Linear layer on [û, previous item's dynamic embedding, previous item's static
//     embedding, user's static embedding] outputs [item dynamic, item static]. A user's first
//     interaction uses a padding "previous item" (an extra item row). Static embeddings are one-hot
//     as in the paper — implemented as row gathers of the layer's weight blocks, never as an identity
//     matrix — or, with static.mode learned, L2-normalised learned vectors for large entity counts.
//   - Loss per interaction, as the original code: the sum of MSE(prediction, detached [item dynamic,
//     item static]), MSE(new user, previous user), MSE(new item, previous item) and, with labels, the
//     class-weighted cross-entropy of the state-change head Linear(d→50)-ReLU-Linear(50→2) with
//     weights [1, N/(1+positives)]; each term weighted by a configurable λ. As the original, the head
//     is trained in every run, next-item runs included. Departure: N and positives are counted on
//     the training part (class_weights: all counts the whole file, as the original).
//   - t-Batch with truncated backpropagation: the training timeline is cut into windows of
//     span/500; the t-batches of a window are processed in order, their losses summed, then one
//     backward pass and one Adam step (lr 1e-3, weight decay 1e-5), and the embeddings are detached.
//     Adam is dense over the whole prediction layer, one-hot blocks included, as the original's:
//     rows without gradient keep moving on momentum and weight decay. It is computed deferred (a
//     row's skipped steps replayed when it is next read; nn.RowsDeferred), which gives the same
//     parameters as the eager dense step at a fraction of its cost; sparse_adam: lazy is SparseAdam.
//     As the original, the interactions after the last closed window (171 on Wikipedia) are never
//     trained, nor do they update the embeddings evaluation starts from; last_window: train trains
//     that partial window like the others (a departure). A window holding more than
//     max_window_interactions (default 50,000; JODIE's datasets never come close) is backpropagated
//     in several steps, and a single larger t-batch is first cut into pieces, so that memory stays
//     bounded at a million users.
//   - Evaluation streams validation then test one interaction at a time from the end-of-training
//     state: predict, rank ALL items by Euclidean distance between the prediction and each item's
//     [dynamic, static] embedding (rank = 1 + strictly closer items), then update the embeddings with
//     the true interaction. Under the "online" protocol the model also keeps training (one Adam step
//     per window), as the original; under "frozen" it does not. State-change scores are the class-1
//     logit of the head.
package jodie

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
	"github.com/tibench/tibench/bench/tbatch"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/internal/coupled"
	"github.com/tibench/tibench/internal/nn"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("jodie", "JODIE (KDD'19): coupled user/item RNNs, projection, t-Batch; as the original code", New)
}

// Model is JODIE.
type Model struct {
	cfg Config
	be  ag.Backend
	log models.Env

	nUsers, nItems, nFeat int
	pad                   int32 // the padding "previous item" id (= nItems)
	dim, outStatic        int   // dynamic size; size of the static part of the prediction
	stateHead             bool

	userRNN, itemRNN *nn.RNNCell
	proj             *nn.Linear
	predDense        *nn.Linear // [û, previous item dynamic] → output
	// one-hot static: rows of the prediction weights for the previous item's and the user's one-hot
	predPrevItem, predUser *ag.Tensor
	// learned static: embedding tables and their block of the prediction layer
	itemStatic, userStatic *nn.Embedding
	predStatic             *nn.Linear
	initUser, initItem     *ag.Tensor
	head                   *nn.MLP
	params                 nn.Params
	opt                    *nn.Adam
	classWeights           []float32

	users, items *nn.StateTable
	batches      *tbatch.Batches
	steps        []int // t-batch index where each backpropagation step starts; len = steps+1
	// per backpropagation step, the rows of the static tables it reads (deferred dense Adam catches
	// the next step's rows up in the background)
	reads                []stepReads
	userTable, itemTable *ag.Tensor
	windowLen            float64

	tp *ag.Tape
	// per-batch host buffers, reused
	uids, iids, prev, labels []int32
	du, di, feat, onehot     []float32
	ev                       evalState
	gg                       *ggEngine // engine: gorgonia (nil for tibench's own)
	obs                      bench.EmbeddingObserver
	predictOnly              bool      // step computes without writing the states (batch serving)
	host                     []float32 // scratch for observed embeddings
	// detach stops gradients at the loss targets: tp.Detach, except in the gradient check, which
	// replays the base point's target values so finite differences see the same stop-gradients.
	detach func(tp *ag.Tape, x *ag.Tensor) *ag.Tensor
}

var (
	_ bench.Ranker          = (*Model)(nil)
	_ bench.StateClassifier = (*Model)(nil)
	_ bench.Configured      = (*Model)(nil)
	_ bench.Embedder        = (*Model)(nil)
)

// New decodes and validates the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	m := &Model{be: env.Backend, log: env, detach: (*ag.Tape).Detach}
	if m.be == nil {
		m.be = ag.NewCPU()
	}
	if err := params.Decode(&m.cfg); err != nil {
		return nil, err
	}
	if err := m.cfg.resolve(); err != nil {
		return nil, err
	}
	return m, nil
}

// Config returns the resolved parameters.
func (m *Model) Config() any { return m.cfg }

// ItemScoring: Euclidean distance to the predicted embedding.
func (m *Model) ItemScoring() string { return "l2" }

// PredictsState marks the state-change head.
func (m *Model) PredictsState() {}

// Init builds the layers for d and draws them from seed.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	c := &m.cfg
	m.nUsers, m.nItems, m.nFeat = d.NumUsers(), d.NumItems(), d.FeatureDim
	if err := c.checkMemory(m.nUsers, m.nItems, m.nFeat); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 0x70d1e))
	be, D := m.be, c.Dim
	m.dim, m.pad = D, int32(m.nItems)
	m.stateHead = c.StateHead == "on" || (c.StateHead == "auto" && d.Needs(bench.NeedsStateClassifier))
	m.userRNN = nn.NewRNNCell(be, "user_rnn", D+1+m.nFeat, D, r)
	m.itemRNN = nn.NewRNNCell(be, "item_rnn", D+1+m.nFeat, D, r)
	m.proj = nn.NewNormalLinear(be, "embedding_layer", 1, D, r)
	// The original's prediction layer is one nn.Linear over all input blocks: every block shares the
	// bound 1/√(total fan-in) of PyTorch's default initialisation.
	var fanIn int
	if c.Static.Mode == "onehot" {
		m.outStatic = m.nItems + 1
		fanIn = 2*D + m.nItems + 1 + m.nUsers
	} else {
		m.outStatic = c.Static.Dim
		fanIn = 2*D + 2*c.Static.Dim
	}
	out := D + m.outStatic
	bound := 1 / math.Sqrt(float64(fanIn))
	m.predDense = &nn.Linear{W: ag.NewParam(be, "prediction_layer.weight", out, 2*D), B: ag.NewParam(be, "prediction_layer.bias", 1, out), In: 2 * D, Out: out}
	nn.Uniform(m.predDense.W, r, -bound, bound)
	nn.Uniform(m.predDense.B, r, -bound, bound)
	m.params = nn.Collect(m.userRNN, m.itemRNN, m.proj, m.predDense)
	if c.Static.Mode == "onehot" {
		m.predPrevItem = ag.NewParam(be, "prediction_layer.weight_prev_item_onehot", m.nItems+1, out)
		m.predUser = ag.NewParam(be, "prediction_layer.weight_user_onehot", m.nUsers, out)
		for _, t := range []*ag.Tensor{m.predPrevItem, m.predUser} {
			nn.Uniform(t, r, -bound, bound)
			t.EnableSparseGrad()
			m.params = append(m.params, t)
		}
	} else {
		m.itemStatic = nn.NewEmbedding(be, "item_static", m.nItems+1, c.Static.Dim, r)
		m.userStatic = nn.NewEmbedding(be, "user_static", m.nUsers, c.Static.Dim, r)
		m.predStatic = &nn.Linear{W: ag.NewParam(be, "prediction_layer.weight_static", out, 2*c.Static.Dim), In: 2 * c.Static.Dim, Out: out}
		nn.Uniform(m.predStatic.W, r, -bound, bound)
		m.params = append(m.params, nn.Collect(m.itemStatic, m.userStatic, m.predStatic)...)
	}
	// The original's initial embeddings: F.normalize(torch.rand(d)), one for all users, one for all items.
	m.initUser, m.initItem = ag.NewParam(be, "initial_user_embedding", 1, D), ag.NewParam(be, "initial_item_embedding", 1, D)
	for _, t := range []*ag.Tensor{m.initUser, m.initItem} {
		v := make([]float64, D)
		var norm float64
		for k := range v {
			v[k] = r.Float64()
			norm += v[k] * v[k]
		}
		for k := range v {
			v[k] /= math.Sqrt(norm)
		}
		t.CopyFrom64(v)
		m.params = append(m.params, t)
	}
	if m.stateHead {
		m.head = nn.NewMLP(be, "state_head", []int{D, 50, 2}, nn.ReLU, r)
		m.params = append(m.params, m.head.Params()...)
		counted := d.Labels[:d.Split.TrainEnd]
		if c.ClassWeights == "all" {
			counted = d.Labels
		}
		pos := 0
		for _, l := range counted {
			pos += int(l)
		}
		m.classWeights = []float32{1, float32(len(counted)) / float32(1+pos)}
	}
	m.opt = nn.NewAdam(m.params, nn.OptimConfig{LR: c.LR, WeightDecay: c.WeightDecay, SparseRows: c.sparseRows()})
	m.users = nn.NewStateTable(be, "user_embeddings", m.nUsers, D)
	m.items = nn.NewStateTable(be, "item_embeddings", m.nItems+1, D)
	m.tp = ag.NewTape(be)

	// Windows over the training part, with the length taken from the whole dataset's span.
	plan, err := coupled.PlanWindows(d, coupled.WindowConfig{Windows: c.Windows, Grid: c.WindowRule == "grid",
		SkipLast: c.LastWindow == "skip", Sequential: c.TBatch == "off", MaxInteractions: c.MaxWindowInteractions})
	if err != nil {
		return err
	}
	m.windowLen, m.batches, m.steps = plan.WindowLen, plan.Batches, plan.Steps
	m.planReads(d)
	if c.Engine == "gorgonia" {
		m.gg = newGGEngine(m)
	}
	return nil
}

// stepReads are the rows of the user and item static tables one backpropagation step reads.
type stepReads struct{ users, items []int32 }

// planReads lists, for every backpropagation step of an epoch, the static-table rows it reads: the
// users' rows, and the previous items' rows (one-hot) or the previous and target items' (learned).
func (m *Model) planReads(d *bench.Data) {
	if m.predUser != nil {
		m.userTable, m.itemTable = m.predUser, m.predPrevItem
	} else {
		m.userTable, m.itemTable = m.userStatic.Table, m.itemStatic.Table
	}
	m.reads = make([]stepReads, len(m.steps)-1)
	for w := range m.reads {
		var rd stepReads
		for k := m.steps[w]; k < m.steps[w+1]; k++ {
			for _, r := range m.batches.Batch(k) {
				p := d.Time.PrevItem[r]
				if p < 0 {
					p = m.pad
				}
				rd.users, rd.items = append(rd.users, d.Users[r]), append(rd.items, p)
				if m.predUser == nil {
					rd.items = append(rd.items, d.Items[r])
				}
			}
		}
		m.reads[w] = rd
	}
}

// readAhead tells deferred dense Adam which static rows step w reads and which step w+1 will, so
// that it catches the latter up on the other core while step w runs.
func (m *Model) readAhead(w int) {
	var next stepReads
	if w+1 < len(m.reads) {
		next = m.reads[w+1]
	}
	now := m.reads[w]
	m.opt.Ahead(nn.RowReads{Param: m.userTable, Now: now.users, Next: next.users},
		nn.RowReads{Param: m.itemTable, Now: now.items, Next: next.items})
}

// NumBatches reports the t-batches and windows of a training epoch (for timings).
func (m *Model) NumBatches() (batches, windows int) {
	return m.batches.NumBatches(), m.batches.NumWindows()
}

// prepare fills the host buffers of a batch of rows.
func (m *Model) prepare(d *bench.Data, rows []int32) {
	m.uids, m.iids, m.prev, m.labels = m.uids[:0], m.iids[:0], m.prev[:0], m.labels[:0]
	m.du, m.di, m.feat = m.du[:0], m.di[:0], m.feat[:0]
	for _, r := range rows {
		m.uids = append(m.uids, d.Users[r])
		m.iids = append(m.iids, d.Items[r])
		p := d.Time.PrevItem[r]
		if p < 0 {
			p = m.pad
		}
		m.prev = append(m.prev, p)
		m.labels = append(m.labels, int32(d.Labels[r]))
		m.du = append(m.du, d.Time.DeltaUser[r])
		m.di = append(m.di, d.Time.DeltaItem[r])
		if m.nFeat > 0 {
			m.feat = append(m.feat, d.Feature(int(r))...)
		}
	}
}

// step runs one t-batch: prediction, updates (written to the state tables) and its loss. It returns
// the loss, the prediction (for ranking) and the state logits (nil without a head).
func (m *Model) step(d *bench.Data, rows []int32) (loss, pred, logits *ag.Tensor) {
	tp, B, lam := m.tp, len(rows), m.cfg.Lambda
	m.prepare(d, rows)
	u := m.users.Read(tp, m.uids)
	i := m.items.Read(tp, m.iids)
	prevDyn := m.items.Read(tp, m.prev)
	du, di := tp.Input(B, 1, m.du), tp.Input(B, 1, m.di)

	// Project, then predict the next item's [dynamic, static] embedding.
	uHat := tp.Mul(u, tp.AddScalar(m.proj.Forward(tp, du), 1))
	pred = m.predDense.Forward(tp, tp.Concat(uHat, prevDyn))
	var targetStatic *ag.Tensor
	if m.predUser != nil {
		pred = tp.Add(pred, tp.Add(tp.Gather(m.predPrevItem, m.prev), tp.Gather(m.predUser, m.uids)))
		targetStatic = m.onehotTarget(B)
	} else {
		sPrev := tp.L2Normalize(m.itemStatic.Forward(tp, m.prev))
		sUser := tp.L2Normalize(m.userStatic.Forward(tp, m.uids))
		pred = tp.Add(pred, m.predStatic.Forward(tp, tp.Concat(sPrev, sUser)))
		targetStatic = m.detach(tp, tp.L2Normalize(m.itemStatic.Forward(tp, m.iids)))
	}
	loss = tp.Scale(tp.MSE(pred, tp.Concat(m.detach(tp, i), targetStatic)), lam.Prediction)

	// Update both embeddings from their previous values and the other side's.
	uIn, iIn := []*ag.Tensor{i, du}, []*ag.Tensor{u, di}
	if m.nFeat > 0 {
		f := tp.Input(B, m.nFeat, m.feat)
		uIn, iIn = append(uIn, f), append(iIn, f)
	}
	uNew := tp.L2Normalize(m.userRNN.Forward(tp, tp.Concat(uIn...), u))
	iNew := tp.L2Normalize(m.itemRNN.Forward(tp, tp.Concat(iIn...), i))
	loss = tp.Add(loss, tp.Add(tp.Scale(tp.MSE(uNew, m.detach(tp, u)), lam.User), tp.Scale(tp.MSE(iNew, m.detach(tp, i)), lam.Item)))
	if m.stateHead {
		logits = m.head.Forward(tp, uNew)
		loss = tp.Add(loss, tp.Scale(tp.CrossEntropy(logits, m.labels, m.classWeights), lam.State))
	}
	if m.predictOnly { // batch serving's prediction pass: the states stay as they are
		return loss, pred, logits
	}
	m.users.Write(m.uids, uNew)
	m.items.Write(m.iids, iNew)
	if m.obs != nil {
		m.observe(monitor.Users, m.uids, u, uNew)
		m.observe(monitor.Items, m.iids, i, iNew)
	}
	return loss, pred, logits
}

// ObserveEmbeddings reports every user's and item's dynamic embedding after each of its
// interactions, in training (Restart at every epoch's start, where the states go back to the
// learned initial vectors) and in evaluation, which continues from the end of training.
func (m *Model) ObserveEmbeddings(obs bench.EmbeddingObserver) { m.obs = obs }

// observe reports the rows of next (the new states of ids), with prev (their states before).
func (m *Model) observe(side monitor.Side, ids []int32, prev, next *ag.Tensor) {
	n := next.Len()
	m.host = growF(m.host, 2*n)
	prev.CopyTo(m.host[:n])
	next.CopyTo(m.host[n:])
	D := m.dim
	for k, id := range ids {
		m.obs.ObserveUpdate(side, id, m.host[k*D:(k+1)*D], m.host[n+k*D:n+(k+1)*D])
	}
}

// onehotTarget returns the B×(items+1) one-hot rows of the batch's items.
func (m *Model) onehotTarget(B int) *ag.Tensor {
	w := m.nItems + 1
	if cap(m.onehot) < B*w {
		m.onehot = make([]float32, B*w)
	}
	m.onehot = m.onehot[:B*w]
	for k, it := range m.iids {
		m.onehot[k*w+int(it)] = 1
	}
	t := m.tp.Input(B, w, m.onehot)
	for k, it := range m.iids {
		m.onehot[k*w+int(it)] = 0
	}
	return t
}

// resetStates puts every user and item back to the learned initial vectors (start of an epoch).
func (m *Model) resetStates() {
	m.users.Fill(m.initUser)
	m.items.Fill(m.initItem)
	if m.obs != nil {
		m.obs.Restart()
	}
}

// learn backpropagates a window's loss and takes one Adam step.
func (m *Model) learn(loss *ag.Tensor) error { return coupled.Learn(m.tp, loss, m.opt, false) }

func (m *Model) endWindow() {
	m.users.Detach()
	m.items.Detach()
	m.tp.Reset()
}

// trainWindow runs the t-batches [first, end) of one backpropagation step on the tibench engine, then
// one backward pass and one Adam step. It returns the summed loss and the interactions.
func (m *Model) trainWindow(d *bench.Data, first, end int) (float64, int, error) {
	loss := coupled.NewLossSum(m.tp)
	n := 0
	for k := first; k < end; k++ {
		rows := m.batches.Batch(k)
		l, _, _ := m.step(d, rows)
		loss.Add(l)
		n += len(rows)
	}
	v := loss.Total().Scalar()
	return v, n, m.learn(loss.Total())
}

// TrainEpoch runs every training window (split when larger than max_window_interactions): its
// t-batches in order, one backward pass, one Adam step.
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	m.tp.SetGrad(true)
	m.resetStates()
	// Deferred dense Adam: however the epoch ends, join the background catch-up and apply every
	// row's pending steps, so that the parameters are dense Adam's for whoever reads them next
	// (checkpoints, evaluation, inspection).
	defer m.opt.Flush()
	var st bench.EpochStats
	var total float64
	for w := 0; w+1 < len(m.steps); w++ {
		if err := ctx.Err(); err != nil {
			m.endWindow()
			return st, err
		}
		first, end := m.steps[w], m.steps[w+1]
		m.readAhead(w)
		trainWindow := m.trainWindow
		if m.cfg.Engine == "gorgonia" {
			trainWindow = m.trainWindowGorgonia
		}
		v, n, err := trainWindow(d, first, end)
		if err != nil {
			m.endWindow()
			return st, fmt.Errorf("backpropagation step %d (t-batches %d–%d): %w", w, first, end-1, err)
		}
		m.endWindow()
		if w == 0 && m.cfg.InitialGrad == "first-window" {
			// The original detach_()es its tables after the first window: rows not yet written keep
			// the initial vectors' epoch-start value, as constants, for the rest of the epoch.
			m.users.DetachInitial()
			m.items.DetachInitial()
		}
		total += v
		st.Interactions += n
		st.Batches += end - first
		st.Steps++
		p.Advance(n)
	}
	if st.Batches > 0 {
		st.Loss = total / float64(st.Batches)
	}
	return st, nil
}
