// Package models is tibench's registry of benchmarked models. Each model lives in its own package
// (models/jodie, baselines/popularity, ...) and registers a constructor in init:
//
//	func init() { models.Register("jodie", "JODIE: coupled user/item RNNs with projection (KDD'19)", New) }
//
// The runner (package bench) sees only the bench.Model interface and its optional capabilities
// (bench.Ranker, bench.StateClassifier, ...), checked by type assertion; nothing dispatches on a
// model's name. Blank-import models/all to register every model.
package models

import (
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/ag"
)

// Model is the interface every registered model implements (defined by the runner in package bench).
type Model = bench.Model

// Env is what a model constructor may use besides its parameters.
type Env struct {
	// Backend runs the model's tensors (nil for models without any).
	Backend ag.Backend
	// Log receives progress lines and warnings (stderr in the CLI); never nil.
	Log io.Writer
}

// Factory builds a model from its layered parameters (decoded strictly into the model's own typed
// config with params.Decode).
type Factory func(params bench.ModelParams, env Env) (Model, error)

type entry struct {
	description string
	factory     Factory
}

var (
	mu       sync.Mutex
	registry = map[string]entry{}
)

// Register makes a model available by name. It panics when the name is empty or already taken
// (a programming error caught at start-up).
func Register(name, description string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if name == "" || f == nil {
		panic("models: Register with an empty name or nil factory")
	}
	if _, dup := registry[name]; dup {
		panic("models: model registered twice: " + name)
	}
	registry[name] = entry{description, f}
}

// Names returns the registered model names, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Describe returns a model's one-line description.
func Describe(name string) string {
	mu.Lock()
	defer mu.Unlock()
	return registry[name].description
}

// New constructs a registered model, or returns an error listing the valid names.
func New(name string, params bench.ModelParams, env Env) (Model, error) {
	mu.Lock()
	e, ok := registry[name]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("models: unknown model %q (valid: %v)", name, Names())
	}
	if env.Log == nil {
		env.Log = io.Discard
	}
	m, err := e.factory(params, env)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	return m, nil
}
