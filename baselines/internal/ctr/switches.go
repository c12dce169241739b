package ctr

import (
	"fmt"

	"github.com/tibench/tibench/bench"
)

// RejectTINSwitches is a Spec.Check for every model but TIN: TIN's switches (encoding, attention,
// representation) would otherwise be accepted and silently ignored.
func RejectTINSwitches(c Config) error {
	if c.Encoding != "" || c.Attention != nil || c.Representation != nil {
		return fmt.Errorf("%w: model.params: encoding, attention and representation are TIN's switches; remove them", bench.ErrConfig)
	}
	return nil
}
