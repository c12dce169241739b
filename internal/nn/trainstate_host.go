package nn

import (
	"encoding/binary"
	"math"
)

// Host arrays: the state a model keeps outside tensors (caches of inputs, recorded embeddings) and
// needs to resume bit-identically. Payloads, in the format of trainstate.go:
//
//	float32s: uint32 n | n × float32 (exact bits)
//	int32s:   uint32 n | n × int32
//	uint32s:  uint32 n | n × uint32
//
// The reader assigns the decoded array at Close, after the checksum is verified, like Uint64.

// maxHostValues bounds a host array's length on reading, so a corrupt length cannot allocate
// gigabytes (256M values: 1 GiB of float32).
const maxHostValues = 1 << 28

// Float32s writes a host array of float32.
func (c *CheckpointWriter) Float32s(tag string, v []float32) {
	c.words(tag, len(v), func(i int) uint32 { return math.Float32bits(v[i]) })
}

// Int32s writes a host array of int32.
func (c *CheckpointWriter) Int32s(tag string, v []int32) {
	c.words(tag, len(v), func(i int) uint32 { return uint32(v[i]) })
}

// Uint32s writes a host array of uint32.
func (c *CheckpointWriter) Uint32s(tag string, v []uint32) {
	c.words(tag, len(v), func(i int) uint32 { return v[i] })
}

func (c *CheckpointWriter) words(tag string, n int, word func(int) uint32) {
	if c.err != nil {
		return
	}
	c.str(tag)
	c.u32(uint32(n))
	for off := 0; off < n; off += stateChunk {
		b := c.b[:0]
		for i := off; i < min(n, off+stateChunk); i++ {
			b = binary.LittleEndian.AppendUint32(b, word(i))
		}
		c.w.Write(b)
		c.b = b[:0]
	}
}

// Float32s reads a host array written by CheckpointWriter.Float32s into *dst at Close.
func (c *CheckpointReader) Float32s(tag string, dst *[]float32) {
	v := readWords(c, tag, func(w uint32) float32 { return math.Float32frombits(w) })
	if c.err == nil {
		c.pending = append(c.pending, func() { *dst = v })
	}
}

// Int32s reads a host array written by CheckpointWriter.Int32s into *dst at Close.
func (c *CheckpointReader) Int32s(tag string, dst *[]int32) {
	v := readWords(c, tag, func(w uint32) int32 { return int32(w) })
	if c.err == nil {
		c.pending = append(c.pending, func() { *dst = v })
	}
}

// Uint32s reads a host array written by CheckpointWriter.Uint32s into *dst at Close.
func (c *CheckpointReader) Uint32s(tag string, dst *[]uint32) {
	v := readWords(c, tag, func(w uint32) uint32 { return w })
	if c.err == nil {
		c.pending = append(c.pending, func() { *dst = v })
	}
}

func readWords[T any](c *CheckpointReader, tag string, conv func(uint32) T) []T {
	if !c.section(tag) {
		return nil
	}
	n := c.u32()
	if c.err != nil {
		return nil
	}
	if n > maxHostValues {
		c.failf("section %q: an array of %d values (corrupt length)", tag, n)
		return nil
	}
	out := make([]T, 0, n)
	for off := 0; off < int(n) && c.err == nil; off += stateChunk {
		k := min(stateChunk, int(n)-off)
		b := c.bytes(4 * k)
		for i := range k {
			if b == nil {
				break
			}
			out = append(out, conv(binary.LittleEndian.Uint32(b[4*i:])))
		}
	}
	return out
}
