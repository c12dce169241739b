package nn

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tibench/tibench/internal/ag"
)

func modelParams(seed uint64) Params {
	be := ag.NewCPU()
	return Collect(NewLinear(be, "a", 3, 4, true, rng(seed)), NewGRUCell(be, "g", 4, 2, rng(seed+1)))
}

func TestCheckpointRoundTrip(t *testing.T) {
	src, dst := modelParams(1), modelParams(2)
	var buf bytes.Buffer
	if err := Save(&buf, src); err != nil {
		t.Fatal(err)
	}
	if err := Load(bytes.NewReader(buf.Bytes()), dst); err != nil {
		t.Fatal(err)
	}
	for i := range src {
		if !slices.Equal(src[i].Values(), dst[i].Values()) {
			t.Errorf("%s differs after round trip", src[i].Name)
		}
	}
}

func TestCheckpointErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Save(&buf, modelParams(1)); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	be := ag.NewCPU()
	other := Collect(NewLinear(be, "a", 3, 5, true, rng(1)), NewGRUCell(be, "g", 4, 2, rng(2)))
	renamed := Collect(NewLinear(be, "b", 3, 4, true, rng(1)), NewGRUCell(be, "g", 4, 2, rng(2)))
	tests := []struct {
		name string
		data []byte
		into Params
		want string
	}{
		{"not-a-checkpoint", []byte("hello world, not a checkpoint"), modelParams(3), "not a tibench checkpoint"},
		{"truncated", good[:len(good)-9], modelParams(3), "checkpoint"},
		{"corrupted", flipped, modelParams(3), "checksum mismatch"},
		{"shape", good, other, `"a.weight" is 4×3, the model's is 5×3`},
		{"unknown-name", good, renamed, `"a.weight" is not a parameter`},
		{"count", good, modelParams(3)[:2], "holds 6 tensors, the model has 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.into[0].Values()
			err := Load(bytes.NewReader(tt.data), tt.into)
			if !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrCheckpoint containing %q", err, tt.want)
			}
			if !slices.Equal(before, tt.into[0].Values()) {
				t.Error("a failed Load changed the parameters")
			}
		})
	}
}

func TestSaveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.ckpt")
	ps := modelParams(1)
	if err := SaveFile(path, ps); err != nil {
		t.Fatal(err)
	}
	if err := LoadFile(path, modelParams(9)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after SaveFile, want only the checkpoint", len(entries))
	}
	if err := SaveFile(filepath.Join(dir, "missing", "x.ckpt"), ps); err == nil {
		t.Error("SaveFile into a missing directory succeeded")
	}
	dup := Params{ps[0], ps[0]}
	if err := Save(&bytes.Buffer{}, dup); err == nil || !strings.Contains(err.Error(), "two parameters named") {
		t.Errorf("Save with duplicate names: %v", err)
	}
}
