package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// This file evaluates the provisioned alert rules the way Grafana's alerting
// does, so that a test can prove which instances fire: the data source
// queries go through QueryData as alerting sends them, their frames are read
// as alertInstances reads them, and the server-side expressions (reduce, math,
// threshold) follow pkg/expr in grafana/grafana: values are joined by their
// labels (equal label sets, or one a subset of the other: mathexp's union),
// a comparison is 1 or 0, && and || treat non-zero as true, and a rule's
// instance fires when its condition is non-zero.

// ruleFile is the part of Grafana's alerting file provisioning format
// (apiVersion 1, groups of rules) that decides what a rule evaluates.
type ruleFile struct {
	APIVersion int `yaml:"apiVersion"`
	Groups     []struct {
		OrgID    int64  `yaml:"orgId"`
		Name     string `yaml:"name"`
		Folder   string `yaml:"folder"`
		Interval string `yaml:"interval"`
		Rules    []rule `yaml:"rules"`
	} `yaml:"groups"`
}

// rule is one provisioned alert rule.
type rule struct {
	UID          string            `yaml:"uid"`
	Title        string            `yaml:"title"`
	Condition    string            `yaml:"condition"`
	Data         []ruleQuery       `yaml:"data"`
	NoDataState  string            `yaml:"noDataState"`
	ExecErrState string            `yaml:"execErrState"`
	For          string            `yaml:"for"`
	Annotations  map[string]string `yaml:"annotations"`
	Labels       map[string]string `yaml:"labels"`
}

// ruleQuery is one node of a rule: a data source query or an expression.
type ruleQuery struct {
	RefID             string `yaml:"refId"`
	RelativeTimeRange struct {
		From int64 `yaml:"from"`
		To   int64 `yaml:"to"`
	} `yaml:"relativeTimeRange"`
	DatasourceUID string         `yaml:"datasourceUid"`
	Model         map[string]any `yaml:"model"`
}

// loadRuleFile reads a provisioning file of alert rules.
func loadRuleFile(t *testing.T, path string) ruleFile {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var file ruleFile
	decoder := yaml.NewDecoder(bytes.NewReader(raw))
	decoder.KnownFields(false)
	require.NoError(t, decoder.Decode(&file), path)
	require.Equal(t, 1, file.APIVersion, path)
	return file
}

// expressionUID is the data source uid of server-side expressions.
const expressionUID = "__expr__"

// instances are one node's values, keyed by their labels.
type instances map[string]labelledValue

type labelledValue struct {
	labels data.Labels
	value  *float64
}

// evaluateRule runs r at now against ds and returns its condition's value
// per instance (labels as text); NoData when the condition had none.
func evaluateRule(t *testing.T, ds *Datasource, r rule, now time.Time) (map[string]*float64, bool) {
	t.Helper()
	results := map[string]instances{}
	series := map[string]map[string][]*float64{}
	for _, node := range r.Data {
		if node.DatasourceUID == expressionUID {
			results[node.RefID] = evaluateExpression(t, node, results, series)
			continue
		}
		query, err := json.Marshal(node.Model)
		require.NoError(t, err)
		from := now.Add(-time.Duration(node.RelativeTimeRange.From) * time.Second)
		to := now.Add(-time.Duration(node.RelativeTimeRange.To) * time.Second)
		resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
			Queries: []backend.DataQuery{alertingRequest(node.RefID, string(query), from, to)},
		})
		require.NoError(t, err)
		answer := resp.Responses[node.RefID]
		require.NoError(t, answer.Error, "%s: query %s", r.Title, node.RefID)
		read, noData, err := alertInstances(answer.Frames)
		require.NoError(t, err, "%s: query %s", r.Title, node.RefID)
		if noData {
			results[node.RefID] = instances{}
			continue
		}
		if answer.Frames[0].Meta.Type.Kind() == data.KindTimeSeries {
			series[node.RefID] = read // a reduce must come first
			continue
		}
		numbers := instances{}
		for key, values := range read {
			numbers[key] = labelledValue{labels: labelsOf(answer.Frames, key), value: values[0]}
		}
		results[node.RefID] = numbers
	}
	for _, node := range r.Data {
		for key, v := range results[node.RefID] {
			if v.value != nil {
				t.Logf("%s %s {%s} = %g", r.UID, node.RefID, key, *v.value)
			}
		}
	}
	condition, ok := results[r.Condition]
	require.True(t, ok, "%s: condition %s is not a node", r.Title, r.Condition)
	out := map[string]*float64{}
	for key, v := range condition {
		out[key] = v.value
	}
	return out, len(condition) == 0
}

// labelsOf finds the labels whose text is key among a numeric-long frame's rows.
func labelsOf(frames data.Frames, key string) data.Labels {
	frame := frames[0]
	for row := 0; row < frame.Rows(); row++ {
		labels := data.Labels{}
		for _, field := range frame.Fields {
			if field.Type() == data.FieldTypeString {
				labels[field.Name] = field.At(row).(string)
			}
		}
		if labels.String() == key {
			return labels
		}
	}
	return data.Labels{}
}

func evaluateExpression(t *testing.T, node ruleQuery, results map[string]instances, series map[string]map[string][]*float64) instances {
	t.Helper()
	kind, _ := node.Model["type"].(string)
	expression, _ := node.Model["expression"].(string)
	switch kind {
	case "reduce":
		input := strings.TrimPrefix(expression, "$")
		reducer, _ := node.Model["reducer"].(string)
		out := instances{}
		if numbers, ok := results[input]; ok {
			return numbers // reducing a number keeps it
		}
		for key, values := range series[input] {
			out[key] = labelledValue{labels: parseLabels(key), value: reduceValues(t, reducer, values)}
		}
		return out
	case "math":
		parsed := parseMath(t, expression)
		return parsed.eval(results)
	case "threshold":
		input := strings.TrimPrefix(expression, "$")
		conditions, _ := node.Model["conditions"].([]any)
		require.Len(t, conditions, 1, "threshold %s", node.RefID)
		evaluator := conditions[0].(map[string]any)["evaluator"].(map[string]any)
		params := evaluator["params"].([]any)
		limit := func(i int) float64 { return toFloat(t, params[i]) }
		out := instances{}
		for key, v := range results[input] {
			if v.value == nil {
				out[key] = v
				continue
			}
			x := *v.value
			var fires bool
			switch evaluator["type"] {
			case "gt":
				fires = x > limit(0)
			case "lt":
				fires = x < limit(0)
			case "within_range":
				fires = x > limit(0) && x < limit(1)
			case "outside_range":
				fires = x < limit(0) || x > limit(1)
			default:
				t.Fatalf("threshold %s: evaluator %v is not one this test knows", node.RefID, evaluator["type"])
			}
			out[key] = labelledValue{labels: v.labels, value: boolValue(fires)}
		}
		return out
	}
	t.Fatalf("expression %s of type %q is not one this test knows", node.RefID, kind)
	return nil
}

func toFloat(t *testing.T, v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	t.Fatalf("%v is not a number", v)
	return 0
}

// reduceValues is pkg/expr's reduce in its default mode: a null anywhere
// makes the sum, mean, min and max null; last is the last value.
func reduceValues(t *testing.T, reducer string, values []*float64) *float64 {
	if len(values) == 0 {
		return nil
	}
	if reducer == "last" {
		return values[len(values)-1]
	}
	if reducer == "count" {
		return ptr(float64(len(values)))
	}
	total, lowest, highest := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if v == nil {
			return nil
		}
		total += *v
		lowest, highest = math.Min(lowest, *v), math.Max(highest, *v)
	}
	switch reducer {
	case "sum":
		return ptr(total)
	case "mean":
		return ptr(total / float64(len(values)))
	case "min":
		return ptr(lowest)
	case "max":
		return ptr(highest)
	}
	t.Fatalf("reducer %q is not one this test knows", reducer)
	return nil
}

// parseLabels reads labels written as data.Labels.String() writes them.
func parseLabels(text string) data.Labels {
	labels := data.Labels{}
	if text == "" {
		return labels
	}
	for _, pair := range strings.Split(text, ", ") {
		name, value, _ := strings.Cut(pair, "=")
		labels[name] = value
	}
	return labels
}

func boolValue(b bool) *float64 {
	if b {
		return ptr(1)
	}
	return ptr(0)
}

// mathNode is a parsed math expression.
type mathNode interface {
	eval(results map[string]instances) instances
}

type mathNumber float64

type mathVariable string

type mathUnary struct {
	op      string
	operand mathNode
}

type mathBinary struct {
	op          string
	left, right mathNode
}

func (n mathNumber) eval(map[string]instances) instances {
	return instances{"": {labels: data.Labels{}, value: ptr(float64(n))}}
}

func (v mathVariable) eval(results map[string]instances) instances { return results[string(v)] }

func (u mathUnary) eval(results map[string]instances) instances {
	out := instances{}
	for key, v := range u.operand.eval(results) {
		if v.value == nil {
			out[key] = v
			continue
		}
		switch u.op {
		case "-":
			out[key] = labelledValue{labels: v.labels, value: ptr(-*v.value)}
		case "!":
			out[key] = labelledValue{labels: v.labels, value: boolValue(*v.value == 0)}
		}
	}
	return out
}

// eval joins the two sides by labels as mathexp's union does: equal label
// sets, or one a subset of the other (the result keeps the larger set).
func (b mathBinary) eval(results map[string]instances) instances {
	left, right := b.left.eval(results), b.right.eval(results)
	out := instances{}
	for _, l := range left {
		for _, r := range right {
			var labels data.Labels
			switch {
			case subset(l.labels, r.labels):
				labels = r.labels
			case subset(r.labels, l.labels):
				labels = l.labels
			default:
				continue
			}
			out[labels.String()] = labelledValue{labels: labels, value: applyBinary(b.op, l.value, r.value)}
		}
	}
	return out
}

// subset reports whether every label of a is in b with the same value.
func subset(a, b data.Labels) bool {
	for name, value := range a {
		if b[name] != value {
			return false
		}
	}
	return true
}

func applyBinary(op string, l, r *float64) *float64 {
	if l == nil || r == nil {
		return nil
	}
	x, y := *l, *r
	switch op {
	case "+":
		return ptr(x + y)
	case "-":
		return ptr(x - y)
	case "*":
		return ptr(x * y)
	case "/":
		return ptr(x / y)
	case ">":
		return boolValue(x > y)
	case "<":
		return boolValue(x < y)
	case ">=":
		return boolValue(x >= y)
	case "<=":
		return boolValue(x <= y)
	case "==":
		return boolValue(x == y)
	case "!=":
		return boolValue(x != y)
	case "&&":
		return boolValue(x != 0 && y != 0)
	case "||":
		return boolValue(x != 0 || y != 0)
	}
	return nil
}

// mathPrecedence lists binary operators from the loosest to the tightest binding.
var mathPrecedence = [][]string{{"||"}, {"&&"}, {"==", "!="}, {">=", "<=", ">", "<"}, {"+", "-"}, {"*", "/"}}

// mathParser is a recursive-descent parser of Grafana's math expressions:
// numbers, $refId variables (also ${refId}), parentheses, unary - and !, and
// the binary operators of mathPrecedence.
type mathParser struct {
	t      *testing.T
	tokens []string
	at     int
}

func parseMath(t *testing.T, expression string) mathNode {
	t.Helper()
	p := &mathParser{t: t, tokens: tokenizeMath(t, expression)}
	node := p.binary(0)
	require.Equal(t, len(p.tokens), p.at, "math %q: unexpected %v", expression, p.tokens[min(p.at, len(p.tokens)-1)])
	return node
}

func tokenizeMath(t *testing.T, expression string) []string {
	var tokens []string
	for i := 0; i < len(expression); {
		c := rune(expression[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '$':
			j := i + 1
			if j < len(expression) && expression[j] == '{' {
				end := strings.IndexByte(expression[j:], '}')
				require.Positive(t, end, "math %q: unclosed ${", expression)
				tokens = append(tokens, "$"+expression[j+1:j+end])
				i = j + end + 1
				continue
			}
			for j < len(expression) && (unicode.IsLetter(rune(expression[j])) || unicode.IsDigit(rune(expression[j])) || expression[j] == '_') {
				j++
			}
			tokens = append(tokens, expression[i:j])
			i = j
		case unicode.IsDigit(c) || c == '.':
			j := i
			for j < len(expression) && (unicode.IsDigit(rune(expression[j])) || expression[j] == '.' || expression[j] == 'e') {
				j++
			}
			tokens = append(tokens, expression[i:j])
			i = j
		case i+1 < len(expression) && slices.Contains([]string{"&&", "||", ">=", "<=", "==", "!="}, expression[i:i+2]):
			tokens = append(tokens, expression[i:i+2])
			i += 2
		case strings.ContainsRune("+-*/<>()!", c):
			tokens = append(tokens, string(c))
			i++
		default:
			t.Fatalf("math %q: unexpected %q", expression, c)
		}
	}
	return tokens
}

func (p *mathParser) peek() string {
	if p.at < len(p.tokens) {
		return p.tokens[p.at]
	}
	return ""
}

func (p *mathParser) binary(level int) mathNode {
	if level == len(mathPrecedence) {
		return p.unary()
	}
	left := p.binary(level + 1)
	for slices.Contains(mathPrecedence[level], p.peek()) {
		op := p.tokens[p.at]
		p.at++
		left = mathBinary{op: op, left: left, right: p.binary(level + 1)}
	}
	return left
}

func (p *mathParser) unary() mathNode {
	token := p.peek()
	p.at++
	switch {
	case token == "-" || token == "!":
		return mathUnary{op: token, operand: p.unary()}
	case token == "(":
		node := p.binary(0)
		require.Equal(p.t, ")", p.peek(), "math: unclosed parenthesis")
		p.at++
		return node
	case strings.HasPrefix(token, "$"):
		return mathVariable(strings.TrimPrefix(token, "$"))
	}
	n, err := strconv.ParseFloat(token, 64)
	require.NoError(p.t, err, "math: %q is not a number, variable or parenthesis", token)
	return mathNumber(n)
}

// The evaluator itself, on numbers made by hand: a team's spike against its
// own baseline, joined by labels, with a floor.
func TestRuleEvaluatorMath(t *testing.T) {
	sales, support := data.Labels{"team": "Sales"}, data.Labels{"team": "Support"}
	results := map[string]instances{
		"A": {sales.String(): {sales, ptr(9)}, support.String(): {support, ptr(2)}},
		"B": {sales.String(): {sales, ptr(672)}, support.String(): {support, ptr(2016)}},
	}
	got := parseMath(t, "($A > 3 * ($B / 672)) && ($A >= 5)").eval(results)
	// Sales: 9 > 3 × 1 and 9 ≥ 5; Support: 2 > 3 × 3 is false.
	require.Equal(t, 1.0, *got[sales.String()].value)
	require.Equal(t, 0.0, *got[support.String()].value)
	got = parseMath(t, "-${A} + !0 * 2").eval(results)
	require.Equal(t, -7.0, *got[sales.String()].value)
	// A value without labels joins every labelled one; unrelated label sets do not join.
	results["C"] = instances{"": {data.Labels{}, ptr(4)}}
	results["D"] = instances{"inbox=Web": {data.Labels{"inbox": "Web"}, ptr(1)}}
	require.Len(t, parseMath(t, "$A / $C").eval(results), 2)
	require.Empty(t, parseMath(t, "$A + $D").eval(results))
}

// The provisioned alert rules, evaluated at the end of a generated store
// whose Sales queue fails in its last hour (generator.Config.MissedSpike):
// every rule parses, queries the provisioned data source, and fires for
// Sales and for no other team.
func TestProvisionedAlertRulesFireForTheSpikingTeamOnly(t *testing.T) {
	now := time.Date(2022, time.March, 31, 15, 7, 0, 0, time.UTC)
	url := storetest.URL(t)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	_, err = generator.Load(context.Background(), pool, generator.Config{
		Seed: 1, Until: now, Days: 14, Contacts: 300, MissedSpike: "Sales",
	})
	require.NoError(t, err)
	// Support has a quiet queue with some trouble too, under every rule's
	// floor: two hand-offs missed in the last 15 minutes and one customer
	// waiting for a minute, so that each rule evaluates Support and must not fire.
	_, err = pool.Exec(context.Background(), `
		INSERT INTO assignments (workspace_id, conversation_id, contact_id, team_id, created_at, ended_at, outcome)
		SELECT v.workspace_id, v.id, v.contact_id, t.id, $1::timestamptz - s.created, $1::timestamptz - s.ended, s.outcome
		FROM (SELECT v.* FROM conversations v JOIN workspaces w ON w.id = v.workspace_id AND w.slug = 'demo' ORDER BY v.id LIMIT 1) v
		JOIN teams t ON t.workspace_id = v.workspace_id AND t.name = 'Support'
		CROSS JOIN (VALUES (interval '10 minutes', interval '9 minutes', 'missed'),
		                   (interval '8 minutes', interval '7 minutes', 'missed'),
		                   (interval '60 seconds', NULL, NULL)) s(created, ended, outcome)`, now)
	pool.Close()
	require.NoError(t, err)
	ds := newDatasourceAt(t, url, "demo")

	file := loadRuleFile(t, "../../provisioning/alerting/chatbot-metrics.yaml")
	require.Len(t, file.Groups, 1)
	group := file.Groups[0]
	require.Equal(t, "Chatbot Metrics", group.Folder)
	require.Len(t, group.Rules, 3)
	for _, r := range group.Rules {
		t.Run(r.UID, func(t *testing.T) {
			require.NotEmpty(t, r.Annotations["summary"])
			require.NotEmpty(t, r.Annotations["description"])
			for _, node := range r.Data {
				if node.DatasourceUID != expressionUID {
					require.Equal(t, "chatbot-metrics-demo", node.DatasourceUID)
					require.Equal(t, map[string]any{"type": ID, "uid": "chatbot-metrics-demo"}, node.Model["datasource"])
					require.Equal(t, "team", node.Model["groupBy"], "one alert instance per team")
				}
			}
			condition, noData := evaluateRule(t, ds, r, now)
			require.False(t, noData)
			states := map[string]float64{}
			for labels, value := range condition {
				require.NotNil(t, value, labels)
				states[parseLabels(labels)["team"]] = *value
			}
			require.Equal(t, 1.0, states["Sales"], "%s: Sales fires (%v)", r.Title, states)
			require.Contains(t, states, "Support", "%s: Support is evaluated", r.Title)
			for team, state := range states {
				if team != "Sales" {
					require.Zero(t, state, "%s: %s does not fire", r.Title, team)
				}
			}
		})
	}
}
