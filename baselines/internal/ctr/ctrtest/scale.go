package ctrtest

import (
	"context"
	"errors"
	"flag"
	"sync"
	"testing"
	"time"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// Issue #13's speed target: every CTR model trains an epoch of a synthetic CTR set of 200,000
// users, 50,000 items and 2,000,000 training samples (histories of at most 50 behaviours) in at
// most 120 s on the 2-core CPU, and scores validation and test in at most 20 s.
const (
	TargetEpochSeconds = 120
	TargetEvalSeconds  = 20
)

// The fraction of the work BenchCTREpoch times: a full epoch of the slower models takes hours
// before the engine is fast, so by default it trains -ctr.skip batches of the (shuffled) first
// epoch untimed, times the next -ctr.batches, scores evaluation batches spread evenly over
// validation and test, and extrapolates both to the whole. The skipped batches matter: Adam's cost
// per step grows over the first thousand steps, as idle rows' moments decay into subnormal floats
// (see ctr's optimizer), so the first batches of an epoch are not a fair sample of it.
// -ctr.batches 0 times the whole epoch, -ctr.evalbatches 0 all of evaluation.
var (
	benchSkip        = flag.Int("ctr.skip", 1500, "BenchCTREpoch: training batches run untimed before the timed ones")
	benchBatches     = flag.Int("ctr.batches", 2000, "BenchCTREpoch: training batches to time (extrapolated to the epoch); 0 = the whole epoch")
	benchEvalBatches = flag.Int("ctr.evalbatches", 100, "BenchCTREpoch: evaluation batches to time, spread over validation and test (extrapolated); 0 = all")
)

var (
	scaleOnce sync.Once
	scaleData *bench.Data
	scaleErr  error
)

// ScaleConfig is the synthetic data of issue #13's benchmark: synth-amazon's behaviour (categories,
// interest shifts) with a population of 200,000 users over 50,000 items and 1,520,000 interactions,
// which with seed 1 gives 2,000,296 training samples (146,549 users with at least three
// interactions; histories capped at 50, 10.6 behaviours on average) and 293,098 validation and as
// many test samples.
func ScaleConfig() (datasets.SynthConfig, error) {
	c, err := datasets.PresetConfig("synth-amazon")
	if err != nil {
		return c, err
	}
	c.Name = "synth-ctr-scale"
	c.Users, c.Items, c.Interactions = 200000, 50000, 1520000
	return c, nil
}

// ScaleData is the CTR view of ScaleConfig (seed 1, the ctr task's defaults), built once per test
// binary (about 3 s).
func ScaleData(tb testing.TB) *bench.Data {
	tb.Helper()
	scaleOnce.Do(func() {
		c, err := ScaleConfig()
		if err != nil {
			scaleErr = err
			return
		}
		ds, err := datasets.Generate(c, 1)
		if err != nil {
			scaleErr = err
			return
		}
		var r bench.RunConfig
		bench.TaskCTR.Defaults(&r)
		scaleData, scaleErr = bench.TaskCTR.View(ds, r)
	})
	if scaleErr != nil {
		tb.Fatal(scaleErr)
	}
	return scaleData
}

// reading is what a meter reads at one moment: the wall clock, the process's CPU time and the
// backend's matrix-product flops so far.
type reading struct {
	at    time.Time
	cpu   time.Duration
	flops int64
}

// meter reads the clock, the CPU time and be's flop counter (0 when be counts none).
type meter struct{ be ag.Backend }

func (m meter) read() reading {
	r := reading{at: time.Now(), cpu: cpuTime()}
	if fc, ok := m.be.(ag.FlopCounter); ok {
		r.flops = fc.GemmFlops()
	}
	return r
}

// window is a Progress that takes a reading when from samples have been trained and when to have,
// and then cancels its context.
type window struct {
	from, to, done int
	start, end     reading
	meter          meter
	cancel         context.CancelFunc
}

func (w *window) Advance(n int) {
	w.done += n
	if w.start.at.IsZero() && w.done >= w.from {
		w.start = w.meter.read()
	}
	if w.done >= w.to {
		w.end = w.meter.read()
		w.cancel()
	}
}

// evalSubset returns d with its validation and test parts cut to k batches of evalBatch samples,
// taken at evenly spaced batch boundaries of each part (so each is a batch Evaluate would form),
// split between the parts in proportion to their sizes; k <= 0 returns d itself.
func evalSubset(d *bench.Data, k, evalBatch int) *bench.Data {
	if k <= 0 {
		return d
	}
	cs := *d.CTR
	nv, nt := (len(cs.Val)+evalBatch-1)/evalBatch, (len(cs.Test)+evalBatch-1)/evalBatch
	if k >= nv+nt {
		return d
	}
	kv := max(1, k*nv/(nv+nt))
	pick := func(part []datasets.CTRSample, batches, want int) []datasets.CTRSample {
		var out []datasets.CTRSample
		for j := range want {
			lo := (j * batches / want) * evalBatch
			out = append(out, part[lo:min(lo+evalBatch, len(part))]...)
		}
		return out
	}
	cs.Val, cs.Test = pick(cs.Val, nv, kv), pick(cs.Test, nt, max(1, k-kv))
	sub := *d
	sub.CTR = &cs
	return &sub
}

// BenchCTREpoch measures spec at its default parameters on ScaleData (seed 1) and reports
// sec/epoch, samples/s and cpu-sec/epoch (core-seconds) of training, sec/eval of scoring
// validation and test, the flops of the matrix products of both (gemm-GFLOP/epoch and
// gemm-GFLOP/eval, from ag.FlopCounter), and the epoch's floor at the kernel's rate on a
// Transformer layer's products, measured in the same process (gemm-floor-sec/epoch, gemm-GFLOP/s).
// By default it
// times -ctr.batches batches of the first epoch after -ctr.skip untimed ones, and -ctr.evalbatches
// evaluation batches spread over both parts, extrapolated linearly to the epoch and to both parts
// (the logged lines say how much was timed); -ctr.batches 0 -ctr.evalbatches 0 times all of it
// (the epoch from its start). Run it per package, e.g.
// go test -run '^$' -bench CTREpoch -benchtime 1x -timeout 2h ./baselines/tin.
func BenchCTREpoch(b *testing.B, spec ctr.Spec) {
	d := ScaleData(b)
	be := ag.NewCPU()
	m, err := ctr.New(spec, bench.ModelParams{}, be, nil)
	if err != nil {
		b.Fatal(err)
	}
	c := m.Config().(ctr.Config)
	eval := evalSubset(d, *benchEvalBatches, c.EvalBatch)
	nTrain, nEval := len(d.CTR.Train), len(d.CTR.Val)+len(d.CTR.Test)
	timedEval := len(eval.CTR.Val) + len(eval.CTR.Test)
	mt := meter{be}
	b.ReportAllocs()
	b.ResetTimer()
	var train, score, cpu time.Duration
	var trainFlops, scoreFlops int64
	var trained, skipped int
	for range b.N {
		b.StopTimer()
		if err := m.Init(d, 1); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ctx, cancel := context.WithCancel(context.Background())
		var w *window
		var p bench.Progress = bench.NoProgress{}
		if n := *benchBatches * c.BatchSize; n > 0 && (*benchSkip+*benchBatches)*c.BatchSize < nTrain {
			w = &window{from: *benchSkip * c.BatchSize, to: (*benchSkip + *benchBatches) * c.BatchSize, meter: mt, cancel: cancel}
			p = w
		}
		r0 := mt.read()
		if w != nil && w.from == 0 {
			w.start = r0
		}
		st, err := m.TrainEpoch(ctx, d, p)
		r1 := mt.read()
		cancel()
		if err != nil && !(w != nil && errors.Is(err, context.Canceled)) {
			b.Fatal(err)
		}
		if w != nil {
			// Advance is called after a batch's step: the window spans batches skip+1 .. skip+batches.
			r0, r1 = w.start, w.end
			trained, skipped = trained+w.to-w.from, w.from
		} else {
			trained += st.Interactions
		}
		train += r1.at.Sub(r0.at)
		cpu += r1.cpu - r0.cpu
		trainFlops += r1.flops - r0.flops
		r0 = mt.read()
		if err := m.Evaluate(context.Background(), eval, func(bench.Prediction) {}); err != nil {
			b.Fatal(err)
		}
		r1 = mt.read()
		score += r1.at.Sub(r0.at)
		scoreFlops += r1.flops - r0.flops
	}
	perSample := train.Seconds() / float64(trained)
	evalScale := float64(nEval) / float64(timedEval) / float64(b.N)
	b.ReportMetric(perSample*float64(nTrain), "sec/epoch")
	// The core-seconds of an epoch, every goroutine's: on a loaded machine, where wall time says
	// little about what the 2 cores would do alone, half of it bounds the epoch from below.
	b.ReportMetric(cpu.Seconds()/float64(trained)*float64(nTrain), "cpu-sec/epoch")
	b.ReportMetric(1/perSample, "samples/s")
	b.ReportMetric(score.Seconds()*evalScale, "sec/eval")
	// The matrix products' flops of an epoch and of an evaluation: divided by the best rate the
	// product kernel reaches (BenchmarkGemm in internal/ag), each is a floor no other speed-up of
	// the rest of the engine can go below, at the model's configuration.
	epochFlops := float64(trainFlops) / float64(trained) * float64(nTrain)
	b.ReportMetric(epochFlops/1e9, "gemm-GFLOP/epoch")
	b.ReportMetric(float64(scoreFlops)*evalScale/1e9, "gemm-GFLOP/eval")
	// The epoch's floor at the rate the product kernel reaches here on a Transformer layer's
	// products (measured after the run, in this process): no speed-up of anything but the kernel
	// takes an epoch below it.
	b.StopTimer()
	rate := gemmRate(be)
	b.ReportMetric(epochFlops/rate, "gemm-floor-sec/epoch")
	b.ReportMetric(rate/1e9, "gemm-GFLOP/s")
	b.Logf("%s: timed %d of %d training samples (after %d untimed) and %d of %d evaluation samples per iteration; extrapolated",
		spec.Name, trained/b.N, nTrain, skipped, timedEval, nEval)
}

// gemmRate returns the flops per second be reaches on the products of one Transformer layer of the
// CTR models at batch 32 (340 behaviours of width 128: X·Wᵀ, dY·W, dYᵀ·X; the shape of
// internal/ag's BenchmarkGemmCTR), timed for about half a second.
func gemmRate(be ag.Backend) float64 {
	const m, d = 340, 128
	// Inputs are never written, so the values stay finite and normal (no slow paths) however long
	// it runs.
	x, w, y, dx, dw := be.New(m*d), be.New(d*d), be.New(m*d), be.New(m*d), be.New(d*d)
	be.Fill(x, 0.5)
	be.Fill(w, 0.25)
	be.Fill(y, 0.125)
	start, n := time.Now(), 0
	for ; time.Since(start) < 500*time.Millisecond; n++ {
		be.Gemm(false, true, m, d, d, 1, x, w, 0, dx)
		be.Gemm(false, false, m, d, d, 1, y, w, 0, dx)
		be.Gemm(true, false, d, d, m, 1, y, x, 0, dw)
	}
	return float64(n) * 3 * 2 * m * d * d / time.Since(start).Seconds()
}

// BenchCTREpochs runs BenchCTREpoch for each spec as a sub-benchmark named model=<name>.
func BenchCTREpochs(b *testing.B, specs ...ctr.Spec) {
	for _, s := range specs {
		b.Run("model="+s.Name, func(b *testing.B) { BenchCTREpoch(b, s) })
	}
}
