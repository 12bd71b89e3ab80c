package plugin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// The dialogs' text search over several months goes window by window
// (sqlbuild's searchWindows), and in each window looks up its candidates
// newest match first, then the few the head's oldest start leaves open
// (searchedDialogsPage); its page must be the page of one search of the
// whole range over every message of each conversation. Random texts (pieces
// of the store's own messages, so that most match), ranges from a day to 100
// days anywhere in the data, page sizes from 1 to 1,000, and in a third of
// them a filter on two markers, against the plainest SQL of the same page.
func TestDialogsSearchByWindowsIsOneSearch(t *testing.T) {
	pool := generatedPool(t, 5, 300)
	bodies := columnOf[string](t, pool, "SELECT body FROM messages WHERE length(body) >= 3 ORDER BY id")

	rng := rand.New(rand.NewPCG(3, 17))
	dataStart := time.Date(2021, 12, 25, 0, 0, 0, 0, time.UTC)
	markers := columnOf[string](t, pool, "SELECT name FROM markers ORDER BY id")
	windowed, laterWindows, marked, markedFound := 0, 0, 0, 0
	for i := 0; i < 150; i++ {
		text := pieceOf(rng, bodies[rng.IntN(len(bodies))])
		from := dataStart.Add(time.Duration(rng.Int64N(int64(100 * 24 * time.Hour)))).Truncate(time.Second)
		to := from.Add(time.Duration(rng.Int64N(int64(100*24*time.Hour))) + 24*time.Hour).Truncate(time.Second)
		if rng.IntN(3) == 0 {
			// On a month's start, as a range of whole months is.
			to = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
			if !to.After(from) {
				to = to.AddDate(0, 1, 0)
			}
		}
		limit := []int{1, 3, 20, 1000}[rng.IntN(4)]
		filters := []models.Filter{{Dimension: catalog.DimMessageText.ID, Values: []string{text}}}
		// A third of the searches keep only the dialogs with one of two
		// markers, so that the candidates looked up are not all kept.
		chosen := []string{}
		if rng.IntN(3) == 0 {
			chosen = []string{markers[rng.IntN(len(markers))], markers[rng.IntN(len(markers))]}
			filters = append(filters, models.Filter{Dimension: catalog.DimMarker.ID, Values: chosen})
			marked++
		}
		plan, err := catalog.Resolve(models.Query{QueryType: models.KindRecords, Metric: "dialogs", Limit: limit,
			Filters: filters, TimeRange: backend.TimeRange{From: from, To: to}})
		require.NoError(t, err)
		name := fmt.Sprintf("%d %q %v %s..%s limit %d", i, text, chosen, from.Format(time.RFC3339), to.Format(time.RFC3339), limit)
		st, err := sqlbuild.Records(plan, "demo")
		require.NoError(t, err, name)
		if strings.Contains(st.SQL, "dialogs_window_2") {
			windowed++
		}

		got := dialogIDsOf(t, pool, st.SQL, st.Args...)
		want := dialogIDsOf(t, pool, `SELECT v.id FROM conversations v
			WHERE v.workspace_id = (SELECT w.id FROM workspaces w WHERE w.slug = 'demo') AND v.started_at >= $1 AND v.started_at < $2
			AND EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id AND m.body ILIKE $3)
			AND (cardinality($5::text[]) = 0 OR EXISTS (SELECT 1 FROM conversation_markers cm JOIN markers mk ON mk.workspace_id = cm.workspace_id
				AND mk.id = cm.marker_id WHERE cm.workspace_id = v.workspace_id AND cm.conversation_id = v.id AND mk.name = ANY($5)))
			ORDER BY v.started_at DESC, v.id DESC LIMIT $4`, from, to, sqlbuild.ContainsPattern(text), limit, chosen)
		require.Equal(t, want, got, name+"\n"+st.SQL)
		if len(chosen) > 0 && len(got) > 0 {
			markedFound++
		}
		// Some pages reach back past the newest month.
		newest := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
		if newest.Equal(to) {
			newest = newest.AddDate(0, -1, 0)
		}
		if len(got) > 0 && startOf(t, pool, got[len(got)-1]).Before(newest) && newest.After(from) {
			laterWindows++
		}
	}
	t.Logf("%d of 150 searches by windows, %d of them with dialogs from before the newest month; %d with markers, %d of them found dialogs",
		windowed, laterWindows, marked, markedFound)
	require.Greater(t, markedFound, 10, "searches with markers find dialogs")
	require.Greater(t, windowed, 50, "most ranges span a month's start")
	require.Greater(t, laterWindows, 20, "many pages need the older windows")
}

// pieceOf is 3 to 6 characters of body, from anywhere in it.
func pieceOf(rng *rand.Rand, body string) string {
	runes := []rune(body)
	n := min(len(runes), 3+rng.IntN(4))
	start := rng.IntN(len(runes) - n + 1)
	return string(runes[start : start+n])
}

// dialogIDsOf runs a statement whose first column is a dialog's id.
func dialogIDsOf(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	require.NoError(t, err, sql)
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		values, err := rows.Values()
		require.NoError(t, err)
		ids = append(ids, values[0].(int64))
	}
	require.NoError(t, rows.Err(), sql)
	return ids
}

// startOf is when conversation id started.
func startOf(t *testing.T, pool *pgxpool.Pool, id int64) time.Time {
	t.Helper()
	var started time.Time
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT started_at FROM conversations WHERE id = $1", id).Scan(&started))
	return started
}
