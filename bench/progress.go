package bench

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// NewProgress returns a progress reporter for total interactions: a progress bar when w is a
// terminal, otherwise a plain line at most every interval (and one at the end), so CI logs stay short.
func NewProgress(w io.Writer, desc string, total int, interval time.Duration) ProgressReporter {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{bar: progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("it"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)}
	}
	return &lineProgress{w: w, desc: desc, total: total, interval: interval, start: time.Now(), last: time.Now()}
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (p *barProgress) Advance(n int) { _ = p.bar.Add(n) }
func (p *barProgress) Finish()       { _ = p.bar.Finish() }

// lineProgress prints "desc: 45% (12000/26000) 1234 it/s" lines, throttled.
type lineProgress struct {
	w           io.Writer
	desc        string
	total, done int
	interval    time.Duration
	start, last time.Time
}

func (p *lineProgress) Advance(n int) {
	p.done += n
	if now := time.Now(); p.interval > 0 && now.Sub(p.last) >= p.interval {
		p.last = now
		p.line(now)
	}
}

func (p *lineProgress) Finish() {}

func (p *lineProgress) line(now time.Time) {
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	rate := float64(p.done) / now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "%s: %.0f%% (%d/%d) %.0f it/s\n", p.desc, pct, p.done, p.total, rate)
}
