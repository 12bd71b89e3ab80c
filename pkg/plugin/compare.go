package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/frames"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// compared is a kind's answer that also answers plan's previous period
// (plan.Compare.Previous): its statement is built by the same builder, so a
// summary answers it whenever one can, and run by the same runner against the
// same budget; then the two frames become one. The statement returned shows
// both statements, the previous one after a comment naming its range, for
// the query inspector and for error responses.
func compared(a answer, plan catalog.Plan, workspace sqlbuild.Workspace, current sqlbuild.Statement) (answer, sqlbuild.Statement, error) {
	previous, err := a.build(plan.Compare.Previous, workspace)
	if err != nil {
		return a, current, err
	}
	shown := sqlbuild.Statement{SQL: current.SQL + "\n\n/* previous period, " + plan.Compare.String() + " */\n" + previous.SQL}
	run := func(ctx context.Context, pool *pgxpool.Pool, plan catalog.Plan, _ sqlbuild.Statement, budget *frames.Budget) (*data.Frame, error) {
		now, err := a.run(ctx, pool, plan, current, budget)
		if err != nil {
			return nil, err
		}
		before, err := a.run(ctx, pool, plan.Compare.Previous, previous, budget)
		if err != nil {
			return nil, err
		}
		if plan.Kind == models.KindTimeSeries {
			return frames.CompareTimeSeries(plan, now, before, shown.SQL), nil
		}
		return frames.CompareTotals(plan, now, before, shown.SQL), nil
	}
	return answer{build: a.build, run: run}, shown, nil
}
