package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/tibench/tibench/internal/ag"
)

func runBackends(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backends", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range ag.BackendNames() {
		be, err := ag.BackendByName(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-8s %s (float%d)\n", name, be.Name(), be.Precision())
	}
	return nil
}
