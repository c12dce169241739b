package ctdne

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/internal/seqrec"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("ctdne", "CTDNE: temporal random walks + skip-gram node embeddings, re-embedded during evaluation (Nguyen et al. 2018)", New)
}

// Model is CTDNE on the bipartite user–item interaction graph.
type Model struct {
	cfg Config
	log io.Writer

	seed               uint64
	epoch              int // finished training passes
	numUsers, numItems int
	emb                *embedding // end-of-training embeddings

	train      *graph // the training graph, built once per data
	trainKey   graphKey
	nbrScale   float64 // resolved TimeScale
	startScale float64 // resolved StartTimeScale

	readout      *seqrec.Readout
	readoutEpoch int
	readoutKey   graphKey
}

// graphKey identifies the rows a cached graph or read-out was built from.
type graphKey struct {
	d *bench.Data
	n int
}

var (
	_ bench.Ranker          = (*Model)(nil)
	_ bench.StateClassifier = (*Model)(nil)
	_ bench.Configured      = (*Model)(nil)
	_ bench.Checkpointer    = (*Model)(nil)
)

// New decodes the parameters.
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	var c Config
	if err := params.Decode(&c); err != nil {
		return nil, err
	}
	if err := c.resolve(); err != nil {
		return nil, fmt.Errorf("%w: ctdne: %v", bench.ErrConfig, err)
	}
	log := env.Log
	if log == nil {
		log = io.Discard
	}
	return &Model{cfg: c, log: log}, nil
}

// Init draws the initial embeddings of every user and item from seed.
func (m *Model) Init(d *bench.Data, seed uint64) error {
	if d.Sessions != nil || d.CTR != nil {
		return fmt.Errorf("ctdne: only the row tasks (next-item, state-change) are supported")
	}
	m.seed, m.epoch = seed, 0
	m.numUsers, m.numItems = d.NumUsers(), d.NumItems()
	m.emb = newEmbedding(m.numUsers+m.numItems, m.cfg.Dim, rand.New(rand.NewPCG(seed, 0)))
	m.train, m.readout = nil, nil
	return nil
}

// Random streams: every pass draws from PCG(seed, stream(epoch, refresh, kind, index)), so no
// random state is carried between passes: a pass is a function of the seed, the epoch it follows
// and (during evaluation) the refresh's index, whatever ran before it.
const (
	kindWalks = 0
	kindSGNS  = 1
)

func stream(epoch, refresh int, kind, index uint64) uint64 {
	return uint64(epoch)<<40 | uint64(refresh)<<17 | kind<<16 | index
}

// trainGraph returns the graph of the training rows, building it (and resolving the time scales)
// on first use for this data.
func (m *Model) trainGraph(d *bench.Data) *graph {
	key := graphKey{d, d.Split.TrainEnd}
	if m.train != nil && m.trainKey == key {
		return m.train
	}
	g := newGraph(d.Users, d.Items, d.Times, m.numUsers, m.numItems, d.Split.TrainEnd)
	m.nbrScale, m.startScale = m.cfg.TimeScale, m.cfg.StartTimeScale
	if m.nbrScale == 0 {
		m.nbrScale = g.meanGap()
	}
	if m.startScale == 0 {
		m.startScale = startTimeScaleFraction * g.span()
	}
	m.prepare(g)
	m.train, m.trainKey = g, key
	return g
}

// prepare fills what the configured biases sample from.
func (m *Model) prepare(g *graph) {
	nbr, start := m.cfg.NeighbourBias == BiasExponential, m.cfg.StartBias == BiasExponential
	if nbr || start {
		g.prepareExponential(m.nbrScale, m.startScale, nbr, start)
	}
}

func (m *Model) walker(g *graph) *walker {
	return &walker{g: g, startBias: m.cfg.StartBias, nbrBias: m.cfg.NeighbourBias,
		length: m.cfg.WalkLength, minLen: m.cfg.MinWalkLength, walksPerNode: m.cfg.WalksPerNode,
		contextWindow: m.cfg.Window, attemptsPerWalks: maxAttemptsPerWalk}
}

// pass generates one corpus of temporal walks on g and runs one skip-gram pass over it into emb.
func (m *Model) pass(ctx context.Context, g *graph, emb *embedding, refresh int, updateOut bool) (sgnsStats, int, error) {
	c, err := m.walker(g).generate(ctx, m.seed, stream(m.epoch, refresh, kindWalks, 0), m.cfg.threads())
	if err != nil {
		return sgnsStats{}, 0, err
	}
	p := sgnsParams{window: m.cfg.Window, negatives: m.cfg.Negatives, lr: m.cfg.LR, threads: m.cfg.threads(), updateOut: updateOut}
	st, err := trainSGNS(ctx, emb, c, newNegatives(c, g.numNodes), p, m.seed, stream(m.epoch, refresh, kindSGNS, 0))
	return st, c.numWalks(), err
}

// TrainEpoch is one CTDNE pass over the training graph: a fresh corpus of temporal walks (its own
// random stream per epoch) and one skip-gram pass over it, continuing from the current
// embeddings with the learning rate decayed from lr again. With run.epochs = 1 this is CTDNE as
// published; more epochs are more passes over fresh corpora, the best one chosen on validation.
func (m *Model) TrainEpoch(ctx context.Context, d *bench.Data, p bench.Progress) (bench.EpochStats, error) {
	if m.emb == nil {
		return bench.EpochStats{}, fmt.Errorf("ctdne: TrainEpoch before Init")
	}
	if p == nil {
		p = bench.NoProgress{}
	}
	g := m.trainGraph(d)
	m.epoch++
	st, walks, err := m.pass(ctx, g, m.emb, 0, true)
	if err != nil {
		return bench.EpochStats{}, err
	}
	p.Advance(d.Split.TrainEnd)
	loss := 0.0
	if st.pairs > 0 {
		loss = st.loss / float64(st.pairs)
	}
	return bench.EpochStats{Loss: loss, Interactions: d.Split.TrainEnd, Batches: walks, Steps: int(st.pairs)}, nil
}

// ensureReadout fits the state-change read-out (seqrec.FitReadout: class-balanced logistic
// regression, JODIE §5.2) on the end-of-training embedding of each training row's user, once per
// epoch.
func (m *Model) ensureReadout(d *bench.Data) error {
	key := graphKey{d, d.Split.TrainEnd}
	if m.readout != nil && m.readoutEpoch == m.epoch && m.readoutKey == key {
		return nil
	}
	n, dim := d.Split.TrainEnd, m.cfg.Dim
	x := make([]float32, n*dim)
	for r := range n {
		copy(x[r*dim:(r+1)*dim], m.emb.vec(d.Users[r]))
	}
	r, err := seqrec.FitReadout(x, dim, d.Labels[:n], seqrec.ReadoutL2)
	if err != nil {
		return fmt.Errorf("ctdne: state-change read-out: %w", err)
	}
	m.readout, m.readoutEpoch, m.readoutKey = r, m.epoch, key
	return nil
}

// Evaluate streams the validation and test rows in time order. Each row is predicted from the
// current embeddings, which only ever saw rows before it: the end-of-training embeddings, and
// after every RefreshEvery evaluated rows a re-embedding of all rows seen so far (a fresh corpus
// of temporal walks on the graph of rows [0, i) and one skip-gram pass, continuing from the
// current embeddings). Between refreshes the embeddings are stale: rows revealed since the last
// refresh do not affect them. Under the frozen protocol a refresh updates only the nodes' input
// vectors (the embeddings) against fixed output vectors (the trained parameters), as doc2vec
// infers a new document's vector; under online it updates both. Evaluate works on a copy: the
// model is left as it was.
func (m *Model) Evaluate(ctx context.Context, d *bench.Data, sink bench.Sink) error {
	if m.emb == nil {
		return fmt.Errorf("ctdne: Evaluate before Init")
	}
	nextItem, stateTask := d.Needs(bench.NeedsRanker), d.Needs(bench.NeedsStateClassifier)
	if stateTask {
		if err := m.ensureReadout(d); err != nil {
			return err
		}
	}
	g := m.trainGraph(d)
	emb := m.emb
	sc := newScorer(m.cfg.Similarity, m.numUsers, m.numItems, m.cfg.Dim)
	sc.reset(emb, g.present)
	lo, hi := d.Split.TrainEnd, d.Split.TestEnd
	every := m.cfg.refreshEvery(hi - lo)
	refresh := 0
	for i := lo; i < hi; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if every > 0 && i > lo && (i-lo)%every == 0 {
			if emb == m.emb {
				emb = emb.clone()
			}
			refresh++
			rg := newGraph(d.Users, d.Items, d.Times, m.numUsers, m.numItems, i)
			m.prepare(rg)
			if _, _, err := m.pass(ctx, rg, emb, refresh, d.Online()); err != nil {
				return fmt.Errorf("ctdne: refresh %d at row %d: %w", refresh, i, err)
			}
			sc.reset(emb, rg.present)
		}
		p := d.RowPrediction(i)
		u := d.Users[i]
		if nextItem {
			p.Rank = float64(sc.rank(emb.vec(u), d.Items[i]))
		}
		if stateTask {
			p.Score = m.readout.Logit(emb.vec(u))
			p.Prob = 1 / (1 + math.Exp(-p.Score))
		}
		sink(p)
	}
	return nil
}

// ItemScoring names the ranking rule.
func (m *Model) ItemScoring() string { return m.cfg.Similarity }

// PredictsState: the state-change task reads out the user embedding (a logistic regression fitted
// on the training rows, the JODIE paper's rule for models without a head).
func (m *Model) PredictsState() {}

// Config returns the resolved parameters.
func (m *Model) Config() any { return m.cfg }
