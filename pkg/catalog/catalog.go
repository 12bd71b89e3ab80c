// Package catalog is the declarative list of metrics the data source answers:
// what each number means, its unit and value kind, the dimensions it can be
// grouped and filtered by, and the source rows and aggregate it is computed
// from. Resolve turns a query into a Plan against this list; it does no I/O.
//
// Adding a metric means one entry here, one test row and one line in
// docs/metrics.md.
package catalog

import (
	"slices"
	"strings"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// Section groups metrics as the product views do.
type Section string

// The sections.
const (
	SectionUsage         Section = "usage"
	SectionChatbot       Section = "chatbot"
	SectionContactCenter Section = "contact_center"
	SectionCampaignCost  Section = "campaign_cost"
	SectionLive          Section = "live"
	SectionRecords       Section = "records"
)

// ValueKind says how a metric's value is aggregated, and so how an empty
// bucket reads: counts and sums are 0, averages and percentiles are null.
type ValueKind string

// The value kinds.
const (
	ValueCount   ValueKind = "count"
	ValueSum     ValueKind = "sum"
	ValueAverage ValueKind = "average"
	ValueMedian  ValueKind = "median"
	ValueP90     ValueKind = "p90"
	ValueMax     ValueKind = "max"
	ValueRatio   ValueKind = "ratio"
	// ValueSnapshot is the state at one instant: a count, or a measure such
	// as the longest wait, that is 0 when nothing is in that state.
	ValueSnapshot ValueKind = "snapshot"
)

// ZeroWhenEmpty reports whether a bucket without rows is a real zero.
func (k ValueKind) ZeroWhenEmpty() bool {
	return k == ValueCount || k == ValueSum || k == ValueSnapshot
}

// Source names the rows a metric counts; package sqlbuild owns each one's SQL.
type Source string

// The sources.
const (
	// SourceMessages is one row per message, stamped with its time.
	SourceMessages Source = "messages"
	// SourceFirstInbound is one row per contact, stamped with the time of its
	// first inbound message ever.
	SourceFirstInbound Source = "first_inbound"
	// SourceConversations is one row per conversation, stamped with its start.
	SourceConversations Source = "conversations"
	// SourceFlowTriggers is one row per flow trigger event.
	SourceFlowTriggers Source = "flow_triggers"
	// SourceTemplateSends is one row per template message sent (credits used).
	SourceTemplateSends Source = "template_sends"
	// SourceAIAssists is one row per use of an AI writing tool by an agent.
	SourceAIAssists Source = "ai_assist_uses"
	// SourceMarkers is one row per marker (tag) put on a conversation.
	SourceMarkers Source = "conversation_markers"
	// SourcePageVisits is one row per web page a contact visited.
	SourcePageVisits Source = "page_visits"
	// SourceSessionsAt is one row per active session at the end of the range.
	SourceSessionsAt Source = "sessions_at"
	// SourceContactsAt is one row per contact who has written by the end of
	// the range, with whether they have an open conversation then.
	SourceContactsAt Source = "contacts_at"
	// SourceWaitingAt is one row per assignment waiting for a human at the
	// end of the range (created, neither accepted nor ended yet), with how
	// long it has waited.
	SourceWaitingAt Source = "waiting_at"
	// SourceMessageMinutes is one row per clock minute with messages, with their count.
	SourceMessageMinutes Source = "message_minutes"
	// SourcePresence is one row per agent presence interval and bucket it
	// overlaps, with the hours of the interval inside the bucket, stamped
	// with the bucket's start.
	SourcePresence Source = "agent_presence"
	// SourceActiveContacts is one row per contact and bucket in which the
	// contact sent an inbound message, stamped with the first of them.
	SourceActiveContacts Source = "active_contacts"
	// SourceResponseRuns is one row per run of inbound messages that an
	// agent's message answered, stamped with the agent's reply.
	SourceResponseRuns Source = "response_runs"
	// SourceCreditMovements is one row per credit movement: each credit added
	// (positive) and each template send's cost (negative).
	SourceCreditMovements Source = "credit_movements"
	// SourceAssignments is one row per hand-off to a human queue, team or
	// agent (a transfer is a new one), stamped with its creation.
	SourceAssignments Source = "assignments"
)

// Dimension is something a metric can be grouped and filtered by.
type Dimension struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Identified dimensions name rows of a table (agents, teams, flows,
	// tasks, markers): totals and rankings by them carry each group's id,
	// for drill-down links.
	Identified bool `json:"-"`
	// FilterOnly dimensions only keep rows (a text search, say): they are
	// never a group by and have no list of values.
	FilterOnly bool `json:"filterOnly,omitempty"`
}

// The dimensions.
var (
	DimPlatform = Dimension{ID: "platform", Title: "Platform"}
	DimSender   = Dimension{ID: "sender", Title: "Sender"}
	DimIntent   = Dimension{ID: "intent", Title: "Intent"}
	DimLanguage = Dimension{ID: "language", Title: "Language"}
	DimFlow     = Dimension{ID: "flow", Title: "Flow", Identified: true}
	DimAgent    = Dimension{ID: "agent", Title: "Agent", Identified: true}
	DimTeam     = Dimension{ID: "team", Title: "Team", Identified: true}
	DimRole     = Dimension{ID: "role", Title: "Role"}
	DimClosing  = Dimension{ID: "closing_reason", Title: "Closing reason"}
	DimTask     = Dimension{ID: "task", Title: "Task", Identified: true}
	DimCategory = Dimension{ID: "template_category", Title: "Template category"}
	DimTool     = Dimension{ID: "tool", Title: "AI tool"}
	DimMarker   = Dimension{ID: "marker", Title: "Marker", Identified: true}
	DimPage     = Dimension{ID: "page", Title: "Web page"}
	DimState    = Dimension{ID: "state", Title: "Session state"}
	DimStatus   = Dimension{ID: "status", Title: "Dialog status"}
	DimReplied  = Dimension{ID: "replied", Title: "Replied"}
	DimInterest = Dimension{ID: "interest", Title: "Interest"}
	DimObtained = Dimension{ID: "contact_obtained", Title: "Contact obtained"}
	DimSuccess  = Dimension{ID: "success", Title: "Success"}
	DimPhrase   = Dimension{ID: "phrase", Title: "Phrase"}
	DimInbox    = Dimension{ID: "inbox", Title: "Inbox", Identified: true}
	// DimMessageText keeps the conversations with a message whose text
	// contains the value, ignoring case.
	DimMessageText = Dimension{ID: "message_text", Title: "Message text contains", FilterOnly: true}
)

// Dimensions lists every dimension, for the query editor.
var Dimensions = []Dimension{DimPlatform, DimInbox, DimSender, DimIntent, DimLanguage, DimFlow, DimAgent, DimTeam, DimRole,
	DimClosing, DimTask, DimCategory, DimTool, DimMarker, DimPage, DimState,
	DimStatus, DimReplied, DimInterest, DimObtained, DimSuccess, DimPhrase, DimMessageText}

// FixedValues are the values of the dimensions whose vocabulary the schema closes.
var FixedValues = map[string][]string{
	DimSender.ID:   {"contact", "bot", "agent", "broadcast"},
	DimRole.ID:     {"support", "admin", "tech"},
	DimCategory.ID: {"marketing", "utility", "authentication", "other"},
	DimTool.ID:     {"ai_writer", "doc_reply"},
	DimState.ID:    {"unassigned", "assigned", "resolved"},
	DimStatus.ID:   {"active", "closed", "no_operator_response"},
	DimReplied.ID:  {"true", "false"},
	DimInterest.ID: {"true", "false"},
	DimObtained.ID: {"true", "false"},
	DimSuccess.ID:  {"true", "false"},
}

// conversationDimensions are what conversations group and filter by: where
// they came from and how far the dialog went (the dialogs table's filters).
var conversationDimensions = []string{DimPlatform.ID, DimInbox.ID, DimFlow.ID, DimTask.ID, DimStatus.ID,
	DimReplied.ID, DimInterest.ID, DimObtained.ID, DimSuccess.ID}

// assignmentDimensions are what contact-center metrics group and filter by.
var assignmentDimensions = []string{DimAgent.ID, DimTeam.ID, DimRole.ID, DimPlatform.ID, DimInbox.ID}

// Param stands in an aggregate's arguments for a value the query sets.
type Param string

// ParamTargetSeconds is the query's service level target, in seconds.
const ParamTargetSeconds Param = "targetSeconds"

// Metric is one catalog entry.
type Metric struct {
	ID          string             `json:"id"`
	Section     Section            `json:"section"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Unit        string             `json:"unit"`
	Value       ValueKind          `json:"valueKind"`
	Kinds       []models.QueryKind `json:"kinds"`
	Dimensions  []string           `json:"dimensions"`

	// Source is the rows the metric is computed over.
	Source Source `json:"-"`
	// Aggregate is the SQL aggregate over the source's rows in a bucket; each
	// ? in it takes the next of AggregateArgs as a bind parameter (a Param
	// takes the query's value).
	Aggregate     string `json:"-"`
	AggregateArgs []any  `json:"-"`
	// Conditions keep only some of the source's rows: column = value, where
	// the value is sent as a bind parameter.
	Conditions map[string]any `json:"-"`
	// Present keeps only the rows where these columns are not null (messages
	// with a detected intent, say).
	Present []string `json:"-"`
	// Where is one more SQL predicate on the source's rows, its ? taking
	// WhereArgs as bind parameters.
	Where     string `json:"-"`
	WhereArgs []any  `json:"-"`
	// Cumulative metrics count every row from the beginning of the store up to
	// each bucket's end, not only the rows inside the bucket.
	Cumulative bool `json:"-"`
	// Quotient, when set, makes the metric one metric's value divided by
	// another's, group by group and bucket by bucket; Source and Aggregate
	// are then unused.
	Quotient *Quotient `json:"-"`
}

// Quotient names the two metrics a ratio metric divides. Both must allow
// every dimension the ratio does.
type Quotient struct {
	Dividend, Divisor string
}

// Supports reports whether the metric answers queries of kind.
func (m Metric) Supports(kind models.QueryKind) bool { return slices.Contains(m.Kinds, kind) }

// Allows reports whether the metric can be grouped or filtered by dimension.
func (m Metric) Allows(dimension string) bool { return slices.Contains(m.Dimensions, dimension) }

// GroupDimensions are the dimensions the metric can be grouped by: its
// dimensions less the filter-only ones.
func (m Metric) GroupDimensions() []string {
	out := make([]string, 0, len(m.Dimensions))
	for _, id := range m.Dimensions {
		if d, ok := LookupDimension(id); ok && !d.FilterOnly {
			out = append(out, id)
		}
	}
	return out
}

// allKinds: the metrics of events answer as a time series, totals and a ranking.
var allKinds = []models.QueryKind{models.KindTimeSeries, models.KindTotals, models.KindRanking}

// Metrics is the catalog, in the order the query editor lists it. Definitions
// restate the metric contract; docs/metrics.md carries them with examples.
var Metrics = slices.Concat(usageAndChatbot, liveState, contactCenter,
	durations(duration{
		id: "wait_time", title: "Wait time", source: SourceAssignments, dimensions: assignmentDimensions,
		definition: "first agent reply minus assignment creation, over the assignments created in the bucket that got an agent reply (bot messages never count)",
		interval:   waitInterval, present: []string{"a.first_reply_at"},
	}),
	durations(duration{
		id: "conversation_time", title: "Conversation time", source: SourceAssignments, dimensions: assignmentDimensions,
		definition: "end minus accepted time, over the accepted (handled) assignments created in the bucket that have ended",
		interval:   conversationInterval, present: []string{"a.accepted_at", "a.ended_at"},
	}),
	durations(duration{
		id: "operator_response_time", title: "Operator response time", source: SourceResponseRuns,
		dimensions: []string{DimAgent.ID, DimPlatform.ID},
		definition: "the time from the first of a run of inbound messages to the agent message that answered it, over the runs answered in the bucket (a run answered by a bot or a broadcast does not count)",
		interval:   responseInterval,
	}),
	campaignAndCost, records,
)

// The records metrics with their own SQL.
const (
	// MetricTranscript lists one conversation's messages.
	MetricTranscript = "transcript"
	// MetricSources is the per-platform table of bot and agent messages and transfers.
	MetricSources = "sources"
)

// records are tables of rows rather than numbers.
var records = []Metric{
	{
		ID: "dialogs", Section: SectionRecords, Title: "Dialogs",
		Description: "One row per conversation started in the range, newest first, with the columns of the dialogs export and the conversation's markers; filter by task, platform, status (active, closed, no_operator_response), replied, interest, contact_obtained, success, marker (any of the markers) and message_text (a message of the conversation contains the text, ignoring case; %, _ and \\ match themselves).",
		Unit:        "none", Value: ValueCount, Kinds: []models.QueryKind{models.KindRecords},
		Dimensions: []string{DimTask.ID, DimPlatform.ID, DimStatus.ID, DimReplied.ID, DimInterest.ID, DimObtained.ID, DimSuccess.ID,
			DimMarker.ID, DimMessageText.ID},
		Source: SourceConversations,
	},
	{
		ID: MetricSources, Section: SectionRecords, Title: "Sources",
		Description: "One row per platform: bot messages and agent messages sent in the range, and conversations started in the range that were transferred to a human.",
		Unit:        "none", Value: ValueCount, Kinds: []models.QueryKind{models.KindRecords},
		Dimensions: []string{DimPlatform.ID},
		Source:     SourceMessages,
	},
	{
		ID: "popular_phrases", Section: SectionRecords, Title: "Popular phrases",
		Description: "Messages per phrase: their texts with case, white space and trailing punctuation normalised; rank by phrase for the most frequent. Empty texts are not counted.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPhrase.ID, DimPlatform.ID, DimSender.ID},
		Source: SourceMessages, Aggregate: "count(*)", Where: HasPhrase,
	},
	{
		ID: "client_phrases", Section: SectionRecords, Title: "Client phrases",
		Description: "Inbound messages per phrase, normalised as for popular phrases; rank by phrase for what clients write most.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPhrase.ID, DimPlatform.ID},
		Source: SourceMessages, Aggregate: "count(*)", Where: HasPhrase,
		Conditions: map[string]any{"m.direction": "inbound"},
	},
	{
		ID: MetricTranscript, Section: SectionRecords, Title: "Transcript",
		Description: "One conversation (conversationId): session id, chat date, dialog cost and client id, with every message's author, time and text, in order.",
		Unit:        "none", Value: ValueCount, Kinds: []models.QueryKind{models.KindRecords},
		Source: SourceConversations,
	},
}

var usageAndChatbot = []Metric{
	{
		ID: "active_users", Section: SectionUsage, Title: "Active users",
		Description: "Distinct contacts with at least one inbound message in the bucket. A contact is one identity on one platform.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID},
		Source: SourceMessages, Aggregate: "count(DISTINCT m.contact_id)",
		Conditions: map[string]any{"m.direction": "inbound"},
	},
	{
		ID: "new_users", Section: SectionUsage, Title: "New users",
		Description: "Contacts whose first inbound message ever falls in the bucket; per inbox, the inbox of the conversation of that first message.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID},
		Source: SourceFirstInbound, Aggregate: "count(*)",
	},
	{
		ID: "returning_users", Section: SectionUsage, Title: "Returning users",
		Description: "Active users in the bucket whose first inbound message ever is before the bucket's start (active = new + returning).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID},
		Source:    SourceActiveContacts,
		Aggregate: returningAggregate, AggregateArgs: []any{"inbound"},
	},
	{
		ID: "total_users", Section: SectionUsage, Title: "Total users",
		Description: "Contacts whose first inbound message is before the bucket's end: a running total from the beginning of the store, not from the range start.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID},
		Source: SourceFirstInbound, Aggregate: "count(*)", Cumulative: true,
	},
	{
		ID: "messages_received", Section: SectionUsage, Title: "Messages received",
		Description: "Inbound messages (from contacts) in the bucket.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID},
		Source: SourceMessages, Aggregate: "count(*)",
		Conditions: map[string]any{"m.direction": "inbound"},
	},
	{
		ID: "messages_sent", Section: SectionUsage, Title: "Messages sent",
		Description: "Outbound messages in the bucket; group or filter by sender (bot, agent, broadcast).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID},
		Source: SourceMessages, Aggregate: "count(*)",
		Conditions: map[string]any{"m.direction": "outbound"},
	},
	{
		ID: "total_messages", Section: SectionUsage, Title: "Total messages",
		Description: "All messages in the bucket, inbound and outbound.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID},
		Source: SourceMessages, Aggregate: "count(*)",
	},
	{
		ID: "conversations", Section: SectionUsage, Title: "Conversations",
		Description: "Conversations started in the bucket (new chats, new incoming sessions); per task, a campaign's chats.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: conversationDimensions,
		Source: SourceConversations, Aggregate: "count(*)",
	},
	{
		ID: "messages_per_conversation", Section: SectionUsage, Title: "Messages per conversation",
		Description: "Messages in the conversations started in the bucket, divided by those conversations; null without conversations.",
		Unit:        "short", Value: ValueAverage, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimFlow.ID, DimTask.ID},
		Source:    SourceConversations,
		Aggregate: messagesPerConversationAggregate,
	},
	{
		ID: "peak_messages_per_minute", Section: SectionUsage, Title: "Peak messages per minute",
		Description: "The largest number of messages in any single clock minute within the bucket.",
		Unit:        "short", Value: ValueMax, Kinds: []models.QueryKind{models.KindTimeSeries, models.KindTotals},
		Source: SourceMessageMinutes, Aggregate: "max(mm.n)",
	},
	{
		ID: "peak_minute", Section: SectionUsage, Title: "Peak time",
		Description: "The minute of the peak messages per minute (the earliest on ties), as a time.",
		Unit:        "dateTimeAsIso", Value: ValueMax, Kinds: []models.QueryKind{models.KindTimeSeries, models.KindTotals},
		Source: SourceMessageMinutes, Aggregate: "extract(epoch FROM (array_agg(mm.minute ORDER BY mm.n DESC, mm.minute))[1]) * 1000",
	},
	{
		ID: "top_intents", Section: SectionChatbot, Title: "Top intents",
		Description: "Inbound messages per detected intent; messages without an intent are not counted. Rank by intent for the most frequent ones.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimIntent.ID, DimPlatform.ID, DimLanguage.ID},
		Source: SourceMessages, Aggregate: "count(*)",
		Conditions: map[string]any{"m.direction": "inbound"}, Present: []string{"m.intent"},
	},
	{
		ID: "languages", Section: SectionChatbot, Title: "Languages",
		Description: "Distinct contacts per language of their inbound messages; a contact who wrote in two languages counts in both.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimLanguage.ID, DimPlatform.ID},
		Source: SourceMessages, Aggregate: "count(DISTINCT m.contact_id)",
		Conditions: map[string]any{"m.direction": "inbound"}, Present: []string{"m.language"},
	},
	{
		ID: "start_flows", Section: SectionChatbot, Title: "Start flows",
		Description: "Conversations started per the flow that started them; conversations without a start flow are not counted.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimFlow.ID, DimPlatform.ID},
		Source: SourceConversations, Aggregate: "count(*)", Present: []string{"v.start_flow_id"},
	},
	{
		ID: "flow_triggers", Section: SectionChatbot, Title: "Flow triggers",
		Description: "Flow trigger events (number of times triggered); rank by flow for the popular flows. Per inbox, the inbox of the trigger's conversation; triggers outside a conversation count under (none).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimFlow.ID, DimInbox.ID},
		Source: SourceFlowTriggers, Aggregate: "count(*)",
	},
}

// messagesPerConversationAggregate averages the messages of each conversation v.
const messagesPerConversationAggregate = "avg((SELECT count(*) FROM messages mc WHERE mc.workspace_id = v.workspace_id AND mc.conversation_id = v.id))"

// SQL facts about a conversation v, shared by the metrics here and the
// dialogs records and filters of package sqlbuild.
const (
	// ContactReplied holds when the contact wrote in v; its ? takes "inbound".
	ContactReplied = "EXISTS (SELECT 1 FROM messages r WHERE r.workspace_id = v.workspace_id AND r.conversation_id = v.id AND r.direction = ?)"
	// HandedOff holds when v was handed to a human queue, team or agent.
	HandedOff = "EXISTS (SELECT 1 FROM assignments h WHERE h.workspace_id = v.workspace_id AND h.conversation_id = v.id)"
	// NoAgentMessage holds when no agent wrote in v (only agent messages carry an agent id).
	NoAgentMessage = "NOT EXISTS (SELECT 1 FROM messages am WHERE am.workspace_id = v.workspace_id AND am.conversation_id = v.id AND am.agent_id IS NOT NULL)"
)

// Phrase is the SQL of a message text (the column body) normalised for
// counting phrases: lower case, runs of white space as one space, no white
// space at either end and no punctuation at the end ("Hello!!  " and "hello"
// are one phrase). Which characters are punctuation follows the database's
// character classification (ctype). The normalisation is the store's
// function message_phrase (migration 9), which the phrase summaries' triggers
// call too when a message arrives: one definition for the raw rows and the
// summaries. PostgreSQL inlines it into the statement.
func Phrase(body string) string {
	return "message_phrase(" + body + ")"
}

// HasPhrase is the condition of the phrase metrics: the message's text is
// not empty once normalised. The phrase summaries hold only such messages.
var HasPhrase = Phrase("m.body") + " <> ''"

// Funnel steps over the conversations of the bucket.
const (
	repliedChats  = "count(*) FILTER (WHERE " + ContactReplied + ")"
	obtainedChats = "count(*) FILTER (WHERE v.contact_obtained_at IS NOT NULL AND " + ContactReplied + ")"
	successChats  = "count(*) FILTER (WHERE v.success_at IS NOT NULL AND " + ContactReplied + ")"
	// The steps' shares: of the conversations, and of the replied ones.
	replyShare    = repliedChats + "::float8 / nullif(count(*), 0)"
	obtainedShare = obtainedChats + "::float8 / nullif(" + repliedChats + ", 0)"
	successShare  = successChats + "::float8 / nullif(" + repliedChats + ", 0)"
)

var campaignAndCost = []Metric{
	{
		ID: "replies", Section: SectionCampaignCost, Title: "Replies",
		Description: "Conversations started in the bucket in which the contact replied (sent at least one message).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: repliedChats, AggregateArgs: []any{"inbound"},
	},
	{
		ID: "reply_share", Section: SectionCampaignCost, Title: "Reply share",
		Description: "Replies as a share of the conversations started in the bucket; null without conversations.",
		Unit:        "percentunit", Value: ValueRatio, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: replyShare, AggregateArgs: []any{"inbound"},
	},
	{
		ID: "contacts_obtained", Section: SectionCampaignCost, Title: "Contacts obtained",
		Description: "Of the replied conversations started in the bucket, those in which contact details were obtained.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: obtainedChats, AggregateArgs: []any{"inbound"},
	},
	{
		ID: "contacts_obtained_share", Section: SectionCampaignCost, Title: "Contacts obtained share",
		Description: "Contacts obtained as a share of replies; null without replies.",
		Unit:        "percentunit", Value: ValueRatio, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: obtainedShare,
		AggregateArgs: []any{"inbound", "inbound"},
	},
	{
		ID: "successes", Section: SectionCampaignCost, Title: "Successes",
		Description: "Of the replied conversations started in the bucket, those marked successful.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: successChats, AggregateArgs: []any{"inbound"},
	},
	{
		ID: "success_share", Section: SectionCampaignCost, Title: "Success share",
		Description: "Successes as a share of replies; null without replies.",
		Unit:        "percentunit", Value: ValueRatio, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: successShare,
		AggregateArgs: []any{"inbound", "inbound"},
	},
	{
		ID: "dialog_cost", Section: SectionCampaignCost, Title: "Dialog cost",
		Description: "Cost recorded for the conversations started in the bucket (the dialog cost).",
		Unit:        "currencyUSD", Value: ValueSum, Kinds: allKinds, Dimensions: []string{DimTask.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceConversations, Aggregate: "coalesce(sum(v.cost), 0)",
	},
	{
		ID: "ai_expense", Section: SectionCampaignCost, Title: "AI expense",
		Description: "AI processing cost of the messages sent in the bucket; per task, a message's task is its conversation's.",
		Unit:        "currencyUSD", Value: ValueSum, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID, DimTask.ID},
		Source: SourceMessages, Aggregate: "coalesce(sum(m.ai_cost), 0)",
	},
	expensePer("dialogue", "conversations", "the conversations started"),
	expensePer("contact", "contacts_obtained", "the contacts obtained"),
	expensePer("success", "successes", "the successes"),
	{
		ID: "balance", Section: SectionCampaignCost, Title: "Balance",
		Description: "Credits added (top-ups, refunds, adjustments) minus credits used (template sends' costs) from the beginning of the store up to the bucket's end; as a snapshot or totals, up to the end of the range.",
		Unit:        "currencyUSD", Value: ValueSum, Kinds: []models.QueryKind{models.KindTimeSeries, models.KindTotals, models.KindSnapshot},
		Source: SourceCreditMovements, Aggregate: "coalesce(sum(cr.amount), 0)", Cumulative: true,
	},
	{
		ID: "paid_messages", Section: SectionCampaignCost, Title: "Paid messages",
		Description: "Billable messages in the bucket (billing per channel).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID},
		Source: SourceMessages, Aggregate: "count(*)", Conditions: map[string]any{"m.billable": true},
	},
	{
		ID: "billing_cost", Section: SectionCampaignCost, Title: "Billing cost",
		Description: "Cost of the billable messages in the bucket (billing per channel).",
		Unit:        "currencyUSD", Value: ValueSum, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID},
		Source: SourceMessages, Aggregate: "coalesce(sum(m.billing_cost), 0)", Conditions: map[string]any{"m.billable": true},
	},
	{
		ID: "credit_usage", Section: SectionCampaignCost, Title: "Credit usage",
		Description: "Cost of the template messages sent in the bucket, per template category (marketing, utility, authentication, other).",
		Unit:        "currencyUSD", Value: ValueSum, Kinds: allKinds, Dimensions: []string{DimCategory.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceTemplateSends, Aggregate: "coalesce(sum(ts.cost), 0)",
	},
	{
		ID: "ai_assist_usage", Section: SectionCampaignCost, Title: "AI assist usage",
		Description: "Uses of an AI writing tool (AI writer, doc reply) by agents in the bucket; per inbox, the inbox of the conversation it was used in (uses outside a conversation count under (none)).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimTool.ID, DimAgent.ID, DimInbox.ID},
		Source: SourceAIAssists, Aggregate: "count(*)",
	},
	{
		ID: "ai_assist_accuracy", Section: SectionCampaignCost, Title: "AI assist accuracy",
		Description: "1 - edit distance(suggested, sent) / the longer text's length, averaged over the AI writing-tool uses in the bucket whose reply was sent, leaving out uses where translation was applied; null without any. Per inbox, the inbox of the conversation the tool was used in.",
		Unit:        "percentunit", Value: ValueAverage, Kinds: allKinds, Dimensions: []string{DimTool.ID, DimAgent.ID, DimInbox.ID},
		// accuracy is stored with each use (migration 0002), so this is a plain average.
		Source: SourceAIAssists, Aggregate: "avg(ai.accuracy)", Present: []string{"ai.accuracy"},
	},
	{
		ID: "markers", Section: SectionCampaignCost, Title: "Markers",
		Description: "Conversations marked in the bucket, per marker (tag).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimMarker.ID},
		Source: SourceMarkers, Aggregate: "count(DISTINCT cm.conversation_id)",
	},
	{
		ID: "web_pages", Section: SectionCampaignCost, Title: "Web page visits",
		Description: "Pages visited by contacts in the bucket; rank by page for the most visited.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPage.ID, DimPlatform.ID},
		Source: SourcePageVisits, Aggregate: "count(*)",
	},
}

var snapshot = []models.QueryKind{models.KindSnapshot}

// liveState is evaluated at the end of the time range (normally now).
var liveState = []Metric{
	{
		ID: "active_sessions", Section: SectionLive, Title: "Active sessions",
		Description: "Conversations not closed, plus those closed less than 24 hours before the end of the range; by state: unassigned, assigned (an open assignment), resolved (closed within 24 h). Per agent and team, those of the open assignment (the latest, should there be two); sessions without one count under (none). Per inbox, the conversation's.",
		Unit:        "short", Value: ValueSnapshot, Kinds: snapshot,
		Dimensions: []string{DimState.ID, DimPlatform.ID, DimInbox.ID, DimAgent.ID, DimTeam.ID},
		Source:     SourceSessionsAt, Aggregate: "count(*)",
	},
	{
		ID: "active_customers", Section: SectionLive, Title: "Active customers",
		Description: "Contacts with a conversation that is not closed at the end of the range. Per inbox, the inboxes of their open conversations: a contact with open conversations in two inboxes counts under both.",
		Unit:        "short", Value: ValueSnapshot, Kinds: snapshot, Dimensions: []string{DimPlatform.ID, DimInbox.ID},
		Source: SourceSessionsAt, Aggregate: "count(DISTINCT s.contact_id)",
		// Not resolved: its state is unassigned or assigned.
		Conditions: map[string]any{"s.resolved": false},
	},
	{
		ID: "idle_customers", Section: SectionLive, Title: "Idle customers",
		Description: "Contacts who have messaged before the end of the range but have no open conversation then. Per inbox, the inboxes of the contact's conversations started by then: a contact with conversations in two inboxes counts under both.",
		Unit:        "short", Value: ValueSnapshot, Kinds: snapshot, Dimensions: []string{DimPlatform.ID, DimInbox.ID},
		// distinct, because the inbox join gives a contact one row per conversation.
		Source: SourceContactsAt, Aggregate: "count(DISTINCT k.contact_id)", Conditions: map[string]any{"k.open": false},
	},
	{
		ID: "number_of_contacts", Section: SectionLive, Title: "Number of contacts",
		Description: "All contacts with at least one inbound message up to the end of the range, each counted once. Per inbox, the inboxes of the contact's conversations started by then: a contact with conversations in two inboxes counts under both.",
		Unit:        "short", Value: ValueSnapshot, Kinds: snapshot, Dimensions: []string{DimPlatform.ID, DimInbox.ID},
		Source: SourceContactsAt, Aggregate: "count(DISTINCT k.contact_id)",
	},
	{
		ID: "waiting_now", Section: SectionLive, Title: "Waiting now",
		Description: "Assignments handed to a human queue, team or agent that wait to be accepted at the end of the range: created by then, and neither accepted nor ended by then. For alerts while customers still wait.",
		Unit:        "short", Value: ValueSnapshot, Kinds: snapshot, Dimensions: []string{DimTeam.ID, DimInbox.ID, DimPlatform.ID},
		Source: SourceWaitingAt, Aggregate: "count(*)",
	},
	{
		ID: "longest_wait_now", Section: SectionLive, Title: "Longest wait now",
		Description: "The longest time, in seconds, that an assignment waiting now (see waiting_now) has waited at the end of the range; 0 when nobody waits, so that an alert compares a real number. Grouped, only the groups with someone waiting.",
		Unit:        "s", Value: ValueSnapshot, Kinds: snapshot, Dimensions: []string{DimTeam.ID, DimInbox.ID, DimPlatform.ID},
		Source: SourceWaitingAt, Aggregate: "max(w.waited_seconds)",
	},
}

// AssignmentOpen holds when message m's conversation had an open assignment at m's time.
const (
	AssignmentOpen = "EXISTS (SELECT 1 FROM assignments oa WHERE oa.workspace_id = m.workspace_id AND oa.conversation_id = m.conversation_id" +
		" AND oa.created_at <= m.created_at AND (oa.ended_at IS NULL OR oa.ended_at > m.created_at))"
)

var contactCenter = []Metric{
	{
		ID: "transferred_conversations", Section: SectionContactCenter, Title: "Conversations transferred to a human",
		Description: "Conversations started in the bucket that were handed to a human queue, team or agent at least once.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimTask.ID, DimFlow.ID},
		Source: SourceConversations, Aggregate: "count(*)", Where: HandedOff,
	},
	{
		ID: "no_operator_response", Section: SectionContactCenter, Title: "No operator response",
		Description: "Conversations started in the bucket that were transferred to a human but got no agent message.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimTask.ID, DimFlow.ID},
		Source: SourceConversations, Aggregate: "count(*)", Where: HandedOff + " AND " + NoAgentMessage,
	},
	{
		ID: "cc_messages", Section: SectionContactCenter, Title: "Contact-center messages",
		Description: "Messages sent or received in the bucket while their conversation had an open assignment.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimSender.ID},
		Source: SourceMessages, Aggregate: "count(*)", Where: AssignmentOpen,
	},
	{
		ID: "cc_conversations", Section: SectionContactCenter, Title: "Contact-center conversations",
		Description: "Assignments created in the bucket, transfers included, all roles: a count of hand-offs, not of users (per agent or team: times assigned).",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: append([]string{DimClosing.ID}, assignmentDimensions...),
		Source: SourceAssignments, Aggregate: "count(*)",
	},
	{
		ID: "handled_conversations", Section: SectionContactCenter, Title: "Handled conversations",
		Description: "Assignments created in the bucket that an agent accepted.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: assignmentDimensions,
		Source: SourceAssignments, Aggregate: "count(*)", Present: []string{"a.accepted_at"},
	},
	{
		ID: "missed_conversations", Section: SectionContactCenter, Title: "Missed conversations",
		Description: "Assignments created in the bucket that ended without being accepted.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimTeam.ID, DimRole.ID, DimPlatform.ID, DimInbox.ID},
		Source: SourceAssignments, Aggregate: "count(*)",
		Conditions: map[string]any{"a.accepted_at": nil}, Present: []string{"a.ended_at"},
	},
	{
		ID: "connection_hours", Section: SectionContactCenter, Title: "Connection hours",
		Description: "Hours agents were logged in, their presence intervals clipped to the bucket; an interval still open counts up to the end of the range.",
		Unit:        "h", Value: ValueSum, Kinds: allKinds, Dimensions: []string{DimAgent.ID},
		Source: SourcePresence, Aggregate: "sum(ph.hours)",
	},
	{
		ID: "agent_messages", Section: SectionContactCenter, Title: "Agent messages",
		Description: "Messages sent by agents in the bucket; per team, the sending agent's team (as the agent's record has it now), per inbox the inbox of the message's conversation.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: []string{DimAgent.ID, DimPlatform.ID, DimTeam.ID, DimInbox.ID},
		Source: SourceMessages, Aggregate: "count(*)", Conditions: map[string]any{"m.sender": "agent"},
	},
	{
		ID: "service_level", Section: SectionContactCenter, Title: "Service level",
		Description: "Share of the assignments created in the bucket whose first agent reply came within the query's target (targetSeconds, default 60), out of those replied plus those missed; null without either.",
		Unit:        "percentunit", Value: ValueRatio, Kinds: allKinds, Dimensions: assignmentDimensions,
		Source: SourceAssignments,
		Aggregate: "count(*) FILTER (WHERE a.first_reply_at <= a.created_at + make_interval(secs => ?))::float8" +
			" / nullif(count(*) FILTER (WHERE a.first_reply_at IS NOT NULL OR a.outcome = ?), 0)",
		AggregateArgs: []any{ParamTargetSeconds, "missed"},
	},
	{
		ID: "unique_users_served", Section: SectionContactCenter, Title: "Unique users served",
		Description: "Distinct contacts behind the assignments created in the bucket.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: assignmentDimensions,
		Source: SourceAssignments, Aggregate: "count(DISTINCT a.contact_id)",
	},
	{
		ID: "closing_reasons", Section: SectionContactCenter, Title: "Closing reasons",
		Description: "Ended assignments created in the bucket, per closing reason.",
		Unit:        "short", Value: ValueCount, Kinds: allKinds, Dimensions: append([]string{DimClosing.ID}, assignmentDimensions...),
		Source: SourceAssignments, Aggregate: "count(*)", Present: []string{"a.ended_at"},
	},
	{
		ID: "conversation_minutes", Section: SectionContactCenter, Title: "Conversation minutes",
		Description: "Sum of end minus accepted time of the handled assignments created in the bucket, in minutes (per agent: talk time).",
		Unit:        "m", Value: ValueSum, Kinds: allKinds, Dimensions: assignmentDimensions,
		Source: SourceAssignments, Aggregate: "sum(extract(epoch FROM a.ended_at - a.accepted_at)) / 60",
		Present: []string{"a.accepted_at", "a.ended_at"},
	},
}

// expensePer is the AI expense in the bucket divided by another count of it
// (chats, contacts obtained, successes): null when that count is 0.
func expensePer(per, divisor, what string) Metric {
	return Metric{
		ID: "expense_per_" + per, Section: SectionCampaignCost, Title: "Expense per " + per,
		Description: "AI expense in the bucket divided by " + what + " in it; null when there are none. Per task, both count the conversations of that task.",
		Unit:        "currencyUSD", Value: ValueRatio, Kinds: allKinds, Dimensions: []string{DimPlatform.ID, DimInbox.ID, DimTask.ID},
		Quotient: &Quotient{Dividend: "ai_expense", Divisor: divisor},
	}
}

// duration is one duration that durations offers four ways.
type duration struct {
	id, title, definition string
	// interval is the SQL interval measured over source's rows.
	interval   string
	source     Source
	dimensions []string
	present    []string
}

// durations makes the average, median, 90th percentile and maximum of one
// duration in seconds: averages alone hide the long waits users complain about.
func durations(d duration) []Metric {
	seconds := "extract(epoch FROM " + d.interval + ")"
	statistics := []struct {
		suffix, title string
		kind          ValueKind
		aggregate     string
	}{
		{"avg", "average", ValueAverage, "avg(" + seconds + ")"},
		{"median", "median", ValueMedian, percentileOf("0.5", seconds)},
		{"p90", "90th percentile", ValueP90, percentileOf("0.9", seconds)},
		{"max", "maximum", ValueMax, "max(" + seconds + ")"},
	}
	metrics := make([]Metric, 0, len(statistics))
	for _, st := range statistics {
		metrics = append(metrics, Metric{
			ID: d.id + "_" + st.suffix, Section: SectionContactCenter, Title: d.title + " (" + st.title + ")",
			Description: strings.ToUpper(st.title[:1]) + st.title[1:] + " of " + d.definition + ", in seconds; empty buckets are null.",
			Unit:        "s", Value: st.kind, Kinds: allKinds, Dimensions: d.dimensions,
			Source: d.source, Aggregate: st.aggregate, Present: d.present,
		})
	}
	return metrics
}

// IDField is the name of the field that carries the ids of a grouping by
// dimension (agent_id for agent).
func IDField(dimension string) string { return dimension + "_id" }

// Lookup finds a metric by id.
func Lookup(id string) (Metric, bool) {
	for _, m := range Metrics {
		if m.ID == id {
			return m, true
		}
	}
	return Metric{}, false
}

// LookupDimension finds a dimension by id.
func LookupDimension(id string) (Dimension, bool) {
	for _, d := range Dimensions {
		if d.ID == id {
			return d, true
		}
	}
	return Dimension{}, false
}
