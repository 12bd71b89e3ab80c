package plugin

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// Every dimension of the catalog groups and filters one of its metrics over
// chatbot_fixture.sql, January and February 2022 (snapshots: at 2022-01-07
// 12:00). Grouped values are counted by hand from the fixture; the filter
// takes several values, as a multi-value template variable sends them.
func TestEveryDimensionGroupsAndFilters(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	cases := []struct {
		dimension, metric string
		grouped           [][2]any
		filter            []string
		filtered          float64
	}{
		// Conversations 11, 12, 13, 16, 17, 18 on whatsapp; 14, 15 on webchat.
		{"platform", "conversations", [][2]any{{"webchat", 2.0}, {"whatsapp", 6.0}}, []string{"webchat", "telegram"}, 2},
		// Inbox 1 "WhatsApp" has the whatsapp conversations, 2 "Web chat" the others;
		// agent messages reach their inbox through their conversation.
		{"inbox", "conversations", [][2]any{{"Web chat", 2.0}, {"WhatsApp", 6.0}}, []string{"Web chat", "WhatsApp"}, 8},
		// Inbound 3+2+2+2+1+1; bot replies in 11..16; agents 4 in January, 1 in February; broadcasts in 17, 18.
		{"sender", "total_messages", [][2]any{{"agent", 5.0}, {"bot", 6.0}, {"broadcast", 2.0}, {"contact", 11.0}}, []string{"agent", "broadcast"}, 7},
		{"intent", "top_intents", [][2]any{{"greeting", 3.0}, {"order_status", 4.0}, {"refund", 2.0}}, []string{"refund", "greeting"}, 5},
		// es: contacts 1 and 7; en: 2 and 7; pt: 3. es or pt: contacts 1, 3, 7.
		{"language", "languages", [][2]any{{"en", 2.0}, {"es", 2.0}, {"pt", 1.0}}, []string{"es", "pt"}, 3},
		{"flow", "start_flows", [][2]any{{"human handoff", 1.0}, {"order status", 2.0}, {"welcome", 2.0}}, []string{"welcome", "human handoff"}, 3},
		// Accepted assignments: Ana 1, 5, 6; Bruno 3; Carla 4.
		{"agent", "handled_conversations", [][2]any{{"Ana", 3.0}, {"Bruno", 1.0}, {"Carla", 1.0}}, []string{"Bruno", "Carla"}, 2},
		// Assignment 4 went to Sales, the other five to Support.
		{"team", "cc_conversations", [][2]any{{"Sales", 1.0}, {"Support", 5.0}}, []string{"Sales", "Support"}, 6},
		// Assignment 2 was never taken, so it has no role.
		{"role", "cc_conversations", [][2]any{{"(none)", 1.0}, {"admin", 1.0}, {"support", 3.0}, {"tech", 1.0}}, []string{"admin", "tech"}, 2},
		// Ended assignments: 1, 4, 6 resolved; 2 timeout; 3 transferred (5 is open).
		{"closing_reason", "closing_reasons", [][2]any{{"resolved", 3.0}, {"timeout", 1.0}, {"transferred", 1.0}}, []string{"timeout", "transferred"}, 2},
		{"task", "conversations", [][2]any{{"(none)", 2.0}, {"Renewals", 1.0}, {"Spring sale", 5.0}}, []string{"Renewals", "Spring sale"}, 6},
		{"template_category", "credit_usage", [][2]any{{"authentication", 0.003}, {"marketing", 0.05}, {"utility", 0.004}}, []string{"utility", "authentication"}, 0.007},
		{"tool", "ai_assist_usage", [][2]any{{"ai_writer", 4.0}, {"doc_reply", 1.0}}, []string{"ai_writer", "doc_reply"}, 5},
		// vip on 11 and 13, complaint on 13 and 16: either marker, conversations 11, 13, 16.
		{"marker", "markers", [][2]any{{"complaint", 2.0}, {"vip", 2.0}}, []string{"vip", "complaint"}, 3},
		{"page", "web_pages", [][2]any{{"/contact", 1.0}, {"/pricing", 3.0}}, []string{"/contact", "/pricing"}, 4},
		// At 2022-01-07 12:00: 14 has an open assignment; 12 and 13 closed within 24 h; 15 open.
		{"state", "active_sessions", [][2]any{{"assigned", 1.0}, {"resolved", 2.0}, {"unassigned", 1.0}}, []string{"assigned", "resolved"}, 3},
		// 12 was handed off and no agent wrote; 14, 15, 18 are open; 11, 13, 16, 17 closed.
		{"status", "conversations", [][2]any{{"active", 3.0}, {"closed", 4.0}, {"no_operator_response", 1.0}}, []string{"active", "no_operator_response"}, 4},
		// Only the broadcasts of 17 and 18 got no reply.
		{"replied", "conversations", [][2]any{{"false", 2.0}, {"true", 6.0}}, []string{"false"}, 2},
		{"interest", "conversations", [][2]any{{"false", 5.0}, {"true", 3.0}}, []string{"true"}, 3},
		{"contact_obtained", "conversations", [][2]any{{"false", 5.0}, {"true", 3.0}}, []string{"true"}, 3},
		{"success", "conversations", [][2]any{{"false", 7.0}, {"true", 1.0}}, []string{"true", "false"}, 8},
		{"phrase", "client_phrases", [][2]any{{"hello", 2.0}, {"hi", 1.0}, {"i want a refund", 2.0}, {"thanks", 1.0}, {"where is my order", 4.0}},
			[]string{"hello", "hi"}, 3},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		t.Run(c.dimension, func(t *testing.T) {
			covered[c.dimension] = true
			metric, ok := catalog.Lookup(c.metric)
			require.True(t, ok)
			kind, from, to := "totals", jan2022, mar2022
			if metric.Supports("snapshot") {
				kind, to = "snapshot", "2022-01-07T12:00:00Z"
			}
			near := func(want, got [][2]any) {
				t.Helper()
				require.Len(t, got, len(want), "%v", got)
				for i := range want {
					require.Equal(t, want[i][0], got[i][0])
					require.InDelta(t, want[i][1].(float64), got[i][1].(float64), 1e-9, "%v", want[i][0])
				}
			}
			near(c.grouped, rows(t, ask(t, ds, `{"queryType":"`+kind+`","metric":"`+c.metric+`","groupBy":"`+c.dimension+`"}`, from, to)))

			values := `"` + c.filter[0] + `"`
			for _, v := range c.filter[1:] {
				values += `,"` + v + `"`
			}
			filtered := rows(t, ask(t, ds, `{"queryType":"`+kind+`","metric":"`+c.metric+`",
				"filters":[{"dimension":"`+c.dimension+`","values":[`+values+`]}]}`, from, to))
			near([][2]any{{"", c.filtered}}, filtered)
		})
	}
	for _, d := range catalog.Dimensions {
		require.True(t, covered[d.ID], "dimension %s has no group-by and filter case", d.ID)
	}
}
