// Package ag is tibench's tensor and reverse-mode automatic differentiation engine.
//
// The project was designed around gorgonia, but the Go module proxy available to it refuses
// gorgonia.org/gorgonia, gorgonia.org/tensor and gorgonia/cu (HTTP 403), so ag is a small engine of
// its own over gonum's BLAS. It offers what the models in tibench need and no more:
//
//   - dense row-major float32 matrices (Tensor), with (B·T)×D helpers for attention over padded
//     sequences;
//   - a define-by-run Tape, so data-dependent control flow (t-batches of varying size, windows of
//     several t-batches backpropagated together, variable-length sessions) is ordinary Go code;
//   - ops with hand-written backward passes, each checked against finite differences in float64;
//   - a NoGrad mode (Tape.SetGrad(false)) for evaluation;
//   - arena reuse: after warm-up a training step of fixed shape allocates nothing;
//   - a Backend interface behind every kernel. "cpu" (float32; gonum's pure-Go BLAS, or OpenBLAS with
//     the openblas build tag) and "cpu64" (float64, for gradient checks) are registered; a CUDA
//     backend can be added behind a build tag, since no Go slice of tensor memory crosses the API.
//
// Typical use:
//
//	be := ag.NewCPU()
//	W := ag.NewParam(be, "W", 4, 3)
//	tp := ag.NewTape(be)
//	for step := 0; step < n; step++ {
//		tp.Reset()
//		x := tp.Input(2, 4, data)
//		loss := tp.Mean(tp.Tanh(tp.MatMul(x, W)), ag.AxisAll)
//		if err := tp.Backward(loss); err != nil { ... }
//		// optimiser step on W (internal/nn), then W.ZeroGrad()
//	}
//
// Determinism: every kernel is sequential except matrix products, which are split into fixed
// bands of rows computed by fixed code; the same inputs give bit-identical outputs on every run.
package ag
