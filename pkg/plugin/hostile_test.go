package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is one malformed query or resource call and what it must answer.
type hostile struct {
	name string
	// query is the query JSON sent through QueryData, or path the resource
	// path (with its query string) sent through CallResource.
	query, path string
	// from, to and maxDataPoints replace the request's defaults (January 2022, 1000).
	from, to      time.Time
	maxDataPoints int64
	method        string // resource method, GET by default
	status        int
	// says are the parts of the message that name the field and say how to
	// fix it; an answer of 200 has none.
	says []string
}

// maxMessage bounds every error message: input is echoed cut short.
const maxMessage = 1000

// injections are strings that would do harm if they ever reached SQL text.
var injections = []string{
	`' OR '1'='1`,
	`'; DROP TABLE messages; --`,
	`acme' UNION SELECT slug FROM workspaces --`,
	`1); SELECT pg_sleep(30); --`,
	`" OR ""="`,
	`$1`,
	`?`,
	`%s%n%x`,
	`\'; COPY workspaces TO '/tmp/x'; --`,
	`*/ SELECT 1 /*`,
	`${__user.login}`,
	`) OR workspace_id <> 0 --`,
}

// hostileCases is the table: fixed rows first, then rows generated over
// fields and inputs, each with its expectation spelled out.
func hostileCases() []hostile {
	jan := func(h hostile) hostile { return h }
	q := func(name, query string, status int, says ...string) hostile {
		return jan(hostile{name: name, query: query, status: status, says: says})
	}
	r := func(name, path string, status int, says ...string) hostile {
		return hostile{name: name, path: path, status: status, says: says}
	}
	const fix = "the query JSON reference lists every field"
	cases := []hostile{
		q("not JSON", `not json`, 400, "not valid JSON", "re-create it in the query editor"),
		q("JSON array", `[1,2,3]`, 400, "not valid JSON"),
		q("JSON string", `"active_users"`, 400, "not valid JSON"),
		q("JSON number", `42`, 400, "not valid JSON"),
		q("JSON null", `null`, 400, "no metric chosen", "pick a metric"),
		q("empty object", `{}`, 400, "no metric chosen", "pick a metric"),
		q("truncated", `{"metric":"active_users"`, 400, "not valid JSON"),
		q("trailing garbage", `{"metric":"active_users"} x`, 400, "not valid JSON"),
		q("deep nesting", strings.Repeat(`{"a":`, 20000)+`1`+strings.Repeat(`}`, 20000), 400, "not valid JSON"),
		q("unknown fields are ignored", `{"metric":"active_users","queryType":"totals","rawSql":"DROP TABLE messages"}`, 200),
		q("duplicate keys: the last wins", `{"metric":"happiness","metric":"active_users","queryType":"totals"}`, 200),
		q("newer version", `{"metric":"active_users","version":99}`, 400, "version 99", "upgrade the plugin"),
		q("huge version", `{"metric":"active_users","version":1e30}`, 400, `"version"`, fix),
		q("unknown kind", `{"metric":"active_users","queryType":"forecast"}`, 400, `"forecast"`, "it supports"),
		q("kind in capitals", `{"metric":"active_users","queryType":"TOTALS"}`, 400, `"TOTALS"`, "it supports"),
		q("kind the metric lacks", `{"metric":"active_users","queryType":"records"}`, 400, `"records"`, "it supports"),
		q("snapshot of an event metric", `{"metric":"active_users","queryType":"snapshot"}`, 400, `"snapshot"`, "it supports"),
		q("metric blank", `{"metric":"   "}`, 400, "no metric chosen"),
		q("metric unknown", `{"metric":"happiness"}`, 400, `metric "happiness" is unknown`, "choose one of"),
		q("metric in capitals", `{"metric":"ACTIVE_USERS"}`, 400, `"ACTIVE_USERS" is unknown`),
		q("unknown group by", `{"metric":"active_users","groupBy":"mood"}`, 400, `dimension "mood" is unknown`, "can group by"),
		q("group by not allowed", `{"metric":"active_users","groupBy":"sender"}`, 400, "cannot group by sender", "use one of"),
		q("unknown filter dimension", `{"metric":"active_users","filters":[{"dimension":"mood","values":["x"]}]}`, 400, `dimension "mood" is unknown`, "can filter by"),
		q("filter dimension missing", `{"metric":"active_users","filters":[{"values":["x"]}]}`, 400, `dimension "" is unknown`, "can filter by"),
		q("filter without values", `{"metric":"active_users","filters":[{"dimension":"platform"}]}`, 400, "platform filter has no values", "add a value"),
		q("filter of empty values", `{"metric":"active_users","filters":[{"dimension":"platform","values":["",""]}]}`, 400, "platform filter has no values"),
		q("filter values null", `{"metric":"active_users","filters":[{"dimension":"platform","values":null}]}`, 400, "platform filter has no values"),
		q("filters null", `{"metric":"active_users","queryType":"totals","filters":null}`, 200),
		q("filter null", `{"metric":"active_users","filters":[null]}`, 400, `dimension "" is unknown`),
		q("group by on records", `{"metric":"dialogs","queryType":"records","groupBy":"platform"}`, 400, "records are not grouped", "remove the group by"),
		q("ranking without group by", `{"metric":"active_users","queryType":"ranking"}`, 400, "a ranking needs a group by", "rank by one of"),
		q("ranking limit negative", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":-1}`, 400, "limit -1 is out of range", "rank 1 to 1000"),
		q("ranking limit huge", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":1001}`, 400, "limit 1001 is out of range", "rank 1 to 1000"),
		q("ranking limit max int", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":9223372036854775807}`, 400, "limit 9223372036854775807 is out of range"),
		q("ranking limit overflow", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":1e30}`, 400, `"limit"`, fix),
		q("ranking limit float", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":2.5}`, 400, `"limit"`, fix),
		q("ranking limit string", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":"10"}`, 400, `"limit"`, "must be a number"),
		q("ranking limit 1000", `{"metric":"messages_sent","queryType":"ranking","groupBy":"sender","limit":1000}`, 200),
		q("records limit negative", `{"metric":"dialogs","queryType":"records","limit":-5}`, 400, "limit -5 is out of range", "list 1 to 10000 records"),
		q("records limit huge", `{"metric":"dialogs","queryType":"records","limit":10001}`, 400, "limit 10001 is out of range"),
		q("records limit 10000", `{"metric":"dialogs","queryType":"records","limit":10000}`, 200),
		q("target negative", `{"metric":"service_level","queryType":"totals","targetSeconds":-1}`, 400, "targetSeconds -1 is out of range", "use 1 second to 7 days"),
		q("target under a second", `{"metric":"service_level","queryType":"totals","targetSeconds":0.001}`, 400, "targetSeconds 0.001 is out of range"),
		q("target over a week", `{"metric":"service_level","queryType":"totals","targetSeconds":604801}`, 400, "targetSeconds 604801 is out of range"),
		q("target huge", `{"metric":"service_level","queryType":"totals","targetSeconds":1e308}`, 400, "targetSeconds 1e+308 is out of range"),
		q("target overflow", `{"metric":"service_level","queryType":"totals","targetSeconds":1e400}`, 400, `"targetSeconds"`, fix),
		q("target string", `{"metric":"service_level","queryType":"totals","targetSeconds":"60"}`, 400, `"targetSeconds"`, "must be a number"),
		q("target fraction", `{"metric":"service_level","queryType":"totals","targetSeconds":90.5}`, 200),
		q("transcript without id", `{"metric":"transcript","queryType":"records"}`, 400, "a transcript needs a conversationId", "set the conversation's id"),
		q("transcript id zero", `{"metric":"transcript","queryType":"records","conversationId":0}`, 400, "needs a conversationId"),
		q("transcript id negative", `{"metric":"transcript","queryType":"records","conversationId":-13}`, 400, "needs a conversationId"),
		q("transcript id empty", `{"metric":"transcript","queryType":"records","conversationId":""}`, 400, "needs a conversationId"),
		q("transcript id null", `{"metric":"transcript","queryType":"records","conversationId":null}`, 400, "needs a conversationId"),
		q("transcript id as text", `{"metric":"transcript","queryType":"records","conversationId":"13"}`, 200),
		q("transcript id as number", `{"metric":"transcript","queryType":"records","conversationId":13}`, 200),
		q("transcript id spaced", `{"metric":"transcript","queryType":"records","conversationId":" 13 "}`, 200),
		q("transcript id elsewhere", `{"metric":"transcript","queryType":"records","conversationId":99}`, 400, "conversation 99 is not in this workspace", "check the conversationId"),
		q("transcript id max int", `{"metric":"transcript","queryType":"records","conversationId":9223372036854775807}`, 400, "is not in this workspace"),
		q("transcript id overflow", `{"metric":"transcript","queryType":"records","conversationId":"99999999999999999999"}`, 400, "conversationId", "is not a whole number"),
		q("transcript id float", `{"metric":"transcript","queryType":"records","conversationId":1.5}`, 400, "conversationId", "is not a whole number"),
		q("transcript id exponent", `{"metric":"transcript","queryType":"records","conversationId":"1e3"}`, 400, "conversationId", "is not a whole number"),
		q("transcript id hex", `{"metric":"transcript","queryType":"records","conversationId":"0x0d"}`, 400, "conversationId", "is not a whole number"),
		q("transcript id variable", `{"metric":"transcript","queryType":"records","conversationId":"$conversation"}`, 400, "conversationId", "is not a whole number"),
		q("transcript id list", `{"metric":"transcript","queryType":"records","conversationId":[13]}`, 400, "conversationId", "is not a whole number"),
		q("transcript id object", `{"metric":"transcript","queryType":"records","conversationId":{"id":13}}`, 400, "conversationId", "is not a whole number"),
		q("transcript id bool", `{"metric":"transcript","queryType":"records","conversationId":true}`, 400, "conversationId", "is not a whole number"),
		q("interval unknown", `{"metric":"active_users","interval":"fortnight"}`, 400, `interval "fortnight" is unknown`, "use one of"),
		q("interval in seconds", `{"metric":"active_users","interval":"1s"}`, 400, `interval "1s" is unknown`),
		q("interval negative", `{"metric":"active_users","interval":"-1m"}`, 400, `interval "-1m" is unknown`),
		q("minute over ten years", `{"metric":"active_users","interval":"minute"}`, 400, "more than 20000 buckets", "choose day or a coarser interval"),
		q("time zone unknown", `{"metric":"active_users","timezone":"Mars/Base"}`, 400, `time zone "Mars/Base" is unknown`, "IANA name"),
		q("time zone Local", `{"metric":"active_users","timezone":"Local"}`, 400, `time zone "Local"`, "Europe/Madrid, or UTC"),
		q("time zone path", `{"metric":"active_users","timezone":"../../../etc/passwd"}`, 400, "is unknown", "IANA name"),
		q("time zone offset", `{"metric":"active_users","timezone":"+05:30"}`, 400, `time zone "+05:30" is unknown`),
		q("too many filters", `{"metric":"active_users","filters":[`+strings.TrimSuffix(strings.Repeat(`{"dimension":"platform","values":["x"]},`, 51), ",")+`]}`, 400, "51 filters, more than 50", "one filter"),
		q("1,000 filter values", filterQuery("active_users", "totals", manyValues(1000, "whatsapp")), 200),
		q("10,000 filter values", filterQuery("active_users", "totals", manyValues(10_000, "whatsapp")), 200),
		q("10,001 filter values", filterQuery("active_users", "totals", manyValues(10_001)), 400, "platform filter has 10001 values, more than 10000", "choose fewer values"),
		q("70,000 filter values", filterQuery("active_users", "timeseries", manyValues(70_000)), 400, "platform filter has 70000 values"),
		q("10 MB metric", `{"metric":"`+strings.Repeat("m", 10<<20)+`"}`, 400, "(10485760 bytes) is unknown", "choose one of"),
		q("1 MB group by", `{"metric":"active_users","groupBy":"`+strings.Repeat("g", 1<<20)+`"}`, 400, "(1048576 bytes) is unknown"),
		q("1 MB time zone", `{"metric":"active_users","timezone":"`+strings.Repeat("z", 1<<20)+`"}`, 400, "(1048576 bytes) is unknown"),
		q("1 MB interval", `{"metric":"active_users","interval":"`+strings.Repeat("i", 1<<20)+`"}`, 400, "(1048576 bytes) is unknown"),
		q("1 MB filter value", `{"metric":"active_users","queryType":"totals","filters":[{"dimension":"platform","values":["`+strings.Repeat("v", 1<<20)+`"]}]}`, 200),
		q("1 MB kind", `{"metric":"active_users","queryType":"`+strings.Repeat("k", 1<<20)+`"}`, 400, "(1048576 bytes)", "it supports"),
	}
	// Time ranges, as Grafana's request carries them.
	for _, c := range []struct {
		name     string
		from, to time.Time
		status   int
		says     []string
	}{
		{"epoch to the largest int64", time.UnixMilli(0), time.UnixMilli(1<<63 - 1), 400, []string{"outside the accepted range", "years 1970 to 9999"}},
		{"the smallest int64 to now", time.UnixMilli(-1 << 63), at("2022-01-01T00:00:00Z"), 400, []string{"outside the accepted range"}},
		{"year 10001", at("2022-01-01T00:00:00Z"), time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC), 400, []string{"outside the accepted range"}},
		{"year 1969", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), at("2022-01-01T00:00:00Z"), 400, []string{"outside the accepted range"}},
		{"Go's zero time", time.Time{}, at("2022-01-01T00:00:00Z"), 400, []string{"outside the accepted range"}},
		{"from after to", at("2022-02-01T00:00:00Z"), at("2022-01-01T00:00:00Z"), 400, []string{"the time range is empty", "choose a later end"}},
		{"from equals to", at("2022-02-01T00:00:00Z"), at("2022-02-01T00:00:00Z"), 400, []string{"the time range is empty"}},
		{"1970 to 9999", time.UnixMilli(0), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 200, nil},
	} {
		for _, kind := range []string{"timeseries", "totals", "ranking"} {
			status, says := c.status, c.says
			if kind == "timeseries" && status == 200 {
				status, says = 400, []string{"too long for a time series", "narrow it to at most 1665 years, or use totals"}
			}
			cases = append(cases, hostile{name: c.name + " (" + kind + ")", from: c.from, to: c.to, status: status, says: says,
				query: `{"metric":"messages_sent","groupBy":"sender","queryType":"` + kind + `"}`})
		}
	}
	for _, mdp := range []int64{-1, 0, 1, 43200, 1 << 62} {
		cases = append(cases, hostile{name: fmt.Sprintf("max data points %d over ten years", mdp), maxDataPoints: mdp, status: 200,
			query: `{"metric":"messages_sent","interval":"auto"}`})
	}
	// Every field with every JSON type it must not have.
	wrongTypes := map[string][]string{
		"version": {`"1"`, `true`, `[]`, `{}`, `1.5`}, "queryType": {`1`, `true`, `[]`, `{}`},
		"metric": {`1`, `true`, `[]`, `{}`}, "groupBy": {`1`, `false`, `["platform"]`, `{}`},
		"filters": {`1`, `"platform"`, `{}`, `true`}, "interval": {`60`, `true`, `[]`, `{}`},
		"timezone": {`0`, `true`, `[]`, `{}`}, "limit": {`"10"`, `true`, `[]`, `{}`, `1.5`},
		"targetSeconds": {`"60"`, `true`, `[]`, `{}`},
	}
	for field, values := range wrongTypes {
		for _, v := range values {
			cases = append(cases, q(field+" = "+v, `{"metric":"active_users","`+field+`":`+v+`}`, 400, `the query's "`+field+`" is a JSON`, fix))
		}
	}
	for _, v := range []string{`1`, `true`, `[]`, `{}`} {
		cases = append(cases,
			q("filters.dimension = "+v, `{"metric":"active_users","filters":[{"dimension":`+v+`,"values":["x"]}]}`, 400, `"filters.dimension" is a JSON`, fix))
	}
	for _, v := range []string{`1`, `true`, `"whatsapp"`, `{}`, `[1]`, `[["x"]]`, `[{}]`, `[true]`} {
		cases = append(cases,
			q("filters.values = "+v, `{"metric":"active_users","filters":[{"dimension":"platform","values":`+v+`}]}`, 400, `"filters.values" is a JSON`, fix))
	}
	// Injection strings in every string field: refused as unknown names, or,
	// as filter values, matched as plain text (nothing matches, the answer is
	// still an answer).
	for i, s := range injections {
		js, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		v := string(js)
		name := fmt.Sprintf("injection %d in ", i+1)
		cases = append(cases,
			q(name+"metric", `{"metric":`+v+`}`, 400, "is unknown", "choose one of"),
			q(name+"queryType", `{"metric":"active_users","queryType":`+v+`}`, 400, "cannot be queried as", "it supports"),
			q(name+"groupBy", `{"metric":"active_users","groupBy":`+v+`}`, 400, "is unknown: metric active_users can group by"),
			q(name+"interval", `{"metric":"active_users","interval":`+v+`}`, 400, "is unknown: use one of auto"),
			q(name+"timezone", `{"metric":"active_users","timezone":`+v+`}`, 400, "is unknown", "IANA name"),
			q(name+"filter dimension", `{"metric":"active_users","filters":[{"dimension":`+v+`,"values":["x"]}]}`, 400, "is unknown: metric active_users can filter by"),
			q(name+"filter value", `{"metric":"active_users","queryType":"totals","filters":[{"dimension":"platform","values":[`+v+`]}]}`, 200),
			q(name+"conversationId", `{"metric":"transcript","queryType":"records","conversationId":`+v+`}`, 400, "conversationId", "is not a whole number"),
			r(name+"dimension path", "dimensions/"+url.PathEscape(s)+"/values", 404, "is unknown", "catalog resource lists"),
			r(name+"from", "dimensions/intent/values?to=1643673600000&from="+url.QueryEscape(s), 400, "from", "is not in epoch milliseconds"),
		)
	}
	// Unicode, NUL bytes and invalid UTF-8 in the string fields.
	for _, s := range []struct{ name, text string }{
		{"emoji", "🤖💬"}, {"right-to-left", "\u202eresu_evitca"}, {"combining marks", "a\u0301c\u0327tive"},
		{"zero width", "active\u200busers"}, {"invalid UTF-8", "\xff\xfe"},
	} {
		js, _ := json.Marshal(s.text) // invalid UTF-8 is sent as U+FFFD, as Grafana's JSON would carry it
		v := string(js)
		cases = append(cases,
			q(s.name+" in metric", `{"metric":`+v+`}`, 400, "is unknown"),
			q(s.name+" in groupBy", `{"metric":"active_users","groupBy":`+v+`}`, 400, "is unknown"),
			q(s.name+" in timezone", `{"metric":"active_users","timezone":`+v+`}`, 400, "is unknown"),
			q(s.name+" in filter value", `{"metric":"active_users","queryType":"totals","filters":[{"dimension":"platform","values":[`+v+`]}]}`, 200),
		)
	}
	nul := `"x\u0000y"`
	for _, f := range []struct{ field, query string }{
		{"metric", `{"metric":` + nul + `}`},
		{"queryType", `{"metric":"active_users","queryType":` + nul + `}`},
		{"groupBy", `{"metric":"active_users","groupBy":` + nul + `}`},
		{"interval", `{"metric":"active_users","interval":` + nul + `}`},
		{"timezone", `{"metric":"active_users","timezone":` + nul + `}`},
		{"compare", `{"metric":"active_users","compare":` + nul + `}`},
		{"compareMode", `{"metric":"active_users","compare":"7d","compareMode":` + nul + `}`},
		{"filter 1's dimension", `{"metric":"active_users","filters":[{"dimension":` + nul + `,"values":["x"]}]}`},
		{`the "platform" filter's value`, `{"metric":"active_users","filters":[{"dimension":"platform","values":["ok",` + nul + `]}]}`},
	} {
		cases = append(cases, q("NUL in "+f.field, f.query, 400, f.field+` "x\x00y" contains a NUL byte`, "remove it"))
	}
	// The resources.
	cases = append(cases,
		r("catalog", "catalog", 200),
		hostile{name: "catalog by POST", path: "catalog", method: http.MethodPost, status: 405},
		hostile{name: "values by POST", path: "dimensions/platform/values", method: http.MethodPost, status: 405},
		hostile{name: "values by DELETE", path: "dimensions/platform/values", method: http.MethodDelete, status: 405},
		r("unknown resource", "nothing-here", 404),
		// The router redirects paths that are not clean to their clean form,
		// inside the resources: "dimensions/values" and "etc/passwd/values", both 404.
		r("values without a dimension", "dimensions//values", 307),
		r("values with more path", "dimensions/platform/values/more", 404),
		r("path traversal", "dimensions/../../../etc/passwd/values", 307),
		r("path traversal, clean", "etc/passwd/values", 404),
		r("NUL in dimension", "dimensions/plat%00form/values", 404, `"plat\x00form" is unknown`),
		r("invalid UTF-8 in dimension", "dimensions/%FF%FE/values", 404, `"\xff\xfe" is unknown`),
		r("huge dimension", "dimensions/"+strings.Repeat("d", 1<<20)+"/values", 404, "(1048576 bytes) is unknown"),
		r("fixed values", "dimensions/sender/values", 200),
		r("event values in a range", "dimensions/intent/values?from=1643673600000&to=1646092800000", 200),
		r("values without a range", "dimensions/intent/values", 200),
		r("empty from and to", "dimensions/intent/values?from=&to=", 200),
		r("from only", "dimensions/intent/values?from=1643673600000", 400, "from and to go together", "pass both"),
		r("to only", "dimensions/intent/values?to=1643673600000", 400, "from and to go together"),
		r("from after to", "dimensions/intent/values?from=1646092800000&to=1643673600000", 400, "is empty", "choose a later end"),
		r("from equals to", "dimensions/intent/values?from=1646092800000&to=1646092800000", 400, "is empty"),
		r("epoch to the largest int64", "dimensions/intent/values?from=0&to=9223372036854775807", 400, "outside the accepted range", "years 1970 to 9999"),
		r("negative from", "dimensions/intent/values?from=-1&to=1643673600000", 400, "outside the accepted range"),
		r("far future to", "dimensions/intent/values?from=0&to=300000000000000", 400, "outside the accepted range"),
		r("from overflows", "dimensions/intent/values?from=99999999999999999999&to=1", 400, "from", "is not in epoch milliseconds"),
		r("from as a float", "dimensions/intent/values?from=1.5e12&to=1646092800000", 400, "is not in epoch milliseconds"),
		r("from as a date", "dimensions/intent/values?from=2022-01-01&to=1646092800000", 400, "is not in epoch milliseconds"),
		r("from twice", "dimensions/intent/values?from=1&from=2&to=1646092800000", 400, "from is given 2 times", "pass it once"),
		r("NUL in from", "dimensions/intent/values?from=1%00&to=1646092800000", 400, `"1\x00" is not in epoch milliseconds`),
		r("huge from", "dimensions/intent/values?to=1&from="+strings.Repeat("9", 1<<20), 400, "(1048576 bytes) is not in epoch milliseconds"),
		r("range on fixed values", "dimensions/sender/values?from=0&to=9223372036854775807", 400, "outside the accepted range"),
	)
	return cases
}

// The hostile-input suite: every row through QueryData or CallResource on a
// real PostgreSQL. Input the user sent never answers 500 or 502; every error
// names its field, says how to fix it, and is bounded; the good query sent
// beside the bad ones still answers.
func TestHostileInput(t *testing.T) {
	ds := newDatasource(t, "chatbot_fixture")
	cases := hostileCases()
	require.GreaterOrEqual(t, len(cases), 200)
	t.Logf("%d hostile cases", len(cases))
	jan, feb := at("2022-01-01T00:00:00Z"), at("2022-02-01T00:00:00Z")

	const good = `{"metric":"active_users","queryType":"totals"}`
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "GOOD", JSON: json.RawMessage(good),
		TimeRange: backend.TimeRange{From: jan, To: feb}, Interval: time.Minute, MaxDataPoints: 1000}}}
	byRef := map[string]hostile{}
	for i, c := range cases {
		if c.query == "" {
			continue
		}
		from, to, mdp := jan, feb, int64(1000)
		if !c.from.IsZero() || !c.to.IsZero() {
			from, to = c.from, c.to
		}
		if strings.HasPrefix(c.name, "max data points") || c.name == "minute over ten years" {
			from, to, mdp = at("2012-01-01T00:00:00Z"), at("2022-01-01T00:00:00Z"), c.maxDataPoints
		}
		refID := fmt.Sprintf("Q%03d", i)
		byRef[refID] = c
		req.Queries = append(req.Queries, backend.DataQuery{RefID: refID, JSON: json.RawMessage(c.query),
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Second, MaxDataPoints: mdp})
	}
	resp, err := ds.QueryData(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, resp.Responses, len(req.Queries))
	require.NoError(t, resp.Responses["GOOD"].Error, "the good neighbour")
	require.Len(t, resp.Responses["GOOD"].Frames, 1)

	for refID, c := range byRef {
		r := resp.Responses[refID]
		status := int(r.Status)
		if r.Error == nil {
			status = http.StatusOK
		}
		message := ""
		if r.Error != nil {
			message = r.Error.Error()
		}
		checkAnswer(t, c, status, message)
		if r.Error != nil {
			require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, c.name)
		}
	}

	for _, c := range cases {
		if c.path == "" {
			continue
		}
		method := c.method
		if method == "" {
			method = http.MethodGet
		}
		response := callResource(t, ds, method, c.path)
		message := ""
		if response.Status >= 400 {
			var body errorResponse
			if err := json.Unmarshal(response.Body, &body); err == nil {
				message = body.Message
			} else {
				message = string(response.Body) // the router's own 404 and 405
			}
		}
		checkAnswer(t, c, response.Status, message)
	}
}

// checkAnswer checks one answer's status and message shape.
func checkAnswer(t *testing.T, c hostile, status int, message string) {
	t.Helper()
	assert.NotContains(t, []int{500, 502}, status, "%s: %s", c.name, message)
	assert.Equal(t, c.status, status, "%s: %s", c.name, message)
	assert.LessOrEqual(t, len(message), maxMessage, c.name)
	if status == http.StatusOK {
		assert.Empty(t, message, c.name)
		return
	}
	if len(c.says) > 0 {
		assert.Contains(t, message, ": ", "%s: what is wrong, then how to fix it", c.name)
	}
	for _, part := range c.says {
		assert.Contains(t, message, part, c.name)
	}
}
