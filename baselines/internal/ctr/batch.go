package ctr

import (
	"math"
	"slices"
	"time"

	"github.com/tibench/tibench/datasets"
)

// Batch is a set of CTR samples laid out for the tape: B samples, histories padded to T, the
// length of the longest history in the batch (step t of sample b is row b·T+t; histories are
// left-aligned, oldest first), and the same behaviours packed, without padding (Packed).
type Batch struct {
	B, T int
	// Slots are the per-behaviour arrays in the padded layout (B·T each; 0 on padding).
	Slots
	Mask      []float32 // B·T: 1 for a behaviour, 0 for padding
	Len       []int     // B history lengths
	Target    []int32   // B target items
	TargetCat []int32   // B target categories
	Label     []float32 // B click labels
	// With a calendar: the calendar-table rows of each target's time (B); nil otherwise.
	TargetCal [3][]int32

	// The packed layout: the behaviours only, sample after sample — behaviour t of sample b is row
	// Off[b]+t of N = Off[B] — for the ragged-sequence ops (ag.Tape.SegDot, SegSoftmax,
	// SegWeightedSum), on which padding costs nothing.
	N       int
	Off     []int32 // B+1 offsets
	Packed  Slots
	padRows []int32 // the padded row of each packed row
}

// Slots holds one value per behaviour slot of a batch, in its padded (Batch.Slots) or packed
// (Batch.Packed) layout.
type Slots struct {
	Hist     []int32   // behaviour items; 0 on padding
	HistCat  []int32   // behaviour categories; 0 on padding
	RelPos   []int32   // target-relative positions (most recent 1); 0 on padding
	ChronPos []int32   // positions from the oldest behaviour (1); 0 on padding
	TimeBin  []int32   // bins of the time to the target (1..bins); 0 on padding; nil without time edges
	Time     []float64 // behaviour times (the data's seconds); 0 on padding
	Sample   []int32   // the sample b of each slot
	// TargetRep and TargetCatRep repeat each sample's target at every slot, to pair every
	// behaviour with its target in element-wise products.
	TargetRep, TargetCatRep []int32
	// With a calendar (Batcher.WithCalendar): the rows of the calendar table (CalendarIndex) of each
	// behaviour's hour, weekday and month (0 on padding) and of its target's; nil otherwise.
	HistCal, TargetCalRep [3][]int32
}

// PadRows returns the padded row (b·T+t) of every packed row (read-only).
func (b *Batch) PadRows() []int32 { return b.padRows }

// Repack lays out the packed behaviours (N, Off, Packed) from the padded ones and Len, for a batch
// built by hand (Batcher.Make lays out both). Padded arrays that are nil stay nil when packed.
func (b *Batch) Repack() {
	b.N, b.Off, b.padRows = 0, []int32{0}, nil
	for s, L := range b.Len {
		for t := range L {
			b.padRows = append(b.padRows, int32(s*b.T+t))
		}
		b.N += L
		b.Off = append(b.Off, int32(b.N))
	}
	pick := func(v []int32) []int32 {
		if v == nil {
			return nil
		}
		out := make([]int32, b.N)
		for i, r := range b.padRows {
			out[i] = v[r]
		}
		return out
	}
	p, u := &b.Packed, &b.Slots
	p.Hist, p.HistCat, p.RelPos, p.ChronPos, p.TimeBin = pick(u.Hist), pick(u.HistCat), pick(u.RelPos), pick(u.ChronPos), pick(u.TimeBin)
	p.Sample, p.TargetRep, p.TargetCatRep = pick(u.Sample), pick(u.TargetRep), pick(u.TargetCatRep)
	for k := range 3 {
		p.HistCal[k], p.TargetCalRep[k] = pick(u.HistCal[k]), pick(u.TargetCalRep[k])
	}
	p.Time = nil
	if u.Time != nil {
		p.Time = make([]float64, b.N)
		for i, r := range b.padRows {
			p.Time[i] = u.Time[r]
		}
	}
}

// CalendarRows is the size of the calendar table: row 0 for padding, then 24 hours, 7 weekdays and
// 12 months.
const CalendarRows = 1 + 24 + 7 + 12

// CalendarIndex returns the calendar-table rows of the hour, the weekday and the month of an
// absolute time read as Unix seconds in UTC (TIN's timestamp encoding). Times beyond ±2^62 s
// read as the epoch.
func CalendarIndex(unix float64) [3]int32 {
	sec := int64(0)
	if math.Abs(unix) < 1<<62 {
		sec = int64(math.Floor(unix))
	}
	t := time.Unix(sec, 0).UTC()
	return [3]int32{1 + int32(t.Hour()), 25 + int32(t.Weekday()), 32 + int32(t.Month()) - 1}
}

// Batcher builds batches from one CTRSplit, reusing its buffers.
type Batcher struct {
	split    *datasets.CTRSplit
	edges    []float64 // ascending inner edges of the time bins; nil = no time bins
	calendar bool      // fill the calendar rows
	b        Batch
}

// WithCalendar makes the batches carry calendar rows (Batch.HistCal and the target's).
func (bt *Batcher) WithCalendar() *Batcher { bt.calendar = true; return bt }

// NewBatcher builds batches of split's samples; edges are TimeEdges (nil without TTE-T).
func NewBatcher(split *datasets.CTRSplit, edges []float64) *Batcher {
	return &Batcher{split: split, edges: edges}
}

func (bt *Batcher) category(item int32) int32 {
	if bt.split.Categories == nil {
		return 0
	}
	return bt.split.Categories[item]
}

// Make lays out samples (valid until the next call).
func (bt *Batcher) Make(samples []datasets.CTRSample) *Batch {
	b := &bt.b
	B, T := len(samples), 1
	N := 0
	for _, s := range samples {
		T = max(T, len(s.History))
		N += len(s.History)
	}
	b.B, b.T, b.N = B, T, N
	b.Slots.resize(B*T, bt.edges != nil)
	b.Packed.resize(N, bt.edges != nil)
	b.Mask = resize(b.Mask, B*T)
	b.Len = resize(b.Len, B)
	b.Off = resize(b.Off, B+1)
	b.padRows = resize(b.padRows, N)
	b.Target, b.TargetCat, b.Label = resize(b.Target, B), resize(b.TargetCat, B), resize(b.Label, B)
	ps, n := &b.Packed, 0
	for i, s := range samples {
		L := len(s.History)
		b.Len[i], b.Off[i] = L, int32(n)
		b.Target[i], b.TargetCat[i], b.Label[i] = s.Target, bt.category(s.Target), float32(s.Label)
		times := bt.split.HistoryTimes(s)
		for t := range T {
			r := i*T + t
			b.TargetRep[r], b.TargetCatRep[r], b.Sample[r] = s.Target, b.TargetCat[i], int32(i)
			if t >= L {
				b.Hist[r], b.HistCat[r], b.Mask[r], b.RelPos[r], b.ChronPos[r], b.Time[r] = 0, 0, 0, 0, 0, 0
				if b.TimeBin != nil {
					b.TimeBin[r] = 0
				}
				continue
			}
			it := s.History[t]
			b.Hist[r], b.HistCat[r], b.Mask[r] = it, bt.category(it), 1
			b.RelPos[r], b.ChronPos[r], b.Time[r] = int32(L-t), int32(t+1), times[t]
			if b.TimeBin != nil {
				b.TimeBin[r] = TimeBin(bt.edges, s.Time-times[t])
			}
			// The packed slot: the same values.
			ps.Hist[n], ps.HistCat[n], ps.RelPos[n], ps.ChronPos[n], ps.Time[n] = it, b.HistCat[r], b.RelPos[r], b.ChronPos[r], times[t]
			ps.TargetRep[n], ps.TargetCatRep[n], ps.Sample[n] = s.Target, b.TargetCat[i], int32(i)
			if ps.TimeBin != nil {
				ps.TimeBin[n] = b.TimeBin[r]
			}
			b.padRows[n] = int32(r)
			n++
		}
	}
	b.Off[B] = int32(n)
	if bt.calendar {
		bt.fillCalendar(samples)
	} else {
		b.HistCal, b.TargetCal, b.TargetCalRep = [3][]int32{}, [3][]int32{}, [3][]int32{}
		ps.HistCal, ps.TargetCalRep = [3][]int32{}, [3][]int32{}
	}
	return b
}

// resize sizes the slot arrays for n slots (TimeBin only with time bins).
func (s *Slots) resize(n int, timeBins bool) {
	s.Hist, s.HistCat = resize(s.Hist, n), resize(s.HistCat, n)
	s.RelPos, s.ChronPos = resize(s.RelPos, n), resize(s.ChronPos, n)
	s.TargetRep, s.TargetCatRep = resize(s.TargetRep, n), resize(s.TargetCatRep, n)
	s.Time, s.Sample = resize(s.Time, n), resize(s.Sample, n)
	if timeBins {
		s.TimeBin = resize(s.TimeBin, n)
	} else {
		s.TimeBin = nil
	}
}

// fillCalendar lays out the calendar rows of the batch just made from samples.
func (bt *Batcher) fillCalendar(samples []datasets.CTRSample) {
	b, ps := &bt.b, &bt.b.Packed
	origin := bt.split.TimeOrigin
	for k := range 3 {
		b.HistCal[k], b.TargetCalRep[k] = resize(b.HistCal[k], b.B*b.T), resize(b.TargetCalRep[k], b.B*b.T)
		ps.HistCal[k], ps.TargetCalRep[k] = resize(ps.HistCal[k], b.N), resize(ps.TargetCalRep[k], b.N)
		b.TargetCal[k] = resize(b.TargetCal[k], b.B)
	}
	n := 0
	for i, s := range samples {
		tc := CalendarIndex(origin + s.Time)
		times := bt.split.HistoryTimes(s)
		for k := range 3 {
			b.TargetCal[k][i] = tc[k]
		}
		for t := range b.T {
			r := i*b.T + t
			hc := [3]int32{}
			if t < len(s.History) {
				hc = CalendarIndex(origin + times[t])
			}
			for k := range 3 {
				b.HistCal[k][r], b.TargetCalRep[k][r] = hc[k], tc[k]
			}
			if t < len(s.History) {
				for k := range 3 {
					ps.HistCal[k][n], ps.TargetCalRep[k][n] = hc[k], tc[k]
				}
				n++
			}
		}
	}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// TimeEdges returns the bins-1 inner edges of equal-frequency bins of the time from a behaviour to
// its target, over every behaviour of the positive training samples (TIN's TTE-T); nil when there
// are none. Equal values may make edges coincide: the bins between them stay empty.
func TimeEdges(split *datasets.CTRSplit, bins int) []float64 {
	var gaps []float64
	for _, s := range split.Train {
		if s.Label != 1 {
			continue
		}
		for _, t := range split.HistoryTimes(s) {
			gaps = append(gaps, s.Time-t)
		}
	}
	if len(gaps) == 0 || bins < 2 {
		return []float64{}
	}
	slices.Sort(gaps)
	edges := make([]float64, bins-1)
	for k := range edges {
		edges[k] = gaps[(k+1)*len(gaps)/bins]
	}
	return edges
}

// TimeBin is the bin (1..len(edges)+1) of a gap: 1 + the number of edges at or below it.
func TimeBin(edges []float64, gap float64) int32 {
	n, _ := slices.BinarySearchFunc(edges, gap, func(e, g float64) int {
		if e <= g {
			return -1
		}
		return 1
	})
	return int32(n + 1)
}
