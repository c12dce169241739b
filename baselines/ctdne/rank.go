package ctdne

import (
	"math"

	"gonum.org/v1/gonum/blas/gonum"
)

// scorer ranks all items for a user by the similarity of their embeddings.
//
// Only items in the graph the embeddings were last computed on have an embedding; the others (not
// seen yet, or seen only since the last refresh) score −∞ and rank after every embedded item. A
// user not in that graph keeps its random initial vector, which ranks items at random: a static
// embedding knows nothing of a node it has not seen, and nothing here pretends otherwise.
type scorer struct {
	cosine  bool
	users   int
	dim     int
	items   []float32 // item vectors, row-major (unit length under cosine)
	present []bool    // per item: has an embedding
	user    []float32 // scratch
	blas    gonum.Implementation
}

func newScorer(similarity string, numUsers, numItems, dim int) *scorer {
	return &scorer{cosine: similarity == SimilarityCosine, users: numUsers, dim: dim,
		items: make([]float32, numItems*dim), present: make([]bool, numItems), user: make([]float32, dim)}
}

// reset takes the item vectors of e and which nodes are in the graph e was computed on.
func (s *scorer) reset(e *embedding, present []bool) {
	copy(s.items, e.in[s.users*s.dim:])
	copy(s.present, present[s.users:])
	if s.cosine {
		for i := range s.present {
			normalise(s.items[i*s.dim : (i+1)*s.dim])
		}
	}
}

// normalise scales v to unit length (a zero vector stays zero).
func normalise(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss > 0 {
		f := float32(1 / math.Sqrt(ss))
		for i := range v {
			v[i] *= f
		}
	}
}

// rank returns the rank of item among all items for a user with vector u: 1 + the number of
// items scored strictly higher (JODIE's rule).
func (s *scorer) rank(u []float32, item int32) int {
	copy(s.user, u)
	if s.cosine {
		normalise(s.user)
	}
	score := func(i int) float32 { return s.blas.Sdot(s.dim, s.user, 1, s.items[i*s.dim:(i+1)*s.dim], 1) }
	target := float32(math.Inf(-1))
	if s.present[item] {
		target = score(int(item))
	}
	r := 1
	for i, ok := range s.present {
		if ok && score(i) > target {
			r++
		}
	}
	return r
}
