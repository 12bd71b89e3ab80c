package plugin

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/stretchr/testify/require"
)

// January 2022 of chatbot_fixture.sql, campaigns and costs.
func TestCampaignAndCostMetrics(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	total := func(metric, groupBy string) [][2]any { return januaryTotals(t, ds, metric, groupBy) }
	near := func(want, got [][2]any) {
		t.Helper()
		require.Len(t, got, len(want))
		for i := range want {
			require.Equal(t, want[i][0], got[i][0])
			require.InDelta(t, want[i][1].(float64), got[i][1].(float64), 1e-9, "%v", want[i][0])
		}
	}

	require.Equal(t, [][2]any{{"(none)", 1.0}, {"Renewals", 1.0}, {"Spring sale", 5.0}}, total("conversations", "task"),
		"a campaign's chats are its conversations")
	near([][2]any{{"webchat", 0.004}, {"whatsapp", 0.006}}, total("ai_expense", "platform"))
	near([][2]any{{"", 0.010}}, total("ai_expense", ""))
	require.Equal(t, [][2]any{{"whatsapp", 3.0}}, total("paid_messages", "platform"))
	near([][2]any{{"whatsapp", 0.15}}, total("billing_cost", "platform"))
	near([][2]any{{"marketing", 0.05}, {"utility", 0.004}}, total("credit_usage", "template_category"))
	require.Equal(t, [][2]any{{"ai_writer", 3.0}, {"doc_reply", 1.0}}, total("ai_assist_usage", "tool"))
	require.Equal(t, [][2]any{{"Ana", 2.0}, {"Bruno", 1.0}, {"Carla", 1.0}}, total("ai_assist_usage", "agent"))
	require.Equal(t, [][2]any{{"complaint", 1.0}, {"vip", 2.0}}, total("markers", "marker"))
	require.Equal(t, [][2]any{{"Ana", 2.0}, {"Bruno", 1.0}, {"Carla", 1.0}}, total("agent_messages", "agent"))
	require.Equal(t, [][2]any{{"webchat", 1.0}, {"whatsapp", 3.0}}, total("agent_messages", "platform"))

	pages := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"web_pages","groupBy":"page"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"/pricing", 3.0}, {"/contact", 1.0}}, pages)

	// Credit usage per day, as the usage history shows it: empty days are 0.
	daily, _ := series(t, ask(t, ds, `{"metric":"credit_usage","interval":"day"}`, "2022-01-10T00:00:00Z", "2022-01-14T00:00:00Z"))
	require.Len(t, daily["Credit usage"], 4)
	for i, want := range []float64{0.025, 0.025, 0.004, 0} {
		require.InDelta(t, want, daily["Credit usage"][i], 1e-9)
	}
}

// The Spring sale funnel in January: 5 chats (11, 12, 13, 17, 18), 3 replied,
// contact details in 2 of those (17 had no reply), 1 success; Renewals: 1 chat, replied.
func TestCampaignFunnel(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	byTask := func(metric string) [][2]any {
		return rows(t, ask(t, ds, `{"queryType":"totals","metric":"`+metric+`","groupBy":"task",
			"filters":[{"dimension":"task","values":["Spring sale","Renewals"]}]}`, jan2022, feb2022))
	}
	require.Equal(t, [][2]any{{"Renewals", 1.0}, {"Spring sale", 5.0}}, byTask("conversations"))
	require.Equal(t, [][2]any{{"Renewals", 1.0}, {"Spring sale", 3.0}}, byTask("replies"))
	require.Equal(t, [][2]any{{"Renewals", 1.0}, {"Spring sale", 0.6}}, byTask("reply_share"))
	require.Equal(t, [][2]any{{"Renewals", 0.0}, {"Spring sale", 2.0}}, byTask("contacts_obtained"))
	shares := byTask("contacts_obtained_share")
	require.Equal(t, 0.0, shares[0][1])
	require.InDelta(t, 2.0/3, shares[1][1].(float64), 1e-12)
	require.Equal(t, [][2]any{{"Renewals", 0.0}, {"Spring sale", 1.0}}, byTask("successes"))
	success := byTask("success_share")
	require.InDelta(t, 1.0/3, success[1][1].(float64), 1e-12)
	cost := byTask("dialog_cost")
	require.Equal(t, "Spring sale", cost[1][0])
	require.InDelta(t, 0.0912, cost[1][1].(float64), 1e-12, "0.0312 + 0.05 + 0.01")

	// Messages per conversation in January: (5 + 3 + 5 + 4 + 2 + 1 + 1) / 7.
	perConversation := rows(t, ask(t, ds, `{"queryType":"totals","metric":"messages_per_conversation"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"", 3.0}}, perConversation)

	// A share without conversations is null, not 0.
	empty := ask(t, ds, `{"queryType":"totals","metric":"reply_share"}`, "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z")
	_, ok := empty.Fields[0].ConcreteAt(0)
	require.False(t, ok)
}

// AI expense divided by chats, contacts obtained and successes. January:
// expense 0.010 (bot replies in 11, 12, 13 on whatsapp, 14 and 15 on webchat,
// 0.002 each); chats 7 (whatsapp 11, 12, 13, 17, 18; webchat 14, 15);
// contacts obtained 2 (11, 13, whatsapp); successes 1 (13, whatsapp).
// February: expense 0.002 and one chat (16), nothing obtained.
func TestExpensePerDialogueContactAndSuccess(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	value := func(frameRows [][2]any, i int) any { return frameRows[i][1] }

	perDialogue := januaryTotals(t, ds, "expense_per_dialogue", "")
	require.InDelta(t, 0.010/7, value(perDialogue, 0), 1e-12)
	byPlatform := januaryTotals(t, ds, "expense_per_dialogue", "platform")
	require.Equal(t, "webchat", byPlatform[0][0])
	require.InDelta(t, 0.004/2, value(byPlatform, 0), 1e-12)
	require.Equal(t, "whatsapp", byPlatform[1][0])
	require.InDelta(t, 0.006/5, value(byPlatform, 1), 1e-12)

	require.InDelta(t, 0.010/2, value(januaryTotals(t, ds, "expense_per_contact", ""), 0), 1e-12)
	require.InDelta(t, 0.010/1, value(januaryTotals(t, ds, "expense_per_success", ""), 0), 1e-12)

	// Webchat obtained no contact: its expense per contact is null, not a
	// division by zero, and a ranking puts it last.
	ranked := ask(t, ds, `{"queryType":"ranking","metric":"expense_per_contact","groupBy":"platform"}`, jan2022, feb2022)
	require.Equal(t, "whatsapp", ranked.Fields[0].At(0))
	require.InDelta(t, 0.006/2, *ranked.Fields[1].At(0).(*float64), 1e-12)
	require.Equal(t, "webchat", ranked.Fields[0].At(1))
	require.Nil(t, ranked.Fields[1].At(1))

	monthly := ask(t, ds, `{"metric":"expense_per_contact","interval":"month"}`, jan2022, mar2022)
	require.InDelta(t, 0.005, *monthly.Fields[1].At(0).(*float64), 1e-12)
	require.Nil(t, monthly.Fields[1].At(1), "February obtained no contact")
	perChat, _ := series(t, ask(t, ds, `{"metric":"expense_per_dialogue","interval":"month"}`, jan2022, mar2022))
	require.InDeltaSlice(t, []float64{0.010 / 7, 0.002}, perChat["Expense per dialogue"], 1e-12)
}

// Balance: credits added minus template sends' costs, from the beginning of
// the store (see the fixture's credit ledger).
func TestBalance(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	monthly, _ := series(t, ask(t, ds, `{"metric":"balance","interval":"month"}`, "2021-12-01T00:00:00Z", mar2022))
	require.InDeltaSlice(t, []float64{10, 10.446, 9.443}, monthly["Balance"], 1e-9)

	// At 2022-01-11 00:00: the top-up less the marketing send of 2022-01-10.
	now := rows(t, ask(t, ds, `{"queryType":"snapshot","metric":"balance"}`, jan2022, "2022-01-11T00:00:00Z"))
	require.InDelta(t, 9.975, now[0][1].(float64), 1e-9)
	januaryEnd := januaryTotals(t, ds, "balance", "")
	require.InDelta(t, 10.446, januaryEnd[0][1].(float64), 1e-9)
	before := rows(t, ask(t, ds, `{"queryType":"snapshot","metric":"balance"}`, "2021-01-01T00:00:00Z", "2021-06-01T00:00:00Z"))
	require.Equal(t, [][2]any{{"", 0.0}}, before, "no credit yet is a real zero")
}

// AI assist accuracy, 1 - edit distance / longer length, over sent and
// untranslated uses. January: Ana's AI writer text "Your order ships
// today." went out as "...today!" (1 edit in 23 characters: 22/23), her doc
// reply unchanged (1); Bruno's was never sent and Carla's was translated, so
// neither counts. February: Ana's unchanged (1).
func TestAIAssistAccuracy(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	january := januaryTotals(t, ds, "ai_assist_accuracy", "")
	require.InDelta(t, (22.0/23+1)/2, january[0][1].(float64), 1e-12)
	byTool := januaryTotals(t, ds, "ai_assist_accuracy", "tool")
	require.Equal(t, "ai_writer", byTool[0][0])
	require.InDelta(t, 22.0/23, byTool[0][1].(float64), 1e-12)
	require.Equal(t, [2]any{"doc_reply", 1.0}, byTool[1])

	twoMonths := rows(t, ask(t, ds, `{"queryType":"totals","metric":"ai_assist_accuracy"}`, jan2022, mar2022))
	require.InDelta(t, (22.0/23+2)/3, twoMonths[0][1].(float64), 1e-12)

	// Bruno and Carla have uses but no accuracy: they are not in the ranking.
	ranked := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"ai_assist_accuracy","groupBy":"agent"}`, jan2022, feb2022))
	require.Len(t, ranked, 1)
	require.Equal(t, "Ana", ranked[0][0])
}

// AI expense and its ratios per task, a message's task being its
// conversation's. January: bot replies at 0.002 in 11, 12, 13 (Spring sale),
// 14 (Renewals) and 15 (no task); Spring sale has 5 chats (11, 12, 13, 17,
// 18), 2 contacts obtained (11, 13) and 1 success (13); Renewals 1 chat (14)
// and the conversations without a task 1 (15), neither with a contact or a
// success. February: one reply (0.002) and one chat, both in 16 (no task).
func TestExpenseByTask(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	near := func(want []any, frame *data.Frame) {
		t.Helper()
		require.Equal(t, len(want)/2, frame.Rows())
		for i := 0; i < len(want); i += 2 {
			require.Equal(t, want[i], frame.Fields[0].At(i/2), "row %d", i/2)
			got := frame.Fields[len(frame.Fields)-1].At(i / 2).(*float64)
			if want[i+1] == nil {
				require.Nil(t, got, "%v", want[i])
				continue
			}
			require.NotNil(t, got, "%v", want[i])
			require.InDelta(t, want[i+1].(float64), *got, 1e-12, "%v", want[i])
		}
	}
	query := func(kind, metric string) *data.Frame {
		return ask(t, ds, `{"queryType":"`+kind+`","metric":"`+metric+`","groupBy":"task"}`, jan2022, feb2022)
	}
	near([]any{"(none)", 0.002, "Renewals", 0.002, "Spring sale", 0.006}, query("totals", "ai_expense"))
	near([]any{"(none)", 0.002, "Renewals", 0.002, "Spring sale", 0.006 / 5}, query("totals", "expense_per_dialogue"))
	// Without a contact obtained the ratio is null, and a ranking puts it last, ties by name.
	near([]any{"Spring sale", 0.006 / 2, "(none)", nil, "Renewals", nil}, query("ranking", "expense_per_contact"))
	near([]any{"(none)", nil, "Renewals", nil, "Spring sale", 0.006}, query("totals", "expense_per_success"))

	filtered := januaryFiltered(t, ds, "expense_per_dialogue", `{"dimension":"task","values":["Spring sale","Renewals"]}`)
	require.InDelta(t, 0.008/6, filtered, 1e-12, "0.006 + 0.002 over 5 + 1 chats")

	// Per month on WhatsApp: Spring sale's January is 0.006 over 5 chats; the
	// conversations without a task have neither expense nor chats there in
	// January (15 is on web chat), and 16's 0.002 in February: null where a
	// month has no chat.
	monthly := ask(t, ds, `{"metric":"expense_per_dialogue","groupBy":"task","interval":"month",
		"filters":[{"dimension":"platform","values":["whatsapp"]}]}`, jan2022, mar2022)
	perTask := map[string][]*float64{}
	for _, field := range monthly.Fields[1:] {
		for i := 0; i < field.Len(); i++ {
			perTask[field.Labels["task"]] = append(perTask[field.Labels["task"]], field.At(i).(*float64))
		}
	}
	require.Len(t, perTask, 2, "%v", perTask)
	require.InDelta(t, 0.006/5, *perTask["Spring sale"][0], 1e-12)
	require.Nil(t, perTask["Spring sale"][1])
	require.Nil(t, perTask["(none)"][0])
	require.InDelta(t, 0.002, *perTask["(none)"][1], 1e-12)
}

// januaryFiltered is an ungrouped totals query over January 2022 with filters.
func januaryFiltered(t *testing.T, ds *Datasource, metric, filters string) float64 {
	t.Helper()
	r := rows(t, ask(t, ds, `{"queryType":"totals","metric":"`+metric+`","filters":[`+filters+`]}`, jan2022, feb2022))
	require.Len(t, r, 1)
	return r[0][1].(float64)
}
