// Package storetest gives tests a real, migrated PostgreSQL database of their
// own: on the server DATABASE_URL names, or else on a throwaway local server
// started from the machine's PostgreSQL binaries for the test binary's life.
package storetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
)

// templateDatabase holds the migrated schema; every test database is a copy of it.
const templateDatabase = "chatbot_metrics_template"

var (
	setupOnce  sync.Once
	setupErr   error
	adminURL   string // a database on the server to run CREATE DATABASE from
	server     *localpg.Server
	databaseNo atomic.Int64
)

// Main runs a package's tests and stops the local server afterwards. Call it
// from TestMain: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := server.Remove(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the test PostgreSQL server:", err)
		}
		cancel()
	}
	os.Exit(code)
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if url := os.Getenv("DATABASE_URL"); url != "" {
		adminURL = url
	} else {
		dir, err := os.MkdirTemp("", "chatbot-metrics-pg-")
		if err != nil {
			return err
		}
		server, err = localpg.Start(ctx, dir)
		if err != nil {
			return err
		}
		adminURL = server.URL("postgres")
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connecting to the test server: %w", err)
	}
	defer func() { _ = admin.Close(ctx) }()
	// A template left by an earlier run against DATABASE_URL may be stale.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+templateDatabase+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+templateDatabase); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, withDatabase(adminURL, templateDatabase))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	_, err = store.Migrate(ctx, conn)
	return err
}

// URL creates a fresh migrated database for this test, drops it when the test
// ends, and returns its connection string.
func URL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, templateDatabase)
}

// EmptyURL creates a fresh database without the schema (for tests of other
// ways to create it), drops it when the test ends, and returns its
// connection string.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "template0")
}

func newDatabase(t testing.TB, template string) string {
	t.Helper()
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("test PostgreSQL: %v", setupErr)
	}
	ctx := context.Background()
	name := fmt.Sprintf("chatbot_metrics_test_%d_%d", os.Getpid(), databaseNo.Add(1))
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("connecting to the test server: %v", err)
	}
	defer func() { _ = admin.Close(ctx) }()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("connecting to drop %s: %v", name, err)
			return
		}
		defer func() { _ = admin.Close(ctx) }()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// Pool is URL plus a pool on that database, closed when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("opening pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// withDatabase swaps the database name in a postgres:// URL.
func withDatabase(url, database string) string {
	config, err := pgx.ParseConfig(url)
	if err != nil {
		return url
	}
	rest := ""
	if i := strings.Index(url, "?"); i >= 0 {
		rest = url[i:]
	}
	user := config.User
	if config.Password != "" {
		user += ":" + config.Password
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s%s", user, config.Host, config.Port, database, rest)
}

// WithUser swaps the user in a postgres:// URL, dropping its password: the
// local test server trusts every loopback login, so a test can log in as a
// role it created.
func WithUser(url, user string) string {
	config, err := pgx.ParseConfig(url)
	if err != nil {
		return url
	}
	rest := ""
	if i := strings.Index(url, "?"); i >= 0 {
		rest = url[i:]
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s%s", user, config.Host, config.Port, config.Database, rest)
}
