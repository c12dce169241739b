package bench

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/tibench/tibench/bench/monitor"
)

// Embedder is implemented by models whose embeddings change with every interaction (JODIE's user
// and item embeddings, the recurrent baselines' user states): once ObserveEmbeddings is given an
// observer, the model reports every new embedding of an entity to it right after the update, in
// training and in evaluation, and calls Restart whenever it resets its states to their initial
// values (an epoch's start; a replay of the training log). nil stops the reports.
type Embedder interface {
	ObserveEmbeddings(obs EmbeddingObserver)
}

// EmbeddingObserver receives a model's embedding updates (bench/monitor.Monitor is one).
type EmbeddingObserver interface {
	// ObserveUpdate receives one entity's embedding before (prev) and after (e) an interaction; both
	// are only valid during the call. prev nil: the observer keeps the previous one itself.
	ObserveUpdate(side monitor.Side, id int32, prev, e []float32)
	// Restart says every state went back to its initial value: trajectories start over.
	Restart()
}

// EvolutionRecords turns a monitor into result records (benchmarks `Evolution`, `Maturity`,
// `Norms` and `CosineToFinal`), one per side and bucket:
//
//   - Evolution, keys side= and k=lo-hi (interaction-index bucket): the relative update size's
//     quartiles (`rel-update-q1`, `rel-update-median`, `rel-update-q3`), the median of 1 − cosine
//     between consecutive embeddings (`turn-median`) and `updates`;
//   - CosineToFinal, keys side= and after=K (1, 2, 4, …): the sampled entities' median cosine between
//     their embedding after K interactions and their last one;
//   - Maturity, keys side= and pop= (popularity bucket by interactions observed: 1, 2-3, 4-7, …):
//     the sampled entities (`entities`), the share that matured (`matured`) and the median
//     interaction after which they did (`maturity-median`), and the maturity CDF points
//     `matured-by-1`, `matured-by-2`, `matured-by-4`, … (share of the bucket matured by then);
//   - Norms, keys side= and pop=: the last embedding's norm quartiles over every entity.
func EvolutionRecords(m *monitor.Monitor, p *PlannedRun, seed uint64, d *Data, backend string, env []KV) []Record {
	cfg := p.recordConfig(seed, d, backend, env)
	var recs []Record
	name := func(kv ...KV) []KV { return append(slices.Clone(p.recordName()), kv...) }
	for _, s := range []monitor.Side{monitor.Users, monitor.Items} {
		side := KV{"side", s.String()}
		for _, r := range m.UpdateSizes(s) {
			recs = append(recs, Record{Bench: "Evolution", Name: name(side, KV{"k", bucketLabel(r.From, r.To)}),
				Values: []Value{{r.Q1, "rel-update-q1"}, {r.Median, "rel-update-median"}, {r.Q3, "rel-update-q3"},
					{r.TurnMedian, "turn-median"}, {float64(r.N), "updates"}}, Config: cfg})
		}
		for _, c := range m.CosineToFinal(s) {
			recs = append(recs, Record{Bench: "CosineToFinal", Name: name(side, KV{"after", strconv.Itoa(c.K)}),
				Values: []Value{{c.Median, "cos-final-median"}, {float64(c.N), "entities"}}, Config: cfg})
		}
		byPop := map[int][]monitor.Maturity{}
		for _, mt := range m.Maturities(s) {
			b := popBucket(mt.Interactions)
			byPop[b] = append(byPop[b], mt)
		}
		for _, b := range sortedInts(byPop) {
			ms := byPop[b]
			vals := maturityValues(ms)
			lo, hi := popRange(b)
			recs = append(recs, Record{Bench: "Maturity", Name: name(side, KV{"pop", bucketLabel(lo, hi)}), Values: vals, Config: cfg})
		}
		norms := map[int][]float64{}
		for _, e := range m.Entities(s) {
			b := popBucket(e.Interactions)
			norms[b] = append(norms[b], e.Norm)
		}
		for _, b := range sortedInts(norms) {
			xs := norms[b]
			slices.Sort(xs)
			lo, hi := popRange(b)
			recs = append(recs, Record{Bench: "Norms", Name: name(side, KV{"pop", bucketLabel(lo, hi)}),
				Values: []Value{{quantileSorted(xs, 0.25), "norm-q1"}, {quantileSorted(xs, 0.5), "norm-median"},
					{quantileSorted(xs, 0.75), "norm-q3"}, {float64(len(xs)), "entities"}}, Config: cfg})
		}
	}
	return recs
}

// maturityValues summarises the maturities of one popularity bucket.
func maturityValues(ms []monitor.Maturity) []Value {
	var at []float64
	for _, mt := range ms {
		if mt.Matured {
			at = append(at, float64(mt.At))
		}
	}
	slices.Sort(at)
	n := float64(len(ms))
	vals := []Value{{n, "entities"}, {float64(len(at)) / n, "matured"}}
	if len(at) > 0 {
		vals = append(vals, Value{quantileSorted(at, 0.5), "maturity-median"})
	}
	maxAt := 1
	for _, mt := range ms {
		maxAt = max(maxAt, mt.Interactions)
	}
	for k := 1; k < 2*maxAt; k <<= 1 {
		c := 0
		for _, a := range at {
			if a <= float64(k) {
				c++
			}
		}
		vals = append(vals, Value{float64(c) / n, "matured-by-" + strconv.Itoa(k)})
	}
	return vals
}

// popBucket is the popularity bucket of an entity with n interactions: 0 for 1, 1 for 2–3, 2 for
// 4–7, …
func popBucket(n int) int {
	b := 0
	for n > 1 {
		n >>= 1
		b++
	}
	return b
}

func popRange(b int) (lo, hi int) { return 1 << b, 1<<(b+1) - 1 }

func bucketLabel(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func sortedInts[V any](m map[int]V) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// quantileSorted is the q-quantile of sorted xs by linear interpolation between order statistics.
func quantileSorted(xs []float64, q float64) float64 {
	if len(xs) == 1 {
		return xs[0]
	}
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	f := pos - float64(i)
	return xs[i]*(1-f) + xs[i+1]*f
}

// MonitorEvolution attaches a monitor to an Embedder, streams one more training epoch (the model
// restarts its states at an epoch's start, so the monitor sees every entity's trajectory from its
// first interaction) and then the evaluation (continuing from the end of training), and detaches.
// The extra epoch trains the model further; the run's metrics are those selected before it.
func MonitorEvolution(ctx context.Context, m Model, d *Data, cfg MonitorConfig, seed uint64) (*monitor.Monitor, error) {
	e, ok := m.(Embedder)
	if !ok {
		return nil, fmt.Errorf("kind evolution: the model does not implement bench.Embedder (it has no dynamic embeddings to monitor)")
	}
	mon, err := monitor.New(monitor.Config{Sample: cfg.Sample, Threshold: cfg.Threshold, Seed: seed}, d.NumUsers(), d.NumItems(), 0, 0)
	if err != nil {
		return nil, err
	}
	e.ObserveEmbeddings(mon)
	defer e.ObserveEmbeddings(nil)
	if _, err := m.TrainEpoch(ctx, d, NoProgress{}); err != nil {
		return nil, fmt.Errorf("kind evolution: monitored epoch: %w", err)
	}
	if err := m.Evaluate(ctx, d, func(Prediction) {}); err != nil {
		return nil, fmt.Errorf("kind evolution: monitored evaluation: %w", err)
	}
	return mon, nil
}
