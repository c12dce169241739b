package grid

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"os"
	"slices"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
)

// The bases of a run's estimate, best first.
const (
	// BasisMeasured: this run's own result record (an earlier run of the same id).
	BasisMeasured = "measured"
	// BasisModel: the model's seconds per interaction and epoch, the median over its records on any
	// dataset, times this run's interactions and epochs.
	BasisModel = "model-rate"
	// BasisSize: the size model alone, defaultRate × interactions × epochs.
	BasisSize = "size"
)

// defaultRate is the size model's seconds per interaction and epoch (training plus one evaluation
// pass), when no record of the model exists: about JODIE's on the quick profile's 20,000-row presets
// on one of this project's 2-core VMs (1.4 s per epoch + 0.2 s per evaluation, results/table3). It
// only has to rank runs roughly: the shards are balanced by ratios of estimates.
const defaultRate = 8e-5

// runOverhead is the seconds a run costs beyond its epochs (loading or generating the dataset,
// building the model, writing results).
const runOverhead = 1.0

// unknownInteractions stands in for a dataset whose size the size model cannot tell (a CSV that is
// not on this machine): a mid-sized JODIE dataset.
const unknownInteractions = 400_000

// interactions is a dataset's row count: a preset's or a registered source's published size, or a
// CSV file's line count less its header; 0 when unknown.
func interactions(name string) int {
	if c, err := datasets.PresetConfig(name); err == nil {
		return c.Interactions
	}
	if s, err := datasets.SourceByName(name); err == nil {
		return s.Interactions
	}
	f, err := os.Open(name)
	if err != nil {
		return 0
	}
	defer f.Close()
	n, err := countLines(bufio.NewReaderSize(f, 1<<20))
	if err != nil || n == 0 {
		return 0
	}
	return n - 1
}

func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<20)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

func sizeOf(r Run) float64 {
	if r.Interactions > 0 {
		return float64(r.Interactions)
	}
	return unknownInteractions
}

func epochsOf(r Run) float64 { return float64(max(r.Epochs, 1)) }

// sizeModel is the estimate without records.
func sizeModel(r Run) (float64, string) {
	return runOverhead + defaultRate*sizeOf(r)*epochsOf(r), BasisSize
}

// memoryModel is a coarse memory request: 512 MiB for the process and 2 KiB per interaction (the
// dataset's columns and features, the split's views, per-row states). Models whose state grows
// with users × dimension need more at scale; the export commands take an override.
func memoryModel(r Run) int {
	return 512 + int(math.Ceil(sizeOf(r)*2048/(1<<20)))
}

// Estimate replaces the size model's estimates with ones from result records where it can: a
// run's own record (BasisMeasured), else the median rate of its model's records (BasisModel).
// recs are usually every record under the results directory; records without sec/epoch are
// ignored.
func (p *Plan) Estimate(recs []bench.Record) {
	own := map[string]float64{}
	rates := map[string][]float64{}
	for i := range recs {
		rec := &recs[i]
		sec, ok := rec.Metric("sec/epoch")
		if !ok || math.IsNaN(sec) {
			continue
		}
		if ev, ok := rec.Metric("sec/eval"); ok && !math.IsNaN(ev) {
			sec += ev
		}
		model, dataset := rec.Get("model"), rec.Get("dataset-path")
		if dataset == "" {
			dataset = rec.Get("dataset")
		}
		own[recordID(rec)] = sec
		if n := interactions(dataset); n > 0 {
			rates[model] = append(rates[model], sec/float64(n))
		}
	}
	for i := range p.Runs {
		r := &p.Runs[i]
		if sec, ok := own[r.ID]; ok {
			r.Seconds, r.Basis = runOverhead+sec*epochsOf(*r), BasisMeasured
		} else if rs := rates[r.Model]; len(rs) > 0 {
			r.Seconds, r.Basis = runOverhead+median(rs)*sizeOf(*r)*epochsOf(*r), BasisModel
		}
	}
}

// recordID is the id of the run that wrote rec: experiment/model/dataset[/variant...]/seed-N, as
// Run.ID (the record's name keys after model and dataset are its sweep variant).
func recordID(rec *bench.Record) string {
	id := rec.Get("experiment")
	for _, kv := range rec.Name {
		if kv.Key == "model" || kv.Key == "dataset" {
			id += "/" + kv.Value
		} else {
			id += "/" + kv.Key + "=" + kv.Value
		}
	}
	return id + "/seed-" + rec.Get("seed")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
