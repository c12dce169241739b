// Package deepcoevolve implements DeepCoevolve (Dai, Wang, Trivedi, Song: "Deep Coevolutionary
// Network: Embedding User and Item Features for Recommendation", 2016) as the JODIE paper ran it as
// a baseline (next-item ranking, user state change), on the coupled-state machinery it shares with
// JODIE (internal/coupled).
//
//   - Update: at each interaction (u, i, t) both embeddings move, coupled: u' = tanh(W·[i, Δu, f] +
//     U·u + b) and i' = tanh(W'·[u, Δi, f] + U'·i + b'), the paper's simple recurrent update with
//     its four terms (the entity's own previous embedding, the other side's, the time since the
//     entity's previous interaction, the interaction features), tanh as σ. Δu and Δi are the
//     z-scored time deltas JODIE reads. Embeddings do not move between interactions (no projection:
//     that is JODIE's difference). Every user (item) starts from one learned initial vector.
//   - Intensity: a Rayleigh process per (user, item) pair, λ(u, j, t) = exp(s(u, j))·Δ with
//     s(u, j) = uᵀj·score_scale, read from the embeddings just before the interaction, and Δ the
//     user's time since its previous interaction in units of time_scale (a user's first interaction
//     has Δ = 0: the user's process starts when the user appears). score_scale defaults to 1/√dim, a
//     departure: with tanh states |uᵀj| can reach dim, and exp(128) overflows float32; 1/√dim keeps
//     every intensity finite (score_scale: 1 is the paper's).
//   - Loss per interaction: −log λ(u, i, t) + the survival term, the integral of the user's
//     intensity towards every item over (t − Δ, t]: Σ_j exp(s(u, j))·Δ²/2 (the Rayleigh
//     integral). The sum over all N items is estimated, unbiasedly, as (N/K)·Σ_k exp(s(u, j_k))·Δ²/2
//     over K items j_k drawn uniformly with replacement (negatives, default 10 as the JODIE paper
//     ran it). The items' side of the integral is not added (each pair's integral is counted once,
//     on its user's gap). The constant log Δ of −log λ is left out of the reported loss (it is −∞
//     when Δ = 0 and carries no gradient). Negatives are drawn from PCG(seed, epoch·2³² + row):
//     a row's negatives do not depend on the batching, so t-Batch on and off draw the same ones.
//   - Training: the same t-Batch windows and truncated backpropagation as JODIE (span/windows;
//     one backward pass and one Adam step per window, the embeddings detached after it), or one
//     interaction per batch with tbatch: off. Within a t-batch a negative item may have been
//     updated by a later-in-time interaction of an earlier t-batch: t-Batch's independence holds
//     for the interactions' own users and items, not for sampled negatives.
//   - Next-item: all items ranked by their intensity at the query time, λ(u, j, t) = exp(s(u, j))·Δ
//     with the user's Δ, common to every item, so the rank is that of s(u, j) (ItemScoring "dot");
//     ties averaged (1 + items strictly more intense + half the equal ones: see rank in eval.go for
//     why not the optimistic rule). Then the true interaction updates the
//     embeddings; under the online protocol the model also keeps training, one Adam step per window
//     as in training; under frozen it does not.
//   - State change: the JODIE paper's read-out for baselines (§5.2), the shared class-balanced
//     logistic regression (seqrec.FitReadout) on the user's embedding right after each training
//     interaction of the last epoch, applied to the user's embedding after each evaluated one.
//   - Checkpoints (checkpoint.go): parameters, Adam, state tables, replay caches, the epoch counter
//     of the negatives' streams and the recorded read-out inputs; resuming is bit-identical.
//   - Not implemented: DeepCoevolve's time prediction (the Rayleigh process's expected next time,
//     t_last + √(π/(2·exp(s)))): tibench's row tasks have no record of predicted times (Prediction.Value
//     is the session tasks' dwell time), so it is left out rather than reported under another unit.
//
// What it learns here, measured (the quick profile's 2 epochs, seeds 1–3): test MRR 0.09–0.13 on
// synth-wikipedia-small (popularity 0.076, repeat-last 0.81, JODIE 0.64), 0.10–0.14 on
// synth-reddit-small (popularity 0.122) and 0.04–0.06 on synth-lastfm-small (popularity 0.124); more
// epochs, 10× or 0.1× the learning rate, 100 or 334 negatives (≈ the exact survival sum), the
// paper's score_scale or other time scales do not lift it above ≈ 0.18. The model can learn: on a
// log where each user always returns to one item it reaches MRR 0.99 (TestLearnsFixedPreferences).
// The reason is the likelihood, not the estimator: −log λ + survival = −log softmax_i(s) −
// log(ZΔ) + ZΔ²/2 with Z = Σ_j exp(s(u, j)), so items are contrasted only in proportion to Δ², and
// on these bursty logs (median Δ 0.009 time units, 99th percentile 17) most interactions carry
// almost no contrast while a few carry a huge one; the state before an interaction cannot know the
// coming Δ to adapt Z. The JODIE paper reports MRR 0.515 on Wikipedia with code that is not public
// (REFERENCE-NOTES): how its authors trained or ranked it may differ; this package keeps the
// published model and says so.
package deepcoevolve
