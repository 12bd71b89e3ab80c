package catalog

import (
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

// Summary is a table the store keeps exact from a source's raw rows with
// triggers (migrations 0003 and 0005, which adds coarser levels of the slot
// tables that package sqlbuild reads where a bucket holds whole hours or days): which of the source's aggregates it answers,
// which of its conditions, present columns and dimensions it keeps, and its time grain. A
// metric is answered from a summary when its entry matches one; nothing here
// names a metric, so a new metric whose source, aggregate, conditions and
// dimensions a summary keeps is answered from it without further work.
type Summary struct {
	// Table is the summary table's name (package sqlbuild owns its SQL).
	Table string
	// Source is the raw rows it summarises.
	Source Source
	// Grain is the length of its time slots, aligned on UTC: a bucket
	// boundary must fall on a slot edge. Zero means one row per source row,
	// exact at any instant.
	Grain time.Duration
	// Aggregates maps an aggregate over the source's rows (a Metric's
	// Aggregate, exactly as written there) to the same aggregate over the
	// summary's rows; a summary's aggregates take no bind parameters.
	Aggregates map[string]string
	// Conditions maps the source columns a metric may keep rows by to the
	// summary's columns.
	Conditions map[string]string
	// Present maps the source columns a metric may require to be set (not
	// null) to the summary's columns; a metric requiring any other falls back.
	Present map[string]string
	// Required are conditions every row of the summary already meets: a
	// metric must have each of them (and they are not applied again).
	Required map[string]any
	// PresentInEvery are columns not null in every row the summary counts:
	// a metric must require each of them to be set (its Present), and they
	// are not applied again. A metric's other Present columns must map
	// through Present.
	PresentInEvery []string
	// Where is the metric's Where (exactly as written there) that every row
	// of the summary already meets: a metric with a Where is answered only by
	// a summary with the same one, and it is not applied again.
	Where string
	// Keep is a condition on the summary's rows (under the alias package
	// sqlbuild reads them by) that keeps those counting something for the
	// metrics it answers, when its rows also count other things: a row that
	// counts none would still make its group appear, where the raw rows
	// have none. Empty keeps them all.
	Keep string
	// Dimensions are those it can group and filter by.
	Dimensions []string
	// Cumulative summaries also answer running totals from the beginning of the store.
	Cumulative bool
	// States maps the source columns a metric may require to be set (its
	// Present) or unset (a Condition that the column is nil) to the
	// summary's boolean columns that say whether they are.
	States map[string]string
	// SplitBy is a dimension whose values split the summary's distinct
	// counts apart (a contact counts once in each language it wrote in), so
	// that the summary answers only a plan that groups by it or keeps exactly
	// one of its values; empty when no dimension does.
	SplitBy string
	// Rows names which of the table's row sets answers, when package
	// sqlbuild reads one table in more than one way (its durations one by
	// one, say); empty for the table's own rows.
	Rows string
}

// SlotLength is the grain of the slot summaries: every time zone in use has
// an offset that is a multiple of 15 minutes, so each of its hours, days,
// weeks and months is a union of whole slots. The auto interval takes no
// finer bucket over a range longer than timebucket.FineAutoSpan.
const SlotLength = timebucket.SlotLength

// responseInterval is the operator response time of a run, as the raw rows
// (alias rr) and the run summaries measure it.
const responseInterval = "rr.replied_at - rr.run_started_at"

// NoPreviousMessage is the value of the active contact summaries (migration
// 18) for a contact without an inbound message before a unit: the smallest
// bigint, before every time in microseconds.
const NoPreviousMessage = "'-9223372036854775808'::bigint"

// returningAggregate counts the active contacts of a bucket (SourceActiveContacts)
// who wrote before their first message in it; its ? takes "inbound".
const returningAggregate = "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM messages p WHERE p.workspace_id = ak.workspace_id" +
	" AND p.contact_id = ak.contact_id AND p.direction = ? AND p.created_at < ak.at))"

// Summaries lists the summary tables and what each answers, most specific first.
var Summaries = []Summary{
	{
		// Agent messages per sending agent (migration 12); the team is the
		// agent's team now, joined when read, so it is a dimension too.
		Table: "agent_message_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(am.messages)"},
		Required:   map[string]any{"m.sender": "agent"},
		Dimensions: []string{DimAgent.ID, DimTeam.ID, DimPlatform.ID, DimInbox.ID},
	},
	{
		// The same sums per platform and inbox only (migration 36): a row
		// per unit for each, where message_slots keeps one for every task,
		// direction, sender and billing too, for the metrics that keep
		// none of those.
		Table: "message_inbox_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: messageAggregates("mx"),
		Dimensions: []string{DimPlatform.ID, DimInbox.ID},
	},
	{
		// The same sums per task only (migration 43), for the metrics that
		// group or filter by the task and by no other dimension, and keep no
		// direction, sender or billing (a campaign's AI expense).
		Table: "message_task_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: messageAggregates("mt"),
		Dimensions: []string{DimTask.ID},
	},
	{
		// The same sums per direction, sender and billing only (migration
		// 44), for the metrics that group or filter by the sender and by no
		// other dimension (messages sent by sender per hour, messages
		// received or sent in all): a handful of rows per unit.
		Table: "message_sender_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: messageAggregates("mz"),
		Conditions: map[string]string{"m.direction": "mz.direction", "m.sender": "mz.sender", "m.billable": "mz.billable"},
		Dimensions: []string{DimSender.ID},
	},
	{
		Table: "message_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: messageAggregates("ms"),
		Conditions: map[string]string{"m.direction": "ms.direction", "m.sender": "ms.sender", "m.billable": "ms.billable"},
		// The task is the message's conversation's (migration 15).
		Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID, DimTask.ID},
	},
	{
		// The messages an open assignment of their conversation covered
		// (migration 20), per the message's platform, inbox and sender.
		Table: "cc_message_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(cm.messages)"},
		Where:      AssignmentOpen,
		Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID},
	},
	{
		// The same counts per intent only (migration 39): a row per unit
		// and intent, where intent_slots keeps one for every platform and
		// language too, for the rankings that keep neither.
		Table: "intent_total_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates:     map[string]string{"count(*)": "sum(mt.messages)"},
		Required:       map[string]any{"m.direction": "inbound"},
		PresentInEvery: []string{"m.intent"},
		Dimensions:     []string{DimIntent.ID},
	},
	{
		// Only the inbound messages with a detected intent (migration 6).
		Table: "intent_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates:     map[string]string{"count(*)": "sum(mi.messages)"},
		Required:       map[string]any{"m.direction": "inbound"},
		PresentInEvery: []string{"m.intent"},
		Dimensions:     []string{DimIntent.ID, DimPlatform.ID, DimLanguage.ID},
	},
	{
		// Per unit and platform, each active contact's last inbound message
		// before the unit (migration 18): a contact is active in a bucket
		// once, in the unit of its first message there, the one unit whose
		// value for it is before the bucket's start (ac.before, the start
		// less a microsecond). So the distinct contacts are a count of
		// values, a binary search per unit row, with no de-duplication.
		Table: "active_contact_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: map[string]string{"count(DISTINCT m.contact_id)": "coalesce(sum(width_bucket(ac.before, ac.previous)), 0)"},
		Required:   map[string]any{"m.direction": "inbound"},
		Dimensions: []string{DimPlatform.ID},
	},
	{
		// The same values per contact and language (migration 19): the
		// distinct contacts of one language, per language or for one.
		Table: "language_contact_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates:     map[string]string{"count(DISTINCT m.contact_id)": "coalesce(sum(width_bucket(lc.before, lc.previous)), 0)"},
		Required:       map[string]any{"m.direction": "inbound"},
		PresentInEvery: []string{"m.language"},
		Dimensions:     []string{DimLanguage.ID, DimPlatform.ID},
		SplitBy:        DimLanguage.ID,
	},
	{
		// The same values: a contact active in a bucket is returning when
		// its value there is an earlier message, not none (as for the new
		// contacts of the unit, counted in ac.new_contacts).
		Table: "active_contact_slots", Source: SourceActiveContacts, Grain: SlotLength,
		Aggregates: map[string]string{
			returningAggregate: "coalesce(sum(width_bucket(ac.before, ac.previous) - ac.new_contacts), 0)",
		},
		Dimensions: []string{DimPlatform.ID},
	},
	{
		// Where a bucket ends inside a slot (of a minute, say), the active
		// contacts are the raw inbound messages' and each contact's first
		// inbound message ever is one probe of contact_first_inbound's key,
		// where the raw rows probe every partition of its messages: a contact
		// wrote before an instant exactly when its first inbound message is
		// before it. Its platform is the one the summary copies.
		Table: "contact_first_inbound", Rows: "active_contacts", Source: SourceActiveContacts,
		Aggregates: map[string]string{returningAggregate: "count(*) FILTER (WHERE f.first_at < ak.at)"},
		Dimensions: []string{DimPlatform.ID},
	},
	{
		Table: "contact_slots", Source: SourceMessages, Grain: SlotLength,
		Aggregates: map[string]string{"count(DISTINCT m.contact_id)": "count(DISTINCT cs.contact_id)"},
		Required:   map[string]any{"m.direction": "inbound"},
		Dimensions: []string{DimPlatform.ID, DimInbox.ID},
	},
	{
		// The first inbound message keeps its conversation's inbox (of two
		// messages at that instant, the one with the lower id, as the raw
		// rows pick it).
		Table: "contact_first_inbound", Source: SourceFirstInbound, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(fi.contacts)"},
		Dimensions: []string{DimPlatform.ID, DimInbox.ID}, Cumulative: true,
	},
	{
		// The template sends' costs per category, platform and inbox (migration 22).
		Table: "template_send_slots", Source: SourceTemplateSends, Grain: SlotLength,
		Aggregates: map[string]string{"coalesce(sum(ts.cost), 0)": "coalesce(sum(tx.cost), 0)", "count(*)": "sum(tx.sends)"},
		Dimensions: []string{DimCategory.ID, DimPlatform.ID, DimInbox.ID},
	},
	{
		// Page visits per page and platform (migration 26).
		Table: "page_visit_slots", Source: SourcePageVisits, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(pw.visits)"},
		Dimensions: []string{DimPage.ID, DimPlatform.ID},
	},
	{
		// Every credit movement's amount per unit (migration 22), for the
		// balance's running total from the beginning of the store.
		Table: "credit_movement_slots", Source: SourceCreditMovements, Grain: SlotLength,
		Aggregates: map[string]string{"coalesce(sum(cr.amount), 0)": "coalesce(sum(cb.amount), 0)"},
		Cumulative: true,
	},
	{
		// The inbox is the trigger's conversation's; none outside one (migration 6).
		Table: "flow_trigger_slots", Source: SourceFlowTriggers, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(fs.triggers)"},
		Dimensions: []string{DimFlow.ID, DimInbox.ID},
	},
	{
		// The same per phrase and direction only (migration 29): one or two
		// rows per phrase and unit where phrase_hours keeps one per platform
		// and sender too, for the plans that name neither.
		Table: "phrase_direction_hours", Source: SourceMessages, Grain: time.Hour,
		Aggregates: map[string]string{"count(*)": "sum(pd.messages)"},
		Conditions: map[string]string{"m.direction": "pd.direction"},
		Where:      HasPhrase,
		Dimensions: []string{DimPhrase.ID},
	},
	{
		// Messages per normalised phrase, hourly: only those with a phrase.
		// Direction follows from the sender, so keeping both costs no rows.
		Table: "phrase_hours", Source: SourceMessages, Grain: time.Hour,
		Aggregates: map[string]string{"count(*)": "sum(ps.messages)"},
		Conditions: map[string]string{"m.direction": "ps.direction", "m.sender": "ps.sender"},
		Where:      HasPhrase,
		Dimensions: []string{DimPhrase.ID, DimPlatform.ID, DimSender.ID},
	},
	// The answered runs per slot of their reply, agent and platform
	// (migration 17): counts, sums of seconds and the sorted times, read as
	// the assignment summaries read theirs.
	{
		Table: "response_run_slots", Source: SourceResponseRuns, Grain: SlotLength,
		Aggregates: map[string]string{
			// avg over numeric is its sum divided by its count as numeric.
			"avg(" + seconds(responseInterval) + ")": "sum(rs.response_seconds) / sum(rs.runs)::numeric",
			// The last of a sorted array is its largest.
			"max(" + seconds(responseInterval) + ")": "max(rs.response_us[cardinality(rs.response_us)])::numeric / 1000000",
		},
		Dimensions: []string{DimAgent.ID, DimPlatform.ID},
	},
	{
		// The median and 90th percentile: each bucket's group gathers its
		// rows' sorted arrays, and the large groups (a total, a ranking of
		// agents, a day of one agent) search them (migration 30).
		Table: "response_run_slots", Source: SourceResponseRuns, Grain: SlotLength,
		Aggregates: sortedPercentiles(responseInterval, "rs.response_us"),
		Dimensions: []string{DimAgent.ID, DimPlatform.ID},
	},
	{
		// One row per answered run (migration 11), with the same columns as
		// the raw rows: every statistic of the response time reads the same
		// values, at any instant (a bucket that ends inside a slot too).
		Table: "response_runs", Source: SourceResponseRuns,
		Aggregates: responseRunAggregates(),
		Dimensions: []string{DimAgent.ID, DimPlatform.ID},
	},
	{
		Table: "message_minutes", Source: SourceMessageMinutes, Grain: time.Minute,
		Aggregates: map[string]string{
			"max(mm.n)": "max(mm.n)",
			"extract(epoch FROM (array_agg(mm.minute ORDER BY mm.n DESC, mm.minute))[1]) * 1000": "extract(epoch FROM (array_agg(mm.minute ORDER BY mm.n DESC, mm.minute))[1]) * 1000",
		},
	},
	{
		// The same sums per platform and inbox only (migration 36), for the
		// metrics that group and filter by neither the task nor the start
		// flow: one row per unit for each, where conversation_slots keeps
		// one for every task and start flow too.
		Table: "conversation_inbox_slots", Source: SourceConversations, Grain: SlotLength,
		Aggregates: conversationAggregates("cx"),
		Dimensions: []string{DimPlatform.ID, DimInbox.ID},
	},
	{
		Table: "conversation_inbox_slots", Source: SourceConversations, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(cx.transferred)"},
		Where:      HandedOff,
		Keep:       "cx.transferred <> 0",
		Dimensions: []string{DimPlatform.ID, DimInbox.ID},
	},
	{
		// The same sums per task only (migration 43), for the metrics that
		// group or filter by the task and by no other dimension (a
		// campaign's): one row per unit and task.
		Table: "conversation_task_slots", Source: SourceConversations, Grain: SlotLength,
		Aggregates: conversationAggregates("ct"),
		Dimensions: []string{DimTask.ID},
	},
	{
		Table: "conversation_task_slots", Source: SourceConversations, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(ct.transferred)"},
		Where:      HandedOff,
		Keep:       "ct.transferred <> 0",
		Dimensions: []string{DimTask.ID},
	},
	{
		// Conversations by start slot with their messages and funnel steps
		// (migrations 8 and 16).
		Table: "conversation_slots", Source: SourceConversations, Grain: SlotLength,
		Aggregates: conversationAggregates("cv"),
		Present:    map[string]string{"v.start_flow_id": "cv.start_flow_id"},
		Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimFlow.ID, DimTask.ID},
	},
	{
		// The same rows' conversations handed to a human (migration 24),
		// which the assignments' triggers keep.
		Table: "conversation_slots", Source: SourceConversations, Grain: SlotLength,
		Aggregates: map[string]string{"count(*)": "sum(cv.transferred)"},
		Where:      HandedOff,
		Keep:       "cv.transferred <> 0",
		Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimFlow.ID, DimTask.ID},
	},
}

// messageAggregates maps the message metrics' aggregates (their count, AI
// cost and billing cost) to the same sums over the message summaries' rows
// under alias.
func messageAggregates(alias string) map[string]string {
	return map[string]string{
		"count(*)":                         "sum(" + alias + ".messages)",
		"coalesce(sum(m.ai_cost), 0)":      "coalesce(sum(" + alias + ".ai_cost), 0)",
		"coalesce(sum(m.billing_cost), 0)": "coalesce(sum(" + alias + ".billing_cost), 0)",
	}
}

// conversationAggregates maps the conversation metrics' aggregates to the
// same over the conversation summaries' rows under alias: counts of
// conversations, their messages and their funnel's steps. The average is
// the same numeric division avg() makes of the counts' sum by their number,
// so it is identical; null without conversations. The funnel's steps
// (migration 16) are counts of the same conversations, so their shares
// divide the same sums.
func conversationAggregates(alias string) map[string]string {
	sum := func(column string) string { return "sum(" + alias + "." + column + ")" }
	return map[string]string{
		"count(*)":                       sum("conversations"),
		messagesPerConversationAggregate: sum("messages") + " / nullif(" + sum("conversations") + ", 0)",
		repliedChats:                     sum("replied"),
		obtainedChats:                    sum("obtained"),
		successChats:                     sum("succeeded"),
		replyShare:                       sum("replied") + "::float8 / nullif(" + sum("conversations") + ", 0)",
		obtainedShare:                    sum("obtained") + "::float8 / nullif(" + sum("replied") + ", 0)",
		successShare:                     sum("succeeded") + "::float8 / nullif(" + sum("replied") + ", 0)",
	}
}

// responseRunAggregates maps each aggregate of the operator response time's
// metrics to itself: the summary's rows carry the raw rows' alias and columns.
func responseRunAggregates() map[string]string {
	out := map[string]string{}
	for _, m := range Metrics {
		if m.Source == SourceResponseRuns {
			out[m.Aggregate] = m.Aggregate
		}
	}
	return out
}
