package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"
)

// sharedCatalogFixture is the catalog resource as the frontend tests load it,
// so the two sides test against the same catalog and cannot drift apart.
const sharedCatalogFixture = "../../src/testing/catalog.json"

func callResource(t *testing.T, ds *Datasource, method, path string) *backend.CallResourceResponse {
	t.Helper()
	var response *backend.CallResourceResponse
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{Method: method, Path: path, URL: path},
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
	require.Len(t, served.Metrics, 25)
	require.Equal(t, "active_users", served.Metrics[0].ID)
	require.Equal(t, []string{"platform"}, served.Metrics[0].Dimensions)

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
