package bench

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParseLengthBucket(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want LengthBucket
		ok   bool
		in3  []int // lengths inside
		out3 []int // lengths outside
	}{
		{"2-6", LengthBucket{2, 6}, true, []int{2, 4, 6}, []int{1, 7}},
		{"151-", LengthBucket{151, 0}, true, []int{151, 1000}, []int{150}},
		{"4-4", LengthBucket{4, 4}, true, []int{4}, []int{3, 5}},
		{"6-2", LengthBucket{}, false, nil, nil},
		{"0-3", LengthBucket{}, false, nil, nil},
		{"-3", LengthBucket{}, false, nil, nil},
		{"3", LengthBucket{}, false, nil, nil},
		{"02-6", LengthBucket{}, false, nil, nil},
		{"2-x", LengthBucket{}, false, nil, nil},
		{"", LengthBucket{}, false, nil, nil},
	} {
		b, err := ParseLengthBucket(tc.in)
		if (err == nil) != tc.ok || b != tc.want {
			t.Errorf("ParseLengthBucket(%q) = %v, %v; want %v, ok %v", tc.in, b, err, tc.want, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		if b.String() != tc.in {
			t.Errorf("%v.String() = %q, want %q", b, b.String(), tc.in)
		}
		for _, n := range tc.in3 {
			if !b.Contains(n) {
				t.Errorf("%s does not contain %d", b, n)
			}
		}
		for _, n := range tc.out3 {
			if b.Contains(n) {
				t.Errorf("%s contains %d", b, n)
			}
		}
	}
}

func TestLengthBucketsYAML(t *testing.T) {
	var r struct {
		B []LengthBucket `yaml:"b,flow"`
	}
	if err := yaml.Unmarshal([]byte("b: [2-6, 10-30, 151-]\n"), &r); err != nil {
		t.Fatal(err)
	}
	want := []LengthBucket{{2, 6}, {10, 30}, {151, 0}}
	if !slices.Equal(r.B, want) {
		t.Fatalf("decoded %v, want %v", r.B, want)
	}
	out, err := yaml.Marshal(r)
	if err != nil || string(out) != "b: [2-6, 10-30, 151-]\n" {
		t.Errorf("encoded %q, %v", out, err)
	}
	if err := yaml.Unmarshal([]byte("b: [2-6, 7-1]\n"), &r); err == nil {
		t.Error("7-1 decoded without an error")
	}
	if got := bucketUnits([]string{"MAE", "recall@20"}, want[:2]); !slices.Equal(got, []string{"MAE", "recall@20", "MAE/len=2-6", "recall@20/len=2-6", "MAE/len=10-30", "recall@20/len=10-30"}) {
		t.Errorf("bucketUnits = %v", got)
	}
}
