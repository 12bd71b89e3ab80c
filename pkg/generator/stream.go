package generator

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// The load of a workspace is an external sort, so that memory does not grow
// with the number of contacts:
//
//  1. Planning keeps 16 bytes a contact (person) and 16 a campaign recipient.
//  2. The contacts are simulated chunkContacts at a time. For the tables whose
//     ids others refer to (contacts, conversations, messages, assignments),
//     each chunk's times go, sorted, to a spill file: one sorted run a chunk.
//     Template sends' times and costs go to another, for the credit ledger.
//  3. Merging each table's runs by (time, run) numbers its rows: the n-th row
//     merged gets id n, what sorting every row in memory gave. The ids are
//     written back per run (idFile).
//  4. The contacts are simulated again, from the same random streams, so each
//     chunk's rows come out the same; with the chunk's ids read back, every
//     row is complete, and goes, encoded as a COPY tuple, into a sorted run
//     of its table's spill file.
//  5. Each table is loaded with one COPY whose rows come from the merge of
//     its runs, the merge's position becoming the row's id.
//
// Memory is a chunk's rows, a read buffer per run while merging, and the
// planning arrays; the rows themselves sit in temporary files under
// os.TempDir ($TMPDIR), removed when the load ends, however it ends.

// chunkContacts is how many contacts are simulated at a time: a chunk's rows
// take about 20 MB in memory; more chunks mean more runs (and read buffers)
// to merge. Tests lower it to merge many runs.
var chunkContacts = 8192

// copyBatchRows is the most rows one COPY statement loads (0: a table in one
// statement); see copyMerged.
var copyBatchRows = 0

// spillDirPattern names the temporary directory of a load.
const spillDirPattern = "chatbot-generator-"

// spilled is a table whose rows go through a spill file.
type spilled struct {
	table   string
	columns []string
	hasID   bool // columns[1] is the id: the merge numbers the rows
	// n, at and fill describe the chunk's rows: how many, row i's time, and
	// row i's values (fill leaves the id to the merge unless the row is of a
	// numbered table).
	n    func() int
	at   func(i int) int64
	fill func(i int, row []any)

	file *spillFile
	oids []uint32 // the columns' types, for encoding
}

// load generates the workspace and loads it into tx, wsID being its id.
func (w *world) load(ctx context.Context, tx pgx.Tx, wsID int32, rows map[string]int64) (err error) {
	dir, err := os.MkdirTemp("", spillDirPattern)
	if err != nil {
		return fmt.Errorf("creating a temporary directory for the rows: %w", err)
	}
	var files []*spillFile
	defer func() {
		for _, f := range files {
			_ = f.close()
		}
		if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
			err = fmt.Errorf("removing the temporary files: %w", rmErr)
		}
	}()
	spill := func(name string) (*spillFile, error) {
		f, err := newSpillFile(dir, name)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}

	w.plan()

	// Pass 1: the times of the numbered tables' rows, and the template sends.
	keyed := []struct {
		name string
		n    func() int
		at   func(i int) int64
		file *spillFile
		ids  *idFile
	}{
		{name: "contacts", n: func() int { return len(w.contacts) }, at: func(i int) int64 { return w.contacts[i].created }},
		{name: "conversations", n: func() int { return len(w.convs) }, at: func(i int) int64 { return w.convs[i].started }},
		{name: "messages", n: func() int { return len(w.msgs) }, at: func(i int) int64 { return w.msgs[i].at }},
		{name: "assignments", n: func() int { return len(w.assigns) }, at: func(i int) int64 { return w.assigns[i].created }},
	}
	for i := range keyed {
		if keyed[i].file, err = spill("times-" + keyed[i].name); err != nil {
			return err
		}
	}
	sends, err := spill("template-sends")
	if err != nil {
		return err
	}
	var cost [8]byte
	err = w.simulate(PhaseSimulating, func(int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, k := range keyed {
			k.file.beginRun()
			for _, i := range timeOrder(k.n(), w.lo, k.at) {
				if err := k.file.add(k.at(int(i)), nil); err != nil {
					return fmt.Errorf("writing a temporary file: %w", err)
				}
			}
			if err := k.file.endRun(); err != nil {
				return fmt.Errorf("writing a temporary file: %w", err)
			}
		}
		sends.beginRun()
		for _, i := range timeOrder(len(w.sends), w.lo, func(i int) int64 { return w.sends[i].at }) {
			s := &w.sends[i]
			binary.LittleEndian.PutUint64(cost[:], uint64(s.cost))
			if err := sends.add(s.at, cost[:]); err != nil {
				return fmt.Errorf("writing a temporary file: %w", err)
			}
		}
		return sends.endRun()
	})
	if err != nil {
		return err
	}

	// Numbering: the ids of each run's rows, in the run's order.
	for i := range keyed {
		keyed[i].ids, err = numberRuns(dir, keyed[i].name, keyed[i].file)
		if keyed[i].ids != nil {
			files = append(files, &spillFile{f: keyed[i].ids.f}) // closed with the others
		}
		if err != nil {
			return err
		}
	}
	err = w.makeLedger(func(each func(at, cost int64)) error {
		m, err := sends.merge()
		if err != nil {
			return err
		}
		for {
			at, payload, _, ok, err := m.next()
			if err != nil || !ok {
				return err
			}
			each(at, int64(binary.LittleEndian.Uint64(payload)))
		}
	})
	if err != nil {
		return err
	}

	// Pass 2: every row, complete, in sorted runs of COPY tuples.
	tables := w.spilledTables(wsID)
	for _, t := range tables {
		if t.file, err = spill("rows-" + t.table); err != nil {
			return err
		}
		if t.oids, err = columnTypes(ctx, tx, t.table, t.columns); err != nil {
			return err
		}
	}
	typeMap := tx.Conn().TypeMap()
	var idBuf []int32
	var tuple []byte
	err = w.simulate(PhaseSorting, func(run int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		orders := make([][]int32, len(keyed))
		for ki, k := range keyed {
			order := timeOrder(k.n(), w.lo, k.at)
			seq, err := k.ids.run(run, idBuf)
			if err != nil {
				return err
			}
			if len(seq) != len(order) {
				return fmt.Errorf("the second simulation of the %s differs from the first (%d rows instead of %d)", k.name, len(order), len(seq))
			}
			ids := make([]int32, len(order))
			for pos, i := range order {
				ids[i] = seq[pos]
			}
			orders[ki] = order
			idBuf = seq
			switch ki {
			case 0:
				w.contactIDs = numbering{ids: ids, base: w.contactBase}
			case 1:
				w.convIDs = numbering{ids: ids}
			case 2:
				w.msgIDs = numbering{ids: ids}
			case 3:
				w.assignmentIDs = numbering{ids: ids}
			}
		}
		for ti, t := range tables {
			var order []int32
			if ti < len(orders) {
				order = orders[ti] // the numbered tables come first, in keyed's order
			} else {
				order = timeOrder(t.n(), w.lo, t.at)
			}
			row := make([]any, len(t.columns))
			t.file.beginRun()
			for _, i := range order {
				t.fill(int(i), row)
				tuple, err = encodeTuple(typeMap, t.oids, row, tuple[:0])
				if err != nil {
					return fmt.Errorf("encoding a row of %s: %w", t.table, err)
				}
				if err := t.file.add(t.at(int(i)), tuple); err != nil {
					return fmt.Errorf("writing a temporary file: %w", err)
				}
			}
			if err := t.file.endRun(); err != nil {
				return fmt.Errorf("writing a temporary file: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.contactIDs, w.convIDs, w.msgIDs, w.assignmentIDs = numbering{}, numbering{}, numbering{}, numbering{}
	w.resetChunk()

	byName := map[string]*spilled{}
	for _, t := range tables {
		byName[t.table] = t
	}
	return w.copyAll(ctx, tx, wsID, rows, byName)
}

// columnTypes are the types of table's columns, as COPY expects them.
func columnTypes(ctx context.Context, tx pgx.Tx, table string, columns []string) ([]uint32, error) {
	sd, err := tx.Conn().Prepare(ctx, "", fmt.Sprintf("SELECT %s FROM %s", quoteColumns(columns), pgx.Identifier{table}.Sanitize()))
	if err != nil {
		return nil, fmt.Errorf("reading the column types of %s: %w", table, err)
	}
	oids := make([]uint32, len(sd.Fields))
	for i, f := range sd.Fields {
		oids[i] = f.DataTypeOID
	}
	return oids, nil
}

func quoteColumns(columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(quoted, ", ")
}

// encodeTuple appends row as a tuple of COPY's binary format, encoded as
// pgx's CopyFrom encodes it: a field count, then each field's length (-1 for
// NULL) and bytes.
func encodeTuple(m *pgtype.Map, oids []uint32, row []any, buf []byte) ([]byte, error) {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(row)))
	for i, v := range row {
		at := len(buf)
		buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
		out, err := m.Encode(oids[i], pgtype.BinaryFormatCode, v, buf)
		if err != nil {
			return nil, err
		}
		if out != nil {
			buf = out
			binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
		}
	}
	return buf, nil
}

// copyHeader starts COPY's binary format: signature, flags, header extension.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyTrailer ends it.
var copyTrailer = []byte{0xff, 0xff}

// copyMerged loads t with COPY statements fed by the merge of its runs, at
// most copyBatchRows rows each.
func copyMerged(ctx context.Context, tx pgx.Tx, rows map[string]int64, progress *tracker, t *spilled) error {
	m, err := t.file.merge()
	if err != nil {
		return fmt.Errorf("copying %s: %w", t.table, err)
	}
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT binary)", pgx.Identifier{t.table}.Sanitize(), quoteColumns(t.columns))
	src := &mergeSource{m: m, patchID: t.hasID, progress: progress}
	progress.copying(t.table)
	for more := true; more; {
		src.start(copyBatchRows)
		tag, err := tx.Conn().PgConn().CopyFrom(ctx, src, sql)
		progress.resume()
		rows[t.table] += tag.RowsAffected()
		if err != nil {
			return fmt.Errorf("copying %s: %w", t.table, err)
		}
		more = !src.merged
	}
	return nil
}

// mergeSource is the byte stream of COPY statements in binary format whose
// tuples come from a merge, the n-th tuple getting id n when the table has
// ids. Each statement (start) ends after a number of tuples or the merge's last.
type mergeSource struct {
	m        *merger
	patchID  bool
	id       int64
	pending  []byte
	left     int  // tuples this statement may still take; < 0: no limit
	ended    bool // this statement's trailer is pending or sent
	merged   bool // the merge is exhausted
	progress *tracker
}

// start begins a statement of at most limit tuples (0: all that are left).
func (s *mergeSource) start(limit int) {
	s.pending, s.ended, s.left = copyHeader, false, limit
	if limit <= 0 {
		s.left = -1
	}
}

// errIDOrder means the merge gave a numbered table's rows in another order
// than the one their ids were given in: a bug, caught before it is loaded.
var errIDOrder = errors.New("rows merged out of id order")

func (s *mergeSource) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.pending) > 0 {
			c := copy(p[n:], s.pending)
			s.pending = s.pending[c:]
			n += c
			continue
		}
		if s.ended {
			break
		}
		if s.left == 0 {
			s.pending, s.ended = copyTrailer, true
			s.progress.summarising()
			continue
		}
		_, tuple, _, ok, err := s.m.next()
		if err != nil {
			return n, err
		}
		if !ok {
			s.pending, s.ended, s.merged = copyTrailer, true, true
			s.progress.summarising()
			continue
		}
		s.left--
		s.id++
		if s.patchID {
			// The id is the second field, after the workspace id: skip the
			// field count and the first field, then its 4-byte length.
			at := 2 + 4 + int(binary.BigEndian.Uint32(tuple[2:])) + 4
			if old := int64(binary.BigEndian.Uint64(tuple[at:])); old != 0 && old != s.id {
				return n, fmt.Errorf("%w: row %d has id %d", errIDOrder, s.id, old)
			}
			binary.BigEndian.PutUint64(tuple[at:], uint64(s.id))
		}
		s.progress.step()
		s.pending = tuple
	}
	if n == 0 && s.ended {
		return 0, io.EOF
	}
	return n, nil
}

// idFile holds the ids of a spill file's records, run by run, in each run's
// order: 4 bytes a record.
type idFile struct {
	f     *os.File
	start []int64 // index of each run's first record
	n     []int
}

// numberRuns merges the runs of s and writes down each record's position in
// the merge (from 1) as its id.
func numberRuns(dir, name string, s *spillFile) (*idFile, error) {
	f, err := os.CreateTemp(dir, "ids-"+name+"-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file: %w", err)
	}
	ids := &idFile{f: f, start: make([]int64, len(s.runs)), n: make([]int, len(s.runs))}
	var next int64
	for i, r := range s.runs {
		ids.start[i], ids.n[i] = next, r.n
		next += int64(r.n)
	}
	// A small buffer per run, written where the run's ids go when full.
	const flushAt = 1024
	bufs := make([][]byte, len(s.runs))
	written := make([]int64, len(s.runs))
	flush := func(run int) error {
		if _, err := f.WriteAt(bufs[run], (ids.start[run]+written[run])*4); err != nil {
			return fmt.Errorf("writing a temporary file: %w", err)
		}
		written[run] += int64(len(bufs[run]) / 4)
		bufs[run] = bufs[run][:0]
		return nil
	}
	m, err := s.merge()
	if err != nil {
		return ids, err
	}
	var id uint32
	for {
		_, _, run, ok, err := m.next()
		if err != nil {
			return ids, err
		}
		if !ok {
			break
		}
		id++
		if bufs[run] == nil {
			bufs[run] = make([]byte, 0, 4*flushAt)
		}
		bufs[run] = binary.LittleEndian.AppendUint32(bufs[run], id)
		if len(bufs[run]) == cap(bufs[run]) {
			if err := flush(run); err != nil {
				return ids, err
			}
		}
	}
	for run := range bufs {
		if len(bufs[run]) > 0 {
			if err := flush(run); err != nil {
				return ids, err
			}
		}
	}
	return ids, nil
}

// run reads the ids of run's records, in the run's order, reusing buf.
func (f *idFile) run(run int, buf []int32) ([]int32, error) {
	raw := make([]byte, 4*f.n[run])
	if len(raw) > 0 {
		if _, err := f.f.ReadAt(raw, f.start[run]*4); err != nil {
			return nil, fmt.Errorf("reading a temporary file: %w", err)
		}
	}
	buf = buf[:0]
	for i := 0; i < len(raw); i += 4 {
		buf = append(buf, int32(binary.LittleEndian.Uint32(raw[i:])))
	}
	return buf, nil
}
