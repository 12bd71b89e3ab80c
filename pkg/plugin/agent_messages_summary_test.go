package plugin

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Agent messages are read from their summary (migration 12) and follow what
// the metric means: the team is the agent's team now, so moving an agent
// moves its past messages; late, reassigned and deleted messages count where
// they now are, also at a range's edges, which read the raw rows.
func TestAgentMessagesSummaryFollowsAgentsAndLateRows(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	totals := func(groupBy, from, to string) ([][2]any, string) {
		frame := ask(t, ds, `{"queryType":"totals","metric":"agent_messages","groupBy":"`+groupBy+`"}`, from, to)
		return rows(t, frame), frame.Meta.ExecutedQueryString
	}

	// January's agent messages (fixture): Ana (Support) in 11 and 14,
	// Bruno (Support) and Carla (Sales) in 13. Whole UTC days: the days level.
	got, sql := totals("team", jan2022, feb2022)
	require.Equal(t, [][2]any{{"Sales", 1.0}, {"Support", 3.0}}, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: agent_message_days */"), sql)

	// Bruno joins Sales and Carla leaves every team: Bruno's message of
	// 01-05 is Sales' now, Carla's has no team.
	exec(t, url, `UPDATE agents SET team_id = 1 WHERE workspace_id = 1 AND id = 2;
		UPDATE agents SET team_id = NULL WHERE workspace_id = 1 AND id = 3;`)
	got, _ = totals("team", jan2022, feb2022)
	require.Equal(t, [][2]any{{"(none)", 1.0}, {"Sales", 1.0}, {"Support", 2.0}}, got)

	// A late message of Carla in conversation 14 at 01-04 23:59:59.5, Ana's
	// message in 14 (01-06) handed to Bruno, Carla's message in 13 (01-05
	// 10:11) deleted. January by agent: Ana 1 (11), Bruno 2 (13, 14), Carla
	// 1 (the late one).
	exec(t, url, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at)
		VALUES (1, 14, 7, 'outbound', 'agent', 3, '2022-01-04 23:59:59.5Z');
		UPDATE messages SET agent_id = 2 WHERE workspace_id = 1 AND conversation_id = 14 AND agent_id = 1;
		DELETE FROM messages WHERE workspace_id = 1 AND conversation_id = 13 AND agent_id = 3;`)
	got, _ = totals("agent", jan2022, feb2022)
	require.Equal(t, [][2]any{{"Ana", 1.0}, {"Bruno", 2.0}, {"Carla", 1.0}}, got)

	// From 01-04 23:59 to 01-05 10:09: the raw rows of 23:59 to midnight
	// (Carla's late message), whole hours to 10:00, and the 10:00 slot
	// whole when nothing lies in it after 10:09, its raw rows to 10:09
	// otherwise (Bruno's 10:08). By inbox: Carla's on Web chat (14),
	// Bruno's on WhatsApp (13).
	got, sql = totals("inbox", "2022-01-04T23:59:00Z", "2022-01-05T10:09:00Z")
	require.Equal(t, [][2]any{{"Web chat", 1.0}, {"WhatsApp", 1.0}}, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: agent_message_hours, agent_message_slots */"), sql)

	// Emptying the messages empties the summary: January, still read from
	// the days level, has no agent message left.
	exec(t, url, "TRUNCATE messages, template_sends")
	got, sql = totals("agent", jan2022, feb2022)
	require.Empty(t, got)
	require.True(t, strings.HasPrefix(sql, "/* summary: agent_message_days */"), sql)
}
