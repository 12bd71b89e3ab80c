package catalog

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// Every event is counted with a metric of the catalog that can be split the way the event is.
func TestAnnotationEventsUseTheCatalog(t *testing.T) {
	for _, e := range AnnotationEvents {
		m, ok := Lookup(e.Metric)
		require.True(t, ok, "%s counts unknown metric %s", e.ID, e.Metric)
		if e.GroupBy != "" {
			require.True(t, m.Allows(e.GroupBy), "%s groups by %s, which %s does not allow", e.ID, e.GroupBy, m.ID)
		}
		require.GreaterOrEqual(t, e.DefaultThreshold, int64(1))
		require.LessOrEqual(t, e.DefaultThreshold, int64(MaxAnnotationThreshold))
		require.NotEmpty(t, e.Title)
	}
}

// Burst windows are whole quarter hours around the range; an end on a quarter
// hour is not moved.
func TestBurstWindowsCoverTheRange(t *testing.T) {
	resolve := func(from, to string) Plan {
		t.Helper()
		q, err := models.ParseQuery(backend.DataQuery{
			JSON:      json.RawMessage(`{"queryType":"annotations","event":"missed_bursts","timezone":"Asia/Kathmandu"}`),
			TimeRange: backend.TimeRange{From: mustTime(t, from), To: mustTime(t, to)},
		})
		require.NoError(t, err)
		plan, err := Resolve(q)
		require.NoError(t, err)
		return plan
	}
	plan := resolve("2022-01-10T10:20:00Z", "2022-01-10T11:05:00Z")
	require.Equal(t, []time.Time{mustTime(t, "2022-01-10T10:15:00Z"), mustTime(t, "2022-01-10T11:15:00Z")}, plan.Boundaries)
	require.Equal(t, int64(5), plan.Threshold, "the alert rule's floor")
	require.Equal(t, DimTeam.ID, plan.GroupBy)
	plan = resolve("2022-01-10T10:00:00Z", "2022-01-10T11:00:00Z")
	require.Equal(t, []time.Time{mustTime(t, "2022-01-10T10:00:00Z"), mustTime(t, "2022-01-10T11:00:00Z")}, plan.Boundaries)
}

func mustTime(t *testing.T, value string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, value)
	require.NoError(t, err)
	return v.UTC()
}
