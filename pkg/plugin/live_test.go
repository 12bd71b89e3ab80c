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
