package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Experiment is one configs/experiments/*.yaml file: the grid of runs behind one paper table or
// figure. Its settings sit between the dataset layer and the command line's -set.
type Experiment struct {
	// Name is the results subdirectory and the records' "experiment" key (e.g. "table3").
	Name string `yaml:"name"`
	// Description says which paper table or figure the experiment regenerates.
	Description string `yaml:"description"`
	// Task is a registered task: next-item (default), state-change, session or ctr.
	Task string `yaml:"task"`
	// Models and Datasets span the grid (quick profile). Models not registered yet are reported as
	// pending and skipped.
	Models   []string `yaml:"models"`
	Datasets []string `yaml:"datasets"`
	// Seeds overrides run.seeds for every run (quick profile); empty keeps the config's.
	Seeds []uint64 `yaml:"seeds"`
	// Set holds key=value settings applied to every run, as -set on the command line.
	Set []string `yaml:"set"`
	// Sweep varies one key; each value is a separate run with a variant name key. The sweep's value
	// is applied after every other setting, -set included, so that a run's variant always names the
	// value it ran with.
	Sweep *Sweep `yaml:"sweep"`
	// Paper overrides the grid for PROFILE=paper (real datasets, the paper's settings).
	Paper *Profile `yaml:"paper"`
	// Kind is what each run records: "train" (default: NextItem or StateChange metrics at the best
	// validation epoch), "epoch-time" (EpochTime: training time only, no evaluation) or
	// "early-warning" (EarlyWarning ratios of JODIE's Exp. 6 from the last epoch; state-change task)
	// or "evolution" (as train, then the embedding-evolution monitor over one more epoch and the
	// evaluation: Evolution, Maturity and Norms records; models that implement Embedder) or
	// "correlation" (as train, then TIN's semantic-temporal correlation in the data and as the model
	// learned it: Correlation records; ctr task, models that implement CorrelationProber).
	Kind string `yaml:"kind"`
}

// The experiment kinds.
const (
	KindTrain        = "train"
	KindEpochTime    = "epoch-time"
	KindEarlyWarning = "early-warning"
	// KindEvolution trains as KindTrain, then streams one more training epoch and the evaluation
	// with the embedding-evolution monitor attached (models that implement Embedder): records
	// NextItem (or the task's benchmark) plus Evolution, Maturity and Norms.
	KindEvolution = "evolution"
	// KindCorrelation trains as KindTrain, then measures TIN's semantic-temporal correlation
	// (SemanticTemporalCorrelation): records CTR plus Correlation.
	KindCorrelation = "correlation"
)

// Sweep is the variants of an experiment: a list of values for one config key (Key and Values), or
// named variants that each apply their own settings (Variants) — e.g. one switch at a time.
type Sweep struct {
	Key      string         `yaml:"key"`      // e.g. run.split.train
	Name     string         `yaml:"name"`     // the variant's key in result names, e.g. train
	Values   []string       `yaml:"values"`   // YAML scalars, e.g. "0.1"
	Variants []SweepVariant `yaml:"variants"` // instead of Key and Values
}

// SweepVariant is one named variant: its value in result names and the settings (key=value, as
// -set) that make it.
type SweepVariant struct {
	Value string   `yaml:"value"`
	Set   []string `yaml:"set"`
}

// check validates the sweep's form.
func (s *Sweep) check() error {
	switch {
	case s.Name == "":
		return fmt.Errorf("needs a name")
	case len(s.Variants) > 0 && (s.Key != "" || len(s.Values) > 0):
		return fmt.Errorf("has variants and key/values: use one form")
	case len(s.Variants) == 0 && (s.Key == "" || len(s.Values) == 0):
		return fmt.Errorf("needs key and values, or variants")
	}
	seen := map[string]bool{}
	for _, v := range s.Variants {
		if v.Value == "" || strings.ContainsAny(v.Value, "/= ") || seen[v.Value] {
			return fmt.Errorf("variant value %q: must be unique, non-empty, without '/', '=' or spaces", v.Value)
		}
		seen[v.Value] = true
		for _, set := range v.Set {
			if !strings.Contains(set, "=") {
				return fmt.Errorf("variant %s: setting %q is not key=value", v.Value, set)
			}
		}
	}
	return nil
}

// variants returns each variant's value and settings, in order.
func (s *Sweep) variants() []SweepVariant {
	if len(s.Variants) > 0 {
		return s.Variants
	}
	out := make([]SweepVariant, len(s.Values))
	for i, v := range s.Values {
		out[i] = SweepVariant{Value: v, Set: []string{s.Key + "=" + v}}
	}
	return out
}

// Profile is the paper profile's replacement models, datasets, seeds and extra settings.
type Profile struct {
	Models   []string `yaml:"models"`
	Datasets []string `yaml:"datasets"`
	Seeds    []uint64 `yaml:"seeds"`
	Set      []string `yaml:"set"`
}

// The profiles of `make reproduce`.
const (
	ProfileQuick = "quick"
	ProfilePaper = "paper"
)

// LoadExperiment reads and checks an experiment file (unknown keys are errors).
func LoadExperiment(path string) (*Experiment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	var e Experiment
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrConfig, path, oneLine(err))
	}
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s: %s", ErrConfig, path, key, fmt.Sprintf(format, args...))
	}
	switch {
	case e.Name == "" || strings.ContainsAny(e.Name, `/\ `):
		return nil, bad("name", "%q: want a non-empty name without slashes or spaces", e.Name)
	case len(e.Models) == 0:
		return nil, bad("models", "empty")
	case len(e.Datasets) == 0:
		return nil, bad("datasets", "empty")
	}
	if e.Task == "" {
		e.Task = TaskNextItem.Name()
	}
	if _, err := TaskByName(e.Task); err != nil {
		return nil, bad("task", "%q is not one of %s", e.Task, strings.Join(TaskNames(), ", "))
	}
	if e.Sweep != nil {
		if err := e.Sweep.check(); err != nil {
			return nil, bad("sweep", "%v", err)
		}
	}
	if err := e.checkKind(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	return &e, nil
}

func (e *Experiment) checkKind() error {
	switch e.Kind {
	case "":
		e.Kind = KindTrain
	case KindTrain, KindEpochTime, KindEvolution:
	case KindEarlyWarning:
		if t, err := TaskByName(e.Task); err != nil || t.Needs() != NeedsStateClassifier {
			return fmt.Errorf("kind: %s needs a task that scores state changes (task: %s)", KindEarlyWarning, TaskStateChange.Name())
		}
	case KindCorrelation:
		if e.Task != TaskCTR.Name() {
			return fmt.Errorf("kind: %s needs the %s task (task: %q)", KindCorrelation, TaskCTR.Name(), e.Task)
		}
	default:
		return fmt.Errorf("kind: %q is not one of %s, %s, %s, %s, %s", e.Kind, KindTrain, KindEpochTime, KindEarlyWarning, KindEvolution, KindCorrelation)
	}
	return nil
}

// PlanOptions select and locate the runs of an experiment.
type PlanOptions struct {
	ConfigDir  string   // holds defaults.yaml, models/, datasets/
	ResultsDir string   // results/<experiment>/... is written below it
	Profile    string   // quick (default) or paper
	Models     []string // keep only these models (nil: all)
	Datasets   []string // keep only these datasets (nil: all)
	Sets       []string // command-line -set, applied last but for the sweep's value of its key
	// Registered reports whether a model is implemented; unregistered ones become Pending.
	Registered func(model string) bool
}

// PlannedRun is one model × dataset × variant of an experiment, for all its seeds.
type PlannedRun struct {
	Experiment string
	Model      string
	Dataset    string // the dataset's key in result names and paths (DatasetKey)
	Variant    []KV   // the sweep's name key, if any
	Config     *Config
	Dir        string // results directory of this run's seeds
	Profile    string
	Kind       string // the experiment's kind
}

// ResultPath is where a seed's records go.
func (p *PlannedRun) ResultPath(seed uint64) string {
	return filepath.Join(p.Dir, "seed-"+strconv.FormatUint(seed, 10)+ResultExt)
}

// Label names the run in logs.
func (p *PlannedRun) Label(seed uint64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", p.Experiment, p.Model, p.Dataset)
	for _, kv := range p.Variant {
		fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value)
	}
	fmt.Fprintf(&b, " seed=%d", seed)
	return b.String()
}

// Plan resolves the configuration of every run of the experiment. It also returns the models that
// are listed but not implemented yet.
func (e *Experiment) Plan(opt PlanOptions) (runs []PlannedRun, pending []string, err error) {
	if err := e.checkKind(); err != nil {
		return nil, nil, fmt.Errorf("%w: experiment %s: %v", ErrConfig, e.Name, err)
	}
	modelList, datasetsList, seeds, sets := e.Models, e.Datasets, e.Seeds, slices.Clone(e.Set)
	switch opt.Profile {
	case "", ProfileQuick:
		opt.Profile = ProfileQuick
	case ProfilePaper:
		if e.Paper != nil {
			if len(e.Paper.Models) > 0 {
				modelList = e.Paper.Models
			}
			if len(e.Paper.Datasets) > 0 {
				datasetsList = e.Paper.Datasets
			}
			if len(e.Paper.Seeds) > 0 {
				seeds = e.Paper.Seeds
			}
			sets = append(sets, e.Paper.Set...)
		}
	default:
		return nil, nil, fmt.Errorf("%w: profile %q is not one of %s, %s", ErrConfig, opt.Profile, ProfileQuick, ProfilePaper)
	}
	keep := func(filter []string, v string) bool { return len(filter) == 0 || slices.Contains(filter, v) }
	variants := []SweepVariant{{}}
	if e.Sweep != nil {
		variants = e.Sweep.variants()
	}
	for _, model := range modelList {
		if !keep(opt.Models, model) {
			continue
		}
		if opt.Registered != nil && !opt.Registered(model) {
			pending = append(pending, model)
			continue
		}
		for _, ds := range datasetsList {
			if !keep(opt.Datasets, ds) {
				continue
			}
			for _, variant := range variants {
				// The run's identity comes before the dataset layer so that a dataset file may map a
				// short name to a path (configs/datasets/lastfm-prefix.yaml).
				layers := []Layer{
					{Path: filepath.Join(opt.ConfigDir, "defaults.yaml")},
					{Path: filepath.Join(opt.ConfigDir, "models", model+".yaml"), Optional: true},
					{Path: "experiment " + e.Name, Data: []byte(fmt.Sprintf("dataset: {name: %q}\nmodel: {name: %q}\nrun: {task: %s}\n", ds, model, e.Task))},
					{Path: filepath.Join(opt.ConfigDir, "datasets", ds+".yaml"), Optional: true},
				}
				all := slices.Clone(sets)
				if len(seeds) > 0 {
					all = append(all, "run.seeds="+seedList(seeds))
				}
				// The sweep's value goes last, after the command line: the variant names it in the
				// records (a -set of the swept key would otherwise relabel, e.g., an online run as
				// protocol=frozen).
				all = append(append(all, opt.Sets...), variant.Set...)
				cfg, err := LoadConfig(layers, all)
				if err != nil {
					return nil, nil, fmt.Errorf("experiment %s, model %s, dataset %s: %w", e.Name, model, ds, err)
				}
				key := DatasetKey(ds)
				if cfg.origin["dataset.name"] != filepath.Join(opt.ConfigDir, "datasets", ds+".yaml") {
					key = DatasetKey(cfg.Dataset.Name) // -set or the experiment named it, not a dataset file
				}
				run := PlannedRun{Experiment: e.Name, Model: model, Dataset: key, Config: cfg, Profile: opt.Profile, Kind: e.Kind,
					Dir: filepath.Join(opt.ResultsDir, e.Name, model, key)}
				if e.Sweep != nil {
					kv := KV{e.Sweep.Name, variant.Value}
					run.Variant = []KV{kv}
					run.Dir = filepath.Join(run.Dir, kv.Key+"="+kv.Value)
				}
				runs = append(runs, run)
			}
		}
	}
	return runs, pending, nil
}

// SweepOverrides returns the settings among sets (key=value) that would change the swept key: the
// key itself or a section that holds it. Plan applies the sweep's value after them, so they do
// not apply to this experiment's swept key; the caller reports them.
func (e *Experiment) SweepOverrides(sets []string) []string {
	if e.Sweep == nil {
		return nil
	}
	var out []string
	for _, s := range sets {
		key, _, _ := strings.Cut(s, "=")
		if slices.ContainsFunc(e.Sweep.Keys(), func(swept string) bool { return key == swept || strings.HasPrefix(swept, key+".") }) {
			out = append(out, s)
		}
	}
	return out
}

// Keys lists the config keys the sweep sets, in order of first appearance.
func (s *Sweep) Keys() []string {
	var keys []string
	for _, v := range s.variants() {
		for _, set := range v.Set {
			key, _, _ := strings.Cut(set, "=")
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

func seedList(seeds []uint64) string {
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = strconv.FormatUint(s, 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Records turns a finished run into result records: the task's benchmark (NextItem, StateChange,
// Dwell, CTR) with the task's test metrics at the best validation epoch, the validation value of the
// selection metric and timings — or EpochTime for timing experiments.
func (o *Outcome) Records(p *PlannedRun, seed uint64, d *Data, backend string, env []KV) []Record {
	best := o.BestEpoch()
	var rec Record
	if p.Kind == KindEpochTime {
		st := best.Stats
		rec = Record{Bench: "EpochTime", Values: []Value{{o.MeanTrain().Seconds(), "sec/epoch"},
			{float64(st.Interactions) / best.Train.Seconds(), "interactions/s"}, {float64(st.Batches), "batches/epoch"}}}
	} else {
		rec.Bench = d.Task.Bench()
		for _, u := range d.Task.Units(p.Config.Run) {
			if v, ok := best.Test[u]; ok { // a unit the model does not predict (DwellPredictor) is left out
				rec.Values = append(rec.Values, Value{v, u})
			}
		}
		rec.Values = append(rec.Values, Value{best.Val[o.Select], "val-" + o.Select},
			Value{float64(best.Epoch), "epochs"}, Value{o.MeanTrain().Seconds(), "sec/epoch"}, Value{o.MeanEval().Seconds(), "sec/eval"})
	}
	rec.Name, rec.Config = p.recordName(), p.recordConfig(seed, d, backend, env)
	return []Record{rec}
}

func (p *PlannedRun) recordName() []KV {
	return append([]KV{{"model", p.Model}, {"dataset", p.Dataset}}, p.Variant...)
}

func (p *PlannedRun) recordConfig(seed uint64, d *Data, backend string, env []KV) []KV {
	r := p.Config.Run
	cfg := []KV{{"experiment", p.Experiment}, {"seed", strconv.FormatUint(seed, 10)}, {"task", d.Task.Name()},
		{"protocol", string(d.Protocol)}}
	if d.Time != nil { // row tasks
		cfg = append(cfg, KV{"normalisation", string(d.Time.Norm)})
	}
	cfg = append(cfg, KV{"backend", backend}, KV{"split", d.splitString(r)}, KV{"profile", p.Profile})
	if p.Config.Dataset.Name != p.Dataset {
		cfg = append(cfg, KV{"dataset-path", p.Config.Dataset.Name})
	}
	if c := p.Config.Dataset.Categories; c != "" {
		cfg = append(cfg, KV{"categories", c})
	}
	return append(cfg, env...)
}

// ErrPending is returned for an experiment none of whose models is implemented yet.
var ErrPending = errors.New("bench: no implemented model in the experiment")

// splitString describes the run's split for the records: the row split's boundaries, the session
// counts, or the CTR sample counts.
func (d *Data) splitString(r RunConfig) string {
	switch {
	case d.Sessions != nil:
		return fmt.Sprintf("sessions %d/%d/%d by start time", len(d.Sessions.Train), len(d.Sessions.Val), len(d.Sessions.Test))
	case d.CTR != nil:
		return fmt.Sprintf("leave-one-out samples %d/%d/%d, negative seed %d", len(d.CTR.Train), len(d.CTR.Val), len(d.CTR.Test), r.CTR.NegativeSeed)
	}
	return d.Split.String()
}

// DatasetKey is a dataset's key in result names and paths: a preset or registered name as it is,
// a CSV path by its base name without extension (/data/wiki.csv → wiki), so that no path separator
// reaches a benchmark name (benchfmt splits names at '/').
func DatasetKey(name string) string {
	if !strings.ContainsAny(name, `/\`) && !strings.HasSuffix(name, ".csv") {
		return name
	}
	base := filepath.Base(name)
	return strings.TrimSuffix(base, filepath.Ext(base))
}
