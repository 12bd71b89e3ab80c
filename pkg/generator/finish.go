package generator

import (
	"math/bits"
	"slices"
)

// makeLedger writes the credits added: an initial top-up, a welcome bonus,
// an automatic recharge whenever the next template send would take the
// balance under a fifth of a top-up, and a small refund for undelivered
// templates every thirty days. Credits used are the template sends' costs, so
// the balance (added minus used) stays positive at every instant. sends
// calls its function with every template send's time and cost, in time order.
func (w *world) makeLedger(sends func(func(at, cost int64)) error) error {
	r := w.rng(streamLedger)
	// A top-up covers about a week of the period's sends, and at least the
	// busiest day, so a campaign burst triggers one recharge, not several.
	var total, busiest, today, dayStart int64
	if err := sends(func(at, cost int64) {
		s := sendRow{at: at, cost: cost}
		if s.at >= w.start {
			total += s.cost
		}
		if s.at-dayStart >= day {
			dayStart, today = s.at-(s.at-w.lo)%day, 0
		}
		today += s.cost
		busiest = max(busiest, today)
	}); err != nil {
		return err
	}
	monthly := total * 30 / int64(w.cfg.Days)
	size := niceCeil(max(monthly/4, busiest+busiest/10, 5_000_000))
	threshold := size / 5

	w.ledger = append(w.ledger,
		ledgerRow{at: w.lo + hour, kind: "top_up", amount: size, note: "Initial credit"},
		ledgerRow{at: w.lo + 3*day + 10*hour, kind: "adjustment", amount: 5_000_000, note: "Welcome bonus"},
	)
	balance := size + 5_000_000
	nextRefund := w.lo + 30*day + 10*hour
	var usedSinceRefund int64
	refund := func() {
		// Refunds are whole cents of 0.5% to 2% of the month's usage.
		amount := usedSinceRefund * (5 + r.Int64N(16)) / 1000 / 10_000 * 10_000
		if amount > 0 {
			w.ledger = append(w.ledger, ledgerRow{at: nextRefund, kind: "refund", amount: amount, note: "Refund for undelivered template messages"})
			balance += amount
		}
		usedSinceRefund = 0
		nextRefund += 30 * day
	}
	if err := sends(func(at, cost int64) {
		s := sendRow{at: at, cost: cost}
		for nextRefund <= s.at {
			refund()
		}
		if balance-s.cost < threshold {
			w.ledger = append(w.ledger, ledgerRow{at: s.at, kind: "top_up", amount: size, note: "Auto-recharge"})
			balance += size
		}
		balance -= s.cost
		usedSinceRefund += s.cost
	}); err != nil {
		return err
	}
	for nextRefund < w.hi {
		refund()
	}
	slices.SortStableFunc(w.ledger, func(a, b ledgerRow) int { return cmpInt(a.at, b.at) })
	return nil
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}

// numbering is the id of every row of a table in the chunk being loaded:
// ids are numbered in time order over the whole workspace, starting at 1 in
// every workspace, the way a live platform's sequences would. Ids repeat
// across workspaces on purpose: the keys are (workspace_id, id), and a query
// that forgets the workspace in a join then visibly mixes tenants in tests.
type numbering struct {
	ids  []int32 // ids[i-base] is the id of row i
	base int32
}

// id is the id of row i.
func (n numbering) id(i int32) int64 { return int64(n.ids[i-n.base]) }

// ref is the id of row i, or NULL for -1.
func (n numbering) ref(i int32) any {
	if i < 0 {
		return nil
	}
	return n.id(i)
}

// timeOrder is the order of n rows by time, ties in generation order: order[k]
// is the row that comes k-th. Every time is at or after lo.
func timeOrder(n int, lo int64, at func(int) int64) []int32 {
	order := make([]int32, n)
	if fitsPacked(n, lo, at) {
		// One uint64 per element, the time since lo above the index: a plain
		// integer sort, half the memory of a struct of time and index, and
		// the index breaks ties.
		shift := uint(bits.Len(uint(n)))
		keys := make([]uint64, n)
		for i := range keys {
			keys[i] = uint64(at(i)-lo)<<shift | uint64(i)
		}
		slices.Sort(keys)
		mask := uint64(1)<<shift - 1
		for k, key := range keys {
			order[k] = int32(key & mask)
		}
		return order
	}
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmpInt(at(int(a)), at(int(b))); c != 0 {
			return c
		}
		return int(a - b)
	})
	return order
}

// fitsPacked tells whether every time since lo and every index fit together
// in 64 bits (always, short of a decade of tens of millions of rows).
func fitsPacked(n int, lo int64, at func(int) int64) bool {
	var span int64
	for i := 0; i < n; i++ {
		t := at(i) - lo
		if t < 0 {
			return false
		}
		span = max(span, t)
	}
	return bits.Len64(uint64(span))+bits.Len(uint(n)) <= 64
}
