package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// sharedCatalogFixture is the catalog resource as the frontend tests load it,
// so the two sides test against the same catalog and cannot drift apart.
const sharedCatalogFixture = "../../src/testing/catalog.json"

func callResource(t *testing.T, ds *Datasource, method, path string) *backend.CallResourceResponse {
	t.Helper()
	var response *backend.CallResourceResponse
	// As Grafana sends it: the path without the query string, the URL with it.
	bare, _, _ := strings.Cut(path, "?")
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Method: method, Path: bare, URL: path},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			response = r
			return nil
		}))
	require.NoError(t, err)
	require.NotNil(t, response)
	return response
}

func TestCatalogResourceMatchesTheFrontendFixture(t *testing.T) {
	instance, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{})
	require.NoError(t, err)
	ds := instance.(*Datasource)

	response := callResource(t, ds, http.MethodGet, "catalog")
	require.Equal(t, http.StatusOK, response.Status)
	var served catalogResponse
	require.NoError(t, json.Unmarshal(response.Body, &served))
	require.Len(t, served.Metrics, len(catalog.Metrics))
	require.Equal(t, "active_users", served.Metrics[0].ID)
	require.Equal(t, []string{"platform", "inbox"}, served.Metrics[0].Dimensions)

	pretty, err := json.MarshalIndent(served, "", "  ")
	require.NoError(t, err)
	pretty = append(pretty, '\n')
	if *updateGolden {
		require.NoError(t, os.WriteFile(sharedCatalogFixture, pretty, 0o600))
	}
	fixture, err := os.ReadFile(sharedCatalogFixture)
	require.NoError(t, err)
	require.JSONEq(t, string(fixture), string(pretty), "the catalog changed: run go test ./pkg/plugin -update-golden and check the frontend tests")

	require.Equal(t, http.StatusMethodNotAllowed, callResource(t, ds, http.MethodPost, "catalog").Status)
	require.Equal(t, http.StatusNotFound, callResource(t, ds, http.MethodGet, "nothing-here").Status)
}

func dimensionValues(t *testing.T, ds *Datasource, path string) (int, []string) {
	t.Helper()
	response := callResource(t, ds, http.MethodGet, path)
	if response.Status != http.StatusOK {
		var problem errorResponse
		require.NoError(t, json.Unmarshal(response.Body, &problem))
		return response.Status, []string{problem.Message}
	}
	var body valuesResponse
	require.NoError(t, json.Unmarshal(response.Body, &body))
	return response.Status, body.Values
}

// Dimension values for template variables and filter pickers: the workspace's
// own, sorted, narrowed by the time range where they are events.
func TestDimensionValuesResource(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	acme := newDatasourceAt(t, url, "acme")
	other := newDatasourceAt(t, url, "other")

	cases := []struct {
		ds     *Datasource
		path   string
		status int
		values []string
	}{
		{acme, "dimensions/platform/values", 200, []string{"webchat", "whatsapp"}},
		{acme, "dimensions/flow/values", 200, []string{"human handoff", "order status", "welcome"}},
		{other, "dimensions/flow/values", 200, []string{"welcome"}},
		{acme, "dimensions/agent/values", 200, []string{"Ana", "Bruno", "Carla"}},
		{acme, "dimensions/team/values", 200, []string{"Sales", "Support"}},
		{acme, "dimensions/intent/values", 200, []string{"greeting", "order_status", "refund"}},
		{acme, "dimensions/language/values", 200, []string{"en", "es", "pt"}},
		// February 2022 only: contact 1 wrote "refund" in Spanish; the bot's reply carries "greeting".
		{acme, "dimensions/intent/values?from=1643673600000&to=1646092800000", 200, []string{"greeting", "refund"}},
		{acme, "dimensions/language/values?from=1643673600000&to=1646092800000", 200, []string{"es"}},
		// January 2022's phrases, normalised; conversation 15's empty text is none.
		{acme, "dimensions/phrase/values?from=1640995200000&to=1643673600000", 200,
			[]string{"hello", "hi", "how can i help", "i want a refund", "thanks", "where is my order"}},
		{acme, "dimensions/closing_reason/values", 200, []string{"resolved", "timeout", "transferred"}},
		{acme, "dimensions/sender/values", 200, []string{"contact", "bot", "agent", "broadcast"}},
		{acme, "dimensions/role/values", 200, []string{"support", "admin", "tech"}},
		// A text search has no values to offer.
		{acme, "dimensions/message_text/values", 200, []string{}},
		{acme, "dimensions/message_text/values?from=1640995200000&to=1643673600000", 200, []string{}},
		{acme, "dimensions/mood/values", 404, []string{`dimension "mood" is unknown: use one of the dimension ids the catalog resource lists`}},
		{acme, "dimensions/intent/values?from=yesterday&to=1646092800000", 400, []string{`from "yesterday" is not in epoch milliseconds: pass from and to as whole numbers, as Grafana's time range`}},
		// order=recent: latest activity first. Spring sale's newest conversation started on
		// 2022-01-20 (17 and 18), Renewals' on 2022-01-06 (14), so by name they swap.
		{acme, "dimensions/task/values", 200, []string{"Renewals", "Spring sale"}},
		{acme, "dimensions/task/values?order=name", 200, []string{"Renewals", "Spring sale"}},
		{acme, "dimensions/task/values?order=recent", 200, []string{"Spring sale", "Renewals"}},
		// Languages by their latest inbound message: es on 02-10 (16), en on 01-06 10:01 (14),
		// pt on 01-05 10:01 (13); in January only, en is the latest.
		{acme, "dimensions/language/values?order=recent", 200, []string{"es", "en", "pt"}},
		{acme, "dimensions/language/values?order=recent&from=1640995200000&to=1643673600000", 200, []string{"en", "es", "pt"}},
		// A closed vocabulary keeps its order; agents have no activity to order by.
		{acme, "dimensions/sender/values?order=recent", 200, []string{"contact", "bot", "agent", "broadcast"}},
		{acme, "dimensions/agent/values?order=recent", 400, []string{"the values of agent have no activity to order by: use order=name"}},
		{acme, "dimensions/task/values?order=newest", 400, []string{`order "newest" is unknown: use name or recent`}},
	}
	for _, c := range cases {
		status, values := dimensionValues(t, c.ds, c.path)
		require.Equal(t, c.status, status, c.path)
		require.Equal(t, c.values, values, c.path)
	}
}
