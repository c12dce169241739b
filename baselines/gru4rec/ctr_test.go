package gru4rec

import (
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr/ctrtest"
)

const ctrSmall = "    item_dim: 8\n    category_dim: 8\n    hidden: [16, 8]\n    batch_size: 64\n"

// TestCTRGradients: float64 gradient check of the whole net (embeddings, GRU over padded
// histories, head) on a batch of Tiny's training samples, with and without batch norm.
func TestCTRGradients(t *testing.T) {
	tiny := "    item_dim: 2\n    category_dim: 2\n    hidden: [3]\n"
	ctrtest.CheckGradients(t, CTRSpec, tiny)
	ctrtest.CheckGradients(t, CTRSpec, tiny+"    batch_norm: false\n")
}

// TestCTRCommon: the shared CTR model tests (ctrtest.Common): two epochs on the test CTR set beat a
// constant predictor clearly, determinism, config file, registration, refused keys.
func TestCTRCommon(t *testing.T) {
	ctrtest.Common(t, CTRSpec, ctrSmall, 0.05, 0.7, append(ctrtest.TINSwitches, ctrtest.TransformerKeys...)...)
}
