package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// SynthConfig describes a synthetic dataset. Users, Items and Interactions are required; a zero
// value elsewhere means the default stated in the field's comment. Probabilities default to 0, i.e.
// the effect is off: start from PresetConfig for a realistic mix.
type SynthConfig struct {
	Name string // Dataset.Name; default "synth"

	Users        int     // population size; NumUsers() of the result is at most this
	Items        int     // catalogue size; NumItems() of the result is at most this
	Interactions int     // exact number of rows
	FeatureDim   int     // features per row; 0 = none
	Span         float64 // seconds from the first to the last event; default 30 days

	LatentDim  int     // dimension of the latent space; default 8
	Clusters   int     // communities of items; default round(sqrt(Items)), at most Items
	UserSpread float64 // stationary spread of a user around its cluster centre; default 0.5
	ItemSpread float64 // spread of item anchors around their cluster centre; default 0.5
	PopSigma   float64 // σ of the log-normal base popularity of items; default 1

	RepeatProb  float64 // probability of repeating the previous item (the target repeat rate); default 0
	RecentProb  float64 // non-repeat events: probability of re-picking a recent item; default 0
	GlobalProb  float64 // non-repeat events: probability of drawing from global popularity; default 0
	RecentSize  int     // recent items remembered per user; default 8
	Candidates  int     // candidates per draw (sampling-importance-resampling); default 8
	Affinity    float64 // β in exp(-β/2·‖z-v‖²); default 2
	TrendShare  float64 // share of an item's popularity that follows its lifecycle bump; default 0
	ItemDrift   float64 // step of an item's latent towards its users and back to its anchor; default 0
	JumpProb    float64 // per-event probability of an interest shift; default 0
	JumpTime    float64 // seconds; an absence of Δ adds a shift hazard 1-exp(-Δ/JumpTime); default 0 = none
	Persistence float64 // per-event OU autocorrelation of user latents, in (0,1); default 0.9

	ActivitySigma float64 // σ of the log-normal user activity; default 1
	ArrivalFrac   float64 // users arrive uniformly in [0, ArrivalFrac·Span]; default 0 (all at the start)
	SessionProb   float64 // probability that the next gap is in-session; default 0
	SessionGap    float64 // mean in-session gap in seconds; default 120
	GapSigma      float64 // σ of the log-normal between-session gap; default 1.5

	LabelRate      float64 // target share of rows with label 1 (bans, drop-outs); default 0 = no labels
	LabelSharpness float64 // κ: how strongly the strain drives the hazard; default 2
	StrainMemory   float64 // per-event memory of the strain, in (0,1); default 0.8
	FeatureNoise   float64 // σ of the noise added to the projected latent; default 0.5

	// ItemCategories attaches each item's cluster as its category (Dataset.ItemCategories), for
	// the CTR task. With interest shifts (JumpProb) a user's recent behaviours share the next
	// item's cluster more often than old ones: the semantic-temporal correlation of TIN Fig. 1(a).
	ItemCategories bool
}

// ErrSynthConfig is wrapped by Generate's configuration errors.
var ErrSynthConfig = errors.New("datasets: bad synthetic config")

// withDefaults returns the config with zero fields replaced by their documented defaults.
func (c SynthConfig) withDefaults() SynthConfig {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	defInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Name == "" {
		c.Name = "synth"
	}
	def(&c.Span, 30*86400)
	defInt(&c.LatentDim, 8)
	if c.Clusters == 0 && c.Items > 0 {
		c.Clusters = max(1, min(c.Items, int(math.Round(math.Sqrt(float64(c.Items))))))
	}
	def(&c.UserSpread, 0.5)
	def(&c.ItemSpread, 0.5)
	def(&c.PopSigma, 1)
	defInt(&c.RecentSize, 8)
	defInt(&c.Candidates, 8)
	def(&c.Affinity, 2)
	def(&c.Persistence, 0.9)
	def(&c.ActivitySigma, 1)
	def(&c.SessionGap, 120)
	def(&c.GapSigma, 1.5)
	def(&c.LabelSharpness, 2)
	def(&c.StrainMemory, 0.8)
	def(&c.FeatureNoise, 0.5)
	return c
}

// validate checks a config that has its defaults filled in.
func (c *SynthConfig) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w %q: field %s: %s", ErrSynthConfig, c.Name, field, fmt.Sprintf(format, args...))
	}
	prob := func(field string, p float64) error {
		if !(p >= 0 && p <= 1) {
			return bad(field, "%v is not a probability in [0,1]", p)
		}
		return nil
	}
	switch {
	case c.Users < 1:
		return bad("Users", "%d, want >= 1", c.Users)
	case c.Items < 1:
		return bad("Items", "%d, want >= 1", c.Items)
	case c.Interactions < 1:
		return bad("Interactions", "%d, want >= 1", c.Interactions)
	case c.Users > math.MaxInt32 || c.Items > math.MaxInt32:
		return bad("Users", "users %d and items %d must fit in int32", c.Users, c.Items)
	case c.FeatureDim < 0:
		return bad("FeatureDim", "%d, want >= 0", c.FeatureDim)
	case !(c.Span > 0) || math.IsInf(c.Span, 0):
		return bad("Span", "%v, want a positive number of seconds", c.Span)
	case c.LatentDim < 1:
		return bad("LatentDim", "%d, want >= 1", c.LatentDim)
	case c.Clusters < 1 || c.Clusters > c.Items:
		return bad("Clusters", "%d, want 1..Items (%d)", c.Clusters, c.Items)
	case c.RecentSize < 1:
		return bad("RecentSize", "%d, want >= 1", c.RecentSize)
	case c.Candidates < 1:
		return bad("Candidates", "%d, want >= 1", c.Candidates)
	case !(c.Persistence > 0 && c.Persistence < 1):
		return bad("Persistence", "%v, want in (0,1)", c.Persistence)
	case !(c.StrainMemory > 0 && c.StrainMemory < 1):
		return bad("StrainMemory", "%v, want in (0,1)", c.StrainMemory)
	case !(c.SessionProb >= 0 && c.SessionProb < 1):
		return bad("SessionProb", "%v, want in [0,1)", c.SessionProb)
	case !(c.LabelRate >= 0 && c.LabelRate < 0.5):
		return bad("LabelRate", "%v, want in [0,0.5)", c.LabelRate)
	case c.RecentProb+c.GlobalProb > 1:
		return bad("RecentProb", "RecentProb %v + GlobalProb %v exceed 1", c.RecentProb, c.GlobalProb)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"RepeatProb", c.RepeatProb}, {"RecentProb", c.RecentProb}, {"GlobalProb", c.GlobalProb},
		{"TrendShare", c.TrendShare}, {"ItemDrift", c.ItemDrift}, {"JumpProb", c.JumpProb}, {"ArrivalFrac", c.ArrivalFrac}} {
		if err := prob(p.name, p.v); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"UserSpread", c.UserSpread}, {"ItemSpread", c.ItemSpread}, {"PopSigma", c.PopSigma}, {"Affinity", c.Affinity},
		{"JumpTime", c.JumpTime}, {"ActivitySigma", c.ActivitySigma}, {"SessionGap", c.SessionGap},
		{"GapSigma", c.GapSigma}, {"LabelSharpness", c.LabelSharpness}, {"FeatureNoise", c.FeatureNoise}} {
		if !(p.v >= 0) || math.IsInf(p.v, 0) {
			return bad(p.name, "%v, want a finite number >= 0", p.v)
		}
	}
	return nil
}

// PCG streams, one per concern, so that e.g. the feature width cannot change the interactions.
const (
	streamWorld    = 0x5157 // clusters, items, bad direction
	streamUsers    = 0x5155 // user activities, arrivals, initial latents
	streamEvents   = 0x5145 // the simulation itself
	streamFeatures = 0x5146 // feature projection and noise
)

// Generate simulates cfg: a population of users and items with latent vectors, one interaction at a
// time in time order, returned as an ordinary Dataset. The model, event by event (user u pops off a
// time-ordered queue at time t):
//
//  1. Interest shift. With probability 1-(1-JumpProb)·exp(-Δ/JumpTime), Δ = time since u's last event,
//     u moves to a new cluster (drawn in proportion to the clusters' popularity mass). Shifts are thus
//     a per-interaction hazard plus a per-second one: long absences make a change of interest likelier,
//     which is what a model's time-delta input can learn.
//  2. Drift. u's latent z follows an Ornstein-Uhlenbeck step per event towards the centre of its
//     current cluster: z ← c + Persistence·(z-c) + UserSpread·sqrt(1-Persistence²)·ε. After a shift
//     z travels to the new cluster over several events, so the trajectory (not only the cluster) matters.
//  3. Item. With probability RepeatProb u repeats its previous item. Otherwise the item is drawn,
//     never equal to the previous one (which is what makes the measured consecutive-repeat rate equal
//     RepeatProb, see RepeatRate), from: u's recent items (RecentProb, recency-weighted), the global
//     popularity table (GlobalProb), or u's current cluster (the rest). The last two use
//     sampling-importance-resampling: Candidates items are drawn from a static alias table (base
//     popularity) and one is kept with weight lifecycle_i(t)·exp(-Affinity/2·‖z-v_i‖²), so that the
//     cost per event is O(Candidates·LatentDim) and never O(Items). lifecycle_i(t) =
//     (1-TrendShare) + TrendShare·exp(-½((t-peak_i)/width_i)²): items rise and fade at their own times.
//  4. Item drift. The chosen item's latent v moves towards the user (v += ItemDrift·(z-v)) and back
//     towards its anchor (v += ItemDrift·(anchor-v)), a co-evolution like the one JODIE models.
//  5. Label. A strain s ← StrainMemory·s + (1-StrainMemory)·x, x = (⟨z,b⟩+⟨v,b⟩)/2 for a fixed "bad"
//     direction b, sets the hazard h = LabelRate·exp(LabelSharpness·s)/mean(exp(LabelSharpness·s)),
//     the mean running over all events so far, times a correction for the hazards capped at 1/2
//     (global normalisers that keep the positive share near LabelRate whatever the population
//     drifts to, without making the label less learnable: they do not depend on the user). With
//     probability h the event gets label 1 and u never interacts again (a ban or a drop-out: the label
//     marks the user's last interaction, as in JODIE's data).
//  6. Features (FeatureDim > 0): W·z + FeatureNoise·ε with a fixed random W, as float32, so they
//     carry the latent state, the bad direction included.
//  7. Next event. With probability SessionProb the next gap is in-session, Exp(mean SessionGap);
//     otherwise it is a long log-normal gap (σ = GapSigma) whose mean gives u its activity rate.
//     Activities are log-normal across users (ActivitySigma) and users arrive uniformly in
//     [0, ArrivalFrac·Span].
//
// The run stops at exactly Interactions events; times are then shifted so Times[0] == 0, rescaled so
// the last event is at Span (drop-outs and very active users make the simulated length differ a
// little from the nominal one) and floored to whole seconds, as in the real files. Users and items
// that never interact do not appear, so NumUsers() <= Users and NumItems() <= Items. Raw ids are
// "u<dense id>" and "i<dense id>".
//
// Randomness: four PCG streams from the seed (world, users, events, features). Features draw only
// from their own stream, so FeatureDim never changes the interactions, times or labels.
//
// The same cfg and seed give a bit-identical Dataset on a given platform (floating-point fusion may
// differ between architectures). Time and memory are O(Interactions·(Candidates·LatentDim +
// FeatureDim) + Users·(LatentDim+RecentSize) + Items·LatentDim): no step looks at all items.
func Generate(cfg SynthConfig, seed uint64) (*Dataset, error) {
	d, _, err := GenerateTrace(cfg, seed)
	return d, err
}

// SynthTrace is what the generator knows and a dataset does not show: ground truth for tests of
// what models and monitors see.
type SynthTrace struct {
	// Shift[row] says the row's user shifted interest (step 1) at this interaction: its latent then
	// travels to a new cluster over its next interactions.
	Shift []bool
}

// GenerateTrace is Generate, with the trace of the simulation.
func GenerateTrace(cfg SynthConfig, seed uint64) (*Dataset, *SynthTrace, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	s := newSynth(&c, seed)
	s.trace = &SynthTrace{Shift: make([]bool, c.Interactions)}
	return s.run(), s.trace, nil
}

// synth holds the simulated world.
type synth struct {
	trace *SynthTrace // filled by run when set
	c     *SynthConfig
	dim   int
	span  float64

	centers []float64 // Clusters x dim
	bad     []float64 // unit "bad" direction

	itemCluster []int32
	// item holds, per item, its drifting latent, lifecycle peak time and 1/width, [v..., peak,
	// 1/width] (stride dim+2, float32), so that scoring a candidate touches one cache line: at the
	// JODIE scale test's 100,000 items generation is bound by memory latency, not arithmetic.
	item       []float32
	itemAnchor []float32 // Items x dim

	global     aliasTable // over all items, by base popularity
	clusterOff []int32    // Clusters+1 offsets into clusterTab
	clusterTab aliasTable // per-cluster tables, cluster k at [clusterOff[k], clusterOff[k+1])

	users    []synthUser
	userVec  []float32 // Users x dim
	recent   []int32   // Users x RecentSize, most recent first, -1 = empty
	proj     []float64 // FeatureDim x dim
	events   *rand.Rand
	features *rand.Rand
}

type synthUser struct {
	last     float64 // time of the previous event, -1 before the first
	longMean float64 // mean of the between-session gap
	strain   float64
	cluster  int32
	prev     int32 // previous item, -1 before the first event
}

func newSynth(c *SynthConfig, seed uint64) *synth {
	s := &synth{c: c, dim: c.LatentDim, span: c.Span}
	w := rand.New(rand.NewPCG(seed, streamWorld))
	d, k := s.dim, c.Clusters

	// Cluster centres at spread 1 and items around them: clusters are separated by about sqrt(2·dim)
	// while items spread by ItemSpread·sqrt(dim), so a user's cluster is a real neighbourhood.
	s.centers = gaussians(w, k*d, 1)
	s.bad = gaussians(w, d, 1)
	scale64(s.bad, 1/norm64(s.bad))

	// Items go round-robin over a shuffled order so every cluster gets floor or ceil(Items/Clusters).
	s.itemCluster = make([]int32, c.Items)
	for j, i := range w.Perm(c.Items) {
		s.itemCluster[i] = int32(j % k)
	}
	st := d + 2
	s.item = make([]float32, c.Items*st)
	s.itemAnchor = make([]float32, c.Items*d)
	pop := make([]float64, c.Items)
	for i := range c.Items {
		ctr := s.centers[int(s.itemCluster[i])*d:][:d]
		for j := range d {
			v := float32(ctr[j] + c.ItemSpread*w.NormFloat64())
			s.item[i*st+j] = v
			s.itemAnchor[i*d+j] = v
		}
		pop[i] = math.Exp(c.PopSigma * w.NormFloat64())
		// Peaks a little outside the span too, so some items are fading at the start and some rising
		// at the end; widths from 5% to 30% of the span.
		s.item[i*st+d] = float32((-0.2 + 1.4*w.Float64()) * s.span)
		s.item[i*st+d+1] = float32(1 / ((0.05 + 0.25*w.Float64()) * s.span))
	}
	s.global = newAliasTable(pop, nil)

	// Per-cluster alias tables, laid out cluster after cluster.
	s.clusterOff = make([]int32, k+1)
	for _, cl := range s.itemCluster {
		s.clusterOff[cl+1]++
	}
	for j := range k {
		s.clusterOff[j+1] += s.clusterOff[j]
	}
	members := make([]int32, c.Items)
	fill := append([]int32(nil), s.clusterOff[:k]...)
	for i, cl := range s.itemCluster {
		members[fill[cl]] = int32(i)
		fill[cl]++
	}
	s.clusterTab = make(aliasTable, 0, c.Items)
	for j := range k {
		m := members[s.clusterOff[j]:s.clusterOff[j+1]]
		ws := make([]float64, len(m))
		for t, it := range m {
			ws[t] = pop[it]
		}
		s.clusterTab = append(s.clusterTab, newAliasTable(ws, m)...)
	}

	if c.FeatureDim > 0 {
		f := rand.New(rand.NewPCG(seed, streamFeatures))
		s.proj = gaussians(f, c.FeatureDim*d, 1/math.Sqrt(float64(d)))
		s.features = f
	}
	s.initUsers(rand.New(rand.NewPCG(seed, streamUsers)))
	s.events = rand.New(rand.NewPCG(seed, streamEvents))
	return s
}

// initUsers draws activities and arrivals and calibrates the rates so that Interactions events are
// expected over the span: rate_u = k·w_u with Σ (1 + k·w_u·(Span - arrival_u)) = Interactions.
func (s *synth) initUsers(r *rand.Rand) {
	c, d := s.c, s.dim
	s.users = make([]synthUser, c.Users)
	s.userVec = make([]float32, c.Users*d)
	s.recent = make([]int32, c.Users*c.RecentSize)
	for i := range s.recent {
		s.recent[i] = -1
	}
	act := make([]float64, c.Users)
	var exposure float64
	for u := range c.Users {
		act[u] = math.Exp(c.ActivitySigma * r.NormFloat64())
		arrive := c.ArrivalFrac * s.span * r.Float64()
		exposure += act[u] * (s.span - arrive)
		cl := s.itemCluster[s.global.sample(r)]
		ctr := s.centers[int(cl)*d:][:d]
		for j := range d {
			s.userVec[u*d+j] = float32(ctr[j] + c.UserSpread*r.NormFloat64())
		}
		// last holds the arrival time until the first event (see run).
		s.users[u] = synthUser{last: arrive, cluster: cl, prev: -1}
	}
	// Each user's first event comes at its arrival; the rate covers the rest (at least a tenth of
	// the events, when there are hardly more events than users).
	k := max(float64(c.Interactions-c.Users), 0.1*float64(c.Interactions)) / exposure
	q, ms := c.SessionProb, c.SessionGap
	for u := range s.users {
		mean := 1 / (k * act[u])
		// mean = q·SessionGap + (1-q)·longMean; very active users whose mean gap is below the
		// in-session gap get longMean = SessionGap (they end up faster than nominal; the final
		// rescale to Span absorbs that).
		s.users[u].longMean = max((mean-q*ms)/(1-q), ms)
	}
}

func (s *synth) run() *Dataset {
	c, d := s.c, s.dim
	n := c.Interactions
	r := s.events
	out := &Dataset{
		Name:       c.Name,
		Users:      make([]int32, n),
		Items:      make([]int32, n),
		Times:      make([]float64, n),
		Labels:     make([]uint8, n),
		FeatureDim: c.FeatureDim,
	}
	if c.FeatureDim > 0 {
		out.Features = make([]float32, n*c.FeatureDim) // nil otherwise, as the CSV loader leaves it
	}
	q := newEventQueue(c.Users)
	for u := range s.users {
		q.push(s.users[u].last, int32(u))
		s.users[u].last = -1
	}
	userDense := filledInt32(c.Users, -1)
	itemDense := filledInt32(c.Items, -1)
	var nu, ni int32
	// Drop-outs need someone left to carry the remaining events.
	minActive := max(1, c.Users/100)
	var expSum, deficit float64 // Σ exp(κ·strain); expected positives still owed
	z := make([]float64, d)
	cand := make([]int32, c.Candidates)
	buf := make([]float64, c.Candidates)
	persist, innov := c.Persistence, c.UserSpread*math.Sqrt(1-c.Persistence*c.Persistence)

	for row := range n {
		t, u := q.pop()
		us := &s.users[u]
		for j := range d {
			z[j] = float64(s.userVec[int(u)*d+j])
		}

		// 1. Interest shift.
		shifted := false
		if us.prev >= 0 {
			pJump := c.JumpProb
			if c.JumpTime > 0 {
				pJump = 1 - (1-c.JumpProb)*math.Exp(-(t-us.last)/c.JumpTime)
			}
			if r.Float64() < pJump {
				us.cluster = s.itemCluster[s.global.sample(r)]
				shifted = true
			}
		}
		// 2. Drift towards the current cluster centre.
		ctr := s.centers[int(us.cluster)*d:][:d]
		for j := range d {
			z[j] = ctr[j] + persist*(z[j]-ctr[j]) + innov*r.NormFloat64()
		}
		// 3. Item.
		item := s.chooseItem(r, u, us, t, z, cand, buf)
		// 4. Item drift.
		v := s.item[int(item)*(d+2):][:d]
		if c.ItemDrift > 0 {
			a := s.itemAnchor[int(item)*d:][:d]
			for j := range d {
				vj := float64(v[j])
				v[j] = float32(vj + c.ItemDrift*((z[j]-vj)+(float64(a[j])-vj)))
			}
		}
		s.remember(u, item)
		// 5. Strain and label.
		var label uint8
		if c.LabelRate > 0 {
			var x float64
			for j := range d {
				x += 0.5 * (z[j] + float64(v[j])) * s.bad[j]
			}
			us.strain = c.StrainMemory*us.strain + (1-c.StrainMemory)*x
			e := math.Exp(c.LabelSharpness * us.strain)
			expSum += e
			// Hazards capped at 1/2 lose mass: an integral controller on the running deficit of
			// expected positives (target LabelRate·rows minus Σh) scales all hazards up until it
			// is repaid, so Σh ends within about a positive of the target.
			corr := math.Exp(max(-3, min(3, deficit/5)))
			h := min(0.5, c.LabelRate*e*float64(row+1)/expSum*corr)
			deficit += c.LabelRate - h
			if r.Float64() < h && q.len() >= minActive {
				label = 1
			}
		}
		// 6. Features.
		if c.FeatureDim > 0 {
			f := out.Features[row*c.FeatureDim:][:c.FeatureDim]
			for k := range f {
				f[k] = float32(dot64(s.proj[k*d:][:d], z) + c.FeatureNoise*s.features.NormFloat64())
			}
		}
		for j := range d {
			s.userVec[int(u)*d+j] = float32(z[j])
		}

		if userDense[u] < 0 {
			userDense[u] = nu
			nu++
		}
		if itemDense[item] < 0 {
			itemDense[item] = ni
			ni++
		}
		out.Users[row], out.Items[row], out.Times[row], out.Labels[row] = userDense[u], itemDense[item], t, label
		if s.trace != nil {
			s.trace.Shift[row] = shifted
		}
		us.prev, us.last = item, t

		// 7. Next event, unless the user just left.
		if label == 0 {
			var gap float64
			if r.Float64() < c.SessionProb {
				gap = c.SessionGap * r.ExpFloat64()
			} else {
				sg := c.GapSigma
				gap = us.longMean * math.Exp(sg*r.NormFloat64()-sg*sg/2)
			}
			q.push(t+gap, u)
		}
	}

	// Times: shift, rescale to the span, floor to seconds (monotone maps keep the order).
	t0, t1 := out.Times[0], out.Times[n-1]
	f := 0.0
	if t1 > t0 {
		f = s.span / (t1 - t0)
	}
	for i, t := range out.Times {
		out.Times[i] = math.Floor((t - t0) * f)
	}
	out.UserIDs = numberedIDs("u", int(nu))
	out.ItemIDs = numberedIDs("i", int(ni))
	if c.ItemCategories {
		out.ItemCategories = make([]int32, ni)
		for i, dense := range itemDense {
			if dense >= 0 {
				out.ItemCategories[dense] = s.itemCluster[i]
			}
		}
	}
	if c.FeatureDim > 0 {
		out.FeatureNames = make([]string, c.FeatureDim)
		for k := range out.FeatureNames {
			out.FeatureNames[k] = "f" + strconv.Itoa(k+1)
		}
	}
	return out
}

// chooseItem implements step 3 of the model.
func (s *synth) chooseItem(r *rand.Rand, u int32, us *synthUser, t float64, z []float64, cand []int32, buf []float64) int32 {
	c := s.c
	prev := us.prev
	if prev >= 0 && (c.Items == 1 || r.Float64() < c.RepeatProb) {
		return prev
	}
	b := r.Float64()
	if b < c.RecentProb {
		if it, ok := s.fromRecent(r, u, prev); ok {
			return it
		}
	}
	global := b < c.RecentProb+c.GlobalProb
	m := 0
	tab := s.global
	if !global {
		tab = s.clusterTab[s.clusterOff[us.cluster]:s.clusterOff[us.cluster+1]]
	}
	for tries := 0; m < len(cand) && tries < 4*len(cand); tries++ {
		it := tab.sample(r)
		if it != prev {
			cand[m] = it
			m++
		}
	}
	if m == 0 {
		// The cluster holds only the previous item: any other item, uniformly.
		it := int32(r.IntN(c.Items - 1))
		if it >= prev {
			it++
		}
		return it
	}
	// Weights lifecycle·exp(-β/2·(dist-minDist)): the shift by the smallest distance avoids
	// underflow and cancels in the normalisation.
	d, st := s.dim, s.dim+2
	dist := buf[:m] // squared distances, then weights
	minDist := math.Inf(1)
	for j := range m {
		rec := s.item[int(cand[j])*st:][:st]
		var dd float64
		for k := range d {
			e := z[k] - float64(rec[k])
			dd += e * e
		}
		dist[j] = dd
		minDist = min(minDist, dd)
	}
	var sum float64
	for j := range m {
		rec := s.item[int(cand[j])*st:][:st]
		x := (t - float64(rec[d])) * float64(rec[d+1])
		w := ((1 - c.TrendShare) + c.TrendShare*math.Exp(-0.5*x*x)) * math.Exp(-0.5*c.Affinity*(dist[j]-minDist))
		dist[j] = w
		sum += w
	}
	if !(sum > 0) {
		return cand[r.IntN(m)] // every lifecycle underflowed (TrendShare = 1 far from all peaks)
	}
	x := r.Float64() * sum
	for j := range m - 1 {
		if x < dist[j] {
			return cand[j]
		}
		x -= dist[j]
	}
	return cand[m-1]
}

// fromRecent picks one of u's remembered items other than prev, the k-th most recent with weight
// 0.7^k (recency decay as in Anderson et al., "The dynamics of repeat consumption", WWW 2014).
func (s *synth) fromRecent(r *rand.Rand, u, prev int32) (int32, bool) {
	rec := s.recent[int(u)*s.c.RecentSize:][:s.c.RecentSize]
	var sum, w float64
	w = 1
	for _, it := range rec {
		if it >= 0 && it != prev {
			sum += w
		}
		w *= 0.7
	}
	if sum == 0 {
		return 0, false
	}
	x := r.Float64() * sum
	w = 1
	last := int32(-1)
	for _, it := range rec {
		if it >= 0 && it != prev {
			if x < w {
				return it, true
			}
			x -= w
			last = it
		}
		w *= 0.7
	}
	return last, true // rounding
}

// remember moves item to the front of u's recent list.
func (s *synth) remember(u, item int32) {
	rec := s.recent[int(u)*s.c.RecentSize:][:s.c.RecentSize]
	j := 0
	for j < len(rec)-1 && rec[j] != item {
		j++
	}
	copy(rec[1:j+1], rec[:j])
	rec[0] = item
}

// aliasTable is Walker's alias table (Vose's construction): O(1) draws from a fixed discrete
// distribution. Each slot holds both of its outcomes, so a draw touches one slot.
type aliasTable []aliasEntry

type aliasEntry struct {
	prob      float32 // probability of item given this slot
	item, alt int32
}

// newAliasTable builds a table over outcomes[i] with weights w[i] (outcomes nil: 0..len(w)-1).
func newAliasTable(w []float64, outcomes []int32) aliasTable {
	n := len(w)
	out := func(i int32) int32 {
		if outcomes == nil {
			return i
		}
		return outcomes[i]
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	p := make([]float64, n)
	alt := make([]int32, n)
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	for i, x := range w {
		p[i] = x * float64(n) / sum
		alt[i] = int32(i)
		if p[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		sm, lg := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		alt[sm] = lg
		p[lg] -= 1 - p[sm]
		if p[lg] < 1 {
			large = large[:len(large)-1]
			small = append(small, lg)
		}
	}
	// Leftovers are 1 up to rounding.
	for _, i := range small {
		p[i] = 1
	}
	for _, i := range large {
		p[i] = 1
	}
	t := make(aliasTable, n)
	for i := range t {
		t[i] = aliasEntry{prob: float32(p[i]), item: out(int32(i)), alt: out(alt[i])}
	}
	return t
}

func (t aliasTable) sample(r *rand.Rand) int32 {
	e := &t[r.IntN(len(t))]
	if r.Float32() < e.prob {
		return e.item
	}
	return e.alt
}

// eventQueue is a binary min-heap of (time, user), ties broken by user so the order is deterministic.
type eventQueue []queued

type queued struct {
	t float64
	u int32
}

func newEventQueue(capacity int) *eventQueue {
	q := make(eventQueue, 0, capacity)
	return &q
}

func (q *eventQueue) len() int { return len(*q) }

func (a queued) before(b queued) bool { return a.t < b.t || (a.t == b.t && a.u < b.u) }

func (q *eventQueue) push(t float64, u int32) {
	h := append(*q, queued{t, u})
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	*q = h
}

// pop removes the earliest event; the queue must not be empty (Generate keeps at least one user).
func (q *eventQueue) pop() (float64, int32) {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l := 2*i + 1
		if l >= last {
			break
		}
		m := l
		if r := l + 1; r < last && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top.t, top.u
}

func gaussians(r *rand.Rand, n int, sd float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = sd * r.NormFloat64()
	}
	return x
}

func dot64(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm64(a []float64) float64 { return math.Sqrt(dot64(a, a)) }

func scale64(a []float64, f float64) {
	for i := range a {
		a[i] *= f
	}
}

func filledInt32(n int, v int32) []int32 {
	x := make([]int32, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// prefixedIDs returns prefix+"0", prefix+"1", ...
func numberedIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = prefix + strconv.Itoa(i)
	}
	return ids
}
