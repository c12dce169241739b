// Package session is the engine shared by JUMP (Zhou et al., IJCAI 2018) and its comparators on
// tibench's session task (bench.TaskSession): after each click of a session, predict the dwell
// time on the clicked item and the next click among ALL items.
//
// Training takes one of two forms (Config.BPTT; each model's default is its original's):
//
//   - "click", GRU4Rec's session-parallel mini-batching (Hidasi et al., ICLR 2016, §3.1.1):
//     BatchSize lanes each hold one session; every step feeds each lane's current click, and a lane
//     whose session ends takes the next session (in an order drawn per epoch from the seed) with
//     its state reset. The recurrent state is carried from step to step but gradients are
//     truncated at every click (one optimiser step per batch step): what a net does inside one
//     click (JUMP's several fast cells, attention over the session's earlier hidden states, which
//     enter as constants) is backpropagated, earlier clicks are not.
//   - "session" (bptt.go): mini-batches of BatchSize whole sessions, each run click by click on one
//     tape with every state and history live, the loss of every click summed and backpropagated
//     through the whole session, one optimiser step per mini-batch: the gradients of NARM's
//     prefix training and of the sequence likelihoods of RMTPP, ATRP, NSR and JUMP.
//
// The next click is scored against every item with one matrix product per step (v·Vᵀ over the
// net's output table, the engine's packed GEMM) and trained with the full softmax cross-entropy
// (or GRU4Rec's pairwise losses, Config.Loss; or, for large item sets, a sampled softmax,
// Config.SampledSoftmax, with sparse Adam, Config.SparseAdam). Nets with a dwell head (DwellNet)
// add the censored likelihood of their dwell law: JUMP's log-normal (dwell.go), RMTPP's exponential
// intensity (pointprocess.go) or a discrete hazard (survival.go), evaluated in float64 on the host
// and entering the tape through a surrogate whose gradient is the law's. Models checkpoint between
// epochs (checkpoint.go).
//
// Evaluation streams the validation, then the test sessions through lanes of EvalBatch (sessions
// are independent, so the lane count never changes a prediction) and reports, for click k of a
// session, the predicted dwell time on it (Prediction.Value) and the rank among all items of the
// item of click k+1 (Prediction.Rank; 0 for the last click).
package session
