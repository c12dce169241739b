package datasets

import (
	"errors"
	"fmt"
	"math"
)

// Normalisation says which rows the time-delta z-score statistics come from.
type Normalisation string

const (
	// NormTrain z-scores with the mean and standard deviation of the training rows only, so no
	// statistic of the validation or test part reaches the model. The default.
	NormTrain Normalisation = "train"
	// NormGlobal z-scores over the whole sequence, as the original JODIE code
	// (srijankr/jodie applies sklearn.preprocessing.scale to delta + 1 over train+validation+test,
	// which leaks test statistics into training).
	NormGlobal Normalisation = "global"
)

// ErrNormalisation is wrapped for an unknown Normalisation.
var ErrNormalisation = errors.New("datasets: unknown time-delta normalisation")

// ParseNormalisation accepts "train", "global" and "" (meaning the default, "train").
func ParseNormalisation(s string) (Normalisation, error) {
	switch Normalisation(s) {
	case "", NormTrain:
		return NormTrain, nil
	case NormGlobal:
		return NormGlobal, nil
	}
	return "", fmt.Errorf("%w %q (valid: %s, %s)", ErrNormalisation, s, NormTrain, NormGlobal)
}

// TimeFeatures are per-row inputs derived from the interaction sequence.
type TimeFeatures struct {
	// DeltaUser[i] is row i's time since its user's previous interaction and DeltaItem[i] since
	// its item's previous interaction, z-scored (see Norm). A first interaction has no previous
	// one; following the original code (srijankr/jodie makes times relative to the first row and
	// starts every user's and item's last time at 0) its delta is the time since the dataset's
	// first row, Times[i].
	DeltaUser, DeltaItem []float32
	// RawUser and RawItem are the same deltas in seconds, before normalisation.
	RawUser, RawItem []float64
	// PrevItem[i] is the item of the user's previous interaction, -1 for the user's first.
	// (JODIE feeds a padding item, id NumItems(), in that case.)
	PrevItem []int32

	Norm Normalisation
	// Rows [0,StatRows) gave the statistics: TrainEnd for NormTrain, all rows for NormGlobal.
	StatRows int
	// Mean and standard deviation (population, as sklearn) of the raw user and item deltas over
	// the statistic rows; a zero deviation is replaced by 1, as sklearn does.
	UserMean, UserStd, ItemMean, ItemStd float64
}

// ComputeTimeFeatures derives time deltas and previous items for every row of d. trainEnd is the
// end of the training part (Split.TrainEnd); it is required for NormTrain and ignored for NormGlobal.
// An empty norm means NormTrain.
func ComputeTimeFeatures(d *Dataset, norm Normalisation, trainEnd int) (*TimeFeatures, error) {
	norm, err := ParseNormalisation(string(norm))
	if err != nil {
		return nil, err
	}
	n := d.Len()
	statRows := n
	if norm == NormTrain {
		if trainEnd <= 0 || trainEnd > n {
			return nil, fmt.Errorf("%w: train normalisation needs 0 < train end <= %d rows, got %d", ErrSplit, n, trainEnd)
		}
		statRows = trainEnd
	}
	f := &TimeFeatures{
		RawUser: make([]float64, n), RawItem: make([]float64, n), PrevItem: make([]int32, n),
		Norm: norm, StatRows: statRows,
	}
	// Times start at 0, so a zero "last time" gives first deltas of Times[i], as in JODIE.
	lastUser := make([]float64, d.NumUsers())
	lastItem := make([]float64, d.NumItems())
	prevItem := make([]int32, d.NumUsers())
	for i := range prevItem {
		prevItem[i] = -1
	}
	for i := range n {
		u, it, t := d.Users[i], d.Items[i], d.Times[i]
		f.RawUser[i] = t - lastUser[u]
		f.RawItem[i] = t - lastItem[it]
		f.PrevItem[i] = prevItem[u]
		lastUser[u], lastItem[it], prevItem[u] = t, t, it
	}
	f.UserMean, f.UserStd = meanStd(f.RawUser[:statRows])
	f.ItemMean, f.ItemStd = meanStd(f.RawItem[:statRows])
	f.DeltaUser = zscore(f.RawUser, f.UserMean, f.UserStd)
	f.DeltaItem = zscore(f.RawItem, f.ItemMean, f.ItemStd)
	return f, nil
}

// meanStd is the mean and population standard deviation (two passes, for accuracy), with a zero
// deviation replaced by 1 like sklearn's _handle_zeros_in_scale. JODIE scales delta+1; the shift
// cancels in a z-score and is omitted.
func meanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return 0, 1
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	std = math.Sqrt(ss / float64(len(x)))
	if std == 0 {
		std = 1
	}
	return mean, std
}

func zscore(x []float64, mean, std float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32((v - mean) / std)
	}
	return out
}

// Summary holds the statistics `tibench datasets stats` prints.
type Summary struct {
	Name         string
	Interactions int
	Users, Items int
	TimeSpan     float64 // seconds from the first to the last row
	RepeatRate   float64 // RepeatRate(d): consecutive same-item share among users' non-first rows
	Positives    int     // rows with label 1
	LabelRate    float64 // Positives / Interactions
	FeatureDim   int
}

// Summarize computes d's Summary.
func Summarize(d *Dataset) Summary {
	s := Summary{
		Name: d.Name, Interactions: d.Len(), Users: d.NumUsers(), Items: d.NumItems(),
		RepeatRate: RepeatRate(d), LabelRate: LabelRate(d), FeatureDim: d.FeatureDim,
	}
	if n := d.Len(); n > 0 {
		s.TimeSpan = d.Times[n-1] - d.Times[0]
	}
	for _, l := range d.Labels {
		s.Positives += int(l)
	}
	return s
}
