package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// seriesRows is a time series' result as the statements return it: 706
// buckets of 9 series, every 7th value null, as numbered text and floats.
const seriesRows = `SELECT g / 9 + 1 AS bucket, 'inbox ' || g % 9 AS series,
	CASE WHEN g % 7 = 0 THEN NULL ELSE g * 0.25 END::float8 AS value
	FROM generate_series(0, 6353) g ORDER BY 1, 2`

// totalRows are a ranking's rows: a name, an id (null for the last) and a value (null for the first).
const totalRows = `SELECT * FROM (VALUES ('Ana', 7::bigint, NULL::float8), ('Bo', 3, 2.5), ('', NULL, 0)) r(series, series_id, value)`

// TestBucketedReaderAndReadTotaledReadEveryColumn reads rows from
// PostgreSQL with the typed readers and with pgx's struct reader they
// replace: the same values, nulls included, each its own.
func TestBucketedReaderAndReadTotaledReadEveryColumn(t *testing.T) {
	ctx := context.Background()
	pool := storetest.Pool(t)

	var typed, reflected []store.Bucketed
	require.NoError(t, store.Each(ctx, pool, seriesRows, nil, store.BucketedReader(), func(b store.Bucketed) bool { typed = append(typed, b); return true }))
	require.NoError(t, store.Each(ctx, pool, seriesRows, nil, pgx.RowToStructByPos[store.Bucketed], func(b store.Bucketed) bool { reflected = append(reflected, b); return true }))
	require.Len(t, typed, 6354)
	require.Equal(t, reflected, typed)
	require.Equal(t, store.Bucketed{Bucket: 1, Series: "inbox 0", Value: nil}, typed[0]) // g = 0
	require.Equal(t, "inbox 1", typed[1].Series)
	require.NotNil(t, typed[1].Value)
	require.InDelta(t, 0.25, *typed[1].Value, 0)
	require.Equal(t, 706, typed[6353].Bucket)
	// Values share blocks of memory, not a value: every row keeps its own.
	for i, row := range typed {
		if row.Value != nil {
			require.InDelta(t, float64(i)*0.25, *row.Value, 0, "row %d", i)
		}
	}

	var totals []store.Totaled
	require.NoError(t, store.Each(ctx, pool, totalRows, nil, store.ReadTotaled, func(r store.Totaled) bool { totals = append(totals, r); return true }))
	id7, id3, two5, zero := int64(7), int64(3), 2.5, 0.0
	require.Equal(t, []store.Totaled{{Series: "Ana", SeriesID: &id7}, {Series: "Bo", SeriesID: &id3, Value: &two5}, {Series: "", Value: &zero}}, totals)
}

// BenchmarkReadSeriesRows reads the 6,354 rows of a 90-day series by inbox
// in 3-hour buckets with each reader: the difference is the plugin's CPU
// per row (the statement itself is the same in both).
func BenchmarkReadSeriesRows(b *testing.B) {
	ctx := context.Background()
	pool := storetest.Pool(b)
	for name, reader := range map[string]func() pgx.RowToFunc[store.Bucketed]{
		"BucketedReader":   store.BucketedReader,
		"RowToStructByPos": func() pgx.RowToFunc[store.Bucketed] { return pgx.RowToStructByPos[store.Bucketed] },
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if err := store.Each(ctx, pool, seriesRows, nil, reader(), func(store.Bucketed) bool { n++; return true }); err != nil || n != 6354 {
					b.Fatal(n, err)
				}
			}
		})
	}
}
