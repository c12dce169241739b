package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/internal/pipeline"
)

func rec(model string, seed string, mrr, loss float64) bench.Record {
	return bench.Record{Bench: "NextItem",
		Name:   []bench.KV{{Key: "model", Value: model}, {Key: "dataset", Value: "d"}},
		Values: []bench.Value{{Value: mrr, Unit: "MRR"}, {Value: loss, Unit: "logloss"}, {Value: 12.5, Unit: "sec/epoch"}},
		Config: []bench.KV{{Key: "seed", Value: seed}}}
}

func TestCompareRecords(t *testing.T) {
	tol := map[string]float64{"MRR": 0.01, "logloss": 0.05}
	base := []bench.Record{rec("a", "1", 0.50, 0.30), rec("b", "1", 0.40, 0.30)}
	tests := []struct {
		name    string
		current []bench.Record
		wantErr string
	}{
		{"identical", []bench.Record{rec("a", "1", 0.50, 0.30), rec("b", "1", 0.40, 0.30)}, ""},
		{"within-tolerance-and-better", []bench.Record{rec("a", "1", 0.495, 0.34), rec("b", "1", 0.60, 0.10)}, ""},
		{"regression", []bench.Record{rec("a", "1", 0.48, 0.30), rec("b", "1", 0.40, 0.30)},
			"NextItem/model=a/dataset=d seed=1 MRR: 0.5000 → 0.4800"},
		{"lower-is-better", []bench.Record{rec("a", "1", 0.50, 0.36), rec("b", "1", 0.40, 0.30)}, "logloss: 0.3000 → 0.3600"},
		{"missing", []bench.Record{rec("a", "1", 0.50, 0.30)}, "model=b/dataset=d seed=1: missing from this run"},
		{"new", []bench.Record{rec("a", "1", 0.50, 0.30), rec("b", "1", 0.40, 0.30), rec("c", "1", 0.1, 0.1)}, "model=c/dataset=d seed=1: not in the baseline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := pipeline.CompareRecords(base, tt.current, tol, &out)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v\n%s", err, out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q\n%s", err, tt.wantErr, out.String())
			}
			if !strings.Contains(out.String(), "REGRESSION") && !strings.Contains(out.String(), "MISSING") && !strings.Contains(out.String(), "NEW") {
				t.Errorf("table does not flag the problem:\n%s", out.String())
			}
		})
	}
}
