package datasets

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// ctrHand: user a has 5 interactions, b 2 (left out by the default MinInteractions 3), c 3.
// Items 0..9; a and c leave plenty of items for negatives.
func ctrHand() *Dataset {
	return &Dataset{
		Name:    "hand",
		Users:   []int32{0, 1, 0, 2, 0, 1, 2, 0, 2, 0},
		Items:   []int32{0, 1, 2, 3, 2, 4, 5, 6, 7, 8},
		Times:   []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		Labels:  make([]uint8, 10),
		UserIDs: []string{"a", "b", "c"},
		ItemIDs: []string{"i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9"},
	}
}

func mustCTR(t *testing.T, d *Dataset, cfg CTRConfig, seed uint64) *CTRSplit {
	t.Helper()
	s, err := CTRSamples(d, cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	checkCTR(t, d, s)
	return s
}

// checkCTR checks the promises of every split: pairs (positive, then its negative with the same user,
// history, position and time), positives equal to the data, histories the most recent MaxHistory
// interactions before the target, and negatives never in the user's interactions (unless counted
// as fallbacks, which are at least outside the history) and never the positive.
func checkCTR(t *testing.T, d *Dataset, s *CTRSplit) {
	t.Helper()
	userItems := make([]map[int32]bool, d.NumUsers())
	seqs := make([][]int32, d.NumUsers())
	for i, u := range d.Users {
		if userItems[u] == nil {
			userItems[u] = map[int32]bool{}
		}
		userItems[u][d.Items[i]] = true
		seqs[u] = append(seqs[u], d.Items[i])
	}
	fallbacks := 0
	for part, samples := range map[string][]CTRSample{"train": s.Train, "val": s.Val, "test": s.Test} {
		if len(samples)%2 != 0 {
			t.Fatalf("%s: %d samples, not pairs", part, len(samples))
		}
		for j := 0; j < len(samples); j += 2 {
			p, n := samples[j], samples[j+1]
			if p.Label != 1 || n.Label != 0 || p.User != n.User || p.Pos != n.Pos || p.Time != n.Time || !slices.Equal(p.History, n.History) {
				t.Fatalf("%s pair %d: %+v / %+v", part, j/2, p, n)
			}
			seq := seqs[p.User]
			k := int(p.Pos)
			if want := seq[max(0, k-s.Config.MaxHistory):k]; p.Target != seq[k] || !slices.Equal(p.History, want) {
				t.Fatalf("%s pair %d: target %d history %v, want %d %v", part, j/2, p.Target, p.History, seq[k], want)
			}
			if got := s.HistoryTimes(p); len(got) != len(p.History) || len(got) > 0 && got[len(got)-1] > p.Time {
				t.Fatalf("%s pair %d: history times %v for target time %v", part, j/2, got, p.Time)
			}
			if n.Target == p.Target || slices.Contains(n.History, n.Target) {
				t.Fatalf("%s pair %d: negative %d is the positive or in the history %v", part, j/2, n.Target, n.History)
			}
			if userItems[n.User][n.Target] {
				fallbacks++
			}
		}
	}
	if fallbacks > s.NegativeFallbacks {
		t.Fatalf("%d negatives among the user's items, only %d fallbacks counted", fallbacks, s.NegativeFallbacks)
	}
}

func TestCTRSamplesHand(t *testing.T) {
	d := ctrHand()
	s := mustCTR(t, d, CTRConfig{MaxHistory: 2}, 1)
	// a: 0 2 2 6 8 -> train targets at positions 1, 2; validation 3; test 4. c: 3 5 7 -> validation 1,
	// test 2. b (2 interactions) is left out.
	if len(s.Train) != 4 || len(s.Val) != 4 || len(s.Test) != 4 || s.Users != 2 {
		t.Fatalf("train/val/test %d/%d/%d samples for %d users, want 4/4/4 for 2", len(s.Train), len(s.Val), len(s.Test), s.Users)
	}
	testA := s.Test[0]
	if testA.User != 0 || testA.Target != 8 || !slices.Equal(testA.History, []int32{2, 6}) || testA.Time != 9 ||
		!slices.Equal(s.HistoryTimes(testA), []float64{4, 7}) {
		t.Errorf("user a's test sample %+v (times %v), want target 8 history [2 6] at 9 (times [4 7])", testA, s.HistoryTimes(testA))
	}
	if valC := s.Val[2]; valC.User != 2 || valC.Target != 5 || !slices.Equal(valC.History, []int32{3}) {
		t.Errorf("user c's validation sample %+v, want target 5 history [3]", valC)
	}
	if s.NegativeFallbacks != 0 || s.NumCategories != 0 {
		t.Errorf("fallbacks %d, categories %d", s.NegativeFallbacks, s.NumCategories)
	}

	// MinInteractions 2 would give b a test sample without a validation one: refused.
	if _, err := CTRSamples(d, CTRConfig{MinInteractions: 2}, 1); !errors.Is(err, ErrCTR) || !strings.Contains(err.Error(), "MinInteractions") {
		t.Errorf("MinInteractions 2: err = %v", err)
	}
	// MinInteractions 5 keeps only a.
	if s := mustCTR(t, d, CTRConfig{MinInteractions: 5}, 1); s.Users != 1 || len(s.Test) != 2 {
		t.Errorf("MinInteractions 5: %d users, %d test samples", s.Users, len(s.Test))
	}
}

func TestCTRDeterministic(t *testing.T) {
	d := mustSynth(t, "synth-lastfm-small", 1)
	a := mustCTR(t, d, CTRConfig{}, 7)
	b := mustCTR(t, d, CTRConfig{}, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different samples")
	}
	c := mustCTR(t, d, CTRConfig{}, 8)
	same := 0
	for j := 1; j < len(a.Train); j += 2 {
		if a.Train[j].Target == c.Train[j].Target {
			same++
		}
	}
	if same > len(a.Train)/2/10 {
		t.Errorf("seeds 7 and 8 share %d of %d negatives", same, len(a.Train)/2)
	}
	// The history cap does not move the negatives: every model, whatever its history length, is
	// evaluated on the same candidates.
	e := mustCTR(t, d, CTRConfig{MaxHistory: 5}, 7)
	for j := range a.Test {
		if a.Test[j].Target != e.Test[j].Target {
			t.Fatalf("test sample %d: target %d with MaxHistory 50, %d with 5", j, a.Test[j].Target, e.Test[j].Target)
		}
	}
}

// TestCTRSizes: on a generated dataset every user with n >= 3 interactions gives n-3 training, one
// validation and one test pair.
func TestCTRSizes(t *testing.T) {
	d := mustSynth(t, "synth-wikipedia-small", 2)
	s := mustCTR(t, d, CTRConfig{MaxHistory: 20}, 3)
	count := make([]int, d.NumUsers())
	for _, u := range d.Users {
		count[u]++
	}
	var train, users int
	for _, n := range count {
		if n >= 3 {
			train += n - 3
			users++
		}
	}
	if len(s.Train) != 2*train || len(s.Val) != 2*users || len(s.Test) != 2*users || s.Users != users {
		t.Errorf("train/val/test %d/%d/%d for %d users, want %d/%d/%d for %d",
			len(s.Train), len(s.Val), len(s.Test), s.Users, 2*train, 2*users, 2*users, users)
	}
	for _, x := range s.Train {
		if len(x.History) > 20 {
			t.Fatalf("history of %d items, cap 20", len(x.History))
		}
	}
}

// TestCTRFallback: a user who clicked all three items gets negatives from outside the history.
// Sequence 0 1 2 0 with MaxHistory 1: the only item outside history and target is 2 for the
// training target (history [0], target 1), 0 for validation ([1], 2) and 1 for test ([2], 0).
func TestCTRFallback(t *testing.T) {
	d := &Dataset{
		Users: []int32{0, 0, 0, 0}, Items: []int32{0, 1, 2, 0}, Times: []float64{0, 1, 2, 3},
		Labels: make([]uint8, 4), UserIDs: []string{"u"}, ItemIDs: []string{"a", "b", "c"},
	}
	s := mustCTR(t, d, CTRConfig{MaxHistory: 1}, 1)
	if s.Train[1].Target != 2 || s.Val[1].Target != 0 || s.Test[1].Target != 1 || s.NegativeFallbacks != 3 {
		t.Errorf("negatives %d %d %d, fallbacks %d; want 2 0 1, 3", s.Train[1].Target, s.Val[1].Target, s.Test[1].Target, s.NegativeFallbacks)
	}
	// With a history of 2 the test target's history [1 2] and target 0 cover every item.
	if _, err := CTRSamples(d, CTRConfig{MaxHistory: 2}, 1); !errors.Is(err, ErrCTR) || !strings.Contains(err.Error(), "no negative") {
		t.Errorf("no possible negative: err = %v", err)
	}
}

func TestCTRCategories(t *testing.T) {
	d := ctrHand()
	cats := []int32{0, 0, 1, 1, 2, 2, 3, 3, 4, 6}
	s := mustCTR(t, d, CTRConfig{Categories: cats}, 1)
	if s.NumCategories != 7 || !slices.Equal(s.Categories, cats) {
		t.Errorf("NumCategories %d, Categories %v", s.NumCategories, s.Categories)
	}
	for _, tc := range []struct {
		cats []int32
		want string
	}{{cats[:9], "9 categories for 10 items"}, {[]int32{0, 0, 0, 0, 0, 0, 0, 0, 0, -1}, "item 9 (i9) has category -1"}} {
		if _, err := CTRSamples(d, CTRConfig{Categories: tc.cats}, 1); !errors.Is(err, ErrCTR) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
	if _, err := CTRSamples(d, CTRConfig{MaxHistory: -1}, 1); !errors.Is(err, ErrCTR) {
		t.Errorf("MaxHistory -1: err = %v", err)
	}
}
