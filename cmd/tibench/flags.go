package main

import "flag"

// parseInterspersed parses flags wherever they stand among the positional arguments, as users
// write them (`tibench run -set k=v exp.yaml -models jodie`): the standard flag package stops at
// the first positional argument, which would leave `-models jodie` as two more file names. A lone
// "--" ends the flags; everything after it is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
