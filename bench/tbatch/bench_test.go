package tbatch

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// synthSpec describes a synthetic sequence shaped like a JODIE dataset:
// its size, id ranges and share of repeated actions (the share of
// interactions whose item is the user's previous item, from the JODIE
// paper's dataset table: Reddit 79%, Wikipedia 61%, LastFM 8.6%).
type synthSpec struct {
	name      string
	n, nu, ni int
	repeat    float64
}

var (
	lastfmLike    = synthSpec{"lastfm-like", 1_293_103, 1000, 1000, 0.086}
	redditLike    = synthSpec{"reddit-like", 672_447, 10_000, 1000, 0.79}
	wikipediaLike = synthSpec{"wikipedia-like", 157_474, 8227, 1000, 0.61}
)

type sequence struct {
	users, items []int32
	times        []float64
}

var synthCache sync.Map // synthSpec -> *sequence

// synth draws the sequence of s with a fixed seed: users and items by Zipf
// laws (a few very active users and popular items, which is what limits
// t-batch sizes), repeats as in s, exponential gaps between times.
func synth(s synthSpec) *sequence {
	if v, ok := synthCache.Load(s); ok {
		return v.(*sequence)
	}
	r := rand.New(rand.NewPCG(2019, 1))
	zu := rand.NewZipf(r, 1.1, 10, uint64(s.nu-1))
	zi := rand.NewZipf(r, 1.1, 10, uint64(s.ni-1))
	seq := &sequence{make([]int32, s.n), make([]int32, s.n), make([]float64, s.n)}
	prev := make([]int32, s.nu)
	for u := range prev {
		prev[u] = -1
	}
	var t float64
	for j := range s.n {
		u := int32(zu.Uint64())
		i := prev[u]
		if i < 0 || r.Float64() >= s.repeat {
			i = int32(zi.Uint64())
		}
		prev[u] = i
		t += r.ExpFloat64()
		seq.users[j], seq.items[j], seq.times[j] = u, i, t
	}
	synthCache.Store(s, seq)
	return seq
}

func report(b *testing.B, bt *Batches) {
	b.ReportMetric(bt.MeanBatchSize(), "interactions/batch")
	b.ReportMetric(float64(bt.NumBatches()), "batches")
	b.ReportMetric(float64(bt.NumWindows()), "windows")
}

// BenchmarkCompute is Algorithm 2 over a whole sequence, allocating its
// result each time.
func BenchmarkCompute(b *testing.B) {
	for _, s := range []synthSpec{lastfmLike, redditLike} {
		b.Run("dataset="+s.name, func(b *testing.B) {
			seq := synth(s)
			b.ReportAllocs()
			var bt *Batches
			for b.Loop() {
				bt = Compute(seq.users, seq.items)
			}
			report(b, bt)
		})
	}
}

// BenchmarkComputeWindowed is the original code's 500 windows over the whole
// sequence, first allocating (fresh), then with a reused Builder and
// destination, as a training loop recomputing every epoch would.
func BenchmarkComputeWindowed(b *testing.B) {
	for _, s := range []synthSpec{lastfmLike, redditLike} {
		seq := synth(s)
		for _, rule := range []Rule{Grid, Rolling} {
			opt := WindowOptions{Rule: rule}
			b.Run(fmt.Sprintf("dataset=%s/windows=500/rule=%v/buffers=fresh", s.name, rule), func(b *testing.B) {
				b.ReportAllocs()
				var bt *Batches
				for b.Loop() {
					var err error
					if bt, err = ComputeWindowed(seq.users, seq.items, seq.times, opt); err != nil {
						b.Fatal(err)
					}
				}
				report(b, bt)
			})
			b.Run(fmt.Sprintf("dataset=%s/windows=500/rule=%v/buffers=reused", s.name, rule), func(b *testing.B) {
				b.ReportAllocs()
				var bd Builder
				var dst Batches
				// Grow the buffers before b.Loop starts measuring.
				if _, err := bd.ComputeWindowed(&dst, seq.users, seq.items, seq.times, opt); err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := bd.ComputeWindowed(&dst, seq.users, seq.items, seq.times, opt); err != nil {
						b.Fatal(err)
					}
				}
				report(b, &dst)
			})
		}
	}
}

// BenchmarkWikipediaLike reports the statistic the original JODIE code
// (srijankr/jodie) produces on the real Wikipedia training part (389 windows,
// 11,505 t-batches for 125,979 interactions, about 11 interactions per
// t-batch) on a synthetic sequence of Wikipedia's size: the
// first 80% of the rows windowed with a length of 1/500 of the whole span.
func BenchmarkWikipediaLike(b *testing.B) {
	seq := synth(wikipediaLike)
	nTrain := int(0.8 * float64(len(seq.users)))
	length := (seq.times[len(seq.times)-1] - seq.times[0]) / DefaultNumWindows
	for _, rule := range []Rule{Grid, Rolling} {
		b.Run(fmt.Sprintf("dataset=%s/part=train/rule=%v", wikipediaLike.name, rule), func(b *testing.B) {
			b.ReportAllocs()
			opt := WindowOptions{Rule: rule, Length: length}
			var bd Builder
			var dst Batches
			if _, err := bd.ComputeWindowed(&dst, seq.users[:nTrain], seq.items[:nTrain], seq.times[:nTrain], opt); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := bd.ComputeWindowed(&dst, seq.users[:nTrain], seq.items[:nTrain], seq.times[:nTrain], opt); err != nil {
					b.Fatal(err)
				}
			}
			report(b, &dst)
		})
	}
}

// lastfmPrefixPath is the LastFM prefix in the shared datasets folder,
// ../shared/datasets/ from the repository root (two levels above here).
var lastfmPrefixPath = filepath.Join("..", "..", "..", "shared", "datasets", "lastfm-prefix.csv")

// readJODIECSV reads user, item and time from a JODIE CSV, renumbering ids
// in order of first appearance as the original code does. A final line cut
// off mid-row (the prefix file is a byte prefix) is ignored.
func readJODIECSV(path string) (*sequence, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	seq := &sequence{}
	userID, itemID := map[string]int32{}, map[string]int32{}
	id := func(m map[string]int32, key string) int32 {
		v, ok := m[key]
		if !ok {
			v = int32(len(m))
			m[key] = v
		}
		return v
	}
	sc := bufio.NewScanner(f)
	var pending string
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue // header
		}
		if pending != "" {
			if err := addRow(seq, pending, userID, itemID, id); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
		}
		pending = sc.Text()
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// The last line is kept only when it has every field of the header.
	if pending != "" && strings.Count(pending, ",") >= 4 {
		if err := addRow(seq, pending, userID, itemID, id); err != nil {
			return nil, fmt.Errorf("%s: last line: %w", path, err)
		}
	}
	return seq, nil
}

func addRow(seq *sequence, row string, users, items map[string]int32, id func(map[string]int32, string) int32) error {
	fields := strings.SplitN(row, ",", 4)
	if len(fields) < 4 {
		return fmt.Errorf("%d fields, want at least 4", len(fields))
	}
	t, err := strconv.ParseFloat(fields[2], 64)
	if err != nil {
		return fmt.Errorf("field 3 (timestamp): %w", err)
	}
	seq.users = append(seq.users, id(users, fields[0]))
	seq.items = append(seq.items, id(items, fields[1]))
	seq.times = append(seq.times, t)
	return nil
}

// TestLastFMPrefix checks the invariants on real data and logs the t-batch
// statistics of its training part (first 80% of the rows) with the original
// code's window length.
func TestLastFMPrefix(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 3 MB file; skipped under -short")
	}
	seq, err := readJODIECSV(lastfmPrefixPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not found: the shared datasets folder is absent", lastfmPrefixPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	n := len(seq.users)
	nTrain := int(0.8 * float64(n))
	length := (seq.times[n-1] - seq.times[0]) / DefaultNumWindows
	whole := Compute(seq.users, seq.items)
	checkBatches(t, seq.users, seq.items, seq.times, whole)
	for _, rule := range []Rule{Grid, Rolling} {
		opt := WindowOptions{Rule: rule, Length: length}
		b, err := ComputeWindowed(seq.users[:nTrain], seq.items[:nTrain], seq.times[:nTrain], opt)
		if err != nil {
			t.Fatal(err)
		}
		checkWindowed(t, seq.users[:nTrain], seq.items[:nTrain], seq.times[:nTrain], opt, b, nil, false)
		t.Logf("lastfm prefix, %d rows, train %d, rule %v: %d windows, %d t-batches, %.2f interactions/batch",
			n, nTrain, rule, b.NumWindows(), b.NumBatches(), b.MeanBatchSize())
	}
}

func BenchmarkLastFMPrefix(b *testing.B) {
	seq, err := readJODIECSV(lastfmPrefixPath)
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("%s not found: the shared datasets folder is absent", lastfmPrefixPath)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Run("dataset=lastfm-prefix/windows=500/rule=rolling", func(b *testing.B) {
		b.ReportAllocs()
		var bd Builder
		var dst Batches
		opt := WindowOptions{Rule: Rolling}
		if _, err := bd.ComputeWindowed(&dst, seq.users, seq.items, seq.times, opt); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := bd.ComputeWindowed(&dst, seq.users, seq.items, seq.times, opt); err != nil {
				b.Fatal(err)
			}
		}
		report(b, &dst)
	})
}
