package sqlbuild

import (
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// phraseCandidates is how many of a workspace's most frequent phrases of all
// time a phrase ranking of limit rows adds up over its range. Chat phrases
// are skewed: at scale M the 200th most frequent phrase has 8,676 messages
// of all time, the 1,000th 15, while a month's 20th most frequent has
// 26,705 in that month alone.
func phraseCandidates(limit int) int {
	return max(200, 10*limit)
}

// phraseRanking answers a ranking by phrase from the phrase summaries
// without adding up every phrase of the range (a month at scale M holds
// 57,537 of them in 166,000 day and hour rows). A phrase's count over any
// range and filters never exceeds its total of all time (phrase_totals,
// migration 27), so:
//
//  1. the candidates are the workspace's phraseCandidates most frequent
//     phrases of all time, and bound is the largest total of the others;
//  2. the candidates' counts over the range are added up, with the plan's
//     filters, from their rows alone;
//  3. when at least limit candidates count more than bound, no other phrase
//     can reach the top or tie with it, and the top is theirs. Otherwise
//     (a short range, where few counts reach bound) the same statement adds
//     up every phrase of the range, as without the totals: PostgreSQL runs
//     that branch only then.
//
// The answer is the one the summaries give without the candidates; it does
// not apply (ok false) to other plans. A client phrases ranking bounds by
// the inbound totals, the others by all messages.
func phraseRanking(plan catalog.Plan, sc scope) (st Statement, ok bool, err error) {
	if plan.Kind != models.KindRanking || plan.GroupBy != catalog.DimPhrase.ID {
		return Statement{}, false, nil
	}
	r, summarised := choose(plan, plan.Metric, sc)
	if !summarised || r.table != "phrase_hours" && r.table != "phrase_direction_hours" {
		return Statement{}, false, nil
	}
	full, err := aggregated(plan, plan.Metric, sc, false)
	if err != nil {
		return Statement{}, true, err
	}
	narrowed := sc
	narrowed.narrow = narrowToCandidates
	candidates, err := aggregated(plan, plan.Metric, narrowed, false)
	if err != nil {
		return Statement{}, true, err
	}
	candidatesSQL, candidatesArgs, err := candidates.PlaceholderFormat(sq.Question).ToSql()
	if err != nil {
		return Statement{}, true, err
	}
	fullSQL, fullArgs, err := full.PlaceholderFormat(sq.Question).ToSql()
	if err != nil {
		return Statement{}, true, err
	}
	fenceSQL, fenceArgs, err := workspaceFence("t.workspace_id", sc.workspace).ToSql()
	if err != nil {
		return Statement{}, true, err
	}
	total := "messages"
	if plan.Metric.Conditions["m.direction"] == "inbound" {
		total = "inbound"
	}
	count := phraseCandidates(plan.Limit)
	with := sq.Expr("WITH phrase_bounds AS MATERIALIZED (SELECT t.phrase_key, t.phrase, t."+total+" AS most"+
		" FROM phrase_totals t WHERE "+fenceSQL+" ORDER BY t."+total+" DESC, t.phrase_key LIMIT ?),"+
		" phrase_candidates AS MATERIALIZED (SELECT b.phrase_key, b.phrase FROM phrase_bounds b ORDER BY b.most DESC, b.phrase_key LIMIT ?),"+
		" candidate_values AS MATERIALIZED ("+candidatesSQL+"),"+
		" phrase_bound AS MATERIALIZED (SELECT coalesce((SELECT b.most FROM phrase_bounds b ORDER BY b.most DESC, b.phrase_key OFFSET ? LIMIT 1), 0) AS most),"+
		" settled AS MATERIALIZED (SELECT o.most = 0 OR (SELECT count(*) FROM candidate_values c WHERE c.value > o.most) >= ? AS yes FROM phrase_bound o)",
		append(append(append(fenceArgs, count+1, count), candidatesArgs...), count, plan.Limit)...)
	ranked := sq.Select("c.series", "c.series_id", "c.value").From("candidate_values c").
		Where("(SELECT s.yes FROM settled s)").
		SuffixExpr(sq.Expr("UNION ALL SELECT f.series, f.series_id, f.value FROM ("+fullSQL+") f WHERE NOT (SELECT s.yes FROM settled s)", fullArgs...))
	st, err = statement(psql.Select("r.series", "r.series_id", "r.value").FromSelect(ranked, "r").
		Prefix("/* summary: phrase_totals, "+strings.Join(r.tables, ", ")+" */").PrefixExpr(with).
		OrderBy("r.value DESC NULLS LAST", "r.series").
		Limit(uint64(plan.Limit))) //nolint:gosec // 1..1000, checked by Resolve
	return st, true, err
}

// narrowToCandidates keeps the phrase summaries' rows (and the raw edges'
// messages) of the candidate phrases. A level's rows join the candidates by
// key and take the phrase's text from them: the rows' own text is not read,
// so PostgreSQL reads each candidate's day rows from phrase_days_phrase_idx
// or phrase_direction_days_phrase_idx alone (a phrase may be too long to
// copy into an index).
func narrowToCandidates(rows sq.SelectBuilder, table string) sq.SelectBuilder {
	if table == "" { // the raw messages at the range's edges
		return rows.Where(catalog.Phrase("m.body") + " IN (SELECT k.phrase FROM phrase_candidates k)")
	}
	level := phraseRows.levels[0]
	for _, l := range phraseDirectionRows.levels {
		if l.table == table {
			level = l
		}
	}
	columns := []string{"n.workspace_id", "n." + level.as}
	for _, c := range level.columns {
		if c == "phrase" {
			c = "k.phrase"
		} else {
			c = "n." + c
		}
		columns = append(columns, c)
	}
	return sq.Select(columns...).
		FromSelect(rows.Column("s.phrase_key AS candidate_key"), "n").
		Join("phrase_candidates k ON k.phrase_key = n.candidate_key")
}
