package ag

// arena hands out the storage of a tape's tensors (values and gradients) as views into a few large
// slabs, bump-allocated in creation order; Reset rewinds it. Unlike per-size free lists it wastes
// nothing on rounding, and a step's tensors sit next to each other. (The power-of-two classes this
// replaces held 2–4× a window's need at 1M users, where a single t-batch can hold 18,000
// interactions; in TestArenaVaryingWindowsDoNotFragment, windows of very different shapes leave
// these slabs at 1.6× the largest window's need.)
//
// Growth: a step that outgrows the slabs adds a slab of at least half the current total, so a
// first, large window needs only a few slabs, and the slabs are kept: the next steps fill them
// (next fit) and allocate nothing. (Replacing them by one coalesced slab would allocate the new
// one while the old are still garbage: at 1M users that transient pushed peak RSS over 8 GB.) Only
// when the slabs have become far larger than recent steps need (after an unusually big window) are
// they released, and the next step starts from one slab sized to the decaying high-water mark.
type arena struct {
	be    Backend
	slabs []Storage
	offs  []int // next free element of each slab
	cur   int   // the slab the last allocation came from
	views []Storage
	nv    int     // views handed out since reset; their headers are recycled
	used  int     // elements handed out since reset (rounded up to the alignment)
	high  float64 // decaying high-water mark of used over recent steps
	want  int     // capacity of the next slab to allocate (set when slabs are replaced)
}

const (
	// arenaAlign keeps every view on a 64-byte boundary (16 float32), which vector kernels like.
	arenaAlign = 16
	// arenaMinSlab is the smallest slab (elements): small steps share one slab of this size.
	arenaMinSlab = 1 << 18
	// arenaDecay is the per-step decay of the high-water mark: steps that alternate between sizes
	// keep the larger slab, while a one-off big window is forgotten after some tens of steps.
	arenaDecay = 0.95
)

// alloc returns storage for n elements with unspecified contents, by next fit: from the slab of
// the previous allocation when it has room (consecutive tensors stay adjacent, as a step's ops read
// them), else from the next slab with room, wrapping round, so that smaller tensors use what bigger
// ones left. The same sequence of sizes lands in the same places every step.
func (a *arena) alloc(n int) Storage {
	need := (n + arenaAlign - 1) &^ (arenaAlign - 1)
	slab := -1
	for k := range a.slabs {
		i := a.cur + k
		if i >= len(a.slabs) {
			i -= len(a.slabs)
		}
		if a.slabs[i].Cap()-a.offs[i] >= need {
			slab = i
			break
		}
	}
	if slab < 0 {
		size := max(need, a.want, arenaMinSlab, a.capacity()/2)
		a.want = 0
		a.slabs = append(a.slabs, a.be.New(size))
		a.offs = append(a.offs, 0)
		slab = len(a.slabs) - 1
	}
	a.cur = slab
	var reuse Storage
	if a.nv < len(a.views) {
		reuse = a.views[a.nv]
	}
	v := a.be.View(reuse, a.slabs[slab], a.offs[slab], n)
	if a.nv < len(a.views) {
		a.views[a.nv] = v
	} else {
		a.views = append(a.views, v)
	}
	a.nv++
	a.offs[slab] += need
	a.used += need
	return v
}

// capacity is the number of elements the slabs hold.
func (a *arena) capacity() int {
	c := 0
	for _, s := range a.slabs {
		c += s.Cap()
	}
	return c
}

// reset rewinds the arena for the next step (every view handed out becomes invalid). It reports
// whether the slabs were released: the caller must then drop its own references to old views (the
// tape's tensor headers), or they would keep the released slabs alive.
func (a *arena) reset() (released bool) {
	a.high = max(float64(a.used), arenaDecay*a.high)
	if float64(a.capacity()) > 2*a.high+arenaMinSlab {
		clear(a.slabs)
		a.slabs, a.offs = a.slabs[:0], a.offs[:0]
		clear(a.views) // recycled headers point into the old slabs
		a.views = a.views[:0]
		a.want = int(a.high + a.high/8)
		released = true
	}
	clear(a.offs)
	a.used, a.nv, a.cur = 0, 0, 0
	return released
}
