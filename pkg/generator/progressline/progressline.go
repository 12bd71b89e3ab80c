// Package progressline prints a load's progress as one line a second: rows,
// rows per second and the time left. Commands that seed a store use it; the
// generator itself only reports numbers.
package progressline

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
)

// Every is how often the line is rewritten.
const Every = time.Second

// IsTerminal tells whether f is a terminal (a character device), so that a
// command shows progress to a person and stays quiet in logs and tests.
func IsTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// Line writes progress to out. On a terminal it rewrites one line in place;
// elsewhere (a -progress flag redirected to a file) it writes a line each time.
type Line struct {
	out      io.Writer
	terminal bool
	now      func() time.Time

	mu         sync.Mutex
	current    generator.Progress
	workspace  int
	phaseStart map[string]time.Time // first report of each phase in this workspace
	waitStart  time.Time            // start of the current wait (summarising, analyzing or vacuuming)
	last       time.Time
	written    bool
	// stopWait ends the ticking of a wait (nil: none).
	stopWait chan struct{}
}

// New is a Line on out; terminal chooses rewriting in place.
func New(out io.Writer, terminal bool) *Line {
	return &Line{out: out, terminal: terminal, now: time.Now}
}

// Report is a generator.LoadWithProgress callback: it prints at most one line
// per Every, and always at the start of a phase. A wait (summarising,
// analyzing or vacuuming), during which the load reports nothing, is shown
// once it has lasted Every and then every Every, with its length so far. The loading
// rate counts from the first row of the workspace, waits included, so its
// time left is that of the load and not only of the copying.
func (l *Line) Report(p generator.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if p.Workspace != l.workspace || l.phaseStart == nil {
		l.workspace, l.phaseStart = p.Workspace, map[string]time.Time{}
	}
	changed := p.Phase != l.current.Phase
	l.current = p
	if _, ok := l.phaseStart[p.Phase]; !ok {
		l.phaseStart[p.Phase] = now
	}
	if changed {
		l.stopWaiting()
	}
	if waiting(p.Phase) {
		if changed {
			l.waitStart = now
			l.startWaiting()
		}
		return
	}
	if !changed && now.Sub(l.last) < Every {
		return
	}
	l.last = now
	l.print(Format(p, now.Sub(l.phaseStart[p.Phase])))
}

// tick shows a wait's length so far; the ticker calls it.
func (l *Line) tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !waiting(l.current.Phase) {
		return
	}
	now := l.now()
	l.last = now
	l.print(Format(l.current, now.Sub(l.waitStart)))
}

// startWaiting ticks every Every until stopWaiting; l.mu is held.
func (l *Line) startWaiting() {
	l.stopWait = make(chan struct{})
	go func(stop <-chan struct{}) {
		ticker := time.NewTicker(Every)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				l.tick()
			case <-stop:
				return
			}
		}
	}(l.stopWait)
}

// stopWaiting ends the ticking of a wait, if any; l.mu is held.
func (l *Line) stopWaiting() {
	if l.stopWait != nil {
		close(l.stopWait)
		l.stopWait = nil
	}
}

// Done ends the progress line, so that what follows starts on a line of its own.
func (l *Line) Done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopWaiting()
	l.current.Phase = ""
	if l.terminal && l.written {
		_, _ = fmt.Fprint(l.out, "\r\x1b[K")
	}
	l.written = false
}

func (l *Line) print(text string) {
	if l.terminal {
		_, _ = fmt.Fprint(l.out, "\r\x1b[K"+text)
	} else {
		_, _ = fmt.Fprintln(l.out, text)
	}
	l.written = true
}

// waits are the phases in which the load reports nothing (the line shows
// the wait's length every second instead): what the line says the load is
// doing with the phase's table, and what it waits for.
var waits = map[string]struct{ doing, awaited string }{
	generator.PhaseSummarising: {"summarising", "the summaries"},
	generator.PhaseAnalyzing:   {"analyzing before", "the statistics"},
	generator.PhaseVacuuming:   {"vacuuming", "VACUUM (ANALYZE)"},
}

// waiting says whether a phase is one of the waits.
func waiting(phase string) bool {
	_, ok := waits[phase]
	return ok
}

// Format is the text of one progress report, elapsed into its phase (into
// the wait, when summarising, analyzing or vacuuming).
func Format(p generator.Progress, elapsed time.Duration) string {
	if w, ok := waits[p.Phase]; ok {
		return fmt.Sprintf("workspace %d/%d %s %s: %s of %s rows copied, waiting %s for %s",
			p.Workspace, p.Workspaces, w.doing, p.Table, thousands(p.Done), thousands(p.Total), elapsed.Round(time.Second), w.awaited)
	}
	unit := "rows"
	if p.Phase == generator.PhaseSimulating || p.Phase == generator.PhaseSorting {
		unit = "contacts"
	}
	text := fmt.Sprintf("workspace %d/%d %s: %s of %s %s", p.Workspace, p.Workspaces, p.Phase, thousands(p.Done), thousands(p.Total), unit)
	if elapsed < 100*time.Millisecond || p.Done == 0 {
		return text
	}
	rate := float64(p.Done) / elapsed.Seconds()
	left := time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second)).Round(time.Second)
	return fmt.Sprintf("%s, %s %s/s, %s left", text, thousands(int64(rate)), unit, left)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
