package plugin

import (
	"context"
	"flag"
	"net"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
	"github.com/stretchr/testify/require"
)

// updateGolden rewrites testdata/golden/*.jsonc from the current output:
// go test ./pkg/plugin -run Golden -update-golden. Off by default, so a change
// in the frames fails the test until someone looks at it and updates on purpose.
var updateGolden = flag.Bool("update-golden", false, "rewrite the golden frame files")

// The plugin started over gRPC the way Grafana starts it, answering a request
// that mixes good and bad queries; each response is compared with its golden file.
func TestGoldenFramesOverGRPC(t *testing.T) {
	settings := instanceSettings(t, fixtureURL(t, "usage_fixture"), "acme")

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := listener.Addr().String()
	require.NoError(t, listener.Close())
	plugin, err := datasourcetest.Manage(NewDatasource, datasourcetest.ManageOpts{Address: address})
	require.NoError(t, err)
	defer func() { require.NoError(t, plugin.Shutdown()) }()

	pluginContext := backend.PluginContext{PluginID: ID, DataSourceInstanceSettings: &settings}
	const jan, apr = "2022-01-01T00:00:00Z", "2022-04-01T00:00:00Z"
	cases := map[string]string{
		"active_users_by_platform_month": `{"metric":"active_users","groupBy":"platform","interval":"month"}`,
		"total_users_by_platform_month":  `{"metric":"total_users","groupBy":"platform","interval":"month"}`,
		"messages_sent_by_sender_week":   `{"metric":"messages_sent","groupBy":"sender","interval":"week","timezone":"America/Sao_Paulo"}`,
		"messages_received_month_tokyo":  `{"metric":"messages_received","interval":"month","timezone":"Asia/Tokyo"}`,
		"active_users_ranking":           `{"queryType":"ranking","metric":"active_users","groupBy":"platform"}`,
		"total_messages_totals":          `{"queryType":"totals","metric":"total_messages"}`,
		// Compared with the previous period: January to March against October to December 2021.
		"active_users_by_platform_month_compare_previous": `{"metric":"active_users","groupBy":"platform","interval":"month","compare":"previous"}`,
		"total_messages_totals_compare_previous":          `{"queryType":"totals","metric":"total_messages","compare":"previous"}`,
		"active_users_ranking_compare_change":             `{"queryType":"ranking","metric":"active_users","groupBy":"platform","compare":"previous","compareMode":"change"}`,
	}
	queries := []backend.DataQuery{dataQuery("BAD", `{"metric":"new_users","groupBy":"sender"}`, jan, apr)}
	for name, queryJSON := range cases {
		queries = append(queries, dataQuery(name, queryJSON, jan, apr))
	}
	resp, err := plugin.Client.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: pluginContext, Queries: queries,
	})
	require.NoError(t, err)
	// The SDK's golden writer cannot read back an error response's header, so
	// the bad query's answer is checked field by field.
	bad := resp.Responses["BAD"]
	require.Equal(t, backend.StatusBadRequest, bad.Status)
	require.Equal(t, backend.ErrorSourceDownstream, bad.ErrorSource)
	require.EqualError(t, bad.Error, "metric new_users cannot group by sender: use one of platform, inbox")
	for name := range cases {
		r := resp.Responses[name]
		experimental.CheckGoldenJSONResponse(t, "testdata/golden", name, &r, *updateGolden)
	}

	health, err := plugin.Client.CheckHealth(context.Background(), &backend.CheckHealthRequest{PluginContext: pluginContext})
	require.NoError(t, err)
	require.Equal(t, backend.HealthStatusOk, health.Status, health.Message)
}
