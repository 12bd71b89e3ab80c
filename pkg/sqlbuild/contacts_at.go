package sqlbuild

import (
	"reflect"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// The contacts at an instant (catalog.SourceContactsAt: number_of_contacts,
// idle_customers) from the summaries, where their grouping and filters allow.
//
// A contact has sent an inbound message before an instant exactly when its
// first inbound message (contact_first_inbound) is before it, so the number
// of contacts is the running total of new contacts up to the instant: the
// cumulative summary that answers total_users, a few thousand level rows
// instead of every contact and a probe of its messages. The idle customers
// are those contacts less the ones among them with a conversation open at
// the instant: the open conversations are few, and each of their contacts
// is one probe of contact_first_inbound's key.
//
// Both keep the contact's platform (the summary copies it, and a contact's
// platform never changes), so they group and filter by it. Per inbox the
// metrics count the inboxes of all of the contact's conversations started by
// then, which no summary keeps: such queries take the contacts from
// contact_first_inbound (a contact has written before the instant when its
// first inbound message is before it), where the raw rows probe each one's
// messages, and their inboxes from one pass over the conversations started
// by then. Anything else contactsAt does not recognise reads the raw rows.

// contactsAtAggregate is the aggregate of the metrics contactsAt answers.
const contactsAtAggregate = "count(DISTINCT k.contact_id)"

// contactsAt is the statement of a snapshot of plan from the summaries, and
// the comment naming them; ok is false when it cannot answer exactly.
func contactsAt(plan catalog.Plan, sc scope) (b sq.SelectBuilder, comment string, ok bool, err error) {
	metric := plan.Metric
	if sc.raw || metric.Source != catalog.SourceContactsAt || metric.Aggregate != contactsAtAggregate ||
		metric.Quotient != nil || metric.Where != "" || len(metric.Present) > 0 || len(metric.AggregateArgs) > 0 || metric.Cumulative {
		return b, "", false, nil
	}
	// Only "open = false" (idle) or no condition at all (every contact).
	idle := false
	for column, value := range metric.Conditions {
		if column != "k.open" || !reflect.DeepEqual(value, false) {
			return b, "", false, nil
		}
		idle = true
	}
	byInbox := false
	for _, dim := range append([]string{plan.GroupBy}, filterDimensions(plan)...) {
		switch dim {
		case "", catalog.DimPlatform.ID:
		case catalog.DimInbox.ID:
			byInbox = true
		default:
			return b, "", false, nil
		}
	}
	if byInbox {
		// Per inbox the conversations are read, but the contacts are
		// those of contact_first_inbound (one row each), not every
		// contact with a probe of its messages.
		fromFirst := metric
		fromFirst.Source = contactsAtFromFirstInbound
		if b, err = aggregated(plan, fromFirst, sc, false); err != nil {
			return b, "", false, err
		}
		return b, "/* summary: contact_first_inbound */", true, nil
	}
	at := sc.to()
	// The contacts ever, up to the instant: the running total of the first
	// inbound messages, one bucket that ends at the instant (from the
	// beginning of the store, as a cumulative metric reads its base).
	ever := metric
	ever.Source, ever.Aggregate, ever.AggregateArgs, ever.Conditions, ever.Cumulative =
		catalog.SourceFirstInbound, "count(*)", nil, nil, true
	instant := scope{workspace: sc.workspace, boundaries: []time.Time{at, at}, pieces: sc.pieces}
	r, ok := choose(plan, ever, instant)
	if !ok {
		return b, "", false, nil
	}
	if b, err = aggregated(plan, ever, instant, false); err != nil {
		return b, "", false, err
	}
	tables := r.tables
	if idle {
		b = lessOpenContacts(plan, b, sc.workspace, at)
		tables = append(append([]string{}, tables...), "contact_first_inbound")
	}
	return b, "/* summary: " + strings.Join(tables, ", ") + " */", true, nil
}

// filterDimensions are the dimensions plan's filters name.
func filterDimensions(plan catalog.Plan) []string {
	dims := make([]string, 0, len(plan.Filters))
	for _, f := range plan.Filters {
		dims = append(dims, f.Dimension)
	}
	return dims
}

// lessOpenContacts subtracts from the contacts ever of each group (rows of
// series, series_id and value) those with a conversation open at the
// instant, and keeps the groups left with any: as the raw rows, which have
// no group without an idle contact. A contact counts once however many
// conversations it has open, and only if it wrote before the instant, so
// every group of the open ones is a group of ever.
func lessOpenContacts(plan catalog.Plan, ever sq.SelectBuilder, workspace Workspace, at time.Time) sq.SelectBuilder {
	series := "''::text"
	if plan.GroupBy == catalog.DimPlatform.ID {
		series = "f.platform"
	}
	platform := column{expr: "f.platform"}
	where := sq.And{sq.Lt{"f.first_at": at}}
	for _, f := range plan.Filters {
		where = append(where, platform.filter(f, time.Time{}))
	}
	// The contacts of the open conversations at the instant (closed_at null,
	// or at or after the instant) as one array, and their first inbound
	// messages found by key in one index scan: each row of
	// contact_first_inbound matches at most once however often its contact
	// is in the array, so the array needs no DISTINCT, and the scan costs
	// one index descent per contact without a nested loop's node per probe
	// (as a join, the planner would rather read every contact's row to hash
	// them).
	where = append(where, workspaceFence("f.workspace_id", workspace),
		sq.ConcatExpr("f.contact_id = ANY(ARRAY(",
			sq.Select("v.contact_id").
				FromSelect(conversationsOpenSince(at, at, false, "v.workspace_id", "v.contact_id"), "v").
				Where(workspaceFence("v.workspace_id", workspace)), "))"))
	open := psql.Select("coalesce(("+series+")::text, '') AS series", "count(*) AS value").
		From("contact_first_inbound f").
		Where(where).
		GroupBy("series")
	const idle = "n.value - coalesce(o.value, 0)"
	return psql.Select("n.series", "n.series_id", "("+idle+")::float8 AS value").
		FromSelect(ever, "n").
		JoinClause(sq.ConcatExpr("LEFT JOIN (", open.PlaceholderFormat(sq.Question), ") o ON o.series = n.series")).
		Where(idle + " > 0")
}
