package generator

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Phases of a load, as Progress.Phase names them.
const (
	PhaseSimulating = "simulating" // playing the contacts' histories to number the rows by time
	PhaseSorting    = "sorting"    // playing them again, writing sorted runs of rows to temporary files
	PhaseLoading    = "loading"    // copying the rows into the store, merging the runs
	// PhaseSummarising is the wait at the end of a table's COPY while the
	// store's statement triggers bring its summaries up to date with the
	// rows just copied (Table names it); loading resumes with the next table.
	PhaseSummarising = "summarising"
	// PhaseAnalyzing is the wait before a table's COPY while the store
	// refreshes the statistics of what the load wrote so far, which that
	// table's triggers plan with (Table names the table about to be copied).
	PhaseAnalyzing = "analyzing"
	// PhaseVacuuming is the wait after the load's commit while the store
	// runs VACUUM (ANALYZE) on the loaded tables, the last step of a load
	// (Table says "the loaded tables").
	PhaseVacuuming = "vacuuming"
)

// Progress is how far a load is, for a progress line. Done and Total count
// contacts while simulating and sorting, and rows while loading, for the workspace being
// generated; Rows counts the rows loaded so far over all workspaces. Table is
// the table being copied or summarised.
type Progress struct {
	Workspace, Workspaces int
	Phase                 string
	Table                 string
	Done, Total           int64
	Rows                  int64
}

// progressEvery is how many contacts or rows pass between two reports: often
// enough for a line a second, rarely enough to cost nothing per row.
const progressEvery = 4096

// LoadWithProgress is Load that calls report now and then from the loading
// goroutine (report must return quickly); report does not change the data.
func LoadWithProgress(ctx context.Context, pool *pgxpool.Pool, cfg Config, report func(Progress)) (Stats, error) {
	return load(ctx, pool, cfg, report)
}

// tracker counts what a load has done and reports it every progressEvery steps.
type tracker struct {
	report func(Progress)
	p      Progress
}

// start begins a phase of the current workspace.
func (t *tracker) start(phase string, total int64) {
	if t == nil {
		return
	}
	t.p.Phase, t.p.Done, t.p.Total = phase, 0, total
	t.send()
}

// copying names the table whose rows the next steps load.
func (t *tracker) copying(table string) {
	if t == nil {
		return
	}
	t.p.Table = table
}

// summarising says that the current table's rows are all sent and its COPY
// waits for the summary triggers; resume ends the wait.
func (t *tracker) summarising() {
	if t == nil || t.p.Phase != PhaseLoading {
		return
	}
	t.p.Phase = PhaseSummarising
	t.send()
}

// analyzing says that the statistics are being refreshed before table is
// copied; resume ends the wait.
func (t *tracker) analyzing(table string) {
	if t == nil || t.p.Phase != PhaseLoading {
		return
	}
	t.p.Phase, t.p.Table = PhaseAnalyzing, table
	t.send()
}

// vacuuming says that the load is committed and VACUUM (ANALYZE) runs on
// the loaded tables; the load ends with it.
func (t *tracker) vacuuming() {
	if t == nil {
		return
	}
	t.p.Phase, t.p.Table = PhaseVacuuming, "the loaded tables"
	t.send()
}

// resume goes back to loading after a table's summaries are up to date, or
// the statistics before one.
func (t *tracker) resume() {
	if t == nil || (t.p.Phase != PhaseSummarising && t.p.Phase != PhaseAnalyzing) {
		return
	}
	t.p.Phase = PhaseLoading
	t.send()
}

// step records one contact simulated or one row loaded.
func (t *tracker) step() {
	if t == nil {
		return
	}
	t.p.Done++
	if t.p.Phase == PhaseLoading {
		t.p.Rows++
	}
	if t.p.Done%progressEvery == 0 {
		t.send()
	}
}

func (t *tracker) send() {
	if t != nil && t.report != nil {
		t.report(t.p)
	}
}

// loadGCPercent is the garbage collector's target for a process that loads.
// The load streams, so the live heap is one chunk of rows: Go's default
// target costs about 20 MiB more than 25% did (80 MiB of peak RSS instead
// of 61 at scale S) and saves a fifth of the generator's CPU (3.2 s instead
// of 4.0 s), which the simulation passes wait for.
const loadGCPercent = 100

// TuneGC sets the garbage collector for a command whose work is a load,
// unless GOGC says otherwise. Call it from main, never from a library.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(loadGCPercent)
	}
}
