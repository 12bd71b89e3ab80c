package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/demo"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func parseGeneratorFlags(args ...string) (generator.Config, error) {
	return generatorFlags(flag.NewFlagSet("seed", flag.ContinueOnError))(args)
}

func TestGeneratorFlags(t *testing.T) {
	clock := time.Date(2026, time.March, 1, 9, 30, 15, 987_000_000, time.FixedZone("BRT", -3*3600))
	defer func(saved func() time.Time) { now = saved }(now)
	now = func() time.Time { return clock }

	cfg, err := parseGeneratorFlags()
	require.NoError(t, err)
	assert.Equal(t, generator.Config{Seed: 1, Start: generator.DefaultStart, Days: 90, Contacts: 2000, Workspaces: 1}, cfg, "the defaults are unchanged")

	cfg, err = parseGeneratorFlags("-until", "now", "-days", "30", "-spike-team", "Sales")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, time.March, 1, 12, 30, 15, 0, time.UTC), cfg.Until, "now, in UTC, to the second")
	assert.True(t, cfg.Start.IsZero(), "the generator derives Start from Until")
	assert.Equal(t, 30, cfg.Days)
	assert.Equal(t, "Sales", cfg.MissedSpike)

	cfg, err = parseGeneratorFlags("-until", "2026-02-01T10:00:00+01:00")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, time.February, 1, 9, 0, 0, 0, time.UTC), cfg.Until)

	for name, args := range map[string][]string{
		"start and until":   {"-start", "2022-01-01", "-until", "now"},
		"until not instant": {"-until", "yesterday"},
		"until a date only": {"-until", "2026-02-01"},
		"start not a date":  {"-start", "01/02/2022"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseGeneratorFlags(args...)
			require.Error(t, err)
		})
	}
}

func TestSeedFlags(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	seed := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		require.NoError(t, run(ctx, append([]string{"seed", "-database-url", url, "-contacts", "150", "-days", "8"}, args...), &out))
		return out.String()
	}
	lastMessage := func() (at time.Time) {
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer func() { _ = conn.Close(ctx) }()
		require.NoError(t, conn.QueryRow(ctx, "SELECT max(created_at) FROM messages").Scan(&at))
		return at
	}

	first := time.Date(2025, time.June, 3, 14, 5, 0, 0, time.UTC)
	out := seed("-until", first.Format(time.RFC3339), "-spike-team", "sales")
	assert.Contains(t, out, "generating 8 days up to 2025-06-03T14:05:00Z, ending with a spike of missed conversations for team sales")
	assert.Contains(t, out, "loaded ")
	assert.WithinRange(t, lastMessage(), first.Add(-10*time.Minute), first)

	assert.Contains(t, seed("-if-empty", "-until", "now"), "store already holds data: not seeding again")
	assert.WithinRange(t, lastMessage(), first.Add(-10*time.Minute), first, "-if-empty left it alone")

	second := first.Add(36 * time.Hour)
	out = seed("-replace", "-until", second.Format(time.RFC3339), "-spike-team", "Sales")
	assert.Contains(t, out, "deleted the data the store held")
	assert.WithinRange(t, lastMessage(), second.Add(-10*time.Minute), second, "replaced by data up to the new end")

	var out2 bytes.Buffer
	err := run(ctx, []string{"seed", "-database-url", url, "-if-empty", "-replace"}, &out2)
	require.ErrorContains(t, err, "exclude each other")
	err = run(ctx, []string{"seed", "-database-url", url, "-replace", "-spike-team", "Billing"}, &out2)
	require.ErrorContains(t, err, "Sales, Support, Tech")
	assert.WithinRange(t, lastMessage(), second.Add(-10*time.Minute), second, "a bad flag deletes nothing")
}

// The demo's flags (both paths) load data that ends now with the spike.
func TestDemoSeedFlags(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	var out bytes.Buffer
	began := time.Now().Truncate(time.Second)
	require.NoError(t, run(ctx, append([]string{"seed", "-database-url", url}, demo.SeedFlags...), &out))
	assert.Contains(t, out.String(), "ending with a spike of missed conversations for team "+demo.SpikeTeam)

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	var last time.Time
	var waiting int
	require.NoError(t, conn.QueryRow(ctx, `SELECT (SELECT max(created_at) FROM messages),
		(SELECT count(*) FROM assignments a JOIN teams tm ON tm.workspace_id = a.workspace_id AND tm.id = a.team_id
		 WHERE tm.name = $1 AND a.accepted_at IS NULL AND a.ended_at IS NULL)`, demo.SpikeTeam).Scan(&last, &waiting))
	assert.WithinRange(t, last, began.Add(-10*time.Minute), time.Now(), "the data ends now")
	assert.GreaterOrEqual(t, waiting, generator.SpikeWaiting)
}

// grant-readonly creates a role that reads the store and cannot write it.
func TestGrantReadOnlyCommand(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	role := fmt.Sprintf("grafana_cli_reader_%d", os.Getpid())
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"grant-readonly", "-database-url", url, "-role", role, "-password", "it's secret"}, &out))
	require.Equal(t, "role "+role+" may read the conversation store and change nothing: set it as the data source's user\n", out.String())
	owner, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = owner.Close(ctx) }()
	t.Cleanup(func() { _, _ = owner.Exec(ctx, "DROP OWNED BY "+role+"; DROP ROLE "+role) })

	var reads, writes, hasPassword bool
	require.NoError(t, owner.QueryRow(ctx, `SELECT has_table_privilege($1, 'messages', 'SELECT'),
		has_table_privilege($1, 'messages', 'INSERT') OR has_schema_privilege($1, current_schema(), 'CREATE'),
		rolpassword IS NOT NULL FROM pg_authid WHERE rolname = $1`, role).Scan(&reads, &writes, &hasPassword))
	require.True(t, reads)
	require.False(t, writes)
	require.True(t, hasPassword)

	require.EqualError(t, run(ctx, []string{"grant-readonly", "-database-url", url}, &out),
		"-role is empty: name the role the data source will log in as")
}
