package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// sortedSets are n sorted arrays of up to longest values drawn by value,
// some empty.
func sortedSets(rng *rand.Rand, n, longest int, value func() int64) [][]int64 {
	sets := make([][]int64, n)
	for i := range sets {
		set := make([]int64, rng.IntN(longest+1))
		for j := range set {
			set[j] = value()
		}
		slices.Sort(set)
		sets[i] = set
	}
	return sets
}

// sortedPercentiles are sorted_us_percentile_cont(fraction, n, sets) and
// percentile_cont over every value of sets unnested, both as PostgreSQL
// gives them; valid is false when the sets hold no value.
func sortedPercentiles(t *testing.T, conn *pgx.Conn, fraction float64, sets [][]int64) (binary, sorted float64, valid bool) {
	t.Helper()
	var b, s *float64
	require.NoError(t, conn.QueryRow(context.Background(), `
		WITH sets AS (SELECT ROW(s.us)::sorted_us AS set FROM jsonb_array_elements($2::jsonb) e,
			LATERAL (SELECT ARRAY(SELECT v::bigint FROM jsonb_array_elements_text(e) v) AS us) s)
		SELECT sorted_us_percentile_cont($1, (SELECT sum(cardinality((set).us)) FROM sets), (SELECT array_agg(set) FROM sets)),
			(SELECT percentile_cont($1) WITHIN GROUP (ORDER BY x.v / 1000000::float8) FROM sets, unnest((set).us) x(v))`,
		fraction, sets).Scan(&b, &s))
	if s == nil {
		require.Nil(t, b)
		return 0, 0, false
	}
	require.NotNil(t, b)
	return *b, *s, true
}

// The percentile found by binary search in sorted arrays is percentile_cont
// over their values to the last bit: few and many arrays, short and long,
// spread and clustered values (where the sample places the range well and
// where it does not), many equal ones, negative ones and bigint's extremes.
func TestSortedPercentileIsPercentileCont(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	rng := rand.New(rand.NewPCG(30, 1))

	values := map[string]func() int64{
		"seconds to hours":   func() int64 { return rng.Int64N(3_600_000_000) },
		"long tail":          func() int64 { return int64(1e6 / (rng.Float64() + 1e-4)) },
		"few distinct":       func() int64 { return rng.Int64N(5) * 1_000_000 },
		"all equal":          func() int64 { return 42 },
		"negative":           func() int64 { return rng.Int64N(2_000_000) - 1_000_000 },
		"bigint's extremes":  func() int64 { return []int64{-1 << 63, 1<<63 - 1, 0}[rng.IntN(3)] },
		"clustered and wide": func() int64 { return []int64{rng.Int64N(1000), 1 << 50}[rng.IntN(2)] + rng.Int64N(3) },
	}
	checked, large := 0, 0
	for name, value := range values {
		for _, shape := range []struct{ sets, longest int }{{0, 0}, {1, 400}, {3, 400}, {40, 400}, {120, 400}, {1500, 4}, {300, 3000}} {
			sets := sortedSets(rng, shape.sets, shape.longest, value)
			total := 0
			for _, s := range sets {
				total += len(s)
			}
			for _, fraction := range []float64{0, 0.5, 0.9, 0.99, 1} {
				binary, sorted, valid := sortedPercentiles(t, conn, fraction, sets)
				if !valid {
					require.Zero(t, total, name)
					continue
				}
				require.Equal(t, sorted, binary, "%s: %d sets, %d values, fraction %v", name, shape.sets, total, fraction)
				checked++
				if total > 2048 {
					large++
				}
			}
		}
	}
	require.Greater(t, checked, 100)
	require.Greater(t, large, 50, "sets large enough to be narrowed by binary search")
}

// The function's statements take the generic plan from its first call
// (migration 35): custom plans would copy every array of the group into
// each of them at a connection's first five calls.
func TestSortedPercentilePlansItsStatementsOnce(t *testing.T) {
	var config []string
	require.NoError(t, storetest.Pool(t).QueryRow(context.Background(), `SELECT proconfig FROM pg_proc
		WHERE oid = 'sorted_us_percentile_cont(float8, bigint, sorted_us[])'::regprocedure`).Scan(&config))
	require.ElementsMatch(t, []string{"jit=off", "plan_cache_mode=force_generic_plan"}, config)
}
