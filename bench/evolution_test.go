package bench_test

import (
	"strings"
	"testing"

	"github.com/tibench/tibench/bench"
	"github.com/tibench/tibench/bench/monitor"
)

// TestEvolutionRecords: a monitor with hand-built trajectories (threshold 0.05) gives records whose
// names and values are computed by hand:
//   - user 0: 5 interactions, sizes 0.5, 0.2, 0.01, 0.01 → matured after 3 (popularity 4–7);
//   - user 1: 3 interactions, sizes 0.01, 0.01 → matured after 1 (popularity 2–3);
//   - user 2: 3 interactions, sizes 0.01, 0.3 → not matured (popularity 2–3).
//
// Bucket 2–3 then has 2 entities, matured 0.5, maturity median 1, matured-by-1 0.5, -2 0.5, -4 0.5.
func TestEvolutionRecords(t *testing.T) {
	m, err := monitor.New(monitor.Config{Sample: 10, Threshold: 0.05, Seed: 1}, 3, 2, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	walk := func(id int32, steps ...float64) {
		x := 1.0
		m.Observe(monitor.Users, id, []float32{1, 0})
		for _, s := range steps {
			x *= 1 + s
			m.Observe(monitor.Users, id, []float32{float32(x), 0})
		}
	}
	walk(0, 0.5, 0.2, 0.01, 0.01)
	walk(1, 0.01, 0.01)
	walk(2, 0.01, 0.3)
	p := &bench.PlannedRun{Experiment: "evolution", Model: "m", Dataset: "d"}
	p.Config = &bench.Config{}
	recs := bench.EvolutionRecords(m, p, 1, data(t), "cpu/test", nil)
	got := map[string]map[string]float64{}
	for _, r := range recs {
		var parts []string
		for _, kv := range r.Name {
			parts = append(parts, kv.Key+"="+kv.Value)
		}
		vals := map[string]float64{}
		for _, v := range r.Values {
			vals[v.Unit] = v.Value
		}
		got[r.Bench+"/"+strings.Join(parts, "/")] = vals
	}
	mat := got["Maturity/model=m/dataset=d/side=users/pop=2-3"]
	for unit, want := range map[string]float64{"entities": 2, "matured": 0.5, "maturity-median": 1,
		"matured-by-1": 0.5, "matured-by-2": 0.5, "matured-by-4": 0.5} {
		if v, ok := mat[unit]; !ok || v != want {
			t.Errorf("Maturity pop=2-3 %s = %v (present %v), want %v", unit, v, ok, want)
		}
	}
	if v := got["Maturity/model=m/dataset=d/side=users/pop=4-7"]["maturity-median"]; v != 3 {
		t.Errorf("Maturity pop=4-7 median %v, want 3", v)
	}
	if v := got["Evolution/model=m/dataset=d/side=users/k=2"]["updates"]; v != 3 {
		t.Errorf("Evolution k=2: %v updates, want 3 (one per user)", v)
	}
	if v := got["Norms/model=m/dataset=d/side=users/pop=2-3"]["entities"]; v != 2 {
		t.Errorf("Norms pop=2-3: %v entities, want 2", v)
	}
	for k := range got {
		if strings.Contains(k, "side=items") {
			t.Errorf("record %s for a side with no updates", k)
		}
	}
}
