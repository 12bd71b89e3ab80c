// Command chatbot-bench times the plugin on generated data at a named scale:
// every panel query of the shipped dashboards and the catalog's heaviest
// metrics, through QueryData as Grafana sends them, beside the same
// statement run directly in PostgreSQL and the SQL a Grafana user would
// write by hand over the raw tables; then each dashboard's panels at once,
// and a burst of concurrent panel queries. It is a measuring tool, not a
// test: nothing in it fails on a time.
//
//	go run ./pkg/cmd/chatbot-bench -scale S
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
)

func main() {
	if os.Getenv(burstProcessEnv) == "1" {
		// The plugin's process keeps Go's default collector settings.
		log.DefaultLogger = log.NewWithLevel(log.Warn)
		if err := runBurstProcess(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "chatbot-bench:", err)
			os.Exit(1)
		}
		return
	}
	generator.TuneGC()
	// The SDK logs every query at debug level; a benchmark's own output is enough.
	log.DefaultLogger = log.NewWithLevel(log.Warn)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "chatbot-bench:", err)
		os.Exit(1)
	}
}

// scales are the named data sizes: 90 days from 2022-01-01 of this many
// contacts. S is about a million messages, M about ten million; tiny is for
// the command's own test.
var scales = map[string]int{"tiny": 300, "S": 57_000, "M": 570_000}

// options are the command's flags.
type options struct {
	scale       string
	contacts    int
	databaseURL string
	dir         string
	reuse       bool
	warmup      int
	runs        int
	concurrency int
	ranges      []string
	zones       []string
	dashboards  string
	only        map[string]bool
	json        bool
	progress    bool
	// match keeps the queries whose "group: name" it matches (nil: all).
	match *regexp.Regexp
	// plans is a directory to write the query plans of the queries slower
	// than their target to (empty: none).
	plans string
	// cpuProfile is a file to write a CPU profile of the measurements to
	// (empty: none), for the plugin's own time.
	cpuProfile string
	// hand runs each query's hand-written SQL too; without it the
	// hand-written and ratio columns stay empty and a run over 90 days
	// takes minutes less (that SQL takes seconds there).
	hand bool
}

// sections a run can be narrowed to with -only.
var sections = []string{"panels", "heavy", "usage", "dashboards", "burst"}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	flags := flag.NewFlagSet("chatbot-bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&o.scale, "scale", "S", "data size: S (57,000 contacts, about 1M messages), M (570,000 contacts, about 10M) or tiny (300)")
	flags.IntVar(&o.contacts, "contacts", 0, "contacts instead of the scale's (90 days either way)")
	flags.StringVar(&o.databaseURL, "database-url", "", "a PostgreSQL database to load and query (default: a local server in -dir)")
	flags.StringVar(&o.dir, "dir", ".data/bench", "directory of the local server when no -database-url is given")
	flags.BoolVar(&o.reuse, "reuse", false, "skip seeding when the store already holds the scale's data")
	flags.IntVar(&o.warmup, "warmup", 5, "untimed runs of each query first")
	flags.IntVar(&o.runs, "runs", 20, "timed runs of each query")
	flags.IntVar(&o.concurrency, "concurrency", 50, "panel queries sent at once in the burst")
	ranges := flags.String("ranges", "24h,7d,30d,90d", "ranges of the heavy metrics, ending at the data's end")
	zones := flags.String("zones", "UTC,America/Sao_Paulo,Asia/Kolkata,Asia/Kathmandu", "time zones of the heavy metrics")
	flags.StringVar(&o.dashboards, "dashboards", "dashboards", "directory of the dashboards' JSON")
	only := flags.String("only", strings.Join(sections, ","), "sections to run: "+strings.Join(sections, ", "))
	flags.BoolVar(&o.json, "json", false, "print JSON instead of Markdown")
	match := flags.String("match", "", "time only the panel, heavy and usage queries whose \"group: name\" matches this regular expression")
	flags.StringVar(&o.plans, "plans", "", "write EXPLAIN (ANALYZE, BUFFERS) of every query whose p95 misses its target to this directory")
	flags.BoolVar(&o.hand, "hand", true, "also time each query's hand-written SQL over the raw tables (-hand=false skips it, for the plugin's own figures)")
	flags.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measurements (not the seed) to this file, for go tool pprof")
	flags.BoolVar(&o.progress, "progress", isTerminal(os.Stderr), "show the seed's and the queries' progress on stderr (default: when stderr is a terminal)")
	if err := flags.Parse(args); err != nil {
		return o, err
	}
	if flags.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if o.contacts == 0 {
		n, ok := scales[o.scale]
		if !ok {
			return o, fmt.Errorf("-scale %q is not S, M or tiny", o.scale)
		}
		o.contacts = n
	}
	if o.runs < 1 || o.warmup < 0 || o.concurrency < 1 {
		return o, errors.New("-runs and -concurrency must be at least 1, -warmup at least 0")
	}
	if *match != "" {
		re, err := regexp.Compile(*match)
		if err != nil {
			return o, fmt.Errorf("-match: %w", err)
		}
		o.match = re
	}
	o.ranges, o.zones = split(*ranges), split(*zones)
	for _, r := range o.ranges {
		if _, err := parseRange(r); err != nil {
			return o, err
		}
	}
	for _, z := range o.zones {
		if _, err := time.LoadLocation(z); err != nil {
			return o, fmt.Errorf("-zones: %w", err)
		}
	}
	o.only = map[string]bool{}
	for _, s := range split(*only) {
		known := false
		for _, k := range sections {
			known = known || s == k
		}
		if !known {
			return o, fmt.Errorf("-only %q: use %s", s, strings.Join(sections, ", "))
		}
		o.only[s] = true
	}
	if abs, err := filepath.Abs(o.dashboards); err == nil {
		o.dashboards = abs
	}
	return o, nil
}

func split(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseRange reads "24h" or "7d" as a duration.
func parseRange(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || n < 1 {
			return 0, fmt.Errorf("range %q: use hours (24h) or days (7d)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("range %q: use hours (24h) or days (7d)", s)
	}
	return d, nil
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// terminal tells whether w is a terminal.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	env, err := prepare(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer env.close()
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	report, err := measure(ctx, o, env, stderr)
	if err != nil {
		return err
	}
	if o.json {
		return report.writeJSON(stdout)
	}
	return report.writeMarkdown(stdout)
}

// startCPUProfile starts writing a CPU profile to path; stop ends it and
// closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path) //nolint:gosec // G304: the file the user named with -cpuprofile
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
