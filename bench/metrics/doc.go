// Package metrics computes tibench's evaluation metrics: MRR, MRR@k, Recall@k and NDCG@k over all
// items, ROC AUC, the two GAUC variants, logloss and MAE. It is pure Go over float64 slices and
// imports nothing of the engine: models rank, metrics only count.
//
// Every unit a result can carry — metrics and timings — has a name and a direction in one table
// (Units, Lookup). Selection of the best epoch, the regression check's tolerances, the benchfmt
// `Unit MRR better=higher` lines and the report's arrows all read it.
//
// Ranking follows the original JODIE evaluation code (srijankr/jodie): the rank of the true item is
// 1 + the number of items strictly better (TiesOptimistic). TGB's rule, the mean of the optimistic
// and pessimistic ranks, is TiesAverage. RankScores ranks rows of scores; a RankAccumulator turns
// ranks into MRR, Recall@k, NDCG@k and MRR@k:
//
//	acc := metrics.NewRankAccumulator(10)
//	err = acc.AddRanks(ranks)
//	mrr, recall10 := acc.MRR(), acc.Recall(10)
//
// Inputs that can only come from a bug (NaN scores, probabilities outside [0, 1], mismatched
// lengths) are errors naming the offending index, never silently skipped. A metric over nothing —
// MAE over zero clicks, AUC over one class — is an error (ErrEmpty, ErrOneClass), never 0 or NaN.
// The one documented skip is GAUC's: users whose samples all have one label have no AUC and are
// left out of the average; GroupAUC counts them (GAUC.OneClass) so that callers can report or
// reject them, and all users having one class is ErrOneClass.
package metrics
