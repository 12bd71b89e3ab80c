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
	phase      string
	workspace  int
	phaseStart time.Time
	last       time.Time
	written    bool
}

// New is a Line on out; terminal chooses rewriting in place.
func New(out io.Writer, terminal bool) *Line {
	return &Line{out: out, terminal: terminal, now: time.Now}
}

// Report is a generator.LoadWithProgress callback: it prints at most one line
// per Every, and always at the start of a phase.
func (l *Line) Report(p generator.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if p.Phase != l.phase || p.Workspace != l.workspace {
		l.phase, l.workspace, l.phaseStart = p.Phase, p.Workspace, now
	} else if now.Sub(l.last) < Every {
		return
	}
	l.last = now
	l.print(Format(p, now.Sub(l.phaseStart)))
}

// Done ends the progress line, so that what follows starts on a line of its own.
func (l *Line) Done() {
	l.mu.Lock()
	defer l.mu.Unlock()
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

// Format is the text of one progress report, elapsed into its phase.
func Format(p generator.Progress, elapsed time.Duration) string {
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
