// Package ctr is the engine shared by TIN (Zhou, Pan et al., WWW 2024) and its click-through-rate
// comparators: batching of leave-one-out CTR samples (history capped by the task, padded to the
// longest history of the batch, with masks and target-relative positions and time bins), item and
// category embeddings, batch normalisation, the MLP head with a per-item bias, pointwise logloss
// training with Adam and global-norm gradient clipping, and evaluation that reports a logit and a
// probability per sample (bench.CTRScorer). A model supplies a Net: its parameters and the logits
// of a batch.
//
// Defaults follow the TIN authors' code (REFERENCE-NOTES, 2026-11-23): item and category
// embeddings of 64 each, batch 32 (evaluation 512), Adam at TensorFlow's default rate 0.001,
// global-norm clipping at 5, an MLP 80 → 40 → 1 with sigmoid activations after a batch norm.
package ctr
