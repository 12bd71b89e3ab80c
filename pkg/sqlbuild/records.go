package sqlbuild

import (
	"fmt"
	"slices"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// conversationStatus is no_operator_response (handed to a human, no agent
// message), else active or closed.
const conversationStatus = "CASE WHEN " + catalog.HandedOff + " AND " + catalog.NoAgentMessage +
	" THEN ? WHEN v.closed_at IS NULL THEN ? ELSE ? END"

// conversationStatusArgs are the status labels conversationStatus returns.
var conversationStatusArgs = []any{"no_operator_response", "active", "closed"}

// RecordColumn is one column of a records answer: its name in the frame, the
// SQL that reads it and its kind of value.
type RecordColumn struct {
	Name string
	Kind RecordKind
	expr string
	args []any
}

// RecordKind is the Go type a record column scans into.
type RecordKind int

// The record column kinds.
const (
	RecordText RecordKind = iota
	RecordBool
	RecordTime
	RecordInt
	RecordFloat
)

// DialogColumns are the columns of the dialogs export, in its order, so that
// a table panel's CSV export reproduces the report users already know, and
// after them the conversation's markers.
var DialogColumns = []RecordColumn{
	// id leads: it carries the transcript link, and a table shows it without scrolling.
	{Name: "id", Kind: RecordInt, expr: "v.id"},
	{Name: "channel", Kind: RecordText, expr: "c.platform"},
	{Name: "chat_id", Kind: RecordText, expr: "c.chat_id"},
	{Name: "close", Kind: RecordBool, expr: "v.closed_at IS NOT NULL"},
	{Name: "contact", Kind: RecordText, expr: "v.contact_details"},
	{Name: "count_message", Kind: RecordInt, expr: "coalesce(mf.messages, 0)"},
	{Name: "date_close", Kind: RecordTime, expr: "v.closed_at"},
	{Name: "date_contact", Kind: RecordTime, expr: "v.contact_obtained_at"},
	{Name: "date_interest", Kind: RecordTime, expr: "v.interest_at"},
	{Name: "date_success", Kind: RecordTime, expr: "v.success_at"},
	{Name: "external_id", Kind: RecordText, expr: "v.external_id"},
	{Name: "get_contact", Kind: RecordBool, expr: "v.contact_obtained_at IS NOT NULL"},
	{Name: "interest", Kind: RecordBool, expr: "v.interest_at IS NOT NULL"},
	{Name: "is_bot", Kind: RecordBool, expr: "v.is_bot"},
	{Name: "last_message_date", Kind: RecordTime, expr: "mf.last_message_at"},
	{Name: "metadata", Kind: RecordText, expr: "v.metadata::text"},
	{Name: "operator", Kind: RecordBool, expr: "coalesce(mf.assignments > 0, false)"}, // catalog.HandedOff, from messageFacts
	{Name: "previous_response_id", Kind: RecordText, expr: "v.previous_response_id"},
	{Name: "success", Kind: RecordBool, expr: "v.success_at IS NOT NULL"},
	{Name: "task", Kind: RecordInt, expr: "v.task_id"}, // the task's id, as the export has it
	{Name: "title", Kind: RecordText, expr: "coalesce(v.title, c.display_name)"},
	{Name: "user_replied", Kind: RecordBool, expr: "coalesce(mf.inbound > 0, false)"},
	{Name: "wh_get_contact", Kind: RecordText, expr: "v.wh_get_contact"},
	{Name: "wh_interest", Kind: RecordText, expr: "v.wh_interest"},
	{Name: "wh_success", Kind: RecordText, expr: "v.wh_success"},
	{Name: "created", Kind: RecordTime, expr: "v.created_at"},
	{Name: "modified", Kind: RecordTime, expr: "v.modified_at"},
	// Not in the dialogs export: the conversation's marker names, sorted,
	// separated by ", "; null when it has none. The names come from one map
	// of the workspace's markers (id to name), which PostgreSQL builds once
	// per statement (an uncorrelated subquery is an InitPlan): a page of
	// 1,000 dialogs then looks each marker up in it, where a join to the
	// markers table built a hash of them for every dialog (about 5 ms of
	// such a page at scale M).
	{Name: "markers", Kind: RecordText,
		expr: "(SELECT string_agg(dmn.name, ? ORDER BY dmn.name) FROM (SELECT" +
			" (SELECT jsonb_object_agg(mk.id, mk.name) FROM markers mk WHERE ?) ->> dcm.marker_id::text AS name" +
			" FROM conversation_markers dcm" +
			" WHERE dcm.workspace_id = v.workspace_id AND dcm.conversation_id = v.id) dmn)",
		args: []any{", ", workspaceFenceOf("mk.workspace_id")}},
}

// workspaceFenceOf stands in a record column's args for workspaceFence of
// the column it names and the workspace the statement reads, which
// selectColumns puts in its place.
type workspaceFenceOf string

// TranscriptColumns are the columns of one conversation's transcript: the
// session's facts on every row, then each message's author, time and text.
var TranscriptColumns = []RecordColumn{
	{Name: "session_id", Kind: RecordInt, expr: "v.id"},
	{Name: "chat_date", Kind: RecordTime, expr: "v.started_at"},
	{Name: "dialog_cost", Kind: RecordFloat, expr: "v.cost::float8"},
	{Name: "client_id", Kind: RecordText, expr: "c.chat_id"},
	{Name: "author", Kind: RecordText,
		expr: "CASE WHEN m.direction = ? THEN coalesce(c.display_name, c.chat_id) WHEN m.agent_id IS NOT NULL THEN ag.name ELSE m.sender END",
		args: []any{"inbound"}},
	{Name: "time", Kind: RecordTime, expr: "m.created_at"},
	{Name: "text", Kind: RecordText, expr: "m.body"},
}

// SourcesColumns are the sources table's: per platform, the bot's and the
// agents' messages and the conversations transferred to a human.
var SourcesColumns = []RecordColumn{
	{Name: "platform", Kind: RecordText, expr: "coalesce(bm.series, am.series, tc.series)"},
	{Name: "bot_messages", Kind: RecordInt, expr: "coalesce(bm.value, 0)::bigint"},
	{Name: "agent_messages", Kind: RecordInt, expr: "coalesce(am.value, 0)::bigint"},
	{Name: "transferred_conversations", Kind: RecordInt, expr: "coalesce(tc.value, 0)::bigint"},
}

// ColumnsOf are the columns a records metric answers with.
func ColumnsOf(metric catalog.Metric) []RecordColumn {
	switch metric.ID {
	case catalog.MetricTranscript:
		return TranscriptColumns
	case catalog.MetricSources:
		return SourcesColumns
	}
	return DialogColumns
}

// Records builds a records query: the transcript of plan.ConversationID, or
// the dialogs (one row per conversation started in the time range, newest
// first, cut to plan.Limit rows).
func Records(plan catalog.Plan, workspace Workspace) (Statement, error) {
	switch plan.Metric.ID {
	case catalog.MetricTranscript:
		return transcript(plan, workspace)
	case catalog.MetricSources:
		return sourcesTable(plan, workspace)
	}
	var (
		page sq.SelectBuilder
		with sq.Sqlizer
		err  error
	)
	if windows := searchWindows(plan); len(windows) > 1 {
		page, with, err = windowedDialogsPage(plan, workspace, windows)
	} else {
		page, err = dialogsPage(plan, workspace, plan.From, plan.To)
	}
	if err != nil {
		return Statement{}, err
	}
	// The page of conversations is chosen first, and only its rows join
	// their facts (messageFacts), contact and markers: a subquery with a
	// LIMIT is planned on its own, so PostgreSQL cannot compute the columns
	// for every conversation of the range before cutting.
	b := selectColumns(DialogColumns, workspace).FromSelect(page, "page").
		Join("conversations v ON v.workspace_id = page.workspace_id AND v.id = page.id").
		Join(contactOfConversation.clause).
		JoinClause(messageFacts).
		OrderBy("page.started_at DESC", "page.id DESC")
	if with != nil {
		b = b.PrefixExpr(with)
	}
	return statement(b)
}

// dialogsPage selects the page of dialogs started in [from, to) that pass the
// plan's filters: their workspace, id and start, newest first, cut to
// plan.Limit rows. With a (non-excluded) message_text filter the page starts
// from the matching messages instead (searchedDialogsPage).
func dialogsPage(plan catalog.Plan, workspace Workspace, from, to time.Time) (sq.SelectBuilder, error) {
	src := sources[catalog.SourceConversations]
	var joins []join
	where := sq.And{
		workspaceFence("v.workspace_id", workspace),
		sq.GtOrEq{"v.started_at": from},
		sq.Lt{"v.started_at": to},
	}
	searched := slices.IndexFunc(plan.Filters, func(f models.Filter) bool {
		return f.Dimension == catalog.DimMessageText.ID && !f.Exclude
	}) // the candidates' own condition; any other text filter stays a filter
	var search []string
	var byID sq.And // with a search: the filters the candidates' ids answer (searchedDialogsPage)
	for i, f := range plan.Filters {
		if i == searched {
			search = f.Values
			continue
		}
		col, err := src.column(plan.Metric, f.Dimension)
		if err != nil {
			return sq.SelectBuilder{}, err
		}
		if searched >= 0 && f.Dimension == catalog.DimMarker.ID {
			byID = append(byID, excludingIf(f.Exclude, hasMarkerOf("k", f.Values)))
			continue
		}
		where = append(where, col.filter(f, from)) // the page's conversations start at from or later
		joins = append(joins, col.joins...)
	}
	if searched >= 0 {
		return searchedDialogsPage(search, workspace, from, plan.Limit, where, joins, byID)
	}
	return withJoins(psql.Select("v.workspace_id", "v.id", "v.started_at").From("conversations v"), joins).
		Where(where).OrderBy("v.started_at DESC", "v.id DESC").
		Limit(uint64(plan.Limit)), nil // #nosec G115 -- 1..10000, checked by Resolve
}

// searchedDialogsPage is the page of the dialogs, among those that pass
// where (joins giving its columns), with a message from from on whose text
// contains any of texts. The matching messages give each candidate
// conversation its newest match, and the conversation started at or before
// it (its messages fall from its start on, docs/schema.md). So the candidates
// are looked up newest match first, only until limit of them pass
// (dialogs_head); a candidate not looked up can still belong to the page
// only if its newest match is at or after the start of the head's oldest
// dialog, and those few are looked up after (dialogs_tail). When fewer than
// limit pass, every candidate was looked up and there is no tail.
//
// Filtering every candidate instead looked up each one's conversation: 6,564
// for the 1,000 dialogs of 30 days with "long" at scale M, about a third of
// the statement.
func searchedDialogsPage(texts []string, workspace Workspace, from time.Time, limit int, where sq.And, joins []join, byID sq.And) (sq.SelectBuilder, error) {
	patterns := make([]string, len(texts))
	for i, text := range texts {
		patterns[i] = ContainsPattern(text)
	}
	candidates := sq.Select("fmt.workspace_id", "fmt.conversation_id AS id", "max(fmt.created_at) AS latest").
		From("messages fmt").
		Where(sq.And{
			workspaceFence("fmt.workspace_id", workspace),
			sq.GtOrEq{"fmt.created_at": from},
			sq.Expr("fmt.body ILIKE ANY(?::text[])", patterns),
		}).
		GroupBy("fmt.workspace_id", "fmt.conversation_id")
	lookedUp := func(b sq.SelectBuilder) sq.SelectBuilder {
		return withJoins(b.Join("conversations v ON v.workspace_id = k.workspace_id AND v.id = k.id"), joins).Where(where)
	}
	// The subquery's order reaches the join, so the LIMIT stops the lookups.
	newestFirst := sq.Select("*").From("dialogs_candidates").OrderBy("latest DESC")
	if len(byID) > 0 {
		newestFirst = sq.Select("*").FromSelect(newestFirst.Offset(0), "k").Where(byID)
	}
	head := lookedUp(sq.Select("v.workspace_id", "v.id", "v.started_at", "k.latest").
		FromSelect(newestFirst, "k")).
		OrderBy("k.latest DESC").
		Limit(uint64(limit)) // #nosec G115 -- 1..10000, checked by Resolve
	bound := sq.Select().
		Column(sq.Expr("CASE WHEN count(*) >= ? THEN min(started_at) END AS started_from", limit)).
		Column("min(latest) AS latest_to").
		From("dialogs_head")
	tail := lookedUp(sq.Select("v.workspace_id", "v.id", "v.started_at").From("dialogs_candidates k")).
		Where("k.latest >= (SELECT started_from FROM dialogs_bound) AND k.latest <= (SELECT latest_to FROM dialogs_bound)").
		Where("NOT EXISTS (SELECT 1 FROM dialogs_head h WHERE h.workspace_id = k.workspace_id AND h.id = k.id)")
	if len(byID) > 0 {
		tail = tail.Where(byID)
	}
	var ctes []string
	var args []any
	for _, cte := range []struct {
		name, materialized string
		query              sq.SelectBuilder
	}{
		{"dialogs_candidates", " MATERIALIZED", candidates},
		{"dialogs_head", " MATERIALIZED", head},
		{"dialogs_bound", " MATERIALIZED", bound},
		{"dialogs_tail", "", tail},
	} {
		query, queryArgs, err := cte.query.ToSql()
		if err != nil {
			return sq.SelectBuilder{}, err
		}
		ctes = append(ctes, cte.name+" AS"+cte.materialized+" ("+query+")")
		args = append(args, queryArgs...)
	}
	return psql.Select("d.workspace_id", "d.id", "d.started_at").
		PrefixExpr(sq.Expr("WITH "+strings.Join(ctes, ", "), args...)).
		From("(SELECT workspace_id, id, started_at FROM dialogs_head UNION ALL SELECT * FROM dialogs_tail) d").
		OrderBy("d.started_at DESC", "d.id DESC").
		Limit(uint64(limit)), nil // #nosec G115 -- 1..10000, checked by Resolve
}

// searchWindows splits the range of a dialogs text search at the starts of
// UTC months, newest first: [the last month start, To), then windows of 1,
// 2, 4... months before it, the last one starting at From. A range within one
// month, or a plan without a (non-excluded) message_text filter, is one
// window.
//
// The search finds its messages by the trigram index, month partition by
// month partition (messages are partitioned by UTC month, migration 4), and
// visits every match of each partition it reads, whatever its time: over 90
// days it read the three months' matches to fill a page the last month
// filled alone. A window's conversations start in it, so their messages are
// from its start on (docs/schema.md) and its search reads the partitions
// from its month on only; a window is searched only when the newer ones
// found fewer dialogs than the page holds (windowedDialogsPage). The
// doubling keeps a long range (years) to a few windows when the text is rare
// and every window is searched.
func searchWindows(plan catalog.Plan) []time.Time {
	searched := slices.ContainsFunc(plan.Filters, func(f models.Filter) bool {
		return f.Dimension == catalog.DimMessageText.ID && !f.Exclude
	})
	if !searched {
		return []time.Time{plan.From}
	}
	to := plan.To.UTC()
	start := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !start.Before(plan.To) {
		start = start.AddDate(0, -1, 0)
	}
	var starts []time.Time
	for months := 1; start.After(plan.From); months *= 2 {
		starts = append(starts, start)
		start = start.AddDate(0, -months, 0)
	}
	return append(starts, plan.From)
}

// windowedDialogsPage is the page of dialogs searched window by window
// (searchWindows gives their starts, newest first): one materialized CTE per
// window, each cut to the page's size, a window after the first searched only
// when those before it hold fewer rows than the page (an uncorrelated
// condition, which PostgreSQL checks once before running the window's
// statement). The windows are disjoint and each is newer than the next, so
// the union's newest plan.Limit rows are the page of the whole range.
func windowedDialogsPage(plan catalog.Plan, workspace Workspace, starts []time.Time) (sq.SelectBuilder, sq.Sqlizer, error) {
	var ctes, union, found []string
	var args []any
	end := plan.To
	for i, start := range starts {
		window, err := dialogsPage(plan, workspace, start, end)
		if err != nil {
			return sq.SelectBuilder{}, nil, err
		}
		if len(found) > 0 {
			window = window.Where(strings.Join(found, " + ")+" < ?", plan.Limit)
		}
		windowSQL, windowArgs, err := window.PlaceholderFormat(sq.Question).ToSql()
		if err != nil {
			return sq.SelectBuilder{}, nil, err
		}
		name := fmt.Sprintf("dialogs_window_%d", i+1)
		ctes = append(ctes, name+" AS MATERIALIZED ("+windowSQL+")")
		args = append(args, windowArgs...)
		union = append(union, "SELECT * FROM "+name)
		found = append(found, "(SELECT count(*) FROM "+name+")")
		end = start
	}
	page := sq.Select("d.workspace_id", "d.id", "d.started_at").
		From("("+strings.Join(union, " UNION ALL ")+") d").
		OrderBy("d.started_at DESC", "d.id DESC").
		Limit(uint64(plan.Limit)) // #nosec G115 -- 1..10000, checked by Resolve
	return page, sq.Expr("WITH "+strings.Join(ctes, ", "), args...), nil
}

// messageFacts joins a conversation v's row of conversation_inbound, which
// the messages' and assignments' triggers keep (migrations 16, 24 and 38):
// its messages, the last one's time, its inbound messages (the contact
// replied when there is one; catalog.ContactReplied says the same) and its
// assignments (it was handed off when there is one: catalog.HandedOff). A
// left join, since a conversation without messages or assignments may have
// no row: 0 messages, no last time, not replied, not handed off. Reading the
// page's messages instead cost about 18 µs a conversation, 18 ms of a page
// of 1,000 dialogs; probing its assignments, 1,000 more index descents
// (3,001 buffers) for the hand-off.
const messageFacts = "LEFT JOIN conversation_inbound mf ON mf.workspace_id = v.workspace_id AND mf.conversation_id = v.id"

// transcript lists one conversation's messages in order. The messages are a
// left join, so a conversation without messages still answers one row, and no
// row at all means the conversation is not in the workspace.
func transcript(plan catalog.Plan, workspace Workspace) (Statement, error) {
	sqlText, args, err := selectColumns(TranscriptColumns, workspace).From("conversations v").
		Join(contactOfConversation.clause).
		LeftJoin("messages m ON m.workspace_id = v.workspace_id AND m.conversation_id = v.id").
		LeftJoin("agents ag ON ag.workspace_id = m.workspace_id AND ag.id = m.agent_id").
		Where(workspaceFence("v.workspace_id", workspace)).
		Where(sq.Eq{"v.id": plan.ConversationID}).
		OrderBy("m.created_at", "m.id").
		Limit(uint64(plan.Limit)).ToSql() // #nosec G115 -- 1..10000, checked by Resolve
	return Statement{SQL: sqlText, Args: args}, err
}

// sourcesTable counts the bot's and the agents' messages sent in the range
// per platform, and beside them the conversations started in the range that
// were handed to a human; a platform with only one of the three still has its
// row. Each count is a catalog metric's totals by platform (messages_sent of
// one sender, transferred_conversations), so the summaries that answer those
// metrics answer the table too, and its raw rows are theirs.
func sourcesTable(plan catalog.Plan, workspace Workspace) (Statement, error) {
	for _, f := range plan.Filters {
		// Platform is the table's one filter, and every part reads it.
		if !plan.Metric.Allows(f.Dimension) {
			return Statement{}, fmt.Errorf("metric %s has no column for dimension %q", plan.Metric.ID, f.Dimension)
		}
	}
	part := func(metricID string, extra ...models.Filter) (sq.SelectBuilder, string, error) {
		metric, ok := catalog.Lookup(metricID)
		if !ok {
			return sq.SelectBuilder{}, "", fmt.Errorf("the sources table reads unknown metric %q", metricID)
		}
		sub := plan
		sub.Metric, sub.Kind, sub.GroupBy = metric, models.KindTotals, catalog.DimPlatform.ID
		sub.Filters = append(slices.Clone(plan.Filters), extra...)
		sc := wholeRange(sub, workspace)
		b, err := aggregated(sub, metric, sc, false)
		return b, usedComment(sub, metric, sc), err
	}
	sender := func(name string) models.Filter {
		return models.Filter{Dimension: catalog.DimSender.ID, Values: []string{name}}
	}
	bot, botUsed, err := part("messages_sent", sender("bot"))
	if err != nil {
		return Statement{}, err
	}
	agent, agentUsed, err := part("messages_sent", sender("agent"))
	if err != nil {
		return Statement{}, err
	}
	transferred, transferredUsed, err := part("transferred_conversations")
	if err != nil {
		return Statement{}, err
	}
	agentSQL, agentArgs, err := agent.PlaceholderFormat(sq.Question).ToSql()
	if err != nil {
		return Statement{}, err
	}
	transferredSQL, transferredArgs, err := transferred.PlaceholderFormat(sq.Question).ToSql()
	if err != nil {
		return Statement{}, err
	}
	return statement(selectColumns(SourcesColumns, workspace).
		FromSelect(bot, "bm").
		JoinClause("FULL JOIN ("+agentSQL+") am ON am.series = bm.series", agentArgs...).
		JoinClause("FULL JOIN ("+transferredSQL+") tc ON tc.series = coalesce(bm.series, am.series)", transferredArgs...).
		OrderBy("platform").
		Limit(uint64(plan.Limit)). // #nosec G115 -- 1..10000, checked by Resolve
		Prefix(botUsed + " " + agentUsed + " " + transferredUsed))
}

// selectColumns selects each record column under its name, reading only
// workspace's rows.
func selectColumns(columns []RecordColumn, workspace Workspace) sq.SelectBuilder {
	builder := psql.Select()
	for _, col := range columns {
		args := slices.Clone(col.args)
		for i, arg := range args {
			if column, ok := arg.(workspaceFenceOf); ok {
				args[i] = workspaceFence(string(column), workspace)
			}
		}
		builder = builder.Column(sq.Expr(col.expr+" AS "+col.Name, args...))
	}
	return builder
}
