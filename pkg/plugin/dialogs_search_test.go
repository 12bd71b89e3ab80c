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
// them a filter on two markers (or on neither), against the plainest SQL of the same page.
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
		// markers (half of them: without either), so that the candidates
		// looked up are not all kept.
		chosen, excluded := []string{}, false
		if rng.IntN(3) == 0 {
			chosen = []string{markers[rng.IntN(len(markers))], markers[rng.IntN(len(markers))]}
			excluded = rng.IntN(2) == 0
			filters = append(filters, models.Filter{Dimension: catalog.DimMarker.ID, Values: chosen, Exclude: excluded})
			marked++
		}
		plan, err := catalog.Resolve(models.Query{QueryType: models.KindRecords, Metric: "dialogs", Limit: limit,
			Filters: filters, TimeRange: backend.TimeRange{From: from, To: to}})
		require.NoError(t, err)
		name := fmt.Sprintf("%d %q %v (excluded: %v) %s..%s limit %d", i, text, chosen, excluded, from.Format(time.RFC3339), to.Format(time.RFC3339), limit)
		st, err := sqlbuild.Records(plan, sqlbuild.WorkspaceSlug("demo"))
		require.NoError(t, err, name)
		if strings.Contains(st.SQL, "dialogs_window_2") {
			windowed++
		}

		got := dialogIDsOf(t, pool, st.SQL, st.Args...)
		want := dialogIDsOf(t, pool, `SELECT v.id FROM conversations v
			WHERE v.workspace_id = (SELECT w.id FROM workspaces w WHERE w.slug = 'demo') AND v.started_at >= $1 AND v.started_at < $2
			AND EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = v.workspace_id AND m.conversation_id = v.id AND m.body ILIKE $3)
			AND (cardinality($5::text[]) = 0 OR $6 <> EXISTS (SELECT 1 FROM conversation_markers cm JOIN markers mk ON mk.workspace_id = cm.workspace_id
				AND mk.id = cm.marker_id WHERE cm.workspace_id = v.workspace_id AND cm.conversation_id = v.id AND mk.name = ANY($5)))
			ORDER BY v.started_at DESC, v.id DESC LIMIT $4`, from, to, sqlbuild.ContainsPattern(text), limit, chosen, excluded)
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

// A candidate the head of a search did not reach can still start after the
// head's oldest dialog (searchedDialogsPage's tail), and the marker filter,
// checked on the candidates before their conversations are looked up, must
// be checked on it too. 101 and 103 carry vip, 102 does not; their newest
// matches are 10:30, 10:20 and 10:15, their starts 10:00, 10:10 and 10:05.
// The newest match with vip is 101's, so 102 and 103 are the tail; 102 is
// the newest dialog of the three but has no vip.
func TestDialogsSearchTailKeepsTheMarkerFilter(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	exec(t, url, `INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES
		(1, 101, 1, 1, '2022-01-25 10:00Z'), (1, 102, 2, 1, '2022-01-25 10:10Z'), (1, 103, 3, 1, '2022-01-25 10:05Z');
	INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body) VALUES
		(1, 101, 1, 'inbound', 'contact', '2022-01-25 10:30Z', 'a zebra crossing'),
		(1, 102, 2, 'inbound', 'contact', '2022-01-25 10:20Z', 'Zebra!'),
		(1, 103, 3, 'inbound', 'contact', '2022-01-25 10:15Z', 'zebras');
	INSERT INTO conversation_markers (workspace_id, conversation_id, marker_id, marked_at) VALUES
		(1, 101, 1, '2022-01-25 10:31Z'), (1, 103, 1, '2022-01-25 10:31Z')`)
	ds := newDatasourceAt(t, url, "acme")
	search := func(limit int, markerOperator string) []int64 {
		return dialogIDs(t, ask(t, ds, fmt.Sprintf(`{"queryType":"records","metric":"dialogs","limit":%d,
			"filters":[{"dimension":"message_text","values":["zebra"]}],
			"adhocFilters":[{"key":"marker","operator":%q,"value":"vip"}]}`, limit, markerOperator),
			jan2022, feb2022))
	}
	require.Equal(t, []int64{103}, search(1, "="), "the newest dialog with vip")
	require.Equal(t, []int64{103, 101}, search(3, "="))
	require.Equal(t, []int64{102}, search(1, "!="), "the newest dialog without vip")
}
