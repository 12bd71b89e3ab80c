package plugin

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/frames"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// poolAt is a pool of connections to the database at url, closed when the
// test ends.
func poolAt(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// fixtureURL is a fresh database loaded with testdata/<name>.sql.
func fixtureURL(t *testing.T, name string) string {
	t.Helper()
	url := storetest.URL(t)
	fixture, err := os.ReadFile("testdata/" + name + ".sql")
	require.NoError(t, err)
	exec(t, url, string(fixture))
	return url
}

// instanceSettings are data source settings pointing at url, for workspace.
func instanceSettings(t testing.TB, url, workspace string) backend.DataSourceInstanceSettings {
	t.Helper()
	config, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	jsonData, err := json.Marshal(map[string]any{
		"host": config.Host, "port": config.Port, "database": config.Database, "user": config.User,
		"tlsMode": "disable", "workspace": workspace, "maxConns": 4, "statementTimeout": "20s",
	})
	require.NoError(t, err)
	return backend.DataSourceInstanceSettings{
		UID: "chatbot-test", JSONData: jsonData,
		DecryptedSecureJSONData: map[string]string{"password": config.Password},
	}
}

// newDatasource is an instance over fixture name, for workspace acme.
func newDatasource(t *testing.T, fixture string) *Datasource {
	t.Helper()
	return newDatasourceAt(t, fixtureURL(t, fixture), "acme")
}

// newDatasourceAt is an instance over the database at url, for workspace.
func newDatasourceAt(t testing.TB, url, workspace string) *Datasource {
	t.Helper()
	instance, err := NewDatasource(context.Background(), instanceSettings(t, url, workspace))
	require.NoError(t, err)
	ds := instance.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

func at(value string) time.Time {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		panic(err)
	}
	return t
}

// dataQuery is one query of a request, over [from, to).
func dataQuery(refID, queryJSON, from, to string) backend.DataQuery {
	return backend.DataQuery{
		RefID: refID, JSON: json.RawMessage(queryJSON),
		TimeRange: backend.TimeRange{From: at(from), To: at(to)},
		Interval:  time.Minute, MaxDataPoints: 1000,
	}
}

// ask runs one query and requires it to succeed with one frame.
func ask(t *testing.T, ds *Datasource, queryJSON, from, to string) *data.Frame {
	t.Helper()
	r := queryOnce(t, ds, queryJSON, from, to)
	require.NoError(t, r.Error)
	require.Len(t, r.Frames, 1)
	return r.Frames[0]
}

// summaryTotal runs an ungrouped totals query, requires it answered from the
// summary whose tables start with summary ("" for any), and returns its
// total (0 when no row had data).
func summaryTotal(t *testing.T, ds *Datasource, queryJSON, from, to, summary string) float64 {
	t.Helper()
	frame := ask(t, ds, queryJSON, from, to)
	require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: "+summary), frame.Meta.ExecutedQueryString)
	r := rows(t, frame)
	if len(r) == 0 {
		return 0
	}
	return r[0][1].(float64)
}

// series reads a wide frame as series -> values, and its bucket starts. A
// grouped series is named by its group (its display name is "<metric title>
// · <group>"), one series by its display name.
func series(t *testing.T, frame *data.Frame) (map[string][]float64, []time.Time) {
	t.Helper()
	require.Equal(t, data.FrameTypeTimeSeriesWide, frame.Meta.Type)
	out := map[string][]float64{}
	if len(frame.Fields) == 0 {
		return out, nil // no group had rows: no data
	}
	times := make([]time.Time, frame.Rows())
	for i := range times {
		times[i] = frame.Fields[0].At(i).(time.Time)
	}
	for _, field := range frame.Fields[1:] {
		values := make([]float64, field.Len())
		for i := range values {
			v, ok := field.ConcreteAt(i)
			require.True(t, ok, "%s has a null at row %d", field.Name, i)
			values[i] = v.(float64)
		}
		name := field.Config.DisplayNameFromDS
		for _, group := range field.Labels {
			require.Len(t, field.Labels, 1)
			require.Equal(t, strings.TrimSuffix(name, frames.SeriesSeparator+group)+frames.SeriesSeparator+group, name)
			name = group
		}
		require.NotContains(t, out, name)
		out[name] = values
	}
	return out, times
}

func times(values ...string) []time.Time {
	out := make([]time.Time, len(values))
	for i, v := range values {
		out[i] = at(v)
	}
	return out
}

// sameInstants compares times as instants, whatever their location.
func sameInstants(t *testing.T, want, got []time.Time) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.True(t, want[i].Equal(got[i]), "bucket %d: want %s, got %s", i, want[i].UTC(), got[i].UTC())
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// queryOnce runs one query and returns its response, error or not.
func queryOnce(t *testing.T, ds *Datasource, queryJSON, from, to string) backend.DataResponse {
	t.Helper()
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
		Queries: []backend.DataQuery{dataQuery("A", queryJSON, from, to)},
	})
	require.NoError(t, err)
	return resp.Responses["A"]
}

// generatedStore is a fresh database loaded by the generator with cfg, its
// URL and a pool on it.
func generatedStore(t *testing.T, cfg generator.Config) (string, *pgxpool.Pool) {
	t.Helper()
	url := storetest.URL(t)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(context.Background(), pool, cfg)
	require.NoError(t, err)
	return url, pool
}
