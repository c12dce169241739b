package ctr

import (
	"testing"

	"github.com/tibench/tibench/datasets"
)

// TestCalendarIndex by hand: the rows are 1+hour, 25+weekday (Sunday 0), 32+month−1.
func TestCalendarIndex(t *testing.T) {
	for _, tc := range []struct {
		unix float64
		want [3]int32
	}{
		{0, [3]int32{1, 25 + 4, 32}},                          // 1970-01-01 00:00 UTC, a Thursday
		{1.7e9, [3]int32{1 + 22, 25 + 2, 32 + 10}},            // 2023-11-14 22:13:20 UTC, a Tuesday
		{1.7e9 + 0.9, [3]int32{1 + 22, 25 + 2, 32 + 10}},      // fractions of a second floor
		{-1, [3]int32{1 + 23, 25 + 3, 32 + 11}},               // 1969-12-31 23:59:59, a Wednesday
		{1e300, [3]int32{1, 25 + 4, 32}},                      // out of range: the epoch
		{951782400 + 86399, [3]int32{1 + 23, 25 + 2, 32 + 1}}, // 2000-02-29 23:59:59, a Tuesday
	} {
		if got := CalendarIndex(tc.unix); got != tc.want {
			t.Errorf("CalendarIndex(%v) = %v, want %v", tc.unix, got, tc.want)
		}
		for k, r := range CalendarIndex(tc.unix) {
			if r < 1 || r >= CalendarRows {
				t.Errorf("CalendarIndex(%v)[%d] = %d, outside 1..%d", tc.unix, k, r, CalendarRows-1)
			}
		}
	}
}

// TestBatchCalendar: behaviours get their own calendar rows (origin + time), padding row 0, the
// target its time's, repeated per step.
func TestBatchCalendar(t *testing.T) {
	d := &datasets.Dataset{Name: "cal", Users: []int32{0, 0, 0, 1, 1, 1}, Items: []int32{0, 1, 2, 0, 1, 3},
		Times: []float64{0, 3600, 7200, 86400, 90000, 93600}, TimeOrigin: 1.7e9, Labels: make([]uint8, 6),
		UserIDs: []string{"a", "b"}, ItemIDs: []string{"x", "y", "z", "w"}}
	cs, err := datasets.CTRSamples(d, datasets.CTRConfig{MinInteractions: 3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := cs.Test[0] // user a: history x (t 0), y (t 3600); target z at 7200
	v := cs.Val[0]  // user a: history x; target y at 3600
	b := NewBatcher(cs, nil).WithCalendar().Make([]datasets.CTRSample{s, v})
	if b.T != 2 || b.Len[0] != 2 || b.Len[1] != 1 {
		t.Fatalf("batch T %d, lens %v; want 2 and [2 1]", b.T, b.Len)
	}
	for k := range 3 {
		if got, want := b.HistCal[k][0], CalendarIndex(1.7e9)[k]; got != want {
			t.Errorf("behaviour 0 field %d: %d, want %d", k, got, want)
		}
		if got, want := b.HistCal[k][1], CalendarIndex(1.7e9 + 3600)[k]; got != want {
			t.Errorf("behaviour 1 field %d: %d, want %d", k, got, want)
		}
		tc := CalendarIndex(1.7e9 + 7200)[k]
		if b.TargetCal[k][0] != tc || b.TargetCalRep[k][0] != tc || b.TargetCalRep[k][1] != tc {
			t.Errorf("target field %d: %d, repeated %v, want %d", k, b.TargetCal[k][0], b.TargetCalRep[k][:2], tc)
		}
		if b.HistCal[k][3] != 0 {
			t.Errorf("padding row 3 field %d: %d, want 0", k, b.HistCal[k][3])
		}
		if got, want := b.TargetCal[k][1], CalendarIndex(1.7e9 + 3600)[k]; got != want {
			t.Errorf("second target field %d: %d, want %d", k, got, want)
		}
	}
	if b2 := NewBatcher(cs, nil).Make([]datasets.CTRSample{s}); b2.HistCal[0] != nil {
		t.Error("a batcher without calendar fills calendar rows")
	}
}
