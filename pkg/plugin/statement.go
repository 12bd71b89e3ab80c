package plugin

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
)

// Statement is the SQL and arguments that QueryData runs for dq in
// workspace, built by the same steps (parse, resolve, build), so that a
// benchmark can time the statement on its own and tell PostgreSQL's time
// from the plugin's. QueryData fences its statements by the workspace's id
// once it has found the workspace: pass the id too for the same statement.
func Statement(dq backend.DataQuery, workspace sqlbuild.Workspace) (catalog.Plan, sqlbuild.Statement, error) {
	q, err := models.ParseQuery(dq)
	if err != nil {
		return catalog.Plan{}, sqlbuild.Statement{}, err
	}
	q, _ = catalog.ApplyAdHocFilters(q)
	plan, err := catalog.Resolve(q)
	if err != nil {
		return plan, sqlbuild.Statement{}, err
	}
	answer, ok := answers[plan.Kind]
	if !ok {
		return plan, sqlbuild.Statement{}, fmt.Errorf("query type %q is unknown: use %s", plan.Kind, kindNames())
	}
	statement, err := answer.build(plan, workspace)
	return plan, statement, err
}
