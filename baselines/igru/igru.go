// Package igru is the "IGRU" row of JUMP's Table 3: GRU4Rec with the improvements of Hidasi and
// Karatzoglou, "Recurrent Neural Networks with Top-k Gains for Session-based Recommendations"
// (CIKM 2018; arXiv 2017): additional negative samples shared by the mini-batch, drawn in
// proportion to popularity^α, and the BPR-max / TOP1-max losses, which weight each negative by a
// softmax over the negatives' scores (package session, Model.maxLoss). The network is GRU4Rec's
// (package gru4rec): item embedding, GRU, scores against an output table; evaluation ranks ALL
// items. Training is GRU4Rec's session-parallel mini-batching with gradients truncated at every
// click (bptt: click), as in that code. It has no dwell head: its dwell prediction is 0 s (Table 2
// has no IGRU row).
package igru

import (
	"math/rand/v2"

	"github.com/tibench/tibench/baselines/gru4rec"
	"github.com/tibench/tibench/baselines/internal/session"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
	"github.com/tibench/tibench/models"
)

func init() {
	models.Register("igru", "IGRU: GRU4Rec with extra popularity-sampled negatives and BPR-max/TOP1-max (Hidasi & Karatzoglou 2018)", New)
}

// Spec describes IGRU to the session engine.
var Spec = session.Spec{
	Name:        "igru",
	Uses:        []string{session.KeyLoss, session.KeyNegatives},
	DefaultLoss: session.LossBPRMax,
	DefaultBPTT: session.BPTTClick,
	Build: func(c session.Config, d session.Dims, be ag.Backend, r *rand.Rand) (session.Net, error) {
		return gru4rec.NewNamedNet(be, "igru", c.Dim, d.Items, r), nil
	},
}

// New decodes the parameters (configs/models/igru.yaml).
func New(params bench.ModelParams, env models.Env) (models.Model, error) {
	return session.New(Spec, params, env.Backend, env.Log)
}
