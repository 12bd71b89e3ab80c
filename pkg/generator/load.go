package generator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// identityTables are the tables whose id is an identity column, in load order.
var identityTables = []string{
	"workspaces", "teams", "agents", "inboxes", "contacts", "tasks", "flows", "markers",
	"conversations", "messages", "assignments", "agent_presence", "flow_triggers",
	"page_visits", "template_sends", "credit_ledger", "ai_assist_uses",
}

// Load generates the data for cfg and loads it with COPY into the migrated
// database behind pool. It refuses, loading nothing, when one of cfg's
// workspace slugs is already there.
//
// Everything happens in one transaction: either every workspace is loaded or
// none. When the user is a superuser the load runs with
// session_replication_role = replica, which skips the foreign-key triggers
// (about four times faster); the data satisfies every
// constraint either way, and other users load with all checks on. Afterwards
// each identity sequence is moved past the largest id, so later inserts that
// take default ids do not collide, and the tables are analyzed.
func Load(ctx context.Context, pool *pgxpool.Pool, cfg Config) (Stats, error) {
	return load(ctx, pool, cfg, nil)
}

func load(ctx context.Context, pool *pgxpool.Pool, cfg Config, report func(Progress)) (Stats, error) {
	began := time.Now()
	stats := Stats{Rows: map[string]int64{}}
	cfg, err := cfg.normalized()
	if err != nil {
		return stats, err
	}
	if pool == nil {
		return stats, errors.New("generator: Load needs a connection pool")
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return stats, fmt.Errorf("generator: starting the load transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()

	slugs := cfg.Slugs()
	var existing []string
	if err := tx.QueryRow(ctx, "SELECT coalesce(array_agg(slug ORDER BY slug), '{}') FROM workspaces WHERE slug = ANY($1)", slugs).Scan(&existing); err != nil {
		return stats, fmt.Errorf("generator: looking for existing workspaces: %w", err)
	}
	if len(existing) > 0 {
		return stats, fmt.Errorf("generator: %w: %s (load into a database without them, or delete them first)", ErrWorkspaceExists, strings.Join(existing, ", "))
	}
	var super bool
	if err := tx.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil {
		return stats, fmt.Errorf("generator: reading the user's role: %w", err)
	}
	if super {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return stats, fmt.Errorf("generator: %w", err)
		}
	}

	// The commit flushed before the VACUUM that follows, whatever the
	// server's setting: VACUUM marks a page all-visible only once its rows'
	// commit is on disk (it cannot set their hint bits before), so after an
	// asynchronous commit it would leave the pages as they were.
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = on"); err != nil {
		return stats, fmt.Errorf("generator: %w", err)
	}

	// Months of the period without their partition would fill the default one.
	if _, err := tx.Exec(ctx, "SELECT ensure_time_partitions($1, $2)", cfg.Start.AddDate(0, 0, -historyDays), cfg.Start.AddDate(0, 0, cfg.Days+1)); err != nil {
		return stats, fmt.Errorf("generator: creating the monthly partitions: %w", err)
	}

	var statistics analyzer
	var progress *tracker
	if report != nil {
		progress = &tracker{report: report, p: Progress{Workspaces: cfg.Workspaces}}
	}
	for num := 1; num <= cfg.Workspaces; num++ {
		w, err := newWorld(cfg, num)
		if err != nil {
			return stats, err
		}
		w.progress = progress
		w.analyzer = &statistics
		if progress != nil {
			progress.p.Workspace = num
		}
		var id int32
		if err := tx.QueryRow(ctx, "INSERT INTO workspaces (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
			w.slug, w.name, ts(w.lo)).Scan(&id); err != nil {
			return stats, fmt.Errorf("generator: creating workspace %s: %w", w.slug, err)
		}
		stats.Rows["workspaces"]++
		if err := w.load(ctx, tx, id, stats.Rows); err != nil {
			return stats, fmt.Errorf("generator: loading workspace %s: %w", w.slug, err)
		}
	}

	for _, table := range identityTables {
		// Never move a sequence backwards: other workspaces may have used it.
		q := fmt.Sprintf(`SELECT setval(s, greatest((SELECT max(id) FROM %[1]s), coalesce(pg_sequence_last_value(s), 0), 1))
			FROM CAST(pg_get_serial_sequence('%[1]s', 'id') AS regclass) AS s`, table)
		if _, err := tx.Exec(ctx, q); err != nil {
			return stats, fmt.Errorf("generator: advancing the %s id sequence: %w", table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return stats, fmt.Errorf("generator: committing the load: %w", err)
	}
	// VACUUM (ANALYZE), as after any bulk load. Fresh statistics: without
	// them the planner takes the just-filled tables for empty and picks
	// nested loops over a million messages until autovacuum gets round to
	// them. And the visibility map: the covering indexes' index-only scans
	// (a page of dialogs' message facts, the conversations a text search
	// finds, idle customers' first inbound messages) fetch every row from
	// the heap until a VACUUM marks the pages all-visible; at scale M, 8,399
	// heap fetches for one page of 1,000 dialogs. Autovacuum would do the
	// same a few minutes later, while the first queries run.
	// The summaries that the messages' triggers fill (migration 3) count as loaded too.
	analyzed := slices.Concat(identityTables, []string{"conversation_markers", "message_slots", "message_hours", "message_days", "message_inbox_slots", "message_inbox_hours", "message_inbox_days", "message_inbox_shifted_hours", "contact_slots", "contact_hours", "contact_days", "message_minutes", "message_minute_peaks", "contact_first_inbound", "first_inbound_slots", "first_inbound_hours", "first_inbound_days",
		"intent_slots", "intent_hours", "intent_days", "intent_total_slots", "intent_total_hours", "intent_total_days", "flow_trigger_slots", "flow_trigger_hours", "flow_trigger_days",
		"conversation_slots", "conversation_hours", "conversation_days", "conversation_inbox_slots", "conversation_inbox_hours", "conversation_inbox_days", "conversation_inbox_shifted_hours", "message_task_slots", "message_task_hours", "message_task_days", "message_sender_slots", "message_sender_hours", "message_sender_days", "conversation_task_slots", "conversation_task_hours", "conversation_task_days", "conversation_inbound",
		"assignment_slots", "assignment_hours", "assignment_days", "assignment_team_slots", "assignment_team_hours", "assignment_team_days", "assignment_agent_slots", "assignment_agent_hours", "assignment_agent_days", "assignment_team_shifted_hours", "response_runs", "response_run_slots", "response_run_hours", "response_run_days",
		"phrase_hours", "phrase_days", "phrase_totals", "phrase_direction_hours", "phrase_direction_days", "agent_message_slots", "agent_message_hours", "agent_message_days",
		"contact_inbound", "active_contact_slots", "active_contact_hours", "active_contact_days",
		"language_contact_slots", "language_contact_hours", "language_contact_days", "cc_message_slots", "cc_message_hours", "cc_message_days",
		"closing_reason_slots", "closing_reason_hours", "closing_reason_days", "template_send_slots", "template_send_hours", "template_send_days",
		"credit_movement_slots", "credit_movement_hours", "credit_movement_days", "page_visit_slots", "page_visit_hours", "page_visit_days"})
	progress.vacuuming()
	if err := vacuumAnalyze(ctx, pool, analyzed); err != nil {
		return stats, err
	}
	stats.Elapsed = time.Since(began)
	return stats, nil
}

// vacuumAnalyze runs VACUUM (ANALYZE) on tables, on a connection whose
// commits are synchronous while it does. VACUUM marks a page all-visible
// only once it can set its rows' hint bits, which it cannot while a later
// asynchronous commit of the same group of transaction ids (the ANALYZE
// steps' own, under synchronous_commit = off) is not yet flushed: the
// first tables would be left to autovacuum.
func vacuumAnalyze(ctx context.Context, pool *pgxpool.Pool, tables []string) error {
	conn, err := pool.Acquire(ctx)
	if err == nil {
		defer conn.Release()
		for _, statement := range []string{"SET synchronous_commit = on", "VACUUM (ANALYZE) " + strings.Join(tables, ", "), "RESET synchronous_commit"} {
			if _, err = conn.Exec(ctx, statement); err != nil {
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("generator: vacuuming and analyzing the loaded tables: %w", err)
	}
	return nil
}

// copyTable streams n rows into table with COPY; fill writes row i into a
// reused value slice as pgx asks for it, so memory does not grow with the table.
func copyTable(ctx context.Context, tx pgx.Tx, rows map[string]int64, progress *tracker, table string, columns []string, n int, fill func(i int, row []any)) error {
	row := make([]any, len(columns))
	progress.copying(table)
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		fill(i, row)
		progress.step()
		if i == n-1 {
			progress.summarising()
		}
		return row, nil
	}))
	progress.resume()
	rows[table] += copied
	if err != nil {
		return fmt.Errorf("copying %s: %w", table, err)
	}
	return nil
}

// spilledTables are the tables whose rows go through spill files, the
// numbered ones first, in the order of the keyed tables in load.
func (w *world) spilledTables(wsID int32) []*spilled {
	index := func(i int) any {
		if i < 0 {
			return nil
		}
		return int64(i + 1)
	}
	return []*spilled{
		{table: "contacts", hasID: true, columns: []string{"workspace_id", "id", "platform", "chat_id", "display_name", "external_id", "created_at"},
			n: func() int { return len(w.contacts) }, at: func(i int) int64 { return w.contacts[i].created },
			fill: func(i int, row []any) {
				c := &w.contacts[i]
				row[0], row[1], row[2], row[3], row[4], row[5], row[6] = wsID, w.contactIDs.id(w.contactBase+int32(i)), platforms[c.platform], c.chatID, text(c.name), text(c.extID), ts(c.created)
			}},
		{table: "conversations", hasID: true, columns: []string{"workspace_id", "id", "contact_id", "inbox_id", "task_id", "start_flow_id",
			"started_at", "closed_at", "last_message_at", "title", "external_id", "metadata", "is_bot",
			"interest_at", "contact_obtained_at", "contact_details", "success_at", "previous_response_id",
			"wh_get_contact", "wh_interest", "wh_success", "cost", "created_at", "modified_at"},
			n: func() int { return len(w.convs) }, at: func(i int) int64 { return w.convs[i].started },
			fill: func(i int, row []any) {
				c := &w.convs[i]
				task, flow := any(nil), any(nil)
				if c.task >= 0 {
					task = int64(c.task + 1)
				}
				if c.flow >= 0 {
					flow = int64(c.flow + 1)
				}
				row[0], row[1], row[2], row[3], row[4], row[5] = wsID, w.convIDs.id(int32(i)), w.contactIDs.id(c.contact), int64(c.inbox+1), task, flow
				row[6], row[7], row[8], row[9], row[10], row[11], row[12] = ts(c.started), ts(c.closed), ts(c.lastMsg), text(c.title), text(c.extID), c.metadata, c.isBot
				row[13], row[14], row[15], row[16], row[17] = ts(c.interest), ts(c.obtained), text(c.details), ts(c.success), text(c.prevResp)
				row[18], row[19], row[20], row[21], row[22], row[23] = text(c.whGet), text(c.whInt), text(c.whSucc), micros(c.cost), ts(c.started), ts(c.modified)
			}},
		{table: "messages", hasID: true, columns: []string{"workspace_id", "id", "conversation_id", "contact_id", "direction", "sender", "agent_id",
			"created_at", "body", "intent", "language", "ai_cost", "billable", "billing_cost"},
			n: func() int { return len(w.msgs) }, at: func(i int) int64 { return w.msgs[i].at },
			fill: func(i int, row []any) {
				m := &w.msgs[i]
				direction, intent, lang, agent := "outbound", any(nil), any(nil), any(nil)
				if m.sender == fromContact {
					direction = "inbound"
				}
				if m.intent >= 0 {
					intent = allIntents[m.intent].name
				}
				if m.lang >= 0 {
					lang = languages[m.lang]
				}
				if m.agent >= 0 {
					agent = int64(m.agent) + 1
				}
				row[0], row[1], row[2], row[3], row[4], row[5], row[6] = wsID, w.msgIDs.id(int32(i)), w.convIDs.id(m.conv), w.contactIDs.id(w.convs[m.conv].contact), direction, senderNames[m.sender], agent
				row[7], row[8], row[9], row[10], row[11], row[12], row[13] = ts(m.at), w.texts[m.body], intent, lang, micros(int64(m.aiCost)), m.billable, micros(int64(m.bill))
			}},
		{table: "assignments", hasID: true, columns: []string{"workspace_id", "id", "conversation_id", "contact_id", "transferred_from", "agent_id",
			"team_id", "role", "created_at", "accepted_at", "first_reply_at", "ended_at", "outcome", "closing_reason"},
			n: func() int { return len(w.assigns) }, at: func(i int) int64 { return w.assigns[i].created },
			fill: func(i int, row []any) {
				a := &w.assigns[i]
				row[0], row[1], row[2], row[3], row[4] = wsID, w.assignmentIDs.id(int32(i)), w.convIDs.id(a.conv), w.contactIDs.id(a.contact), w.assignmentIDs.ref(a.from)
				row[5], row[6], row[7], row[8], row[9] = index(a.agent), index(a.team), text(a.role), ts(a.created), ts(a.accepted)
				row[10], row[11], row[12], row[13] = ts(a.reply), ts(a.ended), text(a.outcome), text(a.reason)
			}},
		{table: "flow_triggers", hasID: true, columns: []string{"workspace_id", "id", "flow_id", "conversation_id", "triggered_at"},
			n: func() int { return len(w.triggers) }, at: func(i int) int64 { return w.triggers[i].at },
			fill: func(i int, row []any) {
				t := &w.triggers[i]
				row[0], row[1], row[2], row[3], row[4] = wsID, int64(0), int64(t.flow+1), w.convIDs.ref(t.conv), ts(t.at)
			}},
		{table: "conversation_markers", columns: []string{"workspace_id", "conversation_id", "marker_id", "marked_at"},
			n: func() int { return len(w.marks) }, at: func(i int) int64 { return w.marks[i].at },
			fill: func(i int, row []any) {
				m := &w.marks[i]
				row[0], row[1], row[2], row[3] = wsID, w.convIDs.id(m.conv), int64(m.marker+1), ts(m.at)
			}},
		{table: "page_visits", hasID: true, columns: []string{"workspace_id", "id", "contact_id", "conversation_id", "url", "title", "visited_at"},
			n: func() int { return len(w.visits) }, at: func(i int) int64 { return w.visits[i].at },
			fill: func(i int, row []any) {
				v := &w.visits[i]
				p := sitePages[v.page]
				row[0], row[1], row[2], row[3] = wsID, int64(0), w.contactIDs.id(v.contact), w.convIDs.ref(v.conv)
				row[4], row[5], row[6] = "https://"+w.slug+".shop.example"+p.path, p.title, ts(v.at)
			}},
		{table: "template_sends", hasID: true, columns: []string{"workspace_id", "id", "message_id", "inbox_id", "contact_id", "template", "category", "sent_at", "cost"},
			n: func() int { return len(w.sends) }, at: func(i int) int64 { return w.sends[i].at },
			fill: func(i int, row []any) {
				s := &w.sends[i]
				row[0], row[1], row[2], row[3], row[4] = wsID, int64(0), w.msgIDs.ref(s.msg), int64(s.inbox+1), w.contactIDs.id(s.contact)
				row[5], row[6], row[7], row[8] = s.template, templateCategories[s.category], ts(s.at), micros(s.cost)
			}},
		{table: "ai_assist_uses", hasID: true, columns: []string{"workspace_id", "id", "agent_id", "conversation_id", "tool", "used_at", "suggested_text", "sent_text", "translation_applied"},
			n: func() int { return len(w.aiUses) }, at: func(i int) int64 { return w.aiUses[i].at },
			fill: func(i int, row []any) {
				u := &w.aiUses[i]
				var sent any
				if u.hasSent {
					sent = u.sent
				}
				row[0], row[1], row[2], row[3], row[4] = wsID, int64(0), int64(u.agent+1), w.convIDs.ref(u.conv), u.tool
				row[5], row[6], row[7], row[8] = ts(u.at), u.suggested, sent, u.translated
			}},
	}
}

// copyAll loads the workspace's tables in foreign-key order: the small ones
// from memory, the others from the merge of their spill files.
func (w *world) copyAll(ctx context.Context, tx pgx.Tx, wsID int32, rows map[string]int64, spilled map[string]*spilled) error {
	index := func(i int) any {
		if i < 0 {
			return nil
		}
		return int64(i + 1)
	}
	steps := []struct {
		table   string
		columns []string
		n       int
		fill    func(i int, row []any)
	}{
		{"teams", []string{"workspace_id", "id", "name"}, len(teamSpecs), func(i int, row []any) {
			row[0], row[1], row[2] = wsID, int64(i+1), teamSpecs[i].name
		}},
		{"agents", []string{"workspace_id", "id", "name", "email", "role", "team_id"}, len(w.agents), func(i int, row []any) {
			a := &w.agents[i]
			row[0], row[1], row[2], row[3], row[4], row[5] = wsID, int64(i+1), a.name, text(a.email), a.role, index(a.team)
		}},
		{"inboxes", []string{"workspace_id", "id", "name", "platform", "external_id", "created_at"}, len(inboxSpecs), func(i int, row []any) {
			s := inboxSpecs[i]
			ext := s.external
			if strings.Contains(ext, "%s") {
				ext = fmt.Sprintf(ext, strings.ReplaceAll(w.slug, "-", "_"))
			}
			row[0], row[1], row[2], row[3], row[4], row[5] = wsID, int64(i+1), s.name, s.platform, text(ext), ts(w.lo)
		}},
		{"contacts", nil, 0, nil},
		{"tasks", []string{"workspace_id", "id", "name", "kind", "created_at"}, len(w.tasks), func(i int, row []any) {
			t := &w.tasks[i]
			row[0], row[1], row[2], row[3], row[4] = wsID, int64(i+1), t.name, t.kind, ts(t.created)
		}},
		{"flows", []string{"workspace_id", "id", "name"}, len(flowNames), func(i int, row []any) {
			row[0], row[1], row[2] = wsID, int64(i+1), flowNames[i]
		}},
		{"markers", []string{"workspace_id", "id", "name"}, len(markerNames), func(i int, row []any) {
			row[0], row[1], row[2] = wsID, int64(i+1), markerNames[i]
		}},
		{"conversations", nil, 0, nil},
		{"messages", nil, 0, nil},
		{"assignments", nil, 0, nil},
		{"agent_presence", []string{"workspace_id", "id", "agent_id", "started_at", "ended_at"}, len(w.presence), func(i int, row []any) {
			p := &w.presence[i]
			row[0], row[1], row[2], row[3], row[4] = wsID, int64(i+1), int64(p.agent+1), ts(p.from), ts(p.to)
		}},
		{"flow_triggers", nil, 0, nil},
		{"conversation_markers", nil, 0, nil},
		{"page_visits", nil, 0, nil},
		{"template_sends", nil, 0, nil},
		{"credit_ledger", []string{"workspace_id", "id", "occurred_at", "kind", "amount", "note"}, len(w.ledger), func(i int, row []any) {
			l := &w.ledger[i]
			row[0], row[1], row[2], row[3], row[4], row[5] = wsID, int64(i+1), ts(l.at), l.kind, micros(l.amount), text(l.note)
		}},
		{"ai_assist_uses", nil, 0, nil},
	}

	total := int64(0)
	for _, s := range steps {
		total += int64(s.n)
		if t := spilled[s.table]; t != nil {
			total += t.file.records()
		}
	}
	w.progress.start(PhaseLoading, total)
	for _, s := range steps {
		// A table's triggers read what the tables before it wrote.
		if err := w.analyzer.analyzeWritten(ctx, tx, w.progress, s.table); err != nil {
			return err
		}
		if beforeCopy != nil {
			if err := beforeCopy(ctx, tx, s.table); err != nil {
				return err
			}
		}
		if t := spilled[s.table]; t != nil {
			if err := copyMerged(ctx, tx, rows, w.progress, t); err != nil {
				return err
			}
			continue
		}
		if err := copyTable(ctx, tx, rows, w.progress, s.table, s.columns, s.n, s.fill); err != nil {
			return err
		}
	}
	return nil
}

// beforeCopy, when set (by tests), runs in the load's transaction before
// each table is copied.
var beforeCopy func(ctx context.Context, tx pgx.Tx, table string) error

// analyzer refreshes, inside the load's transaction, the statistics of every
// table the transaction has written since it last analyzed them (the rows
// copied and those the summaries' triggers wrote), before the next table
// with triggers is copied. The triggers plan their statements against those
// statistics: without them they plan for the tables as they were before the
// load, empty or much smaller, and pick nested loops over the whole
// transition table (the messages of the default demo size took 10 to 40 s
// instead of under one, see docs/performance.md). A store that held data
// before is worse: an automatic ANALYZE that runs while the load is under
// way does not count the load's rows, not yet committed, and records the
// tables' pages as empty ones; the assignments' triggers then took minutes
// per thousand rows. An ANALYZE in the transaction counts its own rows.
type analyzer struct {
	// changes are the rows inserted, updated or deleted in each table
	// (pg_stat_xact_user_tables) when it was last analyzed.
	changes map[uint32]int64
}

// analyzeWritten analyzes the tables written since the last call, before
// next is copied, when next has triggers (progress reports the wait). A
// partition's whole partitioned table is analyzed (which takes its
// partitions too): the planner estimates joins with the parent from the
// parent's statistics.
func (a *analyzer) analyzeWritten(ctx context.Context, tx pgx.Tx, progress *tracker, next string) error {
	// A table without triggers of its own plans nothing against the others'
	// statistics (a foreign key's check finds one row by the key's index
	// whatever they say): its turn is left to the next table that has some,
	// and to the ANALYZE after the load.
	var triggered bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal)",
		next).Scan(&triggered); err != nil {
		return fmt.Errorf("reading the triggers of %s: %w", next, err)
	}
	if !triggered {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT t.relid::oid::int8, t.n_tup_ins + t.n_tup_upd + t.n_tup_del,
			format('%I.%I', n.nspname, c.relname)
		FROM pg_stat_xact_user_tables t
		JOIN pg_class c ON c.oid = coalesce(pg_partition_root(t.relid), t.relid)
		JOIN pg_namespace n ON n.oid = c.relnamespace`)
	if err != nil {
		return fmt.Errorf("finding the tables written so far: %w", err)
	}
	written := map[uint32]int64{}
	var tables []string
	for rows.Next() {
		var relid, changes int64
		var table string
		if err := rows.Scan(&relid, &changes, &table); err != nil {
			rows.Close()
			return fmt.Errorf("finding the tables written so far: %w", err)
		}
		if changes > a.changes[uint32(relid)] {
			written[uint32(relid)] = changes
			if !slices.Contains(tables, table) {
				tables = append(tables, table)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("finding the tables written so far: %w", err)
	}
	if len(tables) == 0 {
		return nil
	}
	progress.analyzing(next)
	defer progress.resume()
	if _, err := tx.Exec(ctx, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("analyzing the tables written so far: %w", err)
	}
	if a.changes == nil {
		a.changes = map[uint32]int64{}
	}
	maps.Copy(a.changes, written)
	return nil
}

// ts is a timestamptz value: NULL for 0 and for never.
func ts(ms int64) any {
	if ms == 0 || ms == never {
		return nil
	}
	return time.UnixMilli(ms).UTC()
}

// text is a text value: NULL for "".
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// micros is an amount in millionths, the scale of the schema's numeric(14, 6).
type micros int64

var zeroNumeric = pgtype.Numeric{Int: big.NewInt(0), Valid: true}

// NumericValue encodes the amount exactly, without going through a float.
func (m micros) NumericValue() (pgtype.Numeric, error) {
	if m == 0 {
		return zeroNumeric, nil
	}
	return pgtype.Numeric{Int: big.NewInt(int64(m)), Exp: -6, Valid: true}, nil
}
