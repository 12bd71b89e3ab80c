package sqlbuild

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// FuzzQueryToSQL feeds arbitrary query JSON and ranges through parsing,
// resolving and SQL building: nothing may panic, every accepted query builds,
// and no value from the query reaches the SQL text: values are bind parameters.
// The seeds run with every go test; go test -fuzz FuzzQueryToSQL ./pkg/sqlbuild explores.
func FuzzQueryToSQL(f *testing.F) {
	f.Add(`{"metric":"active_users","groupBy":"platform","interval":"month","timezone":"Asia/Tokyo"}`, int64(0), int64(86400*31), int64(100))
	f.Add(`{"metric":"messages_sent","filters":[{"dimension":"sender","values":["bot","'; DROP TABLE x"]}]}`, int64(-5), int64(5), int64(0))
	f.Add(`{"metric":"total_users","interval":"minute"}`, int64(0), int64(86400*365*50), int64(1))
	f.Add(`{"metric":"new_users","groupBy":"platform","filters":[{"dimension":"platform"}]}`, int64(1e12), int64(1e12+3600), int64(-1))
	f.Add(`{"queryType":"timeseries","version":1,"metric":"total_messages","interval":"auto","timezone":"America/Sao_Paulo"}`, int64(0), int64(7200), int64(1000))
	f.Add(`[1,2,3]`, int64(0), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, queryJSON string, from, to, maxDataPoints int64) {
		q, err := models.ParseQuery(backend.DataQuery{
			RefID: "A", JSON: []byte(queryJSON), MaxDataPoints: maxDataPoints, Interval: time.Minute,
			TimeRange: backend.TimeRange{From: time.Unix(from, 0), To: time.Unix(to, 0)},
		})
		if err != nil {
			return
		}
		plan, err := catalog.Resolve(q)
		if err != nil {
			return
		}
		statement, err := TimeSeries(plan, WorkspaceSlug("workspace-from-settings"))
		if err != nil {
			t.Fatalf("a resolved plan must build: %v", err)
		}
		// The same query with other values (and another workspace) must give
		// the same SQL text: values only ever travel as bind parameters.
		neutral := plan
		neutral.Filters = nil
		for _, f := range plan.Filters {
			values := make([]string, len(f.Values))
			for i := range values {
				values[i] = "value"
			}
			neutral.Filters = append(neutral.Filters, models.Filter{Dimension: f.Dimension, Values: values})
		}
		other, err := TimeSeries(neutral, WorkspaceSlug("another"))
		if err != nil {
			t.Fatalf("a resolved plan must build: %v", err)
		}
		if other.SQL != statement.SQL {
			t.Fatalf("query values changed the SQL text:\n%s\n%s", statement.SQL, other.SQL)
		}
	})
}
