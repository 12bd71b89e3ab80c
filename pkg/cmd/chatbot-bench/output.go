package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// procStatus reads a "kB" field of /proc/self/status (0 where there is none).
func procStatus(field string) int64 {
	return procField("/proc/self/status", field)
}

// procField reads a numeric field of a /proc file of "name: value" lines,
// without its " kB" unit if it has one (0 where there is none).
func procField(path, field string) int64 {
	f, err := os.Open(path) // #nosec G304 -- a fixed /proc path
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		name, value, ok := strings.Cut(scanner.Text(), ":")
		if !ok || name != field {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		return n
	}
	return 0
}

func (r *Report) writeJSON(w io.Writer) error {
	r.Targets = r.checkTargets()
	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")
	return encoder.Encode(r)
}

// writeMarkdown prints the report as Markdown tables.
func (r *Report) writeMarkdown(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "Scale %s: %d contacts, %d messages; %d warm-up and %d timed runs per query.\n", r.Scale, r.Contacts, r.Messages, r.Warmup, r.Runs)
	if r.RowsLoaded > 0 {
		fmt.Fprintf(b, "Loaded %d rows at %.0f rows/s.\n", r.RowsLoaded, r.LoadRowsPS)
	}
	if r.Server != nil {
		b.WriteString(r.Server.describe() + "\n")
	}
	if len(r.Queries) > 0 {
		b.WriteString("\nTimes in ms. PostgreSQL: the plugin's statement run directly (p50); overhead: QueryData p50 minus that; " +
			"rows read: rows returned or filtered out by the scans, from EXPLAIN ANALYZE; hand-written: the raw-table SQL with Grafana's macros (p50); ratio: plugin / hand-written.\n\n")
		b.WriteString("| dashboard | panel | metric | kind | range | p50 | p95 | PostgreSQL | overhead | rows read | points | hand-written | ratio |\n")
		b.WriteString("| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, q := range r.Queries {
			if q.Error != "" {
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | error: %s |  |  |  |  |  |  |  |\n", q.Group, cell(q.Name), q.Metric, q.Kind, q.Range, cell(q.Error))
				continue
			}
			hand, ratio := "–", "–"
			if q.Hand > 0 {
				hand, ratio = number(q.Hand), fmt.Sprintf("%.3f", q.Ratio)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %s | %s |\n",
				q.Group, cell(q.Name), q.Metric, q.Kind, q.Range, number(q.P50), number(q.P95), number(q.Postgres), number(q.Overhead), q.RowsRead, q.Points, hand, ratio)
		}
	}
	if len(r.Dashboards) > 0 {
		b.WriteString("\nEvery panel of a dashboard at once (one request per panel, concurrently), in ms:\n\n")
		b.WriteString("| dashboard | panels | queries | p50 | max |\n| --- | ---: | ---: | ---: | ---: |\n")
		for _, d := range r.Dashboards {
			fmt.Fprintf(b, "| %s | %d | %d | %s | %s |\n", d.Dashboard, d.Panels, d.Queries, number(d.P50), number(d.Max))
		}
	}
	if r.Burst != nil {
		fmt.Fprintf(b, "\n%d panel requests at once, from a process that holds only the data source (as the plugin's process under Grafana): drained in %s ms (%d queries failed); afterwards heap in use %.0f MiB, RSS %d MiB; peak RSS (VmHWM) %d MiB.\n",
			r.Burst.Queries, number(r.Burst.DrainMs), r.Burst.Failed, r.Burst.HeapInuseMB, r.Burst.RSSKiB/1024, r.Burst.PeakRSSKiB/1024)
	}
	if checks := r.checkTargets(); len(checks) > 0 {
		b.WriteString("\nTargets, from the figures above:\n\n| target | met | of | figures |\n| --- | ---: | ---: | --- |\n")
		for _, c := range checks {
			fmt.Fprintf(b, "| %s | %d | %d | %s |\n", c.Target, c.Met, c.Of, cell(c.Detail))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fiftyTimesFaster counts the queries timed against a hand-written
// statement (of) and those whose p50 is at most a fiftieth of its p50 (n),
// from the times themselves: a ratio printed to a few decimals would round
// 0.0204 down to the target. misses names the others, with both times.
func (r *Report) fiftyTimesFaster() (n, of int, misses []string) {
	for _, q := range r.Queries {
		if q.Error != "" || q.Hand <= 0 {
			continue
		}
		of++
		if q.Hand >= fiftyTimes*q.P50 {
			n++
		} else {
			misses = append(misses, fmt.Sprintf("%s: %s (%s): %s ms against %s, %.1f times", q.Group, q.Name, q.Range, number(q.P50), number(q.Hand), q.Hand/q.P50))
		}
	}
	return n, of, misses
}

// number prints a time in ms with three significant digits or so.
func number(v float64) string {
	switch {
	case v >= 100 || v <= -100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10 || v <= -10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// cell escapes a table cell's pipes and line breaks.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// describe says in one sentence what the server is and how its shared memory
// is mapped.
func (f *ServerFacts) describe() string {
	line := fmt.Sprintf("PostgreSQL %s, shared_buffers %s, huge_pages %s", f.Version, f.SharedBuffers, f.HugePages)
	if f.HugePagesNeeded > 0 {
		line += fmt.Sprintf(" (its shared memory takes %d huge pages", f.HugePagesNeeded)
		if f.HugePagesReserved >= 0 {
			line += fmt.Sprintf("; the system reserves %d", f.HugePagesReserved)
		}
		line += ")"
	}
	return line + "."
}

// TargetCheck is one target of the benchmark and how many of the figures it
// applies to meet it.
type TargetCheck struct {
	Target string `json:"target"`
	Met    int    `json:"met"`
	Of     int    `json:"of"`
	// Detail is the figures behind the count: the misses, or the figure a
	// single-valued target is checked against.
	Detail string `json:"detail,omitempty"`
}

// The targets of a run besides the queries' own p95s (see target).
const (
	dashboardTargetMs  = 300
	fiftyTimes         = 50
	overheadTargetMs   = 1
	burstRSSTargetMB   = 100
	loadTargetRowsPerS = 100_000
)

// checkTargets checks the run's figures against every target that they
// measure: the p95 of the panel queries, the heavy metrics and the usage queries, each
// against its own target; every panel of a dashboard at once; 50 times the
// hand-written statement; the plugin's overhead; the burst's peak RSS; and
// the load's rate when the run loaded the store. A section the run left out
// has no line.
func (r *Report) checkTargets() []TargetCheck {
	var checks []TargetCheck
	for _, queries := range []string{"panel queries", "heavy metrics", "usage queries"} {
		c := TargetCheck{Target: fmt.Sprintf("p95 ≤ %d ms (counts and sums) or %d ms (the others), %s", additiveTargetMs, otherTargetMs, queries)}
		var misses []string
		for _, q := range r.Queries {
			if kindOfQueries(q.Group) != queries || q.Error != "" || q.Target <= 0 {
				continue
			}
			c.Of++
			if q.P95 <= q.Target {
				c.Met++
			} else {
				misses = append(misses, fmt.Sprintf("%s: %s (%s, %s): %.2f ms against %g", q.Group, q.Name, q.Metric, q.Range, q.P95, q.Target))
			}
		}
		if c.Of > 0 {
			c.Detail = missed(misses)
			checks = append(checks, c)
		}
	}
	if len(r.Dashboards) > 0 {
		c := TargetCheck{Target: fmt.Sprintf("every panel of a dashboard at once ≤ %d ms (p50)", dashboardTargetMs), Of: len(r.Dashboards)}
		var figures []string
		for _, d := range r.Dashboards {
			if d.P50 <= dashboardTargetMs {
				c.Met++
			}
			// One decimal: number would print 300.5 ms, a miss, as 300.
			figures = append(figures, fmt.Sprintf("%s %.1f ms", d.Dashboard, d.P50))
		}
		c.Detail = strings.Join(figures, ", ")
		checks = append(checks, c)
	}
	if n, of, misses := r.fiftyTimesFaster(); of > 0 {
		checks = append(checks, TargetCheck{Target: fmt.Sprintf("at least %d times faster than the hand-written SQL (p50)", fiftyTimes), Met: n, Of: of, Detail: missed(misses)})
	}
	var overheads []float64
	over := 0
	for _, q := range r.Queries {
		if q.Error != "" || (q.P50 == 0 && q.Postgres == 0) {
			continue
		}
		overheads = append(overheads, q.Overhead)
		if q.Overhead <= overheadTargetMs {
			over++
		}
	}
	if len(overheads) > 0 {
		checks = append(checks, TargetCheck{Target: fmt.Sprintf("plugin overhead ≤ %d ms", overheadTargetMs), Met: over, Of: len(overheads),
			Detail: "median " + number(percentile(overheads, 0.5)) + " ms"})
	}
	if r.Burst != nil {
		c := TargetCheck{Target: fmt.Sprintf("peak RSS ≤ %d MB with %d concurrent queries", burstRSSTargetMB, r.Burst.Queries), Of: 1,
			Detail: fmt.Sprintf("%.1f MB", float64(r.Burst.PeakRSSKiB)*1024/1e6)}
		if r.Burst.PeakRSSKiB > 0 && r.Burst.PeakRSSKiB <= burstRSSTargetMB*1_000_000/1024 {
			c.Met = 1
		}
		checks = append(checks, c)
	}
	if r.RowsLoaded > 0 {
		c := TargetCheck{Target: fmt.Sprintf("loading ≥ %d rows/s with the summaries maintained", loadTargetRowsPerS), Of: 1,
			Detail: fmt.Sprintf("%.0f rows/s", r.LoadRowsPS)}
		if r.LoadRowsPS >= loadTargetRowsPerS {
			c.Met = 1
		}
		checks = append(checks, c)
	}
	return checks
}

// kindOfQueries names what a result's group holds, for the targets' lines:
// the heavy metrics, the usage queries, or a dashboard's panel queries.
func kindOfQueries(group string) string {
	switch group {
	case "heavy":
		return "heavy metrics"
	case "usage":
		return "usage queries"
	}
	return "panel queries"
}

// missed lists a target's misses, or says there are none.
func missed(misses []string) string {
	if len(misses) == 0 {
		return "none missed"
	}
	return "missed: " + strings.Join(misses, "; ")
}
