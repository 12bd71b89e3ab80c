package plugin

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Conversations and messages per conversation come from the conversation
// summary (migration 8) and follow late messages, messages moved to another
// conversation, a conversation's start moved to another month, a
// conversation that arrives and goes, and truncation. Counted from
// chatbot_fixture.sql: in January acme's conversations 11 (5 messages: 3
// inbound, a bot reply, an agent reply), 12 (3), 13 (5: two agent replies),
// 14 (4), 15 (2), 17 (1 broadcast) and 18 (1): 21 messages in 7.
func TestConversationSummaryFollowsChanges(t *testing.T) {
	url := fixtureURL(t, "chatbot_fixture")
	ds := newDatasourceAt(t, url, "acme")
	totals := func(metric, groupBy, from, to string) [][2]any {
		t.Helper()
		query := `{"queryType":"totals","metric":"` + metric + `"`
		if groupBy != "" {
			query += `,"groupBy":"` + groupBy + `"`
		}
		frame := ask(t, ds, query+"}", from, to)
		require.True(t, strings.HasPrefix(frame.Meta.ExecutedQueryString, "/* summary: conversation_"), frame.Meta.ExecutedQueryString)
		return rows(t, frame)
	}
	require.Equal(t, [][2]any{{"", 3.0}}, totals("messages_per_conversation", "", jan2022, feb2022))
	require.Equal(t, [][2]any{{"", 7.0}}, totals("conversations", "", jan2022, feb2022))

	// A late message (dated March) in 15 counts in 15's January: 22 / 7;
	// by platform, webchat 14 and 15 (4 + 3) / 2, whatsapp (5 + 3 + 5 + 1 + 1) / 5.
	exec(t, url, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 15, 8, 'inbound', 'contact', '2022-03-01 08:00Z')`)
	require.Equal(t, [][2]any{{"", 22.0 / 7}}, totals("messages_per_conversation", "", jan2022, feb2022))
	require.Equal(t, [][2]any{{"webchat", 3.5}, {"whatsapp", 3.0}}, totals("messages_per_conversation", "platform", jan2022, feb2022))

	// 18 now starts in February, with its message: January 21 / 6; February
	// 16 (an inbound, a bot and an agent message) and 18: (3 + 1) / 2.
	exec(t, url, `UPDATE conversations SET started_at = '2022-02-01 09:01Z' WHERE workspace_id = 1 AND id = 18`)
	require.Equal(t, [][2]any{{"", 3.5}}, totals("messages_per_conversation", "", jan2022, feb2022))
	require.Equal(t, [][2]any{{"", 2.0}}, totals("messages_per_conversation", "", feb2022, mar2022))

	// 17's broadcast moves to 11: by start flow, welcome 11 and 12 (6 + 3) / 2,
	// order status 13 and 14 (5 + 4) / 2, none 15 and 17 (3 + 0) / 2.
	exec(t, url, `UPDATE messages SET conversation_id = 11 WHERE workspace_id = 1 AND conversation_id = 17`)
	require.Equal(t, [][2]any{{"(none)", 1.5}, {"order status", 4.5}, {"welcome", 4.5}},
		totals("messages_per_conversation", "flow", jan2022, feb2022))
	require.Equal(t, [][2]any{{"order status", 2.0}, {"welcome", 2.0}}, totals("start_flows", "flow", jan2022, feb2022))

	// A conversation with two messages arrives (23 / 7) and goes again with them (21 / 6).
	exec(t, url, `INSERT INTO conversations (workspace_id, id, contact_id, inbox_id, started_at) VALUES (1, 99, 7, 2, '2022-01-25 12:00Z');
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		VALUES (1, 99, 7, 'inbound', 'contact', '2022-01-25 12:00Z'), (1, 99, 7, 'outbound', 'bot', '2022-01-25 12:01Z')`)
	require.Equal(t, [][2]any{{"", 23.0 / 7}}, totals("messages_per_conversation", "", jan2022, feb2022))
	exec(t, url, `DELETE FROM messages WHERE workspace_id = 1 AND conversation_id = 99; DELETE FROM conversations WHERE workspace_id = 1 AND id = 99`)
	require.Equal(t, [][2]any{{"", 3.5}}, totals("messages_per_conversation", "", jan2022, feb2022))
	require.Equal(t, [][2]any{{"", 6.0}}, totals("conversations", "", jan2022, feb2022))

	// Without messages every conversation has none: 0 / 6; without
	// conversations there is none to average (null) and none to count.
	exec(t, url, `TRUNCATE messages CASCADE`)
	require.Equal(t, [][2]any{{"", 0.0}}, totals("messages_per_conversation", "", jan2022, feb2022))
	exec(t, url, `TRUNCATE conversations CASCADE`)
	require.Equal(t, [][2]any{{"", 0.0}}, totals("conversations", "", jan2022, feb2022))
	frame := ask(t, ds, `{"queryType":"totals","metric":"messages_per_conversation"}`, jan2022, feb2022)
	_, ok := frame.Fields[len(frame.Fields)-1].ConcreteAt(0)
	require.False(t, ok, "null without conversations")
}
