package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args, pos []string
		models    string
	}{
		{[]string{"-models", "a", "x.yaml"}, []string{"x.yaml"}, "a"},
		{[]string{"x.yaml", "-models", "a"}, []string{"x.yaml"}, "a"},
		{[]string{"x.yaml", "-models", "a", "y.yaml"}, []string{"x.yaml", "y.yaml"}, "a"},
		{[]string{"x.yaml", "--", "-models", "a"}, []string{"x.yaml", "-models", "a"}, ""},
		{nil, nil, ""},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		models := fs.String("models", "", "")
		pos, err := parseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(pos, tc.pos) || *models != tc.models {
			t.Errorf("%q: positional %q, models %q, err %v; want %q, %q", tc.args, pos, *models, err, tc.pos, tc.models)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseInterspersed(fs, []string{"x.yaml", "-bogus"}); err == nil {
		t.Error("an unknown flag after a positional argument was accepted")
	}
}
