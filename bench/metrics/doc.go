// Package metrics computes tibench's evaluation metrics: MRR, Recall@k and NDCG@k over all items,
// ROC AUC, the two GAUC variants, logloss and MAE, and ranks batches of predictions against every
// item with one matrix product per chunk of queries.
//
// Every metric has a name and a direction in one table (Metrics, Lookup), which the results layer
// turns into benchfmt `Unit MRR better=higher` lines.
//
// Ranking follows the original JODIE evaluation code (srijankr/jodie): all items are ranked by the
// Euclidean distance between the predicted vector and each item's embedding, and the rank of the true
// item is 1 + the number of items strictly closer (TiesOptimistic). TGB's rule, the mean of the
// optimistic and pessimistic ranks, is TiesAverage. A Ranker keeps the item matrix on an ag backend
// and computes a whole chunk of queries' scores with one Gemm:
//
//	r, err := metrics.NewRanker(ag.NewCPU(), itemEmb, dim) // itemEmb: numItems×dim, row-major
//	ranks := make([]float64, len(targets))
//	err = r.RankL2(preds, targets, metrics.TiesOptimistic, ranks) // preds: len(targets)×dim
//	acc := metrics.NewRankAccumulator(10)
//	err = acc.AddRanks(ranks)
//	mrr, recall10 := acc.MRR(), acc.Recall(10)
//
// Inputs that can only come from a bug (NaN scores, probabilities outside [0, 1], mismatched
// lengths) are errors naming the offending index, never silently skipped.
package metrics
