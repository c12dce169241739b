package session

import "github.com/tibench/tibench/datasets"

// lane is one slot of session-parallel batching: the session it holds and the click it is at.
type lane struct {
	sess int // index into lanes.sessions; -1 when the lane is idle (no sessions left)
	pos  int // the click the lane processes next
	hist int // hidden states in the lane's history
}

// lanes runs sessions through parallel lanes, GRU4Rec style: a lane whose session ends takes the
// next one in order, starting from a zero state and an empty history. States and histories live on
// the host between steps (gradients are truncated at every click).
type lanes struct {
	sessions []datasets.Session
	order    []int // session order; nil = as given
	taken    int   // sessions handed to lanes so far
	ln       []lane

	stateW int
	state  []float32 // lane l's state at [l·stateW, (l+1)·stateW)

	histW, histCap int
	hist           []float32 // lane l's history: histCap rows of histW from l·histCap·histW, oldest first
}

func newLanes(sessions []datasets.Session, order []int, n, stateW, histW, histCap int) *lanes {
	n = max(1, min(n, len(sessions)))
	ls := &lanes{sessions: sessions, order: order, ln: make([]lane, n), stateW: stateW,
		state: make([]float32, n*stateW), histW: histW, histCap: histCap}
	if histW > 0 {
		ls.hist = make([]float32, n*histCap*histW)
	}
	for l := range ls.ln {
		ls.take(l)
	}
	return ls
}

// take gives lane l the next session (or makes it idle) with a fresh state.
func (ls *lanes) take(l int) {
	ln := &ls.ln[l]
	*ln = lane{sess: -1}
	if ls.taken < len(ls.sessions) {
		ln.sess = ls.taken
		if ls.order != nil {
			ln.sess = ls.order[ls.taken]
		}
		ls.taken++
	}
	clear(ls.state[l*ls.stateW : (l+1)*ls.stateW])
}

func (ls *lanes) active() int {
	n := 0
	for _, ln := range ls.ln {
		if ln.sess >= 0 {
			n++
		}
	}
	return n
}

func (ls *lanes) activeLanes(dst []int) []int {
	for l, ln := range ls.ln {
		if ln.sess >= 0 {
			dst = append(dst, l)
		}
	}
	return dst
}

// advance moves the lanes past the clicks they just processed.
func (ls *lanes) advance(active []int) {
	for _, l := range active {
		ln := &ls.ln[l]
		ln.pos++
		if ln.pos >= ls.sessions[ln.sess].Len() {
			ls.take(l)
		}
	}
}

func (ls *lanes) gatherState(active []int, dst []float32) []float32 {
	w := ls.stateW
	dst = grow(dst, len(active)*w)
	for j, l := range active {
		copy(dst[j*w:(j+1)*w], ls.state[l*w:(l+1)*w])
	}
	return dst
}

func (ls *lanes) scatterState(active []int, src []float32) {
	w := ls.stateW
	for j, l := range active {
		copy(ls.state[l*w:(l+1)*w], src[j*w:(j+1)*w])
	}
}

// gatherHistory packs the active lanes' histories as rows j·T+i (T the longest of them) and
// writes each lane's length to lens.
func (ls *lanes) gatherHistory(active []int, lens []int, dst []float32) (steps int, out []float32) {
	for j, l := range active {
		lens[j] = ls.ln[l].hist
		steps = max(steps, lens[j])
	}
	w := ls.histW
	out = grow(dst, len(active)*steps*w)
	clear(out)
	for j, l := range active {
		src := ls.hist[l*ls.histCap*w:]
		copy(out[j*steps*w:], src[:lens[j]*w])
	}
	return steps, out
}

// pushHistory appends each active lane's new hidden state, dropping the oldest beyond histCap.
func (ls *lanes) pushHistory(active []int, src []float32) {
	w := ls.histW
	for j, l := range active {
		ln := &ls.ln[l]
		h := ls.hist[l*ls.histCap*w : (l+1)*ls.histCap*w]
		if ln.hist == ls.histCap {
			copy(h, h[w:])
			ln.hist--
		}
		copy(h[ln.hist*w:(ln.hist+1)*w], src[j*w:(j+1)*w])
		ln.hist++
	}
}
