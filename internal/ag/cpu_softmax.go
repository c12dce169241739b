package ag

import "math"

// The row-wise softmax family and the element-wise transcendental functions of the CPU backend,
// split over the backend's workers when large. A session model's sampled softmax scores every
// click of a mini-batch against 2,048 candidates in one product, and its softmax then cost as
// much single-threaded time as the product did on two cores; JUMP's highway cells evaluate
// math.Tanh on an n×dim candidate per cell, up to ten cells a click. Rows (and elements) are independent, each is
// computed by the same sequential code whatever the split, so the values are bit-identical to one
// pass (TestSplitBitIdentical).

// parallelMinElems is the element count below which an op runs on the calling goroutine: ~4,096
// transcendental evaluations (tens of µs) outweigh a goroutine's start and join.
const parallelMinElems = 4096

// scalarMath reports whether the op evaluates a math function per element (costly enough to split).
func (op UnaryOp) scalarMath() bool {
	switch op {
	case OpTanh, OpExp, OpLog, OpSoftplus:
		return true
	}
	return false
}

// splits reports whether an op over n units (elements or rows), of which minN are worth a
// goroutine, runs split.
func (c *CPU[T]) splits(n, minN int) bool { return c.workers > 1 && n >= minN && n >= 2 }

// split runs job over [0, n) in c.workers contiguous chunks, the first on the calling goroutine,
// the others on the backend's crew; w is the chunk's worker index, for per-worker scratch. Jobs
// are the backend's own preallocated values, so a split allocates nothing (a steady-state
// training step allocates nothing: TestSteadyStateStepAllocatesNothing).
func (c *CPU[T]) split(n int, job rowJob) {
	c.crew.begin()
	defer c.crew.end()
	per := (n + c.workers - 1) / c.workers
	sent := 0
	for w := 1; w < c.workers && w*per < n; w++ {
		c.chunks[sent] = splitTask{job: job, w: w, lo: w * per, hi: min((w+1)*per, n)}
		c.crew.post(sent, &c.chunks[sent])
		sent++
	}
	job.run(0, 0, min(per, n))
	c.crew.wait(sent)
}

// rowsWorthSplitting is how many rows of cols elements are worth a goroutine.
func rowsWorthSplitting(cols int) int { return max(1, parallelMinElems/max(cols, 1)) }

// rowJob is an op's work over units lo..hi−1 by worker w.
type rowJob interface{ run(w, lo, hi int) }

// splitTask is one helper's chunk of a split op (a crewJob).
type splitTask struct {
	job       rowJob
	w, lo, hi int
}

func (t *splitTask) run() {
	t.job.run(t.w, t.lo, t.hi)
	t.job = nil // hold no op's memory between ops
}

// splitJobs are a backend's preallocated jobs, one per op, filled before each split and cleared
// after it (so that they hold no tensor memory between ops).
type splitJobs[T float] struct {
	unary       unaryJob[T]
	softmax     softmaxJob[T]
	softmaxGrad softmaxGradJob[T]
	ceGrad      crossEntropyGradJob[T]
}

type unaryJob[T float] struct {
	op   UnaryOp
	x, y []T
}

func (j *unaryJob[T]) run(_, lo, hi int) { unary(j.op, j.x[lo:hi], j.y[lo:hi]) }

type softmaxJob[T float] struct {
	c          *CPU[T]
	x, mask, y []T
	cols       int
	log        bool
}

func (j *softmaxJob[T]) run(w, lo, hi int) {
	softmaxRows(j.x, j.mask, j.y, j.cols, lo, hi, j.c.scratchFor(w, j.cols), j.log)
}

type softmaxGradJob[T float] struct {
	y, dy, dx []T
	cols      int
	log       bool
}

func (j *softmaxGradJob[T]) run(_, lo, hi int) {
	for r := lo; r < hi; r++ {
		c := j.cols
		softmaxGradRow(j.y[r*c:(r+1)*c], j.dy[r*c:(r+1)*c], j.dx[r*c:(r+1)*c], j.log)
	}
}

type crossEntropyGradJob[T float] struct {
	p, dl   []T
	targets []int32
	weights []float32
	scale   float64
	cols    int
}

func (j *crossEntropyGradJob[T]) run(_, lo, hi int) {
	for r := lo; r < hi; r++ {
		t := j.targets[r]
		w := j.scale
		if j.weights != nil {
			w *= float64(j.weights[t])
		}
		wt := T(w)
		pr, dr := j.p[r*j.cols:(r+1)*j.cols], j.dl[r*j.cols:(r+1)*j.cols]
		for k, v := range pr {
			dr[k] += wt * v
		}
		dr[t] -= wt
	}
}

// softmaxScratch holds a softmax row's shifted logits and their exponentials, so that each
// exponential is computed once, a row at a time.
type softmaxScratch struct{ args, exps []float64 }

// scratchFor returns worker w's softmax scratch for rows of cols values. The slice of scratches is
// sized before any split, so workers never grow it concurrently.
func (c *CPU[T]) scratchFor(w, cols int) *softmaxScratch {
	s := &c.rows[w]
	if cap(s.exps) < cols {
		s.args, s.exps = make([]float64, cols), make([]float64, cols)
	}
	return s
}

func (c *CPU[T]) Softmax(rows, cols int, xs, masks, ys Storage, log bool) {
	x, mask, y := d[T](xs), d[T](masks), d[T](ys)
	if len(c.rows) < c.workers {
		c.rows = make([]softmaxScratch, c.workers)
	}
	if !c.splits(rows, rowsWorthSplitting(cols)) {
		softmaxRows(x, mask, y, cols, 0, rows, c.scratchFor(0, cols), log)
		return
	}
	j := &c.jobs.softmax
	*j = softmaxJob[T]{c: c, x: x, mask: mask, y: y, cols: cols, log: log}
	c.split(rows, j)
	*j = softmaxJob[T]{}
}

// softmaxRows is Softmax's rows lo..hi−1.
func softmaxRows[T float](x, mask, y []T, cols, lo, hi int, s *softmaxScratch, log bool) {
	for r := lo; r < hi; r++ {
		var mr []T
		if mask != nil {
			mr = mask[r*cols : (r+1)*cols]
		}
		softmaxRow(x[r*cols:(r+1)*cols], mr, y[r*cols:(r+1)*cols], s, log)
	}
}

// softmaxRow is one row of Softmax: y = softmax(x) (log: log-softmax) over the entries mr keeps
// (all when mr is nil).
func softmaxRow[T float](xr, mr, yr []T, s *softmaxScratch, log bool) {
	if mr == nil && !log {
		softmaxRowDense(xr, yr, s)
		return
	}
	mx := math.Inf(-1)
	for j, v := range xr {
		if (mr == nil || mr[j] != 0) && float64(v) > mx {
			mx = float64(v)
		}
	}
	// Each exponential is computed once, for the whole row (exp64: math.Exp's bits, 4 lanes at a
	// time), and kept in float64 for the division below: the same values and the same sum as
	// computing them twice (math.Exp was half of a 2,048-candidate sampled softmax's cost).
	// Masked entries are computed too and never read.
	a, e := s.args[:len(xr)], s.exps[:len(xr)]
	for j, v := range xr {
		a[j] = float64(v) - mx
	}
	exp64(e, a)
	var z float64
	for j := range xr {
		if mr == nil || mr[j] != 0 {
			z += e[j]
		}
	}
	// A fully masked row (a padded sequence of length 0) gets all-zero probabilities.
	lz := math.Log(z)
	for j, v := range xr {
		masked := mr != nil && mr[j] == 0
		switch {
		case log && masked:
			yr[j] = T(math.Inf(-1))
		case log:
			yr[j] = T(float64(v) - mx - lz)
		case masked || z == 0:
			yr[j] = 0
		default:
			yr[j] = T(e[j] / z)
		}
	}
}

// softmaxRowDense is softmaxRow without a mask, the cross-entropy's case: the same operations in
// the same order, without the per-entry mask tests (z > 0 here: the largest entry's exponential is 1).
func softmaxRowDense[T float](xr, yr []T, s *softmaxScratch) {
	mx := math.Inf(-1)
	for _, v := range xr {
		if float64(v) > mx {
			mx = float64(v)
		}
	}
	a, e := s.args[:len(xr)], s.exps[:len(xr)]
	for j, v := range xr {
		a[j] = float64(v) - mx
	}
	exp64(e, a)
	var z float64
	for _, v := range e {
		z += v
	}
	yr = yr[:len(e)]
	for j, v := range e {
		yr[j] = T(v / z)
	}
}

func (c *CPU[T]) SoftmaxGrad(rows, cols int, ys, dys, dxs Storage, log bool) {
	j := &c.jobs.softmaxGrad
	*j = softmaxGradJob[T]{y: d[T](ys), dy: d[T](dys), dx: d[T](dxs), cols: cols, log: log}
	if c.splits(rows, rowsWorthSplitting(cols)) {
		c.split(rows, j)
	} else {
		j.run(0, 0, rows)
	}
	*j = softmaxGradJob[T]{}
}

// softmaxGradRow is one row of SoftmaxGrad.
func softmaxGradRow[T float](yr, dyr, dxr []T, log bool) {
	if log {
		// dx = dy − softmax·Σdy; masked positions (y = −Inf) are constants and receive nothing.
		var s T
		for _, g := range dyr {
			s += g
		}
		for j, v := range yr {
			if math.IsInf(float64(v), -1) {
				continue
			}
			dxr[j] += dyr[j] - T(math.Exp(float64(v)))*s
		}
		return
	}
	// dx = y ⊙ (dy − ⟨y, dy⟩)
	var s T
	for j, v := range yr {
		s += v * dyr[j]
	}
	for j, v := range yr {
		dxr[j] += v * (dyr[j] - s)
	}
}

func (c *CPU[T]) CrossEntropy(rows, cols int, ls Storage, targets []int32, weights []float32, ps Storage) (loss, wsum float64) {
	c.Softmax(rows, cols, ls, nil, ps, false)
	p := d[T](ps)
	for r, t := range targets {
		w := 1.0
		if weights != nil {
			w = float64(weights[t])
		}
		// −log p computed from the probability; clamp to avoid +Inf when p underflows.
		loss -= w * math.Log(math.Max(float64(p[r*cols+int(t)]), 1e-300))
		wsum += w
	}
	return loss, wsum
}

func (c *CPU[T]) CrossEntropyGrad(rows, cols int, ps Storage, targets []int32, weights []float32, scale float64, dls Storage) {
	j := &c.jobs.ceGrad
	*j = crossEntropyGradJob[T]{p: d[T](ps), dl: d[T](dls), targets: targets, weights: weights, scale: scale, cols: cols}
	if c.splits(len(targets), rowsWorthSplitting(cols)) {
		c.split(len(targets), j)
	} else {
		j.run(0, 0, len(targets))
	}
	*j = crossEntropyGradJob[T]{}
}
