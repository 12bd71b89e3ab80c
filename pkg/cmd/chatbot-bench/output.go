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
	if n, of := r.fiftyTimesFaster(); of > 0 {
		fmt.Fprintf(b, "\n%d of the %d queries with a hand-written statement are at least 50 times faster than it (its p50 at least 50 times the plugin's).\n", n, of)
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
	_, err := io.WriteString(w, b.String())
	return err
}

// fiftyTimesFaster counts the queries timed against a hand-written
// statement (of) and those whose p50 is at most a fiftieth of its p50 (n),
// from the times themselves: a ratio printed to a few decimals would round
// 0.0204 down to the target.
func (r *Report) fiftyTimesFaster() (n, of int) {
	for _, q := range r.Queries {
		if q.Error != "" || q.Hand <= 0 {
			continue
		}
		of++
		if q.Hand >= 50*q.P50 {
			n++
		}
	}
	return n, of
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
