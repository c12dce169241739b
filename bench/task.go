package bench

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tibench/tibench/bench/metrics"
	"github.com/tibench/tibench/datasets"
)

// Task is what a run measures. Tasks are values registered by name (RegisterTask), like models:
// the runner, the config layer, the experiment files and the results never switch on a task's name.
// A task says which model capability it needs, builds its own view of the data, turns the stream
// of predictions into Scores, names its benchmark and units, and names its selection metric (whose
// direction comes from the metrics package's one table).
//
// Adding a task means one file in this package that implements Task and calls RegisterTask in
// init, plus its tests.
type Task interface {
	// Name is the task's key in configs (run.task) and result files, e.g. "next-item".
	Name() string
	// Bench is the benchmark name of its result records, e.g. "NextItem".
	Bench() string
	// Description is one line for `tibench list` and the docs.
	Description() string
	// Needs is the capability a model must have to run the task.
	Needs() Capability
	// Defaults fills the task's defaults into zero fields of r (split fractions, cutoffs, selection
	// metric); Validate checks the task-specific fields after that.
	Defaults(r *RunConfig)
	Validate(r RunConfig) error
	// View builds the data a model sees for the run (a row split, sessions, CTR samples).
	View(d *datasets.Dataset, r RunConfig) (*Data, error)
	// Units lists the test metrics of a record, in order (the selection metric is one of them).
	Units(r RunConfig) []string
	// NewScorer returns an accumulator of one evaluation pass's predictions.
	NewScorer(d *Data) Scorer
}

// Scorer turns the predictions of one evaluation pass into the Scores of each part. Add rejects a
// prediction that cannot belong to the pass (unknown part, bad rank, NaN); Scores checks that every
// expected prediction arrived.
type Scorer interface {
	Add(p Prediction) error
	Scores(part Part) (Scores, error)
}

// Capability is what a task needs from a model; each is an optional interface of this package,
// checked by type assertion.
type Capability int

// The capabilities.
const (
	// NeedsRanker: the model ranks all items for each evaluated row (Ranker).
	NeedsRanker Capability = iota + 1
	// NeedsStateClassifier: the model scores each evaluated row's state label (StateClassifier).
	NeedsStateClassifier
	// NeedsSessionPredictor: the model predicts each click's next item and dwell time in sessions
	// (SessionPredictor).
	NeedsSessionPredictor
	// NeedsCTRScorer: the model gives a click probability to each (user, history, target) sample
	// (CTRScorer).
	NeedsCTRScorer
)

// Check reports whether m has the capability (ErrCapability otherwise).
func (c Capability) Check(m Model) error {
	var ok bool
	switch c {
	case NeedsRanker:
		_, ok = m.(Ranker)
	case NeedsStateClassifier:
		_, ok = m.(StateClassifier)
	case NeedsSessionPredictor:
		_, ok = m.(SessionPredictor)
	case NeedsCTRScorer:
		_, ok = m.(CTRScorer)
	default:
		panic(fmt.Sprintf("bench: unknown capability %d", int(c)))
	}
	if !ok {
		return fmt.Errorf("%w: %T is not a %s", ErrCapability, m, c)
	}
	return nil
}

func (c Capability) String() string {
	switch c {
	case NeedsRanker:
		return "bench.Ranker (ranks all items)"
	case NeedsStateClassifier:
		return "bench.StateClassifier (state-change head)"
	case NeedsSessionPredictor:
		return "bench.SessionPredictor (next click and dwell time in sessions)"
	case NeedsCTRScorer:
		return "bench.CTRScorer (click probability of CTR samples)"
	}
	return fmt.Sprintf("Capability(%d)", int(c))
}

var (
	tasksMu sync.Mutex
	tasks   = map[string]Task{}
)

// RegisterTask makes a task available by name. It panics when the name is empty or taken (a
// programming error caught at start-up).
func RegisterTask(t Task) {
	tasksMu.Lock()
	defer tasksMu.Unlock()
	if t == nil || t.Name() == "" {
		panic("bench: RegisterTask with a nil task or an empty name")
	}
	if _, dup := tasks[t.Name()]; dup {
		panic("bench: task registered twice: " + t.Name())
	}
	tasks[t.Name()] = t
}

// TaskNames returns the registered task names, sorted.
func TaskNames() []string {
	tasksMu.Lock()
	defer tasksMu.Unlock()
	names := make([]string, 0, len(tasks))
	for n := range tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TaskByName returns the registered task called name, or an error listing the valid names.
func TaskByName(name string) (Task, error) {
	tasksMu.Lock()
	t, ok := tasks[name]
	tasksMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: task %q is not one of %s", ErrConfig, name, strings.Join(TaskNames(), ", "))
	}
	return t, nil
}

// CheckCapabilities reports whether m can run task.
func CheckCapabilities(m Model, task Task) error {
	if err := task.Needs().Check(m); err != nil {
		return fmt.Errorf("%w for the %s task", err, task.Name())
	}
	return nil
}

// checkSelection checks that r.Select is one of the task's units and a known, non-timing metric.
func checkSelection(t Task, r RunConfig) error {
	units := t.Units(r)
	if !slices.Contains(units, r.Select) {
		return fmt.Errorf("%w: run.select: %q is not a metric of the %s task (valid: %s)", ErrConfig, r.Select, t.Name(), strings.Join(units, ", "))
	}
	if m, err := metrics.Lookup(r.Select); err != nil || m.Timing {
		return fmt.Errorf("%w: run.select: %q has no direction in the metric table", ErrConfig, r.Select)
	}
	return nil
}

// checkCutoffs validates run.cutoffs (positive, distinct, ascending).
func checkCutoffs(r RunConfig) error {
	for i, k := range r.Cutoffs {
		if k < 1 || (i > 0 && k <= r.Cutoffs[i-1]) {
			return fmt.Errorf("%w: run.cutoffs: %v: want distinct positive cutoffs in ascending order", ErrConfig, r.Cutoffs)
		}
	}
	if len(r.Cutoffs) == 0 {
		return fmt.Errorf("%w: run.cutoffs: empty: the task ranks items and needs at least one cutoff", ErrConfig)
	}
	return nil
}
