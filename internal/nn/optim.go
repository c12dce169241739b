package nn

import (
	"fmt"
	"math"
	"sort"

	"github.com/tibench/tibench/internal/ag"
)

// Optimizer updates parameters from their accumulated gradients.
type Optimizer interface {
	// Step applies one update and increments the step count. It does not clear gradients.
	Step()
	// ZeroGrad clears the gradients of the optimiser's parameters.
	ZeroGrad()
	Params() Params
}

// OptimConfig holds the hyper-parameters of every optimiser; zero values mean the optimiser's
// PyTorch default (stated per field). Fields an optimiser does not use are ignored.
type OptimConfig struct {
	LR          float64 // learning rate; default 1e-3 (Adam), 1e-2 (SGD, Adagrad)
	WeightDecay float64 // L2 penalty added to the gradient (PyTorch semantics); default 0
	Momentum    float64 // SGD momentum; default 0
	Beta1       float64 // Adam; default 0.9
	Beta2       float64 // Adam; default 0.999
	Eps         float64 // Adam default 1e-8, Adagrad default 1e-10
	// SparseRows says how Adam updates the rows of parameters with sparse gradients (tables read
	// through Gather); dense parameters are unaffected. Default RowsDense.
	SparseRows SparseRows
	// AheadSweep (RowsDeferred): after the rows of Next, each Adam.Ahead brings 1/AheadSweep of every
	// table up to date, round robin; default 16 (aheadSweep). Negative: no sweep, rows catch up only
	// when read (Next, a Gather) and at Flush — fewer, longer replays, which suits tables whose rows
	// sit out long stretches without weight decay (their replay skips the parameter update of steps
	// that cannot move them; see ag.Backend.AdamCatchUpRows).
	AheadSweep int
}

// SparseRows is how Adam treats the rows of a sparse-gradient parameter that got no gradient in a
// step.
type SparseRows int

const (
	// RowsDense is torch.optim.Adam: every row takes every step, moving on its momentum and on
	// weight decay (added to the gradient) whether or not it received a gradient.
	RowsDense SparseRows = iota
	// RowsDeferred gives RowsDense's parameters bit for bit, but a row's gradient-free steps are
	// replayed only when the row is next read (Gather) or at Flush — see Adam.
	RowsDeferred
	// RowsLazy is torch.optim.SparseAdam: only rows that received gradient are updated, each with
	// bias correction from its own number of updates; the others keep parameters and moments.
	RowsLazy
)

// String names the mode as configs do.
func (r SparseRows) String() string {
	switch r {
	case RowsDense:
		return "dense"
	case RowsDeferred:
		return "deferred"
	case RowsLazy:
		return "lazy"
	}
	return fmt.Sprintf("SparseRows(%d)", int(r))
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// KnownOptimizers maps optimiser names to constructors.
var KnownOptimizers = map[string]func(Params, OptimConfig) Optimizer{
	"sgd":     func(ps Params, c OptimConfig) Optimizer { return NewSGD(ps, c) },
	"adam":    func(ps Params, c OptimConfig) Optimizer { return NewAdam(ps, c) },
	"adagrad": func(ps Params, c OptimConfig) Optimizer { return NewAdagrad(ps, c) },
}

// OptimizerByName constructs a known optimiser or returns an error listing the valid names.
func OptimizerByName(name string, ps Params, c OptimConfig) (Optimizer, error) {
	ctor, ok := KnownOptimizers[name]
	if !ok {
		names := make([]string, 0, len(KnownOptimizers))
		for n := range KnownOptimizers {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("nn: unknown optimizer %q (valid: %v)", name, names)
	}
	return ctor(ps, c), nil
}

// state allocates one zeroed buffer per parameter.
func state(ps Params) []ag.Storage {
	s := make([]ag.Storage, len(ps))
	for i, p := range ps {
		s[i] = p.Backend().New(p.Len())
	}
	return s
}

// SGD is torch.optim.SGD (no dampening, no Nesterov).
type SGD struct {
	ps   Params
	cfg  OptimConfig
	bufs []ag.Storage // momentum buffers; nil without momentum
}

// NewSGD returns plain or momentum SGD.
func NewSGD(ps Params, c OptimConfig) *SGD {
	c.LR = orDefault(c.LR, 1e-2)
	o := &SGD{ps: ps, cfg: c}
	if c.Momentum != 0 {
		o.bufs = state(ps)
	}
	return o
}

// Step applies p −= lr·buf with buf = momentum·buf + (g + wd·p). PyTorch initialises buf to the
// first gradient, which equals momentum·0 + g: a zeroed buffer gives the same first step.
func (o *SGD) Step() {
	for i, p := range o.ps {
		var buf ag.Storage
		if o.bufs != nil {
			buf = o.bufs[i]
		}
		p.Backend().SGDStep(p.Storage(), p.GradStorage(), buf, o.cfg.LR, o.cfg.Momentum, o.cfg.WeightDecay)
	}
}

func (o *SGD) ZeroGrad()      { o.ps.ZeroGrad() }
func (o *SGD) Params() Params { return o.ps }

// Adam is torch.optim.Adam (amsgrad off), with L2 weight decay added to the gradient.
//
// Deferred dense Adam (SparseRows RowsDeferred). A row r of an embedding table that gets no data
// gradient at step s still takes dense Adam's step with g = wd·p:
//
//	m ← β1·m + (1−β1)·wd·p;  v ← β2·v + (1−β2)·(wd·p)²;  p ← p − (lr/bias1_s)·m / (√v/√bias2_s + ε).
//
// Without weight decay this has a closed form (m_k = β1^k·m, v_k = β2^k·v, and p moves by
// lr·m/√v·Σ_j (β1/√β2)^j·√bias2/bias1 up to ε), but with it the step depends on p itself through
// wd·p, √v and ε, and no closed form exists. Nor is the weight-decay term negligible: once the
// momentum of the row's last gradient has decayed (β1^k, ~20 steps), m ≈ wd·p and √v is what is
// left of that gradient's β2^k-decayed square, so p shrinks by a factor (1 − lr·wd/√v̂) per step —
// with JODIE's lr 1e-3 and wd 1e-5, and one-hot gradients of order 1e-5 (so √v̂ of order 1e-6),
// of order 1% per step by this estimate: a row left alone for hundreds of steps decays toward zero. Any approximation would move exactly the rows that hold "this user
// repeats this item". So the steps are replayed exactly, but late: each row records the step it is
// current at; a Gather of the row (ag.Tensor.SetBeforeGather) first replays the steps it missed,
// with the per-step scalars recorded at each step, in the same operations as the dense kernel
// (ag.Backend.AdamCatchUpRows), and Flush brings every row up to date. The work is the same
// number of row-steps as dense Adam but runs row by row in cache (and 8 lanes wide) instead of
// streaming the whole table through memory at every step. Rows are only correct when read through
// Gather or after Flush; a reader of the raw storage must Flush first.
type Adam struct {
	ps   Params
	cfg  OptimConfig
	m, v []ag.Storage
	t    int
	// per-row step counts of sparse parameters. RowsLazy: each row's own number of updates (bias
	// correction follows it, as SparseAdam's per-slice state). RowsDeferred: the step each row is
	// current at.
	rowSteps map[*ag.Tensor][]int32
	row      [1]int32 // scratch row index
	cur      [1]int32 // scratch step count
	// catchUp's scratch: the rows a Gather finds behind and the steps they are at.
	behind, behindAt []int32
	// RowsDeferred: lr/bias1 and √bias2 of every step so far (index s is step s+1).
	stepSize, sqrtBias2 []float64
	ahead               aheadState // RowsDeferred: the background catch-up (Ahead)
}

// NewAdam returns Adam with PyTorch defaults for zero fields. With RowsDeferred it installs a
// Gather hook on every sparse-gradient parameter (see Adam).
func NewAdam(ps Params, c OptimConfig) *Adam {
	c.LR = orDefault(c.LR, 1e-3)
	c.Beta1 = orDefault(c.Beta1, 0.9)
	c.Beta2 = orDefault(c.Beta2, 0.999)
	c.Eps = orDefault(c.Eps, 1e-8)
	o := &Adam{ps: ps, cfg: c, m: state(ps), v: state(ps)}
	if c.SparseRows == RowsDense {
		return o
	}
	o.rowSteps = map[*ag.Tensor][]int32{}
	for i, p := range ps {
		if !p.SparseGrad() {
			continue
		}
		o.rowSteps[p] = make([]int32, p.Rows())
		if c.SparseRows == RowsDeferred {
			p.SetBeforeGather(func(rows []int32) { o.catchUp(i, rows) })
		}
	}
	return o
}

// bias returns 1 − β1^t and 1 − β2^t.
func (o *Adam) bias(t int) (bias1, bias2 float64) {
	return 1 - math.Pow(o.cfg.Beta1, float64(t)), 1 - math.Pow(o.cfg.Beta2, float64(t))
}

// setStep sets the step count (a restored snapshot or checkpoint) and the per-step scalars with it.
func (o *Adam) setStep(t int) {
	o.wait()
	o.t = t
	if o.cfg.SparseRows != RowsDeferred {
		return
	}
	if len(o.stepSize) > t {
		o.stepSize, o.sqrtBias2 = o.stepSize[:t], o.sqrtBias2[:t]
	}
	for s := len(o.stepSize) + 1; s <= t; s++ {
		o.record(s)
	}
}

func (o *Adam) record(t int) {
	bias1, bias2 := o.bias(t)
	o.stepSize = append(o.stepSize, o.cfg.LR/bias1)
	o.sqrtBias2 = append(o.sqrtBias2, math.Sqrt(bias2))
}

// Step applies one Adam update.
func (o *Adam) Step() {
	o.wait()
	c := o.cfg
	if c.SparseRows == RowsDeferred {
		// Rows receive gradient through Gather, which caught them up; any other way in (a dense op
		// on the table) still finds them current.
		for i, p := range o.ps {
			if _, ok := o.rowSteps[p]; ok {
				o.catchUp(i, p.TouchedRows())
			}
		}
	}
	o.t++
	if c.SparseRows == RowsDeferred {
		o.record(o.t)
	}
	bias1, bias2 := o.bias(o.t)
	for i, p := range o.ps {
		be := p.Backend()
		steps, sparse := o.rowSteps[p]
		switch {
		case sparse && c.SparseRows == RowsLazy:
			// Each touched row gets its own bias correction from its own update count.
			for _, r := range p.TouchedRows() {
				steps[r]++
				b1, b2 := o.bias(int(steps[r]))
				o.row[0] = r
				be.AdamStepRows(p.Cols(), o.row[:], p.Storage(), p.GradStorage(), o.m[i], o.v[i], c.LR, c.Beta1, c.Beta2,
					c.Eps, c.WeightDecay, b1, b2)
			}
		case sparse:
			// Deferred: touched rows take this step now, the others when next read.
			touched := p.TouchedRows()
			be.AdamStepRows(p.Cols(), touched, p.Storage(), p.GradStorage(), o.m[i], o.v[i], c.LR, c.Beta1, c.Beta2,
				c.Eps, c.WeightDecay, bias1, bias2)
			for _, r := range touched {
				steps[r] = int32(o.t)
			}
		default:
			be.AdamStep(p.Storage(), p.GradStorage(), o.m[i], o.v[i], c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, bias1, bias2)
		}
	}
}

func (o *Adam) ZeroGrad()      { o.ps.ZeroGrad() }
func (o *Adam) Params() Params { return o.ps }

// Adagrad is torch.optim.Adagrad (lr_decay 0, initial accumulator 0).
type Adagrad struct {
	ps  Params
	cfg OptimConfig
	sum []ag.Storage
}

// NewAdagrad returns Adagrad with PyTorch defaults for zero fields.
func NewAdagrad(ps Params, c OptimConfig) *Adagrad {
	c.LR = orDefault(c.LR, 1e-2)
	c.Eps = orDefault(c.Eps, 1e-10)
	return &Adagrad{ps: ps, cfg: c, sum: state(ps)}
}

// Step applies one Adagrad update.
func (o *Adagrad) Step() {
	for i, p := range o.ps {
		p.Backend().AdagradStep(p.Storage(), p.GradStorage(), o.sum[i], o.cfg.LR, o.cfg.Eps, o.cfg.WeightDecay)
	}
}

func (o *Adagrad) ZeroGrad()      { o.ps.ZeroGrad() }
func (o *Adagrad) Params() Params { return o.ps }
