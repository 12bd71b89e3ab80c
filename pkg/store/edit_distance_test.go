package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	return connectTo(t, storetest.URL(t))
}

// connectTo opens a connection closed when the test ends.
func connectTo(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	return conn
}

func TestEditDistanceExactValues(t *testing.T) {
	conn := connect(t)
	cases := []struct {
		name string
		a, b string
		want int
	}{
		// kitten -> sitten (k/s) -> sittin (e/i) -> sitting (+g).
		{"classic", "kitten", "sitting", 3},
		{"from empty: three insertions", "", "abc", 3},
		{"to empty: three deletions", "abc", "", 3},
		{"both empty", "", "", 0},
		{"equal", "same", "same", 0},
		// One substitution of one character, though é is two bytes in UTF-8.
		{"characters, not bytes", "café", "cafe", 1},
		// Delete the f, append an n: flaw -> law -> lawn.
		{"delete and insert", "flaw", "lawn", 2},
		// Insert one a anywhere; also a common prefix that covers a whole text.
		{"prefix is the whole of one", "aa", "aaa", 1},
		{"one is a prefix of the other", "abab", "ab", 2},
		// Every one of the 300 positions differs, so nothing is trimmed and the
		// whole 300 x 300 table is filled, beyond fuzzystrmatch's 255 limit.
		// Deleting the leading a and appending an a turns (ab)^150 into
		// (ba)^150: at most 2. Not 1: the lengths are equal, so one edit would
		// be a substitution, leaving 299 positions equal.
		{"300 characters, shifted by one", strings.Repeat("ab", 150), strings.Repeat("ba", 150), 2},
		// The second text has no b, so each of the first one's two b's costs at
		// least one edit; substituting both ends costs exactly two.
		{"300 characters, both ends changed", "b" + strings.Repeat("a", 298) + "b", "c" + strings.Repeat("a", 298) + "c", 2},
		// No character in common: every one of the 300 is substituted.
		{"300 two-byte characters, none in common", strings.Repeat("é", 300), strings.Repeat("e", 300), 300},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got int
			require.NoError(t, conn.QueryRow(context.Background(), "SELECT edit_distance($1, $2)", c.a, c.b).Scan(&got))
			require.Equal(t, c.want, got)
		})
	}

	t.Run("NULL gives NULL", func(t *testing.T) {
		var left, right, both *int
		require.NoError(t, conn.QueryRow(context.Background(),
			"SELECT edit_distance(NULL, 'abc'), edit_distance('abc', NULL), edit_distance(NULL, NULL)").Scan(&left, &right, &both))
		require.Nil(t, left)
		require.Nil(t, right)
		require.Nil(t, both)
	})
}

// levenshtein is the textbook full-table definition over runes, to check the
// SQL function (with its trimming and two rows) against.
func levenshtein(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			substitute := d[i-1][j-1]
			if s[i-1] != t[j-1] {
				substitute++
			}
			d[i][j] = min(substitute, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	return d[len(s)][len(t)]
}

func TestEditDistanceAgreesWithTheDefinitionOnRandomTexts(t *testing.T) {
	conn := connect(t)
	// A small alphabet with multibyte letters makes common prefixes, suffixes
	// and repeated characters frequent, where shortcuts would go wrong.
	alphabet := []rune("abcé€")
	random := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		r := make([]rune, random.IntN(25))
		for i := range r {
			r[i] = alphabet[random.IntN(len(alphabet))]
		}
		return string(r)
	}
	const pairs = 1000
	as, bs := make([]string, pairs), make([]string, pairs)
	for i := range as {
		as[i] = word()
		if random.IntN(2) == 0 {
			bs[i] = word()
		} else { // a small edit of a
			r := []rune(as[i])
			if len(r) > 0 {
				r[random.IntN(len(r))] = alphabet[random.IntN(len(alphabet))]
			}
			bs[i] = string(r) + string(alphabet[random.IntN(len(alphabet))])
		}
	}
	var got []int
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT array_agg(edit_distance(a, b) ORDER BY n) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(a, b, n)",
		as, bs).Scan(&got))
	for i := range as {
		require.Equal(t, levenshtein(as[i], bs[i]), got[i], "edit_distance(%q, %q)", as[i], bs[i])
	}
}

// insertAgent creates a workspace with one agent, the least an AI assist use
// needs (its conversation is optional), and returns the workspace's id.
func insertAgent(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	ctx := context.Background()
	var workspace int
	require.NoError(t, conn.QueryRow(ctx, "INSERT INTO workspaces (slug, name) VALUES ('acme', 'Acme') RETURNING id").Scan(&workspace))
	_, err := conn.Exec(ctx, "INSERT INTO agents (workspace_id, id, name) VALUES ($1, 1, 'Ana')", workspace)
	require.NoError(t, err)
	return workspace
}

// use is one row of ai_assist_uses; sent nil is a reply that was not sent.
type use struct {
	suggested  string
	sent       *string
	translated bool
}

// insertUse writes u and returns its id.
func insertUse(t *testing.T, conn *pgx.Conn, workspace int, u use) int64 {
	t.Helper()
	var id int64
	require.NoError(t, conn.QueryRow(context.Background(),
		`INSERT INTO ai_assist_uses (workspace_id, agent_id, tool, used_at, suggested_text, sent_text, translation_applied)
		 VALUES ($1, 1, 'ai_writer', '2022-01-03 10:00Z', $2, $3, $4) RETURNING id`,
		workspace, u.suggested, u.sent, u.translated).Scan(&id))
	return id
}

func accuracyOf(t *testing.T, conn *pgx.Conn, workspace int, id int64) *float64 {
	t.Helper()
	var accuracy *float64
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT accuracy FROM ai_assist_uses WHERE workspace_id = $1 AND id = $2", workspace, id).Scan(&accuracy))
	return accuracy
}

func ptr[T any](v T) *T { return &v }

// ratio is 1 - distance/longest computed in float64 at run time, as
// PostgreSQL computes it in float8, so the stored value compares exactly
// (a Go constant expression would be computed exactly, then rounded once).
func ratio(distance, longest int) *float64 {
	return ptr(1 - float64(distance)/float64(longest))
}

func TestAccuracyColumn(t *testing.T) {
	conn := connect(t)
	workspace := insertAgent(t, conn)
	cases := []struct {
		name string
		use  use
		want *float64
	}{
		// edit_distance 3, longer text 7 characters: 1 - 3/7 = 4/7, about 0.5714.
		{"edited", use{"kitten", ptr("sitting"), false}, ratio(3, 7)},
		// edit_distance 1 over 4 characters (é counts once): 1 - 1/4 = 0.75.
		{"characters, not bytes", use{"café", ptr("cafe"), false}, ptr(0.75)},
		// Everything deleted: distance 3 over 3 characters, 1 - 3/3 = 0.
		{"sent empty", use{"abc", ptr(""), false}, ptr(0.0)},
		// Sent as suggested: distance 0, 1 - 0/n = 1.
		{"identical", use{"Your order ships today.", ptr("Your order ships today."), false}, ptr(1.0)},
		// No characters on either side: identical, so 1 and not 0/0.
		{"both empty", use{"", ptr(""), false}, ptr(1.0)},
		// The reply was not sent: the metric leaves the use out.
		{"not sent", use{"kitten", nil, false}, nil},
		// Translated: the distance would measure the translation, not the suggestion.
		{"translation applied", use{"kitten", ptr("gatito"), true}, nil},
		{"translation applied, not sent", use{"kitten", nil, true}, nil},
	}
	ids := make([]int64, len(cases))
	for i, c := range cases {
		ids[i] = insertUse(t, conn, workspace, c.use)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, accuracyOf(t, conn, workspace, ids[i]))
		})
	}

	t.Run("the metric is avg(accuracy), which skips the uses left out", func(t *testing.T) {
		// Over the rows above: (4/7 + 0.75 + 0 + 1 + 1) / 5; the three NULLs are not counted.
		want := (*ratio(3, 7) + 0.75 + 0 + 1 + 1) / 5
		var got float64
		require.NoError(t, conn.QueryRow(context.Background(),
			"SELECT avg(accuracy) FROM ai_assist_uses WHERE workspace_id = $1", workspace).Scan(&got))
		require.InDelta(t, want, got, 1e-15, "summation order may differ in the last bit")
	})

	t.Run("follows an update of the texts", func(t *testing.T) {
		id := insertUse(t, conn, workspace, use{"flaw", nil, false})
		_, err := conn.Exec(context.Background(),
			"UPDATE ai_assist_uses SET sent_text = 'lawn' WHERE workspace_id = $1 AND id = $2", workspace, id)
		require.NoError(t, err)
		// edit_distance('flaw', 'lawn') = 2 over 4 characters: 1 - 2/4 = 0.5.
		require.Equal(t, ptr(0.5), accuracyOf(t, conn, workspace, id))
	})

	t.Run("cannot be written", func(t *testing.T) {
		_, err := conn.Exec(context.Background(),
			`INSERT INTO ai_assist_uses (workspace_id, agent_id, tool, used_at, suggested_text, sent_text, accuracy)
			 VALUES ($1, 1, 'ai_writer', now(), 'a', 'a', 0.5)`, workspace)
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "got %v", err)
		require.Equal(t, "428C9", pgErr.Code, "generated_always: %s", pgErr.Message)
	})
}

func TestMigratingFromVersion1ComputesTheAccuracyOfExistingUses(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	migrations, err := store.Migrations()
	require.NoError(t, err)
	require.Equal(t, "ai_assist_accuracy", migrations[1].Name)

	// Rebuild the database as version 1 left it, holding uses.
	_, err = conn.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
	require.NoError(t, err)
	_, err = store.MigrateTo(ctx, conn, 1)
	require.NoError(t, err)
	workspace := insertAgent(t, conn)
	edited := insertUse(t, conn, workspace, use{"kitten", ptr("sitting"), false})
	unsent := insertUse(t, conn, workspace, use{"kitten", nil, false})

	applied, err := store.Migrate(ctx, conn)
	require.NoError(t, err)
	require.Len(t, applied, len(migrations)-1, "every migration after 1")
	require.Equal(t, 2, applied[0].Version)
	// 1 - 3/7, as in TestAccuracyColumn; the unsent use stays NULL.
	require.Equal(t, ratio(3, 7), accuracyOf(t, conn, workspace, edited))
	require.Nil(t, accuracyOf(t, conn, workspace, unsent))
}
