package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/dashboards/replay"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// TestMain also plays the burst's own process, which the command starts from
// its executable: under go test, this test binary.
func TestMain(m *testing.M) {
	if os.Getenv(burstProcessEnv) == "1" {
		if err := runBurstProcess(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	storetest.Main(m)
}

// On a tiny store, every panel target of every shipped dashboard becomes a
// query that resolves and answers, and so does every heavy metric and every
// hand-written statement; a second run with -reuse keeps the data. Times are
// printed, never checked.
func TestEveryPanelQueryRuns(t *testing.T) {
	url := storetest.URL(t)
	args := []string{"-database-url", url, "-scale", "tiny", "-warmup", "0", "-runs", "1", "-concurrency", "5",
		"-ranges", "24h,7d", "-zones", "UTC,Asia/Kathmandu", "-dashboards", "../../../dashboards", "-json", "-progress=false"}
	var out, log bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &log), log.String())
	var report Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &report))

	targets, dashboards := 0, 0
	paths, err := filepath.Glob("../../../dashboards/*.json")
	require.NoError(t, err)
	for _, path := range paths {
		d, _, err := replay.Read(path)
		require.NoError(t, err)
		dashboards++
		for _, p := range replay.Flatten(d.Panels) {
			targets += len(p.Targets)
		}
		targets += len(d.Annotations.List)
	}
	assert.Len(t, report.Queries, targets+len(heavy)*2*2+len(usage), "every target and annotation, each heavy metric per range and zone, and the usage queries")
	hand := 0
	usageHand := map[string]bool{}
	for _, q := range report.Queries {
		assert.Empty(t, q.Error, "%s: %s", q.Group, q.Name)
		if q.Hand > 0 {
			hand++
		}
		if q.Group == "usage" {
			assert.Equal(t, "90d", q.Range, q.Name)
			usageHand[q.Name] = q.Hand > 0
		}
	}
	for _, u := range usage {
		assert.Equal(t, u.hand != "", usageHand[u.name], "the usage query %q is compared with its own hand-written SQL when it has one", u.name)
	}
	assert.Positive(t, hand, "hand-written statements ran")
	for metric := range handWritten {
		used := false
		for _, q := range report.Queries {
			used = used || (q.Metric == metric && q.Hand > 0)
		}
		assert.True(t, used, "the hand-written SQL of %s runs for a panel or a heavy metric", metric)
	}
	assert.Len(t, report.Dashboards, dashboards)
	require.NotNil(t, report.Burst)
	assert.Zero(t, report.Burst.Failed)
	assert.Equal(t, 5, report.Burst.Queries, "the burst's own process sent -concurrency requests")
	assert.Positive(t, report.Burst.PeakRSSKiB, "the burst's process read its own memory")
	assert.NotEqual(t, os.Getpid(), report.Burst.PID, "the burst ran in a process of its own")
	assert.Positive(t, report.RowsLoaded)
	require.NotNil(t, report.Server, "the server's settings come with the timings")
	assert.Regexp(t, `^1[5-9]`, report.Server.Version, "the store needs PostgreSQL 15 or later")
	assert.NotEmpty(t, report.Server.SharedBuffers)
	assert.Contains(t, []string{"try", "on", "off"}, report.Server.HugePages)
	assert.Positive(t, report.Server.HugePagesNeeded, "PostgreSQL 15 says how many huge pages its shared memory takes")
	assert.Equal(t, -1, report.Server.HugePagesReserved, "a server given by URL need not run on this machine")

	out.Reset()
	log.Reset()
	require.NoError(t, run(context.Background(), append(args, "-reuse", "-only", "heavy"), &out, &log))
	assert.Contains(t, log.String(), "reusing the store's 300 contacts")

	// -match narrows the queries timed; -cpuprofile profiles them.
	out.Reset()
	profile := filepath.Join(t.TempDir(), "cpu.prof")
	require.NoError(t, run(context.Background(), append(args, "-reuse", "-only", "heavy", "-match", "^heavy: returning users", "-cpuprofile", profile), &out, &log))
	report = Report{}
	require.NoError(t, json.Unmarshal(out.Bytes(), &report))
	require.Len(t, report.Queries, 2*2, "the returning users over two ranges and two zones")
	for _, q := range report.Queries {
		assert.Equal(t, "returning_users", q.Metric, q.Name)
	}
	// A pprof profile is a gzipped protocol buffer.
	f, err := os.Open(profile)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	unzipped, err := gzip.NewReader(f)
	require.NoError(t, err, "the profile is gzipped")
	raw, err := io.ReadAll(unzipped)
	require.NoError(t, err)
	assert.NotEmpty(t, raw, "the profile holds its samples' description")

	// A plan is written with its timings and statement.
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	defer pool.Close()
	dir := t.TempDir()
	c := benchCase{group: "heavy", name: "active users, last 7d, UTC"}
	r := Result{Metric: "active_users", Kind: "totals", Range: "7d", P50: 61, P95: 70}
	require.NoError(t, writePlan(context.Background(), dir, &env{direct: pool}, c, r,
		"SELECT count(DISTINCT contact_id) FROM messages WHERE workspace_id = $1", []any{1}))
	written, err := os.ReadFile(filepath.Join(dir, "heavy-active-users-last-7d-utc-7d.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(written), "heavy: active users, last 7d, UTC (active_users, totals)\np50 61.0 ms, p95 70.0 ms")
	assert.Contains(t, string(written), "Aggregate")
	assert.Contains(t, string(written), "Buffers: shared hit=")
}

// The server's line says how its shared memory is mapped, and what of it is
// known.
func TestServerFactsDescribeTheSharedMemory(t *testing.T) {
	f := ServerFacts{Version: "15.18", SharedBuffers: "128MB", HugePages: "try", HugePagesNeeded: 74, HugePagesReserved: 200}
	assert.Equal(t, "PostgreSQL 15.18, shared_buffers 128MB, huge_pages try (its shared memory takes 74 huge pages; the system reserves 200).", f.describe())
	f.HugePagesReserved = -1
	assert.Equal(t, "PostgreSQL 15.18, shared_buffers 128MB, huge_pages try (its shared memory takes 74 huge pages).", f.describe())
	f.HugePagesNeeded = 0
	assert.Equal(t, "PostgreSQL 15.18, shared_buffers 128MB, huge_pages try.", f.describe())
}

// A /proc field is read with or without its unit, and a missing one is 0.
func TestProcField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meminfo")
	require.NoError(t, os.WriteFile(path, []byte("MemTotal:       24589420 kB\nHugePages_Total:     200\nHugePages_Free:      126\n"), 0o600))
	assert.Equal(t, int64(24589420), procField(path, "MemTotal"))
	assert.Equal(t, int64(200), procField(path, "HugePages_Total"))
	assert.Equal(t, int64(126), procField(path, "HugePages_Free"))
	assert.Zero(t, procField(path, "HugePages_Rsvd"))
	assert.Zero(t, procField(filepath.Join(t.TempDir(), "missing"), "MemTotal"))
}

// Additive metrics have the tighter target.
func TestTargets(t *testing.T) {
	for metric, want := range map[string]float64{"messages_received": 20, "new_users": 20, "active_users": 50,
		"wait_time_p90": 50, "messages_per_conversation": 50} {
		m, ok := catalog.Lookup(metric)
		require.True(t, ok, metric)
		assert.Equal(t, want, target(catalog.Plan{Metric: m, Kind: models.KindTotals}), metric)
	}
	m, _ := catalog.Lookup("messages_received")
	assert.Equal(t, 50.0, target(catalog.Plan{Metric: m, Kind: models.KindSnapshot}))
}

func TestMacrosExpandAsGrafanaExpandsThem(t *testing.T) {
	from := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2022, 3, 8, 0, 0, 0, 0, time.UTC)
	assert.Equal(t,
		`SELECT floor(extract(epoch from created_at)/86400)*86400 AS "time", count(*) FROM messages `+
			`WHERE created_at BETWEEN '2022-03-01T00:00:00Z' AND '2022-03-08T00:00:00Z' AND x < '2022-03-01T00:00:00Z' `+
			`GROUP BY floor(extract(epoch from created_at)/86400)*86400`,
		expandMacros(`SELECT $__timeGroupAlias(created_at, $__interval), count(*) FROM messages `+
			`WHERE $__timeFilter(created_at) AND x < $__timeFrom() GROUP BY $__timeGroup(created_at, $__interval)`, from, to, 24*time.Hour))
}

// TestWithoutHandWrittenSQL times the heavy metrics alone: every one
// answers, and no hand-written statement runs.
func TestWithoutHandWrittenSQL(t *testing.T) {
	args := []string{"-database-url", storetest.URL(t), "-scale", "tiny", "-warmup", "0", "-runs", "1",
		"-only", "heavy", "-ranges", "24h", "-zones", "UTC", "-hand=false", "-dashboards", "../../../dashboards", "-json", "-progress=false"}
	var out, log bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, &log), log.String())
	var report Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &report))
	require.Len(t, report.Queries, len(heavy))
	for _, q := range report.Queries {
		assert.Empty(t, q.Error, q.Name)
		assert.Positive(t, q.P50, q.Name)
		assert.Zero(t, q.Hand, "%s: no hand-written SQL with -hand=false", q.Name)
		assert.Zero(t, q.Ratio, q.Name)
	}
}

func TestOptions(t *testing.T) {
	var log bytes.Buffer
	o, err := parseOptions([]string{"-scale", "M"}, &log)
	require.NoError(t, err)
	assert.Equal(t, 570_000, o.contacts)
	assert.True(t, o.hand, "the hand-written SQL runs unless -hand=false")
	o, err = parseOptions([]string{"-hand=false"}, &log)
	require.NoError(t, err)
	assert.False(t, o.hand)
	assert.Equal(t, []string{"24h", "7d", "30d", "90d"}, o.ranges)
	_, err = parseOptions([]string{"-scale", "XL"}, &log)
	assert.ErrorContains(t, err, "not S, M or tiny")
	_, err = parseOptions([]string{"-ranges", "week"}, &log)
	assert.ErrorContains(t, err, "use hours")
	_, err = parseOptions([]string{"-only", "everything"}, &log)
	assert.ErrorContains(t, err, "use panels, heavy, usage, dashboards, burst")
}

// TestTimedInTurnAlternates warms each function up, then runs them in turn.
func TestTimedInTurnAlternates(t *testing.T) {
	var calls []string
	runs, err := timedInTurn(options{warmup: 1, runs: 2},
		func() error { calls = append(calls, "a"); return nil },
		func() error { calls = append(calls, "b"); return nil })
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "a", "b", "a", "b"}, calls)
	require.Len(t, runs, 2)
	assert.Len(t, runs[0], 2)
	assert.Len(t, runs[1], 2)
}

// TestOverheadIsTheMedianOfPairedDifferences: each QueryData run against
// the statement's run right after it, not one median against the other.
func TestOverheadIsTheMedianOfPairedDifferences(t *testing.T) {
	// The second and third pairs cost the plugin 12 ms each; the first
	// statement alone met a slow moment. The medians' difference, 20 - 18,
	// would say 2.
	through, alone := []float64{10, 20, 30}, []float64{28, 8, 18}
	assert.InDelta(t, 12, overhead(through, alone), 1e-9)
	assert.InDelta(t, 2, percentile(through, 0.5)-percentile(alone, 0.5), 1e-9)
}

// The count of queries at least 50 times faster than their hand-written
// statement comes from the times: 1.46 ms against 59.3 (40.6 times, a ratio
// of 0.0246 that two decimals print as 0.02) is not one of them; queries
// without a hand-written statement or with an error are not counted.
func TestFiftyTimesFasterCountsFromTheTimes(t *testing.T) {
	report := Report{Queries: []Result{
		{Group: "Performance", Name: "conversations per agent", Range: "30d", P50: 1.46, Hand: 59.3, Ratio: 1.46 / 59.3},
		{Name: "messages received", P50: 1.2, Hand: 60, Ratio: 0.02},
		{Name: "exactly fifty", P50: 2, Hand: 100, Ratio: 0.02},
		{Name: "no hand-written SQL", P50: 3},
		{Name: "failed", P50: 0.1, Hand: 90, Error: "boom"},
	}}
	n, of, misses := report.fiftyTimesFaster()
	assert.Equal(t, 2, n)
	assert.Equal(t, 3, of)
	assert.Equal(t, []string{"Performance: conversations per agent (30d): 1.46 ms against 59.3, 40.6 times"}, misses)
	var out bytes.Buffer
	require.NoError(t, report.writeMarkdown(&out))
	assert.Contains(t, out.String(), "| 59.3 | 0.025 |")
	assert.Contains(t, out.String(), "| at least 50 times faster than the hand-written SQL (p50) | 2 | 3 | missed: Performance: conversations per agent (30d): 1.46 ms against 59.3, 40.6 times |")
}

// The targets' lines count what meets each target from the run's figures,
// on both sides of every threshold, and name the misses.
func TestTargetsCheckTheRunsFigures(t *testing.T) {
	report := Report{
		RowsLoaded: 1000, LoadRowsPS: 99_999,
		Queries: []Result{
			{Group: "Usage", Name: "messages", Metric: "messages_received", Range: "30d", P50: 5, P95: 20, Target: 20, Overhead: 1},
			{Group: "Usage", Name: "active users", Metric: "active_users", Range: "30d", P50: 9, P95: 20.01, Target: 20, Overhead: 1.01},
			{Group: "Usage", Name: "languages", Metric: "languages", Range: "30d", P50: 30, P95: 50, Target: 50, Overhead: 0.2},
			{Group: "heavy", Name: "expense", Metric: "expense_per_dialogue", Range: "90d", P50: 55, P95: 60, Target: 50, Overhead: 0.5},
			{Group: "usage", Name: "top 10 intents", Metric: "top_intents", Range: "90d", P50: 3, P95: 4, Target: 50, Overhead: 0.4},
			{Group: "Usage", Name: "failed", Error: "boom", P95: 900, Target: 20},
		},
		Dashboards: []DashboardResult{{Dashboard: "Usage", P50: 300}, {Dashboard: "Chat sessions", P50: 300.5}},
		Burst:      &BurstResult{Queries: 50, PeakRSSKiB: 97_656},
	}
	assert.Equal(t, []TargetCheck{
		{Target: "p95 ≤ 20 ms (counts and sums) or 50 ms (the others), panel queries", Met: 2, Of: 3,
			Detail: "missed: Usage: active users (active_users, 30d): 20.01 ms against 20"},
		{Target: "p95 ≤ 20 ms (counts and sums) or 50 ms (the others), heavy metrics", Met: 0, Of: 1,
			Detail: "missed: heavy: expense (expense_per_dialogue, 90d): 60.00 ms against 50"},
		{Target: "p95 ≤ 20 ms (counts and sums) or 50 ms (the others), usage queries", Met: 1, Of: 1, Detail: "none missed"},
		{Target: "every panel of a dashboard at once ≤ 300 ms (p50)", Met: 1, Of: 2,
			Detail: "Usage 300.0 ms, Chat sessions 300.5 ms"},
		// No query has a hand-written statement: no line for the 50 times.
		{Target: "plugin overhead ≤ 1 ms", Met: 4, Of: 5, Detail: "median 0.50 ms"},
		{Target: "peak RSS ≤ 100 MB with 50 concurrent queries", Met: 1, Of: 1, Detail: "100.0 MB"},
		{Target: "loading ≥ 100000 rows/s with the summaries maintained", Met: 0, Of: 1, Detail: "99999 rows/s"},
	}, report.checkTargets())

	var out bytes.Buffer
	require.NoError(t, report.writeJSON(&out))
	var decoded struct {
		Targets []TargetCheck `json:"targets"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &decoded))
	assert.Len(t, decoded.Targets, 7)
}
