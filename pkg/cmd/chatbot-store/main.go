// Command chatbot-store manages the conversation store: it applies the schema
// migrations, loads realistic generated data, and runs a throwaway local
// PostgreSQL server for demos, tests and benchmarks.
//
//	chatbot-store migrate [-database-url URL]
//	chatbot-store seed    [-database-url URL] [-if-empty | -replace] [-random-seed N] [-days N] [-contacts N] [-workspaces N]
//	                      [-start YYYY-MM-DD | -until now|RFC3339] [-spike-team NAME]
//	chatbot-store status  [-database-url URL]
//	chatbot-store grant-readonly [-database-url URL] -role NAME [-password PASSWORD] [-schema SCHEMA]
//	chatbot-store schema  [-from VERSION] [-o FILE]
//	chatbot-store partitions [-database-url URL] [-ahead MONTHS] [-from YYYY-MM]
//	chatbot-store version
//	chatbot-store local start [-dir DIR] [-seed [-replace]] [generator flags]
//	chatbot-store local url   [-dir DIR]
//	chatbot-store local stop  [-dir DIR]
//
// The database URL defaults to $DATABASE_URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator/progressline"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/roles"
)

// version is the release this binary was built for; release builds set it
// with -ldflags "-X main.version=...".
var version = "dev"

// localDatabase is the database the local server keeps the store in.
const localDatabase = "chatbot"

const usage = `chatbot-store manages the chatbot-metrics conversation store.

  migrate        apply the schema migrations
  seed           load generated demo data
  grant-readonly create or update the read-only login role for the data source
  status         print the schema version (applied and expected) and the workspaces
  schema         write the migrations as one plain SQL file, for your own migration tools
  partitions     create the coming months' partitions of messages (run monthly, ahead of time)
  version        print this build's version
  local start    start (and create) a local PostgreSQL server, migrate it, optionally seed it
  local url      print the local server's database URL
  local stop     stop the local server

Run "chatbot-store COMMAND -h" for a command's flags`

func main() {
	generator.TuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chatbot-store:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	command, rest := args[0], args[1:]
	if command == "local" {
		if len(rest) == 0 {
			return errors.New(usage)
		}
		command, rest = "local "+rest[0], rest[1:]
	}
	switch command {
	case "migrate":
		flags, databaseURL := databaseFlags("migrate")
		if err := flags.Parse(rest); err != nil {
			return err
		}
		return migrate(ctx, *databaseURL, out)
	case "seed":
		flags, databaseURL := databaseFlags("seed")
		ifEmpty := flags.Bool("if-empty", false, "load only when the store holds no workspace yet (for repeatable setups)")
		replace := flags.Bool("replace", false, "delete every workspace's data first (a demo store's, whose data must end now)")
		progress := progressFlag(flags)
		cfg, err := generatorFlags(flags)(rest)
		if err != nil {
			return err
		}
		if *ifEmpty && *replace {
			return errors.New("-if-empty and -replace exclude each other")
		}
		return seed(ctx, *databaseURL, cfg, seedMode{ifEmpty: *ifEmpty, replace: *replace, progress: *progress}, out)
	case "status":
		flags, databaseURL := databaseFlags("status")
		if err := flags.Parse(rest); err != nil {
			return err
		}
		return status(ctx, *databaseURL, out)
	case "grant-readonly":
		flags, databaseURL := databaseFlags("grant-readonly")
		role := flags.String("role", "", "the role the data source logs in as (created when missing)")
		password := flags.String("password", "", "its password (set when given; omit for certificate login or to keep the one it has)")
		schema := flags.String("schema", "", "the store's schema (default: the connection's current schema)")
		if err := flags.Parse(rest); err != nil {
			return err
		}
		return grantReadOnly(ctx, *databaseURL, *role, *password, *schema, out)
	case "schema":
		flags := flag.NewFlagSet("schema", flag.ContinueOnError)
		from := flags.Int("from", 0, "write only the migrations after this schema version (the store's current one)")
		output := flags.String("o", "", "file to write (default standard output)")
		if err := flags.Parse(rest); err != nil {
			return err
		}
		return schema(*from, *output, out)
	case "partitions":
		return partitionsCommand(ctx, rest, out)
	case "version":
		_, err := fmt.Fprintf(out, "chatbot-store %s (schema version %d)\n", version, store.SchemaVersion)
		return err
	case "local start":
		flags := flag.NewFlagSet("local start", flag.ContinueOnError)
		dir := flags.String("dir", ".data/postgres", "directory of the local cluster")
		withData := flags.Bool("seed", false, "load generated demo data if the store has none")
		replace := flags.Bool("replace", false, "with -seed: replace the data the store holds with freshly generated data")
		progress := progressFlag(flags)
		cfg, err := generatorFlags(flags)(rest)
		if err != nil {
			return err
		}
		return localStart(ctx, *dir, *withData, seedMode{ifEmpty: !*replace, replace: *replace, progress: *progress}, cfg, out)
	case "local url", "local stop":
		flags := flag.NewFlagSet(command, flag.ContinueOnError)
		dir := flags.String("dir", ".data/postgres", "directory of the local cluster")
		if err := flags.Parse(rest); err != nil {
			return err
		}
		server, err := localpg.Open(*dir)
		if err != nil {
			return err
		}
		if command == "local url" {
			_, err = fmt.Fprintln(out, server.URL(localDatabase))
			return err
		}
		return server.Stop(ctx)
	}
	return fmt.Errorf("unknown command %q\n\n%s", command, usage)
}

func databaseFlags(name string) (*flag.FlagSet, *string) {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	return flags, flags.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL of the store (default $DATABASE_URL)")
}

// generatorFlags registers the generator's scale knobs on flags and returns a
// function that parses a command's arguments and reads the knobs as a Config.
func generatorFlags(flags *flag.FlagSet) func(args []string) (generator.Config, error) {
	randomSeed := flags.Uint64("random-seed", 1, "random seed: the same seed and knobs give the same data")
	days := flags.Int("days", 90, "days of activity")
	contacts := flags.Int("contacts", 2000, "contacts per workspace")
	workspaces := flags.Int("workspaces", 1, "workspaces (demo, demo-2, ...)")
	start := flags.String("start", "2022-01-01", "first day of activity (UTC); not with -until")
	until := flags.String("until", "", `end the data at this instant, "now" or RFC 3339 (e.g. 2026-03-01T09:30:00Z), with -days counting back from it; what is still going on then stays open`)
	spikeTeam := flags.String("spike-team", "", "end with a spike of missed conversations and customers waiting for this team (Sales, Support or Tech)")
	return func(args []string) (generator.Config, error) {
		if err := flags.Parse(args); err != nil {
			return generator.Config{}, err
		}
		cfg := generator.Config{Seed: *randomSeed, Days: *days, Contacts: *contacts, Workspaces: *workspaces, MissedSpike: *spikeTeam}
		if *until == "" {
			first, err := time.Parse(time.DateOnly, *start)
			if err != nil {
				return generator.Config{}, fmt.Errorf("-start %q is not a date: use YYYY-MM-DD", *start)
			}
			cfg.Start = first
			return cfg, nil
		}
		startSet := false
		flags.Visit(func(f *flag.Flag) { startSet = startSet || f.Name == "start" })
		if startSet {
			return generator.Config{}, errors.New("-start and -until exclude each other: -until counts -days back from itself")
		}
		end, err := parseUntil(*until, now())
		if err != nil {
			return generator.Config{}, err
		}
		cfg.Until = end
		return cfg, nil
	}
}

// now is the clock -until now reads; tests replace it.
var now = time.Now

// parseUntil reads -until: "now" (to the second) or an RFC 3339 instant.
func parseUntil(value string, clock time.Time) (time.Time, error) {
	if value == "now" {
		return clock.UTC().Truncate(time.Second), nil
	}
	end, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, fmt.Errorf(`-until %q is not an instant: use "now" or RFC 3339 such as 2026-03-01T09:30:00Z`, value)
	}
	return end.UTC(), nil
}

func requireURL(databaseURL string) error {
	if databaseURL == "" {
		return errors.New("no database: pass -database-url or set DATABASE_URL")
	}
	return nil
}

// withConn runs use on one connection to the database, closed afterwards.
func withConn(ctx context.Context, databaseURL string, use func(*pgx.Conn) error) error {
	if err := requireURL(databaseURL); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	return use(conn)
}

func migrate(ctx context.Context, databaseURL string, out io.Writer) error {
	return withConn(ctx, databaseURL, func(conn *pgx.Conn) error {
		applied, err := store.Migrate(ctx, conn)
		for _, m := range applied {
			_, _ = fmt.Fprintf(out, "applied %04d_%s\n", m.Version, m.Name)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "schema at version %d\n", store.SchemaVersion)
		return err
	})
}

func status(ctx context.Context, databaseURL string, out io.Writer) error {
	return withConn(ctx, databaseURL, func(conn *pgx.Conn) error {
		applied, err := store.CurrentVersion(ctx, conn)
		if err != nil {
			return err
		}
		verdict := "up to date"
		switch {
		case applied == 0:
			verdict = "no schema yet: run chatbot-store migrate"
		case applied < store.SchemaVersion:
			verdict = "older: run chatbot-store migrate"
		case applied > store.SchemaVersion:
			verdict = "newer than this build: use the chatbot-store of the plugin's release"
		}
		if _, err := fmt.Fprintf(out, "schema version %d, this build expects %d: %s\n", applied, store.SchemaVersion, verdict); err != nil {
			return err
		}
		if applied == 0 {
			return nil
		}
		var slugs []string
		if err := conn.QueryRow(ctx, "SELECT coalesce(array_agg(slug ORDER BY slug), '{}') FROM workspaces").Scan(&slugs); err != nil {
			return err
		}
		list := strings.Join(slugs, ", ")
		if len(slugs) == 0 {
			list = "none yet"
		}
		_, err = fmt.Fprintf(out, "workspaces (%d): %s\n", len(slugs), list)
		return err
	})
}

// grantReadOnly runs pkg/store/roles/readonly.sql for role, creating it first.
func grantReadOnly(ctx context.Context, databaseURL, role, password, schema string, out io.Writer) error {
	if role == "" {
		return errors.New("-role is empty: name the role the data source will log in as")
	}
	return withConn(ctx, databaseURL, func(conn *pgx.Conn) error {
		if err := roles.GrantReadOnly(ctx, conn, role, password, schema); err != nil {
			return err
		}
		_, err := fmt.Fprintf(out, "role %s may read the conversation store and change nothing: set it as the data source's user\n", role)
		return err
	})
}

// schema writes the plain SQL schema (see store.SchemaSQL) to path, or to
// out when path is empty.
func schema(from int, path string, out io.Writer) error {
	if path == "" {
		return store.SchemaSQL(out, from)
	}
	var b strings.Builder
	if err := store.SchemaSQL(&b, from); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil { //nolint:gosec // G306: a schema file, for other tools to read
		return err
	}
	_, err := fmt.Fprintf(out, "wrote migrations %d to %d to %s\n", from+1, store.SchemaVersion, path)
	return err
}

// seedMode is what seed does with a store that already holds data: load
// beside it (the zero value), leave it alone, or replace it; and whether it
// shows its progress on stderr.
type seedMode struct{ ifEmpty, replace, progress bool }

// progressFlag registers -progress, on by default when stderr is a terminal:
// a person watching a load of millions of rows sees it move, logs and tests
// stay quiet.
func progressFlag(flags *flag.FlagSet) *bool {
	return flags.Bool("progress", progressline.IsTerminal(os.Stderr), "show rows, rows per second and the time left on stderr, every second (default: when stderr is a terminal)")
}

func seed(ctx context.Context, databaseURL string, cfg generator.Config, mode seedMode, out io.Writer) error {
	if err := requireURL(databaseURL); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err // before -replace deletes anything
	}
	if mode.replace {
		// Every table hangs off workspaces, so one TRUNCATE ... CASCADE empties the store.
		err := withConn(ctx, databaseURL, func(conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, "TRUNCATE workspaces RESTART IDENTITY CASCADE")
			return err
		})
		if err != nil {
			return fmt.Errorf("emptying the store: %w", err)
		}
		_, _ = fmt.Fprintln(out, "deleted the data the store held")
	}
	if mode.ifEmpty {
		seeded, err := hasWorkspaces(ctx, databaseURL)
		if err != nil {
			return err
		}
		if seeded {
			_, err = fmt.Fprintln(out, "store already holds data: not seeding again")
			return err
		}
	}
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	_, _ = fmt.Fprintln(out, describe(cfg))
	var stats generator.Stats
	if mode.progress {
		line := progressline.New(os.Stderr, progressline.IsTerminal(os.Stderr))
		stats, err = generator.LoadWithProgress(ctx, pool, cfg, line.Report)
		line.Done()
	} else {
		stats, err = generator.Load(ctx, pool, cfg)
	}
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(stats.Rows))
	for table := range stats.Rows {
		tables = append(tables, table)
	}
	sort.Strings(tables)
	for _, table := range tables {
		_, _ = fmt.Fprintf(out, "%-22s %10d rows\n", table, stats.Rows[table])
	}
	_, err = fmt.Fprintf(out, "loaded %d rows in %s: %.0f rows/s\n", stats.Total(), stats.Elapsed.Round(time.Millisecond), stats.RowsPerSecond())
	return err
}

// describe is the line seed prints before generating: the period and the spike.
func describe(cfg generator.Config) string {
	days := cfg.Days
	if days == 0 {
		days = generator.DefaultDays
	}
	period := fmt.Sprintf("%d days from %s", days, cfg.Start.Format(time.DateOnly))
	if cfg.Start.IsZero() {
		period = fmt.Sprintf("%d days from %s", days, generator.DefaultStart.Format(time.DateOnly))
	}
	if !cfg.Until.IsZero() {
		period = fmt.Sprintf("%d days up to %s", days, cfg.Until.UTC().Format(time.RFC3339))
	}
	line := "generating " + period
	if cfg.MissedSpike != "" {
		line += fmt.Sprintf(", ending with a spike of missed conversations for team %s", cfg.MissedSpike)
	}
	return line
}

func localStart(ctx context.Context, dir string, withData bool, mode seedMode, cfg generator.Config, out io.Writer) error {
	server, err := localpg.Start(ctx, dir)
	if err != nil {
		return err
	}
	admin, err := pgx.Connect(ctx, server.URL("postgres"))
	if err != nil {
		return err
	}
	var exists bool
	err = admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", localDatabase).Scan(&exists)
	if err == nil && !exists {
		_, err = admin.Exec(ctx, "CREATE DATABASE "+localDatabase)
	}
	_ = admin.Close(ctx)
	if err != nil {
		return err
	}
	url := server.URL(localDatabase)
	if err := migrate(ctx, url, out); err != nil {
		return err
	}
	if withData {
		if err := seed(ctx, url, cfg, mode, out); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(out, "local PostgreSQL running in %s on port %d\nDATABASE_URL=%s\n", server.Dir, server.Port, url)
	return err
}

func hasWorkspaces(ctx context.Context, databaseURL string) (bool, error) {
	var any bool
	err := withConn(ctx, databaseURL, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM workspaces)").Scan(&any)
	})
	return any, err
}
