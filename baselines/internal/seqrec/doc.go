// Package seqrec is the machinery shared by tibench's recurrent sequence baselines — lstm,
// timelstm, rrn, latentcross and crnn — so that the five differ only in their recurrence (a Net)
// and are trained, evaluated and read out under one protocol, the JODIE paper's (§5).
//
// # Training
//
// Every user's interactions form a sequence. A Net's Step takes a batch of interactions of distinct
// users, scores ALL items for each from the user's state before the interaction (a softmax over
// the catalogue: items enter as learned embeddings, the row-gather form of the one-hot inputs the
// papers describe), then reveals the interactions and advances the states. Models whose users are
// independent run users in parallel lanes (Lanes: session-parallel mini-batches with truncated
// BPTT, a finished user handing its lane to the next, in an order drawn from the seed each epoch);
// rrn, whose scores read every item's own recurrent state, runs on t-batches (Coupled). Each
// window of Config.BPTT steps sums the cross-entropy of its rows, takes one backward pass and one
// Adam step, and detaches the states. Users with no history start from a learned initial state
// (Table.Init). Optional inputs: Δt, the interaction's features, the time of day and week (Inputs).
//
// # Evaluation
//
// Evaluate starts from the end-of-training states, computed by replaying the training rows with
// the final parameters, and streams the validation and test rows in time order: each row is ranked
// among all items (rank = 1 + the number of items scored strictly higher, JODIE's rule) from the
// states before it, then revealed. "frozen" keeps the parameters; "online" keeps learning, one
// Adam step per block of rows, as JODIE's evaluation does, and restores them afterwards.
//
// # State change
//
// As the JODIE paper did for its baselines, the state-change task fits a logistic regression with
// balanced class weights on the dynamic user embedding after every training interaction
// (FitReadout) and scores each evaluated interaction with its logit.
package seqrec
