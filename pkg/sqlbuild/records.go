package sqlbuild

import (
	"fmt"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
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
	{Name: "count_message", Kind: RecordInt, expr: "(SELECT count(*) FROM messages cm WHERE cm.workspace_id = v.workspace_id AND cm.conversation_id = v.id)"},
	{Name: "date_close", Kind: RecordTime, expr: "v.closed_at"},
	{Name: "date_contact", Kind: RecordTime, expr: "v.contact_obtained_at"},
	{Name: "date_interest", Kind: RecordTime, expr: "v.interest_at"},
	{Name: "date_success", Kind: RecordTime, expr: "v.success_at"},
	{Name: "external_id", Kind: RecordText, expr: "v.external_id"},
	{Name: "get_contact", Kind: RecordBool, expr: "v.contact_obtained_at IS NOT NULL"},
	{Name: "interest", Kind: RecordBool, expr: "v.interest_at IS NOT NULL"},
	{Name: "is_bot", Kind: RecordBool, expr: "v.is_bot"},
	{Name: "last_message_date", Kind: RecordTime, expr: "(SELECT max(lm.created_at) FROM messages lm WHERE lm.workspace_id = v.workspace_id AND lm.conversation_id = v.id)"},
	{Name: "metadata", Kind: RecordText, expr: "v.metadata::text"},
	{Name: "operator", Kind: RecordBool, expr: catalog.HandedOff},
	{Name: "previous_response_id", Kind: RecordText, expr: "v.previous_response_id"},
	{Name: "success", Kind: RecordBool, expr: "v.success_at IS NOT NULL"},
	{Name: "task", Kind: RecordInt, expr: "v.task_id"}, // the task's id, as the export has it
	{Name: "title", Kind: RecordText, expr: "coalesce(v.title, c.display_name)"},
	{Name: "user_replied", Kind: RecordBool, expr: catalog.ContactReplied, args: []any{"inbound"}},
	{Name: "wh_get_contact", Kind: RecordText, expr: "v.wh_get_contact"},
	{Name: "wh_interest", Kind: RecordText, expr: "v.wh_interest"},
	{Name: "wh_success", Kind: RecordText, expr: "v.wh_success"},
	{Name: "created", Kind: RecordTime, expr: "v.created_at"},
	{Name: "modified", Kind: RecordTime, expr: "v.modified_at"},
	// Not in the dialogs export: the conversation's marker names, sorted,
	// separated by ", "; null when it has none.
	{Name: "markers", Kind: RecordText,
		expr: "(SELECT string_agg(dmk.name, ? ORDER BY dmk.name) FROM conversation_markers dcm" +
			" JOIN markers dmk ON dmk.workspace_id = dcm.workspace_id AND dmk.id = dcm.marker_id" +
			" WHERE dcm.workspace_id = v.workspace_id AND dcm.conversation_id = v.id)",
		args: []any{", "}},
}

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
	{Name: "platform", Kind: RecordText, expr: "coalesce(ms.platform, tc.platform)"},
	{Name: "bot_messages", Kind: RecordInt, expr: "coalesce(ms.bot, 0)"},
	{Name: "agent_messages", Kind: RecordInt, expr: "coalesce(ms.agent, 0)"},
	{Name: "transferred_conversations", Kind: RecordInt, expr: "coalesce(tc.transferred, 0)"},
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
func Records(plan catalog.Plan, workspace string) (Statement, error) {
	switch plan.Metric.ID {
	case catalog.MetricTranscript:
		return transcript(plan, workspace)
	case catalog.MetricSources:
		return sourcesTable(plan, workspace)
	}
	src := sources[catalog.SourceConversations]
	builder := selectColumns(DialogColumns).From("conversations v").
		Join(contactOfConversation.clause).
		LeftJoin(taskOfConversation.clause)
	where := sq.And{
		workspaceFence("v.workspace_id", workspace),
		sq.GtOrEq{"v.started_at": plan.From},
		sq.Lt{"v.started_at": plan.To},
	}
	for _, f := range plan.Filters {
		col, err := src.column(plan.Metric, f.Dimension)
		if err != nil {
			return Statement{}, err
		}
		where = append(where, col.filter(f))
	}
	sqlText, args, err := builder.Where(where).OrderBy("v.started_at DESC", "v.id DESC").
		Limit(uint64(plan.Limit)).ToSql() // #nosec G115 -- 1..10000, checked by Resolve
	return Statement{SQL: sqlText, Args: args}, err
}

// transcript lists one conversation's messages in order. The messages are a
// left join, so a conversation without messages still answers one row, and no
// row at all means the conversation is not in the workspace.
func transcript(plan catalog.Plan, workspace string) (Statement, error) {
	sqlText, args, err := selectColumns(TranscriptColumns).From("conversations v").
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
// were handed to a human; a platform with only one of the two still has its row.
func sourcesTable(plan catalog.Plan, workspace string) (Statement, error) {
	messages := psql.Select("c.platform").
		Column(sq.Expr("count(*) FILTER (WHERE m.sender = ?) AS bot", "bot")).
		Column(sq.Expr("count(*) FILTER (WHERE m.sender = ?) AS agent", "agent")).
		From("messages m").Join(contactOfMessage.clause).
		Where(workspaceFence("m.workspace_id", workspace)).
		Where(sq.GtOrEq{"m.created_at": plan.From}).Where(sq.Lt{"m.created_at": plan.To}).
		Where(sq.Eq{"m.sender": []string{"bot", "agent"}})
	transferred := psql.Select("c.platform", "count(*) AS transferred").
		From("conversations v").Join(contactOfConversation.clause).
		Where(workspaceFence("v.workspace_id", workspace)).
		Where(sq.GtOrEq{"v.started_at": plan.From}).Where(sq.Lt{"v.started_at": plan.To}).
		Where(catalog.HandedOff)
	for _, f := range plan.Filters {
		// Platform is the table's one filter, and both halves read it as c.platform.
		if !plan.Metric.Allows(f.Dimension) {
			return Statement{}, fmt.Errorf("metric %s has no column for dimension %q", plan.Metric.ID, f.Dimension)
		}
		messages = messages.Where(excludingIf(f.Exclude, anyOf("c.platform", f.Values)))
		transferred = transferred.Where(excludingIf(f.Exclude, anyOf("c.platform", f.Values)))
	}
	transferredSQL, transferredArgs, err := transferred.GroupBy("c.platform").PlaceholderFormat(sq.Question).ToSql()
	if err != nil {
		return Statement{}, err
	}
	return statement(selectColumns(SourcesColumns).
		FromSelect(messages.GroupBy("c.platform"), "ms").
		JoinClause("FULL JOIN ("+transferredSQL+") tc ON tc.platform = ms.platform", transferredArgs...).
		OrderBy("platform").
		Limit(uint64(plan.Limit))) // #nosec G115 -- 1..10000, checked by Resolve
}

// selectColumns selects each record column under its name.
func selectColumns(columns []RecordColumn) sq.SelectBuilder {
	builder := psql.Select()
	for _, col := range columns {
		builder = builder.Column(sq.Expr(col.expr+" AS "+col.Name, col.args...))
	}
	return builder
}
