package generator

import (
	"math/bits"
	"slices"
)

// makeLedger writes the credits added: an initial top-up, a welcome bonus,
// an automatic recharge whenever the next template send would take the
// balance under a fifth of a top-up, and a small refund for undelivered
// templates every thirty days. Credits used are the template sends' costs, so
// the balance (added minus used) stays positive at every instant.
func (w *world) makeLedger() {
	r := w.rng(streamLedger)
	slices.SortStableFunc(w.sends, func(a, b sendRow) int { return cmpInt(a.at, b.at) })
	// A top-up covers about a week of the period's sends, and at least the
	// busiest day, so a campaign burst triggers one recharge, not several.
	var total, busiest, today, dayStart int64
	for _, s := range w.sends {
		if s.at >= w.start {
			total += s.cost
		}
		if s.at-dayStart >= day {
			dayStart, today = s.at-(s.at-w.lo)%day, 0
		}
		today += s.cost
		busiest = max(busiest, today)
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
	for _, s := range w.sends {
		for nextRefund <= s.at {
			refund()
		}
		if balance-s.cost < threshold {
			w.ledger = append(w.ledger, ledgerRow{at: s.at, kind: "top_up", amount: size, note: "Auto-recharge"})
			balance += size
		}
		balance -= s.cost
		usedSinceRefund += s.cost
	}
	for nextRefund < w.hi {
		refund()
	}
	slices.SortStableFunc(w.ledger, func(a, b ledgerRow) int { return cmpInt(a.at, b.at) })
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

// numberRows numbers the rows in time order, the way a live platform's
// sequences would, starting at 1 in every workspace. Ids repeat across
// workspaces on purpose: the keys are (workspace_id, id), and a query that
// forgets the workspace in a join then visibly mixes tenants in tests.
func (w *world) numberRows() {
	w.contactIDs = byTime(len(w.contacts), w.lo, func(i int) int64 { return w.contacts[i].created })
	w.convIDs = byTime(len(w.convs), w.lo, func(i int) int64 { return w.convs[i].started })
	w.msgIDs = byTime(len(w.msgs), w.lo, func(i int) int64 { return w.msgs[i].at })
	w.assignmentIDs = byTime(len(w.assigns), w.lo, func(i int) int64 { return w.assigns[i].created })
	slices.SortStableFunc(w.triggers, func(a, b triggerRow) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.marks, func(a, b markRow) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.visits, func(a, b visitRow) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.aiUses, func(a, b aiUseRow) int { return cmpInt(a.at, b.at) })
}

// numbering is the id of every element of a table and the elements in id
// order, 4 bytes each way: at ten million messages the ids are the largest
// thing the generator holds after the rows themselves.
type numbering struct {
	ids   []int32 // ids[i] is the id of element i
	order []int32 // order[k] is the element whose id is k+1
}

// id is the id of element i.
func (n numbering) id(i int32) int64 { return int64(n.ids[i]) }

// ref is the id of element i, or NULL for -1.
func (n numbering) ref(i int32) any {
	if i < 0 {
		return nil
	}
	return n.id(i)
}

// byTime gives element i the id 1 + its rank by time (ties keep their
// generation order); every time is at or after lo.
func byTime(n int, lo int64, at func(int) int64) numbering {
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
	} else {
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int {
			if c := cmpInt(at(int(a)), at(int(b))); c != 0 {
				return c
			}
			return int(a - b)
		})
	}
	ids := make([]int32, n)
	for k, i := range order {
		ids[i] = int32(k + 1)
	}
	return numbering{ids: ids, order: order}
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
