package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tibench/tibench/datasets"
)

// Config is one run's configuration, resolved from YAML layers (RecBole's order):
// configs/defaults.yaml < configs/models/M.yaml < configs/datasets/D.yaml < the experiment file's
// settings < `-set key=value`. Every layer is decoded strictly: an unknown key is an error naming the
// file, line and key. Zero values mean the documented default (see Defaults and the field comments).
type Config struct {
	Dataset DatasetConfig `yaml:"dataset"`
	Model   ModelConfig   `yaml:"model"`
	Run     RunConfig     `yaml:"run"`

	// origin records which layer last set each key (for error messages).
	origin map[string]string
}

// DatasetConfig says where the interactions come from.
type DatasetConfig struct {
	// Name is a synthetic preset (synth-wikipedia, synth-reddit-small, ...), a registered real
	// dataset (wikipedia, reddit, lastfm, mooc; downloaded into the cache), or a path to a JODIE CSV.
	Name string `yaml:"name"`
	// Lenient skips malformed rows of a CSV (counted and reported) instead of failing. Default false.
	Lenient bool `yaml:"lenient"`
	// Sort sorts a CSV's rows by time (stable) instead of rejecting out-of-order rows. Default false.
	Sort bool `yaml:"sort"`
	// SynthSeed seeds the synthetic generator. Default 1 (0 means 1), fixed across model seeds so that
	// every seed of every model sees the same data.
	SynthSeed uint64 `yaml:"synth_seed"`
	// Categories is the path of an item-category file (header `item_id,category`, or DIGINETICA's
	// product-categories.csv, `itemId;categoryId`), applied when the data is opened: items it does
	// not list share one unknown category, items it lists that the data lacks are ignored, both
	// counted in the run log; an item listed with two categories is an error naming both lines.
	// Default "": the data's own categories (synthetic presets), or none.
	Categories string `yaml:"categories,omitempty"`
}

// ModelConfig names the model and carries its own parameters, decoded later by the model into its
// typed struct (ModelParams.Decode), layer by layer, strictly.
type ModelConfig struct {
	Name   string      `yaml:"name"`
	Params ModelParams `yaml:"params"`
}

// RunConfig is the protocol of a run.
type RunConfig struct {
	// Task is a registered task (`tibench list`): next-item (default), state-change, session or ctr.
	Task string `yaml:"task"`
	// Protocol is frozen (default) or online.
	Protocol Protocol `yaml:"protocol"`
	// Normalisation of time deltas: train (default; statistics of the training part) or global
	// (statistics of the whole sequence, as the original JODIE code, which leaks test statistics).
	Normalisation datasets.Normalisation `yaml:"normalisation"`
	// Split fractions; zero means the task's default (80/10/10 next-item, 60/20/20 state-change,
	// 70/10/20 of the sessions for session; the ctr task splits leave-one-out and takes none).
	Split SplitConfig `yaml:"split"`
	// Cutoffs are the rank cutoffs k of Recall@k, NDCG@k and MRR@k; default the task's ([10] for
	// next-item as JODIE's tables, [20] for session as JUMP's).
	Cutoffs []int `yaml:"cutoffs,flow"`
	// Select is the validation metric that picks the best epoch, in its direction from the metric
	// table (MAE and logloss: lowest wins). Default the task's: MRR, AUC, MRR@20, logloss.
	Select string `yaml:"select"`
	// Sessions says how the session task cuts sessions and censors dwell times.
	Sessions SessionConfig `yaml:"sessions,omitempty"`
	// CTR says how the ctr task builds its samples.
	CTR CTRRunConfig `yaml:"ctr,omitempty"`
	// LengthBuckets break the test metrics down by sequence length, each bucket "MIN-MAX" or
	// "MIN-" (inclusive): sessions by clicks for the session task (JUMP Fig. 7), samples by the
	// length of their behaviour history for the ctr task (TIN Table 3). Each bucket adds units such
	// as recall@20/len=2-6; an empty bucket records none. Default none. The row tasks reject it.
	LengthBuckets []LengthBucket `yaml:"length_buckets,flow,omitempty"`
	// Epochs is the number of training epochs. Default 10.
	Epochs int `yaml:"epochs"`
	// Patience stops training after this many epochs without a better validation metric.
	// Default 0: no early stopping.
	Patience int `yaml:"patience"`
	// Seeds are the repetitions of the run. Default [1, 2, 3].
	Seeds []uint64 `yaml:"seeds"`
	// Backend is the compute backend (see `tibench backends`). Default "cpu".
	Backend string `yaml:"backend"`
	// Checkpoint is "epoch" (default): models that implement bench.Checkpointer save their whole
	// training state after every epoch beside the run's result file, so `tibench run -resume`
	// continues a killed run from its last finished epoch with the same metrics, bit for bit; the
	// checkpoint is deleted when the run's results are written. "off" saves nothing (runs whose state
	// is too large to write every epoch).
	Checkpoint string `yaml:"checkpoint"`
	// Monitor configures the embedding-evolution monitor of `kind: evolution` experiments.
	Monitor MonitorConfig `yaml:"monitor,omitempty"`
}

// MonitorConfig bounds the embedding-evolution monitor (bench/monitor.Config).
type MonitorConfig struct {
	// Sample is how many entities per side keep their whole trajectory. Default 1000.
	Sample int `yaml:"sample"`
	// Threshold is the relative update size below which an update counts as small (maturity).
	// Default 0.05.
	Threshold float64 `yaml:"threshold"`
}

// SplitConfig gives chronological split fractions.
type SplitConfig struct {
	Train float64 `yaml:"train"`
	Val   float64 `yaml:"val"`
	Test  float64 `yaml:"test"`
	// By is "rows" (default; JODIE's row-index split) or "time" (boundaries at time quantiles).
	By string `yaml:"by"`
}

// The values of run.checkpoint.
const (
	CheckpointEpoch = "epoch"
	CheckpointOff   = "off"
)

// Defaults fills zero values with the documented defaults, the task's among them. An unknown task
// is left for Validate to report.
func (c *Config) Defaults() {
	r := &c.Run
	if r.Task == "" {
		r.Task = TaskNextItem.Name()
	}
	if r.Protocol == "" {
		r.Protocol = ProtocolFrozen
	}
	if r.Normalisation == "" {
		r.Normalisation = datasets.NormTrain
	}
	if t, err := TaskByName(r.Task); err == nil {
		t.Defaults(r)
	}
	if r.Epochs == 0 {
		r.Epochs = 10
	}
	if len(r.Seeds) == 0 {
		r.Seeds = []uint64{1, 2, 3}
	}
	if r.Backend == "" {
		r.Backend = "cpu"
	}
	if r.Checkpoint == "" {
		r.Checkpoint = CheckpointEpoch
	}
	if r.Monitor.Sample == 0 {
		r.Monitor.Sample = 1000
	}
	if r.Monitor.Threshold == 0 {
		r.Monitor.Threshold = 0.05
	}
	if c.Dataset.SynthSeed == 0 {
		c.Dataset.SynthSeed = 1
	}
}

// TaskOf returns the run's task (after Validate it always exists).
func (r RunConfig) TaskOf() (Task, error) { return TaskByName(r.Task) }

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("bench: bad config")

// Validate checks every field, after Defaults. Errors name the key and the layer that set it.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		where := ""
		if f := c.origin[key]; f != "" {
			where = " (set in " + f + ")"
		}
		return fmt.Errorf("%w: %s: %s%s", ErrConfig, key, fmt.Sprintf(format, args...), where)
	}
	r := c.Run
	switch {
	case c.Dataset.Name == "":
		return bad("dataset.name", "missing (a synthetic preset, a registered dataset or a CSV path)")
	case c.Model.Name == "":
		return bad("model.name", "missing (see `tibench list`)")
	case r.Protocol != ProtocolOnline && r.Protocol != ProtocolFrozen:
		return bad("run.protocol", "%q is not one of %s, %s", r.Protocol, ProtocolOnline, ProtocolFrozen)
	case r.Epochs < 1:
		return bad("run.epochs", "%d, want at least 1", r.Epochs)
	case r.Patience < 0:
		return bad("run.patience", "%d, want 0 (off) or more", r.Patience)
	case r.Checkpoint != CheckpointEpoch && r.Checkpoint != CheckpointOff:
		return bad("run.checkpoint", "%q is not one of %s, %s", r.Checkpoint, CheckpointEpoch, CheckpointOff)
	case r.Monitor.Sample < 1:
		return bad("run.monitor.sample", "%d, want at least 1", r.Monitor.Sample)
	case !(r.Monitor.Threshold > 0):
		return bad("run.monitor.threshold", "%v, want a positive relative update size", r.Monitor.Threshold)
	}
	task, err := TaskByName(r.Task)
	if err != nil {
		return bad("run.task", "%q is not one of %s", r.Task, strings.Join(TaskNames(), ", "))
	}
	if _, err := datasets.ParseNormalisation(string(r.Normalisation)); err != nil {
		return bad("run.normalisation", "%q is not one of %s, %s", r.Normalisation, datasets.NormTrain, datasets.NormGlobal)
	}
	if err := task.Validate(r); err != nil {
		return c.withOrigin(err)
	}
	seen := map[uint64]bool{}
	for _, s := range r.Seeds {
		if seen[s] {
			return bad("run.seeds", "seed %d repeated", s)
		}
		seen[s] = true
	}
	return nil
}

// withOrigin appends the layer that set the key a task's validation error names
// ("bench: bad config: run.split: ..."), as the errors of Validate itself do.
func (c *Config) withOrigin(err error) error {
	rest, ok := strings.CutPrefix(err.Error(), ErrConfig.Error()+": ")
	if !ok {
		return err
	}
	key, _, _ := strings.Cut(rest, ":")
	if src := c.origin[key]; src != "" {
		return fmt.Errorf("%w (set in %s)", err, src)
	}
	return err
}

// ModelParams holds the model's parameter sections from every layer, in order, undecoded: the
// bench layer does not know model types. Decode applies them to the model's typed config.
type ModelParams struct {
	layers []paramLayer
}

type paramLayer struct {
	source string
	node   *yaml.Node
}

// UnmarshalYAML appends a layer (decoding successive layers into one Config accumulates them).
func (p *ModelParams) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode && !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return fmt.Errorf("line %d: model.params must be a mapping of the model's settings", n.Line)
	}
	p.layers = append(p.layers, paramLayer{node: n})
	return nil
}

// Decode applies every layer's parameters to dst (a pointer to the model's config struct), in
// order, rejecting keys dst does not have with the file, line and key.
func (p ModelParams) Decode(dst any) error {
	for _, l := range p.layers {
		if l.node.Kind != yaml.MappingNode {
			continue
		}
		if err := checkKnownKeys(l.node, reflect.TypeOf(dst), "model.params"); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrConfig, l.source, err)
		}
		if err := l.node.Decode(dst); err != nil {
			return fmt.Errorf("%w: %s: %s", ErrConfig, l.source, oneLine(err))
		}
	}
	return nil
}

// checkKnownKeys walks a mapping node against a struct type's yaml tags (yaml.Node.Decode has no
// KnownFields option), recursing into nested structs.
func checkKnownKeys(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || n.Kind != yaml.MappingNode {
		return nil
	}
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown key %q in %s (valid: %s)", k.Line, k.Value, path, strings.Join(sortedKeys(fields), ", "))
		}
		if err := checkKnownKeys(n.Content[i+1], ft, path+"."+k.Value); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Layer is one configuration source.
type Layer struct {
	Path     string // file path; shown in errors
	Optional bool   // a missing optional file is skipped
	// Data, when non-nil, is used instead of reading Path (experiment settings, tests).
	Data []byte
}

// LoadConfig decodes the layers in order into one Config, then applies `key=value` settings (the
// value is YAML: `run.seeds=[1,2]`, `model.params.dim=64`), fills defaults and validates.
func LoadConfig(layers []Layer, sets []string) (*Config, error) {
	c := &Config{origin: map[string]string{}}
	for _, l := range layers {
		data := l.Data
		if data == nil {
			b, err := os.ReadFile(l.Path)
			if errors.Is(err, fs.ErrNotExist) && l.Optional {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrConfig, err)
			}
			data = b
		}
		if err := c.decodeLayer(l.Path, data); err != nil {
			return nil, err
		}
	}
	for _, s := range sets {
		doc, err := setToYAML(s)
		if err != nil {
			return nil, err
		}
		if err := c.decodeLayer("-set "+s, doc); err != nil {
			return nil, err
		}
	}
	c.Defaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) decodeLayer(source string, data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("%w: %s: %s", ErrConfig, source, oneLine(err))
	}
	if len(root.Content) == 0 {
		return nil // an empty file sets nothing
	}
	before := len(c.Model.Params.layers)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("%w: %s: %s", ErrConfig, source, oneLine(err))
	}
	for i := before; i < len(c.Model.Params.layers); i++ {
		c.Model.Params.layers[i].source = source
	}
	recordOrigins(root.Content[0], "", source, c.origin)
	return nil
}

func recordOrigins(n *yaml.Node, prefix, source string, origin map[string]string) {
	if n.Kind != yaml.MappingNode {
		origin[prefix] = source
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if prefix != "" {
			key = prefix + "." + key
		}
		origin[key] = source
		recordOrigins(n.Content[i+1], key, source, origin)
	}
}

// setToYAML turns `a.b.c=value` into the YAML document `a: {b: {c: value}}`.
func setToYAML(s string) ([]byte, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return nil, fmt.Errorf("%w: -set %q: want key=value, e.g. run.epochs=5", ErrConfig, s)
	}
	var val yaml.Node
	if err := yaml.Unmarshal([]byte(value), &val); err != nil {
		return nil, fmt.Errorf("%w: -set %s: value: %s", ErrConfig, s, oneLine(err))
	}
	leaf := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	if len(val.Content) > 0 {
		leaf = val.Content[0]
	}
	parts := strings.Split(key, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == "" {
			return nil, fmt.Errorf("%w: -set %q: empty key segment", ErrConfig, s)
		}
		leaf = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: parts[i]}, leaf}}
	}
	return yaml.Marshal(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{leaf}})
}

var yamlFieldErr = regexp.MustCompile(`field (\S+) not found in type bench\.(\w+)`)

// sectionOf maps config struct types to their key paths, for messages about unknown keys.
var sectionOf = map[string]string{
	"Config": "the top level", "DatasetConfig": "dataset", "ModelConfig": "model", "RunConfig": "run", "SplitConfig": "run.split",
	"Experiment": "the experiment", "Sweep": "sweep", "Profile": "paper",
}

// oneLine flattens yaml's multi-line errors and names unknown keys the way users wrote them.
func oneLine(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = yamlFieldErr.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yamlFieldErr.FindStringSubmatch(m)
		return fmt.Sprintf("unknown key %q in %s", sub[1], sectionOf[sub[2]])
	})
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// MarshalResolved returns the resolved config as YAML, with model parameters merged in order, for
// writing beside the results.
func (c *Config) MarshalResolved(modelParams any) ([]byte, error) {
	out := struct {
		Dataset DatasetConfig `yaml:"dataset"`
		Model   struct {
			Name   string `yaml:"name"`
			Params any    `yaml:"params,omitempty"`
		} `yaml:"model"`
		Run RunConfig `yaml:"run"`
	}{Dataset: c.Dataset, Run: c.Run}
	out.Model.Name = c.Model.Name
	out.Model.Params = modelParams
	return yaml.Marshal(out)
}
