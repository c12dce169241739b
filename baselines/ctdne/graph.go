package ctdne

import (
	"math"
	"sort"
)

// graph is the temporal bipartite interaction graph of the log's rows [0, n): one undirected
// temporal edge per interaction, so a user–item pair seen k times is k parallel edges. Nodes are
// one vocabulary: users 0..U−1, then items U..U+I−1.
//
// Each node's incident edges are kept in row order, which is time order (the log is sorted by
// time; equal times keep the log's order), in a compressed adjacency (CSR): node v's edges are
// entries [start[v], start[v+1]).
type graph struct {
	numNodes int
	users    int // nodes below this are users
	n        int // rows in the graph: [0, n)

	start []int32   // CSR offsets, len numNodes+1
	other []int32   // the edge's other endpoint
	row   []int32   // the edge's row (its position in time order)
	time  []float64 // the edge's time

	// rowTime[r] and the endpoints of row r, for start-edge selection.
	rowUser, rowItem []int32
	rowTime          []float64

	// Filled only for the exponential biases (log-space cumulative weights, see bias.go).
	nbrLogTail  []float64 // per CSR entry: log Σ_{j ≥ k, same node} exp(−(t_j − t_first(v))/scale)
	rowLogHead  []float64 // per row: log Σ_{j ≤ r} exp((t_j − t_last)/startScale)
	nbrScale    float64
	startScale  float64
	present     []bool // node has at least one edge
	presentSize int    // number of nodes with an edge
}

// newGraph builds the graph of rows [0, n) of the log (users, items, times in row order).
func newGraph(users, items []int32, times []float64, numUsers, numItems, n int) *graph {
	numNodes := numUsers + numItems
	g := &graph{numNodes: numNodes, users: numUsers, n: n,
		start:   make([]int32, numNodes+1),
		rowUser: users[:n], rowItem: items[:n], rowTime: times[:n],
		present: make([]bool, numNodes),
	}
	for r := range n {
		g.start[users[r]+1]++
		g.start[int32(numUsers)+items[r]+1]++
	}
	for v := range numNodes {
		g.start[v+1] += g.start[v]
	}
	g.other = make([]int32, 2*n)
	g.row = make([]int32, 2*n)
	g.time = make([]float64, 2*n)
	next := make([]int32, numNodes)
	copy(next, g.start[:numNodes])
	put := func(v, w int32, r int) {
		k := next[v]
		next[v]++
		g.other[k], g.row[k], g.time[k] = w, int32(r), times[r]
	}
	// Rows are visited in order, so every node's entries come out in row order.
	for r := range n {
		u, i := users[r], int32(numUsers)+items[r]
		put(u, i, r)
		put(i, u, r)
	}
	for v := range numNodes {
		if g.start[v+1] > g.start[v] {
			g.present[v] = true
			g.presentSize++
		}
	}
	return g
}

// edges returns node v's CSR range.
func (g *graph) edges(v int32) (lo, hi int) { return int(g.start[v]), int(g.start[v+1]) }

// after returns the first CSR index of v's edges whose row is later than r: the edges a walk that
// reached v through row r may take next (their times are no earlier than row r's).
func (g *graph) after(v int32, r int32) (lo, hi int) {
	lo, hi = g.edges(v)
	k := sort.Search(hi-lo, func(j int) bool { return g.row[lo+j] > r })
	return lo + k, hi
}

// meanGap is the mean time between consecutive edges of the same node (the auto time scale of the
// exponential neighbour bias): Σ_v (t_last(v) − t_first(v)) / Σ_v (deg(v) − 1). It is 1 when no
// node has two edges or every gap is zero.
func (g *graph) meanGap() float64 {
	var span float64
	var gaps int
	for v := range g.numNodes {
		lo, hi := g.edges(int32(v))
		if hi-lo >= 2 {
			span += g.time[hi-1] - g.time[lo]
			gaps += hi - lo - 1
		}
	}
	if gaps == 0 || !(span > 0) {
		return 1
	}
	return span / float64(gaps)
}

// span is the time between the graph's first and last edges (1 when it is zero).
func (g *graph) span() float64 {
	if g.n == 0 || !(g.rowTime[g.n-1] > g.rowTime[0]) {
		return 1
	}
	return g.rowTime[g.n-1] - g.rowTime[0]
}

// prepareExponential fills the log-space cumulative weights the exponential biases sample from.
func (g *graph) prepareExponential(nbrScale, startScale float64, nbr, start bool) {
	if nbr {
		g.nbrScale = nbrScale
		g.nbrLogTail = make([]float64, len(g.other))
		for v := range g.numNodes {
			lo, hi := g.edges(int32(v))
			acc := math.Inf(-1)
			for k := hi - 1; k >= lo; k-- {
				acc = logAddExp(acc, -(g.time[k]-g.time[lo])/nbrScale)
				g.nbrLogTail[k] = acc
			}
		}
	}
	if start && g.n > 0 {
		g.startScale = startScale
		g.rowLogHead = make([]float64, g.n)
		last := g.rowTime[g.n-1]
		acc := math.Inf(-1)
		for r := range g.n {
			acc = logAddExp(acc, (g.rowTime[r]-last)/startScale)
			g.rowLogHead[r] = acc
		}
	}
}

// logAddExp is log(e^a + e^b) without overflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}
