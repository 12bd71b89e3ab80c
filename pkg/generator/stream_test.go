package generator_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

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
	got := loadFingerprints(t)
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

	// 2000 contacts 37 at a time are 55 runs to merge, the spike one more;
	// the chunks' edges must not show in the data.
	defer generator.SetChunkContacts(37)()
	assert.Equal(t, want, loadFingerprints(t), "in chunks of 37 contacts")
}

// loadFingerprints loads each of fingerprintConfigs into a database of its own
// and returns the databases' fingerprints.
func loadFingerprints(t *testing.T) map[string]map[string]string {
	t.Helper()
	got := map[string]map[string]string{}
	for name, cfg := range fingerprintConfigs {
		pool := storetest.Pool(t)
		_, err := generator.Load(context.Background(), pool, cfg)
		require.NoError(t, err, name)
		got[name] = fingerprint(t, pool)
	}
	return got
}
