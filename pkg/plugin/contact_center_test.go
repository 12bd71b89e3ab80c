package plugin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// January 2022 of chatbot_fixture.sql: assignments 1 to 5.
func TestContactCenterCounts(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	total := func(metric, groupBy string) [][2]any { return januaryTotals(t, ds, metric, groupBy) }
	require.Equal(t, [][2]any{{"", 5.0}}, total("cc_conversations", ""), "a transfer is a new assignment")
	require.Equal(t, [][2]any{{"Sales", 1.0}, {"Support", 4.0}}, total("cc_conversations", "team"))
	require.Equal(t, [][2]any{{"(none)", 1.0}, {"admin", 1.0}, {"support", 2.0}, {"tech", 1.0}}, total("cc_conversations", "role"))
	require.Equal(t, [][2]any{{"(none)", 1.0}, {"Ana", 2.0}, {"Bruno", 1.0}, {"Carla", 1.0}}, total("cc_conversations", "agent"),
		"times assigned per agent; the missed one has no agent")
	require.Equal(t, [][2]any{{"", 4.0}}, total("handled_conversations", ""))
	require.Equal(t, [][2]any{{"", 1.0}}, total("missed_conversations", ""))
	require.Equal(t, [][2]any{{"", 4.0}}, total("unique_users_served", ""), "contacts 1, 2, 3 and 7")
	require.Equal(t, [][2]any{{"resolved", 2.0}, {"timeout", 1.0}, {"transferred", 1.0}}, total("closing_reasons", "closing_reason"),
		"the open assignment has no closing reason yet")
	require.Equal(t, [][2]any{{"Ana", 9.5}, {"Bruno", 4.0}, {"Carla", 20.0}}, total("conversation_minutes", "agent"))
}

// Wait times in January are 60, 180, 60 and 40 s; conversation times of the
// ended accepted assignments 570, 240 and 1200 s. percentile_cont interpolates:
// the 90th percentile of 40, 60, 60, 180 sits at 2.7 of 3 steps: 60 + 0.7 * 120.
func TestContactCenterDurations(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	value := func(metric string) float64 {
		r := rows(t, ask(t, ds, `{"queryType":"totals","metric":"`+metric+`"}`, jan2022, feb2022))
		require.Len(t, r, 1)
		return r[0][1].(float64)
	}
	require.InDelta(t, 85, value("wait_time_avg"), 1e-9)
	require.InDelta(t, 60, value("wait_time_median"), 1e-9)
	require.InDelta(t, 144, value("wait_time_p90"), 1e-9)
	require.InDelta(t, 180, value("wait_time_max"), 1e-9)
	require.InDelta(t, 670, value("conversation_time_avg"), 1e-9)
	require.InDelta(t, 570, value("conversation_time_median"), 1e-9)
	require.InDelta(t, 1074, value("conversation_time_p90"), 1e-9)
	require.InDelta(t, 1200, value("conversation_time_max"), 1e-9)

	// Per agent: Ana's replies took 60 and 40 s.
	perAgent := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"wait_time_avg","groupBy":"agent"}`, jan2022, feb2022))
	require.Equal(t, [][2]any{{"Bruno", 180.0}, {"Carla", 60.0}, {"Ana", 50.0}}, perAgent)
}

// Averages of empty buckets are null, not 0, so graphs do not dive to zero.
func TestDurationBucketsWithoutDataAreNull(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	frame := ask(t, ds, `{"metric":"wait_time_avg","interval":"month"}`, jan2022, "2022-04-01T00:00:00Z")
	require.Len(t, frame.Fields, 2)
	values := frame.Fields[1]
	require.Equal(t, 3, values.Len())
	january, ok := values.ConcreteAt(0)
	require.True(t, ok)
	require.InDelta(t, 85, january.(float64), 1e-9)
	february, ok := values.ConcreteAt(1)
	require.True(t, ok)
	require.InDelta(t, 80, february.(float64), 1e-9)
	_, ok = values.ConcreteAt(2)
	require.False(t, ok, "March has no replies: null")

	empty := rows(t, ask(t, ds, `{"queryType":"totals","metric":"missed_conversations"}`, "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z"))
	require.Equal(t, [][2]any{{"", 0.0}}, empty)
	none := ask(t, ds, `{"queryType":"totals","metric":"wait_time_max"}`, "2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z")
	_, ok = none.Fields[0].ConcreteAt(0)
	require.False(t, ok, "no reply in the range: the maximum is null")
}

// Connection hours clip each presence interval to the buckets: Ana's night
// shift is 2 hours on the 3rd and 2 on the 4th; Bruno's open interval counts
// up to the end of the range (2022-01-06 00:00), 15 hours on the 5th.
func TestConnectionHours(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	const from, to = "2022-01-03T00:00:00Z", "2022-01-06T00:00:00Z"
	daily, _ := series(t, ask(t, ds, `{"metric":"connection_hours","groupBy":"agent","interval":"day"}`, from, to))
	require.Equal(t, map[string][]float64{"Ana": {6, 2, 0}, "Bruno": {0, 0, 15}}, daily)

	totals := rows(t, ask(t, ds, `{"queryType":"totals","metric":"connection_hours","groupBy":"agent"}`, from, to))
	require.Equal(t, [][2]any{{"Ana", 8.0}, {"Bruno", 15.0}}, totals)

	// The range cuts intervals too: from the 3rd at 10:00 Ana has 2 + 4 hours.
	cut := rows(t, ask(t, ds, `{"queryType":"ranking","metric":"connection_hours","groupBy":"agent",
		"filters":[{"dimension":"agent","values":["Ana"]}]}`, "2022-01-03T10:00:00Z", to))
	require.Equal(t, [][2]any{{"Ana", 6.0}}, cut)

	hourly, _ := series(t, ask(t, ds, `{"metric":"connection_hours","interval":"hour"}`, "2022-01-03T11:00:00Z", "2022-01-03T13:00:00Z"))
	require.Equal(t, map[string][]float64{"Connection hours": {1, 0}}, hourly)
}

// January: conversations 11, 12, 13 and 14 were handed to a human; no agent
// wrote in 12 (its assignment was missed). Messages during an open assignment:
// the agent replies in 11 and 14 and both in 13 (one per assignment); the
// contacts and the bot wrote before the hand-offs.
func TestHandOffsAndContactCenterMessages(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	require.Equal(t, [][2]any{{"webchat", 1.0}, {"whatsapp", 3.0}}, januaryTotals(t, ds, "transferred_conversations", "platform"))
	require.Equal(t, [][2]any{{"", 1.0}}, januaryTotals(t, ds, "no_operator_response", ""))
	require.Equal(t, [][2]any{{"agent", 4.0}}, januaryTotals(t, ds, "cc_messages", "sender"))

	february := rows(t, ask(t, ds, `{"queryType":"totals","metric":"no_operator_response"}`, feb2022, mar2022))
	require.Equal(t, [][2]any{{"", 0.0}}, february, "an agent answered in 16")
}

// Service level in January: waits of 60, 180, 60 and 40 s and one missed
// assignment: within 60 s are 3 of 5, within 30 s none, within 180 s 4 of 5.
func TestServiceLevelTarget(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	level := func(target string) float64 {
		r := rows(t, ask(t, ds, `{"queryType":"totals","metric":"service_level"`+target+`}`, jan2022, feb2022))
		require.Len(t, r, 1)
		return r[0][1].(float64)
	}
	require.InDelta(t, 0.6, level(""), 1e-12, "the default target is 60 s")
	require.InDelta(t, 0.6, level(`,"targetSeconds":60`), 1e-12)
	require.InDelta(t, 0.0, level(`,"targetSeconds":30`), 1e-12)
	require.InDelta(t, 0.8, level(`,"targetSeconds":180`), 1e-12)

	bad := queryOnce(t, ds, `{"queryType":"totals","metric":"service_level","targetSeconds":-5}`, jan2022, feb2022)
	require.EqualError(t, bad.Error, "targetSeconds -5 is out of range: use 1 second to 7 days (604800)")
}

// Operator response time over runs of inbound messages. In conversation 11
// the bot answered 10:00 and Ana answered the run 10:01, 10:02 at 10:06
// (300 s); in 13 Bruno answered the run starting 10:01 at 10:08 (420 s) and
// Carla's message after his answers no run; in 14 Ana answered 10:01 at
// 10:05:40 (280 s). In 16 (February) Ana wrote after the bot's reply with no
// inbound message between: no run. Bot-answered runs never count.
func TestOperatorResponseTime(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	perAgent := func(metric, from, to string) [][2]any {
		return rows(t, ask(t, ds, `{"queryType":"totals","metric":"`+metric+`","groupBy":"agent"}`, from, to))
	}
	require.Equal(t, [][2]any{{"Ana", 290.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_avg", jan2022, mar2022))
	require.Equal(t, [][2]any{{"Ana", 300.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_max", jan2022, mar2022))

	all := func(metric string) float64 { return januaryTotals(t, ds, metric, "")[0][1].(float64) }
	require.InDelta(t, 1000.0/3, all("operator_response_time_avg"), 1e-9)
	require.Equal(t, 300.0, all("operator_response_time_median"))
	// p90 of 280, 300, 420: 300 + 0.8 * (420 - 300).
	require.InDelta(t, 396.0, all("operator_response_time_p90"), 1e-9)
	require.Equal(t, 420.0, all("operator_response_time_max"))

	// A run is placed by its reply: from 10:05 on 2022-01-03, conversation
	// 11's run (started 10:01) still counts with its whole 300 s; from 10:07
	// it is gone.
	require.Equal(t, [][2]any{{"Ana", 290.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_avg", "2022-01-03T10:05:00Z", feb2022))
	require.Equal(t, [][2]any{{"Ana", 280.0}, {"Bruno", 420.0}}, perAgent("operator_response_time_avg", "2022-01-03T10:07:00Z", feb2022))

	monthly := ask(t, ds, `{"metric":"operator_response_time_avg","interval":"month",
		"filters":[{"dimension":"platform","values":["whatsapp"]}]}`, jan2022, mar2022)
	require.InDelta(t, 360.0, *monthly.Fields[1].At(0).(*float64), 1e-9, "whatsapp: 300 s and 420 s")
	require.Nil(t, monthly.Fields[1].At(1), "February has no run: null, not 0")
}

// Rankings by an identified dimension carry each group's id beside its
// name, for drill-down links: Ana is agent 1, Bruno 2, Carla 3.
func TestRankingsCarryIDs(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	frame := ask(t, ds, `{"queryType":"ranking","metric":"handled_conversations","groupBy":"agent"}`, jan2022, mar2022)
	require.Equal(t, "agent_id", frame.Fields[1].Name)
	names, ids := []any{}, []any{}
	for i := 0; i < frame.Rows(); i++ {
		name, _ := frame.Fields[0].ConcreteAt(i)
		id, _ := frame.Fields[1].ConcreteAt(i)
		names, ids = append(names, name), append(ids, id)
	}
	// Accepted: Ana 1, 5 and 6; Bruno 3 (then transferred); Carla 4.
	require.Equal(t, []any{"Ana", "Bruno", "Carla"}, names)
	// Ids are text, so that alerting reads them as labels, not as second values.
	require.Equal(t, []any{"1", "2", "3"}, ids)

	hours := ask(t, ds, `{"queryType":"ranking","metric":"connection_hours","groupBy":"agent"}`, jan2022, "2022-01-06T00:00:00Z")
	id, _ := hours.Fields[1].ConcreteAt(0)
	require.Equal(t, "2", id, "Bruno, connected since 2022-01-05 09:00, leads")

	byPlatform := ask(t, ds, `{"queryType":"ranking","metric":"handled_conversations","groupBy":"platform"}`, jan2022, mar2022)
	require.Len(t, byPlatform.Fields, 2, "platforms are not rows of a table: no id field")
}

// Agent messages by the sending agent's team, with the team's id for
// drill-down: in January Ana (Support, team 2) wrote in 11 and 14, Bruno
// (Support) and Carla (Sales, team 1) in 13.
func TestAgentMessagesByTeam(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	frame := ask(t, ds, `{"queryType":"ranking","metric":"agent_messages","groupBy":"team"}`, jan2022, feb2022)
	require.Equal(t, [][2]any{{"Support", 3.0}, {"Sales", 1.0}}, rows(t, frame))
	require.Equal(t, "team_id", frame.Fields[1].Name)
	require.Equal(t, "2", frame.Fields[1].At(0))
	require.Equal(t, "1", frame.Fields[1].At(1))

	// Support's messages per inbox: 11 and 13 on WhatsApp, 14 on Web chat.
	require.Equal(t, [][2]any{{"Web chat", 1.0}, {"WhatsApp", 2.0}}, rows(t, ask(t, ds,
		`{"queryType":"totals","metric":"agent_messages","groupBy":"inbox","filters":[{"dimension":"team","values":["Support"]}]}`, jan2022, feb2022)))
}
