package metrics_test

import (
	"fmt"

	"github.com/tibench/tibench/bench/metrics"
)

// Ranks of the true item for four queries, as RankL2 returns them, turned into MRR, Recall@k and
// NDCG@k.
func ExampleRankAccumulator() {
	acc := metrics.NewRankAccumulator(1, 10)
	if err := acc.AddRanks([]float64{1, 2, 4, 20}); err != nil {
		panic(err)
	}
	// MRR = (1 + 1/2 + 1/4 + 1/20)/4 = 0.45; recall@10 = 3/4;
	// ndcg@10 = (1/log2 2 + 1/log2 3 + 1/log2 5 + 0)/4 = (1 + 0.6309 + 0.4307)/4 = 0.5154.
	for _, r := range acc.Results() {
		m, _ := metrics.Lookup(r.Name)
		fmt.Printf("%-9s %.4f better=%s\n", r.Name, r.Value, m.Better())
	}
	// Output:
	// MRR       0.4500 better=higher
	// recall@1  0.2500 better=higher
	// recall@10 0.7500 better=higher
	// ndcg@1    0.2500 better=higher
	// ndcg@10   0.5154 better=higher
}

// JODIE-style evaluation: rank every item by Euclidean distance to the predicted embedding.
func ExampleAUC() {
	// sklearn's roc_auc_score example gives 0.75 on the first four samples; the fifth ties a
	// negative.
	auc, err := metrics.AUC([]float64{0.1, 0.4, 0.35, 0.8, 0.4}, []bool{false, false, true, true, true})
	if err != nil {
		panic(err)
	}
	fmt.Printf("AUC %.4f\n", auc) // (1 + 2 + 1.5)/6

	// One positive and one negative per user; the tie of user 2 counts as wrong.
	g, _ := metrics.GAUCPairwise([]float64{0.9, 0.5, 0.7}, []float64{0.2, 0.5, 0.8})
	fmt.Printf("GAUC %.4f\n", g)

	users := []int32{1, 1, 1, 2, 2}
	scores := []float64{0.9, 0.3, 0.5, 0.4, 0.4}
	labels := []bool{true, false, true, true, false}
	gi, _ := metrics.GAUCImpression(users, scores, labels, metrics.WeightImpressions)
	fmt.Printf("GAUC-impr %.4f\n", gi) // (3·1 + 2·0.5)/5
	// Output:
	// AUC 0.7500
	// GAUC 0.3333
	// GAUC-impr 0.8000
}
