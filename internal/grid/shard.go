package grid

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is slice Index of Count of a plan (0 ≤ Index < Count).
type Shard struct{ Index, Count int }

// ErrShard is wrapped by malformed -shard values.
var ErrShard = errors.New("grid: bad shard")

// ParseShard reads "i/n", e.g. "3/8" (the fourth of eight shards).
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%w %q: want i/n with 0 ≤ i < n, e.g. 0/4", ErrShard, s)
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Assign splits the plan into n shards balanced by expected seconds: runs are taken from the most
// to the least expensive (ties in plan order) and each goes to the shard with the least expected
// time so far (ties to the lowest index) — the longest-processing-time rule, whose longest shard is
// within 4/3 of the best possible. The result depends only on the runs' estimates and order, so
// every task that assigns the same plan gets the same split. shard[i] is run i's shard.
func (p *Plan) Assign(n int) []int {
	order := make([]int, len(p.Runs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.Runs[b].Seconds, p.Runs[a].Seconds) })
	load := make([]float64, n)
	shard := make([]int, len(p.Runs))
	for _, i := range order {
		best := 0
		for s := 1; s < n; s++ {
			if load[s] < load[best] {
				best = s
			}
		}
		shard[i] = best
		load[best] += p.Runs[i].Seconds
	}
	return shard
}

// ShardRuns returns the indices of s's runs, in plan order.
func (p *Plan) ShardRuns(s Shard) []int {
	var out []int
	for i, sh := range p.Assign(s.Count) {
		if sh == s.Index {
			out = append(out, i)
		}
	}
	return out
}

// Loads returns each of n shards' expected seconds and memory (the largest of its runs).
func (p *Plan) Loads(n int) (seconds []float64, memoryMiB []int) {
	seconds, memoryMiB = make([]float64, n), make([]int, n)
	for i, s := range p.Assign(n) {
		seconds[s] += p.Runs[i].Seconds
		memoryMiB[s] = max(memoryMiB[s], p.Runs[i].MemoryMiB)
	}
	return seconds, memoryMiB
}
