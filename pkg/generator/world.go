package generator

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	// The workspaces' time zones must load on hosts without an IANA database.
	_ "time/tzdata"
)

// never is the "no such time" of optional timestamps and open intervals.
const never = math.MaxInt64

// Senders, as stored in messages.sender.
const (
	fromContact uint8 = iota
	fromBot
	fromAgent
	fromBroadcast
)

var senderNames = [...]string{"contact", "bot", "agent", "broadcast"}

// The rows of one workspace, in compact form. Times are Unix milliseconds and
// 0 stands for NULL; references are indexes into the world's slices until the
// ids are assigned (ordered by time) just before loading.
type (
	agentRow struct {
		name, email, role string
		team              int // -1: no team (takes any queue)
		shift             shift
		weekends          bool
		spans             []span // presence, sorted
	}
	span        struct{ from, to int64 } // to == never: still connected
	presenceRow struct {
		agent    int
		from, to int64
	}
	taskRow struct {
		name, kind string
		created    int64
		spec       int // campaignSpecs index; -1 for the inbound task
		send       int64
	}
	contactRow struct {
		platform             int
		chatID, name, extID  string
		created, acquired    int64
		lang, lang2          int // lang2 -1: writes in one language only
		inbox                int
		isBot, vip           bool
		lead                 bool
		campaigns            []recipient // in time order
		hasFirstConversation bool
	}
	recipient struct {
		at      int64
		contact int32
		task    int32
	}
	convRow struct {
		contact                                                         int32
		inbox, task, flow                                               int
		isBot                                                           bool
		started, closed, lastMsg, modified                              int64
		interest, obtained, success                                     int64
		title, extID, metadata, details, prevResp, whGet, whInt, whSucc string
		cost                                                            int64
	}
	// msgRow holds no pointers (the body is an index into world.texts), so
	// a million of them cost the garbage collector nothing to scan.
	msgRow struct {
		at       int64
		conv     int32
		body     uint32
		aiCost   int32 // micro-credits
		bill     int32 // micro-credits
		agent    int16 // -1: none
		sender   uint8
		intent   int8 // -1: none
		lang     int8 // -1: none
		billable bool
	}
	assignRow struct {
		conv, contact                   int32
		from                            int32 // transferred_from, -1: none
		agent, team                     int   // -1: none
		role                            string
		created, accepted, reply, ended int64
		outcome, reason                 string
	}
	triggerRow struct {
		flow int
		conv int32 // -1: none
		at   int64
	}
	markRow struct {
		conv   int32
		marker int
		at     int64
	}
	visitRow struct {
		contact, conv int32 // conv -1: browsing outside a conversation
		page          int
		at            int64
	}
	sendRow struct {
		msg      int32 // -1: sent through the API, not part of a conversation
		inbox    int
		contact  int32
		template string
		category int
		at, cost int64
	}
	ledgerRow struct {
		at         int64
		kind, note string
		amount     int64
	}
	aiUseRow struct {
		agent           int
		conv            int32 // -1: tried outside a conversation
		tool            string
		at              int64
		suggested, sent string
		hasSent         bool
		translated      bool
	}
)

// world is one workspace being generated.
type world struct {
	cfg                Config
	num                int // 1-based position among the generated workspaces
	slug, name, tzName string
	loc                *time.Location
	lo, start, hi      int64 // [lo, hi) holds every time; lo = Start - 60 days, hi = Config.end()

	act        *activity
	topicOrder []int    // Zipf rank -> topicIntents index (rank 0 most frequent)
	topicZipf  weighted // over ranks
	pageZipf   weighted

	agents   []agentRow
	presence []presenceRow
	tasks    []taskRow
	people   []person // every contact, compact
	// Rows that planning makes, before any contact is simulated.
	planTriggers []triggerRow
	planAIUses   []aiUseRow
	recipients   []recipient // campaign recipients by contact, then time

	// The rows of the chunk being simulated (see stream.go); references
	// between them are indexes into these slices, except contacts', which
	// are workspace-wide (contacts[ci-contactBase]).
	contacts      []contactRow
	contactBase   int32
	nextRecipient int // the first recipient of the next chunk
	convs         []convRow
	msgs          []msgRow
	assigns       []assignRow
	triggers      []triggerRow
	marks         []markRow
	visits        []visitRow
	sends         []sendRow
	ledger        []ledgerRow
	aiUses        []aiUseRow

	texts   []string          // message bodies, each once
	textIDs map[string]uint32 // body -> index in texts

	// ids of the chunk's rows, in the order of the whole workspace by time.
	contactIDs, convIDs, msgIDs, assignmentIDs numbering

	progress *tracker // nil: nobody watches
	// analyzer keeps the statistics of what the load has written current,
	// across the workspaces of one load.
	analyzer *analyzer
}

// Stable purposes for newRNG, so each part draws from its own stream.
const (
	streamActivity = iota + 1
	streamAgents
	streamContacts
	streamCampaigns
	streamConversations
	streamLedger
	streamSpike
)

// shift is a working pattern in local wall-clock time.
type shift struct{ startH, startM, hours int }

var (
	morning   = shift{8, 0, 8}
	afternoon = shift{13, 0, 8}
	evening   = shift{15, 30, 8}
	night     = shift{22, 0, 8} // ends the next morning
)

// agentPattern is the team, shift and week of the agents after the first
// (a Sales admin on weekday mornings), in turn. Weekend workers work
// Wednesday to Sunday. Sales has no evening shift and Tech no nights, so
// hand-offs to them late in the day are missed more often, as in real teams.
var agentPattern = []struct {
	team     int
	shift    shift
	weekends bool
}{
	{teamSupport, morning, false}, {teamSupport, afternoon, false}, {teamSales, afternoon, false},
	{teamTech, morning, false}, {teamSupport, morning, true}, {teamSupport, night, false},
	{teamTech, evening, true}, {-1, afternoon, true}, {teamSupport, evening, false},
	{teamSales, morning, true}, {teamSupport, afternoon, true},
}

// Precomputed typing variants of every inbound phrase: [intent][lang][phrase].
var (
	phraseOnce     sync.Once
	intentVariants [][6][][]string
)

// allIntents are the topic intents followed by greeting, thanks and goodbye;
// a message's intent code is its index here.
var allIntents = func() []intentSpec {
	return append(slices.Clone(topicIntents), greetingIntent, thanksIntent, goodbyeIntent)
}()

var (
	intentGreeting = len(topicIntents)
	intentThanks   = len(topicIntents) + 1
	intentGoodbye  = len(topicIntents) + 2
)

func phraseVariants() [][6][][]string {
	phraseOnce.Do(func() {
		intentVariants = make([][6][][]string, len(allIntents))
		for i, spec := range allIntents {
			for l := range languages {
				for _, p := range spec.phrases[l] {
					intentVariants[i][l] = append(intentVariants[i][l], variants(p))
				}
			}
		}
	})
	return intentVariants
}

func newWorld(cfg Config, num int) (*world, error) {
	tz := timeZones[(num-1)%len(timeZones)]
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("generator: loading time zone %s: %w", tz, err)
	}
	w := &world{cfg: cfg, num: num, slug: slugOf(num), tzName: tz, loc: loc}
	w.name = "Demo shop"
	if num > 1 {
		w.name = fmt.Sprintf("Demo shop %d", num)
	}
	w.start = cfg.Start.UnixMilli()
	w.lo = w.start - historyDays*day
	w.hi = cfg.end()
	w.act = newActivity(w.rng(streamActivity), w.lo, w.hi, loc, 1.5)

	// Topics other than feedback are ranked; later workspaces get their own ranking.
	ranked := len(topicIntents) - 1
	w.topicOrder = make([]int, ranked)
	for i := range w.topicOrder {
		w.topicOrder[i] = i
	}
	if num > 1 {
		r := w.rng(streamActivity)
		r.Shuffle(ranked, func(i, j int) { w.topicOrder[i], w.topicOrder[j] = w.topicOrder[j], w.topicOrder[i] })
	}
	w.topicZipf = zipf(ranked, 1.1)
	w.pageZipf = zipf(len(sitePages), 0.9)
	return w, nil
}

// slugOf is the slug of the num-th workspace: demo, demo-2, demo-3, ...
func slugOf(num int) string {
	if num == 1 {
		return "demo"
	}
	return "demo-" + strconv.Itoa(num)
}

func (w *world) rng(purpose int) rng { return newRNG(w.cfg.Seed, w.num, purpose) }

// plan prepares what the contacts' simulation draws on: agents and their
// presence, every contact in compact form, and the campaigns' recipients.
func (w *world) plan() {
	phraseVariants()
	w.makeAgents()
	w.makePeople()
	w.planCampaigns()
}

// simulate plays the contacts' histories, a chunk of chunkContacts contacts
// at a time, with one random stream running through them in turn, and calls
// each after the chunk's rows are in w's slices. Runs are, in order: the
// rows planning made (campaign flow triggers, AI assist uses outside
// conversations), one run per chunk, and the missed-hand-off spike's rows;
// simulating again gives the same runs.
func (w *world) simulate(phase string, each func(run int) error) error {
	run := 0
	w.resetChunk()
	w.triggers, w.aiUses = w.planTriggers, w.planAIUses
	if err := each(run); err != nil {
		return err
	}
	r := w.rng(streamConversations)
	contacts := w.contactStream()
	w.nextRecipient = 0
	w.progress.start(phase, int64(w.cfg.Contacts))
	for base := 0; base < w.cfg.Contacts; base += chunkContacts {
		run++
		w.resetChunk()
		w.nextContacts(contacts, min(chunkContacts, w.cfg.Contacts-base))
		for i := range w.contacts {
			w.simulateContact(r, w.contactBase+int32(i))
			w.progress.step()
		}
		if err := each(run); err != nil {
			return err
		}
	}
	if w.cfg.MissedSpike != "" {
		run++
		w.resetChunk()
		w.contactBase = int32(w.cfg.Contacts)
		w.missedSpike(teamIndex(w.cfg.MissedSpike))
		if err := each(run); err != nil {
			return err
		}
	}
	return nil
}

// resetChunk empties the chunk's rows, keeping their arrays for the next chunk.
func (w *world) resetChunk() {
	w.contacts, w.convs, w.msgs, w.assigns = w.contacts[:0], w.convs[:0], w.msgs[:0], w.assigns[:0]
	w.triggers, w.marks, w.visits, w.sends, w.aiUses = nil, w.marks[:0], w.visits[:0], w.sends[:0], nil
	w.texts = w.texts[:0]
	if w.textIDs == nil {
		w.textIDs = map[string]uint32{}
	}
	clear(w.textIDs)
}

// makeAgents creates the agents and their presence: about 8 hours a working
// day in the workspace's local time, split by a break, with some night shifts
// that cross midnight.
func (w *world) makeAgents() {
	r := w.rng(streamAgents)
	for i := 0; i < w.cfg.Agents; i++ {
		name := agentNames[i%len(agentNames)]
		if i >= len(agentNames) {
			name += " " + strconv.Itoa(i/len(agentNames)+1)
		}
		a := agentRow{name: name, role: "support", team: teamSales, shift: morning}
		if i > 0 {
			p := agentPattern[(i-1)%len(agentPattern)]
			a.team, a.shift, a.weekends = p.team, p.shift, p.weekends
		} else {
			a.role = "admin"
		}
		if a.team == teamTech {
			a.role = "tech"
		}
		if a.team >= 0 {
			a.email = emailLocal(name) + "@" + w.slug + ".example.com"
		}
		w.agents = append(w.agents, a)
	}

	first := time.UnixMilli(w.lo - day).In(w.loc)
	y, m, d := first.Date()
	for date := time.Date(y, m, d, 0, 0, 0, 0, w.loc); date.UnixMilli() < w.hi; date = time.Date(date.Year(), date.Month(), date.Day()+1, 0, 0, 0, 0, w.loc) {
		wd := date.Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		for ai := range w.agents {
			a := &w.agents[ai]
			// Weekend workers take Monday and Tuesday off instead.
			working := !weekend
			if a.weekends {
				working = wd != time.Monday && wd != time.Tuesday
			}
			if !working || r.chance(0.04) {
				continue
			}
			begin := time.Date(date.Year(), date.Month(), date.Day(), a.shift.startH, a.shift.startM, 0, 0, w.loc).UnixMilli()
			begin += r.between(-5*minute, 20*minute)
			end := begin + int64(a.shift.hours)*hour + 30*minute + r.between(-15*minute, 15*minute)
			brk := begin + 4*hour + r.between(-30*minute, 30*minute)
			back := brk + r.between(30*minute, 60*minute)
			parts := []span{{begin, brk}, {back, end}}
			if r.chance(0.06) { // a dropped connection, reconnected a few minutes later
				cut := back + r.between(30*minute, 3*hour)
				if resume := cut + r.between(minute, 5*minute); resume < end {
					parts = []span{{begin, brk}, {back, cut}, {resume, end}}
				}
			}
			for _, p := range parts {
				w.addPresence(ai, p)
			}
		}
	}
	// Someone is always still connected when the period ends: if no shift
	// crosses the end, the agent who logged out last forgot to log out.
	open, latest, latestAgent := false, int64(0), -1
	for ai, a := range w.agents {
		if n := len(a.spans); n > 0 {
			if a.spans[n-1].to == never {
				open = true
			}
			if a.spans[n-1].to > latest {
				latest, latestAgent = a.spans[n-1].to, ai
			}
		}
	}
	if !open && latestAgent >= 0 {
		a := &w.agents[latestAgent]
		a.spans[len(a.spans)-1].to = never
	}
	for ai, a := range w.agents {
		for _, s := range a.spans {
			w.presence = append(w.presence, presenceRow{agent: ai, from: s.from, to: s.to})
		}
	}
	slices.SortStableFunc(w.presence, func(a, b presenceRow) int { return cmpInt(a.from, b.from) })

	// A few AI assist uses outside conversations: agents trying the tool.
	for ai, a := range w.agents {
		for si, s := range a.spans {
			if si%9 != 4 {
				continue
			}
			to := min(s.to, w.hi)
			at := r.between(s.from, to)
			line := r.IntN(len(agentLines[langEN]))
			use := aiUseRow{agent: ai, conv: -1, tool: "ai_writer", at: at, suggested: agentLines[langEN][line]}
			if r.chance(0.5) {
				use.tool = "doc_reply"
			}
			if r.chance(0.6) {
				use.sent, use.hasSent = r.editText(use.suggested, langEN), true
			}
			w.planAIUses = append(w.planAIUses, use)
		}
	}
}

// addPresence clips an interval to [lo, hi); one that crosses hi stays open.
func (w *world) addPresence(agent int, s span) {
	if s.to <= w.lo || s.from >= w.hi {
		return
	}
	s.from = max(s.from, w.lo)
	if s.to >= w.hi {
		s.to = never
	}
	w.agents[agent].spans = append(w.agents[agent].spans, s)
}

// present tells whether the agent is connected at t.
func (a *agentRow) present(t int64) bool {
	i, _ := slices.BinarySearchFunc(a.spans, t, func(s span, t int64) int { return cmpInt(s.from, t+1) })
	// spans[i-1] is the last one starting at or before t.
	return i > 0 && t <= a.spans[i-1].to
}

// pickAgent chooses a connected agent of the team, or of no team, at t; -1 if none.
func (w *world) pickAgent(r rng, team int, t int64) int {
	var candidates [32]int
	n := 0
	for ai := range w.agents {
		a := &w.agents[ai]
		if (a.team == team || a.team < 0) && a.present(t) {
			if n < len(candidates) {
				candidates[n] = ai
				n++
			}
		}
	}
	if n == 0 {
		return -1
	}
	return candidates[r.IntN(n)]
}

// person is what the whole workspace needs to know of a contact while the
// contacts are simulated a chunk at a time: enough to choose campaign
// audiences. The rest of a contact (names, ids on its platform) is drawn
// again, from the same stream, when its chunk comes (contactStream).
type person struct {
	created     int64 // acquisition time, or import time for a lead
	platform    uint8
	lead, isBot bool
}

// acquired is when the contact first writes on their own: never for a lead.
func (p person) acquired() int64 {
	if p.lead {
		return never
	}
	return p.created
}

// contactStream draws the contacts one after the other: platform, language
// and acquisition time follow the activity curve over [lo, hi): the growth
// makes later weeks bring more new users, and the contacts acquired before
// Start are the ones who already existed when the period began. Drawing them
// again from a new stream gives the same contacts.
type contactStream struct {
	w          *world
	r          rng
	plat, lang weighted
	offset     uint64
	i          int
}

func (w *world) contactStream() *contactStream {
	return &contactStream{w: w, r: w.rng(streamContacts), plat: newWeighted(platformWeights), lang: newWeighted(languageWeights),
		offset: splitmix(w.cfg.Seed ^ uint64(w.num)<<32)}
}

// next draws the next contact.
func (s *contactStream) next() contactRow {
	w, r, i := s.w, s.r, s.i
	s.i++
	var c contactRow
	c.platform = s.plat.draw(r)
	c.lang = s.lang.draw(r)
	c.lang2 = -1
	if r.chance(0.12) {
		c.lang2 = (c.lang + 1 + r.IntN(len(languages)-1)) % len(languages)
	}
	c.inbox = platformInbox[c.platform]
	if c.platform == platWhatsApp && r.chance(0.35) {
		c.inbox = inboxWASales
	}
	c.isBot = (c.platform == platWebchat || c.platform == platInstagram) && r.chance(0.02)
	c.vip = r.chance(0.04)
	c.chatID = chatID(c.platform, c.lang, uint64(i), s.offset, r)
	if !(c.platform == platWebchat && r.chance(0.3)) && !c.isBot {
		c.name = pick(r, firstNames[c.lang]) + " " + pick(r, lastNames[c.lang])
	}
	if r.chance(0.12) {
		c.extID = fmt.Sprintf("crm-%06d", 100000+r.IntN(900000))
	}
	// About 5% of all contacts are imported leads: WhatsApp numbers that a
	// marketing campaign writes to first (they are given a campaign later).
	c.lead = c.platform == platWhatsApp && !c.isBot && r.chance(0.09)
	if !c.lead {
		c.acquired = w.act.sample(r, w.lo, w.hi)
		c.created = c.acquired
	}
	return c
}

// makePeople draws every contact once and keeps what planning needs.
func (w *world) makePeople() {
	s := w.contactStream()
	w.people = make([]person, w.cfg.Contacts)
	for i := range w.people {
		c := s.next()
		w.people[i] = person{created: c.created, platform: uint8(c.platform), lead: c.lead, isBot: c.isBot}
	}
}

// nextContacts draws the next n contacts of s in full, with what planning
// decided (leads' import times, campaigns) filled in, as the chunk's contacts.
func (w *world) nextContacts(s *contactStream, n int) {
	base := s.i
	w.contactBase = int32(base)
	w.contacts = slices.Grow(w.contacts[:0], n)
	for k := 0; k < n; k++ {
		c := s.next()
		p := w.people[base+k]
		c.lead, c.created, c.acquired = p.lead, p.created, p.acquired()
		// Recipients are sorted by contact, so the chunk's come next.
		from := w.nextRecipient
		for w.nextRecipient < len(w.recipients) && int(w.recipients[w.nextRecipient].contact) == base+k {
			w.nextRecipient++
		}
		c.campaigns = w.recipients[from:w.nextRecipient]
		w.contacts = append(w.contacts, c)
	}
}

// contact is the chunk's contact with the workspace-wide index ci.
func (w *world) contact(ci int32) *contactRow { return &w.contacts[ci-w.contactBase] }

// chatID is the contact's id on its platform, unique per platform: phone
// numbers and numeric ids come from a bijection of the contact's index.
func chatID(platform, lang int, i, offset uint64, r rng) string {
	perm := func(mod uint64) uint64 { return (i*2654435761 + offset%mod) % mod }
	switch platform {
	case platWhatsApp:
		return pick(r, countryCodes[lang]) + fmt.Sprintf("%09d", perm(1e9))
	case platSMS:
		return "+" + pick(r, countryCodes[lang]) + fmt.Sprintf("%09d", perm(1e9))
	case platTelegram:
		return strconv.FormatUint(100000000+perm(9e8), 10)
	case platMessenger:
		return "2" + fmt.Sprintf("%015d", perm(1e15))
	case platInstagram:
		return "17" + fmt.Sprintf("%015d", perm(1e15))
	case platLine:
		return fmt.Sprintf("U%016x%016x", splitmix(offset^i), splitmix(offset^i^0xabcdef))
	case platViber:
		return fmt.Sprintf("%016x%06x==", splitmix(offset^i), i&0xffffff)
	default: // webchat
		return fmt.Sprintf("wc_%016x", splitmix(offset^i))
	}
}

// planCampaigns creates the tasks: one inbound task (the sales number's
// conversations) and an outbound campaign about every ten days, each sent on
// a weekday to a share of the contacts acquired before it (plus, for marketing
// campaigns, imported leads).
func (w *world) planCampaigns() {
	r := w.rng(streamCampaigns)
	w.tasks = append(w.tasks, taskRow{name: "Inbound sales", kind: "inbound", created: w.lo, spec: -1})
	n := max(1, w.cfg.Days/10)
	var marketing []int
	for k := 0; k < n; k++ {
		spec := campaignSpecs[k%len(campaignSpecs)]
		offset := (2*k + 1) * w.cfg.Days / (2 * n)
		date := time.UnixMilli(w.start + int64(offset)*day + 12*hour).In(w.loc)
		switch date.Weekday() {
		case time.Saturday:
			date = date.AddDate(0, 0, 2)
		case time.Sunday:
			date = date.AddDate(0, 0, 1)
		}
		h, m := 10, 0
		if spec.category != catMarketing {
			h, m = 18, 30
		}
		send := time.Date(date.Year(), date.Month(), date.Day(), h, m+r.IntN(20), 0, 0, w.loc).UnixMilli()
		send = max(w.start, min(send, w.hi-2*hour))
		created := max(w.lo, send-r.between(2*hour, 3*day))
		name := spec.name + " " + time.UnixMilli(send).In(w.loc).Format("Jan 2")
		w.tasks = append(w.tasks, taskRow{name: name, kind: "outbound", created: created, spec: k % len(campaignSpecs), send: send})
		if spec.category == catMarketing {
			marketing = append(marketing, len(w.tasks)-1)
		}
		// The scheduler runs the campaign flow once per campaign, outside any conversation.
		w.planTriggers = append(w.planTriggers, triggerRow{flow: flowCampaign, conv: -1, at: send})
	}

	// Leads are imported shortly after their campaign is created.
	leads := make([][]int32, len(w.tasks))
	for i := range w.people {
		c := &w.people[i]
		if !c.lead {
			continue
		}
		if len(marketing) == 0 {
			c.lead, c.created = false, w.act.sample(r, w.lo, w.hi)
			continue
		}
		ti := marketing[r.IntN(len(marketing))]
		c.created = w.tasks[ti].created + r.between(minute, 30*minute)
		leads[ti] = append(leads[ti], int32(i))
	}

	audience := make([]int32, 0, len(w.people))
	for ti := 1; ti < len(w.tasks); ti++ {
		t := w.tasks[ti]
		spec := campaignSpecs[t.spec]
		audience = audience[:0]
		for i := range w.people {
			c := &w.people[i]
			if c.lead || c.isBot || c.acquired() >= t.send-hour {
				continue
			}
			ok := c.platform == platWhatsApp
			switch spec.category {
			case catUtility:
				ok = ok || c.platform == platSMS
			case catOther:
				ok = ok || c.platform == platTelegram
			}
			if ok {
				audience = append(audience, int32(i))
			}
		}
		r.Shuffle(len(audience), func(i, j int) { audience[i], audience[j] = audience[j], audience[i] })
		take := int(float64(len(audience)) * (0.10 + 0.12*r.Float64()))
		batch := append(slices.Clone(audience[:take]), leads[ti]...)
		r.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		// WhatsApp sends about 80 messages a minute: a campaign is a burst.
		for i, ci := range batch {
			at := t.send + int64(i)*750 + r.between(0, 500)
			if at < w.hi {
				w.recipients = append(w.recipients, recipient{task: int32(ti), contact: ci, at: at})
			}
		}
	}
	// Each contact's campaigns in time order, the contacts one after the
	// other, so that a chunk of contacts takes the next stretch.
	slices.SortStableFunc(w.recipients, func(a, b recipient) int { return cmpInt(a.at, b.at) })
	slices.SortStableFunc(w.recipients, func(a, b recipient) int { return int(a.contact - b.contact) })
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var asciiFold = strings.NewReplacer(
	"á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "ã", "a", "õ", "o",
	"ç", "c", "â", "a", "ê", "e", "ô", "o", "ü", "u", "ö", "o", "ä", "a", "è", "e",
	"ï", "i", "ë", "e", "ß", "ss", " ", ".", "é", "e",
)

// emailLocal turns a Latin-script name into the local part of an address.
func emailLocal(name string) string {
	return asciiFold.Replace(strings.ToLower(name))
}
