package ctrtest

import (
	"context"
	"math"
	"testing"

	"github.com/tibench/tibench/baselines/internal/ctr"
	"github.com/tibench/tibench/datasets"
	"github.com/tibench/tibench/internal/ag"
)

// Correlation trains spec one epoch on Data and checks its learned correlation (TIN eq. 4) on 30
// test samples against want, an independent computation from the trained tables: want(m, s, j)
// is the value of behaviour j (oldest first) of sample s.
func Correlation(t *testing.T, spec ctr.Spec, params string, want func(m *ctr.Model, d *datasets.CTRSplit, s datasets.CTRSample, j int) float64) {
	t.Helper()
	d := Data(t)
	m := New(t, spec, params)
	Train(t, m, d, 1, 1)
	samples := d.CTR.Test[:30]
	cor, err := m.LearnedCorrelation(context.Background(), d, samples)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range samples {
		if len(cor[i]) != len(s.History) {
			t.Fatalf("sample %d: %d values for %d behaviours", i, len(cor[i]), len(s.History))
		}
		for j, got := range cor[i] {
			w := want(m, d.CTR, s, j)
			if !(got > 0) || math.IsInf(got, 0) || math.Abs(got-w) > 1e-4*math.Max(1, math.Abs(w)) {
				t.Fatalf("%s: sample %d behaviour %d: correlation %v, want %v", spec.Name, i, j, got, w)
			}
		}
	}
}

// Row returns row r of a table as float64s.
func Row(tab *ag.Tensor, r int) []float64 {
	out := make([]float64, tab.Cols())
	for j := range out {
		out[j] = tab.At(r, j)
	}
	return out
}

// ItemCat is [item row ‖ category row] of item it in the embedding tables (category 0 without
// categories, as the batcher lays it out).
func ItemCat(e *ctr.Embeddings, d *datasets.CTRSplit, it int32) []float64 {
	c := int32(0)
	if d.Categories != nil {
		c = d.Categories[it]
	}
	return append(Row(e.Items.Table, int(it)), Row(e.Categories.Table, int(c))...)
}

// Add, Mul, Dot and Norm are float64 vector helpers for the expected values.
func Add(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

func Mul(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] * b[i]
	}
	return out
}

func Dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func Norm(a []float64) float64 { return math.Sqrt(Dot(a, a)) }
