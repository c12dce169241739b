package main

// The program is assembled here: every model package registers itself with the models registry in
// init, and this is the one place that imports them all (the registry itself imports none).
import (
	_ "github.com/tibench/tibench/baselines/atrp"
	_ "github.com/tibench/tibench/baselines/bert4rec"
	_ "github.com/tibench/tibench/baselines/bst"
	_ "github.com/tibench/tibench/baselines/crnn"
	_ "github.com/tibench/tibench/baselines/ctdne"
	_ "github.com/tibench/tibench/baselines/deepcoevolve"
	_ "github.com/tibench/tibench/baselines/dien"
	_ "github.com/tibench/tibench/baselines/din"
	_ "github.com/tibench/tibench/baselines/dsin"
	_ "github.com/tibench/tibench/baselines/dtgru"
	_ "github.com/tibench/tibench/baselines/gru4rec"
	_ "github.com/tibench/tibench/baselines/igru"
	_ "github.com/tibench/tibench/baselines/jump"
	_ "github.com/tibench/tibench/baselines/latentcross"
	_ "github.com/tibench/tibench/baselines/lstm"
	_ "github.com/tibench/tibench/baselines/narm"
	_ "github.com/tibench/tibench/baselines/nsr"
	_ "github.com/tibench/tibench/baselines/popularity"
	_ "github.com/tibench/tibench/baselines/repeatlast"
	_ "github.com/tibench/tibench/baselines/rmtp"
	_ "github.com/tibench/tibench/baselines/rrn"
	_ "github.com/tibench/tibench/baselines/sasrec"
	_ "github.com/tibench/tibench/baselines/timelstm"
	_ "github.com/tibench/tibench/baselines/tin"
	_ "github.com/tibench/tibench/models/jodie"
)
