package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/config"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// longTexts is a store whose every text is long: 10,000 conversations in
// January 2022 with 10 kB titles, conversation 1 with 2,000 messages of
// 10 kB, and 1,000 different 10 kB phrases written by clients.
const longTexts = `
INSERT INTO workspaces (id, slug, name) VALUES (1, 'acme', 'Acme');
INSERT INTO inboxes (workspace_id, id, name, platform) VALUES (1, 1, 'Acme WhatsApp', 'whatsapp');
INSERT INTO contacts (workspace_id, id, platform, chat_id) SELECT 1, g, 'whatsapp', 'wa-' || g FROM generate_series(1, 10000) g;
INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at, title)
SELECT 1, g, g, 1, timestamptz '2022-01-01 00:00Z' + g * interval '1 minute', g || ' ' || repeat(chr(97 + g % 26), 10000)
FROM generate_series(1, 10000) g;
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
SELECT 1, 1, 1, 'inbound', 'contact', timestamptz '2022-01-01 00:01Z' + g * interval '1 second', g || ' ' || repeat('y', 10000)
FROM generate_series(1, 2000) g;
INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
SELECT 1, 2, 2, 'inbound', 'contact', timestamptz '2022-01-02 00:00Z' + g * interval '1 second', 'phrase ' || g || ' ' || repeat('z', 10000)
FROM generate_series(1, 1000) g;
`

// longTextsDatasource is an instance over the long texts store, with
// maxResponseBytes when it is not empty.
func longTextsDatasource(t testing.TB, maxResponseBytes string) *Datasource {
	t.Helper()
	url := storetest.URL(t)
	exec(t, url, longTexts)
	settings := instanceSettings(t, url, "acme")
	if maxResponseBytes != "" {
		settings.JSONData = []byte(strings.Replace(string(settings.JSONData), `{`, `{"maxResponseBytes":`+maxResponseBytes+`,`, 1))
	}
	instance, err := NewDatasource(context.Background(), settings)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

// arrowBytes is the size of frame as the plugin sends it to Grafana.
func arrowBytes(t testing.TB, frame *data.Frame) int {
	t.Helper()
	encoded, err := frame.MarshalArrow()
	require.NoError(t, err)
	return len(encoded)
}

// requireCut checks that frame was cut below the budget with a warning
// starting with notice, and has rows.
func requireCut(t *testing.T, frame *data.Frame, budget int, notice string) {
	t.Helper()
	require.Positive(t, frame.Rows())
	require.LessOrEqual(t, arrowBytes(t, frame), budget)
	require.Len(t, frame.Meta.Notices, 1)
	require.Equal(t, data.NoticeSeverityWarning, frame.Meta.Notices[0].Severity)
	require.True(t, strings.HasPrefix(frame.Meta.Notices[0].Text, notice), frame.Meta.Notices[0].Text)
}

const january, february = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"

func TestLongExportsStopAtTheResponseBudget(t *testing.T) {
	ds := longTextsDatasource(t, "")
	budget := models.DefaultMaxResponseBytes

	dialogs := ask(t, ds, `{"queryType":"records","metric":"dialogs","limit":10000}`, january, february)
	require.Less(t, dialogs.Rows(), 10000)
	requireCut(t, dialogs, budget, "Results are limited to the first "+itoa(dialogs.Rows())+
		" rows: the next would take the answer over 16 MiB, the data source's maximum response size; ")
	// The newest first, as without a cut.
	titleField, _ := dialogs.FieldByName("title")
	title, _ := titleField.ConcreteAt(0)
	require.True(t, strings.HasPrefix(title.(string), "10000 "))

	transcript := ask(t, ds, `{"queryType":"records","metric":"transcript","conversationId":1,"limit":10000}`, january, february)
	require.Less(t, transcript.Rows(), 2000)
	requireCut(t, transcript, budget, "Results are limited to the first ")

	// What fits answers whole, without a notice.
	small := ask(t, ds, `{"queryType":"records","metric":"dialogs","limit":100}`, january, february)
	require.Equal(t, 100, small.Rows())
	require.Empty(t, small.Meta.Notices)
}

func TestRankingsOfLongPhrasesStopAtTheResponseBudget(t *testing.T) {
	ds := longTextsDatasource(t, "1048576")
	ranking := ask(t, ds, `{"queryType":"ranking","metric":"client_phrases","groupBy":"phrase","limit":1000}`, january, february)
	require.Less(t, ranking.Rows(), 1000)
	requireCut(t, ranking, 1<<20, "Results are limited to the first "+itoa(ranking.Rows())+" rows: the next would take the answer over 1 MiB")
}

func TestGrafanasSQLRowLimitCapsRecords(t *testing.T) {
	ds := longTextsDatasource(t, "")
	ctx := config.WithGrafanaConfig(context.Background(), config.NewGrafanaCfg(map[string]string{config.SQLRowLimit: "50"}))
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", `{"queryType":"records","metric":"dialogs","limit":100}`, january, february),
	}})
	require.NoError(t, err)
	r := resp.Responses["A"]
	require.NoError(t, r.Error)
	require.Equal(t, 50, r.Frames[0].Rows())
	require.Equal(t, []data.Notice{{Severity: data.NoticeSeverityWarning,
		Text: "Results are limited to 50 rows, Grafana's SQL row limit (row_limit in [sql_datasources], GF_SQL_ROW_LIMIT): narrow the time range, add filters or lower the limit"}},
		r.Frames[0].Meta.Notices)
}

func TestTimeSeriesOfManyLongPhrasesKeepWholeSeriesWithinTheBudget(t *testing.T) {
	ds := longTextsDatasource(t, "1048576")
	frame := ask(t, ds, `{"metric":"client_phrases","groupBy":"phrase","interval":"minute"}`, "2022-01-02T00:00:00Z", "2022-01-02T01:00:00Z")
	series := len(frame.Fields) - 1
	require.Positive(t, series)
	require.Less(t, series, 1000)
	require.LessOrEqual(t, arrowBytes(t, frame), 1<<20)
	require.Len(t, frame.Meta.Notices, 1)
	require.True(t, strings.HasPrefix(frame.Meta.Notices[0].Text, "Results are limited to the first "+itoa(series)+" series: "), frame.Meta.Notices[0].Text)
	// Each series kept is whole: every one of its minutes, each phrase once.
	for _, field := range frame.Fields[1:] {
		require.Equal(t, 60, field.Len())
		total := 0.0
		for i := range field.Len() {
			v, _ := field.ConcreteAt(i)
			total += v.(float64)
		}
		require.Equal(t, 1.0, total, field.Name)
	}
}
