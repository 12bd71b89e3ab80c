// Package generator fills the conversation store with realistic, deterministic
// demo data: a few months of a web shop's chatbot and contact center, big
// enough to make every metric of the data source non-trivial and consistent
// enough that two people computing a metric by hand agree with the plugin.
//
// Load streams each workspace into PostgreSQL with COPY, table by table in
// foreign-key order, in one transaction, with memory that does not grow with
// the number of contacts. The same Seed and Config give the same bytes on the
// same platform; only the workspaces' own ids come from the database's
// sequence (1, 2, ... in an empty store). Every other id starts at 1 in each
// workspace and grows with time, as a live platform's would.
//
// # Streaming
//
// Ids in time order over all contacts, and one random stream running through
// the contacts in turn, would need every row in memory to be numbered. Load
// instead sorts outside memory (stream.go): it simulates the contacts a chunk
// at a time (chunkContacts), spills each chunk's row times, sorted, as a run
// of a temporary file, and merges the runs to number the rows; then it
// simulates them again from the same streams, now with each chunk's ids, and
// spills the complete rows as COPY tuples in sorted runs, which the COPY of
// each table merges by (time, run). What stays in memory is a chunk of rows,
// a read buffer per run, and 16 bytes per contact and per campaign recipient
// for planning. The temporary files go under os.TempDir ($TMPDIR) and are
// removed when Load returns, also on an error or a cancelled context; they
// take about as much disk as the loaded tables. Progress reports the phases
// PhaseSimulating, PhaseSorting and PhaseLoading. The data do not depend on
// the chunk size: a test pins them by fingerprints recorded before the
// streaming, and compares chunks of 37 contacts with the default.
//
// # Time
//
// Every time falls in [Start - 60 days, Start + Days). The 60 days before
// Start are history: contacts who already existed when the period began wrote
// for the first time then, so "total users" is a cumulative count that does
// not start at zero. Activity follows one hourly curve: a daily cycle in the
// workspace's local time zone (demo: America/Sao_Paulo, demo-2:
// Europe/Madrid, demo-3: America/Mexico_City, ...) that is quiet at night and
// peaks late in the morning and in the evening; weekends about 40% below
// weekdays; a slow growth (the end of the period is about 2.5 times as busy
// as the start of the history); and some day-to-day noise. Contacts' first
// messages, returns and agents' shifts all follow it.
//
// With Config.Until the period ends at that instant instead (Start is then
// the UTC midnight Config.Days days before it): the last day is partial, and
// whatever is going on at Until stays open (conversations, assignments not
// yet accepted, agents logged in), as in a live store read at that instant.
// Config.MissedSpike adds, at the end, a burst of missed hand-offs and
// customers still waiting for one team (see missedSpike in spike.go).
//
// # Contacts and conversations
//
//   - Platform mix per contact: whatsapp 55%, webchat 20%, telegram 10%,
//     messenger 7%, instagram 5%, viber 1.2%, line 1%, sms 0.8%; one inbox per
//     platform, and two WhatsApp numbers (Sales, Support; the Sales number's
//     conversations belong to the inbound task "Inbound sales").
//   - Languages es 36%, en 26%, pt 20%, ru 8%, fr 6%, de 4%; 12% of contacts
//     also write in a second language (in about 30% of their conversations).
//   - Each contact starts a conversation when acquired, then returns after
//     exponential gaps of about twelve days with probability 0.6 each time (a
//     geometric number of conversations, cut by the period's end). A
//     conversation is a run of inbound messages and bot replies; it closes 10
//     to 60 minutes after its last message, or after its last assignment.
//     A few are never closed, and those running at the period's end stay open.
//   - Inbound messages carry one of 25 intents: a topic drawn by a Zipf law
//     from 21 ranked topics (each workspace ranks them its own way), plus
//     greeting, thanks, goodbye, and feedback after a survey. About a fifth
//     have no intent: media, emoji, unclear text or a missed detection.
//     Bodies come from small phrase lists, typed with varying case and
//     trailing punctuation, so popular phrases repeat and must be normalised.
//   - Bot replies are AI-written (a small ai_cost) or scripted (no cost).
//     Paid messages are billable: a user-initiated WhatsApp conversation's
//     first reply, every SMS and Viber reply, and campaign broadcasts (at the
//     template's cost). A conversation's cost is the sum of its messages'
//     ai_cost and billing_cost.
//   - Start flows (Welcome for a first conversation, Main menu, a topic's
//     flow, or none) and flow triggers (start flow, topic flows, hand-off,
//     lead capture, survey), several per conversation.
//   - About 2% of webchat and Instagram contacts are bots (is_bot) that send
//     spam; their hand-offs close as spam.
//
// # Hand-offs
//
// About a quarter of conversations go to a human, more for some topics
// (talk_to_human, complaints, refunds, technical issues). An assignment is
// queued to the topic's team (Sales, Support, Tech); an agent of that team,
// or one without a team, accepts it after a log-normal wait, but only while
// connected (agent_presence); nobody within ten minutes makes it missed
// (sometimes after being routed to an agent who did not pick it up). The
// agent's first message is the assignment's first_reply_at; some accepted
// assignments get no agent message at all. About 10% are transferred to
// another team (a new assignment with transferred_from), and closing reasons
// are resolved, no_response, duplicate, out_of_scope, spam, timeout and
// transferred. Agents leave some ticket-like assignments pending for hours or
// days. Agents work about eight hours a day with a break, on weekdays or
// Wednesday to Sunday, some on night shifts that cross midnight; someone is
// still connected at the end. A quarter of agent messages start from an AI
// assist suggestion (ai_writer or doc_reply) that the agent edits a little,
// sometimes discards, or had translated.
//
// # Campaigns and credits
//
// An outbound campaign about every ten days (marketing, utility or other
// templates) broadcasts to 10 to 22% of the eligible contacts at about 80
// messages a minute, plus imported leads (about 5% of the contacts, created
// just before their campaign, and with no inbound message until they reply).
// About 30% reply; marketing replies show interest, some leave contact
// details (contact_obtained_at, contact_details, webhook event ids) and a
// subset succeed. WhatsApp broadcasts are template_sends at per-category
// costs, with authentication login codes sent through the API (no message).
// The credit ledger holds the credits added: an initial top-up, a welcome
// bonus, an automatic recharge whenever the balance would drop under a fifth
// of a top-up, and a small monthly refund, so the balance stays positive.
//
// Markers (tags) mark leads, complaints, follow-ups, VIPs and more at a time
// within their conversation; webchat contacts visit pages of a small shop
// during (and sometimes just before) their conversations.
package generator
