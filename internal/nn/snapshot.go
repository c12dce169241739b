package nn

import (
	"slices"

	"github.com/tibench/tibench/internal/ag"
)

// stateful is implemented by the optimisers so a Snapshot can copy their moments and step counts.
type stateful interface {
	stateStorages() []ag.Storage
	counters() *optCounters
}

// optCounters are an optimiser's step counts.
type optCounters struct {
	t        int
	rowSteps map[*ag.Tensor][]int32
}

func (o *SGD) stateStorages() []ag.Storage     { return o.bufs }
func (o *SGD) counters() *optCounters          { return &optCounters{} }
func (o *Adagrad) stateStorages() []ag.Storage { return o.sum }
func (o *Adagrad) counters() *optCounters      { return &optCounters{} }
func (o *Adam) stateStorages() []ag.Storage {
	o.wait()
	return append(slices.Clone(o.m), o.v...)
}

func (o *Adam) counters() *optCounters {
	o.wait()
	return &optCounters{t: o.t, rowSteps: o.rowSteps}
}

// Snapshot holds a copy of parameter values and optimiser state. Models that keep learning while they
// are evaluated (JODIE's "online" protocol) take one before and restore it after, so evaluation leaves
// training unaffected. Taking a snapshot again reuses its memory.
type Snapshot struct {
	params Params
	opt    Optimizer
	vals   []ag.Storage // params, then optimiser state
	t      int
	rows   map[*ag.Tensor][]int32
}

// Take copies the current values of ps and the state of opt (which may be nil).
func (s *Snapshot) Take(ps Params, opt Optimizer) {
	s.params, s.opt = ps, opt
	srcs := s.sources()
	if len(s.vals) != len(srcs) {
		s.vals = make([]ag.Storage, len(srcs))
	}
	for i, src := range srcs {
		be := s.backend(i)
		s.vals[i] = be.Resize(s.vals[i], src.Len())
		be.Copy(s.vals[i], src)
	}
	if st, ok := opt.(stateful); ok {
		c := st.counters()
		s.t = c.t
		if s.rows == nil && c.rowSteps != nil {
			s.rows = map[*ag.Tensor][]int32{}
		}
		for p, r := range c.rowSteps {
			s.rows[p] = append(s.rows[p][:0], r...)
		}
	}
}

// Restore puts back the values and optimiser state of the last Take.
func (s *Snapshot) Restore() {
	for i, dst := range s.sources() {
		s.backend(i).Copy(dst, s.vals[i])
	}
	if a, ok := s.opt.(*Adam); ok {
		a.setStep(s.t)
		for p, r := range a.rowSteps {
			copy(r, s.rows[p])
		}
	}
}

func (s *Snapshot) sources() []ag.Storage {
	var out []ag.Storage
	for _, p := range s.params {
		out = append(out, p.Storage())
	}
	if st, ok := s.opt.(stateful); ok {
		for _, x := range st.stateStorages() {
			if x != nil {
				out = append(out, x)
			}
		}
	}
	return out
}

// backend of the i-th source: every parameter and its optimiser state share the first parameter's
// backend (one model, one backend).
func (s *Snapshot) backend(int) ag.Backend { return s.params[0].Backend() }
