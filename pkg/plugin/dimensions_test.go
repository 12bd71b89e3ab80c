package plugin

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// Every dimension of the catalog groups and filters one of its metrics over
// chatbot_fixture.sql, January and February 2022 (snapshots: at 2022-01-07
// 12:00), or over the range a case names. Grouped values are counted by hand
// from the fixture; the filter takes several values, as a multi-value
// template variable sends them. Records are never grouped: there the filter
// keeps the dialogs ids, and a filter-only dimension says it cannot group.
func TestEveryDimensionGroupsAndFilters(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	// The waiting customers of the fixture's 2022-03-10 morning.
	const (
		mar10at0930 = "2022-03-10T09:30:00Z"
		mar10at1000 = "2022-03-10T10:00:00Z"
		apr2022     = "2022-04-01T00:00:00Z"
	)
	cases := []struct {
		dimension, metric string
		grouped           [][2]any
		filter            []string
		filtered          float64
		// from and to replace the default range when set.
		from, to string
		// ids are the dialogs a records metric keeps, newest first.
		ids []int64
	}{
		// Conversations 11, 12, 13, 16, 17, 18 on whatsapp; 14, 15 on webchat.
		{"platform", "conversations", [][2]any{{"webchat", 2.0}, {"whatsapp", 6.0}}, []string{"webchat", "telegram"}, 2, "", "", nil},
		// Inbox 1 "WhatsApp" has the whatsapp conversations, 2 "Web chat" the others;
		// agent messages reach their inbox through their conversation.
		{"inbox", "conversations", [][2]any{{"Web chat", 2.0}, {"WhatsApp", 6.0}}, []string{"Web chat", "WhatsApp"}, 8, "", "", nil},
		// Inbound 3+2+2+2+1+1; bot replies in 11..16; agents 4 in January, 1 in February; broadcasts in 17, 18.
		{"sender", "total_messages", [][2]any{{"agent", 5.0}, {"bot", 6.0}, {"broadcast", 2.0}, {"contact", 11.0}}, []string{"agent", "broadcast"}, 7, "", "", nil},
		{"intent", "top_intents", [][2]any{{"greeting", 3.0}, {"order_status", 4.0}, {"refund", 2.0}}, []string{"refund", "greeting"}, 5, "", "", nil},
		// es: contacts 1 and 7; en: 2 and 7; pt: 3. es or pt: contacts 1, 3, 7.
		{"language", "languages", [][2]any{{"en", 2.0}, {"es", 2.0}, {"pt", 1.0}}, []string{"es", "pt"}, 3, "", "", nil},
		{"flow", "start_flows", [][2]any{{"human handoff", 1.0}, {"order status", 2.0}, {"welcome", 2.0}}, []string{"welcome", "human handoff"}, 3, "", "", nil},
		// Accepted assignments: Ana 1, 5, 6; Bruno 3; Carla 4.
		{"agent", "handled_conversations", [][2]any{{"Ana", 3.0}, {"Bruno", 1.0}, {"Carla", 1.0}}, []string{"Bruno", "Carla"}, 2, "", "", nil},
		// Assignment 4 went to Sales, the other five to Support.
		{"team", "cc_conversations", [][2]any{{"Sales", 1.0}, {"Support", 5.0}}, []string{"Sales", "Support"}, 6, "", "", nil},
		// Assignment 2 was never taken, so it has no role.
		{"role", "cc_conversations", [][2]any{{"(none)", 1.0}, {"admin", 1.0}, {"support", 3.0}, {"tech", 1.0}}, []string{"admin", "tech"}, 2, "", "", nil},
		// Ended assignments: 1, 4, 6 resolved; 2 timeout; 3 transferred (5 is open).
		{"closing_reason", "closing_reasons", [][2]any{{"resolved", 3.0}, {"timeout", 1.0}, {"transferred", 1.0}}, []string{"timeout", "transferred"}, 2, "", "", nil},
		{"task", "conversations", [][2]any{{"(none)", 2.0}, {"Renewals", 1.0}, {"Spring sale", 5.0}}, []string{"Renewals", "Spring sale"}, 6, "", "", nil},
		{"template_category", "credit_usage", [][2]any{{"authentication", 0.003}, {"marketing", 0.05}, {"utility", 0.004}}, []string{"utility", "authentication"}, 0.007, "", "", nil},
		{"tool", "ai_assist_usage", [][2]any{{"ai_writer", 4.0}, {"doc_reply", 1.0}}, []string{"ai_writer", "doc_reply"}, 5, "", "", nil},
		// vip on 11 and 13, complaint on 13 and 16: either marker, conversations 11, 13, 16.
		{"marker", "markers", [][2]any{{"complaint", 2.0}, {"vip", 2.0}}, []string{"vip", "complaint"}, 3, "", "", nil},
		{"page", "web_pages", [][2]any{{"/contact", 1.0}, {"/pricing", 3.0}}, []string{"/contact", "/pricing"}, 4, "", "", nil},
		// At 2022-01-07 12:00: 14 has an open assignment; 12 and 13 closed within 24 h; 15 open.
		{"state", "active_sessions", [][2]any{{"assigned", 1.0}, {"resolved", 2.0}, {"unassigned", 1.0}}, []string{"assigned", "resolved"}, 3, "", "", nil},
		// 12 was handed off and no agent wrote; 14, 15, 18 are open; 11, 13, 16, 17 closed.
		{"status", "conversations", [][2]any{{"active", 3.0}, {"closed", 4.0}, {"no_operator_response", 1.0}}, []string{"active", "no_operator_response"}, 4, "", "", nil},
		// Only the broadcasts of 17 and 18 got no reply.
		{"replied", "conversations", [][2]any{{"false", 2.0}, {"true", 6.0}}, []string{"false"}, 2, "", "", nil},
		{"interest", "conversations", [][2]any{{"false", 5.0}, {"true", 3.0}}, []string{"true"}, 3, "", "", nil},
		{"contact_obtained", "conversations", [][2]any{{"false", 5.0}, {"true", 3.0}}, []string{"true"}, 3, "", "", nil},
		{"success", "conversations", [][2]any{{"false", 7.0}, {"true", 1.0}}, []string{"true", "false"}, 8, "", "", nil},
		{"phrase", "client_phrases", [][2]any{{"hello", 2.0}, {"hi", 1.0}, {"i want a refund", 2.0}, {"thanks", 1.0}, {"where is my order", 4.0}},
			[]string{"hello", "hi"}, 3, "", "", nil},

		// A message's task is its conversation's. Bot replies cost 0.002 each, one in
		// each of 11..16: Spring sale 11, 12, 13; Renewals 14; no task 15, 16.
		{"task", "ai_expense", [][2]any{{"(none)", 0.004}, {"Renewals", 0.002}, {"Spring sale", 0.006}}, []string{"Renewals", "Spring sale"}, 0.008, "", "", nil},
		// Over chats: no task 15, 16; Renewals 14; Spring sale 11, 12, 13, 17, 18.
		{"task", "expense_per_dialogue", [][2]any{{"(none)", 0.002}, {"Renewals", 0.002}, {"Spring sale", 0.0012}}, []string{"Spring sale"}, 0.0012, "", "", nil},
		// At 2022-03-10 09:30: 14 and 15 on Web chat, 19 on Web chat support, 18, 20, 21
		// and 22 on WhatsApp. Open assignments: 5 (Ana, Support) on 14, 7 (Support) on 19,
		// 8 (Carla, Sales) on 20, 9 (Support) on 21; 10 on 22 is created only at 09:30.
		{"inbox", "active_sessions", [][2]any{{"Web chat", 2.0}, {"Web chat support", 1.0}, {"WhatsApp", 4.0}}, []string{"Web chat support", "Web chat"}, 3, "", mar10at0930, nil},
		{"agent", "active_sessions", [][2]any{{"(none)", 5.0}, {"Ana", 1.0}, {"Carla", 1.0}}, []string{"Ana", "Carla"}, 2, "", mar10at0930, nil},
		{"team", "active_sessions", [][2]any{{"(none)", 3.0}, {"Sales", 1.0}, {"Support", 3.0}}, []string{"Sales"}, 1, "", mar10at0930, nil},
		// Open then: contacts 7 and 8 on Web chat, 7 on Web chat support, 1, 2, 3 on WhatsApp.
		{"inbox", "active_customers", [][2]any{{"Web chat", 2.0}, {"Web chat support", 1.0}, {"WhatsApp", 3.0}}, []string{"Web chat", "Web chat support"}, 2, "", mar10at0930, nil},
		// Contact 7 has conversations in Web chat (14) and Web chat support (19): under both.
		{"inbox", "number_of_contacts", [][2]any{{"Web chat", 2.0}, {"Web chat support", 1.0}, {"WhatsApp", 3.0}}, []string{"Web chat support", "WhatsApp"}, 4, "", mar10at0930, nil},
		// At 10:00 only contact 1 is idle (21 closed at 09:45); all its conversations are on WhatsApp.
		{"inbox", "idle_customers", [][2]any{{"WhatsApp", 1.0}}, []string{"WhatsApp", "Web chat"}, 1, "", mar10at1000, nil},
		// First inbound messages: contacts 1, 2, 3 in 11, 12, 13 (WhatsApp), 7 and 8 in 14, 15
		// (Web chat). Contact 7 writes again in March, in 19 on Web chat support: still new
		// on Web chat only.
		{"inbox", "new_users", [][2]any{{"Web chat", 2.0}, {"WhatsApp", 3.0}}, []string{"WhatsApp", "Web chat support"}, 3, "", apr2022, nil},
		// Triggers in 11, 12 (twice), 13 and 16 on WhatsApp; in March, one in 19 and one outside any conversation.
		{"inbox", "flow_triggers", [][2]any{{"(none)", 1.0}, {"Web chat support", 1.0}, {"WhatsApp", 5.0}}, []string{"Web chat support", "WhatsApp"}, 6, "", apr2022, nil},
		// Agent messages: Ana in 11, 14 and 16, Bruno and Carla in 13; 14 is on Web chat.
		{"inbox", "agent_messages", [][2]any{{"Web chat", 1.0}, {"WhatsApp", 4.0}}, []string{"Web chat"}, 1, "", "", nil},
		// The sending agent's team: Ana and Bruno are in Support, Carla in Sales.
		{"team", "agent_messages", [][2]any{{"Sales", 1.0}, {"Support", 4.0}}, []string{"Support"}, 4, "", "", nil},
		// Missed: assignment 2 (conversation 12) and, in March, 9 (conversation 21), both on WhatsApp.
		{"inbox", "missed_conversations", [][2]any{{"WhatsApp", 2.0}}, []string{"WhatsApp", "Web chat support"}, 2, "", apr2022, nil},
		// AI assist uses in 11, 13 (twice) and 16 on WhatsApp, 14 on Web chat.
		{"inbox", "ai_assist_usage", [][2]any{{"Web chat", 1.0}, {"WhatsApp", 4.0}}, []string{"WhatsApp"}, 4, "", "", nil},
		// Accuracy on WhatsApp: 22/23 in 11 and 1 in 16 (13's two have none); on Web chat 1 in 14.
		{"inbox", "ai_assist_accuracy", [][2]any{{"Web chat", 1.0}, {"WhatsApp", (22.0/23 + 1) / 2}}, []string{"Web chat"}, 1, "", "", nil},
		// Waiting at 2022-03-10 09:30: 7 (Support, Web chat support, since 09:05: 1500 s),
		// 8 (Sales, WhatsApp, 09:20: 600 s), 9 (Support, WhatsApp, 09:10: 1200 s) and 10
		// (no team, WhatsApp, created at 09:30 itself: 0 s).
		{"team", "waiting_now", [][2]any{{"(none)", 1.0}, {"Sales", 1.0}, {"Support", 2.0}}, []string{"Sales", "Support"}, 3, "", mar10at0930, nil},
		{"inbox", "waiting_now", [][2]any{{"Web chat support", 1.0}, {"WhatsApp", 3.0}}, []string{"WhatsApp"}, 3, "", mar10at0930, nil},
		{"platform", "waiting_now", [][2]any{{"webchat", 1.0}, {"whatsapp", 3.0}}, []string{"webchat"}, 1, "", mar10at0930, nil},
		{"team", "longest_wait_now", [][2]any{{"(none)", 0.0}, {"Sales", 600.0}, {"Support", 1500.0}}, []string{"Sales"}, 600, "", mar10at0930, nil},
		{"inbox", "longest_wait_now", [][2]any{{"Web chat support", 1500.0}, {"WhatsApp", 1200.0}}, []string{"WhatsApp"}, 1200, "", mar10at0930, nil},
		{"platform", "longest_wait_now", [][2]any{{"webchat", 1500.0}, {"whatsapp", 1200.0}}, []string{"whatsapp", "webchat"}, 1500, "", mar10at0930, nil},
		// Dialogs with either marker: vip on 11 and 13, complaint on 13 and 16.
		{"marker", "dialogs", nil, []string{"vip", "complaint"}, 0, "", "", []int64{16, 13, 11}},
		// "I want a refund" (13), "I want a refund." (16), "hi" (14), whatever the case.
		{"message_text", "dialogs", nil, []string{"REFUND", "hi"}, 0, "", "", []int64{16, 14, 13}},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		t.Run(c.dimension, func(t *testing.T) {
			covered[c.dimension] = true
			metric, ok := catalog.Lookup(c.metric)
			require.True(t, ok)
			kind, from, to := "totals", jan2022, mar2022
			switch {
			case metric.Supports("snapshot"):
				kind, to = "snapshot", "2022-01-07T12:00:00Z"
			case metric.Supports("records"):
				kind = "records"
			}
			if c.from != "" {
				from = c.from
			}
			if c.to != "" {
				to = c.to
			}
			values := `"` + strings.Join(c.filter, `","`) + `"`
			query := `{"queryType":"` + kind + `","metric":"` + c.metric + `"`
			filters := `,"filters":[{"dimension":"` + c.dimension + `","values":[` + values + `]}]}`
			if kind == "records" {
				grouped := queryOnce(t, ds, query+`,"groupBy":"`+c.dimension+`"}`, from, to)
				require.Error(t, grouped.Error)
				require.EqualValues(t, 400, grouped.Status)
				if dimension, _ := catalog.LookupDimension(c.dimension); dimension.FilterOnly {
					require.EqualError(t, grouped.Error, "dimension "+c.dimension+" only filters, it cannot be a group by: remove the group by and filter by "+c.dimension+" instead")
				}
				require.Equal(t, c.ids, dialogIDs(t, ask(t, ds, query+filters, from, to)))
				return
			}
			near := func(want, got [][2]any) {
				t.Helper()
				require.Len(t, got, len(want), "%v", got)
				for i := range want {
					require.Equal(t, want[i][0], got[i][0])
					require.InDelta(t, want[i][1].(float64), got[i][1].(float64), 1e-9, "%v", want[i][0])
				}
			}
			near(c.grouped, rows(t, ask(t, ds, query+`,"groupBy":"`+c.dimension+`"}`, from, to)))
			near([][2]any{{"", c.filtered}}, rows(t, ask(t, ds, query+filters, from, to)))
		})
	}
	for _, d := range catalog.Dimensions {
		require.True(t, covered[d.ID], "dimension %s has no group-by and filter case", d.ID)
	}
}
