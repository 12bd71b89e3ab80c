package generator

import "slices"

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
	w.contactIDs = idsByTime(len(w.contacts), func(i int) int64 { return w.contacts[i].created })
	w.convIDs = idsByTime(len(w.convs), func(i int) int64 { return w.convs[i].started })
	w.msgIDs = idsByTime(len(w.msgs), func(i int) int64 { return w.msgs[i].at })
	w.assignmentIDs = idsByTime(len(w.assigns), func(i int) int64 { return w.assigns[i].created })
	slices.SortStableFunc(w.triggers, func(a, b triggerRow) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.marks, func(a, b markRow) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.visits, func(a, b visitRow) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.aiUses, func(a, b aiUseRow) int { return cmpInt(a.at, b.at) })
}

// idsByTime gives element i the id 1 + its rank by time (ties keep their
// generation order).
func idsByTime(n int, at func(int) int64) []int64 {
	type key struct {
		at int64
		i  int32
	}
	keys := make([]key, n)
	for i := range keys {
		keys[i] = key{at(i), int32(i)}
	}
	// The index breaks ties, so the faster unstable sort gives a stable result.
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmpInt(a.at, b.at); c != 0 {
			return c
		}
		return int(a.i - b.i)
	})
	ids := make([]int64, n)
	for rank, k := range keys {
		ids[k.i] = int64(rank + 1)
	}
	return ids
}

// inIDOrder lists the element indexes in id order.
func inIDOrder(ids []int64) []int32 {
	order := make([]int32, len(ids))
	for i, id := range ids {
		order[id-1] = int32(i)
	}
	return order
}
