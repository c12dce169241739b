// Package all registers every model with the models registry: blank-import it where all models
// must be available (the CLI, the smoke tests, the benchmarks).
package all

import (
	_ "github.com/tibench/tibench/baselines/crnn"
	_ "github.com/tibench/tibench/baselines/latentcross"
	_ "github.com/tibench/tibench/baselines/lstm"
	_ "github.com/tibench/tibench/baselines/popularity"
	_ "github.com/tibench/tibench/baselines/repeatlast"
	_ "github.com/tibench/tibench/baselines/rrn"
	_ "github.com/tibench/tibench/baselines/timelstm"
	_ "github.com/tibench/tibench/models/jodie"
)
