package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// handWritten is the SQL a Grafana user would write for a panel of the
// metric with Grafana's own PostgreSQL data source, over the raw tables:
// Series for a time series, Total for totals and rankings, Records for a
// table. $workspace is a dashboard constant (the workspace's id), $search a
// text box. Grafana's macros are expanded by expandMacros. The queries follow
// docs/metrics.md as closely as plain SQL does without the plugin's calendar
// buckets: $__timeGroup is UTC epoch arithmetic.
var handWritten = map[string]struct{ Series, Total, Records string }{
	"active_users": {
		Series: `SELECT $__timeGroupAlias(m.created_at, $__interval), c.platform AS metric, count(DISTINCT m.contact_id) AS value
FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
WHERE m.workspace_id = $workspace AND m.direction = 'inbound' AND $__timeFilter(m.created_at)
GROUP BY 1, 2 ORDER BY 1`,
		Total: `SELECT count(DISTINCT contact_id) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND $__timeFilter(created_at)`,
	},
	"messages_received": {
		Series: `SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND $__timeFilter(created_at)
GROUP BY 1 ORDER BY 1`,
		Total: `SELECT count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND $__timeFilter(created_at)`,
	},
	"messages_sent": {
		Series: `SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'outbound' AND $__timeFilter(created_at)
GROUP BY 1 ORDER BY 1`,
		Total: `SELECT sender, count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'outbound' AND $__timeFilter(created_at)
GROUP BY 1 ORDER BY 2 DESC`,
	},
	"total_messages": {
		Total: `SELECT count(*) AS value FROM messages WHERE workspace_id = $workspace AND $__timeFilter(created_at)`,
	},
	"new_users": {
		Series: `SELECT $__timeGroupAlias(f.first_at, $__interval), f.platform AS metric, count(*) AS value
FROM (SELECT m.contact_id, c.platform, min(m.created_at) AS first_at
      FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
      WHERE m.workspace_id = $workspace AND m.direction = 'inbound' GROUP BY 1, 2) f
WHERE $__timeFilter(f.first_at) GROUP BY 1, 2 ORDER BY 1`,
		Total: `SELECT count(*) AS value FROM (SELECT contact_id, min(created_at) AS first_at FROM messages
      WHERE workspace_id = $workspace AND direction = 'inbound' GROUP BY 1) f
WHERE $__timeFilter(f.first_at)`,
	},
	"total_users": {
		Total: `SELECT count(DISTINCT contact_id) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND created_at < $__timeTo()`,
	},
	"returning_users": {
		Series: `SELECT $__timeGroupAlias(m.created_at, $__interval), c.platform AS metric,
       count(DISTINCT m.contact_id) FILTER (WHERE f.first_at < to_timestamp($__timeGroup(m.created_at, $__interval))) AS value
FROM messages m
JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
JOIN (SELECT contact_id, min(created_at) AS first_at FROM messages
      WHERE workspace_id = $workspace AND direction = 'inbound' GROUP BY 1) f ON f.contact_id = m.contact_id
WHERE m.workspace_id = $workspace AND m.direction = 'inbound' AND $__timeFilter(m.created_at)
GROUP BY 1, 2 ORDER BY 1`,
		Total: `SELECT count(DISTINCT m.contact_id) AS value FROM messages m
WHERE m.workspace_id = $workspace AND m.direction = 'inbound' AND $__timeFilter(m.created_at)
  AND EXISTS (SELECT 1 FROM messages p WHERE p.workspace_id = m.workspace_id AND p.contact_id = m.contact_id
              AND p.direction = 'inbound' AND p.created_at < $__timeFrom())`,
	},
	"conversations": {
		Series: `SELECT $__timeGroupAlias(started_at, $__interval), count(*) AS value FROM conversations
WHERE workspace_id = $workspace AND $__timeFilter(started_at) GROUP BY 1 ORDER BY 1`,
		Total: `SELECT count(*) AS value FROM conversations WHERE workspace_id = $workspace AND $__timeFilter(started_at)`,
	},
	"handled_conversations": {
		Series: `SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS value FROM assignments
WHERE workspace_id = $workspace AND accepted_at IS NOT NULL AND $__timeFilter(created_at) GROUP BY 1 ORDER BY 1`,
		Total: `SELECT g.name AS agent, count(*) AS value FROM assignments a JOIN agents g ON g.workspace_id = a.workspace_id AND g.id = a.agent_id
WHERE a.workspace_id = $workspace AND a.accepted_at IS NOT NULL AND $__timeFilter(a.created_at) GROUP BY 1 ORDER BY 2 DESC`,
	},
	"missed_conversations": {
		Series: `SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS value FROM assignments
WHERE workspace_id = $workspace AND accepted_at IS NULL AND ended_at IS NOT NULL AND $__timeFilter(created_at) GROUP BY 1 ORDER BY 1`,
		Total: `SELECT count(*) AS value FROM assignments
WHERE workspace_id = $workspace AND accepted_at IS NULL AND ended_at IS NOT NULL AND $__timeFilter(created_at)`,
	},
	"service_level": {
		Series: `SELECT $__timeGroupAlias(a.created_at, $__interval), t.name AS metric,
       count(*) FILTER (WHERE a.first_reply_at <= a.created_at + interval '60 seconds')::float8
       / nullif(count(*) FILTER (WHERE a.first_reply_at IS NOT NULL OR (a.accepted_at IS NULL AND a.ended_at IS NOT NULL)), 0) AS value
FROM assignments a JOIN teams t ON t.workspace_id = a.workspace_id AND t.id = a.team_id
WHERE a.workspace_id = $workspace AND $__timeFilter(a.created_at) GROUP BY 1, 2 ORDER BY 1`,
	},
	"wait_time_avg": {
		Total: `SELECT avg(extract(epoch FROM first_reply_at - created_at)) AS value FROM assignments
WHERE workspace_id = $workspace AND first_reply_at IS NOT NULL AND $__timeFilter(created_at)`,
	},
	"operator_response_time_p90": {
		Total: `SELECT g.name AS agent, percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.created_at - r.prev_at)) AS value
FROM (SELECT agent_id, sender, created_at,
             lag(created_at) OVER w AS prev_at, lag(sender) OVER w AS prev_sender
      FROM messages WHERE workspace_id = $workspace AND $__timeFilter(created_at)
      WINDOW w AS (PARTITION BY conversation_id ORDER BY created_at)) r
JOIN agents g ON g.workspace_id = $workspace AND g.id = r.agent_id
WHERE r.sender = 'agent' AND r.prev_sender = 'contact'
GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
	},
	"expense_per_dialogue": {
		Series: `WITH e AS (SELECT $__timeGroup(m.created_at, $__interval) AS t, v.inbox_id, sum(m.ai_cost) AS x
           FROM messages m JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id
           WHERE m.workspace_id = $workspace AND $__timeFilter(m.created_at) GROUP BY 1, 2),
     d AS (SELECT $__timeGroup(started_at, $__interval) AS t, inbox_id, count(*) AS n FROM conversations
           WHERE workspace_id = $workspace AND $__timeFilter(started_at) GROUP BY 1, 2)
SELECT d.t AS "time", i.name AS metric, coalesce(e.x, 0) / d.n AS value
FROM d LEFT JOIN e USING (t, inbox_id) JOIN inboxes i ON i.workspace_id = $workspace AND i.id = d.inbox_id ORDER BY 1`,
		Total: `SELECT (SELECT sum(ai_cost) FROM messages WHERE workspace_id = $workspace AND $__timeFilter(created_at))
     / nullif((SELECT count(*) FROM conversations WHERE workspace_id = $workspace AND $__timeFilter(started_at)), 0) AS value`,
	},
	"client_phrases": {
		Total: `SELECT lower(trim(trailing '.!?' FROM body)) AS phrase, count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND $__timeFilter(created_at)
GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
	},
	"top_intents": {
		Total: `SELECT intent, count(*) AS value FROM messages
WHERE workspace_id = $workspace AND direction = 'inbound' AND intent IS NOT NULL AND $__timeFilter(created_at)
GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
	},
	"dialogs": {
		Records: `SELECT c.id, c.started_at, c.title, (SELECT count(*) FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id) AS messages
FROM conversations c
WHERE c.workspace_id = $workspace AND $__timeFilter(c.started_at)
  AND EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = c.workspace_id AND m.conversation_id = c.id AND m.body ILIKE '%$search%')
ORDER BY c.started_at DESC LIMIT 1000`,
	},
}

// handSQL is the hand-written SQL for a query of kind on metric, with the
// macros and variables expanded, or "" when there is none.
func handSQL(metric, kind string, from, to time.Time, interval time.Duration, workspace int32, search string) string {
	forms, ok := handWritten[metric]
	if !ok {
		return ""
	}
	var sql string
	switch kind {
	case "timeseries", "":
		sql = forms.Series
	case "totals", "ranking":
		sql = forms.Total
	case "records":
		sql = forms.Records
	}
	if sql == "" {
		return ""
	}
	return expandHand(sql, from, to, interval, workspace, search)
}

// expandHand expands a hand-written statement's variables ($workspace,
// $search) and Grafana's macros.
func expandHand(sql string, from, to time.Time, interval time.Duration, workspace int32, search string) string {
	sql = strings.ReplaceAll(sql, "$workspace", strconv.Itoa(int(workspace)))
	sql = strings.ReplaceAll(sql, "$search", strings.ReplaceAll(search, "'", "''"))
	return expandMacros(sql, from, to, interval)
}

var macro = regexp.MustCompile(`\$__(timeGroupAlias|timeGroup|timeFilter|timeFrom|timeTo)\(([^()]*)\)`)

// expandMacros expands Grafana's PostgreSQL macros as Grafana does
// (pkg/tsdb/grafana-postgresql-datasource/macros.go): $__timeFilter(c) is
// c BETWEEN two RFC 3339 literals, $__timeGroup(c, $__interval) is epoch
// arithmetic in UTC, floor(extract(epoch from c)/86400)*86400 for a day, and
// $__timeGroupAlias adds AS "time".
func expandMacros(sql string, from, to time.Time, interval time.Duration) string {
	literal := func(t time.Time) string { return "'" + t.UTC().Format(time.RFC3339Nano) + "'" }
	seconds := strconv.FormatFloat(interval.Seconds(), 'f', -1, 64)
	return macro.ReplaceAllStringFunc(sql, func(m string) string {
		parts := macro.FindStringSubmatch(m)
		args := strings.Split(parts[2], ",")
		column := strings.TrimSpace(args[0])
		switch parts[1] {
		case "timeFilter":
			return fmt.Sprintf("%s BETWEEN %s AND %s", column, literal(from), literal(to))
		case "timeFrom":
			return literal(from)
		case "timeTo":
			return literal(to)
		case "timeGroup":
			return fmt.Sprintf("floor(extract(epoch from %s)/%s)*%s", column, seconds, seconds)
		default: // timeGroupAlias
			return fmt.Sprintf(`floor(extract(epoch from %s)/%s)*%s AS "time"`, column, seconds, seconds)
		}
	})
}
