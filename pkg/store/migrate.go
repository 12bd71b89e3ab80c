package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change, named NNNN_description.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	migrations := make([]Migration, 0, len(entries))
	for _, entry := range entries {
		match := migrationName.FindStringSubmatch(entry.Name())
		if match == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_description.sql", entry.Name())
		}
		version, _ := strconv.Atoi(match[1])
		body, err := migrationFiles.ReadFile(path.Join("migrations", entry.Name()))
		if err != nil {
			return nil, err
		}
		migrations = append(migrations, Migration{Version: version, Name: match[2], SQL: string(body)})
	}
	sort.Slice(migrations, func(i, j int) bool { return migrations[i].Version < migrations[j].Version })
	for i, m := range migrations {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration versions must run 1, 2, 3, ... without gaps; found %d at position %d", m.Version, i+1)
		}
	}
	return migrations, nil
}

// SchemaVersion is the schema version this build reads: the newest embedded migration.
var SchemaVersion = func() int {
	migrations, err := Migrations()
	if err != nil || len(migrations) == 0 {
		panic(fmt.Sprintf("embedded migrations are broken: %v", err))
	}
	return migrations[len(migrations)-1].Version
}()

// migrationLockID serialises concurrent migrators through an advisory lock;
// the plain SQL schema file (SchemaSQL) takes it too.
const migrationLockID = 7_406_221_911

// migrationsTable records each applied migration: the store's version is the
// largest. Migrate and the plain SQL schema file both create and fill it.
const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`

// Migrate applies every migration newer than the database's version, each in
// its own transaction, and returns the ones it applied.
func Migrate(ctx context.Context, conn *pgx.Conn) ([]Migration, error) {
	return MigrateTo(ctx, conn, SchemaVersion)
}

// MigrateTo is Migrate stopping after the given version: a store as that
// version left it, for the tests of a later migration over existing rows.
func MigrateTo(ctx context.Context, conn *pgx.Conn, version int) ([]Migration, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLockID) }()

	if _, err := conn.Exec(ctx, migrationsTable); err != nil {
		return nil, err
	}
	current, err := CurrentVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range migrations {
		if m.Version <= current || m.Version > version {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, m)
	}
	return applied, nil
}

// Querier is what reading the schema version needs: a connection, a pool or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CurrentVersion reads the database's schema version; 0 means never migrated.
func CurrentVersion(ctx context.Context, q Querier) (int, error) {
	var version int
	err := q.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return 0, nil
	}
	return version, err
}
