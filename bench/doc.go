// Package bench is tibench's experiment protocol: the data a model sees (Data, built by a task),
// the interface a model implements to be benchmarked (Model and its optional capabilities Ranker,
// StateClassifier, SessionPredictor, CTRScorer, Checkpointer), the tasks (Task: next-item,
// state-change, session and ctr, registered by name), layered strict configuration (Config), the
// epoch loop that trains, evaluates and selects the best validation epoch in the selection
// metric's direction (Train, Resume), experiment plans, and result records in Go benchmark format
// (Record, WriteRun, ReadResults).
//
// bench never imports the engine (internal/ag, internal/nn): it is the layer between the data
// (datasets) and the models; docs/architecture.md draws the whole stack.
//
// Subpackages: bench/metrics (metric functions and the one table of unit directions) and
// bench/tbatch (t-Batch).
//
// Protocols: "online" reproduces the original JODIE evaluation, in which the model keeps learning
// while it streams the validation and test interactions; "frozen" fixes parameters after training
// while states (embeddings) still follow the observed interactions. Every record names the task,
// the protocol and (for the row tasks) the time-delta normalisation it used.
package bench
