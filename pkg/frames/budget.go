package frames

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// Budget bounds one answer while its rows are read: at most MaxBytes of
// frame data (as RecordsBuilder.Scan and TotaledBytes count it) and, when
// MaxRows is above 0, at most MaxRows rows. Reading stops at the first row that does
// not fit, so a result never has to be held whole; the frame then carries a
// warning notice saying why it is short.
type Budget struct {
	MaxBytes int64
	MaxRows  int64
	// Unit names what Take counts in the notice: "rows" when empty.
	Unit string

	bytes, rows int64
	cutByBytes  bool
	cutByRows   bool
}

// Take counts a row of size bytes and says whether it fits. A row that does
// not fit is not counted, and the caller stops reading.
func (b *Budget) Take(size int64) bool {
	if b.MaxRows > 0 && b.rows >= b.MaxRows {
		b.cutByRows = true
		return false
	}
	if b.MaxBytes > 0 && b.bytes+size > b.MaxBytes {
		b.cutByBytes = true
		return false
	}
	b.bytes += size
	b.rows++
	return true
}

// Cut says whether rows were left out.
func (b *Budget) Cut() bool { return b.cutByBytes || b.cutByRows }

// Bytes is the frame data taken so far.
func (b *Budget) Bytes() int64 { return b.bytes }

// Notices is the warning for an answer that was cut, none otherwise.
func (b *Budget) Notices() []data.Notice {
	var text string
	switch {
	case b.cutByRows:
		text = fmt.Sprintf("Results are limited to %d rows, Grafana's SQL row limit (row_limit in [sql_datasources], GF_SQL_ROW_LIMIT): "+
			"narrow the time range, add filters or lower the limit", b.rows)
	case b.cutByBytes:
		unit := b.Unit
		if unit == "" {
			unit = "rows"
		}
		text = fmt.Sprintf("Results are limited to the first %d %s: the next would take the answer over %s, the data source's maximum response size; "+
			"narrow the time range, add filters or lower the limit, or raise the maximum response size in the data source settings", b.rows, unit, sizeText(b.MaxBytes))
	default:
		return nil
	}
	return []data.Notice{{Severity: data.NoticeSeverityWarning, Text: text}}
}

func sizeText(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// What a value costs in a frame: a pointer in a nullable field, and what it
// points to (a string's header and bytes).
const (
	pointerBytes = 8
	stringBytes  = 16
)

// TotaledBytes is what a totals or ranking row costs in a frame: the group's
// name and id as text, and the value.
func TotaledBytes(row store.Totaled) int64 {
	return 2*stringBytes + int64(len(row.Series)) + 20 + pointerBytes + 8
}

// SeriesBytes is what a time series of buckets values named name costs in a
// frame: a nullable float per bucket, and the name four times (its label,
// display name, and both again in what Grafana receives).
func SeriesBytes(name string, buckets int64) int64 {
	return buckets*(pointerBytes+8) + 4*(stringBytes+int64(len(name)))
}
