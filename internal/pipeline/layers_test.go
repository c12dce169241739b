package pipeline

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering: imports only point down (docs/architecture.md). Each case lists the dependencies of
// some packages with `go list -deps` and names the packages of a higher layer they must not reach.
func TestLayering(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	const mod = "github.com/tibench/tibench/"
	for _, tc := range []struct {
		name      string
		pkgs      []string
		forbidden []string
	}{
		{"bench never imports the engine", []string{"bench/..."}, []string{"internal/", "models", "baselines", "cmd/"}},
		{"engine and data know no benchmark", []string{"datasets/...", "internal/ag/...", "internal/nn/..."},
			[]string{"bench", "models", "baselines", "internal/pipeline", "internal/report", "cmd/"}},
		{"the registry never imports baselines", []string{"models"}, []string{"baselines", "internal/pipeline", "cmd/"}},
		{"models sit below the pipeline", []string{"models/...", "baselines/...", "internal/coupled/..."}, []string{"internal/pipeline", "internal/grid", "internal/cluster", "internal/report", "cmd/"}},
		{"the shared coupled-state machinery imports no model", []string{"internal/coupled/..."}, []string{"models", "baselines"}},
		{"the pipeline runs one run, the grid sits above it", []string{"internal/pipeline"}, []string{"internal/grid", "internal/cluster"}},
		{"nothing imports cmd", []string{"internal/pipeline", "internal/grid", "internal/cluster", "internal/report"}, []string{"cmd/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command("go", append([]string{"list", "-deps"}, absolute(mod, tc.pkgs)...)...).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, dep := range strings.Fields(string(out)) {
				rel, ok := strings.CutPrefix(dep, mod)
				if !ok {
					continue
				}
				for _, f := range tc.forbidden {
					if strings.HasPrefix(rel, f) {
						t.Errorf("%v depends on %s", tc.pkgs, dep)
					}
				}
			}
		})
	}
}

// absolute turns patterns relative to the module root into import paths (tests run in the
// package's directory).
func absolute(mod string, pkgs []string) []string {
	out := make([]string, len(pkgs))
	for i, p := range pkgs {
		out[i] = mod + p
	}
	return out
}
