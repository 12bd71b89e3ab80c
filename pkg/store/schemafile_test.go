package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// The plain SQL file and `chatbot-store migrate` must give the same store:
// the same schema as pg_dump prints it and the same schema_migrations rows,
// whether the file brings an empty store to the newest version or a store
// that migrate left at version 1 (mixing both ways).
func TestSchemaSQLGivesTheSchemaMigrateGives(t *testing.T) {
	ctx := context.Background()
	migrated := storetest.URL(t)
	want := schemaDump(t, migrated)
	wantVersions := appliedVersions(t, migrated)

	full := schemaSQL(t, 0)
	t.Run("from an empty store", func(t *testing.T) {
		url := storetest.EmptyURL(t)
		runSQL(t, url, full)
		assert.Equal(t, want, schemaDump(t, url))
		assert.Equal(t, wantVersions, appliedVersions(t, url))
		assertMigrateHasNothingToDo(ctx, t, url)
	})

	t.Run("from version 1", func(t *testing.T) {
		url := storetest.EmptyURL(t)
		// Version 1 alone, as a migrate of an older release would have left it.
		cut := strings.Index(full, "\n-- Migration 0002_")
		require.Positive(t, cut, "the file marks where each migration starts")
		runSQL(t, url, full[:cut]+"\nCOMMIT;\n")
		assert.Equal(t, []string{"1 conversation_store"}, appliedVersions(t, url))
		runSQL(t, url, schemaSQL(t, 1))
		assert.Equal(t, want, schemaDump(t, url))
		assert.Equal(t, wantVersions, appliedVersions(t, url))
	})

	t.Run("refuses a store at another version and changes nothing", func(t *testing.T) {
		url := storetest.URL(t)
		out, err := applySQL(url, full)
		require.Error(t, err)
		assert.Contains(t, out, fmt.Sprintf("the conversation store is at schema version %d, but this file upgrades version 0 to version %d",
			store.SchemaVersion, store.SchemaVersion))
		assert.Equal(t, want, schemaDump(t, url))
		assert.Equal(t, wantVersions, appliedVersions(t, url))
	})

	t.Run("from the newest version there is nothing to write", func(t *testing.T) {
		require.Error(t, store.SchemaSQL(&bytes.Buffer{}, store.SchemaVersion))
	})
}

func assertMigrateHasNothingToDo(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	applied, err := store.Migrate(ctx, conn)
	require.NoError(t, err)
	assert.Empty(t, applied, "migrate reads the version the file recorded")
}

func schemaSQL(t *testing.T, from int) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, store.SchemaSQL(&b, from))
	return b.String()
}

// pgProgram finds a PostgreSQL client program beside the server binaries the
// tests use, else on PATH.
func pgProgram(t *testing.T, name string) string {
	t.Helper()
	if dir, err := localpg.FindBinDir(); err == nil {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	path, err := exec.LookPath(name)
	require.NoError(t, err, "%s is needed next to the PostgreSQL server binaries", name)
	return path
}

// applySQL runs a script as teams would, with psql stopping at the first error.
func applySQL(url, script string) (string, error) {
	path, err := psqlPath()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(path, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func psqlPath() (string, error) {
	if dir, err := localpg.FindBinDir(); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "psql")); err == nil {
			return filepath.Join(dir, "psql"), nil
		}
	}
	return exec.LookPath("psql")
}

func runSQL(t *testing.T, url, script string) {
	t.Helper()
	out, err := applySQL(url, script)
	require.NoError(t, err, out)
}

// schemaDump is pg_dump's schema of the database, without the lines that
// differ between any two dumps (the \restrict key of newer pg_dump versions).
func schemaDump(t *testing.T, url string) string {
	t.Helper()
	out, err := exec.Command(pgProgram(t, "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "-d", url).Output()
	require.NoError(t, err)
	var kept []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, `\restrict`) || strings.HasPrefix(line, `\unrestrict`) {
			continue
		}
		kept = append(kept, line)
	}
	dump := strings.Join(kept, "\n")
	require.Contains(t, dump, "CREATE TABLE public.messages", "the dump holds the store's tables")
	return dump
}

func appliedVersions(t *testing.T, url string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, "SELECT version || ' ' || name FROM schema_migrations ORDER BY version")
	require.NoError(t, err)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return versions
}
