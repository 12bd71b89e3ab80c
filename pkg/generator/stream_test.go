package generator_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

var updateFingerprints = flag.Bool("update-fingerprints", false, "rewrite testdata/fingerprints.json (only when the data change on purpose)")

// fingerprintConfigs are the configurations whose data testdata/fingerprints.json
// pins: a plain one, and a live one (Until, a spike, two workspaces).
var fingerprintConfigs = map[string]generator.Config{
	"2000 contacts, 30 days": {Seed: 11, Start: start, Days: 30, Contacts: 2000},
	"live, spike, 2 workspaces": {Seed: 5, Days: 14, Contacts: 600, Workspaces: 2, Agents: 7,
		Until: time.Date(2022, time.March, 3, 14, 37, 12, 0, time.UTC), MissedSpike: "Support"},
}

// The data for a seed is pinned to what the generator produced when it still
// simulated every contact in memory and sorted the rows there (the
// fingerprints were written by that code): the streamed load must give the
// same rows, byte for byte, whatever its chunk size.
func TestDataMatchesTheRecordedFingerprints(t *testing.T) {
	got, summaries := loadFingerprints(t)
	const path = "testdata/fingerprints.json"
	if *updateFingerprints {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var want map[string]map[string]string
	require.NoError(t, json.Unmarshal(b, &want))
	assert.Equal(t, want, got)

	// 2000 contacts 37 at a time are 55 runs to merge, the spike one more,
	// and COPY statements of 1000 rows are 32 for the messages: neither the
	// chunks' edges nor the statements' show in the data, nor in the
	// summaries that the messages' triggers maintain statement by statement.
	defer generator.SetChunkContacts(37)()
	defer generator.SetCopyBatchRows(1000)()
	chunked, chunkedSummaries := loadFingerprints(t)
	assert.Equal(t, want, chunked, "in chunks of 37 contacts, 1000 rows a COPY")
	assert.Equal(t, summaries, chunkedSummaries, "the summaries, in chunks of 37 contacts, 1000 rows a COPY")
}

// summaryTables are tables the messages' triggers fill, with their keys.
var summaryTables = map[string]string{
	"message_slots":          "workspace_id, slot, platform, inbox_id, task_id, direction, sender, billable",
	"conversation_slots":     "workspace_id, slot, platform, inbox_id, task_id, start_flow_id",
	"conversation_inbound":   "workspace_id, conversation_id",
	"response_run_slots":     "workspace_id, slot, agent_id, platform",
	"contact_slots":          "workspace_id, slot, contact_id, inbox_id",
	"message_minutes":        "workspace_id, minute",
	"contact_first_inbound":  "workspace_id, contact_id",
	"agent_message_slots":    "workspace_id, slot, agent_id, platform, inbox_id",
	"active_contact_slots":   "workspace_id, slot, platform",
	"language_contact_slots": "workspace_id, slot, language, platform",
	"cc_message_slots":       "workspace_id, slot, platform, inbox_id, sender",
	"closing_reason_slots":   "workspace_id, slot, closing_reason, platform, inbox_id, agent_id, team_id, role",
	"template_send_slots":    "workspace_id, slot, category, platform, inbox_id",
	"credit_movement_slots":  "workspace_id, slot",
	"page_visit_slots":       "workspace_id, slot, url, platform",
	"contact_inbound":        "workspace_id, contact_id",
}

// loadFingerprints loads each of fingerprintConfigs into a database of its own
// and returns the databases' fingerprints, and those of their summary tables.
func loadFingerprints(t *testing.T) (tables, summaries map[string]map[string]string) {
	t.Helper()
	tables, summaries = map[string]map[string]string{}, map[string]map[string]string{}
	for name, cfg := range fingerprintConfigs {
		pool := storetest.Pool(t)
		_, err := generator.Load(context.Background(), pool, cfg)
		require.NoError(t, err, name)
		tables[name] = fingerprint(t, pool)
		summaries[name] = map[string]string{}
		for table, key := range summaryTables {
			var count int64
			var sum string
			q := fmt.Sprintf("SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY %s)), '') FROM %s t", key, table)
			require.NoError(t, pool.QueryRow(context.Background(), q).Scan(&count, &sum))
			require.Positive(t, count, table)
			summaries[name][table] = fmt.Sprintf("%d rows, md5 %s", count, sum)
		}
	}
	return tables, summaries
}

// The rows wait in temporary files under $TMPDIR during a load; none is left
// behind, whether the load succeeds or is cancelled half-way.
func TestLoadLeavesNoTemporaryFiles(t *testing.T) {
	// The databases first: the test server may start under $TMPDIR.
	pools := []*pgxpool.Pool{storetest.Pool(t), storetest.Pool(t), storetest.Pool(t)}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cfg := generator.Config{Seed: 2, Start: start, Days: 14, Contacts: 300}

	spilled := false
	_, err := generator.LoadWithProgress(context.Background(), pools[0], cfg, func(p generator.Progress) {
		if p.Phase == generator.PhaseLoading {
			entries, err := os.ReadDir(tmp)
			require.NoError(t, err)
			spilled = spilled || len(entries) > 0
		}
	})
	require.NoError(t, err)
	assert.True(t, spilled, "the load spills under $TMPDIR")
	assertEmptyDir(t, tmp)

	for i, phase := range []string{generator.PhaseSorting, generator.PhaseLoading} {
		ctx, cancel := context.WithCancel(context.Background())
		_, err = generator.LoadWithProgress(ctx, pools[1+i], cfg, func(p generator.Progress) {
			if p.Phase == phase {
				cancel()
			}
		})
		cancel()
		require.ErrorIs(t, err, context.Canceled, "cancelled while %s", phase)
		assertEmptyDir(t, tmp)
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Empty(t, names, "left in %s", dir)
}
