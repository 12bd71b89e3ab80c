package generator

import (
	"fmt"
	"strings"
)

// simulateContact plays one contact's history in time order: organic
// conversations (the first at acquisition, then returns after gaps of about
// two weeks) and the campaigns that reach the contact while idle. A contact
// never has two conversations open at once: a campaign that finds the contact
// in a conversation skips them, and a return waits until the last one closed.
func (w *world) simulateContact(r rng, ci int32) {
	c := w.contact(ci)
	busy := int64(0) // the contact's current conversation lasts until busy
	next := c.acquired
	k := 0
	for {
		campaignAt := int64(never)
		if k < len(c.campaigns) {
			campaignAt = c.campaigns[k].at
		}
		if next >= w.hi && campaignAt >= w.hi {
			return
		}
		if campaignAt <= next {
			rc := c.campaigns[k]
			k++
			if rc.at < busy {
				continue
			}
			end, replied := w.campaignConversation(r, ci, rc)
			busy = end
			// An imported lead who answered may come back on their own.
			if c.lead && replied && next == never && r.chance(0.4) {
				next = w.returnAfter(r, busy)
			}
			continue
		}
		if next < busy {
			next = w.returnAfter(r, busy)
			continue
		}
		again := r.chance(0.6)
		busy = w.organicConversation(r, ci, next, !again)
		next = never
		if again {
			next = w.returnAfter(r, busy)
		}
	}
}

// returnAfter is when a contact writes again after t: an exponential gap of
// about twelve days, then a time drawn from the activity curve in the two
// days that follow, so returns keep the daily and weekly shape.
func (w *world) returnAfter(r rng, t int64) int64 {
	if t >= w.hi {
		return never
	}
	gap := 20*minute + int64(r.ExpFloat64()*12*float64(day))
	from := t + gap
	if from >= w.hi || from < t {
		return never
	}
	return w.act.sample(r, from, min(from+2*day, w.hi))
}

// conv is a conversation being simulated. Everything is generated in time
// order; rows dated at or after the period's end are dropped as they are
// added, which leaves conversations, assignments and presence open at the end.
type conv struct {
	w       *world
	r       rng
	idx     int32
	contact int32
	c       *contactRow
	row     *convRow
	lang    int
	last    int64 // time of the last message generated (kept or not)
	kept    int64 // time of the last row kept
	billed  bool  // the WhatsApp service window has been paid
	aiUsed  bool
	marks   uint32
	flows   uint64 // flows triggered so far
	first   int    // index of the conversation's first message
	paid    bool   // outbound messages of this conversation may be billed
}

func (w *world) newConv(r rng, ci int32, inbox, task, flow int, started int64) *conv {
	c := w.contact(ci)
	w.convs = append(w.convs, convRow{contact: ci, inbox: inbox, task: task, flow: flow, isBot: c.isBot, started: started, title: c.name})
	x := &conv{w: w, r: r, idx: int32(len(w.convs) - 1), contact: ci, c: c, lang: c.lang, last: started - 1, kept: started, first: len(w.msgs)}
	x.row = &w.convs[x.idx]
	if c.lang2 >= 0 && r.chance(0.3) {
		x.lang = c.lang2
	}
	if flow >= 0 {
		x.trigger(flow, started)
	}
	return x
}

// keep records that a row dated t was kept.
func (x *conv) keep(t int64) bool {
	if t >= x.w.hi {
		return false
	}
	x.kept = max(x.kept, t)
	return true
}

// msg appends a message at t (moved just after the previous one if needed,
// so a conversation's messages never tie) and returns its time and index
// (-1 when it falls after the period).
func (x *conv) msg(t int64, sender uint8, body string, intent, lang int, agent int, aiCost int64) (int64, int32) {
	if t <= x.last {
		t = x.last + 1 + x.r.Int64N(900)
	}
	x.last = t
	if !x.keep(t) {
		return t, -1
	}
	m := msgRow{at: t, conv: x.idx, agent: int16(agent), sender: sender, intent: int8(intent), lang: int8(lang), aiCost: int32(aiCost), body: x.w.text(body)}
	if sender != fromContact && sender != fromBroadcast {
		switch x.c.platform {
		case platSMS:
			m.billable, m.bill = true, smsCost
		case platViber:
			m.billable, m.bill = true, viberCost
		case platWhatsApp:
			// A user-initiated WhatsApp conversation pays once, on its first reply.
			if x.paid && !x.billed {
				m.billable, m.bill = true, whatsappServiceCost
				x.billed = true
			}
		}
	}
	x.w.msgs = append(x.w.msgs, m)
	return t, int32(len(x.w.msgs) - 1)
}

// text interns a message body.
func (w *world) text(s string) uint32 {
	id, ok := w.textIDs[s]
	if !ok {
		id = uint32(len(w.texts))
		w.texts = append(w.texts, s)
		w.textIDs[s] = id
	}
	return id
}

// inbound is a message from the contact with a phrase of the intent.
func (x *conv) inbound(t int64, intent int) int64 {
	v := intentVariants[intent][x.lang]
	body := x.r.typed(v[x.r.IntN(len(v))])
	code := intent
	if x.r.chance(0.07) { // the language model missed it
		code = -1
	}
	t, _ = x.msg(t, fromContact, body, code, x.lang, -1, 0)
	return t
}

// filler is an inbound message without intent: media, an emoji or an
// unclear text (which still has a language).
func (x *conv) filler(t int64) int64 {
	if x.r.chance(0.5) {
		t, _ = x.msg(t, fromContact, pick(x.r, fillers), -1, -1, -1, 0)
		return t
	}
	t, _ = x.msg(t, fromContact, pick(x.r, unclear[x.lang]), -1, x.lang, -1, 0)
	return t
}

// botSay is a bot message; AI-written ones cost a little, scripted ones nothing.
func (x *conv) botSay(t int64, body string, ai bool) int64 {
	cost := int64(0)
	if ai {
		cost = 300 + x.r.Int64N(3700)
		x.aiUsed = true
	}
	t, _ = x.msg(t, fromBot, body, -1, -1, -1, cost)
	return t
}

func (x *conv) trigger(flow int, t int64) {
	if flow < 0 || !x.keep(t) {
		return
	}
	x.flows |= 1 << flow
	x.w.triggers = append(x.w.triggers, triggerRow{flow: flow, conv: x.idx, at: t})
}

func (x *conv) mark(marker int, t int64) {
	if x.marks&(1<<marker) != 0 || !x.keep(t) {
		return
	}
	x.marks |= 1 << marker
	x.w.marks = append(x.w.marks, markRow{conv: x.idx, marker: marker, at: t})
}

// think is how long a contact takes to write the next message.
func (x *conv) think() int64 { return x.r.lognormal(40*second, 0.9, 4*second, 9*minute) }

// botDelay is how long the bot takes to answer.
func (x *conv) botDelay() int64 { return x.r.between(800, 4*second) }

// organicConversation is a conversation the contact starts: a run of
// inbound messages and bot replies about a Zipf-drawn topic, sometimes handed
// off to a human. It returns when the contact is free again (the closing
// time, or never when the conversation stays open).
func (w *world) organicConversation(r rng, ci int32, start int64, final bool) int64 {
	c := w.contact(ci)
	task := -1
	if c.inbox == inboxWASales {
		task = 0
	}
	topic := w.topicOrder[w.topicZipf.draw(r)]
	flow := flowMainMenu
	switch {
	case !c.hasFirstConversation && c.lang2 >= 0 && r.chance(0.5):
		flow = flowLanguage
	case !c.hasFirstConversation:
		flow = flowWelcome
	case r.chance(0.08):
		flow = -1 // opened from a deep link that starts no flow
	case r.chance(0.3) && topicIntents[topic].flow >= 0:
		flow = topicIntents[topic].flow
	}
	c.hasFirstConversation = true
	x := w.newConv(r, ci, c.inbox, task, flow, start)
	x.paid = true
	if c.isBot {
		return x.spam(start)
	}

	t := start
	if r.chance(0.4) {
		t = x.inbound(t, intentGreeting)
		t = x.botSay(t+x.botDelay(), bot[x.lang].welcome, false)
		t += x.think()
	}
	turns := 1 + r.geometric(0.45, 6)
	handoffTurn := -1
	if r.chance(min(0.95, handoffScale*topicIntents[topic].handoff)) {
		handoffTurn = r.IntN(min(turns, 2))
	}
	sales := topicIntents[topic].team == teamSales
	ended := false
	for turn := 0; turn < turns; turn++ {
		intent := topic
		if turn > 0 && r.chance(0.25) {
			intent = w.topicOrder[w.topicZipf.draw(r)]
		}
		t = x.inbound(t, intent)
		if sales && turn == 0 && r.chance(0.45) {
			x.row.interest = x.keepTime(t)
		}
		for extra := r.geometric(0.3, 2); extra > 0; extra-- {
			if r.chance(0.4) {
				t = x.inbound(t+r.between(3*second, 40*second), intent)
			} else {
				t = x.filler(t + r.between(3*second, 40*second))
			}
		}
		t += x.botDelay()
		if f := topicIntents[intent].flow; f >= 0 && x.flows&(1<<f) == 0 {
			x.trigger(f, t)
		}
		if intent == intentSubscriptionCancel {
			t = x.botSay(t, bot[x.lang].stopAck, false)
			break
		}
		t = x.botSay(t, pick(r, bot[x.lang].answers), r.chance(0.7))
		if r.chance(0.3) {
			t = x.botSay(t+r.between(time2s, 3*second), pick(r, bot[x.lang].answers), r.chance(0.7))
		}
		if turn == handoffTurn {
			team := topicIntents[topic].team
			end, handled := x.handoff(t+r.between(time2s, 10*second), topic, team)
			if end == never {
				return x.finish(never)
			}
			t = max(t, end)
			if handled && x.row.interest > 0 && r.chance(0.3) {
				x.row.success = x.keepTime(end)
				x.mark(markUpsell, end)
			}
			ended = true
			break
		}
		t += x.think()
	}
	if !ended {
		if x.row.interest > 0 && r.chance(0.35) {
			t = x.obtainContact(t + x.think())
			if r.chance(0.3) {
				t = x.botSay(t+x.botDelay(), bot[x.lang].success, false)
				x.row.success = x.keepTime(t)
				x.mark(markUpsell, t)
			}
		}
		if r.chance(0.35) {
			t = x.inbound(t+x.think(), intentThanks)
			t = x.botSay(t+x.botDelay(), bot[x.lang].bye, false)
			if r.chance(0.3) {
				t = x.inbound(t+r.between(5*second, 90*second), intentGoodbye)
			}
		}
		if r.chance(0.15) {
			x.mark(markBotResolved, t)
		}
	}
	if topic == intentComplaint || (topic == intentRefund && r.chance(0.4)) {
		x.mark(markComplaint, start)
	}
	if topic == intentTechnical && r.chance(0.5) {
		x.mark(markBug, start)
	}
	if c.platform == platWhatsApp && (topic == intentAccountAccess || r.chance(0.03)) {
		// A login code sent through the API while the contact is chatting.
		at := start + r.between(second, 30*second)
		if at < w.hi {
			w.sends = append(w.sends, sendRow{msg: -1, inbox: c.inbox, contact: ci, template: otpTemplate, category: catAuthentication, at: at, cost: templateCost[catAuthentication]})
		}
	}
	closeAt := t + r.between(10*minute, 60*minute) // closed by the inactivity timer
	if final && r.chance(0.03) {
		closeAt = never // nobody ever closed it
	}
	return x.finish(closeAt)
}

const time2s = 2 * second

// handoffScale tunes the share of conversations handed to humans (about 25%).
const handoffScale = 1.45

// ticketTopics are the topics agents often leave pending for hours or days
// (waiting for a refund, a fix) before they close the assignment.
var ticketTopics = map[int]bool{intentRefund: true, intentTechnical: true, intentAccountAccess: true, intentComplaint: true,
	intentReturns: true, intentCancelOrder: true, intentChangeAddress: true, intentWarranty: true}

var handledReasonDraw = newWeighted(handledReasonWeights)

func (x *conv) keepTime(t int64) int64 {
	if !x.keep(t) {
		return 0
	}
	return t
}

// obtainContact is the bot asking for contact details and the contact
// giving an e-mail address or a phone number.
func (x *conv) obtainContact(t int64) int64 {
	t = x.botSay(t, bot[x.lang].askContact, false)
	x.trigger(flowLead, t)
	details := ""
	if x.r.chance(0.6) {
		local := strings.ToLower(asciiFold.Replace(strings.SplitN(x.c.name, " ", 2)[0]))
		if x.c.lang == langRU || local == "" {
			local = pick(x.r, emailNames)
		}
		details = fmt.Sprintf("%s%d@mail.example", local, 10+x.r.IntN(90))
		t, _ = x.msg(t+x.think(), fromContact, emailPrefix[x.lang]+details, -1, x.lang, -1, 0)
	} else {
		details = fmt.Sprintf("+%s %d%08d", pick(x.r, countryCodes[x.c.lang]), 9, x.r.IntN(100000000))
		t, _ = x.msg(t+x.think(), fromContact, phonePrefix[x.lang]+details, -1, x.lang, -1, 0)
	}
	if x.keep(t) {
		x.row.obtained, x.row.details = t, details
		if x.r.chance(0.8) {
			x.row.whGet = x.webhook("contact")
		}
		x.mark(markLead, t)
	}
	if x.row.interest > 0 && x.row.whInt == "" && x.r.chance(0.8) {
		x.row.whInt = x.webhook("interest")
	}
	return t
}

// webhook is the id of the webhook event the platform sent.
func (x *conv) webhook(kind string) string {
	return fmt.Sprintf("evt_%s_%012x", kind, x.r.Uint64()>>16)
}

// spam is an automated contact's conversation.
func (x *conv) spam(t int64) int64 {
	n := 1 + x.r.IntN(3)
	for i := 0; i < n; i++ {
		t, _ = x.msg(t, fromContact, pick(x.r, spamTexts), -1, langEN, -1, 0)
		t = x.botSay(t+x.botDelay(), bot[langEN].fallback, false)
		t += x.r.between(2*second, 20*second)
	}
	x.mark(markSpam, x.last)
	if x.r.chance(0.25) {
		if t, _ = x.handoff(t, -1, teamSupport); t == never {
			return x.finish(never)
		}
	}
	return x.finish(t + x.r.between(minute, 10*minute))
}

// handoff hands the conversation to a human queue at t: an assignment per
// team it passes through. The agent who accepts must be connected; nobody
// accepting within the timeout makes it missed. The first agent message after
// acceptance is the assignment's first reply. It returns the time the last
// assignment ended and whether an agent handled it.
func (x *conv) handoff(t int64, topic, team int) (int64, bool) {
	w, r := x.w, x.r
	if topic >= 0 && topic != intentTalkToHuman && r.chance(0.5) {
		t = x.inbound(t, intentTalkToHuman) + x.botDelay()
	}
	t = x.botSay(t, bot[x.lang].handoff, false)
	x.trigger(flowHandoff, t)
	created := t + r.between(200, time2s)
	from := int32(-1)
	visited := 0 // teams this conversation has been with
	for hop := 0; ; hop++ {
		a := assignRow{conv: x.idx, contact: x.contact, from: from, agent: -1, team: team, role: teamSpecs[team].role, created: created}
		const timeout = 10 * minute
		wait := r.lognormal(50*second, 1.1, 3*second, 40*minute)
		agent := -1
		// The queue offers the conversation again every few minutes (an agent
		// may come back from a break) until the timeout.
		for wait <= timeout {
			if agent = w.pickAgent(r, team, created+wait); agent >= 0 {
				break
			}
			wait += r.between(minute, 4*minute)
		}
		if agent < 0 {
			// Missed. Sometimes the queue had routed it to an agent who never picked it up.
			if r.chance(0.4) {
				if routed := w.pickAgent(r, team, created); routed >= 0 {
					a.agent, a.role = routed, w.agents[routed].role
				}
			}
			if r.chance(0.5) { // "hello? anyone there?"
				x.filler(created + r.between(minute, 8*minute))
			}
			a.ended, a.outcome, a.reason = created+timeout, "missed", "timeout"
			end := x.addAssign(a)
			x.botSay(a.ended+second, bot[x.lang].noAgents, false)
			x.mark(markFollowUp, a.ended)
			return end, false
		}
		a.agent, a.role, a.accepted = agent, w.agents[agent].role, created+wait
		if r.chance(0.3) {
			x.filler(created + wait/2)
		}
		if r.chance(0.04) {
			// Accepted, but the agent never wrote: "no operator response".
			a.ended, a.outcome, a.reason = a.accepted+r.between(5*minute, 20*minute), "handled", "no_response"
			return x.addAssign(a), true
		}
		t = a.accepted + r.lognormal(35*second, 1.0, 4*second, 15*minute)
		t, a.reply = x.agentSay(t, &a, true)
		for turns := 1 + r.geometric(0.55, 8); turns > 0; turns-- {
			if u := r.Float64(); u < 0.35 && topic >= 0 {
				t = x.inbound(t+x.think(), topic)
			} else if u < 0.7 {
				t = x.inbound(t+x.think(), intentThanks)
			} else {
				t = x.filler(t + x.think())
			}
			if r.chance(0.25) {
				t = x.filler(t + r.between(3*second, 30*second))
			}
			t, _ = x.agentSay(t+r.lognormal(50*second, 0.8, 8*second, 8*minute), &a, false)
			if r.chance(0.25) {
				t, _ = x.agentSay(t+r.between(5*second, 40*second), &a, false)
			}
		}
		if hop < 2 && r.chance(0.1) {
			// Transferred to another team: a new assignment starts where this one ends.
			a.ended, a.outcome, a.reason = t+r.between(10*second, 60*second), "transferred", "transferred"
			end := x.addAssign(a)
			if end == never {
				return end, true
			}
			from = int32(len(w.assigns) - 1)
			visited |= 1 << team
			for visited&(1<<team) != 0 && visited != 1<<len(teamSpecs)-1 {
				team = r.IntN(len(teamSpecs))
			}
			// The next assignment is queued at once; it exists even when the
			// period ends right after the transfer.
			created = min(a.ended+r.between(500, 3*second), w.hi-1)
			continue
		}
		reason := handledReasons[handledReasonDraw.draw(r)]
		if x.c.isBot {
			reason = "spam"
		}
		switch {
		case reason == "no_response":
			a.ended = t + r.between(15*minute, 30*minute)
			x.mark(markFollowUp, a.ended)
		case reason == "resolved" && (ticketTopics[topic] && r.chance(0.25) || r.chance(0.02)):
			// Pending until the refund or the fix went through.
			a.ended = t + r.lognormal(6*hour, 1.0, 30*minute, 5*day)
		default:
			a.ended = t + r.between(30*second, 4*minute)
		}
		a.outcome, a.reason = "handled", reason
		end := x.addAssign(a)
		if end != never && r.chance(0.3) {
			// The bot asks for a rating once the agent is done.
			t = x.botSay(end+time2s, bot[x.lang].feedbackAsk, false)
			x.trigger(flowSurvey, t)
			if r.chance(0.6) {
				t = x.inbound(t+r.between(20*second, 5*minute), intentFeedback)
				x.mark(markFeedback, t)
			}
			end = t
		}
		return end, true
	}
}

// agentSay is a message of the assignment's agent; a quarter of them start
// from an AI suggestion, which the agent edits a little (or discards). It
// returns the time and, when the message is kept, the same time again.
func (x *conv) agentSay(t int64, a *assignRow, greet bool) (int64, int64) {
	w, r := x.w, x.r
	line := 0
	if !greet {
		line = 1 + r.IntN(len(agentLines[x.lang])-1)
	}
	body := agentLines[x.lang][line]
	var use *aiUseRow
	if r.chance(0.25) {
		use = &aiUseRow{agent: a.agent, conv: x.idx, tool: "ai_writer", suggested: body}
		if r.chance(0.4) {
			use.tool = "doc_reply"
			if x.lang != langEN && r.chance(0.3) {
				use.translated, use.suggested = true, agentLines[langEN][line]
			}
		}
		if r.chance(0.85) {
			use.sent, use.hasSent = r.editText(body, x.lang), true
			body = use.sent
		}
	}
	t, idx := x.msg(t, fromAgent, body, -1, -1, a.agent, 0)
	if idx < 0 {
		return t, 0
	}
	if use != nil {
		use.at = max(a.accepted+1, t-r.between(5*second, 40*second))
		w.aiUses = append(w.aiUses, *use)
	}
	return t, t
}

// addAssign appends the assignment, nulling what happens after the period
// ends, and returns its end (never when it is still open).
func (x *conv) addAssign(a assignRow) int64 {
	hi := x.w.hi
	if a.created >= hi {
		return never
	}
	if a.accepted >= hi {
		a.accepted, a.agent, a.role = 0, -1, teamSpecs[a.team].role
	}
	if a.reply >= hi {
		a.reply = 0
	}
	end := a.ended
	if a.ended >= hi {
		a.ended, a.outcome, a.reason, end = 0, "", "", never
	}
	x.keep(a.created)
	x.keep(a.accepted)
	x.keep(a.ended)
	x.w.assigns = append(x.w.assigns, a)
	return end
}

// campaignConversation is a broadcast from a campaign and what follows: most
// contacts never answer; some reply, show interest, leave contact details,
// and a few become successes.
func (w *world) campaignConversation(r rng, ci int32, rc recipient) (int64, bool) {
	c := w.contact(ci)
	task := w.tasks[rc.task]
	spec := campaignSpecs[task.spec]
	inbox := inboxWASales
	switch {
	case c.platform == platSMS:
		inbox = inboxSMS
	case c.platform == platTelegram:
		inbox = inboxTelegram
	case spec.category == catUtility:
		inbox = inboxWASupport
	}
	x := w.newConv(r, ci, inbox, int(rc.task), flowCampaign, rc.at)
	segment := "returning"
	if c.lead {
		segment = "imported"
		x.row.extID = fmt.Sprintf("crm-deal-%d", 40000+r.IntN(60000))
	}
	x.row.metadata = fmt.Sprintf(`{"campaign": %q, "segment": %q}`, spec.template, segment)

	body := spec.bodies[langEN]
	if x.lang <= langPT {
		body = spec.bodies[x.lang]
	}
	cost := int64(0)
	switch c.platform {
	case platWhatsApp:
		cost = templateCost[spec.category]
	case platSMS:
		cost = smsCost
	}
	t, mi := x.msg(rc.at, fromBroadcast, body, -1, -1, -1, 0)
	if mi >= 0 && cost > 0 {
		w.msgs[mi].billable, w.msgs[mi].bill = true, int32(cost)
	}
	if mi >= 0 && c.platform == platWhatsApp {
		w.sends = append(w.sends, sendRow{msg: mi, inbox: inbox, contact: ci, template: spec.template, category: spec.category, at: t, cost: cost})
	}

	replyP := 0.32
	if c.lead {
		replyP = 0.2
	}
	if !r.chance(replyP) {
		// The campaign's conversation window closes after a day without answer.
		return x.finish(t + day + r.between(0, 10*minute)), false
	}
	t += r.lognormal(25*minute, 1.3, 20*second, 20*hour)
	switch spec.category {
	case catUtility:
		t = x.inbound(t, pick(r, []int{intentThanks, intentThanks, intentPayment, intentDeliveryTime}))
		t = x.botSay(t+x.botDelay(), pick(r, bot[x.lang].answers), r.chance(0.5))
	case catOther:
		t = x.inbound(t, intentFeedback)
		t = x.botSay(t+x.botDelay(), bot[x.lang].bye, false)
		x.mark(markFeedback, t)
	default:
		switch u := r.Float64(); {
		case u < 0.12:
			t = x.inbound(t, intentSubscriptionCancel)
			t = x.botSay(t+x.botDelay(), bot[x.lang].stopAck, false)
			return x.finish(t + r.between(minute, 10*minute)), true
		case u < 0.52:
			t, _ = x.msg(t, fromContact, campaignYes[x.lang], intentPromotions, x.lang, -1, 0)
		case u < 0.82:
			t = x.inbound(t, intentPricing)
		default:
			t = x.inbound(t, w.topicOrder[w.topicZipf.draw(r)])
		}
		if r.chance(0.75) {
			x.row.interest = x.keepTime(t)
		}
		t = x.botSay(t+x.botDelay(), pick(r, bot[x.lang].answers), true)
		for turns := r.geometric(0.5, 3); turns > 0; turns-- {
			t = x.inbound(t+x.think(), pick(r, []int{intentPricing, intentProductAvail, intentPayment, intentPromotions}))
			t = x.botSay(t+x.botDelay(), pick(r, bot[x.lang].answers), true)
		}
		obtainP := 0.1
		if x.row.interest > 0 {
			obtainP = 0.5
		}
		if r.chance(obtainP) {
			t = x.obtainContact(t + x.botDelay())
			if x.row.obtained > 0 && r.chance(0.35) {
				t = x.botSay(t+x.botDelay(), bot[x.lang].success, false)
				if x.row.success = x.keepTime(t); x.row.success > 0 && r.chance(0.8) {
					x.row.whSucc = x.webhook("success")
				}
				x.mark(markUpsell, t)
			}
		}
		if r.chance(0.2) {
			end, _ := x.handoff(t+x.botDelay(), intentPricing, teamSales)
			if end == never {
				return x.finish(never), true
			}
			t = max(t, end)
		}
	}
	return x.finish(t + r.between(10*minute, 60*minute)), true
}

// finish closes the conversation at closeAt (never: left open), fills the
// derived columns, and returns when the contact is free again.
func (x *conv) finish(closeAt int64) int64 {
	w, r, row := x.w, x.r, x.row
	closeAt = max(closeAt, x.last+1)
	if closeAt < w.hi {
		row.closed = closeAt
		x.keep(closeAt)
	}
	for _, m := range w.msgs[x.first:] {
		row.cost += int64(m.aiCost) + int64(m.bill)
		row.lastMsg = m.at
	}
	row.modified = x.kept

	if x.c.platform == platWebchat && !x.c.isBot {
		x.visits()
		if row.metadata == "" {
			row.metadata = fmt.Sprintf(`{"landing_page": %q, "device": %q, "utm_source": %q}`,
				sitePages[w.pageZipf.draw(r)].path, pick(r, []string{"mobile", "mobile", "desktop"}), pick(r, []string{"google", "instagram", "direct", "newsletter"}))
		}
		if row.extID == "" {
			row.extID = fmt.Sprintf("sess_%012x", r.Uint64()>>16)
		}
	} else if row.lastMsg > row.started && r.chance(0.05) {
		// A link the bot sent was opened.
		w.visits = append(w.visits, visitRow{contact: x.contact, conv: x.idx, page: w.pageZipf.draw(r), at: r.between(row.started, row.lastMsg)})
	}
	if row.metadata == "" && x.c.platform == platWhatsApp && r.chance(0.4) {
		row.metadata = fmt.Sprintf(`{"locale": %q}`, []string{"es-ES", "en-US", "pt-BR", "ru-RU", "fr-FR", "de-DE"}[x.c.lang])
	}
	if row.metadata == "" {
		row.metadata = "{}"
	}
	if x.aiUsed && r.chance(0.6) {
		row.prevResp = fmt.Sprintf("resp_%016x%08x", r.Uint64(), r.Uint32())
	}
	if row.interest > 0 && row.whInt == "" && r.chance(0.5) {
		row.whInt = x.webhook("interest")
	}
	if x.c.vip && r.chance(0.5) {
		x.mark(markVIP, row.started)
	}
	if r.chance(0.02) {
		x.mark(markUrgent, row.started)
	}
	if row.closed == 0 {
		return never
	}
	return row.closed
}

// visits are the web pages a webchat contact opens during the conversation,
// and sometimes the ones browsed just before opening the chat.
func (x *conv) visits() {
	w, r, row := x.w, x.r, x.row
	end := max(row.lastMsg, row.started)
	landing := -1
	for n := 1 + r.geometric(0.55, 6); n > 0; n-- {
		page := w.pageZipf.draw(r)
		if landing < 0 {
			landing = page
		}
		w.visits = append(w.visits, visitRow{contact: x.contact, conv: x.idx, page: page, at: r.between(row.started, end+1)})
	}
	if before := row.started - r.between(30*second, 10*minute); r.chance(0.4) && before >= w.lo {
		w.visits = append(w.visits, visitRow{contact: x.contact, conv: -1, page: w.pageZipf.draw(r), at: before})
	}
	if row.metadata == "" && landing >= 0 {
		row.metadata = fmt.Sprintf(`{"landing_page": %q, "device": %q, "utm_source": %q}`,
			sitePages[landing].path, pick(r, []string{"mobile", "mobile", "desktop"}), pick(r, []string{"google", "instagram", "direct", "newsletter"}))
	}
}
