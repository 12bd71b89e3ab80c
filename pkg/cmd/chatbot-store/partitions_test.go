package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func TestPartitionsCommand(t *testing.T) {
	ctx := context.Background()
	defer func(saved func() time.Time) { now = saved }(now)
	now = func() time.Time { return time.Date(2031, time.May, 15, 12, 0, 0, 0, time.FixedZone("BRT", -3*3600)) }
	url := storetest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	var out bytes.Buffer

	// The loader creates the partitions of its period before it copies: 8
	// days from 2022-01-01, with contacts writing up to 60 days earlier.
	require.NoError(t, run(ctx, []string{"seed", "-database-url", url, "-contacts", "50", "-days", "8"}, &out))
	var months []string
	require.NoError(t, conn.QueryRow(ctx, "SELECT array_agg(DISTINCT tableoid::regclass::text ORDER BY tableoid::regclass::text) FROM messages").Scan(&months))
	require.Subset(t, []string{"messages_2021_11", "messages_2021_12", "messages_2022_01"}, months, "no message waits in messages_default")
	require.Contains(t, months, "messages_2022_01")

	// May 2031 (UTC) and the two months after it.
	out.Reset()
	require.NoError(t, run(ctx, []string{"partitions", "-database-url", url, "-ahead", "2"}, &out))
	require.Equal(t, "created messages_2031_05\ncreated messages_2031_06\ncreated messages_2031_07\n", out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"partitions", "-database-url", url, "-ahead", "2"}, &out))
	require.Equal(t, "every month from 2031-05 to 2031-07 already has its partition\n", out.String())

	// A message of a month without a partition is reported, then moved by -from.
	_, err = conn.Exec(ctx, `INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at)
		SELECT workspace_id, id, contact_id, 'outbound', 'bot', '2030-12-24 10:00Z' FROM conversations LIMIT 1`)
	require.NoError(t, err)
	out.Reset()
	require.NoError(t, run(ctx, []string{"partitions", "-database-url", url, "-ahead", "2"}, &out))
	require.Equal(t, "every month from 2031-05 to 2031-07 already has its partition\n"+
		"messages_default still holds 1 row of months without a partition: run again with -from set to their first month\n", out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"partitions", "-database-url", url, "-from", "2030-12", "-ahead", "0"}, &out))
	require.Equal(t, "created messages_2030_12\ncreated messages_2031_01\ncreated messages_2031_02\ncreated messages_2031_03\ncreated messages_2031_04\n", out.String())

	for args, want := range map[string][]string{
		"-ahead -1: give 0 to 120 months":                                                       {"-ahead", "-1"},
		`-from "2030/12" is not a month: use YYYY-MM, such as 2024-01`:                          {"-from", "2030/12"},
		"-from 2031-09 is after the last month to create, 2031-07: lower -from or raise -ahead": {"-from", "2031-09", "-ahead", "2"},
	} {
		require.EqualError(t, run(ctx, append([]string{"partitions", "-database-url", url}, want...), &out), args)
	}
}
