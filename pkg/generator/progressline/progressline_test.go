package progressline

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
)

func TestFormatSaysRowsRateAndTimeLeft(t *testing.T) {
	p := generator.Progress{Workspace: 1, Workspaces: 2, Phase: generator.PhaseLoading, Done: 1_200_000, Total: 1_800_000}
	assert.Equal(t, "workspace 1/2 loading: 1,200,000 of 1,800,000 rows, 200,000 rows/s, 3s left", Format(p, 6*time.Second))
	p.Phase, p.Done, p.Total = generator.PhaseSimulating, 0, 57_000
	assert.Equal(t, "workspace 1/2 simulating: 0 of 57,000 contacts", Format(p, 0), "no rate before anything is done")
	// Sorting plays the contacts again: 19,000 in 2 s leave 38,000 at 9,500 a second.
	p.Phase, p.Done = generator.PhaseSorting, 19_000
	assert.Equal(t, "workspace 1/2 sorting: 19,000 of 57,000 contacts, 9,500 contacts/s, 4s left", Format(p, 2*time.Second))
}

func TestLinePrintsAtMostOnceASecondAndAtEachPhase(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	line := New(&out, false)
	line.now = func() time.Time { return clock }
	p := generator.Progress{Workspace: 1, Workspaces: 1, Phase: generator.PhaseSimulating, Total: 10}
	line.Report(p)
	p.Done = 5
	line.Report(p) // same instant: skipped
	clock = clock.Add(Every)
	line.Report(p)
	p.Phase, p.Done, p.Total = generator.PhaseLoading, 0, 100
	line.Report(p) // a new phase prints at once
	line.Done()
	assert.Equal(t, "workspace 1/1 simulating: 0 of 10 contacts\n"+
		"workspace 1/1 simulating: 5 of 10 contacts, 5 contacts/s, 1s left\n"+
		"workspace 1/1 loading: 0 of 100 rows\n", out.String())
}

// While a table's summaries are brought up to date the load reports nothing:
// the line says so every second, with the wait's length, and the loading
// rate afterwards counts the wait.
func TestLineShowsTheSummarisingWait(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	line := New(&out, false)
	line.now = func() time.Time { return clock }
	p := generator.Progress{Workspace: 1, Workspaces: 1, Phase: generator.PhaseLoading, Table: "messages", Total: 300}
	line.Report(p)
	clock = clock.Add(2 * time.Second)
	p.Done = 200
	line.Report(p)
	p.Phase = generator.PhaseSummarising
	line.Report(p) // not shown before it has lasted a tick
	clock = clock.Add(Every)
	line.tick()
	clock = clock.Add(Every)
	line.tick()
	p.Phase, p.Table = generator.PhaseLoading, "flow_triggers"
	line.Report(p)
	line.tick() // the wait is over: nothing
	line.Done()
	assert.Equal(t, "workspace 1/1 loading: 0 of 300 rows\n"+
		"workspace 1/1 loading: 200 of 300 rows, 100 rows/s, 1s left\n"+
		"workspace 1/1 summarising messages: 200 of 300 rows copied, waiting 1s for the summaries\n"+
		"workspace 1/1 summarising messages: 200 of 300 rows copied, waiting 2s for the summaries\n"+
		"workspace 1/1 loading: 200 of 300 rows, 50 rows/s, 2s left\n", out.String())
}

// The statistics' refresh before a table is a wait shown the same way,
// naming the table about to be copied.
func TestLineShowsTheAnalyzingWait(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	line := New(&out, false)
	line.now = func() time.Time { return clock }
	p := generator.Progress{Workspace: 1, Workspaces: 2, Phase: generator.PhaseLoading, Table: "messages", Total: 3000, Done: 2000}
	line.Report(p)
	p.Phase, p.Table = generator.PhaseAnalyzing, "assignments"
	line.Report(p)
	clock = clock.Add(Every)
	line.tick()
	clock = clock.Add(2 * Every)
	line.tick()
	p.Phase = generator.PhaseLoading
	line.Report(p)
	line.tick()
	line.Done()
	assert.Equal(t, "workspace 1/2 loading: 2,000 of 3,000 rows\n"+
		"workspace 1/2 analyzing before assignments: 2,000 of 3,000 rows copied, waiting 1s for the statistics\n"+
		"workspace 1/2 analyzing before assignments: 2,000 of 3,000 rows copied, waiting 3s for the statistics\n"+
		// 2,000 rows in the workspace's 3 s, waits included: 666.7, shown truncated.
		"workspace 1/2 loading: 2,000 of 3,000 rows, 666 rows/s, 2s left\n", out.String())
}

// The VACUUM (ANALYZE) after the load's commit is the last wait, shown the
// same way until the line is done.
func TestLineShowsTheVacuumingWait(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	line := New(&out, false)
	line.now = func() time.Time { return clock }
	p := generator.Progress{Workspace: 2, Workspaces: 2, Phase: generator.PhaseLoading, Table: "ai_assist_uses", Total: 3000, Done: 3000}
	line.Report(p)
	p.Phase, p.Table = generator.PhaseVacuuming, "the loaded tables"
	line.Report(p)
	clock = clock.Add(Every)
	line.tick()
	clock = clock.Add(4 * Every)
	line.tick()
	line.Done()
	line.tick()
	assert.Equal(t, "workspace 2/2 loading: 3,000 of 3,000 rows\n"+
		"workspace 2/2 vacuuming the loaded tables: 3,000 of 3,000 rows copied, waiting 1s for VACUUM (ANALYZE)\n"+
		"workspace 2/2 vacuuming the loaded tables: 3,000 of 3,000 rows copied, waiting 5s for VACUUM (ANALYZE)\n", out.String())
}

// The ticker of a wait stops with Done: a wait that outlives the load prints
// nothing more.
func TestLineStopsTickingWhenDone(t *testing.T) {
	var out bytes.Buffer
	line := New(&out, false)
	line.Report(generator.Progress{Workspace: 1, Workspaces: 1, Phase: generator.PhaseSummarising, Table: "messages"})
	line.Done()
	assert.Nil(t, line.stopWait)
	line.tick()
	assert.Empty(t, out.String())
}
