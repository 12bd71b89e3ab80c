package plugin

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The worked example of the metric contract, January 2022 with month buckets:
// 445 active users (416 whatsapp, 29 webchat), 406 of the 416 new on whatsapp,
// and 473 whatsapp and 69 webchat users in total by the end of January.
func TestUsageWorkedExampleJanuary2022(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"

	active, buckets := series(t, ask(t, ds, `{"metric":"active_users","groupBy":"platform","interval":"month"}`, jan, feb))
	sameInstants(t, times(jan), buckets)
	require.Equal(t, map[string][]float64{"whatsapp": {416}, "webchat": {29}}, active)

	all, _ := series(t, ask(t, ds, `{"metric":"active_users","interval":"month"}`, jan, feb))
	require.Equal(t, map[string][]float64{"Active users": {445}}, all)

	newUsers, _ := series(t, ask(t, ds, `{"metric":"new_users","groupBy":"platform","interval":"month"}`, jan, feb))
	require.Equal(t, map[string][]float64{"whatsapp": {406}, "webchat": {20}}, newUsers)

	total, _ := series(t, ask(t, ds, `{"metric":"total_users","groupBy":"platform","interval":"month"}`, jan, feb))
	require.Equal(t, map[string][]float64{"whatsapp": {473}, "webchat": {69}}, total)
}

// Messages in January 2022: inbound 10 + 406*2 on whatsapp and 9 + 20*3 on
// webchat; outbound 822 + 29 from the bot, 10 from the agent, 5 broadcasts.
func TestUsageMessagesReceivedAndSentBySender(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const jan, feb = "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"

	received, _ := series(t, ask(t, ds, `{"metric":"messages_received","groupBy":"platform","interval":"month"}`, jan, feb))
	require.Equal(t, map[string][]float64{"whatsapp": {822}, "webchat": {69}}, received)

	sent, _ := series(t, ask(t, ds, `{"metric":"messages_sent","groupBy":"sender","interval":"month"}`, jan, feb))
	require.Equal(t, map[string][]float64{"bot": {851}, "agent": {10}, "broadcast": {5}}, sent)

	botOnWebchat, _ := series(t, ask(t, ds, `{"metric":"messages_sent","interval":"month",
		"filters":[{"dimension":"sender","values":["bot"]},{"dimension":"platform","values":["webchat"]}]}`, jan, feb))
	require.Equal(t, map[string][]float64{"Messages sent": {29}}, botOnWebchat)

	humanOrCampaign, _ := series(t, ask(t, ds, `{"metric":"messages_sent","interval":"month",
		"filters":[{"dimension":"sender","values":["agent","broadcast"]}]}`, jan, feb))
	require.Equal(t, map[string][]float64{"Messages sent": {15}}, humanOrCampaign)

	all, _ := series(t, ask(t, ds, `{"metric":"total_messages","interval":"month"}`, jan, feb))
	require.Equal(t, map[string][]float64{"Total messages": {891 + 866}}, all)
}

// Several months: empty buckets are 0, the running total carries on, and
// returning users are active but not new.
func TestUsageAcrossMonthsFillsEmptyBucketsAndCarriesTotals(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const from, to = "2021-12-01T00:00:00Z", "2022-04-01T00:00:00Z"

	active, buckets := series(t, ask(t, ds, `{"metric":"active_users","groupBy":"platform","interval":"month"}`, from, to))
	sameInstants(t, times(from, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z", "2022-03-01T00:00:00Z"), buckets)
	require.Equal(t, map[string][]float64{"whatsapp": {67, 416, 5, 1}, "webchat": {0, 29, 0, 0}}, active)

	newUsers, _ := series(t, ask(t, ds, `{"metric":"new_users","groupBy":"platform","interval":"month"}`, from, to))
	require.Equal(t, map[string][]float64{"whatsapp": {67, 406, 0, 1}, "webchat": {0, 20, 0, 0}}, newUsers)

	// webchat's 49 users from November 2021 count from the beginning of the store.
	total, _ := series(t, ask(t, ds, `{"metric":"total_users","groupBy":"platform","interval":"month"}`, from, to))
	require.Equal(t, map[string][]float64{"whatsapp": {67, 473, 473, 474}, "webchat": {49, 69, 69, 69}}, total)
}

// A message at 2022-01-31 23:30 UTC is February in Asia/Tokyo (UTC+9): contact
// 473 moves from January to February there.
func TestUsageMonthsInTokyo(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const tokyoJan, tokyoFeb, tokyoMar = "2021-12-31T15:00:00Z", "2022-01-31T15:00:00Z", "2022-02-28T15:00:00Z"
	query := func(metric string) string {
		return `{"metric":"` + metric + `","groupBy":"platform","interval":"month","timezone":"Asia/Tokyo"}`
	}

	active, buckets := series(t, ask(t, ds, query("active_users"), tokyoJan, tokyoMar))
	sameInstants(t, times(tokyoJan, tokyoFeb), buckets)
	require.Equal(t, map[string][]float64{"whatsapp": {415, 6}, "webchat": {29, 0}}, active)

	newUsers, _ := series(t, ask(t, ds, query("new_users"), tokyoJan, tokyoMar))
	require.Equal(t, map[string][]float64{"whatsapp": {405, 1}, "webchat": {20, 0}}, newUsers)

	total, _ := series(t, ask(t, ds, query("total_users"), tokyoJan, tokyoMar))
	require.Equal(t, map[string][]float64{"whatsapp": {472, 473}, "webchat": {69, 69}}, total)

	// In UTC the same range starts in December and puts 473 in January.
	utcActive, utcBuckets := series(t, ask(t, ds, `{"metric":"active_users","groupBy":"platform","interval":"month"}`, tokyoJan, tokyoMar))
	sameInstants(t, times("2021-12-01T00:00:00Z", "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"), utcBuckets)
	require.Equal(t, map[string][]float64{"whatsapp": {67, 416, 5}, "webchat": {0, 29, 0}}, utcActive)
}

// Madrid's 2022-03-27 has 23 hours: its day bucket runs from 23:00 UTC on the
// 26th to 22:00 UTC on the 27th, and holds two of contact 479's messages.
func TestUsageDaysAcrossADaylightSavingChange(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const from, to = "2022-03-25T23:00:00Z", "2022-03-28T22:00:00Z"

	madrid, buckets := series(t, ask(t, ds, `{"metric":"messages_received","interval":"day","timezone":"Europe/Madrid"}`, from, to))
	sameInstants(t, times("2022-03-25T23:00:00Z", "2022-03-26T23:00:00Z", "2022-03-27T22:00:00Z"), buckets)
	require.Equal(t, map[string][]float64{"Messages received": {0, 2, 1}}, madrid)

	utc, utcBuckets := series(t, ask(t, ds, `{"metric":"messages_received","interval":"day","timezone":"UTC"}`, from, to))
	sameInstants(t, times("2022-03-25T00:00:00Z", "2022-03-26T00:00:00Z", "2022-03-27T00:00:00Z", "2022-03-28T00:00:00Z"), utcBuckets)
	require.Equal(t, map[string][]float64{"Messages received": {0, 1, 2, 0}}, utc)
}

// A range without activity answers zeros in every bucket, and the running total
// still counts every user up to each bucket's end (474 whatsapp + 69 webchat).
func TestUsageEmptyRange(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const from, to = "2023-01-01T00:00:00Z", "2023-03-01T00:00:00Z"

	active, buckets := series(t, ask(t, ds, `{"metric":"active_users","interval":"month"}`, from, to))
	sameInstants(t, times(from, "2023-02-01T00:00:00Z"), buckets)
	require.Equal(t, map[string][]float64{"Active users": {0, 0}}, active)

	byPlatform, _ := series(t, ask(t, ds, `{"metric":"active_users","groupBy":"platform","interval":"month"}`, from, to))
	require.Empty(t, byPlatform, "no platform had activity, so there is no series to draw")

	total, _ := series(t, ask(t, ds, `{"metric":"total_users","interval":"month"}`, from, to))
	require.Equal(t, map[string][]float64{"Total users": {543, 543}}, total)
}

// Workspace "other" has three users in January 2022; seen from its own data
// source it counts exactly those, and acme's counts above never include them.
func TestUsageStaysInsideTheWorkspace(t *testing.T) {
	url := fixtureURL(t, "usage_fixture")
	instance, err := NewDatasource(t.Context(), instanceSettings(t, url, "other"))
	require.NoError(t, err)
	other := instance.(*Datasource)
	defer other.Dispose()

	active, _ := series(t, ask(t, other, `{"metric":"active_users","groupBy":"platform","interval":"month"}`,
		"2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"))
	require.Equal(t, map[string][]float64{"whatsapp": {3}}, active)
}

// Peak messages per minute: on 2022-01-10 the whatsapp newcomers write every
// minute and again 15 minutes later (4 messages a minute with the bot's
// replies), and the agent's replies of contacts 68-77 add a fifth message at
// 03:08-03:17: the earliest of those minutes is the peak. February peaks at 2
// (contact 1 and the bot at 00:01 on the 14th), March at 1 (contact 479).
func TestPeakMessagesPerMinute(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const jan, apr = "2022-01-01T00:00:00Z", "2022-04-01T00:00:00Z"
	peak, _ := series(t, ask(t, ds, `{"metric":"peak_messages_per_minute","interval":"month"}`, jan, apr))
	require.Equal(t, map[string][]float64{"Peak messages per minute": {5, 2, 1}}, peak)

	minute, _ := series(t, ask(t, ds, `{"metric":"peak_minute","interval":"month"}`, jan, apr))
	require.Equal(t, map[string][]float64{"Peak time": {
		float64(at("2022-01-10T03:08:00Z").UnixMilli()),
		float64(at("2022-02-14T00:01:00Z").UnixMilli()),
		float64(at("2022-03-26T23:30:00Z").UnixMilli()),
	}}, minute)

	// Over February and March together the peak is February's.
	total := rows(t, ask(t, ds, `{"queryType":"totals","metric":"peak_minute"}`, "2022-02-01T00:00:00Z", apr))
	require.Equal(t, [][2]any{{"", float64(at("2022-02-14T00:01:00Z").UnixMilli())}}, total)
}

// Returning users are active users who first wrote before the bucket: in
// January 2022 whatsapp contacts 1..10 and webchat 1001..1009 (first wrote in
// December and November), in February whatsapp 1..5; contact 479 first wrote
// in March, so March has none. Active = new + returning in every bucket.
func TestReturningUsers(t *testing.T) {
	ds := newDatasource(t, "usage_fixture")
	const from, to = "2021-12-01T00:00:00Z", "2022-04-01T00:00:00Z"

	returning, _ := series(t, ask(t, ds, `{"metric":"returning_users","groupBy":"platform","interval":"month"}`, from, to))
	require.Equal(t, map[string][]float64{"whatsapp": {0, 10, 5, 0}, "webchat": {0, 9, 0, 0}}, returning)

	active, _ := series(t, ask(t, ds, `{"metric":"active_users","interval":"month"}`, from, to))
	newUsers, _ := series(t, ask(t, ds, `{"metric":"new_users","interval":"month"}`, from, to))
	all, _ := series(t, ask(t, ds, `{"metric":"returning_users","interval":"month"}`, from, to))
	for k := range active["Active users"] {
		require.Equal(t, active["Active users"][k], newUsers["New users"][k]+all["Returning users"][k], "month %d", k)
	}
	require.Equal(t, []float64{0, 19, 5, 0}, all["Returning users"])

	// In Tokyo contact 473's first messages (2022-01-31 23:30 UTC) are in
	// February: new there, not returning.
	tokyo, _ := series(t, ask(t, ds, `{"metric":"returning_users","groupBy":"platform","interval":"month","timezone":"Asia/Tokyo",
		"filters":[{"dimension":"platform","values":["whatsapp"]}]}`, "2022-01-01T00:00:00+09:00", "2022-03-01T00:00:00+09:00"))
	require.Equal(t, map[string][]float64{"whatsapp": {10, 5}}, tokyo)

	// Madrid days: contact 479 first wrote on the 27th (23:30 UTC on the 26th),
	// wrote again on the 27th (new that day, not returning) and on the 28th
	// (22:30 UTC on the 27th): returning on the 28th only.
	madrid, _ := series(t, ask(t, ds, `{"metric":"returning_users","interval":"day","timezone":"Europe/Madrid"}`,
		"2022-03-26T00:00:00+01:00", "2022-03-29T00:00:00+02:00"))
	require.Equal(t, map[string][]float64{"Returning users": {0, 0, 1}}, madrid)

	// Totals over 2022-01-10 01:20-01:30: whatsapp contact g (68..472) writes
	// at 00:00 + g minutes and 15 minutes later. Contacts 68..74 wrote first
	// at 01:08..01:14, before the range, and again inside it: returning.
	// Contacts 80..89 wrote first inside it: new, not returning.
	totals := rows(t, ask(t, ds, `{"queryType":"totals","metric":"returning_users","groupBy":"platform"}`,
		"2022-01-10T01:20:00Z", "2022-01-10T01:30:00Z"))
	require.Equal(t, [][2]any{{"whatsapp", 7.0}}, totals)
}
