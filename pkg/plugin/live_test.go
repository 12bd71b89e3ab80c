package plugin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The live state of chatbot_fixture.sql, evaluated at the end of the range.
func TestLiveStateAtTheEndOfTheRange(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	at := func(query, end string) [][2]any {
		return rows(t, ask(t, ds, query, "2022-01-01T00:00:00Z", end))
	}
	// 2022-01-07 12:00: 12 and 13 closed within the last 24 hours (11 earlier), 14 has an
	// open assignment, 15 has none.
	const jan7 = "2022-01-07T12:00:00Z"
	require.Equal(t, [][2]any{{"assigned", 1.0}, {"resolved", 2.0}, {"unassigned", 1.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","groupBy":"state"}`, jan7))
	require.Equal(t, [][2]any{{"webchat", 2.0}, {"whatsapp", 2.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","groupBy":"platform"}`, jan7))
	require.Equal(t, [][2]any{{"", 2.0}}, at(`{"queryType":"snapshot","metric":"active_customers"}`, jan7), "contacts 7 and 8")
	require.Equal(t, [][2]any{{"", 5.0}}, at(`{"queryType":"snapshot","metric":"number_of_contacts"}`, jan7), "contacts 1, 2, 3, 7 and 8")
	require.Equal(t, [][2]any{{"", 3.0}}, at(`{"queryType":"snapshot","metric":"idle_customers"}`, jan7), "contacts 1, 2 and 3")

	// 2022-03-01: 14 (assigned), 15 and 18 (unassigned) are open; 16 closed weeks ago.
	const mar1 = "2022-03-01T00:00:00Z"
	require.Equal(t, [][2]any{{"assigned", 1.0}, {"unassigned", 2.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","groupBy":"state"}`, mar1))
	require.Equal(t, [][2]any{{"", 1.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","filters":[{"dimension":"state","values":["assigned"]}]}`, mar1))
	require.Equal(t, [][2]any{{"", 3.0}}, at(`{"queryType":"snapshot","metric":"active_customers"}`, mar1), "contacts 3, 7 and 8")
	require.Equal(t, [][2]any{{"whatsapp", 2.0}}, at(`{"queryType":"snapshot","metric":"idle_customers","groupBy":"platform"}`, mar1), "contacts 1 and 2")

	resp := queryOnce(t, ds, `{"queryType":"timeseries","metric":"active_sessions"}`, "2022-01-01T00:00:00Z", mar1)
	require.EqualError(t, resp.Error, `metric "active_sessions" cannot be queried as "timeseries": it supports snapshot`)
}

// Customers waiting for a human on 2022-03-10 (see the fixture): assignment 7
// waits from 09:05 until after 10:00, 8 from 09:20 until Carla accepts it at
// 09:50, 9 from 09:10 until it is missed at 09:40, 10 from 09:30 until Ana
// accepts it at 10:00. At an instant t an assignment waits when it was created
// at or before t and neither accepted nor ended at or before t.
func TestWaitingNow(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	at := func(query, end string) [][2]any {
		return rows(t, ask(t, ds, query, "2022-03-01T00:00:00Z", end))
	}
	const waiting, longest = `{"queryType":"snapshot","metric":"waiting_now"}`, `{"queryType":"snapshot","metric":"longest_wait_now"}`

	// 09:30: 7 (25 min, 1500 s), 8 (600 s), 9 (1200 s) and 10, created at 09:30 itself (0 s).
	require.Equal(t, [][2]any{{"", 4.0}}, at(waiting, "2022-03-10T09:30:00Z"))
	require.Equal(t, [][2]any{{"", 1500.0}}, at(longest, "2022-03-10T09:30:00Z"))
	// 09:40: 9 ended at 09:40 itself, so 7 (2100 s), 8 (1200 s) and 10 (600 s) wait.
	require.Equal(t, [][2]any{{"", 3.0}}, at(waiting, "2022-03-10T09:40:00Z"))
	require.Equal(t, [][2]any{{"", 2100.0}}, at(longest, "2022-03-10T09:40:00Z"))
	// 10:00: 8 was accepted at 09:50 and 10 at 10:00 itself; only 7 waits, 55 minutes.
	require.Equal(t, [][2]any{{"", 1.0}}, at(waiting, "2022-03-10T10:00:00Z"))
	require.Equal(t, [][2]any{{"", 3300.0}}, at(longest, "2022-03-10T10:00:00Z"))
	require.Equal(t, [][2]any{{"Support", 3300.0}},
		at(`{"queryType":"snapshot","metric":"longest_wait_now","groupBy":"team"}`, "2022-03-10T10:00:00Z"))

	// 09:00: nobody of acme waits (workspace other's assignment, created at 09:00,
	// does not count). Ungrouped that is a real 0 for an alert to compare;
	// grouped there are no groups at all.
	require.Equal(t, [][2]any{{"", 0.0}}, at(waiting, "2022-03-10T09:00:00Z"))
	require.Equal(t, [][2]any{{"", 0.0}}, at(longest, "2022-03-10T09:00:00Z"))
	require.Empty(t, at(`{"queryType":"snapshot","metric":"longest_wait_now","groupBy":"inbox"}`, "2022-03-10T09:00:00Z"))
	require.Equal(t, [][2]any{{"", 0.0}}, at(`{"queryType":"snapshot","metric":"longest_wait_now",
		"filters":[{"dimension":"team","values":["Sales"]}]}`, "2022-03-10T10:00:00Z"), "Carla took Sales' only waiter at 09:50")

	// In January, assignment 2 waited from 2022-01-04 10:05 until it was missed at 10:20.
	require.Equal(t, [][2]any{{"", 300.0}}, rows(t, ask(t, ds, longest, jan2022, "2022-01-04T10:10:00Z")))

	// A rule fed by the workspace other sees its own waiter only: 30 minutes at 09:30.
	other := newDatasourceAt(t, fixtureURL(t, "chatbot_fixture"), "other")
	require.Equal(t, [][2]any{{"Support", 1800.0}}, rows(t, ask(t, other,
		`{"queryType":"snapshot","metric":"longest_wait_now","groupBy":"team"}`, "2022-03-01T00:00:00Z", "2022-03-10T09:30:00Z")))

	resp := queryOnce(t, ds, `{"queryType":"totals","metric":"waiting_now"}`, "2022-03-01T00:00:00Z", "2022-03-10T09:30:00Z")
	require.EqualError(t, resp.Error, `metric "waiting_now" cannot be queried as "totals": it supports snapshot`)
}

// The live state of 2022-03-10 09:30 per inbox, agent and team (see the
// fixture): the sessions 14 (Ana's open assignment 5, Support) and 15 on Web
// chat, 19 (assignment 7, Support, no agent yet) on Web chat support, 18, 20
// (Carla, Sales), 21 (assignment 9, Support) and 22 (its assignment starts only
// at 09:30) on WhatsApp. A contact with conversations in two inboxes (7)
// counts under both, and once without a group.
func TestLiveStateByInboxAgentAndTeam(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	at := func(query string) [][2]any {
		return rows(t, ask(t, ds, query, "2022-03-01T00:00:00Z", "2022-03-10T09:30:00Z"))
	}
	require.Equal(t, [][2]any{{"assigned", 4.0}, {"unassigned", 3.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","groupBy":"state"}`))
	// WhatsApp: 18 and 22 without an open assignment, 20 Sales', 21 Support's.
	require.Equal(t, [][2]any{{"(none)", 2.0}, {"Sales", 1.0}, {"Support", 1.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","groupBy":"team","filters":[{"dimension":"inbox","values":["WhatsApp"]}]}`))
	require.Equal(t, [][2]any{{"Carla", 1.0}},
		at(`{"queryType":"snapshot","metric":"active_sessions","groupBy":"agent","filters":[{"dimension":"team","values":["Sales"]}]}`))
	require.Equal(t, [][2]any{{"", 5.0}}, at(`{"queryType":"snapshot","metric":"number_of_contacts"}`), "contacts 1, 2, 3, 7 and 8")
	require.Equal(t, [][2]any{{"", 5.0}}, at(`{"queryType":"snapshot","metric":"active_customers"}`), "each has an open conversation")
	// The web chat contacts: 7 and 8 on Web chat, 7 again on Web chat support.
	require.Equal(t, [][2]any{{"Web chat", 2.0}, {"Web chat support", 1.0}},
		at(`{"queryType":"snapshot","metric":"number_of_contacts","groupBy":"inbox","filters":[{"dimension":"platform","values":["webchat"]}]}`))
	require.Equal(t, [][2]any{{"", 2.0}},
		at(`{"queryType":"snapshot","metric":"number_of_contacts","filters":[{"dimension":"inbox","values":["Web chat support","Web chat"]}]}`),
		"contact 7 is in both inboxes and counts once")

	// 2022-03-01: contacts 1 and 2 are idle; all their conversations (11, 16; 12, 17) are on WhatsApp.
	require.Equal(t, [][2]any{{"WhatsApp", 2.0}}, rows(t, ask(t, ds,
		`{"queryType":"snapshot","metric":"idle_customers","groupBy":"inbox"}`, "2022-01-01T00:00:00Z", "2022-03-01T00:00:00Z")))
}
