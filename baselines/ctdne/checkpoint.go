package ctdne

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// checkpointMagic starts a CTDNE checkpoint (version 1).
const checkpointMagic = "ctdne-ckpt-v1\n"

// SaveCheckpoint writes the finished epochs and both embedding tables: everything later epochs and
// evaluations depend on, since every pass draws from a random stream derived from the seed and the
// epoch (no random state is carried between passes).
func (m *Model) SaveCheckpoint(w io.Writer) error {
	if m.emb == nil {
		return errors.New("ctdne: SaveCheckpoint before Init")
	}
	if _, err := io.WriteString(w, checkpointMagic); err != nil {
		return err
	}
	head := []uint64{uint64(m.epoch), uint64(m.numUsers), uint64(m.numItems), uint64(m.emb.dim)}
	for _, v := range []any{head, m.emb.in, m.emb.out} {
		if err := binary.Write(w, binary.LittleEndian, v); err != nil {
			return fmt.Errorf("ctdne: checkpoint: %w", err)
		}
	}
	return nil
}

// LoadCheckpoint restores a checkpoint into a model Init-ed with the same data and seed; on an
// error the model is unchanged.
func (m *Model) LoadCheckpoint(r io.Reader) error {
	if m.emb == nil {
		return errors.New("ctdne: LoadCheckpoint before Init")
	}
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		return fmt.Errorf("ctdne: not a CTDNE checkpoint")
	}
	head := make([]uint64, 4)
	if err := binary.Read(r, binary.LittleEndian, head); err != nil {
		return fmt.Errorf("ctdne: checkpoint header: %w", err)
	}
	if head[1] != uint64(m.numUsers) || head[2] != uint64(m.numItems) || head[3] != uint64(m.emb.dim) {
		return fmt.Errorf("ctdne: checkpoint of %d users, %d items, dim %d; the model has %d, %d, %d",
			head[1], head[2], head[3], m.numUsers, m.numItems, m.emb.dim)
	}
	e := &embedding{dim: m.emb.dim, in: make([]float32, len(m.emb.in)), out: make([]float32, len(m.emb.out))}
	if err := binary.Read(r, binary.LittleEndian, e.in); err != nil {
		return fmt.Errorf("ctdne: checkpoint input vectors: %w", err)
	}
	if err := binary.Read(r, binary.LittleEndian, e.out); err != nil {
		return fmt.Errorf("ctdne: checkpoint output vectors: %w", err)
	}
	m.epoch, m.emb, m.readout = int(head[0]), e, nil
	return nil
}
