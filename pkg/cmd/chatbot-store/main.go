// Command chatbot-store manages the conversation store: it applies the schema
// migrations, loads realistic generated data, and runs a throwaway local
// PostgreSQL server for demos, tests and benchmarks.
//
//	chatbot-store migrate [-database-url URL]
//	chatbot-store seed    [-database-url URL] [-if-empty] [-random-seed N] [-days N] [-contacts N] [-workspaces N] [-start YYYY-MM-DD]
//	chatbot-store status  [-database-url URL]
//	chatbot-store local start [-dir DIR] [-seed] [generator flags]
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
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
)

// localDatabase is the database the local server keeps the store in.
const localDatabase = "chatbot"

const usage = `chatbot-store manages the chatbot-metrics conversation store.

  migrate        apply the schema migrations
  seed           load generated demo data
  status         print the schema version
  local start    start (and create) a local PostgreSQL server, migrate it, optionally seed it
  local url      print the local server's database URL
  local stop     stop the local server

Run "chatbot-store COMMAND -h" for a command's flags`

func main() {
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
		cfg, err := generatorFlags(flags)(rest)
		if err != nil {
			return err
		}
		return seed(ctx, *databaseURL, cfg, *ifEmpty, out)
	case "status":
		flags, databaseURL := databaseFlags("status")
		if err := flags.Parse(rest); err != nil {
			return err
		}
		return status(ctx, *databaseURL, out)
	case "local start":
		flags := flag.NewFlagSet("local start", flag.ContinueOnError)
		dir := flags.String("dir", ".data/postgres", "directory of the local cluster")
		withData := flags.Bool("seed", false, "load generated demo data if the store has none")
		cfg, err := generatorFlags(flags)(rest)
		if err != nil {
			return err
		}
		return localStart(ctx, *dir, *withData, cfg, out)
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
	start := flags.String("start", "2022-01-01", "first day of activity (UTC)")
	return func(args []string) (generator.Config, error) {
		if err := flags.Parse(args); err != nil {
			return generator.Config{}, err
		}
		first, err := time.Parse(time.DateOnly, *start)
		if err != nil {
			return generator.Config{}, fmt.Errorf("-start %q is not a date: use YYYY-MM-DD", *start)
		}
		return generator.Config{Seed: *randomSeed, Start: first, Days: *days, Contacts: *contacts, Workspaces: *workspaces}, nil
	}
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
		version, err := store.CurrentVersion(ctx, conn)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "schema version %d (this build reads %d)\n", version, store.SchemaVersion)
		return err
	})
}

func seed(ctx context.Context, databaseURL string, cfg generator.Config, ifEmpty bool, out io.Writer) error {
	if err := requireURL(databaseURL); err != nil {
		return err
	}
	if ifEmpty {
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
	stats, err := generator.Load(ctx, pool, cfg)
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

func localStart(ctx context.Context, dir string, withData bool, cfg generator.Config, out io.Writer) error {
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
		if err := seed(ctx, url, cfg, true, out); err != nil {
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
