package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func mustSynth(t testing.TB, preset string, seed uint64) *Dataset {
	t.Helper()
	d, err := Synthesize(preset, seed)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPresetNames(t *testing.T) {
	want := []string{
		"synth-amazon", "synth-amazon-small", "synth-lastfm", "synth-lastfm-small", "synth-mooc", "synth-mooc-small",
		"synth-reddit", "synth-reddit-small", "synth-wikipedia", "synth-wikipedia-small",
	}
	if got := PresetNames(); !slices.Equal(got, want) {
		t.Errorf("PresetNames() = %v, want %v", got, want)
	}
	for _, p := range SynthPresets() {
		if p.Config.Name != p.Name || p.Description == "" {
			t.Errorf("preset %q: Config.Name %q, Description %q", p.Name, p.Config.Name, p.Description)
		}
	}
	_, err := Synthesize("synth-wikipedai", 1)
	if !errors.Is(err, ErrUnknownPreset) {
		t.Fatalf("unknown preset: err = %v, want ErrUnknownPreset", err)
	}
	for _, n := range want {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("unknown-preset error %q does not list %q", err, n)
		}
	}
}

func TestSynthDeterministic(t *testing.T) {
	a := mustSynth(t, "synth-wikipedia-small", 42)
	b := mustSynth(t, "synth-wikipedia-small", 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same preset and seed gave different datasets")
	}
	c := mustSynth(t, "synth-wikipedia-small", 43)
	if slices.Equal(a.Items, c.Items) || slices.Equal(a.Times, c.Times) {
		t.Fatal("seeds 42 and 43 gave the same items or times")
	}
}

// TestSynthFeaturesIndependent checks the promise that features draw from their own random stream:
// the interactions, times and labels do not depend on FeatureDim. TestSynthPresets relies on it to
// check the full presets without their 172 features.
func TestSynthFeaturesIndependent(t *testing.T) {
	cfg, err := PresetConfig("synth-wikipedia-small")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Generate(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	cfg.FeatureDim = 0
	b, err := Generate(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	if a.FeatureDim != 8 || b.FeatureDim != 0 || len(b.Features) != 0 {
		t.Fatalf("feature dims %d and %d, want 8 and 0", a.FeatureDim, b.FeatureDim)
	}
	if !slices.Equal(a.Users, b.Users) || !slices.Equal(a.Items, b.Items) || !slices.Equal(a.Times, b.Times) || !slices.Equal(a.Labels, b.Labels) {
		t.Fatal("FeatureDim changed the interactions")
	}
}

// TestSynthPresets checks every preset against its targets (JODIE paper §5.1-5.2, see
// synth_presets.go): the exact row count, users and items at most the target and at least 97% / 90%
// of it (rarely chosen items never appear), the consecutive-repeat rate within one percentage point, and the number of positive labels
// within 4 standard deviations of a Poisson count with the target mean (plus at least one positive
// when labels are wanted). The full presets are skipped under -short.
func TestSynthPresets(t *testing.T) {
	for _, p := range SynthPresets() {
		t.Run(p.Name, func(t *testing.T) {
			full := !strings.HasSuffix(p.Name, "-small")
			if full && testing.Short() {
				t.Skip("full-size preset under -short")
			}
			cfg := p.Config
			if full {
				cfg.FeatureDim = 0 // same interactions (TestSynthFeaturesIndependent), 10x faster
			}
			d, err := Generate(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			c := p.Config
			if d.Name != p.Name {
				t.Errorf("Name = %q", d.Name)
			}
			if d.Len() != c.Interactions {
				t.Errorf("%d interactions, want exactly %d", d.Len(), c.Interactions)
			}
			if u := d.NumUsers(); u > c.Users || float64(u) < 0.97*float64(c.Users) {
				t.Errorf("%d users, want <= %d and >= 97%% of it", u, c.Users)
			}
			// A catalogue with fewer than ten draws per item (synth-amazon-small: about three) leaves
			// part of its long tail unseen under log-normal popularity.
			cover := 0.9
			if c.Interactions < 10*c.Items {
				cover = 0.6
			}
			if i := d.NumItems(); i > c.Items || float64(i) < cover*float64(c.Items) {
				t.Errorf("%d items, want <= %d and >= %.0f%% of it", i, c.Items, 100*cover)
			}
			if r := RepeatRate(d); math.Abs(r-c.RepeatProb) > 0.01 {
				t.Errorf("repeat rate %.4f, want %.3f ± 0.01", r, c.RepeatProb)
			}
			pos := int(math.Round(LabelRate(d) * float64(d.Len())))
			want := c.LabelRate * float64(c.Interactions)
			if math.Abs(float64(pos)-want) > 4*math.Sqrt(want)+1 || (want > 0 && pos == 0) {
				t.Errorf("%d positive labels, want %.1f ± %.1f", pos, want, 4*math.Sqrt(want)+1)
			}
			// The last row lands on the span up to the rounding of the rescale and the floor.
			span := c.withDefaults().Span
			if last := d.Times[d.Len()-1]; d.Times[0] != 0 || last < span-1 || last > span {
				t.Errorf("times run from %v to %v, want 0 to the span %v", d.Times[0], last, span)
			}
			checkSynthShape(t, d)
			t.Logf("%s: %d users, %d items, %d rows, repeat rate %.4f, %d positives (%.3f%%)",
				p.Name, d.NumUsers(), d.NumItems(), d.Len(), RepeatRate(d), pos, 100*LabelRate(d))
		})
	}
}

// checkSynthShape checks what every generated dataset promises beyond Validate.
func checkSynthShape(t *testing.T, d *Dataset) {
	t.Helper()
	for k, id := range d.UserIDs {
		if id != "u"+strconv.Itoa(k) {
			t.Fatalf("UserIDs[%d] = %q", k, id)
		}
	}
	for k, id := range d.ItemIDs {
		if id != "i"+strconv.Itoa(k) {
			t.Fatalf("ItemIDs[%d] = %q", k, id)
		}
	}
	// Dense ids in order of first appearance, as the CSV loader numbers them.
	var nu, ni int32
	for i := range d.Len() {
		if d.Users[i] == nu {
			nu++
		} else if d.Users[i] > nu {
			t.Fatalf("row %d: user %d before user %d appeared", i, d.Users[i], nu)
		}
		if d.Items[i] == ni {
			ni++
		} else if d.Items[i] > ni {
			t.Fatalf("row %d: item %d before item %d appeared", i, d.Items[i], ni)
		}
		if d.Times[i] != math.Floor(d.Times[i]) {
			t.Fatalf("row %d: time %v is not whole seconds", i, d.Times[i])
		}
	}
	// A positive label is the user's last interaction (ban, drop-out).
	gone := make([]bool, d.NumUsers())
	for i, u := range d.Users {
		if gone[u] {
			t.Fatalf("row %d: user %d interacts after its positive label", i, u)
		}
		gone[u] = d.Labels[i] == 1
	}
	if len(d.FeatureNames) != d.FeatureDim {
		t.Fatalf("%d feature names for %d features", len(d.FeatureNames), d.FeatureDim)
	}
	for i, f := range d.Features {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			t.Fatalf("feature value %d is %v", i, f)
		}
	}
}

// nextItemMRR scores two simple predictors on the last 10% of rows, ranking all items (rank = 1 +
// number of strictly higher scores; ties between equal counts broken by training popularity):
// "dynamic" counts the user's last `window` interactions (test rows included as they stream), "static"
// counts the user's whole training history. Users new in the test part get popularity from both.
func nextItemMRR(d *Dataset, window int) (dynamic, static float64) {
	n := d.Len()
	cut := n * 9 / 10
	pop := make([]float64, d.NumItems())
	for _, it := range d.Items[:cut] {
		pop[it]++
	}
	maxPop := slices.Max(pop)
	train := make([]map[int32]float64, d.NumUsers())
	hist := make([][]int32, d.NumUsers())
	rank := func(count map[int32]float64, target int32) float64 {
		score := func(i int32) float64 { return count[i] + pop[i]/(maxPop+1) }
		st, r := score(target), 1.0
		for i := range pop {
			if score(int32(i)) > st {
				r++
			}
		}
		return r
	}
	for i := range n {
		u, it := d.Users[i], d.Items[i]
		if i >= cut {
			recent := map[int32]float64{}
			h := hist[u]
			for _, x := range h[max(0, len(h)-window):] {
				recent[x]++
			}
			dynamic += 1 / rank(recent, it)
			static += 1 / rank(train[u], it)
		} else {
			if train[u] == nil {
				train[u] = map[int32]float64{}
			}
			train[u][it]++
		}
		hist[u] = append(hist[u], it)
	}
	return dynamic / float64(n-cut), static / float64(n-cut)
}

// TestSynthDynamicBeatsStatic is the learnability promise of the generator: tracking a user's recent
// behaviour pays. On every -small preset the last-20-interactions predictor must beat the whole-
// training-history predictor by at least 0.05 MRR. As a control, in a world without dynamics (no
// repeats, recent picks, shifts, trends or item drift) it must not: there the longer history wins or
// ties, which shows the test measures the simulated dynamics rather than a quirk of the predictors.
func TestSynthDynamicBeatsStatic(t *testing.T) {
	for _, name := range PresetNames() {
		// synth-amazon mimics reviews, which never repeat an item: its dynamics are in the categories
		// (TestSynthAmazonSemanticTemporal), not in item repeats.
		if !strings.HasSuffix(name, "-small") || name == "synth-amazon-small" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			dyn, st := nextItemMRR(mustSynth(t, name, 3), 20)
			t.Logf("MRR dynamic %.4f, static %.4f", dyn, st)
			if dyn < st+0.05 {
				t.Errorf("dynamic MRR %.4f does not beat static %.4f by 0.05", dyn, st)
			}
		})
	}
	t.Run("control-static-world", func(t *testing.T) {
		cfg, err := PresetConfig("synth-reddit-small")
		if err != nil {
			t.Fatal(err)
		}
		cfg.RepeatProb, cfg.RecentProb, cfg.JumpProb, cfg.JumpTime, cfg.TrendShare, cfg.ItemDrift = 0, 0, 0, 0, 0, 0
		d, err := Generate(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		dyn, st := nextItemMRR(d, 20)
		t.Logf("MRR dynamic %.4f, static %.4f", dyn, st)
		if dyn > st+0.01 {
			t.Errorf("without dynamics the dynamic predictor still wins: %.4f vs %.4f", dyn, st)
		}
	})
}

// rocAUC is the Mann-Whitney AUC of score against label (ties count one half).
func rocAUC(score []float64, label []uint8) float64 {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // average 1-based rank of the tie group
		for _, k := range idx[i:j] {
			if label[k] == 1 {
				pos++
				rankSum += mid
			} else {
				neg++
			}
		}
		i = j
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func TestRocAUC(t *testing.T) {
	// Hand-computed: positives at scores 0.9 and 0.4, negatives at 0.8, 0.4, 0.1: pairs won
	// (0.9>0.8, 0.9>0.4, 0.9>0.1, 0.4=0.4 half, 0.4>0.1) = 4.5 of 6.
	if got := rocAUC([]float64{0.9, 0.8, 0.4, 0.4, 0.1}, []uint8{1, 0, 1, 0, 0}); math.Abs(got-0.75) > 1e-12 {
		t.Errorf("rocAUC = %v, want 0.75", got)
	}
}

// featureAUC fits the simplest linear read-out, the difference of the class means of the features on
// the first 60% of rows, and returns its AUC on the rest (the JODIE state-change split).
func featureAUC(d *Dataset) float64 {
	cut := d.Len() * 6 / 10
	k := d.FeatureDim
	mean := [2][]float64{make([]float64, k), make([]float64, k)}
	var count [2]float64
	for i := range cut {
		l := d.Labels[i]
		count[l]++
		for j, f := range d.Feature(i) {
			mean[l][j] += float64(f)
		}
	}
	w := make([]float64, k)
	for j := range w {
		w[j] = mean[1][j]/count[1] - mean[0][j]/count[0]
	}
	var score []float64
	for i := cut; i < d.Len(); i++ {
		var s float64
		for j, f := range d.Feature(i) {
			s += w[j] * float64(f)
		}
		score = append(score, s)
	}
	return rocAUC(score, d.Labels[cut:])
}

// TestSynthLabelsLearnable: on synth-mooc-small (about 200 drop-outs) the labels must be predictable
// from the features, which carry the latent state that drives the hazard: AUC >= 0.6 for each of
// three seeds. Control: with a hazard that ignores the latent state (LabelSharpness ~ 0) the same
// read-out must be near chance (|AUC - 0.5| < 0.1).
func TestSynthLabelsLearnable(t *testing.T) {
	cfg, err := PresetConfig("synth-mooc-small")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		d, err := Generate(cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		if a := featureAUC(d); a < 0.6 {
			t.Errorf("seed %d: feature read-out AUC %.3f, want >= 0.6", seed, a)
		} else {
			t.Logf("seed %d: AUC %.3f", seed, a)
		}
	}
	blind := cfg
	blind.LabelSharpness = 1e-9
	d, err := Generate(blind, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a := featureAUC(d); math.Abs(a-0.5) > 0.1 {
		t.Errorf("state-blind hazard: AUC %.3f, want about 0.5", a)
	} else {
		t.Logf("control AUC %.3f", a)
	}
}

func TestGenerateConfigErrors(t *testing.T) {
	ok := SynthConfig{Users: 10, Items: 5, Interactions: 100}
	for _, tc := range []struct {
		field string
		edit  func(*SynthConfig)
	}{
		{"Users", func(c *SynthConfig) { c.Users = 0 }},
		{"Items", func(c *SynthConfig) { c.Items = -1 }},
		{"Interactions", func(c *SynthConfig) { c.Interactions = 0 }},
		{"FeatureDim", func(c *SynthConfig) { c.FeatureDim = -2 }},
		{"Span", func(c *SynthConfig) { c.Span = math.Inf(1) }},
		{"Clusters", func(c *SynthConfig) { c.Clusters = 6 }},
		{"RepeatProb", func(c *SynthConfig) { c.RepeatProb = 1.5 }},
		{"RecentProb", func(c *SynthConfig) { c.RecentProb, c.GlobalProb = 0.7, 0.7 }},
		{"Persistence", func(c *SynthConfig) { c.Persistence = 1 }},
		{"SessionProb", func(c *SynthConfig) { c.SessionProb = 1 }},
		{"LabelRate", func(c *SynthConfig) { c.LabelRate = 0.6 }},
		{"Affinity", func(c *SynthConfig) { c.Affinity = math.NaN() }},
		{"JumpTime", func(c *SynthConfig) { c.JumpTime = -1 }},
	} {
		c := ok
		tc.edit(&c)
		_, err := Generate(c, 1)
		if !errors.Is(err, ErrSynthConfig) || !strings.Contains(err.Error(), "field "+tc.field+":") {
			t.Errorf("%s: err = %v, want ErrSynthConfig naming the field", tc.field, err)
		}
	}
	if _, err := Generate(ok, 1); err != nil {
		t.Errorf("minimal config: %v", err)
	}
}

// TestGenerateEdgeCases: degenerate but valid worlds still give exactly the asked rows.
func TestGenerateEdgeCases(t *testing.T) {
	for _, c := range []SynthConfig{
		{Users: 1, Items: 1, Interactions: 50, RepeatProb: 0.5},
		{Users: 3, Items: 2, Interactions: 200, Clusters: 2, RecentProb: 0.5, LabelRate: 0.1},
		{Users: 1000, Items: 10, Interactions: 100},                       // fewer rows than users
		{Users: 50, Items: 40, Interactions: 500, TrendShare: 1, Span: 1}, // lifecycles underflow
		{Users: 5, Items: 30, Interactions: 1, FeatureDim: 3},
	} {
		d, err := Generate(c, 9)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if err := d.Validate(); err != nil || d.Len() != c.Interactions {
			t.Fatalf("%+v: %d rows, %v", c, d.Len(), err)
		}
		checkSynthShape(t, d)
	}
}

func TestRepeatRate(t *testing.T) {
	// users a,b interleaved: a: 0 0 1 1 ; b: 2 2 ; first rows never count.
	// a repeats at its 2nd and 4th row, b at its 2nd: 3 of 4 eligible rows.
	d := &Dataset{
		Users:   []int32{0, 1, 0, 1, 0, 0},
		Items:   []int32{0, 2, 0, 2, 1, 1},
		UserIDs: []string{"a", "b"},
	}
	if got := RepeatRate(d); got != 0.75 {
		t.Errorf("RepeatRate = %v, want 0.75", got)
	}
	if got := RepeatRate(&Dataset{}); got != 0 {
		t.Errorf("empty: %v", got)
	}
}

// TestAliasTable compares draw frequencies with the weights: 200,000 draws, each cell within 5
// standard deviations of its expectation.
func TestAliasTable(t *testing.T) {
	w := []float64{5, 1, 0, 3, 1, 10}
	out := []int32{10, 11, 12, 13, 14, 15}
	tab := newAliasTable(w, out)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200000
	count := map[int32]float64{}
	for range n {
		count[tab.sample(r)]++
	}
	for i, wi := range w {
		p := wi / 20
		if sd := math.Sqrt(n * p * (1 - p)); math.Abs(count[out[i]]-n*p) > 5*sd+1e-9 {
			t.Errorf("outcome %d: %v draws, want %v ± %.0f", out[i], count[out[i]], n*p, 5*sd)
		}
	}
}

func TestEventQueueOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	q := newEventQueue(0)
	var want []queued
	for i := range 1000 {
		e := queued{float64(r.IntN(50)), int32(i % 97)}
		q.push(e.t, e.u)
		want = append(want, e)
	}
	slices.SortFunc(want, func(a, b queued) int {
		if a.before(b) {
			return -1
		} else if b.before(a) {
			return 1
		}
		return 0
	})
	for i, w := range want {
		tm, u := q.pop()
		if tm != w.t || u != w.u {
			t.Fatalf("pop %d = (%v,%d), want (%v,%d)", i, tm, u, w.t, w.u)
		}
	}
	if q.len() != 0 {
		t.Fatal("queue not empty")
	}
}

// BenchmarkSynthesize generates each full-size preset with its features, and the JODIE paper's
// scalability setting (1,000,000 users, 100,000 items, 5,000,000 interactions, no features) from the
// LastFM knobs. Run: go test ./datasets -run '^$' -bench Synthesize -benchtime 1x
func BenchmarkSynthesize(b *testing.B) {
	type bench struct {
		name string
		cfg  SynthConfig
	}
	var cases []bench
	for _, p := range SynthPresets() {
		if !strings.HasSuffix(p.Name, "-small") {
			cases = append(cases, bench{"preset=" + p.Name, p.Config})
		}
	}
	scale, err := PresetConfig("synth-lastfm")
	if err != nil {
		b.Fatal(err)
	}
	scale.Name, scale.Users, scale.Items, scale.Interactions = "jodie-scale", 1000000, 100000, 5000000
	scale.Clusters = 0 // default sqrt(items)
	cases = append(cases, bench{"config=jodie-scale", scale})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var d *Dataset
			start := time.Now()
			for b.Loop() {
				var err error
				if d, err = Generate(c.cfg, 1); err != nil {
					b.Fatal(err)
				}
			}
			sec := time.Since(start).Seconds() / float64(b.N)
			b.ReportMetric(sec, "sec/dataset")
			b.ReportMetric(float64(d.Len())/sec, "rows/sec")
			b.ReportMetric(RepeatRate(d), "repeat-rate")
			b.ReportMetric(100*LabelRate(d), "label-%")
			b.ReportMetric(float64(d.NumUsers()), "users")
			b.ReportMetric(float64(d.NumItems()), "items")
		})
	}
}

func ExampleSynthesize() {
	d, err := Synthesize("synth-mooc-small", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Name, d.Len(), "rows,", d.FeatureDim, "features; first row at", d.Times[0])
	// Output: synth-mooc-small 20000 rows, 4 features; first row at 0
}
