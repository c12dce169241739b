package datasets

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// CTRConfig controls sample building. Zero means the default in each comment.
type CTRConfig struct {
	MaxHistory      int     // most recent behaviours kept in a history; default 50 (TIN's Alibaba setting; Amazon histories reach 430)
	MinInteractions int     // users with fewer interactions are left out; default 3, the least that gives a validation and a test sample with a history
	Categories      []int32 // category of each dense item id (len NumItems, values >= 0); nil when there are none
}

// CTRSample is one labelled impression.
type CTRSample struct {
	User    int32
	History []int32 // item ids, oldest first, at most MaxHistory; a view shared with other samples: do not modify
	Target  int32   // the positive item (Label 1) or the sampled negative (Label 0)
	Label   uint8
	Pos     int32   // index of the positive target in the user's time-ordered interactions
	Time    float64 // time of the positive interaction (its negative shares it)
}

// CTRSplit holds the samples, positives immediately followed by their negatives, users in dense id
// order and each user's targets in time order.
type CTRSplit struct {
	Name             string
	Train, Val, Test []CTRSample
	NumUsers         int     // users of the Dataset (ids index this range), not only those included
	NumItems         int     // items of the Dataset
	Categories       []int32 // CTRConfig.Categories
	NumCategories    int     // 1 + the largest category; 0 without categories
	Users            int     // users with samples
	TimeOrigin       float64 // the Dataset's TimeOrigin: absolute time = a sample's or behaviour's time + TimeOrigin
	Config           CTRConfig
	Seed             uint64
	// NegativeFallbacks counts negatives drawn outside the sample's history because the user had
	// interacted with every item.
	NegativeFallbacks int
	// ShortUsers counts the users left out for fewer than MinInteractions interactions (a user with
	// one interaction has no sample at all, one with two no validation sample), ShortInteractions
	// their interactions.
	ShortUsers, ShortInteractions int
	// CappedSamples counts the positive samples (each with its negative) whose history had more
	// than MaxHistory behaviours: the most recent MaxHistory are kept.
	CappedSamples int

	userOff []int32   // user -> offset into seqTimes, Users+1 entries
	seqTime []float64 // every user's interaction times, user after user
}

// String summarises the split's counts in one line, for the run log and `tibench datasets stats`.
func (c *CTRSplit) String() string {
	return fmt.Sprintf("%d users with samples, %d left out with fewer than %d interactions (%d interactions); "+
		"%d/%d/%d train/validation/test samples; %d histories capped at the %d most recent behaviours; %d fallback negatives",
		c.Users, c.ShortUsers, c.Config.MinInteractions, c.ShortInteractions, len(c.Train), len(c.Val), len(c.Test),
		c.CappedSamples, c.Config.MaxHistory, c.NegativeFallbacks)
}

// HistoryTimes returns the times of s.History (a view; do not modify), for time-interval encodings
// such as TIN's TTE-T.
func (c *CTRSplit) HistoryTimes(s CTRSample) []float64 {
	end := int(c.userOff[s.User]) + int(s.Pos)
	return c.seqTime[end-len(s.History) : end : end]
}

// ErrCTR is wrapped by CTRSamples' errors.
var ErrCTR = errors.New("datasets: cannot build CTR samples")

// streamCTR is the PCG stream of the negative sampler.
const streamCTR = 0xc7a

// CTRSamples builds the CTR samples of the TIN task (Zhou et al., WWW 2024, Appendix A.1, Amazon
// protocol, whose code follows DIN's build_dataset.py) from d:
//
//   - Each user's interactions, in time order i_0, i_1, ..., i_{n-1}, give one positive sample per
//     position k >= 1: the history i_0..i_{k-1} (the most recent MaxHistory of them) and the target
//     i_k. Leave-one-out: the last position (k = n-1) is the test sample, the second-to-last the
//     validation sample, the others train (DIN puts all but the last in train; TIN's appendix says
//     "leave-one-out"; the validation sample is this harness's addition so that early stopping never
//     sees the test target).
//   - Each positive is paired with one negative: the same user, history and time with the target
//     replaced by "a random item from the entire item collection" (TIN) that the user never
//     interacted with (DIN's code redraws while the item is in the user's whole list). Negatives are
//     drawn once per (data, seed): every model sees the same ones (DyGLib's fixed evaluation
//     negatives: sampled once per dataset, split and seed, and shared by all models).
//   - Should a user have interacted with every item, its negatives come from the items outside the
//     sample's history other than the target (counted in CTRSplit.NegativeFallbacks); should even
//     that be empty, CTRSamples fails.
//   - Repeats are kept: a user who re-clicks an item has it in the history and as a target.
//
// Bad input, the rules of issue #13:
//
//   - A user with fewer than MinInteractions interactions (default 3, the least that gives a
//     validation and a test sample with a history; one interaction gives no sample at all) is left
//     out, counted in ShortUsers and ShortInteractions. No user left is an error.
//   - A history longer than MaxHistory keeps its most recent MaxHistory behaviours, as TIN's and
//     DIN's code truncate; CappedSamples counts the positives cut.
//   - An item without a category: Categories nil means no categories at all (a model embeds one
//     shared category row); a category file gives the items it does not list one shared unknown
//     category, counted when it is applied (ApplyCategories).
//   - GAUC over users with one class cannot arise: every user of the validation and test parts has
//     exactly one positive and its negative (the ctr task rejects a one-class user as an error).
//
// The same d, cfg.MinInteractions and seed always give the same negatives; MaxHistory and
// Categories do not change them (except through fallbacks, which depend on the history).
func CTRSamples(d *Dataset, cfg CTRConfig, seed uint64) (*CTRSplit, error) {
	if cfg.MaxHistory == 0 {
		cfg.MaxHistory = 50
	}
	if cfg.MinInteractions == 0 {
		cfg.MinInteractions = 3
	}
	switch {
	case cfg.MaxHistory < 1:
		return nil, fmt.Errorf("%w: field MaxHistory: %d, want >= 1", ErrCTR, cfg.MaxHistory)
	case cfg.MinInteractions < 3:
		return nil, fmt.Errorf("%w: field MinInteractions: %d, want >= 3 (a validation and a test target with a history)", ErrCTR, cfg.MinInteractions)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	nu, ni := d.NumUsers(), d.NumItems()
	out := &CTRSplit{Name: d.Name, NumUsers: nu, NumItems: ni, Config: cfg, Seed: seed, Categories: cfg.Categories, TimeOrigin: d.TimeOrigin}
	if cfg.Categories != nil {
		if len(cfg.Categories) != ni {
			return nil, fmt.Errorf("%w: field Categories: %d categories for %d items", ErrCTR, len(cfg.Categories), ni)
		}
		for i, c := range cfg.Categories {
			if c < 0 {
				return nil, fmt.Errorf("%w: field Categories: item %d (%s) has category %d < 0", ErrCTR, i, d.ItemIDs[i], c)
			}
			out.NumCategories = max(out.NumCategories, int(c)+1)
		}
	}

	// Group the rows by user (counting sort; rows are in time order, so each group is too).
	off := make([]int32, nu+1)
	for _, u := range d.Users {
		off[u+1]++
	}
	for u := range nu {
		off[u+1] += off[u]
	}
	seq := make([]int32, d.Len())
	out.seqTime = make([]float64, d.Len())
	fill := append([]int32(nil), off[:nu]...)
	for i, u := range d.Users {
		seq[fill[u]] = d.Items[i]
		out.seqTime[fill[u]] = d.Times[i]
		fill[u]++
	}
	out.userOff = off

	// Sample counts, to allocate once.
	var nTrain, nUsers, most int
	for u := range nu {
		n := int(off[u+1] - off[u])
		most = max(most, n)
		if n >= cfg.MinInteractions {
			nTrain += n - 3
			nUsers++
		} else {
			out.ShortUsers++
			out.ShortInteractions += n
		}
	}
	if nUsers == 0 {
		return nil, fmt.Errorf("%w: field MinInteractions: none of the %d users of %q has %d interactions (the most has %d)",
			ErrCTR, nu, d.Name, cfg.MinInteractions, most)
	}
	out.Train = make([]CTRSample, 0, 2*nTrain)
	out.Val = make([]CTRSample, 0, 2*nUsers)
	out.Test = make([]CTRSample, 0, 2*nUsers)
	out.Users = nUsers

	r := rand.New(rand.NewPCG(seed, streamCTR))
	mark := make([]int32, ni) // mark[i] == u+1: item i is in user u's list
	var complement []int32
	for u := range int32(nu) {
		s := seq[off[u]:off[u+1]]
		n := len(s)
		if n < cfg.MinInteractions {
			continue
		}
		distinct := 0
		for _, it := range s {
			if mark[it] != u+1 {
				mark[it] = u + 1
				distinct++
			}
		}
		// Dense users draw from the explicit complement; others by rejection (expected <= 2 tries).
		complement = complement[:0]
		if 2*distinct > ni {
			for i := range int32(ni) {
				if mark[i] != u+1 {
					complement = append(complement, i)
				}
			}
		}
		for k := 1; k < n; k++ {
			hist := s[max(0, k-cfg.MaxHistory):k:k]
			if k > cfg.MaxHistory {
				out.CappedSamples++
			}
			pos := CTRSample{User: u, History: hist, Target: s[k], Label: 1, Pos: int32(k), Time: out.seqTime[int(off[u])+k]}
			neg := pos
			neg.Label = 0
			switch {
			case distinct < ni && len(complement) > 0:
				neg.Target = complement[r.IntN(len(complement))]
			case distinct < ni:
				for {
					if c := int32(r.IntN(ni)); mark[c] != u+1 {
						neg.Target = c
						break
					}
				}
			default:
				c, ok := fallbackNegative(r, ni, hist, s[k])
				if !ok {
					return nil, fmt.Errorf("%w: user %s: the %d-item history and the target at position %d cover all %d items, no negative exists",
						ErrCTR, d.UserIDs[u], len(hist), k, ni)
				}
				neg.Target = c
				out.NegativeFallbacks++
			}
			switch k {
			case n - 1:
				out.Test = append(out.Test, pos, neg)
			case n - 2:
				out.Val = append(out.Val, pos, neg)
			default:
				out.Train = append(out.Train, pos, neg)
			}
		}
	}
	return out, nil
}

// fallbackNegative draws uniformly from the items outside hist other than target.
func fallbackNegative(r *rand.Rand, ni int, hist []int32, target int32) (int32, bool) {
	banned := map[int32]bool{target: true}
	for _, it := range hist {
		banned[it] = true
	}
	if len(banned) >= ni {
		return 0, false
	}
	j := r.IntN(ni - len(banned))
	for i := range int32(ni) {
		if !banned[i] {
			if j == 0 {
				return i, true
			}
			j--
		}
	}
	panic("unreachable: fewer allowed items than counted")
}
