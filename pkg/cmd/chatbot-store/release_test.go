package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// The commands an administrator runs with the released binary.
func TestStatusSchemaAndVersion(t *testing.T) {
	ctx := context.Background()
	runOut := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, &out)
		return out.String(), err
	}

	empty := storetest.EmptyURL(t)
	out, err := runOut("status", "-database-url", empty)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("schema version 0, this build expects %d: no schema yet: run chatbot-store migrate\n", store.SchemaVersion), out)

	migrated := storetest.URL(t)
	_, err = runOut("seed", "-database-url", migrated, "-contacts", "20", "-days", "2", "-workspaces", "2")
	require.NoError(t, err)
	out, err = runOut("status", "-database-url", migrated)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("schema version %d, this build expects %d: up to date\nworkspaces (2): demo, demo-2\n",
		store.SchemaVersion, store.SchemaVersion), out)

	file := filepath.Join(t.TempDir(), "schema.sql")
	out, err = runOut("schema", "-o", file)
	require.NoError(t, err)
	assert.Contains(t, out, fmt.Sprintf("wrote migrations 1 to %d to %s", store.SchemaVersion, file))
	written, err := os.ReadFile(file)
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, store.SchemaSQL(&want, 0))
	assert.Equal(t, want.String(), string(written))

	_, err = runOut("schema", "-from", fmt.Sprint(store.SchemaVersion))
	require.Error(t, err, "nothing is newer than the newest version")

	out, err = runOut("version")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("chatbot-store dev (schema version %d)\n", store.SchemaVersion), out)
}
