package generator

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// A spill file holds sorted runs of records, one after the other. A record
// is a time (Unix milliseconds, the sort key) and a payload of bytes; a run
// is the records of one chunk of contacts, sorted by time with ties in the
// order they were generated. Merging the runs by (time, run) gives the order
// that one stable sort of every record by time would give, because the runs
// are written in generation order: that order is what numbers the ids.
type spillFile struct {
	f    *os.File
	w    *bufio.Writer
	size int64 // bytes written so far
	runs []runSpan
	open bool // a run is being written
	buf  [binary.MaxVarintLen64 + 8]byte
}

// runSpan is where one run lies in its file.
type runSpan struct {
	off, size int64
	n         int // records
}

// spillBuffer is the write buffer of a spill file and the read buffer of each
// run while merging: memory is this times the runs merged at once.
const spillBuffer = 32 << 10

// newSpillFile creates a spill file in dir.
func newSpillFile(dir, name string) (*spillFile, error) {
	f, err := os.CreateTemp(dir, name+"-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file: %w", err)
	}
	return &spillFile{f: f, w: bufio.NewWriterSize(f, spillBuffer)}, nil
}

// beginRun starts a new run; every run must be begun, even an empty one, so
// that run k of every file is chunk k.
func (s *spillFile) beginRun() {
	s.runs = append(s.runs, runSpan{off: s.size})
	s.open = true
}

// add appends a record to the current run, which must be in time order.
func (s *spillFile) add(at int64, payload []byte) error {
	binary.LittleEndian.PutUint64(s.buf[:8], uint64(at))
	n := binary.PutUvarint(s.buf[8:], uint64(len(payload)))
	if _, err := s.w.Write(s.buf[:8+n]); err != nil {
		return err
	}
	if _, err := s.w.Write(payload); err != nil {
		return err
	}
	run := &s.runs[len(s.runs)-1]
	run.n++
	run.size += int64(8 + n + len(payload))
	s.size += int64(8 + n + len(payload))
	return nil
}

// endRun ends the current run and makes it readable.
func (s *spillFile) endRun() error {
	s.open = false
	return s.w.Flush()
}

// records is the number of records of every run.
func (s *spillFile) records() int64 {
	var n int64
	for _, r := range s.runs {
		n += int64(r.n)
	}
	return n
}

// close closes the file (the spill directory's removal deletes it).
func (s *spillFile) close() error {
	return s.f.Close()
}

// runReader reads one run's records in order.
type runReader struct {
	r       *bufio.Reader
	left    int
	at      int64
	payload []byte // valid until the next call of next
}

func (s *spillFile) reader(run int) *runReader {
	span := s.runs[run]
	return &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, span.off, span.size), spillBuffer), left: span.n}
}

// next reads the next record; false at the end of the run.
func (rr *runReader) next() (bool, error) {
	if rr.left == 0 {
		return false, nil
	}
	rr.left--
	var head [8]byte
	if _, err := io.ReadFull(rr.r, head[:]); err != nil {
		return false, fmt.Errorf("reading a temporary file: %w", err)
	}
	rr.at = int64(binary.LittleEndian.Uint64(head[:]))
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return false, fmt.Errorf("reading a temporary file: %w", err)
	}
	if uint64(cap(rr.payload)) < n {
		rr.payload = make([]byte, n, max(n, 256))
	}
	rr.payload = rr.payload[:n]
	if _, err := io.ReadFull(rr.r, rr.payload); err != nil {
		return false, fmt.Errorf("reading a temporary file: %w", err)
	}
	return true, nil
}

// merger merges the runs of a spill file by (time, run): the k-way merge of
// an external sort, holding one record and one read buffer per run.
type merger struct {
	runs []*runReader
	h    mergeHeap
	run  int // the run of the record last returned
}

type mergeHeap struct {
	items []int // run indexes
	runs  []*runReader
}

func (h mergeHeap) Len() int { return len(h.items) }
func (h mergeHeap) Less(i, j int) bool {
	a, b := h.runs[h.items[i]], h.runs[h.items[j]]
	if a.at != b.at {
		return a.at < b.at
	}
	return h.items[i] < h.items[j]
}
func (h mergeHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *mergeHeap) Push(x any)   { h.items = append(h.items, x.(int)) }
func (h *mergeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// merge starts merging every run of s.
func (s *spillFile) merge() (*merger, error) {
	if s.open {
		return nil, errors.New("merging a spill file whose last run is not ended")
	}
	m := &merger{runs: make([]*runReader, len(s.runs)), run: -1}
	m.h.runs = m.runs
	for i := range s.runs {
		m.runs[i] = s.reader(i)
		ok, err := m.runs[i].next()
		if err != nil {
			return nil, err
		}
		if ok {
			m.h.items = append(m.h.items, i)
		}
	}
	heap.Init(&m.h)
	return m, nil
}

// next returns the next record in (time, run) order and its run; the payload
// stays valid until the next call. ok is false when every run is consumed.
func (m *merger) next() (at int64, payload []byte, run int, ok bool, err error) {
	if m.run >= 0 {
		// Advance the run whose record was returned last time, now that the
		// caller is done with its payload.
		more, err := m.runs[m.run].next()
		if err != nil {
			return 0, nil, 0, false, err
		}
		if more {
			heap.Fix(&m.h, 0)
		} else {
			heap.Pop(&m.h)
		}
		m.run = -1
	}
	if m.h.Len() == 0 {
		return 0, nil, 0, false, nil
	}
	m.run = m.h.items[0]
	rr := m.runs[m.run]
	return rr.at, rr.payload, m.run, true, nil
}
