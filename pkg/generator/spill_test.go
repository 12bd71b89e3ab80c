package generator

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// item is a record of the merge tests: its time and where it was generated.
type item struct {
	at  int64
	seq uint32 // position in generation order over all runs
}

// spillRuns writes items, cut into runs of the given sizes, each run sorted
// by time (ties in generation order), with seq as the payload.
func spillRuns(t *testing.T, items []item, sizes []int) *spillFile {
	t.Helper()
	s, err := newSpillFile(t.TempDir(), "test")
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.close() })
	for _, n := range sizes {
		run := items[:n]
		items = items[n:]
		s.beginRun()
		for _, i := range timeOrder(len(run), 0, func(i int) int64 { return run[i].at }) {
			require.NoError(t, s.add(run[i].at, binary.LittleEndian.AppendUint32(nil, run[i].seq)))
		}
		require.NoError(t, s.endRun())
	}
	require.Empty(t, items, "the sizes cover every item")
	return s
}

// randomItems are n items with times drawn from few values, so that many tie.
func randomItems(n int, r *rand.Rand) []item {
	items := make([]item, n)
	for i := range items {
		items[i] = item{at: r.Int64N(50), seq: uint32(i)}
	}
	return items
}

// randomSizes cuts n into runs of 0 to 40 items.
func randomSizes(n int, r *rand.Rand) []int {
	var sizes []int
	for n > 0 {
		k := min(n, r.IntN(41))
		sizes = append(sizes, k)
		n -= k
	}
	return sizes
}

func TestMergeOfManyRunsIsTheStableSortOfAll(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	items := randomItems(3000, r)
	sizes := randomSizes(len(items), r)
	require.Greater(t, len(sizes), 100, "many runs, some of them empty")
	s := spillRuns(t, items, sizes)

	want := slices.Clone(items)
	slices.SortStableFunc(want, func(a, b item) int { return cmpInt(a.at, b.at) })
	m, err := s.merge()
	require.NoError(t, err)
	var got []item
	for {
		at, payload, _, ok, err := m.next()
		require.NoError(t, err)
		if !ok {
			break
		}
		got = append(got, item{at: at, seq: binary.LittleEndian.Uint32(payload)})
	}
	assert.Equal(t, want, got)
}

func TestNumberRunsGivesEachRecordItsRankInTheSortOfAll(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	items := randomItems(5000, r) // more than a run's id buffer holds
	sizes := []int{0, 2600, 1, 0, 1899, 500}
	s := spillRuns(t, items, sizes)
	ids, err := numberRuns(t.TempDir(), "test", s)
	require.NoError(t, err)
	defer func() { _ = ids.f.Close() }()

	// The id of an item is 1 + its position in the stable sort of all.
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b item) int { return cmpInt(a.at, b.at) })
	rank := make(map[uint32]int32, len(items))
	for k, it := range sorted {
		rank[it.seq] = int32(k + 1)
	}
	first := 0
	for run, n := range sizes {
		got, err := ids.run(run, nil)
		require.NoError(t, err)
		chunk := items[first : first+n]
		first += n
		var want []int32
		for _, i := range timeOrder(n, 0, func(i int) int64 { return chunk[i].at }) {
			want = append(want, rank[chunk[i].seq])
		}
		assert.Equal(t, want, got, "run %d", run)
	}
}
