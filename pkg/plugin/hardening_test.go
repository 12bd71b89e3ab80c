package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// alertQueries runs queries as Grafana's alerting sends them (max data points
// 43200 at a 1s interval) over [from, to), keyed by refId.
func alertQueries(t *testing.T, ds *Datasource, from, to time.Time, queries map[string]string) map[string]backend.DataResponse {
	t.Helper()
	req := &backend.QueryDataRequest{}
	for refID, queryJSON := range queries {
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID: refID, JSON: json.RawMessage(queryJSON), Interval: time.Second, MaxDataPoints: 43200,
			TimeRange: backend.TimeRange{From: from, To: to},
		})
	}
	resp, err := ds.QueryData(context.Background(), req)
	require.NoError(t, err)
	return resp.Responses
}

// An alert rule over 14 days or more used to answer 400 "more than 20000
// buckets". Every range answers, with the finest auto interval within the cap.
func TestAlertRulesOverLongRangesAnswer(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	end := at("2022-02-01T00:00:00Z")
	cases := map[string]struct {
		span time.Duration
		step time.Duration
	}{
		"1h":  {time.Hour, time.Minute},
		"7d":  {7 * 24 * time.Hour, 15 * time.Minute},
		"14d": {14 * 24 * time.Hour, 15 * time.Minute},
		"90d": {90 * 24 * time.Hour, 15 * time.Minute},
		"1y":  {365 * 24 * time.Hour, 30 * time.Minute},
		"10y": {3652 * 24 * time.Hour, 6 * time.Hour},
	}
	for name, c := range cases {
		r := alertQueries(t, ds, end.Add(-c.span), end, map[string]string{"A": `{"metric":"total_messages","interval":"auto"}`})["A"]
		require.NoError(t, r.Error, name)
		_, buckets := series(t, r.Frames[0])
		require.Equal(t, c.step, buckets[1].Sub(buckets[0]), name)
		require.LessOrEqual(t, len(buckets), 20000, name)
	}
}

func manyValues(n int, real ...string) []string {
	values := append([]string{}, real...)
	for i := len(values); i < n; i++ {
		values = append(values, fmt.Sprintf("no-such-platform-%d", i))
	}
	return values
}

func filterQuery(metric, kind string, values []string) string {
	raw, err := json.Marshal(map[string]any{"metric": metric, "queryType": kind, "interval": "month",
		"filters": []map[string]any{{"dimension": "platform", "values": values}}})
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// A filter of 10,000 values runs on PostgreSQL (its values are one array
// parameter) and keeps the right rows; 10,001 and 70,000 values are refused
// with a 400 that says how many were sent and the cap.
func TestHugeFiltersAnswerOrAreRefusedClearly(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"
	totals := func(r backend.DataResponse) float64 {
		require.NoError(t, r.Error)
		v, ok := r.Frames[0].Fields[len(r.Frames[0].Fields)-1].ConcreteAt(0)
		require.True(t, ok)
		return v.(float64)
	}
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("WHATSAPP", filterQuery("active_users", "totals", manyValues(10_000, "whatsapp")), jan, feb),
		dataQuery("BOTH", filterQuery("active_users", "totals", manyValues(10_000, "whatsapp", "webchat")), jan, feb),
		dataQuery("SERIES", filterQuery("active_users", "timeseries", manyValues(10_000, "webchat")), jan, feb),
		dataQuery("TOO_MANY", filterQuery("active_users", "totals", manyValues(10_001)), jan, feb),
		dataQuery("ALL_VARIABLE", filterQuery("active_users", "totals", manyValues(70_000)), jan, feb),
	}})
	require.NoError(t, err)
	require.Equal(t, 416.0, totals(resp.Responses["WHATSAPP"]))
	require.Equal(t, 445.0, totals(resp.Responses["BOTH"]))
	webchat, _ := series(t, resp.Responses["SERIES"].Frames[0])
	require.Equal(t, map[string][]float64{"Active users": {29}}, webchat)
	for refID, n := range map[string]int{"TOO_MANY": 10_001, "ALL_VARIABLE": 70_000} {
		r := resp.Responses[refID]
		require.Equal(t, backend.StatusBadRequest, r.Status, refID)
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, refID)
		require.EqualError(t, r.Error, fmt.Sprintf(`the platform filter has %d values, more than 10000: choose fewer values, or remove the filter to keep every value (an "All" variable needs no filter)`, n))
	}
}

// A NUL byte or invalid UTF-8 anywhere the user types is a 400 naming the
// field, never PostgreSQL's 502 "invalid byte sequence".
func TestNULBytesAreTheUsersToRemove(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"
	cases := map[string]struct{ json, message string }{
		"value":    {`{"metric":"active_users","filters":[{"dimension":"platform","values":["whatsapp\u0000"]}]}`, `the "platform" filter's value "whatsapp\x00" contains a NUL byte (\u0000): remove it`},
		"metric":   {`{"metric":"active_users\u0000"}`, `metric "active_users\x00" contains a NUL byte (\u0000): remove it`},
		"groupBy":  {`{"metric":"active_users","groupBy":"\u0000"}`, `groupBy "\x00" contains a NUL byte (\u0000): remove it`},
		"timezone": {`{"metric":"active_users","timezone":"UTC\u0000"}`, `timezone "UTC\x00" contains a NUL byte (\u0000): remove it`},
	}
	queries := []backend.DataQuery{dataQuery("GOOD", `{"metric":"active_users","interval":"month"}`, jan, feb)}
	for refID, c := range cases {
		queries = append(queries, dataQuery(refID, c.json, jan, feb))
	}
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: queries})
	require.NoError(t, err)
	for refID, c := range cases {
		r := resp.Responses[refID]
		require.Equal(t, backend.StatusBadRequest, r.Status, refID)
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, refID)
		require.EqualError(t, r.Error, c.message, refID)
	}
	require.NoError(t, resp.Responses["GOOD"].Error)

	// In the settings: the same error as any bad setting, on every query and resource.
	bad := newDatasourceAt(t, storeURLOf(t, ds), "acme\x00")
	r := queryOnce(t, bad, `{"metric":"active_users"}`, jan, feb)
	require.Equal(t, backend.StatusBadRequest, r.Status)
	require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource)
	require.EqualError(t, r.Error, `invalid data source settings: workspace "acme\x00" contains a NUL byte (\u0000): remove it`)
	status, message := dimensionValues(t, bad, "dimensions/platform/values")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, []string{r.Error.Error()}, message)
}

// storeURLOf is the database an instance of the tests reads.
func storeURLOf(t *testing.T, ds *Datasource) string {
	t.Helper()
	c := ds.pool.Config().ConnConfig
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", c.User, c.Password, c.Host, c.Port, c.Database)
}

// Time ranges the store or the driver cannot represent are refused, in
// queries and in the dimension values resource alike.
func TestTimeRangesAreBoundsChecked(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const accepted = "use times from 1970-01-01T00:00:00Z to 10000-01-01T00:00:00Z (years 1970 to 9999)"
	ranges := map[string]backend.TimeRange{
		"EPOCH_TO_MAX": {From: time.UnixMilli(0), To: time.UnixMilli(1<<63 - 1)},
		"FAR_FUTURE":   {From: at("2022-01-01T00:00:00Z"), To: time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"FAR_PAST":     {From: time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), To: at("2022-01-01T00:00:00Z")},
		"BACKWARDS":    {From: at("2022-02-01T00:00:00Z"), To: at("2022-01-01T00:00:00Z")},
	}
	req := &backend.QueryDataRequest{}
	for refID, r := range ranges {
		for _, kind := range []string{"timeseries", "totals"} {
			req.Queries = append(req.Queries, backend.DataQuery{RefID: refID + "_" + kind, TimeRange: r, MaxDataPoints: 1000, Interval: time.Minute,
				JSON: json.RawMessage(`{"metric":"active_users","queryType":"` + kind + `"}`)})
		}
	}
	resp, err := ds.QueryData(context.Background(), req)
	require.NoError(t, err)
	for refID, r := range resp.Responses {
		require.Equal(t, backend.StatusBadRequest, r.Status, refID)
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, refID)
		if strings.HasPrefix(refID, "BACKWARDS") {
			require.EqualError(t, r.Error, "the time range is empty (from 2022-02-01T00:00:00Z to 2022-01-01T00:00:00Z): choose a later end", refID)
		} else {
			require.ErrorContains(t, r.Error, "is outside the accepted range: "+accepted, refID)
		}
	}

	for path, want := range map[string]string{
		"dimensions/intent/values?from=0&to=9223372036854775807":           "outside the accepted range: " + accepted,
		"dimensions/intent/values?from=-1000&to=1646092800000":             "outside the accepted range: " + accepted,
		"dimensions/intent/values?from=1646092800000&to=1643673600000":     "the range of from and to is empty",
		"dimensions/intent/values?from=1643673600000":                      "from and to go together: pass both",
		"dimensions/intent/values?from=1&from=2&to=3":                      "from is given 2 times: pass it once",
		"dimensions/intent/values?from=1643673600000&to=99999999999999999": "outside the accepted range",
	} {
		status, message := dimensionValues(t, ds, path)
		require.Equal(t, http.StatusBadRequest, status, path)
		require.Contains(t, message[0], want, path)
	}
}

// The time zone Local would be the plugin host's, which nobody chose.
func TestLocalTimeZoneIsRefused(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	r := queryOnce(t, ds, `{"metric":"active_users","timezone":"Local"}`, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	require.Equal(t, backend.StatusBadRequest, r.Status)
	require.EqualError(t, r.Error, `time zone "Local" is the plugin host's zone, not the dashboard's: use an IANA name such as Europe/Madrid, or UTC`)
}

// A 10 MB metric id does not make a 10 MB message.
func TestEchoedInputIsBounded(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	huge := strings.Repeat("m", 10<<20)
	r := queryOnce(t, ds, `{"metric":"`+huge+`"}`, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	require.Equal(t, backend.StatusBadRequest, r.Status)
	require.Less(t, len(r.Error.Error()), 300)
	require.Contains(t, r.Error.Error(), `…" (10485760 bytes) is unknown: choose one of the`)
	status, message := dimensionValues(t, ds, "dimensions/"+huge+"/values")
	require.Equal(t, http.StatusNotFound, status)
	require.Less(t, len(message[0]), 300)
}

// An unknown workspace used to answer zeros as if it were empty: every query
// and resource now answers the health check's message.
func TestUnknownWorkspaceIsAnsweredOnEveryCall(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acmee")
	const want = `workspace "acmee" is not in the store (it has: acme, other): correct the workspace in the data source settings`
	health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, want, health.Message)
	for i := 0; i < 2; i++ { // the second answer comes from the instance's cache
		r := queryOnce(t, ds, `{"metric":"active_users"}`, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
		require.Equal(t, backend.StatusBadRequest, r.Status)
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource)
		require.EqualError(t, r.Error, want)
		for _, path := range []string{"dimensions/platform/values", "dimensions/sender/values"} {
			status, message := dimensionValues(t, ds, path)
			require.Equal(t, http.StatusBadRequest, status, path)
			require.Equal(t, []string{want}, message, path)
		}
	}
	require.False(t, ds.workspace.found)
	require.Equal(t, want, ds.workspace.problem)
	good := newDatasourceAt(t, url, "acme")
	require.NoError(t, queryOnce(t, good, `{"metric":"active_users"}`, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z").Error)
	require.True(t, good.workspace.found)
}

// A workspace check the store cannot answer is not taken for a missing
// workspace: the query reports the store's own error, and the check is
// asked again later instead of being remembered.
func TestWorkspaceCheckOnAnUnreachableStore(t *testing.T) {
	ds := newDatasourceAt(t, "postgres://grafana:secret@127.0.0.1:1/chatbot?sslmode=disable", "acme")
	r := queryOnce(t, ds, `{"metric":"active_users"}`, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	require.Equal(t, backend.StatusBadGateway, r.Status)
	require.Contains(t, r.Error.Error(), "cannot reach PostgreSQL at 127.0.0.1:1")
	require.True(t, ds.workspace.failed)
	require.False(t, ds.workspace.found)
	require.Empty(t, ds.workspace.problem)
}

// Once a data source has found its workspace, its statements are fenced by
// the workspace's id, a bind parameter: two data sources on two workspaces
// of one store run the same statement text, without a lookup of the slug,
// and each counts its own workspace's messages only.
func TestStatementsAreFencedByTheWorkspaceID(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	const from, to = "2021-01-01T00:00:00Z", "2023-01-01T00:00:00Z"
	counts := map[string]float64{}
	var statements []string
	for _, slug := range []string{"acme", "other"} {
		frame := ask(t, newDatasourceAt(t, url, slug), `{"queryType":"totals","metric":"total_messages"}`, from, to)
		got := rows(t, frame)
		require.Len(t, got, 1, slug)
		counts[slug] = got[0][1].(float64)
		statements = append(statements, frame.Meta.ExecutedQueryString)
		var want float64
		pool, err := pgxpool.New(context.Background(), url)
		require.NoError(t, err)
		require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM messages m JOIN workspaces w ON w.id = m.workspace_id
			WHERE w.slug = $1 AND m.created_at >= $2 AND m.created_at < $3`, slug, from, to).Scan(&want))
		pool.Close()
		require.Equal(t, want, counts[slug], slug)
	}
	require.NotEqual(t, counts["acme"], counts["other"])
	require.Equal(t, statements[0], statements[1])
	require.NotContains(t, statements[0], "workspaces w")
	require.Contains(t, statements[0], "workspace_id = $")
}

// The workspace's id is looked up again after a minute: a workspace deleted
// and created again under the same slug (a new id) is read by its new id,
// and one deleted is answered as missing, not as an empty workspace.
func TestWorkspaceIsLookedUpAgain(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	const from, to = "2021-01-01T00:00:00Z", "2023-01-01T00:00:00Z"
	const query = `{"queryType":"totals","metric":"total_messages"}`
	messages := func() float64 {
		t.Helper()
		got := rows(t, ask(t, ds, query, from, to))
		require.Len(t, got, 1)
		return got[0][1].(float64)
	}
	// fence is the workspace as the data source fences its statements now.
	fence := func() (sqlbuild.Workspace, error) { return ds.checkWorkspace(context.Background()) }
	before := messages()
	require.Positive(t, before)
	first, err := fence()
	require.NoError(t, err)
	require.Positive(t, first.ID)

	// acme goes, and a new acme comes, without messages.
	exec(t, url, `UPDATE workspaces SET slug = 'acme-gone' WHERE slug = 'acme';
		INSERT INTO workspaces (id, slug, name) VALUES (99, 'acme', 'Acme again')`)
	require.Equal(t, before, messages(), "within the minute, the id found before")
	ds.workspace.checked = ds.workspace.checked.Add(-foundWorkspaceTTL)
	require.Zero(t, messages(), "the new workspace's, by its id")
	again, err := fence()
	require.NoError(t, err)
	require.Equal(t, int32(99), again.ID)

	exec(t, url, `DELETE FROM workspaces WHERE slug = 'acme'`)
	ds.workspace.checked = ds.workspace.checked.Add(-foundWorkspaceTTL)
	r := queryOnce(t, ds, query, from, to)
	require.Equal(t, backend.StatusBadRequest, r.Status)
	require.ErrorContains(t, r.Error, `workspace "acme" is not in the store`)
	gone, err := fence()
	require.ErrorContains(t, err, `workspace "acme" is not in the store`)
	require.Equal(t, sqlbuild.WorkspaceSlug("acme"), gone)
}
