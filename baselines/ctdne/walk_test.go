package ctdne

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/datasets"
)

// testWalker is a walker on the graph of the given rows with the given biases and scales.
func testWalker(users, items []int32, times []float64, start, nbr Bias, length int, nbrScale, startScale float64) *walker {
	nu, ni := 0, 0
	for r := range users {
		nu, ni = max(nu, int(users[r])+1), max(ni, int(items[r])+1)
	}
	g := newGraph(users, items, times, nu, ni, len(users))
	g.prepareExponential(nbrScale, startScale, nbr == BiasExponential, start == BiasExponential)
	return &walker{g: g, startBias: start, nbrBias: nbr, length: length, minLen: 2, walksPerNode: 1,
		contextWindow: 2, attemptsPerWalks: 1}
}

// TestWalksNeverGoBackInTime draws walks with every pair of biases on the first 3,000 rows of
// synth-wikipedia-small (many equal-time edges at the same node, long histories) and checks each
// walk edge by edge: consecutive nodes are the endpoints of the recorded edge, every edge is at
// or after the previous one in time and strictly later in the log (never the same edge twice), and
// a walk stops only at walk_length or where its last node has no later edge.
func TestWalksNeverGoBackInTime(t *testing.T) {
	ds, err := datasets.Synthesize("synth-wikipedia-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 3000
	users, items, times := ds.Users[:n], ds.Items[:n], ds.Times[:n]
	for _, start := range []Bias{BiasUniform, BiasExponential, BiasLinear} {
		for _, nbr := range []Bias{BiasUniform, BiasExponential, BiasLinear} {
			t.Run(fmt.Sprintf("start=%s/neighbour=%s", start, nbr), func(t *testing.T) {
				w := testWalker(users, items, times, start, nbr, 30, 600, 86400)
				g := w.g
				r := rand.New(rand.NewPCG(1, 2))
				var lengths int
				for range 2000 {
					var rows []int32
					walk := w.walk(r, nil, &rows)
					lengths += len(walk)
					if len(rows) != len(walk)-1 {
						t.Fatalf("walk of %d nodes, %d edges", len(walk), len(rows))
					}
					for k, row := range rows {
						u, i := g.rowUser[row], int32(g.users)+g.rowItem[row]
						if (walk[k] != u || walk[k+1] != i) && (walk[k] != i || walk[k+1] != u) {
							t.Fatalf("step %d: nodes %d→%d, edge %d joins %d and %d", k, walk[k], walk[k+1], row, u, i)
						}
						if k > 0 && (row <= rows[k-1] || times[row] < times[rows[k-1]]) {
							t.Fatalf("step %d: edge %d (t=%v) after edge %d (t=%v)", k, row, times[row], rows[k-1], times[rows[k-1]])
						}
					}
					if len(walk) < w.length {
						if lo, hi := g.after(walk[len(walk)-1], rows[len(rows)-1]); hi > lo {
							t.Fatalf("walk of %d nodes stopped with %d later edges left", len(walk), hi-lo)
						}
					}
				}
				t.Logf("mean walk length %.1f nodes", float64(lengths)/2000)
			})
		}
	}
}

// handGraph is the graph of the distribution tests: user 0 meets items 0..4 at times 0, 10, 20,
// 40, 80 (rows 0..4), and user 1 meets item 0 at time 90 (row 5).
var handGraph = struct {
	users, items []int32
	times        []float64
}{[]int32{0, 0, 0, 0, 0, 1}, []int32{0, 1, 2, 3, 4, 0}, []float64{0, 10, 20, 40, 80, 90}}

// chiSquare returns Pearson's statistic of observed counts against expected probabilities.
func chiSquare(counts []int, probs []float64) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	var x2 float64
	for k, p := range probs {
		e := p * float64(total)
		x2 += (float64(counts[k]) - e) * (float64(counts[k]) - e) / e
	}
	return x2
}

// chiSquareCritical99_9 is the 0.999 quantile of χ² with df degrees of freedom (df 1..5, tables).
var chiSquareCritical99_9 = []float64{0, 10.83, 13.82, 16.27, 18.47, 20.52}

func normalised(w []float64) []float64 {
	var s float64
	for _, v := range w {
		s += v
	}
	out := make([]float64, len(w))
	for k, v := range w {
		out[k] = v / s
	}
	return out
}

// TestNeighbourDistribution: a walk that reached user 0 through row 0 (t = 0) chooses among rows 1..4
// (t = 10, 20, 40, 80). Expected, by the bias rules: uniform 1/4 each; linear, descending-time
// ranks 4, 3, 2, 1 → 0.4, 0.3, 0.2, 0.1; exponential with scale 20, weights e^−0.5, e^−1, e^−2,
// e^−4 (0.6065, 0.3679, 0.1353, 0.0183, sum 1.1280) → 0.5377, 0.3261, 0.1200, 0.0162 (by hand; the test normalises in float64). 200,000
// draws at a fixed seed must pass χ² at the 0.999 level against their own rule and fail it against
// the other rules (so the test can tell the rules apart).
func TestNeighbourDistribution(t *testing.T) {
	rules := map[Bias][]float64{
		BiasUniform:     {0.25, 0.25, 0.25, 0.25},
		BiasLinear:      normalised([]float64{4, 3, 2, 1}),
		BiasExponential: normalised([]float64{math.Exp(-0.5), math.Exp(-1), math.Exp(-2), math.Exp(-4)}),
	}
	if p := rules[BiasExponential]; math.Abs(p[0]-0.5377) > 1e-4 || math.Abs(p[3]-0.0162) > 1e-4 {
		t.Fatalf("hand-normalised exponential probabilities %v", p)
	}
	const draws = 200000
	for bias := range rules {
		t.Run(string(bias), func(t *testing.T) {
			w := testWalker(handGraph.users, handGraph.items, handGraph.times, BiasUniform, bias, 80, 20, 1)
			r := rand.New(rand.NewPCG(3, 4))
			counts := make([]int, 4)
			for range draws {
				k, ok := w.sampleNext(r, 0, 0)
				if !ok {
					t.Fatal("no next edge")
				}
				row := w.g.row[k]
				if row < 1 || row > 4 {
					t.Fatalf("drew row %d, not in 1..4", row)
				}
				counts[row-1]++
			}
			for other, probs := range rules {
				x2 := chiSquare(counts, probs)
				if other == bias && x2 > chiSquareCritical99_9[3] {
					t.Errorf("counts %v vs %s %v: χ² %.2f > %.2f", counts, other, probs, x2, chiSquareCritical99_9[3])
				}
				if other != bias && x2 <= chiSquareCritical99_9[3] {
					t.Errorf("counts %v also fit %s %v (χ² %.2f): the test cannot tell the rules apart", counts, other, probs, x2)
				}
			}
		})
	}
}

// TestStartDistribution: start edges over the six rows (t = 0, 10, 20, 40, 80, 90). Expected:
// uniform 1/6; linear, ascending-time ranks 1..6 → k/21; exponential with scale 40, weights
// exp((t − 90)/40). 120,000 draws at a fixed seed, χ² at the 0.999 level (5 degrees of freedom).
func TestStartDistribution(t *testing.T) {
	expo := make([]float64, 6)
	for k, tm := range handGraph.times {
		expo[k] = math.Exp((tm - 90) / 40)
	}
	rules := map[Bias][]float64{
		BiasUniform:     normalised([]float64{1, 1, 1, 1, 1, 1}),
		BiasLinear:      normalised([]float64{1, 2, 3, 4, 5, 6}),
		BiasExponential: normalised(expo),
	}
	const draws = 120000
	for bias := range rules {
		t.Run(string(bias), func(t *testing.T) {
			w := testWalker(handGraph.users, handGraph.items, handGraph.times, bias, BiasUniform, 80, 1, 40)
			r := rand.New(rand.NewPCG(5, 6))
			counts := make([]int, 6)
			for range draws {
				counts[w.sampleStart(r)]++
			}
			for other, probs := range rules {
				x2 := chiSquare(counts, probs)
				if other == bias && x2 > chiSquareCritical99_9[5] {
					t.Errorf("counts %v vs %s %v: χ² %.2f", counts, other, probs, x2)
				}
				if other != bias && x2 <= chiSquareCritical99_9[5] {
					t.Errorf("counts %v also fit %s (χ² %.2f)", counts, other, x2)
				}
			}
		})
	}
}

// exactWalks enumerates every walk of at most length nodes on the rows with its exact probability
// under the bias rules, computed directly from the definitions (weights over all of a node's later
// edges, normalised in float64) rather than by the sampler's log-space cumulative sums.
func exactWalks(users, items []int32, times []float64, start, nbr Bias, length int, nbrScale, startScale float64) map[string]float64 {
	n := len(users)
	nu := int32(slices.Max(users) + 1)
	out := map[string]float64{}
	startW := make([]float64, n)
	for r := range n {
		switch start {
		case BiasUniform:
			startW[r] = 1
		case BiasLinear:
			startW[r] = float64(r + 1)
		case BiasExponential:
			startW[r] = math.Exp((times[r] - times[n-1]) / startScale)
		}
	}
	startP := normalised(startW)
	var extend func(walk []int32, prev int, p float64)
	extend = func(walk []int32, prev int, p float64) {
		v := walk[len(walk)-1]
		var cands []int
		for r := prev + 1; r < n; r++ {
			if users[r] == v || nu+items[r] == v {
				cands = append(cands, r)
			}
		}
		if len(cands) == 0 || len(walk) == length {
			out[fmt.Sprint(walk)] += p
			return
		}
		w := make([]float64, len(cands))
		for k, r := range cands {
			switch nbr {
			case BiasUniform:
				w[k] = 1
			case BiasLinear:
				w[k] = float64(len(cands) - k) // descending time: the latest weighs 1
			case BiasExponential:
				w[k] = math.Exp(-(times[r] - times[prev]) / nbrScale)
			}
		}
		for k, q := range normalised(w) {
			r := cands[k]
			next := users[r]
			if next == v {
				next = nu + items[r]
			}
			extend(append(slices.Clone(walk), next), r, p*q)
		}
	}
	for r := range n {
		u, i := users[r], nu+items[r]
		extend([]int32{u, i}, r, startP[r]/2)
		extend([]int32{i, u}, r, startP[r]/2)
	}
	return out
}

// TestWalkDistribution compares whole walks with their exact probabilities on a five-edge graph
// (users 0, 1; items 0, 1; a repeated pair), walks of at most four nodes: every walk drawn must be
// one the enumeration allows, and the frequencies of 200,000 walks must pass χ² at the 0.999 level
// (cells with an expected count under 5 pooled), for each bias applied to starts and steps alike.
func TestWalkDistribution(t *testing.T) {
	users := []int32{0, 1, 0, 1, 0}
	items := []int32{0, 0, 1, 1, 0}
	times := []float64{0, 10, 20, 30, 50}
	const draws = 200000
	for _, bias := range []Bias{BiasUniform, BiasLinear, BiasExponential} {
		t.Run(string(bias), func(t *testing.T) {
			exact := exactWalks(users, items, times, bias, bias, 4, 15, 25)
			var sum float64
			for _, p := range exact {
				sum += p
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("exact probabilities sum to %v", sum)
			}
			w := testWalker(users, items, times, bias, bias, 4, 15, 25)
			r := rand.New(rand.NewPCG(7, 8))
			counts := map[string]int{}
			for range draws {
				walk := fmt.Sprint(w.walk(r, nil, nil))
				if _, ok := exact[walk]; !ok {
					t.Fatalf("drew %s, which the rules do not allow", walk)
				}
				counts[walk]++
			}
			keys := make([]string, 0, len(exact))
			for k := range exact {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var obs []int
			var probs []float64
			pooledObs, pooledP := 0, 0.0
			for _, k := range keys {
				if exact[k]*draws < 5 {
					pooledObs += counts[k]
					pooledP += exact[k]
					continue
				}
				obs, probs = append(obs, counts[k]), append(probs, exact[k])
			}
			if pooledP > 0 {
				obs, probs = append(obs, pooledObs), append(probs, pooledP)
			}
			x2 := chiSquare(obs, probs)
			// 0.999 quantile of χ² by the Wilson–Hilferty approximation (df cells − 1).
			df := float64(len(obs) - 1)
			crit := df * math.Pow(1-2/(9*df)+3.090*math.Sqrt(2/(9*df)), 3)
			t.Logf("%d distinct walks, χ² %.1f (df %.0f, critical %.1f)", len(exact), x2, df, crit)
			if x2 > crit {
				t.Errorf("walk frequencies do not fit the %s rule: χ² %.1f > %.1f\n%s", bias, x2, crit, strings.Join(keys, " "))
			}
		})
	}
}

// TestCorpusIndependentOfThreads: the corpus of a pass is the same on 1 and 3 goroutines, and
// another stream gives another corpus.
func TestCorpusIndependentOfThreads(t *testing.T) {
	ds, err := datasets.Synthesize("synth-wikipedia-small", 1)
	if err != nil {
		t.Fatal(err)
	}
	n := 2000
	w := testWalker(ds.Users[:n], ds.Items[:n], ds.Times[:n], BiasUniform, BiasUniform, 20, 1, 1)
	w.walksPerNode, w.contextWindow, w.minLen, w.attemptsPerWalks = 2, 5, 5, 10
	ctx := context.Background()
	a, err := w.generate(ctx, 1, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.generate(ctx, 1, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.tokens, b.tokens) || !slices.Equal(a.offsets, b.offsets) {
		t.Error("the corpus depends on the number of goroutines")
	}
	c, err := w.generate(ctx, 1, 1<<40, 1)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.tokens, c.tokens) {
		t.Error("another stream, the same corpus")
	}
	if a.numWalks() == 0 {
		t.Fatal("empty corpus")
	}
	for k := range a.numWalks() {
		if l := len(a.walk(k)); l < 5 || l > 20 {
			t.Fatalf("walk %d has %d nodes, outside [min_walk_length 5, walk_length 20]", k, l)
		}
	}
}
