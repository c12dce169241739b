// Package nn provides the layers, initialisers, optimisers and checkpoints that tibench's models
// are built from, on top of the ag autodiff engine.
//
// Layers follow PyTorch's definitions and default initialisation so that a model ported from a
// paper's reference code starts from the same distribution: Linear (U(±1/√fan_in)), NormalLinear
// (N(0, 1/√fan_in), JODIE's projection), Embedding (N(0, 1), sparse gradient rows), RNNCell,
// GRUCell, LSTMCell (U(±1/√hidden)) and MLP. Every initialiser takes an explicit *rand.Rand.
//
// Optimisers (SGD, Adam, Adagrad) implement torch.optim's update rules, including L2 weight decay
// added to the gradient; KnownOptimizers and OptimizerByName select them by name. ClipGradNorm
// clips by global norm. StateTable keeps per-entity state vectors (JODIE's dynamic embeddings)
// whose rows carry their autodiff history within a backpropagation window. Save and Load write
// versioned, checksummed checkpoints of parameter values; CheckpointWriter and CheckpointReader
// write and read a whole training state (optimiser moments and step counts, state tables,
// counters), from which a model resumes bit-identically.
package nn
