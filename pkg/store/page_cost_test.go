package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// sessionSetting is the setting name in a new session of the plugin's pool.
func sessionSetting(t *testing.T, url, name string) string {
	t.Helper()
	ctx := context.Background()
	pool, err := store.Open(ctx, settingsFor(t, url))
	require.NoError(t, err)
	defer pool.Close()
	var value string
	require.NoError(t, pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&value))
	return value
}

// sessionPageCost is random_page_cost in a new session of the plugin's pool.
func sessionPageCost(t *testing.T, url string) string {
	t.Helper()
	return sessionSetting(t, url, "random_page_cost")
}

// The plugin's sessions price an index probe near a sequential read where
// the server leaves PostgreSQL's default, and keep a value the server, the
// database or the role chose.
func TestSessionsPriceProbesUnlessTheServerChose(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	owner, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = owner.Close(ctx) }()
	var serverCost, source string
	require.NoError(t, owner.QueryRow(ctx, "SELECT setting, source FROM pg_settings WHERE name = 'random_page_cost'").Scan(&serverCost, &source))
	if source == "default" {
		require.Equal(t, "4", serverCost)
		require.Equal(t, store.ProbePageCost, sessionPageCost(t, url))
	} else {
		require.Equal(t, serverCost, sessionPageCost(t, url), "the server's own %s setting is kept", source)
	}

	// A database whose administrator chose a cost keeps it.
	_, err = owner.Exec(ctx, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET random_page_cost = 2.5', current_database()); END $$")
	require.NoError(t, err)
	require.Equal(t, "2.5", sessionPageCost(t, url))
}

// The plugin's sessions price a parallel plan's launch at what it costs on
// a small machine, whatever the server's default.
func TestSessionsPriceParallelWorkersLaunch(t *testing.T) {
	require.Equal(t, store.ParallelSetupCost, sessionSetting(t, storetest.URL(t), "parallel_setup_cost"))
}
