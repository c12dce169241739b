package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Checkpoint format, version 1 (little-endian):
//
//	magic "TIBENCHP" | uint32 version | uint32 count |
//	count × (uint32 len(name) | name | uint32 rows | uint32 cols | rows·cols float32) |
//	uint32 CRC-32 (IEEE) of every preceding byte
//
// Version 2, in the same framing, is a model's whole training state (trainstate.go).
const (
	ckptMagic   = "TIBENCHP"
	ckptVersion = 1
)

// ErrCheckpoint is wrapped by every checkpoint decoding error.
var ErrCheckpoint = errors.New("nn: bad checkpoint")

// Save writes the parameters' values to w.
func Save(w io.Writer, ps Params) error {
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		if seen[p.Name] {
			return fmt.Errorf("nn: two parameters named %q: checkpoints match parameters by name", p.Name)
		}
		seen[p.Name] = true
	}
	h := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, h))
	put := func(v uint32) { _ = binary.Write(bw, binary.LittleEndian, v) }
	bw.WriteString(ckptMagic)
	put(ckptVersion)
	put(uint32(len(ps)))
	for _, p := range ps {
		put(uint32(len(p.Name)))
		bw.WriteString(p.Name)
		put(uint32(p.Rows()))
		put(uint32(p.Cols()))
		vals := p.Values()
		for _, v := range vals {
			put(math.Float32bits(v))
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, h.Sum32())
}

// Load reads values saved by Save into ps, matching parameters by name; every parameter must be
// present with the same shape and the file must hold nothing else.
func Load(r io.Reader, ps Params) error {
	h := crc32.NewIEEE()
	br := bufio.NewReader(r)
	tr := io.TeeReader(br, h)
	get := func() (uint32, error) {
		var v uint32
		err := binary.Read(tr, binary.LittleEndian, &v)
		return v, err
	}
	magic := make([]byte, len(ckptMagic))
	if _, err := io.ReadFull(tr, magic); err != nil || string(magic) != ckptMagic {
		return fmt.Errorf("%w: not a tibench checkpoint", ErrCheckpoint)
	}
	if v, err := get(); err != nil || v != ckptVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrCheckpoint, v, ckptVersion)
	}
	count, err := get()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	byName := make(map[string]int, len(ps))
	for i, p := range ps {
		byName[p.Name] = i
	}
	if int(count) != len(ps) {
		return fmt.Errorf("%w: holds %d tensors, the model has %d", ErrCheckpoint, count, len(ps))
	}
	vals := make([][]float32, len(ps))
	for k := 0; k < int(count); k++ {
		n, err := get()
		if err != nil || n > 1<<16 {
			return fmt.Errorf("%w: tensor %d: bad name length", ErrCheckpoint, k)
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(tr, name); err != nil {
			return fmt.Errorf("%w: tensor %d: %v", ErrCheckpoint, k, err)
		}
		i, ok := byName[string(name)]
		if !ok {
			return fmt.Errorf("%w: tensor %q is not a parameter of the model", ErrCheckpoint, name)
		}
		rows, err1 := get()
		cols, err2 := get()
		p := ps[i]
		if err1 != nil || err2 != nil || int(rows) != p.Rows() || int(cols) != p.Cols() {
			return fmt.Errorf("%w: tensor %q is %d×%d, the model's is %d×%d", ErrCheckpoint, name, rows, cols, p.Rows(), p.Cols())
		}
		v := make([]float32, p.Len())
		if err := binary.Read(tr, binary.LittleEndian, v); err != nil {
			return fmt.Errorf("%w: tensor %q: %v", ErrCheckpoint, name, err)
		}
		vals[i] = v
	}
	sum := h.Sum32()
	var stored uint32
	if err := binary.Read(br, binary.LittleEndian, &stored); err != nil || stored != sum {
		return fmt.Errorf("%w: checksum mismatch (file corrupted or truncated)", ErrCheckpoint)
	}
	for i, p := range ps {
		p.CopyFrom(vals[i])
	}
	return nil
}

// SaveFile writes a checkpoint atomically: to a temporary file in the same directory, then renamed,
// so an interrupted save never leaves a half-written checkpoint.
func SaveFile(path string, ps Params) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := Save(tmp, ps); err != nil {
		tmp.Close()
		return fmt.Errorf("saving checkpoint %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// LoadFile reads a checkpoint written by SaveFile.
func LoadFile(path string, ps Params) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("loading checkpoint: %w", err)
	}
	defer f.Close()
	if err := Load(f, ps); err != nil {
		return fmt.Errorf("loading checkpoint %s: %w", path, err)
	}
	return nil
}
