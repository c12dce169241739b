package nn

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"reflect"
	"slices"
	"sort"

	"github.com/tibench/tibench/internal/ag"
)

// Training-state checkpoint format, version 2 of the checkpoint framing (Save and Load write
// version 1, parameter values only). Little-endian; a string is uint32 len | bytes; a value is a
// float32 or a float64 in its exact bits, as the header's precision says:
//
//	magic "TIBENCHP" | uint32 2 | string model | uint32 precision (32 or 64) |
//	sections, each: string tag | payload (below) |
//	uint32 CRC-32 (IEEE) of every preceding byte
//
// A model writes its sections in a fixed order and reads them back in the same order; the tags
// only catch a stream from another model or code version. Payloads:
//
//	uint64:      uint64
//	config:      string (JSON of the resolved configuration)
//	params:      uint32 count | count × tensor
//	tensor:      string name | uint32 rows | uint32 cols | rows·cols values
//	optimizer:   string kind | uint64 step | uint32 slots | slots × (string slot | count × tensor) |
//	             uint32 lazy | lazy × (string name | uint32 rows | rows × int32 step count)
//	state table: tensor (its values) | uint32 rows × uint32 ref | int32 ref row per nonzero ref
//
// A state table row's ref is 0 when the row reads its own value and k > 0 when it reads row r of
// the k-th tensor of the parameters given with it (a learned initial state that Fill left there).
const trainStateVersion = 2

// stateChunk bounds the host staging buffers of the tensor codec, as fillChunk does for fill: a
// million-row table is streamed in pieces instead of being copied to the host whole.
const stateChunk = 1 << 16

// maxString bounds a string's length on reading, so a corrupt length cannot allocate gigabytes.
const maxString = 1 << 20

// CheckpointWriter writes a model's training state — parameters, optimiser moments and step counts,
// state tables, counters and configuration — as a checksummed stream. Errors are sticky: after the
// first one every call does nothing, and Close returns it.
type CheckpointWriter struct {
	out io.Writer
	h   hash.Hash32
	w   *bufio.Writer
	be  ag.Backend
	err error

	view ag.Storage
	f32  []float32
	f64  []float64
	b    []byte
}

// NewCheckpointWriter starts a training-state stream for the named model, whose tensors live on be.
func NewCheckpointWriter(w io.Writer, model string, be ag.Backend) *CheckpointWriter {
	c := &CheckpointWriter{out: w, h: crc32.NewIEEE(), be: be}
	c.w = bufio.NewWriter(io.MultiWriter(w, c.h))
	c.w.WriteString(ckptMagic)
	c.u32(trainStateVersion)
	c.str(model)
	c.u32(uint32(be.Precision()))
	return c
}

func (c *CheckpointWriter) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *CheckpointWriter) u32(v uint32) { c.w.Write(binary.LittleEndian.AppendUint32(c.b[:0], v)) }
func (c *CheckpointWriter) u64(v uint64) { c.w.Write(binary.LittleEndian.AppendUint64(c.b[:0], v)) }

func (c *CheckpointWriter) str(s string) {
	c.u32(uint32(len(s)))
	c.w.WriteString(s)
}

// Uint64 writes a counter (an epoch number, a seed).
func (c *CheckpointWriter) Uint64(tag string, v uint64) {
	if c.err != nil {
		return
	}
	c.str(tag)
	c.u64(v)
}

// Float64s writes state that is not a parameter (batch-norm running statistics) as tag.len and
// one counter per value holding its bits, so it is restored exactly.
func (c *CheckpointWriter) Float64s(tag string, xs []float64) {
	c.Uint64(tag+".len", uint64(len(xs)))
	for i, x := range xs {
		c.Uint64(fmt.Sprintf("%s.%d", tag, i), math.Float64bits(x))
	}
}

// Config writes the JSON of a resolved configuration, which CheckpointReader.Config compares field
// by field with the loading model's.
func (c *CheckpointWriter) Config(tag string, v any) {
	if c.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		c.fail(fmt.Errorf("nn: checkpoint section %q: %w", tag, err))
		return
	}
	c.str(tag)
	c.str(string(b))
}

// Params writes the parameters' values. The parameters must hold no gradient: a gradient is not
// part of the state (every training step clears it), so one left over means the model is being
// saved in the middle of a step and could not resume bit-identically.
func (c *CheckpointWriter) Params(tag string, ps Params) {
	if c.err != nil {
		return
	}
	for _, p := range ps {
		if g := p.GradStorage(); g != nil && p.Backend().SumSquares(g) != 0 {
			c.fail(fmt.Errorf("nn: checkpoint: parameter %q holds a gradient not yet applied; save between optimiser steps", p.Name))
			return
		}
	}
	c.str(tag)
	c.u32(uint32(len(ps)))
	for _, p := range ps {
		c.tensor(p.Name, p.Rows(), p.Cols(), p.Storage())
	}
}

func (c *CheckpointWriter) tensor(name string, rows, cols int, s ag.Storage) {
	c.str(name)
	c.u32(uint32(rows))
	c.u32(uint32(cols))
	c.values(s, rows*cols)
}

// values writes the first n elements of s in the backend's precision, in chunks.
func (c *CheckpointWriter) values(s ag.Storage, n int) {
	for off := 0; off < n; off += stateChunk {
		k := min(stateChunk, n-off)
		c.view = c.be.View(c.view, s, off, k)
		b := c.b[:0]
		if c.be.Precision() == 64 {
			c.f64 = grow64(c.f64, k)
			c.be.Download64(c.f64, c.view)
			for _, v := range c.f64 {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
		} else {
			c.f32 = grow32(c.f32, k)
			c.be.Download(c.f32, c.view)
			for _, v := range c.f32 {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
		}
		c.w.Write(b)
		c.b = b[:0]
	}
}

// Optimizer writes an optimiser's state: its step count, its per-parameter buffers (Adam's first
// and second moments, Adagrad's sums, SGD's momentum) and, for lazy sparse Adam, every row's own
// step count.
func (c *CheckpointWriter) Optimizer(tag string, opt Optimizer) {
	if c.err != nil {
		return
	}
	kind, slots, err := optimizerSlots(opt)
	if err != nil {
		c.fail(err)
		return
	}
	st := opt.(stateful)
	cnt := st.counters()
	ps := opt.Params()
	bufs := st.stateStorages()
	c.str(tag)
	c.str(kind)
	c.u64(uint64(cnt.t))
	c.u32(uint32(len(slots)))
	for k, slot := range slots {
		c.str(slot)
		for i, p := range ps {
			c.tensor(p.Name, p.Rows(), p.Cols(), bufs[k*len(ps)+i])
		}
	}
	lazy := lazyParams(ps, cnt.rowSteps)
	c.u32(uint32(len(lazy)))
	for _, p := range lazy {
		steps := cnt.rowSteps[p]
		c.str(p.Name)
		c.u32(uint32(len(steps)))
		b := c.b[:0]
		for _, s := range steps {
			b = binary.LittleEndian.AppendUint32(b, uint32(s))
		}
		c.w.Write(b)
		c.b = b[:0]
	}
}

// StateTable writes a table's values and, for every row, whether it still reads a row of one of
// refs (the learned initial state it was filled with) instead of its own value. The table must be
// outside a backpropagation window (Detach called).
func (c *CheckpointWriter) StateTable(tag string, s *StateTable, refs Params) {
	if c.err != nil {
		return
	}
	if len(s.touched) > 0 {
		c.fail(fmt.Errorf("nn: checkpoint: state table %q has %d rows written in an open backpropagation window; save after Detach",
			s.Values.Name, len(s.touched)))
		return
	}
	codes := make([]uint32, s.Rows())
	var rows []int32
	for i, r := range s.refs {
		if r.T == nil {
			continue
		}
		k := slices.Index(refs, r.T)
		if k < 0 {
			c.fail(fmt.Errorf("nn: checkpoint: row %d of state table %q reads tensor %q, which is not among the given parameters",
				i, s.Values.Name, r.T.Name))
			return
		}
		codes[i] = uint32(k + 1)
		rows = append(rows, r.Row)
	}
	c.str(tag)
	c.tensor(s.Values.Name, s.Rows(), s.Dim(), s.Values.Storage())
	for off := 0; off < len(codes); off += stateChunk {
		b := c.b[:0]
		for _, v := range codes[off:min(len(codes), off+stateChunk)] {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
		c.w.Write(b)
		c.b = b[:0]
	}
	for _, r := range rows {
		c.u32(uint32(r))
	}
}

// Close writes the checksum and flushes. It returns the first error of the whole stream.
func (c *CheckpointWriter) Close() error {
	if c.err != nil {
		return c.err
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("nn: writing checkpoint: %w", err)
	}
	if _, err := c.out.Write(binary.LittleEndian.AppendUint32(nil, c.h.Sum32())); err != nil {
		return fmt.Errorf("nn: writing checkpoint: %w", err)
	}
	return nil
}

// optimizerSlots names an optimiser and the per-parameter buffers stateStorages returns, in order.
func optimizerSlots(opt Optimizer) (kind string, slots []string, err error) {
	switch o := opt.(type) {
	case *Adam:
		return "adam", []string{"m", "v"}, nil
	case *Adagrad:
		return "adagrad", []string{"sum"}, nil
	case *SGD:
		if o.bufs == nil {
			return "sgd", nil, nil
		}
		return "sgd", []string{"momentum"}, nil
	}
	return "", nil, fmt.Errorf("nn: checkpoint: optimiser %T has no known state layout", opt)
}

// lazyParams lists, in parameter order, the parameters with per-row step counts.
func lazyParams(ps Params, rowSteps map[*ag.Tensor][]int32) Params {
	var out Params
	for _, p := range ps {
		if _, ok := rowSteps[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

func grow32(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func grow64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// CheckpointReader reads a stream written by CheckpointWriter into a model built with the same
// configuration and sized for the same data. Each call must match the writer's call in order and
// kind; shapes, names and the configuration are checked before anything is read into a tensor.
//
// Tensor values are decoded straight into the model's storage, so that loading a large model needs
// no second copy of it: a stream that turns out corrupt (bad checksum, short read) leaves the model
// partly loaded, and the model must be Init-ed again. Scalars (Uint64) are only assigned by Close,
// after the checksum is verified. Errors are sticky and wrap ErrCheckpoint; Close returns the first.
type CheckpointReader struct {
	r       io.Reader
	h       hash.Hash32
	be      ag.Backend
	err     error
	pending []func() // assignments made by Close once the checksum is verified

	view ag.Storage
	f32  []float32
	f64  []float64
	b    []byte
}

// NewCheckpointReader checks the stream's header: a training-state checkpoint of the named model,
// in be's precision. It reads no further than the stream's end, so r may continue past it.
func NewCheckpointReader(r io.Reader, model string, be ag.Backend) *CheckpointReader {
	c := &CheckpointReader{r: r, h: crc32.NewIEEE(), be: be}
	magic := c.bytes(len(ckptMagic))
	if c.err != nil || string(magic) != ckptMagic {
		c.err = fmt.Errorf("%w: not a tibench checkpoint", ErrCheckpoint)
		return c
	}
	switch v := c.u32(); {
	case c.err != nil:
		return c
	case v == ckptVersion:
		c.failf("a parameters-only checkpoint (nn.Save, version %d), not a training state (version %d)", v, trainStateVersion)
	case v != trainStateVersion:
		c.failf("version %d, want %d", v, trainStateVersion)
	}
	if got := c.str(); c.err == nil && got != model {
		c.failf("a checkpoint of model %q, not %q", got, model)
	}
	if p := c.u32(); c.err == nil && int(p) != be.Precision() {
		c.failf("values in float%d, the model's backend %s computes in float%d", p, be.Name(), be.Precision())
	}
	return c
}

func (c *CheckpointReader) failf(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: "+format, append([]any{ErrCheckpoint}, args...)...)
	}
}

// bytes reads n bytes (into a reused buffer, valid until the next read) and adds them to the checksum.
func (c *CheckpointReader) bytes(n int) []byte {
	if c.err != nil {
		return nil
	}
	if cap(c.b) < n {
		c.b = make([]byte, n)
	}
	b := c.b[:n]
	if _, err := io.ReadFull(c.r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		c.failf("truncated: %v", err)
		return nil
	}
	c.h.Write(b)
	return b
}

func (c *CheckpointReader) u32() uint32 {
	b := c.bytes(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (c *CheckpointReader) u64() uint64 {
	b := c.bytes(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (c *CheckpointReader) str() string {
	n := c.u32()
	if c.err != nil {
		return ""
	}
	if n > maxString {
		c.failf("a string of %d bytes (corrupt length)", n)
		return ""
	}
	return string(c.bytes(int(n)))
}

// section reads a section's tag and checks it is the expected one.
func (c *CheckpointReader) section(tag string) bool {
	got := c.str()
	if c.err == nil && got != tag {
		c.failf("section %q where %q was expected (a checkpoint of another configuration or version)", got, tag)
	}
	return c.err == nil
}

// Uint64 reads a counter into *dst when Close succeeds.
func (c *CheckpointReader) Uint64(tag string, dst *uint64) {
	if !c.section(tag) {
		return
	}
	v := c.u64()
	if c.err == nil {
		c.pending = append(c.pending, func() { *dst = v })
	}
}

// Float64s reads values written by CheckpointWriter.Float64s into xs, which must have as many
// (what names them in the error), when Close succeeds.
func (c *CheckpointReader) Float64s(tag string, xs []float64, what string) {
	c.Expect(tag+".len", uint64(len(xs)), what)
	bits := make([]uint64, len(xs))
	for i := range bits {
		c.Uint64(fmt.Sprintf("%s.%d", tag, i), &bits[i])
	}
	c.pending = append(c.pending, func() { // after the Uint64s' assignments
		for i, b := range bits {
			xs[i] = math.Float64frombits(b)
		}
	})
}

// Expect reads a counter written by CheckpointWriter.Uint64 and requires it to equal want: a size
// derived from the data, checked before any tensor is read. what names it in the error.
func (c *CheckpointReader) Expect(tag string, want uint64, what string) {
	if !c.section(tag) {
		return
	}
	if v := c.u64(); c.err == nil && v != want {
		c.failf("%s is %d in the checkpoint, %d here", what, v, want)
	}
}

// Config reads a configuration written by CheckpointWriter.Config and requires it to equal v's,
// naming the fields that differ.
func (c *CheckpointReader) Config(tag string, v any) {
	if !c.section(tag) {
		return
	}
	saved := c.str()
	if c.err != nil {
		return
	}
	mine, err := json.Marshal(v)
	if err != nil {
		c.failf("section %q: %v", tag, err)
		return
	}
	if string(mine) == saved {
		return
	}
	var a, b map[string]any
	if json.Unmarshal([]byte(saved), &a) != nil || json.Unmarshal(mine, &b) != nil {
		c.failf("section %q: configuration %s, the model's is %s", tag, saved, mine)
		return
	}
	var diff []string
	for k := range a {
		if _, ok := b[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s: %v in the checkpoint, absent from the model", k, jsonText(a[k])))
		}
	}
	for k := range b {
		if !reflect.DeepEqual(a[k], b[k]) {
			diff = append(diff, fmt.Sprintf("%s: %s in the checkpoint, %s in the model", k, jsonText(a[k]), jsonText(b[k])))
		}
	}
	sort.Strings(diff)
	c.failf("written with another configuration (%v)", diff)
}

func jsonText(v any) string {
	if v == nil {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Params reads values written by CheckpointWriter.Params into ps: the same parameters, in the same
// order, with the same names and shapes.
func (c *CheckpointReader) Params(tag string, ps Params) {
	if !c.section(tag) {
		return
	}
	if n := c.u32(); c.err == nil && int(n) != len(ps) {
		c.failf("section %q holds %d tensors, the model has %d", tag, n, len(ps))
	}
	for _, p := range ps {
		c.tensor(tag, p.Name, p.Rows(), p.Cols(), p.Storage())
	}
}

// tensor reads a tensor's header, checks it against the model's, and its values into s.
func (c *CheckpointReader) tensor(tag, name string, rows, cols int, s ag.Storage) {
	got := c.str()
	r, k := c.u32(), c.u32()
	if c.err != nil {
		return
	}
	if got != name {
		c.failf("section %q: tensor %q where the model has %q", tag, got, name)
		return
	}
	if int(r) != rows || int(k) != cols {
		c.failf("section %q: tensor %q is %d×%d, the model's is %d×%d", tag, name, r, k, rows, cols)
		return
	}
	c.values(s, rows*cols)
}

// values reads n values into s, in chunks.
func (c *CheckpointReader) values(s ag.Storage, n int) {
	wide := c.be.Precision() == 64
	size := 4
	if wide {
		size = 8
	}
	for off := 0; off < n && c.err == nil; off += stateChunk {
		k := min(stateChunk, n-off)
		b := c.bytes(k * size)
		if b == nil {
			return
		}
		c.view = c.be.View(c.view, s, off, k)
		if wide {
			c.f64 = grow64(c.f64, k)
			for i := range c.f64 {
				c.f64[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
			c.be.Upload64(c.view, c.f64)
		} else {
			c.f32 = grow32(c.f32, k)
			for i := range c.f32 {
				c.f32[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
			c.be.Upload(c.view, c.f32)
		}
	}
}

// Optimizer reads a state written by CheckpointWriter.Optimizer into opt, which must be the same
// kind of optimiser over the same parameters, lazy for the same ones.
func (c *CheckpointReader) Optimizer(tag string, opt Optimizer) {
	if !c.section(tag) {
		return
	}
	kind, slots, err := optimizerSlots(opt)
	if err != nil {
		c.failf("%v", err)
		return
	}
	if got := c.str(); c.err == nil && got != kind {
		c.failf("section %q: optimiser %q, the model's is %q", tag, got, kind)
	}
	t := c.u64()
	if n := c.u32(); c.err == nil && int(n) != len(slots) {
		c.failf("section %q: %d state buffers per parameter, the model's %s has %d", tag, n, kind, len(slots))
	}
	st := opt.(stateful)
	ps := opt.Params()
	bufs := st.stateStorages()
	for k, slot := range slots {
		if got := c.str(); c.err == nil && got != slot {
			c.failf("section %q: state buffer %q where %q was expected", tag, got, slot)
		}
		for i, p := range ps {
			c.tensor(tag+"."+slot, p.Name, p.Rows(), p.Cols(), bufs[k*len(ps)+i])
		}
	}
	cnt := st.counters()
	lazy := lazyParams(ps, cnt.rowSteps)
	if n := c.u32(); c.err == nil && int(n) != len(lazy) {
		c.failf("section %q: %d parameters with per-row step counts (lazy sparse Adam), the model's optimiser has %d", tag, n, len(lazy))
	}
	for _, p := range lazy {
		name, n := c.str(), c.u32()
		if c.err != nil {
			return
		}
		steps := cnt.rowSteps[p]
		if name != p.Name || int(n) != len(steps) {
			c.failf("section %q: per-row step counts of %q (%d rows), the model's are of %q (%d rows)", tag, name, n, p.Name, len(steps))
			return
		}
		for off := 0; off < len(steps) && c.err == nil; off += stateChunk {
			chunk := steps[off:min(len(steps), off+stateChunk)]
			if b := c.bytes(4 * len(chunk)); b != nil {
				for i := range chunk {
					chunk[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
				}
			}
		}
	}
	if a, ok := opt.(*Adam); ok && c.err == nil {
		c.pending = append(c.pending, func() { a.setStep(int(t)) })
	}
}

// StateTable reads a table written by CheckpointWriter.StateTable into s, with refs the same
// parameters given to the writer. Rows that read a parameter row when saved do so again.
func (c *CheckpointReader) StateTable(tag string, s *StateTable, refs Params) {
	if !c.section(tag) {
		return
	}
	c.tensor(tag, s.Values.Name, s.Rows(), s.Dim(), s.Values.Storage())
	codes := make([]uint32, s.Rows())
	for off := 0; off < len(codes) && c.err == nil; off += stateChunk {
		chunk := codes[off:min(len(codes), off+stateChunk)]
		if b := c.bytes(4 * len(chunk)); b != nil {
			for i := range chunk {
				chunk[i] = binary.LittleEndian.Uint32(b[4*i:])
			}
		}
	}
	if c.err != nil {
		return
	}
	s.Detach()
	for i, k := range codes {
		if k == 0 {
			s.refs[i] = ag.RowRef{}
			continue
		}
		row := int32(c.u32())
		if c.err != nil {
			return
		}
		if int(k) > len(refs) || row < 0 || int(row) >= refs[k-1].Rows() {
			c.failf("section %q: row %d reads row %d of reference %d, but %d references were given", tag, i, row, k, len(refs))
			return
		}
		s.refs[i] = ag.RowRef{T: refs[k-1], Row: row}
	}
}

// Close reads and verifies the checksum, then makes the deferred assignments. It returns the first
// error of the whole stream.
func (c *CheckpointReader) Close() error {
	if c.err != nil {
		return c.err
	}
	sum := c.h.Sum32()
	var b [4]byte
	if _, err := io.ReadFull(c.r, b[:]); err != nil || binary.LittleEndian.Uint32(b[:]) != sum {
		return fmt.Errorf("%w: checksum mismatch (corrupted or truncated)", ErrCheckpoint)
	}
	for _, f := range c.pending {
		f()
	}
	c.pending = nil
	return nil
}
