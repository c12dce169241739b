package ctdne

import (
	"context"
	"math"
	"slices"
	"testing"
)

// pairLoss is the negative-sampling loss of one (input, positive output, negative output) triple in
// float64: −log σ(in·pos) − log σ(−in·neg).
func pairLoss(in, pos, neg []float64) float64 {
	dot := func(a, b []float64) float64 {
		var s float64
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	ls := func(x float64) float64 { return -math.Log1p(math.Exp(-x)) }
	return -ls(dot(in, pos)) - ls(-dot(in, neg))
}

// numGrad is the central finite-difference gradient of f with respect to x (x is restored).
func numGrad(f func() float64, x []float64) []float64 {
	const h = 1e-6
	g := make([]float64, len(x))
	for i := range x {
		v := x[i]
		x[i] = v + h
		up := f()
		x[i] = v - h
		down := f()
		x[i] = v
		g[i] = (up - down) / (2 * h)
	}
	return g
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestSGNSStepIsGradientStep runs one skip-gram pass over the walk [c, x] (window 1, one negative,
// a unigram table holding only node n) and checks it against a float64 oracle: the pass makes two
// pair steps, (input x → output c, negative n) then (input c → output x, negative n), and each must
// be one gradient-descent step of lr on that pair's loss −log σ(in·pos) − log σ(−in·neg), the
// gradient taken by central finite differences at the parameters before the step (all three
// vectors move at once). The sigmoid table's resolution (12/1000, slope ≤ 1/4) bounds the error
// of each step's coefficients by 0.003·lr; the comparison allows that. With the output vectors
// frozen (a frozen-protocol refresh) they stay bit-identical and the input vectors still move.
func TestSGNSStepIsGradientStep(t *testing.T) {
	const c, x, n, dim, lr = 0, 1, 2, 3, 0.5
	init := func() *embedding {
		return &embedding{dim: dim,
			in:  []float32{0.3, -0.2, 0.5, -0.4, 0.1, 0.6, 0.2, 0.2, -0.3},
			out: []float32{0.1, 0.4, -0.2, 0.3, -0.5, 0.2, -0.6, 0.1, 0.4}}
	}
	vec := func(s []float32, v int) []float64 { return to64(s[v*dim : (v+1)*dim]) }
	corpus := &corpus{tokens: []int32{c, x}, offsets: []int32{0, 2}}
	table := newAlias([]float64{0, 0, 1}) // every negative is n
	p := sgnsParams{window: 1, negatives: 1, lr: lr, threads: 1, updateOut: true}

	// The oracle: two sequential gradient steps in float64.
	in := [][]float64{vec(init().in, 0), vec(init().in, 1), vec(init().in, 2)}
	out := [][]float64{vec(init().out, 0), vec(init().out, 1), vec(init().out, 2)}
	for _, pair := range [][2]int{{x, c}, {c, x}} {
		i, o := pair[0], pair[1]
		f := func() float64 { return pairLoss(in[i], out[o], out[n]) }
		gi, go_, gn := numGrad(f, in[i]), numGrad(f, out[o]), numGrad(f, out[n])
		for k := range dim {
			in[i][k] -= lr * gi[k]
			out[o][k] -= lr * go_[k]
			out[n][k] -= lr * gn[k]
		}
	}

	e := init()
	st, err := trainSGNS(context.Background(), e, corpus, table, p, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.pairs != 2 {
		t.Fatalf("%d pairs trained, want 2", st.pairs)
	}
	// Each coefficient is off by at most 0.003·lr, times a vector entry of at most ~0.7, twice.
	const tol = 2 * 0.003 * lr * 0.7
	for v := range 3 {
		for k := range dim {
			if d := math.Abs(float64(e.in[v*dim+k]) - in[v][k]); d > tol {
				t.Errorf("input %d[%d] = %v, oracle %v", v, k, e.in[v*dim+k], in[v][k])
			}
			if d := math.Abs(float64(e.out[v*dim+k]) - out[v][k]); d > tol {
				t.Errorf("output %d[%d] = %v, oracle %v", v, k, e.out[v*dim+k], out[v][k])
			}
		}
	}
	if slices.Equal(e.in, init().in) || slices.Equal(e.out, init().out) {
		t.Error("the pass changed nothing")
	}

	frozen := init()
	p.updateOut = false
	if _, err := trainSGNS(context.Background(), frozen, corpus, table, p, 1, 0); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(frozen.out, init().out) {
		t.Error("a pass with updateOut false moved the output vectors")
	}
	if slices.Equal(frozen.in, init().in) {
		t.Error("a pass with updateOut false did not move the input vectors")
	}
}

// TestNegatives: counts 0 (node 0), 1 (node 1), 16 (node 2), 0 (node 3), 81 (node 4): unigram^0.75
// weights 0, 1, 8, 0, 27, so the sampler's exact probabilities (read off its alias table) must be
// 0, 1/36, 8/36, 0, 27/36, and 360,000 draws must fit them (χ² at the 0.999 level, 2 degrees of
// freedom over the three nodes that occur; the absent ones never drawn).
func TestNegatives(t *testing.T) {
	tokens := append([]int32{1}, slices.Repeat([]int32{2}, 16)...)
	tokens = append(tokens, slices.Repeat([]int32{4}, 81)...)
	c := &corpus{tokens: tokens, offsets: []int32{0, int32(len(tokens))}}
	neg := newNegatives(c, 5)
	want := []float64{0, 1.0 / 36, 8.0 / 36, 0, 27.0 / 36}
	for v, p := range want {
		if got := neg.prob(int32(v)); math.Abs(got-p) > 1e-9 {
			t.Errorf("P(node %d) = %v, want %v", v, got, p)
		}
	}
	rng := &fastRand{s: 1}
	counts := make([]int, 5)
	for range 360000 {
		counts[neg.draw(rng.next())]++
	}
	if counts[0] != 0 || counts[3] != 0 {
		t.Errorf("absent nodes drawn: %v", counts)
	}
	if x2 := chiSquare([]int{counts[1], counts[2], counts[4]}, []float64{1.0 / 36, 8.0 / 36, 27.0 / 36}); x2 > 13.82 {
		t.Errorf("counts %v: χ² %.2f", counts, x2)
	}
}

// TestSGNSLearnsCooccurrence: after a few passes over walks that cycle within two groups of four
// nodes, every node scores (input·output) each member of its own group above every node of the
// other. (Not above zero: SGNS fits the shifted PMI, log(P(b|a)/P(b)) − log k = log(8/3) − log 5 < 0
// for a same-group pair here.)
func TestSGNSLearnsCooccurrence(t *testing.T) {
	var tokens []int32
	offsets := []int32{0}
	for k := range 200 {
		base := int32(4 * (k % 2)) // group {0..3} or {4..7}
		for j := range 10 {
			tokens = append(tokens, base+int32((j*3+k)%4))
		}
		offsets = append(offsets, int32(len(tokens)))
	}
	c := &corpus{tokens: tokens, offsets: offsets}
	e := newEmbedding(8, 16, newTestRand(1))
	p := sgnsParams{window: 3, negatives: 5, lr: 0.05, threads: 1, updateOut: true}
	for pass := range 5 {
		if _, err := trainSGNS(context.Background(), e, c, newNegatives(c, 8), p, 1, uint64(pass)); err != nil {
			t.Fatal(err)
		}
	}
	score := func(a, b int) float64 {
		var s float64
		for k := range 16 {
			s += float64(e.in[a*16+k]) * float64(e.out[b*16+k])
		}
		return s
	}
	for a := range 8 {
		minSame, maxOther := math.Inf(1), math.Inf(-1)
		for b := range 8 {
			switch {
			case a == b: // a node is never its own context here (distance 4 in the pattern)
			case a/4 == b/4:
				minSame = min(minSame, score(a, b))
			default:
				maxOther = max(maxOther, score(a, b))
			}
		}
		if !(minSame > maxOther) {
			t.Errorf("node %d: lowest same-group score %.3f, highest other-group score %.3f", a, minSame, maxOther)
		}
	}
}
