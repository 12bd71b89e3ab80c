package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The contact-center metrics of January 2022 (chatbot_fixture.sql, workspace
// acme, assignments 1 to 5) come from the assignment summaries' days (those
// per team, or the finer ones), and
// stay right as assignments are accepted, ended, deleted and truncated.
func TestAssignmentSummariesAnswerAndFollowChanges(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	total := func(query string) any {
		t.Helper()
		frame := ask(t, ds, `{"queryType":"totals",`+query+`}`, jan2022, feb2022)
		// The per-team days (migration 37) without a group-by; the finer
		// days for the durations one by one.
		sql := frame.Meta.ExecutedQueryString
		require.True(t, strings.HasPrefix(sql, "/* summary: assignment_team_days */") || strings.HasPrefix(sql, "/* summary: assignment_days */"), sql)
		r := rows(t, frame)
		require.Len(t, r, 1)
		return r[0][1]
	}
	// First replies after 60 s (1), 180 s (3), 60 s (4) and 40 s (5);
	// assignment 2 is missed. Within 60 s: 1, 4 and 5, out of the 4
	// replied and the missed one. Within 59.5 s: only 5.
	require.Equal(t, 0.6, total(`"metric":"service_level","targetSeconds":60`))
	require.InDelta(t, 0.2, total(`"metric":"service_level","targetSeconds":59.5`), 1e-12)
	require.Equal(t, 5.0, total(`"metric":"cc_conversations"`))
	require.Equal(t, 1.0, total(`"metric":"missed_conversations"`))
	// 40, 60, 60, 180: 60 + 0.7 * 120 (see TestContactCenterDurations).
	require.InDelta(t, 144, total(`"metric":"wait_time_p90"`), 1e-9)
	// Ended accepted ones: 570 s (1), 240 s (3), 1200 s (4), 2010 s in all.
	require.Equal(t, 33.5, total(`"metric":"conversation_minutes"`))

	// Assignment 5 (accepted 10:05:10) ends at 10:25:40: 1230 s more, and
	// the median of 240, 570, 1200 and 1230 is 885. Then assignment 4
	// goes (its 60 s wait and 1200 s conversation with it).
	exec(t, url, `UPDATE assignments SET ended_at = '2022-01-06 10:25:40Z', outcome = 'handled', closing_reason = 'resolved'
		WHERE workspace_id = 1 AND id = 5`)
	require.Equal(t, 885.0, total(`"metric":"conversation_time_median"`))
	require.Equal(t, 1230.0, total(`"metric":"conversation_time_max"`))
	exec(t, url, `DELETE FROM assignments WHERE workspace_id = 1 AND id = 4`)
	require.Equal(t, 4.0, total(`"metric":"cc_conversations"`))
	require.Equal(t, 0.5, total(`"metric":"service_level","targetSeconds":60`), "1 and 5 of 3 replied and 1 missed")
	require.Equal(t, 180.0, total(`"metric":"wait_time_max"`))
	require.Equal(t, 570.0, total(`"metric":"conversation_time_median"`), "240, 570, 1230")

	exec(t, url, `TRUNCATE assignments`)
	require.Equal(t, 0.0, total(`"metric":"cc_conversations"`))
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	var left int
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT (SELECT count(*) FROM assignment_slots) + (SELECT count(*) FROM assignment_hours) + (SELECT count(*) FROM assignment_days)"+
			" + (SELECT count(*) FROM assignment_team_slots) + (SELECT count(*) FROM assignment_team_hours) + (SELECT count(*) FROM assignment_team_days)"+
			" + (SELECT count(*) FROM assignment_agent_slots) + (SELECT count(*) FROM assignment_agent_hours) + (SELECT count(*) FROM assignment_agent_days)"+
			" + (SELECT count(*) FROM assignment_team_shifted_hours)").Scan(&left))
	require.Zero(t, left, "a truncate empties the summaries")
}
