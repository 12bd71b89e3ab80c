package plugin

import (
	"context"
	"fmt"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// Every bad query gets its own 400 with what was wrong and how to fix it, and
// the good query sent beside them still answers.
func TestBadQueriesFailAloneWithAClearMessage(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"
	bad := map[string]struct{ json, message string }{
		"unknown metric": {`{"metric":"happiness"}`,
			fmt.Sprintf(`metric "happiness" is unknown: choose one of the %d metrics the query editor lists (resource catalog)`, len(catalog.Metrics))},
		"no metric": {`{"interval":"day"}`, "no metric chosen: pick a metric in the query editor"},
		"target under a second": {`{"queryType":"totals","metric":"service_level","targetSeconds":0.5}`,
			"targetSeconds 0.5 is out of range: use 1 second to 7 days (604800)"},
		"unknown dimension": {`{"metric":"active_users","groupBy":"mood"}`,
			`dimension "mood" is unknown: metric active_users can group by platform, inbox`},
		"dimension not allowed": {`{"metric":"active_users","groupBy":"sender"}`,
			"metric active_users cannot group by sender: use one of platform, inbox"},
		"filter not allowed": {`{"metric":"new_users","filters":[{"dimension":"sender","values":["bot"]}]}`,
			"metric new_users cannot filter by sender: use one of platform, inbox"},
		"empty filter": {`{"metric":"messages_sent","filters":[{"dimension":"sender","values":[""]}]}`,
			"the sender filter has no values: add a value or remove the filter"},
		"bad interval": {`{"metric":"active_users","interval":"fortnight"}`,
			`interval "fortnight" is unknown: use one of auto, minute, hour, day, week, month`},
		"unknown time zone": {`{"metric":"active_users","timezone":"Mars/Base"}`,
			`time zone "Mars/Base" is unknown: use an IANA name such as Europe/Madrid or America/Sao_Paulo`},
		"malformed JSON": {`{"metric":`, "the query is not valid JSON (unexpected end of JSON input): re-create it in the query editor"},
		"unknown kind": {`{"metric":"active_users","queryType":"forecast"}`,
			`metric "active_users" cannot be queried as "forecast": it supports timeseries, totals, ranking`},
		"newer version": {`{"metric":"active_users","version":99}`,
			"query version 99 is newer than this plugin understands (1): upgrade the plugin"},
	}
	queries := []backend.DataQuery{dataQuery("GOOD", `{"metric":"active_users","interval":"month"}`, jan, feb)}
	for refID, q := range bad {
		queries = append(queries, dataQuery(refID, q.json, jan, feb))
	}
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: queries})
	require.NoError(t, err)
	require.Len(t, resp.Responses, len(bad)+1)

	for refID, q := range bad {
		r := resp.Responses[refID]
		require.Error(t, r.Error, refID)
		require.Equal(t, q.message, r.Error.Error(), refID)
		require.Equal(t, backend.StatusBadRequest, r.Status, refID)
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, refID)
	}
	good, _ := series(t, resp.Responses["GOOD"].Frames[0])
	require.Equal(t, map[string][]float64{"Active users": {445}}, good)
}

func TestTooManyBucketsIsABadQuery(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", `{"metric":"active_users","interval":"minute"}`, "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"),
	}})
	require.NoError(t, err)
	require.Equal(t, backend.StatusBadRequest, resp.Responses["A"].Status)
	require.EqualError(t, resp.Responses["A"].Error,
		"interval 1m over this time range makes more than 20000 buckets: choose hour or a coarser interval, or auto")
}

// Invalid settings do not stop the instance: each query and the health check
// say which setting to fix.
func TestInvalidSettingsAreReportedPerQuery(t *testing.T) {
	instance, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		JSONData: []byte(`{"host":"","port":70000,"database":"chat","user":"grafana","tlsMode":"sometimes"}`),
	})
	require.NoError(t, err)
	ds := instance.(*Datasource)
	defer ds.Dispose()

	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", `{"metric":"active_users"}`, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"),
	}})
	require.NoError(t, err)
	const want = "invalid data source settings: host is empty: enter the PostgreSQL server's host name or address; " +
		"port 70000 is out of range: use 1-65535 (PostgreSQL's default is 5432); " +
		"workspace is empty: enter the workspace slug whose data this data source shows; " +
		`TLS mode "sometimes" is unknown: use disable, require, verify-ca or verify-full`
	require.EqualError(t, resp.Responses["A"].Error, want)
	require.Equal(t, backend.StatusBadRequest, resp.Responses["A"].Status)

	health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, backend.HealthStatusError, health.Status)
	require.Equal(t, want, health.Message)
}
