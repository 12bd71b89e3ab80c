package generator

import (
	"strings"
)

// The size of Config.MissedSpike, fixed so that an alert rule's thresholds can
// be checked against it by hand: with a floor of 5 missed conversations in 15
// minutes and a 7-day average of well under one per 15 minutes for any team,
// SpikeMissedLast15 fires a "3 times the usual" rule for the spiking team only.
const (
	SpikeMissedLast15  = 15 // missed hand-offs created (and ended) in the last 9 minutes
	SpikeMissedEarlier = 4  // missed hand-offs created 40 to 16 minutes before the end
	SpikeWaiting       = 5  // hand-offs queued in the last 9 minutes, not accepted at the end
)

// teamIndex is the index in teamSpecs of the team called name (any case); -1 if none.
func teamIndex(name string) int {
	for i, t := range teamSpecs {
		if strings.EqualFold(t.name, name) {
			return i
		}
	}
	return -1
}

// teamNames lists the teams' names.
func teamNames() []string {
	names := make([]string, len(teamSpecs))
	for i, t := range teamSpecs {
		names[i] = t.name
	}
	return names
}

// missedSpike plays a failing queue for team at the end of the period: a
// flash sale brings new WhatsApp customers who ask for a person, and the
// team's routing is broken. Most hand-offs bounce: the queue drops them as
// missed (reason timeout) 40 to 80 seconds after they were queued, instead of
// offering them to an agent for ten minutes. SpikeMissedEarlier of them come
// 40 to 16 minutes before the end, SpikeMissedLast15 in the last 9 minutes
// (each created and ended before the end), and SpikeWaiting customers queued
// in the last 9 minutes are stuck in the queue when the period ends.
//
// The missed ones are that late so that a rule counting the missed
// conversations created in the last 15 minutes still sees at least 5 of them
// up to about 11 minutes after the end: long enough for a demo's Grafana to
// start and for such a rule to pass its 5 minutes of pending. The waiting
// customers wait as long as nobody adds data.
//
// Each customer is a new contact with one conversation, so no existing
// contact's history changes; the spike draws from a random stream of its own,
// so the rest of the data is the same with or without it.
func (w *world) missedSpike(team int) {
	r := w.rng(streamSpike)
	lang := newWeighted(languageWeights)
	offset := splitmix(w.cfg.Seed ^ uint64(w.num)<<32)
	type slot struct {
		created int64
		waiting bool
	}
	var slots []slot
	spread := func(n int, from, to int64, waiting bool) {
		step := (to - from) / int64(n)
		for k := 0; k < n; k++ {
			slots = append(slots, slot{from + int64(k)*step + r.between(0, step), waiting})
		}
	}
	spread(SpikeMissedEarlier, w.hi-40*minute, w.hi-16*minute, false)
	spread(SpikeMissedLast15, w.hi-9*minute, w.hi-90*second, false)
	spread(SpikeWaiting, w.hi-9*minute, w.hi-30*second, true)

	for _, s := range slots {
		start := s.created - r.between(minute, 150*second)
		ci := w.contactBase + int32(len(w.contacts))
		c := contactRow{platform: platWhatsApp, inbox: inboxWASales, lang: lang.draw(r), lang2: -1,
			created: start, acquired: start, hasFirstConversation: true}
		c.chatID = chatID(c.platform, c.lang, uint64(ci), offset, r)
		c.name = pick(r, firstNames[c.lang]) + " " + pick(r, lastNames[c.lang])
		w.contacts = append(w.contacts, c)

		x := w.newConv(r, ci, inboxWASales, 0, flowWelcome, start) // task 0: "Inbound sales"
		x.paid = true
		t := x.inbound(start, pick(r, []int{intentPromotions, intentPricing, intentProductAvail}))
		x.row.interest = x.keepTime(t)
		t = x.botSay(t+x.botDelay(), pick(r, bot[x.lang].answers), true)
		t = x.inbound(t+r.between(10*second, 30*second), intentTalkToHuman)
		x.botSay(max(t+x.botDelay(), s.created-2*second), bot[x.lang].handoff, false)
		x.trigger(flowHandoff, s.created-second)

		a := assignRow{conv: x.idx, contact: ci, from: -1, agent: -1, team: team, role: teamSpecs[team].role, created: s.created}
		if s.waiting {
			if r.chance(0.6) { // "hello? anyone there?"; dropped if after the end
				x.filler(s.created + r.between(minute, 8*minute))
			}
			x.addAssign(a) // still queued: no accepted, ended, outcome nor reason
			x.finish(never)
			continue
		}
		a.ended, a.outcome, a.reason = s.created+r.between(40*second, 80*second), "missed", "timeout"
		x.addAssign(a)
		x.botSay(a.ended+second, bot[x.lang].noAgents, false)
		x.mark(markFollowUp, a.ended)
		x.finish(a.ended + r.between(10*minute, 60*minute))
	}
}
