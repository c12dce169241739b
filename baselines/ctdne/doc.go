// Package ctdne is the CTDNE baseline of the JODIE paper (Table 3): Continuous-Time Dynamic
// Network Embeddings (Nguyen, Lee, Rossi, Ahmed, Koh and Kim, WWW'18 companion), node embeddings
// learned by skip-gram from temporal random walks, on the bipartite user–item interaction graph.
//
// # Graph and walks
//
// Every interaction (u, i, t) is an undirected temporal edge; users and items are the nodes of one
// vocabulary, and a pair seen k times is k parallel edges. A temporal walk starts with an edge's
// two endpoints (in a random orientation) and moves, from the node it is at, along one of that
// node's edges that comes later in the log than the edge it arrived by: times never decrease
// (CTDNE's time-respecting walk, T(v_i, v_{i+1}) ≤ T(v_{i+1}, v_{i+2})), and among equal times the
// log's order decides, so the walk never re-traverses the edge it came by. It ends after
// walk_length nodes or where no later edge exists.
//
// Start edges and next edges are chosen by one of CTDNE's rules (§3.1–3.2 of the paper). The
// paper's text is not in shared/papers: these are its definitions as recalled, with the
// exponential neighbour weight in the decaying form issue #14 gives; check them against the paper
// when it is added. The rules: uniform (the paper's best variant, the default); exponential, start edge e with weight
// exp((T(e) − t_last)/start_time_scale) (later edges favoured; the paper writes exp(T(e) − t_min),
// the same distribution for a unit scale), next edge with weight exp(−(t' − t)/time_scale)
// (temporally close edges favoured, t the time of the edge the walk arrived by); linear, start
// edges weighted by their rank in ascending time order, next edges by their rank in descending time
// order (so again later starts and closer steps are favoured). The paper's times are raw; here the
// scales are explicit because timestamps are seconds (see Config).
//
// A pass's corpus follows CTDNE's budget: walks are drawn until they hold β = R·N·(L − ω + 1)
// context windows (R walks_per_node, N nodes with an edge, L walk_length, ω window), walks shorter
// than min_walk_length (default ω) being discarded, with at most 10·R·N start edges tried. On
// interaction logs uniform temporal walks are short (each step jumps, on average, halfway to the
// end of the node's remaining edges), so that cap usually ends the pass: on synth-wikipedia about
// a fifth of the 922,700 walks tried reach ω = 10 nodes, 2.4 million tokens in all.
//
// # Skip-gram
//
// Skip-gram with negative sampling as word2vec's (written here): input vectors uniform in
// ±0.5/dim, output vectors zero; for each node of a walk a window reduced uniformly to 1..ω, five
// negatives from the corpus's unigram^0.75 table, a learning rate decayed linearly from lr to
// lr·1e-4 over the pass, float32. One goroutine (the default) gives bit-identical embeddings for a
// seed; more run Hogwild. Every pass draws from its own random streams, derived from the seed,
// the epoch and the refresh index, so no random state is carried between passes.
//
// # Epochs
//
// One epoch is one pass: a fresh corpus of walks over the training graph (rows [0, TrainEnd)) and
// one skip-gram pass over it, continuing from the current embeddings. run.epochs = 1 is CTDNE as
// published; each further epoch is another pass over a new corpus, and the runner keeps the epoch
// with the best validation metric.
//
// # Evaluation
//
// CTDNE's embeddings are static; the JODIE paper "re-ran it for every new edge". That is not
// affordable here, so evaluation re-embeds every refresh_every evaluated interactions (default: the
// validation + test stream in four equal blocks, three re-embeddings): a new corpus of walks on
// all rows seen so far, [0, i), and one skip-gram pass continuing from the current vectors. Each
// row is predicted from the embeddings of the last refresh before it (or the end of training):
// they only ever saw earlier rows, and between refreshes they are stale (rows revealed since the
// last refresh do not move them, and nodes first seen since have no embedding). The refreshes
// cost as much as a training epoch each and are part of the evaluation time in the results.
//
// Under the frozen protocol a refresh moves only the input vectors (the embeddings), against the
// output vectors fixed at the end of training (the trained parameters), as doc2vec infers the
// vector of a new document; under online it trains both, so the model keeps learning.
//
// Next-item: the items are ranked by the dot product (or cosine, Config.Similarity) of their
// input vector with the user's; items without an embedding rank last, and a user without one keeps
// its random initial vector. State change: the JODIE paper's read-out for models without a head, a
// class-balanced logistic regression (seqrec.FitReadout) fitted on the end-of-training embedding
// of each training row's user, applied to the user's current embedding.
package ctdne
