// Package bench is tibench's experiment protocol: the data a model sees (Data), the interface a model
// implements to be benchmarked (Model and its optional capabilities), layered strict configuration
// (Config), the runner that trains, evaluates each epoch and selects the best validation epoch
// (Run), and result records in Go benchmark format (Record, WriteResults, ReadResults).
//
// Subpackages: bench/metrics (ranking and metric functions) and bench/tbatch (t-Batch).
//
// Protocols (see DESIGN.md): "online" reproduces the original JODIE evaluation, in which the model
// keeps learning while it streams the validation and test interactions; "frozen" fixes parameters
// after training while states (embeddings) still follow the observed interactions. Every record
// names the protocol and the time-delta normalisation it used.
package bench
