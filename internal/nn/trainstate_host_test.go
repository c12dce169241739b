package nn

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

// TestHostArraysRoundTrip: host arrays come back with their exact bits (NaN payloads, −0, the
// extremes, an empty array, one longer than a chunk), assigned only by Close.
func TestHostArraysRoundTrip(t *testing.T) {
	be := ag.NewCPU()
	f := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, math.SmallestNonzeroFloat32,
		math.Float32frombits(0x7fc00001), float32(math.Inf(-1)), 1.5}
	long := make([]int32, stateChunk+3)
	for i := range long {
		long[i] = int32(i*7919) - 1<<30
	}
	u := []uint32{0, 1, math.MaxUint32}
	var buf bytes.Buffer
	w := NewCheckpointWriter(&buf, "m", be)
	w.Float32s("f", f)
	w.Int32s("long", long)
	w.Uint32s("u", u)
	w.Int32s("empty", nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var gf []float32
	gl, gu, ge := []int32{42}, []uint32(nil), []int32{1}
	r := NewCheckpointReader(bytes.NewReader(buf.Bytes()), "m", be)
	r.Float32s("f", &gf)
	r.Int32s("long", &gl)
	r.Uint32s("u", &gu)
	r.Int32s("empty", &ge)
	if gl[0] != 42 {
		t.Error("assigned before Close")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	bits := func(v []float32) []uint32 {
		out := make([]uint32, len(v))
		for i, x := range v {
			out[i] = math.Float32bits(x)
		}
		return out
	}
	if !slices.Equal(bits(gf), bits(f)) || !slices.Equal(gl, long) || !slices.Equal(gu, u) || len(ge) != 0 {
		t.Errorf("round trip differs: %v %v %v", gf, gu, ge)
	}
}

// TestHostArraysCorrupt: a wrong tag, a truncated stream and a flipped byte are errors, and
// nothing is assigned.
func TestHostArraysCorrupt(t *testing.T) {
	be := ag.NewCPU()
	var buf bytes.Buffer
	w := NewCheckpointWriter(&buf, "m", be)
	w.Int32s("rows", []int32{1, 2, 3})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flipped := slices.Clone(good)
	flipped[len(flipped)-6] ^= 1
	for name, c := range map[string]struct {
		stream []byte
		tag    string
	}{
		"wrong tag": {good, "cols"},
		"truncated": {good[:len(good)-9], "rows"},
		"flipped":   {flipped, "rows"},
	} {
		dst := []int32{9}
		r := NewCheckpointReader(bytes.NewReader(c.stream), "m", be)
		r.Int32s(c.tag, &dst)
		if err := r.Close(); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: %v, want ErrCheckpoint", name, err)
		}
		if !slices.Equal(dst, []int32{9}) {
			t.Errorf("%s: assigned %v", name, dst)
		}
	}
}
