package ctr

// RunningStats returns the running mean and variance the evaluation normalises with (state, not
// parameters), as the slices BatchNorm updates: a checkpoint saves them and restores them in place.
func (bn *BatchNorm) RunningStats() (mean, variance []float64) { return bn.mean, bn.vari }
