package plugin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The operator response time follows messages that arrive late, change and
// go, as the response runs' triggers (migration 11) recompute the runs of
// every conversation a statement touched. Conversation 11 of the chatbot
// fixture: inbound 10:00, bot 10:00:30, inbound 10:01 and 10:02, Ana 10:06
// (her run from 10:01: 300 s); Ana's other run is 280 s in 14, Bruno's
// 420 s in 13 (see TestOperatorResponseTime).
func TestOperatorResponseTimeFollowsLateChangedAndDeletedMessages(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	perAgent := func(metric string) [][2]any {
		return rows(t, ask(t, ds, `{"queryType":"totals","metric":"`+metric+`","groupBy":"agent"}`, jan2022, mar2022))
	}
	require.Equal(t, [][2]any{{"Ana", 290.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_avg"))

	// A late reply of Ana's at 10:01:30 splits the run: 10:01 -> 10:01:30
	// (30 s) and 10:02 -> 10:06 (240 s). Ana: 30, 240, 280.
	exec(t, url, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, agent_id, created_at)
		VALUES (1, 11, 1, 'outbound', 'agent', 1, '2022-01-03 10:01:30Z')`)
	avg := perAgent("operator_response_time_avg")
	require.Equal(t, "Ana", avg[0][0])
	require.InDelta(t, 550.0/3, avg[0][1], 1e-9)
	require.Equal(t, [][2]any{{"Ana", 280.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_max"))

	// The bot's reply goes: the run from 10:00 now runs to Ana's 10:01:30
	// (90 s). Ana: 90, 240, 280.
	exec(t, url, `DELETE FROM messages WHERE workspace_id = 1 AND conversation_id = 11 AND sender = 'bot'`)
	avg = perAgent("operator_response_time_avg")
	require.InDelta(t, 610.0/3, avg[0][1], 1e-9)

	// The 10:01:30 reply was Bruno's: he has 90 and 420, Ana 240 and 280.
	exec(t, url, `UPDATE messages SET agent_id = 2 WHERE workspace_id = 1 AND conversation_id = 11 AND created_at = '2022-01-03 10:01:30Z'`)
	require.Equal(t, [][2]any{{"Ana", 260.0}, {"Bruno", 255.0}}, perAgent("operator_response_time_avg"))
	require.Equal(t, [][2]any{{"Ana", 280.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_max"))

	// Ana's 10:06 reply moves to 10:00:10, before every other message but
	// the first: the 10:00 run is hers (10 s), Bruno's 10:01:30 answers
	// 10:01 (30 s) and 10:02 is left unanswered. Ana: 10, 280; Bruno: 30, 420.
	exec(t, url, `UPDATE messages SET created_at = '2022-01-03 10:00:10Z' WHERE workspace_id = 1 AND conversation_id = 11 AND created_at = '2022-01-03 10:06Z'`)
	require.Equal(t, [][2]any{{"Ana", 145.0}, {"Bruno", 225.0}}, perAgent("operator_response_time_avg"))
}
