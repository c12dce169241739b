package ctr

import (
	"fmt"

	"github.com/tibench/tibench/bench"
)

// CommonKeysOnly is the Spec.Check of a model with neither TIN's switches nor the Transformer keys
// (which it would otherwise accept and silently ignore).
func CommonKeysOnly(c Config) error {
	if err := RejectTINSwitches(c); err != nil {
		return err
	}
	return RejectTransformerKeys(c)
}

// RejectTransformerKeys rejects blocks, heads and ffn: only the Transformer models read them.
func RejectTransformerKeys(c Config) error {
	if c.Blocks != 0 || c.Heads != 0 || c.FFN != 0 {
		return fmt.Errorf("%w: model.params: blocks, heads and ffn are the Transformer models' keys (sasrec, bert4rec, bst); remove them", bench.ErrConfig)
	}
	return nil
}

// RejectTINSwitches rejects TIN's switches (encoding, attention, representation).
func RejectTINSwitches(c Config) error {
	if c.Encoding != "" || c.Attention != nil || c.Representation != nil {
		return fmt.Errorf("%w: model.params: encoding, attention and representation are TIN's switches; remove them", bench.ErrConfig)
	}
	return nil
}
