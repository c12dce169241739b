package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"strings"

	"github.com/tibench/tibench/bench"
)

// A run checkpoint is the file <result>.ckpt beside the run's result file, rewritten atomically
// after every epoch and deleted once the results are written. It holds what the runner knows (the
// outcome so far: every finished epoch's statistics, timings and scores, the selected epoch, the
// early-stopping counter) and what the model knows (bench.Checkpointer's bytes), so a run killed
// at any moment continues from its last finished epoch and ends with the same metrics, bit for bit,
// as a run never interrupted. Format (little-endian):
//
//	magic "TIBENCHR" | uint32 version | uint32 len(header) | header (JSON) |
//	uint64 len(model) | model bytes | uint32 CRC-32 (IEEE) of every preceding byte
const (
	runCkptMagic   = "TIBENCHR"
	runCkptVersion = 1
	runCkptExt     = ".ckpt"
)

// ErrCheckpoint is wrapped by errors about unusable run checkpoints.
var ErrCheckpoint = errors.New("pipeline: unusable checkpoint")

// ckptHeader is the runner's part of a checkpoint.
type ckptHeader struct {
	// Config is the SHA-256 of the run's resolved config: a checkpoint of another configuration is
	// refused rather than continued.
	Config  string         `json:"config"`
	Outcome *bench.Outcome `json:"outcome"`
}

// runCheckpoint saves and restores one run's checkpoint.
type runCheckpoint struct {
	path   string
	config string
	cp     bench.Checkpointer
}

// checkpointFor returns the run's checkpoint, or nil when the model cannot checkpoint or
// run.checkpoint is off.
func checkpointFor(m bench.Model, cfg *bench.Config, resultPath string, resolved []byte) *runCheckpoint {
	cp, ok := m.(bench.Checkpointer)
	if !ok || cfg.Run.Checkpoint != bench.CheckpointEpoch {
		return nil
	}
	sum := sha256.Sum256(resolved)
	return &runCheckpoint{path: strings.TrimSuffix(resultPath, bench.ResultExt) + runCkptExt, config: hex.EncodeToString(sum[:]), cp: cp}
}

func (c *runCheckpoint) save(m bench.Model, out *bench.Outcome) error {
	header, err := json.Marshal(ckptHeader{Config: c.config, Outcome: out})
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	var model bytes.Buffer
	if err := c.cp.SaveCheckpoint(&model); err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	var b bytes.Buffer
	b.Grow(len(runCkptMagic) + 16 + len(header) + model.Len() + 4)
	b.WriteString(runCkptMagic)
	_ = binary.Write(&b, binary.LittleEndian, uint32(runCkptVersion))
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(header)))
	b.Write(header)
	_ = binary.Write(&b, binary.LittleEndian, uint64(model.Len()))
	b.Write(model.Bytes())
	_ = binary.Write(&b, binary.LittleEndian, crc32.ChecksumIEEE(b.Bytes()))
	return bench.WriteFileAtomic(c.path, b.Bytes())
}

// load restores the model from the checkpoint and returns the outcome so far; without a checkpoint
// file it returns an empty outcome and leaves the model as Init made it.
func (c *runCheckpoint) load(m bench.Model) (*bench.Outcome, error) {
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &bench.Outcome{Best: -1}, nil
	}
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s (delete it to start the run afresh)", ErrCheckpoint, c.path, fmt.Sprintf(format, args...))
	}
	if len(data) < len(runCkptMagic)+8+8+4 || string(data[:len(runCkptMagic)]) != runCkptMagic {
		return nil, bad("not a tibench run checkpoint")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, bad("checksum mismatch (truncated or corrupt)")
	}
	rest := body[len(runCkptMagic):]
	if v := binary.LittleEndian.Uint32(rest); v != runCkptVersion {
		return nil, bad("version %d, want %d", v, runCkptVersion)
	}
	hlen := int(binary.LittleEndian.Uint32(rest[4:]))
	rest = rest[8:]
	if hlen > len(rest)-8 {
		return nil, bad("header of %d bytes in %d", hlen, len(rest))
	}
	var h ckptHeader
	if err := json.Unmarshal(rest[:hlen], &h); err != nil {
		return nil, bad("header: %v", err)
	}
	if h.Config != c.config {
		return nil, bad("written for another configuration of this run")
	}
	if h.Outcome == nil || len(h.Outcome.Epochs) == 0 {
		return nil, bad("holds no finished epoch")
	}
	rest = rest[hlen:]
	mlen := binary.LittleEndian.Uint64(rest)
	if mlen != uint64(len(rest)-8) {
		return nil, bad("model part of %d bytes in %d", mlen, len(rest)-8)
	}
	if err := c.cp.LoadCheckpoint(bytes.NewReader(rest[8:])); err != nil {
		return nil, bad("model: %v", err)
	}
	return h.Outcome, nil
}

// remove deletes the checkpoint of a finished run; a checkpoint that cannot be removed only wastes
// space, since -resume skips runs with results.
func (c *runCheckpoint) remove() { _ = os.Remove(c.path) }
