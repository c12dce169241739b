package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tibench/tibench/bench/metrics"
	"gopkg.in/yaml.v3"
)

// LengthBucket is one range of sequence lengths that a task's metrics are broken down by
// (run.length_buckets): sessions by their number of clicks (JUMP Fig. 7: 2–6, 10–30, >150), CTR
// samples by the length of the behaviour history the model sees (TIN Table 3: [1, 5), …, [20, 430]).
// Both bounds are inclusive; Max 0 means no upper bound. In configs and unit names it is written
// "2-6" or "151-".
type LengthBucket struct{ Min, Max int }

// String is the bucket as configs and unit names write it.
func (b LengthBucket) String() string {
	if b.Max == 0 {
		return strconv.Itoa(b.Min) + "-"
	}
	return strconv.Itoa(b.Min) + "-" + strconv.Itoa(b.Max)
}

// Contains reports whether a sequence of length n falls in the bucket.
func (b LengthBucket) Contains(n int) bool { return n >= b.Min && (b.Max == 0 || n <= b.Max) }

// Unit is the record unit of metric unit restricted to the bucket, e.g. "recall@20/len=2-6".
func (b LengthBucket) Unit(unit string) string { return metrics.ByLengthName(unit, b.String()) }

// ParseLengthBucket reads "2-6" (2 to 6) or "151-" (151 and longer).
func ParseLengthBucket(s string) (LengthBucket, error) {
	lo, hi, ok := strings.Cut(s, "-")
	bad := fmt.Errorf("length bucket %q: want MIN-MAX or MIN- (e.g. 2-6, 151-) with 1 <= MIN <= MAX", s)
	if !ok {
		return LengthBucket{}, bad
	}
	var b LengthBucket
	var err error
	if b.Min, err = strconv.Atoi(lo); err != nil || b.Min < 1 || strconv.Itoa(b.Min) != lo {
		return LengthBucket{}, bad
	}
	if hi != "" {
		if b.Max, err = strconv.Atoi(hi); err != nil || b.Max < b.Min || strconv.Itoa(b.Max) != hi {
			return LengthBucket{}, bad
		}
	}
	return b, nil
}

// UnmarshalYAML reads a bucket from its string form.
func (b *LengthBucket) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	v, err := ParseLengthBucket(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = v
	return nil
}

// MarshalYAML writes the bucket's string form, so that a resolved config reads back.
func (b LengthBucket) MarshalYAML() (any, error) { return b.String(), nil }

// checkLengthBuckets rejects duplicate buckets (their units would collide).
func checkLengthBuckets(r RunConfig) error {
	seen := map[LengthBucket]bool{}
	for _, b := range r.LengthBuckets {
		if seen[b] {
			return fmt.Errorf("%w: run.length_buckets: %s twice", ErrConfig, b)
		}
		seen[b] = true
	}
	return nil
}

// bucketUnits appends, for every bucket, the units restricted to it (bucket by bucket).
func bucketUnits(units []string, buckets []LengthBucket) []string {
	out := slices.Clone(units)
	for _, b := range buckets {
		for _, u := range units {
			out = append(out, b.Unit(u))
		}
	}
	return out
}
