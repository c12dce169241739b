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
//     rank = 1 + the number of items strictly more intense. Then the true interaction updates the
//     embeddings; under the online protocol the model also keeps training, one Adam step per window
//     as in training; under frozen it does not.
//   - State change: the JODIE paper's read-out for baselines (§5.2), the shared class-balanced
//     logistic regression (seqrec.FitReadout) on the user's embedding right after each training
//     interaction of the last epoch, applied to the user's embedding after each evaluated one.
//   - Not implemented: DeepCoevolve's time prediction (the Rayleigh process's expected next time,
//     t_last + √(π/(2·exp(s)))): tibench's row tasks have no record of predicted times (Prediction.Value
//     is the session tasks' dwell time), so it is left out rather than reported under another unit.
package deepcoevolve
