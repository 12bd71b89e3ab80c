package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/roles"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// requiringReadOnlyRole is settings with requireReadOnlyRole set to on.
func requiringReadOnlyRole(t testing.TB, settings backend.DataSourceInstanceSettings, on bool) backend.DataSourceInstanceSettings {
	t.Helper()
	var jsonData map[string]any
	require.NoError(t, json.Unmarshal(settings.JSONData, &jsonData))
	jsonData["requireReadOnlyRole"] = on
	raw, err := json.Marshal(jsonData)
	require.NoError(t, err)
	settings.JSONData = raw
	return settings
}

// readOnlyRoleFor creates a read-only role with the script on the store at
// url and returns its name; it is dropped when the test ends.
func readOnlyRoleFor(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	role := fmt.Sprintf("grafana_reader_%d", os.Getpid())
	owner, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := owner.Exec(ctx, "DROP OWNED BY "+role+"; DROP ROLE IF EXISTS "+role)
		require.NoError(t, err)
		_ = owner.Close(ctx)
	})
	require.NoError(t, roles.GrantReadOnly(ctx, owner, role, "", ""))
	return role
}

func refusalOf(user, privilege string) string {
	return fmt.Sprintf("user %q can change the conversation store: it %s. The data source settings require a read-only role: "+
		"log in as a role with SELECT only, which pkg/store/roles/readonly.sql or `%s` creates (see docs/security.md), "+
		"or turn off \"Require a read-only role\"", user, privilege, store.GrantReadOnlyCommand)
}

// A superuser is refused by the health check, every query and the
// resources when the settings require a read-only role, and accepted when
// they do not.
func TestRequireReadOnlyRoleRefusesASuperuser(t *testing.T) {
	url := fixtureURL(t, "usage_fixture")
	const query = `{"metric":"active_users","interval":"month"}`
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"
	refusal := refusalOf("postgres", "is a superuser")

	strict := requiringReadOnlyRole(t, instanceSettings(t, url, "acme"), true)
	health := checkHealth(t, strict)
	require.Equal(t, backend.HealthStatusError, health.Status)
	require.Equal(t, refusal, health.Message)

	instance, err := NewDatasource(context.Background(), strict)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	defer ds.Dispose()
	response := queryOnce(t, ds, query, jan, feb)
	require.EqualError(t, response.Error, refusal)
	require.Equal(t, backend.StatusBadRequest, response.Status)
	require.Equal(t, backend.ErrorSourceDownstream, response.ErrorSource)
	status, values := dimensionValues(t, ds, "dimensions/platform/values")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, []string{refusal}, values)

	lenient := requiringReadOnlyRole(t, instanceSettings(t, url, "acme"), false)
	require.Equal(t, backend.HealthStatusOk, checkHealth(t, lenient).Status)
	all, _ := series(t, ask(t, newDatasourceAt(t, url, "acme"), query, jan, feb))
	require.Equal(t, map[string][]float64{"Active users": {445}}, all)
}

// A role that may write one table is refused too, naming the privilege; the
// check is made once per instance, not per query.
func TestRequireReadOnlyRoleRefusesAWriterAndChecksOnce(t *testing.T) {
	url := fixtureURL(t, "usage_fixture")
	role := readOnlyRoleFor(t, url)
	exec(t, url, "GRANT DELETE ON messages TO "+role)
	settings := requiringReadOnlyRole(t, instanceSettings(t, storetest.WithUser(url, role), "acme"), true)
	health := checkHealth(t, settings)
	require.Equal(t, refusalOf(role, "has DELETE on table messages"), health.Message)

	exec(t, url, "REVOKE DELETE ON messages FROM "+role)
	instance, err := NewDatasource(context.Background(), settings)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	defer ds.Dispose()
	const query = `{"metric":"active_users","interval":"month"}`
	ask(t, ds, query, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	// Accepted once, the role stays accepted for the instance's life.
	exec(t, url, "GRANT DELETE ON messages TO "+role)
	ask(t, ds, query, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
}

// The script's role, with requireReadOnlyRole on, passes the health check
// and answers every metric of the catalog in every kind, grouped by each of
// its dimensions, and lists every dimension's values: its grants are enough.
func TestEveryMetricAnswersAsTheReadOnlyRole(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 1, Days: 90, Contacts: 100})
	pool.Close()
	require.NoError(t, err)
	role := readOnlyRoleFor(t, url)
	settings := requiringReadOnlyRole(t, instanceSettings(t, storetest.WithUser(url, role), "demo"), true)

	health := checkHealth(t, settings)
	require.Equal(t, backend.HealthStatusOk, health.Status, health.Message)
	require.Equal(t, fmt.Sprintf(`Connected to the conversation store (schema version %d), workspace "demo", as user %q, which can only read it`,
		store.SchemaVersion, role), health.Message)
	instance, err := NewDatasource(ctx, settings)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	defer ds.Dispose()

	from, to := at("2022-03-01T00:00:00Z"), at("2022-04-01T00:00:00Z")
	var queries []backend.DataQuery
	for _, metric := range catalog.Metrics {
		for _, kind := range metric.Kinds {
			groups := append([]string{""}, metric.Dimensions...)
			if kind == models.KindRanking {
				groups = metric.Dimensions
			}
			for _, groupBy := range groups {
				query := fmt.Sprintf(`{"queryType":%q,"metric":%q,"groupBy":%q,"interval":"day","conversationId":1}`, kind, metric.ID, groupBy)
				if kind == models.KindRecords {
					query = fmt.Sprintf(`{"queryType":%q,"metric":%q,"conversationId":1}`, kind, metric.ID)
				}
				queries = append(queries, backend.DataQuery{RefID: fmt.Sprintf("%s/%s/%s", metric.ID, kind, groupBy),
					JSON: json.RawMessage(query), TimeRange: backend.TimeRange{From: from, To: to},
					Interval: time.Hour, MaxDataPoints: 1000})
				if kind == models.KindRecords {
					break
				}
			}
		}
	}
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: queries})
	require.NoError(t, err)
	for _, q := range queries {
		require.NoError(t, resp.Responses[q.RefID].Error, q.RefID)
	}
	for _, dimension := range catalog.Dimensions {
		status, values := dimensionValues(t, ds, "dimensions/"+dimension.ID+"/values")
		require.Equal(t, http.StatusOK, status, "%s: %v", dimension.ID, values)
	}
	t.Logf("%d queries answered as role %s", len(queries), role)
}
