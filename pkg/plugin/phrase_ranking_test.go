package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// A phrase ranking adds up its range for the most frequent phrases of all
// time alone when no other phrase can reach its top, and for every phrase
// otherwise (migration 27, sqlbuild.phraseRanking). On top of
// chatbot_fixture.sql, whose phrases occur a few times each, a conversation
// of 2023-05-10 holds 250 phrases, "Phrase 001" to "Phrase 250": phrase i is
// written i times by the contact, once at 09:00 and i seconds, the rest at
// 12:00 and i minutes and 2 to i seconds. The bot sends "Bot says!" 1,000
// times from 13:00.
//
// Of all time, the 200 most frequent phrases are "bot says" and phrases 250
// to 52; the next, phrase 51, has 51 messages. Over the day 200 of them
// count more than 51, so the top 20 is theirs. Over the hour from 09:00
// every phrase counts 1, none more than 51: the answer is every phrase's,
// the first 20 by name (phrases 1 to 20, none of them a candidate).
// Client phrases bound by the inbound totals: phrases 250 to 51, then 50.
func TestPhraseRankingAddsUpTheFrequentPhrasesFirst(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	exec(t, url, `
		INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at)
		SELECT workspace_id, 900, contact_id, inbox_id, '2023-05-10 08:00Z' FROM conversations WHERE workspace_id = 1 AND id = 11;
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
		SELECT 1, 900, v.contact_id, 'inbound', 'contact', '2023-05-10 09:00Z'::timestamptz + i * interval '1 second', 'Phrase ' || lpad(i::text, 3, '0')
		FROM conversations v, generate_series(1, 250) i WHERE v.workspace_id = 1 AND v.id = 900;
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
		SELECT 1, 900, v.contact_id, 'inbound', 'contact', '2023-05-10 12:00Z'::timestamptz + (i * 60 + j) * interval '1 second', 'Phrase ' || lpad(i::text, 3, '0')
		FROM conversations v, generate_series(2, 250) i, generate_series(2, i) j WHERE v.workspace_id = 1 AND v.id = 900;
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, body)
		SELECT 1, 900, v.contact_id, 'outbound', 'bot', '2023-05-10 13:00Z'::timestamptz + i * interval '1 second', 'Bot says!'
		FROM conversations v, generate_series(1, 1000) i WHERE v.workspace_id = 1 AND v.id = 900;`)
	ds := newDatasourceAt(t, url, "acme")
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	// ranked is "phrase first" to "phrase last" in that order, each with value(i).
	ranked := func(first, last int, value func(i int) float64) [][2]any {
		step := 1
		if first > last {
			step = -1
		}
		var out [][2]any
		for i := first; i != last+step; i += step {
			out = append(out, [2]any{fmt.Sprintf("phrase %03d", i), value(i)})
		}
		return out
	}
	itself := func(i int) float64 { return float64(i) }
	one := func(int) float64 { return 1 }
	lessOne := func(i int) float64 { return float64(i - 1) }
	for _, c := range []struct {
		metric, from, to string
		want             [][2]any
		settled          bool // the candidates alone answer
	}{
		{"popular_phrases", "2023-05-10T00:00:00Z", "2023-05-11T00:00:00Z",
			append([][2]any{{"bot says", 1000.0}}, ranked(250, 232, itself)...), true},
		{"client_phrases", "2023-05-10T00:00:00Z", "2023-05-11T00:00:00Z", ranked(250, 231, itself), true},
		{"popular_phrases", "2023-05-10T09:00:00Z", "2023-05-10T10:00:00Z", ranked(1, 20, one), false},
		{"client_phrases", "2023-05-10T09:00:00Z", "2023-05-10T10:00:00Z", ranked(1, 20, one), false},
		// With raw messages at both edges: phrases 30 to 250 once (09:00:30
		// on), phrases 2 to 29 i - 1 times (12:00 to 12:30), phrase 1 none.
		{"popular_phrases", "2023-05-10T09:00:30Z", "2023-05-10T12:30:00Z", ranked(29, 10, lessOne), false},
	} {
		name := c.metric + " " + c.from + ".." + c.to
		query := `{"queryType":"ranking","metric":"` + c.metric + `","groupBy":"phrase","limit":20}`
		frame := ask(t, ds, query, c.from, c.to)
		// Without a platform or sender, the rows per phrase and direction (migration 29).
		require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: phrase_totals, phrase_direction_"), frame.Meta.ExecutedQueryString)
		require.Equal(t, c.want, rows(t, frame), name)

		// Which branch PostgreSQL ran: when the candidates settle the top,
		// the scans of the branch over every phrase never run.
		var q models.Query
		require.NoError(t, json.Unmarshal([]byte(query), &q))
		q.TimeRange = backend.TimeRange{From: at(c.from), To: at(c.to)}
		plan, err := catalog.Resolve(q)
		require.NoError(t, err)
		st, err := sqlbuild.Totals(plan, sqlbuild.WorkspaceSlug("acme"))
		require.NoError(t, err)
		explainRows, err := pool.Query(context.Background(), "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "+st.SQL, st.Args...)
		require.NoError(t, err)
		explained, err := pgx.CollectRows(explainRows, pgx.RowTo[string])
		require.NoError(t, err)
		// A level scan under a "NOT $n" filter whose init plan reads the
		// messages, not the settling, is the hour at the range's end read
		// whole when nothing follows the end in it (slotRows' endUnit),
		// skipped when something does: not the settling.
		skipped, guarded := 0, false
		for i, line := range explained {
			if strings.Contains(line, "One-Time Filter:") && strings.Contains(line, "NOT $") &&
				!strings.Contains(strings.Join(explained[i+1:min(i+3, len(explained))], "\n"), "CTE Scan on settled") {
				guarded = true
			}
			scansLevel := strings.Contains(line, " on phrase_direction_days ") || strings.Contains(line, " on phrase_direction_hours ")
			if scansLevel {
				if strings.Contains(line, "(never executed)") && !guarded {
					skipped++
				}
				guarded = false
			}
		}
		if c.settled {
			require.Positive(t, skipped, name+"\n"+strings.Join(explained, "\n"))
		} else {
			require.Zero(t, skipped, name+"\n"+strings.Join(explained, "\n"))
		}
	}
	requireSummariesRecomputed(t, pool)
}
