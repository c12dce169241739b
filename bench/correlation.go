package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/tibench/tibench/datasets"
)

// The semantic-temporal correlation (STC) study of TIN (Zhou, Pan et al., WWW 2024, §2 and §4.3):
// how strongly a behaviour of category c at target-relative position p relates to a target of
// category c_t, in the data (Fig. 1(a): mutual information with the click, Definition 1) and as a
// model learned it (Figs. 1(b–d) and 3: e^z·‖r‖ of eq. 4, with the attention logit z and the
// representation r as the model's Table 2 row says). Experiments of kind correlation train as
// usual, then record both matrices and their Pearson correlation on the target category's row.

// CorrelationProber is implemented by CTR models that can measure the learned correlation (TIN and
// its ablations, DIN, SASRec, BST). LearnedCorrelation returns, for each sample, one value per
// behaviour of its history, oldest first: e^z·‖r‖ between that behaviour and the sample's target,
// in the model's current state (no training). A model whose net has no such measure returns an
// error wrapping ErrNoCorrelation.
type CorrelationProber interface {
	LearnedCorrelation(ctx context.Context, d *Data, samples []datasets.CTRSample) ([][]float64, error)
}

// ErrNoCorrelation says a model cannot measure its learned correlation.
var ErrNoCorrelation = errors.New("bench: the model has no learned-correlation measure")

// STC is the study's result on one dataset: rows are behaviour categories, columns positions
// 1..len(Truth[0]) (1 = the most recent behaviour).
type STC struct {
	TargetCat int32
	Cats      []int32     // the rows: the most frequent target categories, TargetCat first
	Truth     [][]float64 // mutual information (nats), datasets.CategoryTargetCorrelation
	Learned   [][]float64 // mean learned correlation of the row's behaviours at the position; nil without a prober
	Count     [][]int     // behaviours averaged into each Learned cell
	Pearson   float64     // Pearson r of Truth and Learned on the TargetCat row (NaN when undefined)
}

// STCPositions and STCRows are TIN Fig. 1's extent: positions 1..10 and the top-5 categories.
const (
	STCPositions = 10
	STCRows      = 5
)

// SemanticTemporalCorrelation measures the STC on the training samples of d's CTR view: the target
// category is the most frequent one among the positive targets, the rows the STCRows most frequent
// (ties by id). Truth is TIN Definition 1 over every training sample whose target has that
// category; Learned averages m's measure over the same samples' behaviours (positives and
// negatives alike: the measure does not see the label).
func SemanticTemporalCorrelation(ctx context.Context, m Model, d *Data) (*STC, error) {
	c := d.CTR
	if c == nil {
		return nil, fmt.Errorf("%w: the correlation study needs the ctr task", ErrConfig)
	}
	if c.Categories == nil {
		return nil, fmt.Errorf("%w: %s has no item categories: the correlation study needs them", ErrConfig, c.Name)
	}
	freq := map[int32]int{}
	for _, s := range c.Train {
		if s.Label == 1 {
			freq[c.Categories[s.Target]]++
		}
	}
	cats := make([]int32, 0, len(freq))
	for k := range freq {
		cats = append(cats, k)
	}
	slices.SortFunc(cats, func(a, b int32) int {
		if freq[a] != freq[b] {
			return freq[b] - freq[a]
		}
		return int(a - b)
	})
	if len(cats) == 0 {
		return nil, fmt.Errorf("%s: no positive training sample", c.Name)
	}
	cats = cats[:min(STCRows, len(cats))]
	out := &STC{TargetCat: cats[0], Cats: cats, Pearson: math.NaN()}
	var err error
	if out.Truth, err = datasets.CategoryTargetCorrelation(c, c.Train, out.TargetCat, cats, STCPositions); err != nil {
		return nil, err
	}
	prober, ok := m.(CorrelationProber)
	if !ok {
		return out, nil
	}
	var samples []datasets.CTRSample
	for _, s := range c.Train {
		if c.Categories[s.Target] == out.TargetCat {
			samples = append(samples, s)
		}
	}
	cor, err := prober.LearnedCorrelation(ctx, d, samples)
	if errors.Is(err, ErrNoCorrelation) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if len(cor) != len(samples) {
		return nil, fmt.Errorf("learned correlation: %d rows for %d samples", len(cor), len(samples))
	}
	row := map[int32]int{}
	for i, k := range cats {
		row[k] = i
	}
	sum := make([][]float64, len(cats))
	out.Count = make([][]int, len(cats))
	for i := range cats {
		sum[i], out.Count[i] = make([]float64, STCPositions), make([]int, STCPositions)
	}
	for i, s := range samples {
		L := len(s.History)
		if len(cor[i]) != L {
			return nil, fmt.Errorf("learned correlation: sample %d: %d values for %d behaviours", i, len(cor[i]), L)
		}
		for p := 1; p <= min(L, STCPositions); p++ {
			v := cor[i][L-p]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("learned correlation: sample %d position %d: %v", i, p, v)
			}
			if r, ok := row[c.Categories[s.History[L-p]]]; ok {
				sum[r][p-1] += v
				out.Count[r][p-1]++
			}
		}
	}
	out.Learned = make([][]float64, len(cats))
	for r := range cats {
		out.Learned[r] = make([]float64, STCPositions)
		for p := range STCPositions {
			if n := out.Count[r][p]; n > 0 {
				out.Learned[r][p] = sum[r][p] / float64(n)
			} else {
				out.Learned[r][p] = math.NaN()
			}
		}
	}
	out.Pearson = pearson(out.Truth[0], out.Learned[0])
	return out, nil
}

// pearson is the sample correlation of x and y over the positions where y is a number; NaN with
// fewer than two such positions or a constant series.
func pearson(x, y []float64) float64 {
	var xs, ys []float64
	for i := range x {
		if !math.IsNaN(y[i]) {
			xs, ys = append(xs, x[i]), append(ys, y[i])
		}
	}
	n := float64(len(xs))
	if n < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range xs {
		mx, my = mx+xs[i], my+ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy, sxx, syy = sxy+dx*dy, sxx+dx*dx, syy+dy*dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// CorrelationRecords turns the study into Correlation records: one per (row category, position)
// with the truth ("MI") and, when measured, the learned value ("cor") and its count; then one
// summary record (position=all) with the Pearson r on the target row. The target category is a
// name key (target=), each row's category another (category=), its rank among the rows a third.
func CorrelationRecords(s *STC, p *PlannedRun, seed uint64, d *Data, backend string, env []KV) []Record {
	var recs []Record
	base := append(p.recordName(), KV{"target", strconv.Itoa(int(s.TargetCat))})
	cfg := p.recordConfig(seed, d, backend, env)
	for r, cat := range s.Cats {
		for pos := range STCPositions {
			vals := []Value{{s.Truth[r][pos], "MI"}}
			if s.Learned != nil && !math.IsNaN(s.Learned[r][pos]) {
				vals = append(vals, Value{s.Learned[r][pos], "cor"}, Value{float64(s.Count[r][pos]), "behaviours"})
			}
			recs = append(recs, Record{Bench: "Correlation",
				Name: append(slices.Clone(base), KV{"row", strconv.Itoa(r + 1)}, KV{"category", strconv.Itoa(int(cat))},
					KV{"position", strconv.Itoa(pos + 1)}),
				Values: vals, Config: cfg})
		}
	}
	if s.Learned != nil && !math.IsNaN(s.Pearson) {
		recs = append(recs, Record{Bench: "Correlation", Name: append(slices.Clone(base), KV{"position", "all"}),
			Values: []Value{{s.Pearson, "pearson"}}, Config: cfg})
	}
	return recs
}
