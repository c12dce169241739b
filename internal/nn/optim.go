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
	// LazySparse makes Adam update only the touched rows of parameters with sparse gradients
	// (embedding tables), as torch.optim.SparseAdam; dense parameters are unaffected.
	LazySparse bool
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
type Adam struct {
	ps   Params
	cfg  OptimConfig
	m, v []ag.Storage
	t    int
	// per-row step counts for LazySparse parameters: bias correction then follows each row's own
	// number of updates, as SparseAdam's state does per parameter slice.
	rowSteps map[*ag.Tensor][]int32
	row      [1]int32 // scratch row index for AdamStepRows
}

// NewAdam returns Adam with PyTorch defaults for zero fields.
func NewAdam(ps Params, c OptimConfig) *Adam {
	c.LR = orDefault(c.LR, 1e-3)
	c.Beta1 = orDefault(c.Beta1, 0.9)
	c.Beta2 = orDefault(c.Beta2, 0.999)
	c.Eps = orDefault(c.Eps, 1e-8)
	o := &Adam{ps: ps, cfg: c, m: state(ps), v: state(ps)}
	if c.LazySparse {
		o.rowSteps = map[*ag.Tensor][]int32{}
		for _, p := range ps {
			if p.SparseGrad() {
				o.rowSteps[p] = make([]int32, p.Rows())
			}
		}
	}
	return o
}

// Step applies one Adam update.
func (o *Adam) Step() {
	o.t++
	c := o.cfg
	bias1 := 1 - math.Pow(c.Beta1, float64(o.t))
	bias2 := 1 - math.Pow(c.Beta2, float64(o.t))
	for i, p := range o.ps {
		be := p.Backend()
		if steps, lazy := o.rowSteps[p]; lazy {
			// Each touched row gets its own bias correction from its own update count.
			for _, r := range p.TouchedRows() {
				steps[r]++
				t := float64(steps[r])
				o.row[0] = r
				be.AdamStepRows(p.Cols(), o.row[:], p.Storage(), p.GradStorage(), o.m[i], o.v[i], c.LR, c.Beta1, c.Beta2,
					c.Eps, c.WeightDecay, 1-math.Pow(c.Beta1, t), 1-math.Pow(c.Beta2, t))
			}
			continue
		}
		be.AdamStep(p.Storage(), p.GradStorage(), o.m[i], o.v[i], c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, bias1, bias2)
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
