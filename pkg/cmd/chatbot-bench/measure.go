package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/dashboards/replay"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/plugin"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

// heavy are the catalog's most expensive metrics, as a panel asks for them.
var heavy = []struct{ name, query string }{
	{"returning users by platform", `{"metric":"returning_users","groupBy":"platform","interval":"auto"}`},
	{"operator response time p90, ranking of agents", `{"queryType":"ranking","metric":"operator_response_time_p90","groupBy":"agent"}`},
	{"client phrases, top 10", `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase"}`},
	{"service level by team", `{"metric":"service_level","groupBy":"team","interval":"auto","targetSeconds":60}`},
	{"dialogs whose messages contain \"refund\"", `{"queryType":"records","metric":"dialogs","filters":[{"dimension":"message_text","values":["refund"]}]}`},
	{"expense per dialogue by inbox", `{"metric":"expense_per_dialogue","groupBy":"inbox","interval":"auto"}`},
}

// usage are the queries of a 90-day usage and contact-center view, one panel
// each, as a team watching its chatbot asks for them. hand is the
// hand-written SQL of the same query over the raw tables (the metric's own
// form where it has the query's groups), or "" where none is written.
var usage = []struct{ name, query, hand string }{
	{"active users by platform, per day", `{"metric":"active_users","groupBy":"platform","interval":"day","timezone":"America/Sao_Paulo"}`,
		handWritten["active_users"].Series},
	{"messages received by platform, per day", `{"metric":"messages_received","groupBy":"platform","interval":"day"}`,
		`SELECT $__timeGroupAlias(m.created_at, $__interval), c.platform AS metric, count(*) AS value
FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
WHERE m.workspace_id = $workspace AND m.direction = 'inbound' AND $__timeFilter(m.created_at)
GROUP BY 1, 2 ORDER BY 1`},
	{"messages sent by sender, per hour", `{"metric":"messages_sent","groupBy":"sender","interval":"hour"}`,
		`SELECT $__timeGroupAlias(created_at, $__interval), sender AS metric, count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'outbound' AND $__timeFilter(created_at)
GROUP BY 1, 2 ORDER BY 1`},
	{"new users by platform, per day", `{"metric":"new_users","groupBy":"platform","interval":"day"}`, handWritten["new_users"].Series},
	{"total users by platform, per day", `{"metric":"total_users","groupBy":"platform","interval":"day"}`, ""},
	{"languages, totals", `{"queryType":"totals","metric":"languages","groupBy":"language"}`,
		`SELECT language AS metric, count(DISTINCT contact_id) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND language IS NOT NULL AND $__timeFilter(created_at)
GROUP BY 1 ORDER BY 2 DESC`},
	{"top 10 intents", `{"queryType":"ranking","metric":"top_intents","groupBy":"intent"}`, handWritten["top_intents"].Total},
	{"returning users by platform, per day", `{"metric":"returning_users","groupBy":"platform","interval":"day"}`, handWritten["returning_users"].Series},
	{"peak messages per minute, per day", `{"metric":"peak_messages_per_minute","interval":"day"}`,
		`SELECT $__timeGroupAlias(p.minute, $__interval), max(p.n) AS value
FROM (SELECT date_trunc('minute', created_at) AS minute, count(*) AS n FROM messages
      WHERE workspace_id = $workspace AND $__timeFilter(created_at) GROUP BY 1) p
GROUP BY 1 ORDER BY 1`},
	{"wait time p90 by team, per day", `{"metric":"wait_time_p90","groupBy":"team","interval":"day"}`,
		`SELECT $__timeGroupAlias(a.created_at, $__interval), t.name AS metric,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.first_reply_at - a.created_at)) AS value
FROM assignments a JOIN teams t ON t.workspace_id = a.workspace_id AND t.id = a.team_id
WHERE a.workspace_id = $workspace AND a.first_reply_at IS NOT NULL AND $__timeFilter(a.created_at)
GROUP BY 1, 2 ORDER BY 1`},
	{"service level by team, per day", `{"metric":"service_level","groupBy":"team","interval":"day","targetSeconds":60}`, handWritten["service_level"].Series},
}

// usageRange is the span of the usage queries, ending at the data's end.
const usageRange = "90d"

// benchCase is one query to time.
type benchCase struct {
	group, name string
	query       backend.DataQuery
	search      string // the text a hand-written dialogs search looks for
	// hand, when set, is the case's own hand-written SQL, in place of the
	// metric's form for the query's kind.
	hand string
}

// panelRequest is what Grafana sends for one panel: its targets in one request.
type panelRequest struct {
	dashboard, panel string
	request          *backend.QueryDataRequest
}

// Result is the timing of one query; times are milliseconds.
type Result struct {
	Group    string  `json:"group"`
	Name     string  `json:"name"`
	Metric   string  `json:"metric"`
	Kind     string  `json:"kind"`
	Range    string  `json:"range"`
	Zone     string  `json:"zone,omitempty"`
	P50      float64 `json:"p50Ms"`
	P95      float64 `json:"p95Ms"`
	Postgres float64 `json:"postgresMs"`
	Overhead float64 `json:"overheadMs"`
	RowsRead int64   `json:"rowsRead"`
	Points   int     `json:"points"`
	// Target is the p95 the query should meet, in ms (see target).
	Target float64 `json:"targetMs,omitempty"`
	Hand   float64 `json:"handWrittenMs,omitempty"`
	Ratio  float64 `json:"ratio,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// DashboardResult is the time to answer every panel of a dashboard at once.
type DashboardResult struct {
	Dashboard string  `json:"dashboard"`
	Panels    int     `json:"panels"`
	Queries   int     `json:"queries"`
	P50       float64 `json:"p50Ms"`
	Max       float64 `json:"maxMs"`
}

// BurstResult is the time to drain concurrent panel queries, and the memory after.
type BurstResult struct {
	Queries     int     `json:"queries"`
	DrainMs     float64 `json:"drainMs"`
	Failed      int     `json:"failed"`
	PeakRSSKiB  int64   `json:"peakRSSKiB"`
	RSSKiB      int64   `json:"rssKiB"`
	HeapInuseMB float64 `json:"heapInuseMiB"`
	// PID is the process that sent the burst: one of its own (see burstInOwnProcess).
	PID int `json:"pid"`
}

// Report is everything a run measured.
type Report struct {
	Scale      string            `json:"scale"`
	Contacts   int               `json:"contacts"`
	Messages   int64             `json:"messages"`
	RowsLoaded int64             `json:"rowsLoaded,omitempty"`
	LoadRowsPS float64           `json:"loadRowsPerSecond,omitempty"`
	Warmup     int               `json:"warmup"`
	Runs       int               `json:"runs"`
	Queries    []Result          `json:"queries"`
	Dashboards []DashboardResult `json:"dashboards"`
	Burst      *BurstResult      `json:"burst,omitempty"`
	Server     *ServerFacts      `json:"server,omitempty"`
	// Targets says which of the targets the run's figures meet; filled
	// from the rest when the report is printed.
	Targets []TargetCheck `json:"targets,omitempty"`
}

// ServerFacts are the server's settings that move the timings most, reported
// with them so that a run can be compared and reproduced. With huge_pages
// try (PostgreSQL's default) and too few huge pages reserved by the system,
// the shared buffers are mapped in 4 kB pages, and each new connection pays
// a page fault for every one it touches first: the dialogs' text search took
// about 200 ms on a new connection instead of 55 (docs/performance-history.md).
type ServerFacts struct {
	Version       string `json:"version"`
	SharedBuffers string `json:"sharedBuffers"`
	HugePages     string `json:"hugePages"` // the huge_pages setting: try, on or off
	// HugePagesNeeded is shared_memory_size_in_huge_pages, the huge pages
	// the server's shared memory takes (0 where the server does not say).
	HugePagesNeeded int `json:"hugePagesNeeded"`
	// HugePagesReserved is the system's HugePages_Total, known for the
	// local server only (it runs on this machine); -1 otherwise.
	HugePagesReserved int `json:"hugePagesReserved"`
}

// serverFacts reads the server's settings; local says the server runs on
// this machine, whose reserved huge pages are then read too.
func serverFacts(ctx context.Context, pool *pgxpool.Pool, local bool) (*ServerFacts, error) {
	f := &ServerFacts{HugePagesReserved: -1}
	var needed string
	// shared_memory_size_in_huge_pages is new in PostgreSQL 15: missing_ok
	// gives NULL before it.
	err := pool.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('shared_buffers'),
		current_setting('huge_pages'), coalesce(current_setting('shared_memory_size_in_huge_pages', true), '')`).
		Scan(&f.Version, &f.SharedBuffers, &f.HugePages, &needed)
	if err != nil {
		return nil, fmt.Errorf("reading the server's settings: %w", err)
	}
	if n, err := strconv.Atoi(needed); err == nil && n > 0 {
		f.HugePagesNeeded = n
	}
	if local {
		f.HugePagesReserved = int(procField("/proc/meminfo", "HugePages_Total"))
	}
	return f, nil
}

func measure(ctx context.Context, o options, e *env, stderr io.Writer) (*Report, error) {
	report := &Report{Scale: o.scale, Contacts: o.contacts, Warmup: o.warmup, Runs: o.runs}
	if err := e.plain.QueryRow(ctx, "SELECT count(*) FROM messages WHERE workspace_id = $1", e.workspaceID).Scan(&report.Messages); err != nil {
		return nil, err
	}
	if e.loaded != nil {
		report.RowsLoaded, report.LoadRowsPS = e.loaded.Total(), e.loaded.RowsPerSecond()
	}
	var err error
	if report.Server, err = serverFacts(ctx, e.plain, e.server != nil); err != nil {
		return nil, err
	}
	panels, requests, err := dashboardCases(ctx, o, e)
	if err != nil {
		return nil, err
	}
	var cases []benchCase
	if o.only["panels"] {
		cases = append(cases, panels...)
	}
	if o.only["heavy"] {
		cases = append(cases, heavyCases(o, e)...)
	}
	if o.only["usage"] {
		cases = append(cases, usageCases(e)...)
	}
	if o.match != nil {
		kept := cases[:0]
		for _, c := range cases {
			if o.match.MatchString(c.group + ": " + c.name) {
				kept = append(kept, c)
			}
		}
		cases = kept
	}
	for i, c := range cases {
		r := timeCase(ctx, o, e, c)
		if o.progress {
			_, _ = fmt.Fprintf(stderr, "[%d/%d] %s: %s: p50 %s ms, PostgreSQL %s ms, hand-written %s ms %s\n",
				i+1, len(cases), c.group, c.name, number(r.P50), number(r.Postgres), number(r.Hand), r.Error)
		}
		report.Queries = append(report.Queries, r)
	}
	if o.only["dashboards"] {
		report.Dashboards = timeDashboards(ctx, o, e, requests)
	}
	if o.only["burst"] && len(requests) > 0 {
		if report.Burst, err = burstInOwnProcess(ctx, o, e); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// dashboardCases reads every dashboard and returns one case per panel target
// and annotation, and one request per panel and annotation, as Grafana sends them on the dashboard's first
// load with "now" 12 hours before the data's end (the last day has data).
func dashboardCases(ctx context.Context, o options, e *env) ([]benchCase, []panelRequest, error) {
	paths, err := filepath.Glob(filepath.Join(o.dashboards, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	if len(paths) == 0 {
		return nil, nil, fmt.Errorf("no dashboards in %s", o.dashboards)
	}
	now := e.end.Add(-12 * time.Hour)
	var cases []benchCase
	var requests []panelRequest
	for _, path := range paths {
		d, _, err := replay.Read(path)
		if err != nil {
			return nil, nil, err
		}
		from, to, err := replay.EvaluateRange(d.Time.From, d.Time.To, now)
		if err != nil {
			return nil, nil, err
		}
		values, _, err := replay.Values(ctx, e.ds, plugin.ID, d, from, to)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		for _, p := range replay.Flatten(d.Panels) {
			if p.Type == "row" {
				continue
			}
			panelFrom, panelTo, err := replay.PanelRange(p, from, to, now)
			if err != nil {
				return nil, nil, err
			}
			request := &backend.QueryDataRequest{}
			for i, target := range p.Targets {
				sent, err := replay.Substitute(target, values, values["interval"].First())
				if err != nil {
					return nil, nil, fmt.Errorf("%s, %s: %w", d.Title, p.Title, err)
				}
				q := replay.Query(string(rune('A'+i)), sent, panelFrom, panelTo)
				request.Queries = append(request.Queries, q)
				name := p.Title
				if len(p.Targets) > 1 {
					name += " (" + q.RefID + ")"
				}
				cases = append(cases, benchCase{group: d.Title, name: name, query: q, search: values["search"].First()})
			}
			requests = append(requests, panelRequest{dashboard: d.Title, panel: p.Title, request: request})
		}
		// Grafana asks each enabled annotation in a request of its own, over
		// the dashboard's range.
		for _, a := range d.Annotations.List {
			if !a.Enable || a.Datasource.Type != plugin.ID {
				continue
			}
			sent, err := replay.Substitute(a.Target, values, values["interval"].First())
			if err != nil {
				return nil, nil, fmt.Errorf("%s, annotation %s: %w", d.Title, a.Name, err)
			}
			q := replay.Query("Anno", sent, from, to)
			name := "annotation " + a.Name
			cases = append(cases, benchCase{group: d.Title, name: name, query: q})
			requests = append(requests, panelRequest{dashboard: d.Title, panel: name, request: &backend.QueryDataRequest{Queries: []backend.DataQuery{q}}})
		}
	}
	return cases, requests, nil
}

// heavyCases are the heavy metrics over every range and time zone asked for.
func heavyCases(o options, e *env) []benchCase {
	var cases []benchCase
	for _, h := range heavy {
		for _, r := range o.ranges {
			span, _ := parseRange(r)
			for _, zone := range o.zones {
				var q map[string]any
				_ = json.Unmarshal([]byte(h.query), &q)
				q["timezone"] = zone
				sent, _ := json.Marshal(q)
				cases = append(cases, benchCase{group: "heavy", name: h.name + ", last " + r + ", " + zone,
					query: replay.Query("A", sent, e.end.Add(-span), e.end), search: "refund"})
			}
		}
	}
	return cases
}

// usageCases are the usage queries over their 90 days.
func usageCases(e *env) []benchCase {
	span, _ := parseRange(usageRange)
	cases := make([]benchCase, 0, len(usage))
	for _, u := range usage {
		cases = append(cases, benchCase{group: "usage", name: u.name, query: replay.Query("A", []byte(u.query), e.end.Add(-span), e.end), hand: u.hand})
	}
	return cases
}

// timeCase runs one query warm through QueryData, then its statement
// directly, then the hand-written SQL, each o.runs times after o.warmup.
func timeCase(ctx context.Context, o options, e *env, c benchCase) Result {
	r := Result{Group: c.group, Name: c.name, Range: rangeName(c.query.TimeRange)}
	plan, statement, err := plugin.Statement(c.query, sqlbuild.Workspace{Slug: workspace, ID: e.workspaceID})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Metric, r.Kind, r.Target = plan.Metric.ID, string(plan.Kind), target(plan)
	if plan.Location != nil && plan.Location != time.UTC {
		r.Zone = plan.Location.String()
	}
	request := &backend.QueryDataRequest{Queries: []backend.DataQuery{c.query}}
	var points int
	throughQueryData := func() error {
		resp, err := e.ds.QueryData(ctx, request)
		if err != nil {
			return err
		}
		answer := resp.Responses[c.query.RefID]
		if answer.Error != nil {
			return answer.Error
		}
		points = countPoints(answer.Frames)
		return nil
	}
	direct := func() error {
		if err := drain(e.direct.Query(ctx, statement.SQL, statement.Args...)); err != nil {
			return fmt.Errorf("direct: %w", err)
		}
		return nil
	}
	runs, err := timedInTurn(o, throughQueryData, direct)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	through, statementAlone := runs[0], runs[1]
	r.P50, r.P95, r.Points = percentile(through, 0.5), percentile(through, 0.95), points
	r.Postgres = percentile(statementAlone, 0.5)
	r.Overhead = overhead(through, statementAlone)
	r.RowsRead, err = rowsRead(ctx, e, statement.SQL, statement.Args)
	if err != nil {
		r.Error = "explain: " + err.Error()
	}
	if o.plans != "" && r.P95 > r.Target {
		if err := writePlan(ctx, o.plans, e, c, r, statement.SQL, statement.Args); err != nil {
			r.Error = "plan: " + err.Error()
		}
	}
	if !o.hand {
		return r
	}
	var sql string
	if c.hand != "" {
		sql = expandHand(c.hand, plan.From, plan.To, bucketWidth(plan), e.workspaceID, c.search)
	} else {
		sql = handSQL(r.Metric, r.Kind, plan.From, plan.To, bucketWidth(plan), e.workspaceID, c.search)
	}
	if sql != "" {
		hand, err := timed(o, func() error { return drain(e.plain.Query(ctx, sql)) })
		if err != nil {
			r.Error = "hand-written: " + err.Error()
			return r
		}
		r.Hand = percentile(hand, 0.5)
		if r.Hand > 0 {
			r.Ratio = r.P50 / r.Hand
		}
	}
	return r
}

// drain reads every row, as the plugin does, without framing them.
func drain(rows pgx.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// timed runs f o.warmup times, then o.runs times, and returns the timed
// runs' durations in milliseconds: timedInTurn with f alone.
func timed(o options, f func() error) ([]float64, error) {
	runs, err := timedInTurn(o, f)
	if err != nil {
		return nil, err
	}
	return runs[0], nil
}

// timedInTurn runs each of fs o.warmup times, then all of them in turn
// o.runs times, and returns each one's timed runs in milliseconds. Taking
// turns, the runs of each see the same phases of a noisy machine.
func timedInTurn(o options, fs ...func() error) ([][]float64, error) {
	for _, f := range fs {
		for i := 0; i < o.warmup; i++ {
			if err := f(); err != nil {
				return nil, err
			}
		}
	}
	out := make([][]float64, len(fs))
	for i := range out {
		out[i] = make([]float64, o.runs)
	}
	for run := 0; run < o.runs; run++ {
		for i, f := range fs {
			start := time.Now()
			if err := f(); err != nil {
				return nil, err
			}
			out[i][run] = ms(time.Since(start))
		}
	}
	return out, nil
}

// overhead is the plugin's own time: the median of the differences between
// each run through QueryData and the run of its statement alone right after
// it. The difference of two medians would mix the two series' phases of the
// machine; on a 60 ms statement it moved by 20 ms from run to run.
func overhead(through, statementAlone []float64) float64 {
	differences := make([]float64, len(through))
	for i := range through {
		differences[i] = through[i] - statementAlone[i]
	}
	return percentile(differences, 0.5)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile is the nearest-rank percentile of values.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	rank := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// countPoints is what the frames hold: rows times value fields (a table's
// rows count once).
func countPoints(frames data.Frames) int {
	n := 0
	for _, f := range frames {
		values := 0
		for _, field := range f.Fields {
			if field.Type().Numeric() {
				values++
			}
		}
		n += f.Rows() * max(values, 1)
	}
	return n
}

// bucketWidth is the plan's interval in seconds' worth of time, as a user
// would give it to $__timeGroup (a month as 30 days: Grafana has no months).
func bucketWidth(plan catalog.Plan) time.Duration {
	unit := map[timebucket.Unit]time.Duration{timebucket.Minute: time.Minute, timebucket.Hour: time.Hour,
		timebucket.Day: 24 * time.Hour, timebucket.Week: 7 * 24 * time.Hour, timebucket.Month: 30 * 24 * time.Hour}[plan.Interval.Unit]
	if unit == 0 {
		return 24 * time.Hour
	}
	return time.Duration(max(plan.Interval.Count, 1)) * unit
}

// rangeName is a range's length, as "7d" or "24h".
func rangeName(r backend.TimeRange) string {
	// "This month" ends a millisecond before the next one: round it away.
	d := r.To.Sub(r.From).Round(time.Minute)
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.Round(time.Minute).String()
}

// rowsRead runs the statement once under EXPLAIN ANALYZE and adds up, over
// its table and index scans, the rows each returned and the rows its filter
// removed (times its loops): the rows PostgreSQL read to answer.
func rowsRead(ctx context.Context, e *env, sql string, args []any) (int64, error) {
	var raw []byte
	if err := e.direct.QueryRow(ctx, "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) "+sql, args...).Scan(&raw); err != nil {
		return 0, err
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &plans); err != nil {
		return 0, err
	}
	var total float64
	for _, p := range plans {
		total += p.Plan.rowsRead()
	}
	return int64(total + 0.5), nil
}

// planNode is a node of EXPLAIN's JSON plan, the fields rowsRead needs.
type planNode struct {
	NodeType       string     `json:"Node Type"`
	ActualRows     float64    `json:"Actual Rows"`
	ActualLoops    float64    `json:"Actual Loops"`
	RemovedFilter  float64    `json:"Rows Removed by Filter"`
	RemovedRecheck float64    `json:"Rows Removed by Index Recheck"`
	Plans          []planNode `json:"Plans"`
}

// scanNodes read a table or an index; a bitmap index scan's rows are read
// again by its heap scan, so it does not count.
var scanNodes = map[string]bool{"Seq Scan": true, "Index Scan": true, "Index Only Scan": true, "Bitmap Heap Scan": true, "Tid Scan": true}

func (n planNode) rowsRead() float64 {
	total := 0.0
	if scanNodes[n.NodeType] {
		total += (n.ActualRows + n.RemovedFilter + n.RemovedRecheck) * n.ActualLoops
	}
	for _, child := range n.Plans {
		total += child.rowsRead()
	}
	return total
}

// timeDashboards sends every panel of each dashboard at once, one request
// per panel as Grafana does, and times until the last answer.
func timeDashboards(ctx context.Context, o options, e *env, requests []panelRequest) []DashboardResult {
	var order []string
	byDashboard := map[string][]panelRequest{}
	for _, r := range requests {
		if _, seen := byDashboard[r.dashboard]; !seen {
			order = append(order, r.dashboard)
		}
		byDashboard[r.dashboard] = append(byDashboard[r.dashboard], r)
	}
	var out []DashboardResult
	for _, name := range order {
		panels := byDashboard[name]
		queries := 0
		for _, p := range panels {
			queries += len(p.request.Queries)
		}
		times, _ := timed(o, func() error {
			all(ctx, e, panels)
			return nil
		})
		out = append(out, DashboardResult{Dashboard: name, Panels: len(panels), Queries: queries,
			P50: percentile(times, 0.5), Max: slices.Max(times)})
	}
	return out
}

// all sends the requests at once and waits for every answer; it returns how
// many queries failed.
func all(ctx context.Context, e *env, requests []panelRequest) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for _, r := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := e.ds.QueryData(ctx, r.request)
			bad := 0
			if err != nil {
				bad = len(r.request.Queries)
			} else {
				for _, answer := range resp.Responses {
					if answer.Error != nil {
						bad++
					}
				}
			}
			mu.Lock()
			failed += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return failed
}

// burst sends o.concurrency panel requests at once (the dashboards' panels
// in turn) and reports the time until the last answer and the process's
// memory afterwards.
func burst(ctx context.Context, o options, e *env, requests []panelRequest) *BurstResult {
	batch := make([]panelRequest, o.concurrency)
	for i := range batch {
		batch[i] = requests[i%len(requests)]
	}
	start := time.Now()
	failed := all(ctx, e, batch)
	r := &BurstResult{Queries: len(batch), DrainMs: ms(time.Since(start)), Failed: failed}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	r.HeapInuseMB = float64(m.HeapInuse) / (1 << 20)
	r.PeakRSSKiB, r.RSSKiB = procStatus("VmHWM"), procStatus("VmRSS")
	r.PID = os.Getpid()
	return r
}

// The p95 targets of a panel query over 90 days: additive metrics (counts
// and sums of rows, which the slot summaries add up) and the others.
const (
	additiveTargetMs = 20
	otherTargetMs    = 50
)

// target is the p95 a query should meet, in ms.
func target(plan catalog.Plan) float64 {
	m := plan.Metric
	additive := m.Quotient == nil && (m.Aggregate == "count(*)" || strings.HasPrefix(m.Aggregate, "coalesce(sum("))
	switch plan.Kind {
	case models.KindTimeSeries, models.KindTotals, models.KindRanking:
		if additive {
			return additiveTargetMs
		}
	}
	return otherTargetMs
}

// writePlan writes the query's plan, run once under EXPLAIN (ANALYZE,
// BUFFERS), with its timings and statement, to a file of dir named after it.
func writePlan(ctx context.Context, dir string, e *env, c benchCase, r Result, sql string, args []any) error {
	rows, err := e.direct.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
	if err != nil {
		return err
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	name := strings.Trim(nonWord.ReplaceAllString(strings.ToLower(c.group+" "+c.name+" "+r.Range), "-"), "-") + ".txt"
	text := fmt.Sprintf("%s: %s (%s, %s)\np50 %s ms, p95 %s ms\nargs: %v\n\n%s\n\n%s", c.group, c.name, r.Metric, r.Kind,
		number(r.P50), number(r.P95), args, sql, strings.Join(plan, "\n")+"\n")
	return os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600)
}

// nonWord is a run of characters a file name does without.
var nonWord = regexp.MustCompile(`[^a-z0-9]+`)
