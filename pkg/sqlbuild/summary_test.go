package sqlbuild

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

var dayHourSlot = []grid{{grain: 24 * time.Hour}, {grain: time.Hour}, {grain: 15 * time.Minute}}

// A bucket is split into whole UTC days, then whole hours, then slots, then
// raw rows, and adjacent pieces of one level merge.
func TestDecomposeTakesTheLargestWholeUnits(t *testing.T) {
	// Two days of Asia/Kathmandu (+5:45): midnight there is 18:15 UTC. Each
	// day is 18:15 to 19:00 in slots (3), 19:00 to 24:00 in hours (5),
	// nothing in whole UTC days (none fits in 18:15 to 18:15), 00:00 to
	// 18:00 in hours (18) and 18:00 to 18:15 in one slot; the day boundary
	// joins the slot pieces 18:00 to 19:00.
	levels, raw := decompose([]time.Time{utc("2022-01-01T18:15:00Z"), utc("2022-01-02T18:15:00Z"), utc("2022-01-03T18:15:00Z")}, dayHourSlot)
	require.Empty(t, raw)
	require.Empty(t, levels[0])
	require.Equal(t, []span{
		{utc("2022-01-01T19:00:00Z"), utc("2022-01-02T18:00:00Z")},
		{utc("2022-01-02T19:00:00Z"), utc("2022-01-03T18:00:00Z")},
	}, levels[1])
	require.Equal(t, []span{
		{utc("2022-01-01T18:15:00Z"), utc("2022-01-01T19:00:00Z")},
		{utc("2022-01-02T18:00:00Z"), utc("2022-01-02T19:00:00Z")},
		{utc("2022-01-03T18:00:00Z"), utc("2022-01-03T18:15:00Z")},
	}, levels[2])

	// One week of Kathmandu from Monday 2022-01-03 (18:15 UTC on Sunday the
	// 2nd): six whole UTC days (3rd to 8th), hours on either side.
	levels, raw = decompose([]time.Time{utc("2022-01-02T18:15:00Z"), utc("2022-01-09T18:15:00Z")}, dayHourSlot)
	require.Empty(t, raw)
	require.Equal(t, []span{{utc("2022-01-03T00:00:00Z"), utc("2022-01-09T00:00:00Z")}}, levels[0])
	require.Equal(t, []span{
		{utc("2022-01-02T19:00:00Z"), utc("2022-01-03T00:00:00Z")},
		{utc("2022-01-09T00:00:00Z"), utc("2022-01-09T18:00:00Z")},
	}, levels[1])
	require.Equal(t, []span{
		{utc("2022-01-02T18:15:00Z"), utc("2022-01-02T19:00:00Z")},
		{utc("2022-01-09T18:00:00Z"), utc("2022-01-09T18:15:00Z")},
	}, levels[2])

	// UTC days: one span of whole days, nothing else.
	levels, raw = decompose([]time.Time{utc("2022-01-01T00:00:00Z"), utc("2022-01-02T00:00:00Z"), utc("2022-01-03T00:00:00Z")}, dayHourSlot)
	require.Equal(t, [][]span{{{utc("2022-01-01T00:00:00Z"), utc("2022-01-03T00:00:00Z")}}, nil, nil}, levels)
	require.Empty(t, raw)

	// A ragged total: raw 00:07:13 to 00:15, slots to 01:00, hours to
	// midnight, whole days, hours to 17:00, slots to 17:30, raw to the end.
	levels, raw = decompose([]time.Time{utc("2022-01-01T00:07:13Z"), utc("2022-01-04T17:42:05.25Z")}, dayHourSlot)
	require.Equal(t, []span{{utc("2022-01-02T00:00:00Z"), utc("2022-01-04T00:00:00Z")}}, levels[0])
	require.Equal(t, []span{
		{utc("2022-01-01T01:00:00Z"), utc("2022-01-02T00:00:00Z")},
		{utc("2022-01-04T00:00:00Z"), utc("2022-01-04T17:00:00Z")},
	}, levels[1])
	require.Equal(t, []span{
		{utc("2022-01-01T00:15:00Z"), utc("2022-01-01T01:00:00Z")},
		{utc("2022-01-04T17:00:00Z"), utc("2022-01-04T17:30:00Z")},
	}, levels[2])
	require.Equal(t, []span{
		{utc("2022-01-01T00:07:13Z"), utc("2022-01-01T00:15:00Z")},
		{utc("2022-01-04T17:30:00Z"), utc("2022-01-04T17:42:05.25Z")},
	}, raw)

	// Inside one slot: all of it raw.
	levels, raw = decompose([]time.Time{utc("2022-01-01T00:01:00Z"), utc("2022-01-01T00:14:00Z")}, dayHourSlot)
	require.Equal(t, [][]span{nil, nil, nil}, levels)
	require.Equal(t, []span{{utc("2022-01-01T00:01:00Z"), utc("2022-01-01T00:14:00Z")}}, raw)
}

// The raw rows at a range's edges compute only what the metric reads: a
// count of conversations probes no messages and joins no contact, the
// funnel probes the inbound counts, a group by platform joins the contact;
// the messages' edges join the conversation only for its inbox or task.
func TestEdgeRowsComputeOnlyWhatTheMetricReads(t *testing.T) {
	from, to := utc("2022-03-01T00:07:00Z"), utc("2022-03-31T23:59:59.999Z")
	edges := func(metric, groupBy string, filters ...models.Filter) string {
		t.Helper()
		m, ok := catalog.Lookup(metric)
		require.True(t, ok)
		s, err := Totals(catalog.Plan{Metric: m, Kind: models.KindTotals, GroupBy: groupBy, Filters: filters, From: from, To: to}, WorkspaceSlug("demo"))
		require.NoError(t, err)
		require.Contains(t, s.SQL, "/* summary: ")
		// The edges are the union's last branch.
		i := strings.LastIndex(s.SQL, "UNION ALL ")
		require.Positive(t, i)
		return s.SQL[i:]
	}
	task := models.Filter{Dimension: catalog.DimTask.ID, Values: []string{"Spring sale"}}

	chats := edges("conversations", "", task)
	require.NotContains(t, chats, "FROM messages")
	require.NotContains(t, chats, "contacts c")
	require.Contains(t, edges("messages_per_conversation", ""), "FROM messages mc")
	replies := edges("replies", catalog.DimPlatform.ID, task)
	require.Contains(t, replies, "LEFT JOIN conversation_inbound ci")
	require.Contains(t, replies, "JOIN contacts c")
	require.NotContains(t, replies, "FROM messages mc")
	handedOff := edges("transferred_conversations", "")
	require.Contains(t, handedOff, "(coalesce(ci.assignments, 0) > 0)::int")
	require.NotContains(t, handedOff, "FROM assignments", "the count kept with the conversation's row, not a probe")
	require.Contains(t, handedOff, "cx.transferred <> 0", "only the rows with a hand-off make groups")
	require.Contains(t, edges("transferred_conversations", "", task), "ct.transferred <> 0", "by task, the rows per task")
	require.Contains(t, edges("transferred_conversations", catalog.DimPlatform.ID, task), "cv.transferred <> 0", "by task and platform, the finer rows")
	require.NotContains(t, chats, "ci.assignments")

	expense := edges("ai_expense", "", task)
	require.Contains(t, expense, "JOIN conversations mv")
	require.NotContains(t, expense, "contacts c")
	received := edges("messages_received", "")
	require.NotContains(t, received, "conversations mv")
	require.NotContains(t, received, "contacts c")
	require.Contains(t, edges("messages_received", catalog.DimPlatform.ID), "JOIN contacts c")
	require.Contains(t, edges("messages_received", "", models.Filter{Dimension: catalog.DimInbox.ID, Values: []string{"Web chat"}}),
		"JOIN conversations mv")
}

// The unit of the finest level that holds a range's end is read whole when
// the range covers it from its start, under the condition that no raw row
// follows the end in it, and its raw rows up to the end under the opposite
// one; a range that ends on a whole unit, or starts inside the end's unit,
// reads as before.
func TestTheEndUnitIsReadWholeWhenNothingFollowsTheEnd(t *testing.T) {
	m, ok := catalog.Lookup("messages_received")
	require.True(t, ok)
	statement := func(from, to string) Statement {
		t.Helper()
		s, err := Totals(catalog.Plan{Metric: m, Kind: models.KindTotals, From: utc(from), To: utc(to)}, WorkspaceSlug("demo"))
		require.NoError(t, err)
		return s
	}
	whole := statement("2022-03-01T00:00:00Z", "2022-03-31T23:59:59.999Z")
	require.True(t, strings.HasPrefix(whole.SQL, "/* summary: message_sender_days, message_sender_hours, message_sender_slots */"), whole.SQL)
	require.Contains(t, whole.SQL, "FROM message_sender_slots s WHERE s.workspace_id = (SELECT w.id FROM workspaces w WHERE w.slug = $10) AND s.slot >= $11 AND s.slot < $12 AND NOT EXISTS (")
	require.Equal(t, 1, strings.Count(whole.SQL, " AND EXISTS ("), whole.SQL)
	require.Contains(t, whole.Args, utc("2022-03-31T23:45:00Z"), "the unit's start")
	require.Contains(t, whole.Args, utc("2022-04-01T00:00:00Z"), "the unit's end")

	for _, c := range [][2]string{
		{"2022-03-01T00:00:00Z", "2022-03-31T12:00:00Z"}, // ends on a whole slot
		{"2022-03-31T10:05:00Z", "2022-03-31T10:09:00Z"}, // inside one slot, not from its start
	} {
		s := statement(c[0], c[1])
		require.NotContains(t, s.SQL, "EXISTS (", "%v: %s", c, s.SQL)
	}
}

// A column is read when its whole name occurs, not a longer one it begins.
func TestMentionsMatchesWholeNames(t *testing.T) {
	require.True(t, mentions("sum(cv.messages) / 2", "cv.messages"))
	require.True(t, mentions("x = cv.messages", "cv.messages"))
	require.False(t, mentions("sum(cv.messages_total)", "cv.messages"))
	require.True(t, mentions("sum(cv.messages_total) + cv.messages", "cv.messages"))
	require.False(t, mentions("sum(cv.conversations)", "cv.messages"))
}

// The languages' summary counts a contact once in each language it wrote in:
// it answers a count per language, grouped by it or kept to one, and the
// raw rows answer the contacts of several languages together.
func TestLanguageSummaryAnswersOneLanguageAtATime(t *testing.T) {
	m, ok := catalog.Lookup("languages")
	require.True(t, ok)
	from, to := utc("2022-01-01T00:00:00Z"), utc("2022-01-08T00:00:00Z")
	for _, c := range []struct {
		groupBy string
		filters []models.Filter
		summary bool
	}{
		{"language", nil, true},
		{"", []models.Filter{{Dimension: "language", Values: []string{"en"}}}, true},
		{"platform", []models.Filter{{Dimension: "language", Values: []string{"en", "en"}}}, true},
		{"", nil, false},
		{"platform", nil, false},
		{"", []models.Filter{{Dimension: "language", Values: []string{"en", "es"}}}, false},
		{"", []models.Filter{{Dimension: "language", Values: []string{"en"}, Exclude: true}}, false},
		{"", []models.Filter{{Dimension: "platform", Values: []string{"telegram"}}}, false},
	} {
		s, err := Totals(catalog.Plan{Metric: m, Kind: models.KindTotals, GroupBy: c.groupBy, Filters: c.filters, From: from, To: to}, WorkspaceSlug("demo"))
		require.NoError(t, err)
		require.Equal(t, c.summary, strings.HasPrefix(s.SQL, "/* summary: language_contact_days"), "%+v: %s", c, s.SQL)
	}
}

// The operator response time's percentiles gather each group's sorted
// arrays over any number of buckets: a large group searches them, a small
// one sorts its values in memory; no statement unnests every value of the
// range to sort them all.
func TestResponseTimePercentilesGatherEachGroupsArrays(t *testing.T) {
	metric, ok := catalog.Lookup("operator_response_time_p90")
	require.True(t, ok)
	day := func(i int) time.Time { return utc("2022-01-01T00:00:00Z").Add(time.Duration(i) * 24 * time.Hour) }
	for _, buckets := range []int{1, 12, 13, 90} {
		boundaries := make([]time.Time, buckets+1)
		for i := range boundaries {
			boundaries[i] = day(i)
		}
		r, ok := choose(catalog.Plan{GroupBy: catalog.DimAgent.ID}, metric, scope{workspace: WorkspaceSlug("acme"), boundaries: boundaries})
		require.True(t, ok, "%d buckets", buckets)
		require.Equal(t, []string{"response_run_days"}, r.tables, "%d buckets", buckets)
		require.Equal(t, "CASE WHEN sum(cardinality(rs.response_us)) <= 256 OR sum(cardinality(rs.response_us)) < 32 * count(*)"+
			" THEN (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY pv.v / 1000000::float8) FROM unnest(array_agg(ROW(rs.response_us)::sorted_us)) ps, unnest(ps.us) pv(v))"+
			" ELSE sorted_us_percentile_cont(0.9, sum(cardinality(rs.response_us)), array_agg(ROW(rs.response_us)::sorted_us)) END",
			r.metric.Aggregate, "%d buckets", buckets)
	}
}

// The wait and conversation times' percentiles without a group-by or by
// team read the per-team rows, whose long arrays each group gathers and
// searches when large, over any number of buckets; by agent, the per-agent
// rows' values are sorted, and by platform the finer rows'.
func TestAssignmentPercentilesFromTheTeamRows(t *testing.T) {
	day := func(i int) time.Time { return utc("2022-01-01T00:00:00Z").Add(time.Duration(i) * 24 * time.Hour) }
	for _, c := range []struct {
		metric, groupBy string
		buckets         int
		table, reads    string
	}{
		{"wait_time_median", "", 1, "assignment_team_days", "sorted_us_percentile_cont(0.5, sum(cardinality(st.wait_us))"},
		{"wait_time_p90", catalog.DimTeam.ID, 12, "assignment_team_days", "sorted_us_percentile_cont(0.9, sum(cardinality(st.wait_us))"},
		{"conversation_time_median", "", 1, "assignment_team_days", "sorted_us_percentile_cont(0.5, sum(cardinality(st.conversation_us))"},
		{"conversation_time_p90", "", 31, "assignment_team_days", "sorted_us_percentile_cont(0.9, sum(cardinality(st.conversation_us))"},
		{"wait_time_median", catalog.DimTeam.ID, 13, "assignment_team_days", "sorted_us_percentile_cont(0.5, sum(cardinality(st.wait_us))"},
		{"wait_time_p90", catalog.DimTeam.ID, 90, "assignment_team_days", "sorted_us_percentile_cont(0.9, sum(cardinality(st.wait_us))"},
		{"wait_time_median", catalog.DimAgent.ID, 1, "assignment_agent_days", "percentile_cont(0.5) WITHIN GROUP (ORDER BY gw.v / 1000000::float8)"},
		{"conversation_time_p90", catalog.DimAgent.ID, 31, "assignment_agent_days", "percentile_cont(0.9) WITHIN GROUP (ORDER BY gc.v / 1000000::float8)"},
		{"wait_time_median", catalog.DimPlatform.ID, 1, "assignment_days", "percentile_cont(0.5) WITHIN GROUP (ORDER BY aw.v / 1000000::float8)"},
	} {
		metric, ok := catalog.Lookup(c.metric)
		require.True(t, ok)
		boundaries := make([]time.Time, c.buckets+1)
		for i := range boundaries {
			boundaries[i] = day(i)
		}
		r, ok := choose(catalog.Plan{GroupBy: c.groupBy}, metric, scope{workspace: WorkspaceSlug("acme"), boundaries: boundaries})
		require.True(t, ok, "%+v", c)
		require.Equal(t, []string{c.table}, r.tables, "%+v", c)
		require.Contains(t, r.metric.Aggregate, c.reads, "%+v", c)
	}
}

// The summaries per platform and inbox only answer the metrics that keep
// neither a task, a start flow, a direction, a sender nor a billing; those
// per task only, the metrics that keep the task and no other dimension (nor
// a direction, sender or billing); the finer ones answer the others.
func TestNarrowSummariesAnswerWhatTheyKeep(t *testing.T) {
	from, to := utc("2022-03-01T00:00:00Z"), utc("2022-03-31T00:00:00Z")
	task := models.Filter{Dimension: catalog.DimTask.ID, Values: []string{"Spring sale"}}
	used := func(metric, groupBy string, filters ...models.Filter) string {
		t.Helper()
		m, ok := catalog.Lookup(metric)
		require.True(t, ok)
		s, err := Totals(catalog.Plan{Metric: m, Kind: models.KindTotals, GroupBy: groupBy, Filters: filters, From: from, To: to}, WorkspaceSlug("demo"))
		require.NoError(t, err)
		return s.SQL[:strings.Index(s.SQL, "*/")+2]
	}
	for _, c := range []struct {
		metric, groupBy string
		filters         []models.Filter
		want            string
	}{
		{"ai_expense", catalog.DimInbox.ID, nil, "/* summary: message_inbox_days */"},
		{"ai_expense", catalog.DimPlatform.ID, nil, "/* summary: message_inbox_days */"},
		{"ai_expense", catalog.DimTask.ID, nil, "/* summary: message_task_days */"},
		{"ai_expense", "", []models.Filter{task}, "/* summary: message_task_days */"},
		{"ai_expense", catalog.DimPlatform.ID, []models.Filter{task}, "/* summary: message_days */"},
		{"messages_received", catalog.DimTask.ID, nil, "/* summary: message_days */"},
		{"ai_expense", catalog.DimInbox.ID, []models.Filter{task}, "/* summary: message_days */"},
		{"messages_received", catalog.DimInbox.ID, nil, "/* summary: message_days */"},
		{"messages_sent", catalog.DimSender.ID, nil, "/* summary: message_sender_days */"},
		{"messages_received", "", nil, "/* summary: message_sender_days */"},
		{"total_messages", "", []models.Filter{{Dimension: catalog.DimSender.ID, Values: []string{"bot"}, Exclude: true}}, "/* summary: message_sender_days */"},
		{"paid_messages", catalog.DimSender.ID, nil, "/* summary: message_sender_days */"},
		{"ai_expense", "", nil, "/* summary: message_inbox_days */"},
		{"messages_sent", catalog.DimSender.ID, []models.Filter{{Dimension: catalog.DimPlatform.ID, Values: []string{"telegram"}}}, "/* summary: message_days */"},
		{"messages_sent", catalog.DimTask.ID, []models.Filter{{Dimension: catalog.DimSender.ID, Values: []string{"bot"}}}, "/* summary: message_days */"},
		{"conversations", catalog.DimInbox.ID, nil, "/* summary: conversation_inbox_days */"},
		{"conversations", catalog.DimFlow.ID, nil, "/* summary: conversation_days */"},
		{"start_flows", catalog.DimInbox.ID, nil, "/* summary: conversation_days */"},
		{"success_share", "", nil, "/* summary: conversation_inbox_days */"},
		{"transferred_conversations", catalog.DimPlatform.ID, nil, "/* summary: conversation_inbox_days */"},
		{"expense_per_dialogue", catalog.DimInbox.ID, nil, "/* summary: message_inbox_days, summary: conversation_inbox_days */"},
		{"expense_per_dialogue", catalog.DimTask.ID, nil, "/* summary: message_task_days, summary: conversation_task_days */"},
		{"conversations", "", []models.Filter{task}, "/* summary: conversation_task_days */"},
		{"conversations", catalog.DimTask.ID, nil, "/* summary: conversation_task_days */"},
		{"success_share", "", []models.Filter{task}, "/* summary: conversation_task_days */"},
		{"transferred_conversations", catalog.DimTask.ID, nil, "/* summary: conversation_task_days */"},
		{"conversations", catalog.DimPlatform.ID, []models.Filter{task}, "/* summary: conversation_days */"},
		{"conversations", catalog.DimFlow.ID, []models.Filter{task}, "/* summary: conversation_days */"},
		{"start_flows", catalog.DimTask.ID, nil, "/* summary: conversation_days */"},
	} {
		require.Equal(t, c.want, used(c.metric, c.groupBy, c.filters...), "%s by %q %v", c.metric, c.groupBy, c.filters)
	}
}

// floorTo is Truncate for the summaries' grains, also before the Unix epoch
// (a running total's base starts at year 1) and with sub-second parts, and
// Truncate itself for a grain that does not divide a day.
func TestFloorToIsTruncateForTheSummaryGrains(t *testing.T) {
	times := []time.Time{
		beginning,
		beginning.Add(90*time.Minute + 7*time.Nanosecond),
		utc("1969-12-31T23:59:59.999999999Z"),
		utc("1970-01-01T00:00:00Z"),
		utc("2022-03-31T18:44:59.999Z"),
		utc("2022-04-01T00:00:00Z"),
		time.Date(2022, 1, 1, 5, 30, 0, 1, time.FixedZone("IST", 19800)),
	}
	for _, grain := range []time.Duration{time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour, 7 * time.Minute, 1500 * time.Millisecond} {
		for _, at := range times {
			require.True(t, at.Truncate(grain).Equal(floorTo(at, grain)), "%s to %s: %s, not %s", at, grain, floorTo(at, grain), at.Truncate(grain))
		}
	}
}

// A scope that keeps its decompositions answers as decompose does, splits
// the same boundaries and grains once, and tells boundaries that differ
// only inside apart.
func TestScopeDecomposesEachBoundariesOnce(t *testing.T) {
	kathmandu := []time.Time{utc("2022-01-01T18:15:00Z"), utc("2022-01-02T18:15:00Z"), utc("2022-01-03T18:15:00Z")}
	inside := []time.Time{utc("2022-01-01T18:15:00Z"), utc("2022-01-02T00:00:00Z"), utc("2022-01-03T18:15:00Z")}
	sc := scope{boundaries: kathmandu, pieces: &decompositions{}}
	for range 2 {
		levels, raw := sc.decompose(dayHourSlot)
		wantLevels, wantRaw := decompose(kathmandu, dayHourSlot)
		require.Equal(t, wantLevels, levels)
		require.Equal(t, wantRaw, raw)
	}
	require.Len(t, sc.pieces.done, 1)

	other := sc
	other.boundaries = inside
	levels, _ := other.decompose(dayHourSlot)
	wantLevels, _ := decompose(inside, dayHourSlot)
	require.Equal(t, wantLevels, levels)
	levels, _ = sc.decompose(dayHourSlot[1:])
	wantLevels, _ = decompose(kathmandu, dayHourSlot[1:])
	require.Equal(t, wantLevels, levels)
	require.Len(t, sc.pieces.done, 3, "one per boundaries and grains")
}

// Hours shifted 15 minutes past the UTC hour take the whole of each
// Kathmandu day (+05:45, midnight at 18:15 UTC) that UTC hours and slots
// took in three pieces, and a week there keeps its whole UTC days.
func TestDecomposeIntoShiftedHours(t *testing.T) {
	shifted := []grid{{grain: 24 * time.Hour}, {grain: time.Hour, shift: 15 * time.Minute}, {grain: 15 * time.Minute}}
	levels, raw := decompose([]time.Time{utc("2022-01-01T18:15:00Z"), utc("2022-01-02T18:15:00Z"), utc("2022-01-03T18:15:00Z")}, shifted)
	require.Empty(t, raw)
	require.Equal(t, [][]span{nil, {{utc("2022-01-01T18:15:00Z"), utc("2022-01-03T18:15:00Z")}}, nil}, levels)

	levels, raw = decompose([]time.Time{utc("2022-01-02T18:15:00Z"), utc("2022-01-09T18:15:00Z")}, shifted)
	require.Empty(t, raw)
	require.Equal(t, []span{{utc("2022-01-03T00:00:00Z"), utc("2022-01-09T00:00:00Z")}}, levels[0])
	// 18:15 to 23:15 in shifted hours, 23:15 to midnight in slots; from
	// midnight, slots to 00:15 and shifted hours to 18:15.
	require.Equal(t, []span{
		{utc("2022-01-02T18:15:00Z"), utc("2022-01-02T23:15:00Z")},
		{utc("2022-01-09T00:15:00Z"), utc("2022-01-09T18:15:00Z")},
	}, levels[1])
	require.Equal(t, []span{
		{utc("2022-01-02T23:15:00Z"), utc("2022-01-03T00:00:00Z")},
		{utc("2022-01-09T00:00:00Z"), utc("2022-01-09T00:15:00Z")},
	}, levels[2])
	require.True(t, grid{time.Hour, 45 * time.Minute}.floor(utc("2022-01-01T00:30:00Z")).Equal(utc("2021-12-31T23:45:00Z")))
}

// The summaries per platform and inbox, and the assignment summaries per
// team, read hours shifted as the zone is when that takes fewer rows: 3-hour
// buckets at +05:30 and +05:45, days at +05:45; UTC hours at whole-hour zones
// and wherever the shifted ones take no fewer (a week at +05:30: its days,
// and as many hours and slots beside them either way).
func TestSummariesReadShiftedHoursOffTheHour(t *testing.T) {
	used := func(metric, groupBy, zone string, from time.Time, step time.Duration, buckets int) string {
		t.Helper()
		m, ok := catalog.Lookup(metric)
		require.True(t, ok)
		boundaries := make([]time.Time, buckets+1)
		for i := range boundaries {
			boundaries[i] = from.Add(time.Duration(i) * step)
		}
		location, err := time.LoadLocation(zone)
		require.NoError(t, err)
		s, err := TimeSeries(catalog.Plan{Metric: m, Kind: models.KindTimeSeries, GroupBy: groupBy, From: boundaries[0],
			To: boundaries[buckets], Boundaries: boundaries, Location: location}, WorkspaceSlug("demo"))
		require.NoError(t, err)
		return s.SQL[:strings.Index(s.SQL, "*/")+2]
	}
	const inboxes, teams = "/* summary: message_inbox_shifted_hours, summary: conversation_inbox_shifted_hours */", "/* summary: assignment_team_shifted_hours */"
	for _, c := range []struct {
		metric, groupBy string
		zone            string
		from            string
		step            time.Duration
		buckets         int
		want            string
	}{
		{"expense_per_dialogue", catalog.DimInbox.ID, "Asia/Kolkata", "2022-01-01T21:30:00Z", 3 * time.Hour, 720, inboxes},
		{"expense_per_dialogue", catalog.DimInbox.ID, "Asia/Kathmandu", "2022-01-01T21:15:00Z", 3 * time.Hour, 720, inboxes},
		{"expense_per_dialogue", catalog.DimInbox.ID, "Asia/Kathmandu", "2022-01-01T18:15:00Z", 24 * time.Hour, 30, inboxes},
		{"expense_per_dialogue", catalog.DimInbox.ID, "UTC", "2022-01-01T00:00:00Z", 3 * time.Hour, 720,
			"/* summary: message_inbox_hours, summary: conversation_inbox_hours */"},
		{"expense_per_dialogue", catalog.DimInbox.ID, "Asia/Kolkata", "2022-01-02T18:30:00Z", 7 * 24 * time.Hour, 4,
			"/* summary: message_inbox_days, message_inbox_hours, message_inbox_slots, summary: conversation_inbox_days, conversation_inbox_hours, conversation_inbox_slots */"},
		{"cc_conversations", catalog.DimTeam.ID, "Asia/Kolkata", "2022-01-01T21:30:00Z", 3 * time.Hour, 720, teams},
		{"cc_conversations", catalog.DimTeam.ID, "UTC", "2022-01-01T00:00:00Z", 3 * time.Hour, 720, "/* summary: assignment_team_hours */"},
		// Only the summaries that keep shifted hours read them.
		{"cc_conversations", catalog.DimAgent.ID, "Asia/Kolkata", "2022-01-01T21:30:00Z", 3 * time.Hour, 720,
			"/* summary: assignment_agent_hours, assignment_agent_slots */"},
	} {
		require.Equal(t, c.want, used(c.metric, c.groupBy, c.zone, utc(c.from), c.step, c.buckets), "%s by %s, %s every %s", c.metric, c.groupBy, c.zone, c.step)
	}
}

// A slotted summary's statement bounds its rows in each part of the union
// only, where every row of the union lies in the range; the busiest
// minutes, whose edge rows carry their minute's start, keep the
// statement's own range, as do the raw rows. A level read by one probe
// per span carries the spans' overall bounds as well.
func TestSummaryRowsAreBoundedOnceInEachPart(t *testing.T) {
	from, to := utc("2022-03-01T00:10:00Z"), utc("2022-03-31T12:00:00Z")
	statement := func(metric string, raw bool) Statement {
		t.Helper()
		m, ok := catalog.Lookup(metric)
		require.True(t, ok)
		build := Totals
		if raw {
			build = RawTotals
		}
		s, err := build(catalog.Plan{Metric: m, Kind: models.KindTotals, From: from, To: to}, Workspace{Slug: "demo", ID: 3})
		require.NoError(t, err)
		return s
	}
	conversations := statement("conversations", false)
	require.True(t, strings.HasPrefix(conversations.SQL, "/* summary: "), conversations.SQL)
	require.NotContains(t, conversations.SQL, "cx.at", conversations.SQL)
	require.NotContains(t, conversations.SQL, "cx.workspace_id = $", conversations.SQL)
	require.Contains(t, statement("conversations", true).SQL, "v.started_at < $")

	minutes := statement("peak_messages_per_minute", false)
	require.True(t, strings.HasPrefix(minutes.SQL, "/* summary: message_minute"), minutes.SQL)
	require.Contains(t, minutes.SQL, "mm.minute < $")
	require.Contains(t, minutes.SQL, "mm.minute >= $")

	// Hours at a zone a quarter past the hour, in spans of several hours
	// each: read by one probe per span, within the spans' bounds.
	m, ok := catalog.Lookup("messages_received")
	require.True(t, ok)
	kathmandu, err := time.LoadLocation("Asia/Kathmandu")
	require.NoError(t, err)
	boundaries, err := timebucket.Boundaries(from, to, timebucket.Interval{Unit: timebucket.Day, Count: 1}, kathmandu)
	require.NoError(t, err)
	series, err := TimeSeries(catalog.Plan{Metric: m, Kind: models.KindTimeSeries, From: from, To: to, Boundaries: boundaries}, Workspace{Slug: "demo", ID: 3})
	require.NoError(t, err)
	probe := regexp.MustCompile(`JOIN unnest\(\$\d+::timestamptz\[\], \$\d+::timestamptz\[\]\) AS ls\(from_at, to_at\) ON s\.(\w+) >= ls\.from_at AND s\.\w+ < ls\.to_at WHERE s\.workspace_id = \$\d+::integer AND s\.(\w+) >= \$\d+ AND s\.(\w+) < \$\d+`)
	found := probe.FindAllStringSubmatch(series.SQL, -1)
	require.NotEmpty(t, found, series.SQL)
	for _, f := range found {
		require.Equal(t, f[1], f[2], series.SQL)
		require.Equal(t, f[1], f[3], series.SQL)
	}
	require.NotContains(t, series.SQL, "ms.at <", series.SQL)
	require.NotContains(t, series.SQL, "mx.at <", series.SQL)
}

// A filter on the dimension the rows are grouped by the ids of applies to
// the groups once they are named: the summary's rows are grouped without a
// join; a filter on another dimension stays on the rows.
func TestAFilterOnTheGroupedDimensionFiltersTheGroups(t *testing.T) {
	m, ok := catalog.Lookup("handled_conversations")
	require.True(t, ok)
	totals := func(filters ...models.Filter) string {
		t.Helper()
		s, err := Totals(catalog.Plan{Metric: m, Kind: models.KindTotals, GroupBy: catalog.DimAgent.ID, Filters: filters,
			From: utc("2022-03-01T00:00:00Z"), To: utc("2022-03-31T00:00:00Z")}, Workspace{Slug: "demo", ID: 3})
		require.NoError(t, err)
		return s.SQL
	}
	byAgent := totals(models.Filter{Dimension: catalog.DimAgent.ID, Values: []string{"Ana"}})
	groups, names, found := strings.Cut(byAgent, " AS g ")
	require.True(t, found, byAgent)
	require.NotContains(t, groups, "agents ag", byAgent)
	require.Contains(t, names, "LEFT JOIN agents ag ON ", byAgent)
	require.Contains(t, names, "(ag.name)::text = ANY(", byAgent)

	byTeam := totals(models.Filter{Dimension: catalog.DimTeam.ID, Values: []string{"Sales"}})
	groups, names, found = strings.Cut(byTeam, " AS g ")
	require.True(t, found, byTeam)
	require.Contains(t, groups, "(tm.name)::text = ANY(", byTeam)
	require.NotContains(t, names, "tm.name", byTeam)
}
