// Package seed builds a realistic foitrack database for development and
// benchmarks (`foitrack dev seed`): authorities across the UK nations and US
// federal agencies, requests under every law in every lifecycle state with
// their events, replies by mail with attachments, documents and exemptions in
// realistic proportions, timeline events with links, and users.
//
// Every row is written through the store's own transaction methods, so what
// is stored (audit entries included) is exactly what the app writes, and
// `foitrack audit verify` passes on a seeded database. Speed comes from
// writing many requests in one transaction, not from a second write path,
// and from a bulk load (store.BeginBulkLoad: unsynced commits, a large page
// cache, the full-text index filled once at the end by its triggers' own
// statements, the count and insight tables by their first fills and the
// indexes only reads use made at the end), and from
// messages inserted already processed (store.Tx.InsertProcessedMail, which
// stores what the mail sync's insert and processing update store).
//
// The same options give the same content: the random source is seeded, the
// store's clock is set per transaction, and reply tokens are drawn from the
// same source. Only values the app draws at random by design (password
// hashes, public page slugs, audit secrets) differ between runs; ContentHash
// leaves them out.
package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Options say how much to build.
type Options struct {
	Requests int
	// Messages is about how many mail messages to store (0: five per
	// request). Each reply that carries a lifecycle event is one; the rest
	// are other correspondence on requests and the holding pen.
	Messages int
	Seed     uint64
	// End is the last day anything happened (zero: DefaultEnd). Dates are
	// spread over the three years before it.
	End tracker.Date
	// Password is every seeded user's password.
	Password string
	// Progress, if set, is called after each transaction with the requests
	// written so far.
	Progress func(done, total int)
	// IndexProgress, if set, is called while the full-text index is built
	// at the end, with the rows indexed so far.
	IndexProgress func(done, total int)
	// perChange writes through store.Update (every request's derived
	// fields worked out after each change) rather than UpdateBatch (once
	// per request per transaction): the tests compare the two.
	perChange bool
	// perTx, when set, replaces requestsPerTx, so that a test's small
	// database still spans several transactions.
	perTx int
}

// DefaultEnd is the fixed "today" of a seeded database, so that the same seed
// gives the same database whenever it is built.
var DefaultEnd = tracker.NewDate(2026, time.November, 30)

// Summary counts what was written.
type Summary struct {
	Authorities    int            `json:"authorities"`
	Requests       int            `json:"requests"`
	Events         int            `json:"events"`
	Messages       int            `json:"messages"`
	Documents      int            `json:"documents"`
	TimelineEvents int            `json:"timeline_events"`
	Links          int            `json:"links"`
	Users          int            `json:"users"`
	ByStatus       map[string]int `json:"by_status"`
}

// requestsPerTx is how many requests (with all their mail and documents)
// one transaction writes: large enough that commits are rare, small enough
// that a transaction's WAL stays modest.
const requestsPerTx = 250

// Run fills an empty database. It refuses one that holds requests already,
// so that it can never mix made-up rows into real ones.
func Run(ctx context.Context, st *store.Store, o Options) (Summary, error) {
	sum := Summary{ByStatus: map[string]int{}}
	if o.Requests < 0 || o.Messages < 0 {
		return sum, tracker.Errorf(tracker.EINVALID, "the numbers of requests and messages cannot be negative")
	}
	var n int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM requests`).Scan(&n); err != nil {
		return sum, fmt.Errorf("seed: unable to count requests: %w", err)
	}
	if n > 0 {
		return sum, tracker.Errorf(tracker.ECONFLICT, "the database holds %d requests already: seed only an empty one", n)
	}
	if o.End.IsZero() {
		o.End = DefaultEnd
	}
	if o.Messages == 0 {
		o.Messages = 5 * o.Requests
	}
	if o.Password == "" {
		return sum, tracker.Errorf(tracker.EINVALID, "a password for the seeded users is required")
	}
	// A bulk load: the writer set up for throughput (unsynced commits,
	// a large cache) and the full-text index filled once at the end. The
	// per-change path (tests' reference) keeps the app's settings.
	var bulk *store.BulkLoad
	if !o.perChange {
		var err error
		if bulk, err = st.BeginBulkLoad(ctx); err != nil {
			return sum, fmt.Errorf("seed: %w", err)
		}
	}
	g := &gen{
		o:         o,
		rng:       rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		st:        st,
		sum:       &sum,
		blobs:     make(chan blobItem, 512),
		blobsDone: make(chan struct{}),
	}
	go g.writeBlobs()
	defer func() {
		close(g.blobs)
		<-g.blobsDone
	}()
	oldNow := st.Now
	defer func() { st.Now = oldNow }()
	g.clock = time.Date(o.End.Year(), o.End.Month(), o.End.Day(), 18, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return g.clock }
	ctx = store.WithActor(ctx, "seed")

	if err := g.users(ctx); err != nil {
		return sum, err
	}
	if err := g.authorities(ctx); err != nil {
		return sum, err
	}
	g.msgPerReq = float64(o.Messages) / float64(max(1, o.Requests))
	if err := g.pipeline(ctx); err != nil {
		return sum, err
	}
	if err := g.setAside(ctx); err != nil {
		return sum, err
	}
	if err := g.timeline(ctx); err != nil {
		return sum, err
	}
	if bulk != nil {
		// Every file the rows name, before the database can be opened.
		if err := g.flushBlobs(); err != nil {
			return sum, fmt.Errorf("seed: %w", err)
		}
		var progress func(done, total int64)
		if o.IndexProgress != nil {
			progress = func(done, total int64) { o.IndexProgress(int(done), int(total)) }
		}
		if err := bulk.Finish(ctx, progress); err != nil {
			return sum, fmt.Errorf("seed: %w", err)
		}
	}
	return sum, nil
}

type gen struct {
	o         Options
	rng       *rand.Rand
	st        *store.Store
	sum       *Summary
	clock     time.Time // the store's clock: the transaction being written
	userIDs   []int64
	auths     []tracker.Authority
	zipf      *rand.Zipf
	msgPerReq float64
	// Blob files are written by a goroutine of their own while rows are
	// written. Outside a bulk load every transaction waits for its files
	// before it commits, so no committed row names a file not yet
	// written; a bulk load's database cannot be opened until it has
	// finished (store.BulkLoad's marker), so it waits for them only once,
	// before it finishes.
	blobs     chan blobItem
	blobsDone chan struct{} // closed when the blob goroutine has stopped
	// blobsFailed is the first error writing a file: the writer stops at
	// it, rather than writing rows for files that cannot be stored.
	blobsFailed atomic.Pointer[error]

	// The producer's (pipeline.go): what the transactions it makes are
	// numbered from. Until the pipeline has run, and after, the rng is the
	// main goroutine's; while it runs, only the producer draws.
	made        time.Time // the clock of the transaction being made
	uid         uint32
	nextRequest int64
	// How many ids each of the timeline's lists will hold, once written.
	kept struct{ replies, released, withheld int }

	// The writer's: ids known once rows are written.
	lastMessage int64 // the message written last (its event's and documents')
	// What the timeline links to, collected while requests are written.
	released []int64 // documents
	withheld []int64 // refused requests
	replies  []int64 // matched messages
}

// blobItem is a file for the blob goroutine, or (written set) a marker: it
// is told on written the first error met (or nil) once every file queued
// before it is written.
type blobItem struct {
	data    []byte
	written chan error
}

// blob queues data for the blob store and returns its sha256.
func (g *gen) blob(data []byte) string {
	h := sha256.Sum256(data)
	g.blobs <- blobItem{data: data}
	return hex.EncodeToString(h[:])
}

func (g *gen) writeBlobs() {
	defer close(g.blobsDone)
	var failed error
	for it := range g.blobs {
		switch {
		case it.written != nil:
			it.written <- failed
		case failed == nil:
			if _, failed = g.st.WriteBlobBytes(it.data); failed != nil {
				g.blobsFailed.Store(&failed)
			}
		}
	}
}

// blobMarker queues a marker after the files queued so far; it is told on
// the returned channel once they are written.
func (g *gen) blobMarker() chan error {
	written := make(chan error, 1)
	g.blobs <- blobItem{written: written}
	return written
}

// flushBlobs waits for the files queued so far.
func (g *gen) flushBlobs() error { return <-g.blobMarker() }

// update is store.UpdateBatch (what derives from each request's history is
// worked out once, before the commit); per change (no bulk load), it is
// store.Update, and the files queued before written (if set) are waited for
// before the commit.
func (g *gen) update(ctx context.Context, written <-chan error, fn func(tx *store.Tx) error) error {
	if !g.o.perChange {
		return g.st.UpdateBatch(ctx, fn)
	}
	return g.st.Update(ctx, func(tx *store.Tx) error {
		err := fn(tx)
		if written != nil {
			if werr := <-written; err == nil {
				err = werr
			}
		}
		return err
	})
}

// tick moves the store's clock on one second: each transaction has its own
// timestamp, as it would in use.
func (g *gen) tick() { g.clock = g.clock.Add(time.Second) }

func (g *gen) pick(l []string) string { return l[g.rng.IntN(len(l))] }

// chance is true with probability p.
func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// token draws a reply token from the seeded source (the app draws from
// crypto/rand; this is a development database).
func (g *gen) token() string {
	b := make([]byte, 10)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func (g *gen) users(ctx context.Context) error {
	users := []store.User{
		{Email: "admin@example.org", Name: "Alex Admin", Role: store.RoleAdmin},
		{Email: "editor1@example.org", Name: "Sam Editor", Role: store.RoleEditor},
		{Email: "editor2@example.org", Name: "Jo Reporter", Role: store.RoleEditor},
		{Email: "editor3@example.org", Name: "Priya Researcher", Role: store.RoleEditor},
		{Email: "viewer@example.org", Name: "Vic Viewer", Role: store.RoleViewer},
	}
	for i := range users {
		g.tick()
		if err := g.st.CreateUser(ctx, &users[i], g.o.Password); err != nil {
			return fmt.Errorf("seed: user %s: %w", users[i].Email, err)
		}
		if users[i].Role != store.RoleViewer {
			g.userIDs = append(g.userIDs, users[i].ID)
		}
		g.sum.Users++
	}
	return nil
}

// authorities makes one authority per 200 requests (at least 24), spread
// over the jurisdictions like a UK-and-US campaign's: English councils and
// police most, then UK-wide departments, Scotland, Wales, Northern Ireland,
// US federal agencies, and a few Irish and Australian bodies.
func (g *gen) authorities(ctx context.Context) error {
	n := max(24, g.o.Requests/200)
	seen := map[string]int{}
	var list []tracker.Authority
	for i := 0; i < n; i++ {
		a := g.authority(i)
		base := a.Name
		if k := seen[base]; k > 0 {
			a.Name = fmt.Sprintf("%s (%d)", base, k+1)
		}
		seen[base]++
		a.URLName = slug(a.Name)
		a.DefaultLaw = tracker.DefaultLawFor(a.Jurisdiction)
		a.Email = "foi@" + a.Domains[0]
		a.Website = "https://www." + a.Domains[0] + "/"
		list = append(list, a)
	}
	for start := 0; start < len(list); start += 500 {
		g.tick()
		end := min(start+500, len(list))
		err := g.update(ctx, nil, func(tx *store.Tx) error {
			for i := start; i < end; i++ {
				if err := list[i].Validate(); err != nil {
					return fmt.Errorf("seed: authority %q: %w", list[i].Name, err)
				}
				if err := tx.CreateAuthority(&list[i]); err != nil {
					return fmt.Errorf("seed: authority %q: %w", list[i].Name, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	g.auths = list
	g.sum.Authorities = len(list)
	// A few authorities get most requests (the Met, the Home Office…).
	g.zipf = rand.NewZipf(g.rng, 1.07, 4, uint64(len(list)-1))
	return nil
}

func (g *gen) authority(i int) tracker.Authority {
	r := g.rng.Float64()
	place := g.pick(ukPlaces)
	switch {
	case i < 6: // the big ones first, so the Zipf head lands on them
		b := bigAuthorities[i]
		return tracker.Authority{Name: b[0], ShortName: b[1], Jurisdiction: b[2], Domains: []string{b[3]}, Tags: []string{b[4]}}
	case r < 0.40:
		kind := g.pick([]string{"County Council", "City Council", "District Council", "Borough Council"})
		return tracker.Authority{Name: place + " " + kind, Jurisdiction: tracker.JurisdictionEngland,
			Domains: []string{slug(place) + ".gov.uk"}, Tags: []string{"local_council"}}
	case r < 0.52:
		return tracker.Authority{Name: place + " Police", Jurisdiction: tracker.JurisdictionEngland,
			Domains: []string{slug(place) + ".police.uk"}, Tags: []string{"police"}}
	case r < 0.60:
		return tracker.Authority{Name: "NHS " + place + " Integrated Care Board", Jurisdiction: tracker.JurisdictionEngland,
			Domains: []string{slug(place) + "icb.nhs.uk"}, Tags: []string{"nhs"}}
	case r < 0.68:
		d := g.pick(ukDepartments)
		return tracker.Authority{Name: d, Jurisdiction: tracker.JurisdictionUK, Domains: []string{slug(d) + ".gov.uk"}, Tags: []string{"department"}}
	case r < 0.78:
		p := g.pick(scotPlaces)
		kind := g.pick([]string{"Council", "Health Board", "Police Division"})
		return tracker.Authority{Name: p + " " + kind, Jurisdiction: tracker.JurisdictionScotland,
			Domains: []string{slug(p) + ".gov.scot"}, Tags: []string{"scotland"}}
	case r < 0.84:
		p := g.pick(walesPlaces)
		return tracker.Authority{Name: p + " County Borough Council", Jurisdiction: tracker.JurisdictionWales,
			Domains: []string{slug(p) + ".gov.wales"}, Tags: []string{"local_council"}}
	case r < 0.88:
		p := g.pick(niPlaces)
		return tracker.Authority{Name: p + " District Council", Jurisdiction: tracker.JurisdictionNI,
			Domains: []string{slug(p) + "-council.gov.uk"}, Tags: []string{"local_council"}}
	case r < 0.97:
		d := g.pick(usAgencies)
		return tracker.Authority{Name: d, Jurisdiction: tracker.JurisdictionUSFed, Domains: []string{slug(d) + ".gov"}, Tags: []string{"federal_agency"}}
	case r < 0.985:
		p := g.pick([]string{"Dublin City", "Cork County", "Galway City", "Limerick City and County", "Kerry County"})
		return tracker.Authority{Name: p + " Council", Jurisdiction: tracker.JurisdictionIreland, Domains: []string{slug(p) + ".ie"}}
	default:
		d := g.pick([]string{"Department of Home Affairs", "Services Australia", "Department of Defence", "Australian Federal Police"})
		return tracker.Authority{Name: d, Jurisdiction: tracker.JurisdictionAustralia, Domains: []string{slug(d) + ".gov.au"}}
	}
}

// statusWeights: where requests stand, roughly as on a mature tracker (most
// answered or closed; a live minority waiting).
var statusWeights = []struct {
	status tracker.Status
	weight float64
}{
	{tracker.StatusDraft, 3},
	{tracker.StatusAwaitingResponse, 12},
	{tracker.StatusAwaitingClarification, 2},
	{tracker.StatusAwaitingFee, 1},
	{tracker.StatusAnswered, 45},
	{tracker.StatusReviewRequested, 3},
	{tracker.StatusReviewDecided, 5},
	{tracker.StatusRegulatorComplaint, 1.5},
	{tracker.StatusRegulatorDecided, 2},
	{tracker.StatusWithdrawn, 3},
	{tracker.StatusClosed, 22.5},
}

func (g *gen) status(i int) tracker.Status {
	if i < len(statusWeights) {
		return statusWeights[i].status // every state, even in a tiny database
	}
	total := 0.0
	for _, w := range statusWeights {
		total += w.weight
	}
	x := g.rng.Float64() * total
	for _, w := range statusWeights {
		if x < w.weight {
			return w.status
		}
		x -= w.weight
	}
	return tracker.StatusAnswered
}

// plan is the history a request will get, dated, before anything is written.
type plan struct {
	events []tracker.Event
	// fromAuthority marks the events a reply by mail carries.
	fromAuthority []bool
}

func (p *plan) add(e tracker.Event, mail bool) {
	p.events = append(p.events, e)
	p.fromAuthority = append(p.fromAuthority, mail)
}

// history plans events leading to status, starting on sent; dates never
// pass end.
func (g *gen) history(law tracker.LawCode, status tracker.Status, sent, end tracker.Date) plan {
	var p plan
	day := sent
	step := func(lo, hi int) tracker.Date {
		day = day.AddDays(lo + g.rng.IntN(hi-lo+1))
		if day.After(end) {
			day = end
		}
		return day
	}
	if status == tracker.StatusDraft {
		return p
	}
	if status == tracker.StatusWithdrawn {
		if g.chance(0.5) {
			p.add(tracker.Event{Kind: tracker.EventAcknowledged, Date: step(1, 3)}, true)
		}
		p.add(tracker.Event{Kind: tracker.EventWithdrawn, Date: step(2, 20), Note: "No longer needed."}, false)
		return p
	}
	if g.chance(0.7) {
		p.add(tracker.Event{Kind: tracker.EventAcknowledged, Date: step(0, 3)}, true)
	}
	switch status {
	case tracker.StatusAwaitingClarification:
		p.add(tracker.Event{Kind: tracker.EventClarificationRequested, Date: step(2, 10), Note: "Which financial years do you mean?"}, true)
		return p
	case tracker.StatusAwaitingFee:
		p.add(tracker.Event{Kind: tracker.EventFeeNotice, Date: step(5, 15), Note: "Fee of £45 for photocopying and postage."}, true)
		return p
	}
	if g.chance(0.08) {
		p.add(tracker.Event{Kind: tracker.EventClarificationRequested, Date: step(2, 8)}, true)
		p.add(tracker.Event{Kind: tracker.EventClarificationSent, Date: step(1, 6)}, false)
	}
	if g.chance(0.10) {
		ext := tracker.Event{Kind: tracker.EventExtensionClaimed, Date: step(10, 20), Reason: "public interest test"}
		if law == tracker.USFOIA {
			ext.Reason = "unusual circumstances"
		}
		p.add(ext, true)
	}
	if status == tracker.StatusAwaitingResponse {
		if g.chance(0.25) {
			p.add(tracker.Event{Kind: tracker.EventChaserSent, Date: step(20, 35)}, false)
		}
		return p
	}
	p.add(g.response(law, step(8, 35)), true)
	switch status {
	case tracker.StatusAnswered:
		return p
	case tracker.StatusClosed:
		p.add(tracker.Event{Kind: tracker.EventClosed, Date: step(1, 30)}, false)
		return p
	}
	if status == tracker.StatusReviewRequested || status == tracker.StatusReviewDecided || g.chance(0.6) {
		p.add(tracker.Event{Kind: tracker.EventReviewRequested, Date: step(3, 30),
			Note: "The public interest in disclosure outweighs the exemptions claimed."}, false)
		if status == tracker.StatusReviewRequested {
			return p
		}
		p.add(tracker.Event{Kind: tracker.EventReviewOutcome, Date: step(10, 40),
			Outcome: g.pick([]string{tracker.OutcomeUpheld, tracker.OutcomeUpheld, tracker.OutcomePartlyUpheld, tracker.OutcomeOverturned})}, true)
		if status == tracker.StatusReviewDecided {
			return p
		}
	}
	p.add(tracker.Event{Kind: tracker.EventRegulatorComplaint, Date: step(5, 60)}, false)
	if status == tracker.StatusRegulatorComplaint {
		return p
	}
	p.add(tracker.Event{Kind: tracker.EventRegulatorDecision, Date: step(30, 180),
		Outcome: g.pick([]string{tracker.OutcomeComplaintUpheld, tracker.OutcomePartlyUpheld, tracker.OutcomeComplaintNotUpheld})}, false)
	return p
}

// response draws an outcome in WhatDoTheyKnow-like proportions and, when
// something is withheld, the exemptions cited (personal data and commercial
// interests most often).
func (g *gen) response(law tracker.LawCode, date tracker.Date) tracker.Event {
	e := tracker.Event{Kind: tracker.EventResponseReceived, Date: date}
	x := g.rng.Float64()
	switch {
	case x < 0.36:
		e.Outcome = tracker.OutcomeReleasedInFull
	case x < 0.64:
		e.Outcome = tracker.OutcomeReleasedInPart
	case x < 0.84:
		e.Outcome = tracker.OutcomeRefused
	case x < 0.96:
		e.Outcome = tracker.OutcomeNotHeld
	default:
		e.Outcome = tracker.OutcomeNCND
	}
	if e.Outcome == tracker.OutcomeReleasedInPart || e.Outcome == tracker.OutcomeRefused || e.Outcome == tracker.OutcomeNCND {
		e.Exemptions = g.exemptions(law)
	}
	return e
}

func (g *gen) exemptions(law tracker.LawCode) []string {
	w := exemptionWeights[law]
	if len(w) == 0 {
		return nil
	}
	k := 1
	if g.chance(0.35) {
		k = 2
	}
	if g.chance(0.08) {
		k = 3
	}
	total := 0
	for _, c := range w {
		total += c.weight
	}
	set := map[string]bool{}
	var out []string
	for tries := 0; len(out) < k && tries < 10; tries++ {
		x := g.rng.IntN(total)
		for _, c := range w {
			if x < c.weight {
				if !set[c.code] {
					set[c.code] = true
					out = append(out, c.code)
				}
				break
			}
			x -= c.weight
		}
	}
	sort.Strings(out)
	return out
}

// request makes request number i with its history, replies and documents.
func (g *gen) request(b *batch, i int) error {
	a := g.auths[g.zipf.Uint64()]
	status := g.status(i)
	law := a.DefaultLaw
	if law == tracker.UKFOIA && a.Jurisdiction != tracker.JurisdictionUK && g.chance(0.15) {
		law = tracker.UKEIR
	} else if law == tracker.ScotFOISA && g.chance(0.15) {
		law = tracker.ScotEISR
	}
	end := g.o.End
	var sent tracker.Date
	switch status {
	case tracker.StatusAwaitingResponse, tracker.StatusAwaitingClarification, tracker.StatusAwaitingFee:
		sent = end.AddDays(-g.rng.IntN(60)) // live: some due soon, some overdue
	case tracker.StatusReviewRequested, tracker.StatusRegulatorComplaint:
		sent = end.AddDays(-60 - g.rng.IntN(200))
	default:
		sent = end.AddDays(-30 - g.rng.IntN(3*365))
	}
	topic := topics[g.rng.IntN(len(topics))]
	place := g.pick(ukPlaces)
	r := &tracker.Request{
		Title:       fmt.Sprintf("%s %d", topic.title, 2019+g.rng.IntN(7)),
		Body:        fmt.Sprintf("Under the %s, please provide %s. %s", lawName(law), topic.ask, g.pick(bodyTails)),
		AuthorityID: a.ID,
		Law:         law,
		Tags:        g.tags(topic.tag),
		Visibility:  tracker.VisibilityPrivate,
		ReplyToken:  g.token(),
	}
	if g.chance(0.2) {
		r.Visibility = tracker.VisibilityPublic
	}
	if g.chance(0.1) {
		r.Notes = "Follow up with the " + place + " campaign group."
	}
	if err := r.Validate(); err != nil {
		return err
	}
	var sentOn tracker.Date
	if status != tracker.StatusDraft {
		sentOn = sent
	}
	// The writer's copy of r is filled in by CreateRequest; the replies
	// quote the id and reference it will get (checked as it is written).
	made := *r
	made.ID = g.nextRequest
	g.nextRequest++
	made.OurRef = ourRef(b.clock, made.ID)
	b.add(write{kind: writeRequest, request: r, sentOn: sentOn, status: status, id: made.ID, ourRef: made.OurRef,
		owner: g.userIDs[g.rng.IntN(len(g.userIDs))]})
	p := g.history(law, status, sent, end)
	for k := range p.events {
		e := p.events[k]
		e.RequestID = made.ID
		if p.fromAuthority[k] {
			g.reply(b, &made, a, e)
		}
		b.add(write{kind: writeEvent, event: &e, ofMessage: p.fromAuthority[k]})
		if e.Kind == tracker.EventResponseReceived || e.Kind == tracker.EventReviewOutcome {
			g.documents(b, &made, p.fromAuthority[k], e)
		}
		if e.Kind == tracker.EventResponseReceived && e.Outcome == tracker.OutcomeRefused && g.kept.withheld < 4000 && g.chance(0.05) {
			g.kept.withheld++
			b.add(write{kind: writeWithheld, id: made.ID})
		}
	}
	// Other correspondence on the request, up to its share of the messages.
	if status != tracker.StatusDraft {
		want := g.msgPerReq*0.97 - float64(countTrue(p.fromAuthority))
		for want > 0 && (want >= 1 || g.chance(want)) {
			d := sent.AddDays(g.rng.IntN(20))
			if d.After(end) {
				d = end
			}
			g.reply(b, &made, a, tracker.Event{Kind: tracker.EventNote, Date: d})
			want--
		}
	}
	return nil
}

// ourRef is the reference the store gives request id created at now
// (store.Tx.CreateRequest).
func ourRef(now time.Time, id int64) string { return fmt.Sprintf("FT-%d-%04d", now.Year(), id) }

func countTrue(l []bool) int {
	n := 0
	for _, b := range l {
		if b {
			n++
		}
	}
	return n
}

func (g *gen) tags(topicTag string) []string {
	out := []string{topicTag}
	if g.chance(0.4) {
		out = append(out, g.pick(campaignTags))
	}
	if g.chance(0.1) {
		out = append(out, g.pick(campaignTags))
	}
	sort.Strings(out)
	return compact(out)
}

func compact(l []string) []string {
	var out []string
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// reply makes a message from the authority about r (carrying e, or other
// correspondence when e is a note) as the mail sync would store it: raw
// bytes as a blob, the fetched row, then its processing (matched by reply
// address).
func (g *gen) reply(b *batch, r *tracker.Request, a tracker.Authority, e tracker.Event) {
	subject, text := replyText(r, e)
	attachments := 0
	if e.Kind == tracker.EventResponseReceived && (e.Outcome == tracker.OutcomeReleasedInFull || e.Outcome == tracker.OutcomeReleasedInPart) {
		attachments = 1 + g.rng.IntN(3)
	}
	g.message(b, messageSpec{
		from: "foi@" + a.Domains[0], fromName: a.Name + " FOI Team", to: "foi+" + r.ReplyToken + "@requests.example.org",
		subject: subject, text: text, date: e.Date, attachments: attachments, requestID: r.ID, title: r.Title,
	})
}

type messageSpec struct {
	from, fromName, to, subject, text string
	date                              tracker.Date
	attachments                       int
	requestID                         int64 // 0: unmatched
	title                             string
	state                             string // "" matched (or unmatched without a request)
}

// attachment is one generated file of a reply: a small PDF naming what it
// is, so every document has content of its own.
type attachment struct {
	name string
	data []byte
}

// message makes a message and its attachments' documents.
func (g *gen) message(b *batch, s messageSpec) {
	g.uid++
	uid := g.uid
	at := time.Date(s.date.Year(), s.date.Month(), s.date.Day(), 9+g.rng.IntN(8), g.rng.IntN(60), 0, 0, time.UTC)
	msgID := fmt.Sprintf("seed-%d-%d@%s", g.o.Seed, uid, domainOf(s.from))
	var atts []attachment
	for k := 0; k < s.attachments; k++ {
		name := fmt.Sprintf("FOI-%d-%s.pdf", s.requestID, string(rune('A'+k)))
		atts = append(atts, attachment{name: name, data: fakePDF(s.title, name, g.rng.IntN(3000))})
	}
	raw := rawMessage(s, at, msgID, uid, atts)
	sum := g.blob(raw)
	headers := raw[:bytes.Index(raw, []byte("\r\n\r\n"))+2]
	m := &store.MailMessage{
		RawSHA256: sum, RawSize: int64(len(raw)), MessageID: msgID, Subject: s.subject,
		FromAddr: s.from, FromName: s.fromName, To: []string{s.to}, SentAt: at, DateHeader: at.Format(time.RFC1123Z),
		Received: []string{fmt.Sprintf("from mail.%s by mx.example.org; %s", domainOf(s.from), at.Format(time.RFC1123Z))},
		Mailbox:  "INBOX", UIDValidity: 1, UID: uid, FetchedAt: b.clock, DKIM: []byte("[]"),
		RawHeaders: string(headers),
	}
	p := store.MailProcessing{State: store.MailMatched, RequestID: s.requestID, MatchRule: store.MatchReplyAddress, TextBody: s.text}
	if s.requestID == 0 {
		p.State, p.MatchRule = store.MailUnmatched, ""
	}
	if s.state != "" {
		p.State = s.state
	}
	if p.State == store.MailFailed {
		p.Error, p.TextBody = "the message could not be parsed: malformed MIME header", ""
	}
	w := write{kind: writeMail, mail: m, proc: p}
	if p.State == store.MailMatched && g.kept.replies < 4000 && g.chance(0.01) {
		g.kept.replies++
		w.keep = true
	}
	b.add(w)
	for _, att := range atts {
		asum := g.blob(att.data)
		d := &tracker.Document{RequestID: s.requestID, Filename: att.name, MediaType: "application/pdf",
			SniffedType: "application/pdf", Size: int64(len(att.data)), SHA256: asum, Disposition: tracker.DispositionReleased}
		w := write{kind: writeDocument, doc: d, ofMessage: true}
		if g.kept.released < 4000 && g.chance(0.02) {
			g.kept.released++
			w.keep = true
		}
		b.add(w)
	}
}

// insertMail stores a fetched message and its processing as the mail sync
// does (the per-change path), or in one write (InsertProcessedMail, which
// stores the same).
func (g *gen) insertMail(tx *store.Tx, m *store.MailMessage, p store.MailProcessing) error {
	if !g.o.perChange {
		return tx.InsertProcessedMail(m, p)
	}
	if err := tx.InsertIncomingMail(m); err != nil {
		return err
	}
	if err := tx.SetMailProcessed(*m, p); err != nil {
		return err
	}
	m.State, m.RequestID = p.State, p.RequestID
	return nil
}

// documents makes what a response released in part or withheld: the
// redacted files of a partial release carry the exemptions cited, and a
// refusal sometimes lists the withheld documents by name. ofMessage: e came
// by mail, the message written last.
func (g *gen) documents(b *batch, r *tracker.Request, ofMessage bool, e tracker.Event) {
	if len(e.Exemptions) == 0 {
		return
	}
	switch {
	case e.Outcome == tracker.OutcomeReleasedInPart && g.chance(0.6):
		data := fakePDF(r.Title, "redacted", g.rng.IntN(2000))
		sum := g.blob(data)
		d := &tracker.Document{RequestID: r.ID, Filename: fmt.Sprintf("FOI-%d-redacted.pdf", r.ID),
			MediaType: "application/pdf", SniffedType: "application/pdf", Size: int64(len(data)), SHA256: sum,
			Disposition: tracker.DispositionReleasedRedacted, Exemptions: e.Exemptions[:1]}
		b.add(write{kind: writeDocument, doc: d, ofMessage: ofMessage})
	case e.Outcome == tracker.OutcomeRefused && g.chance(0.3):
		d := &tracker.Document{RequestID: r.ID, Filename: "Withheld: " + r.Title, Disposition: tracker.DispositionWithheld,
			Exemptions: e.Exemptions, Description: "Listed in the refusal notice; not released.", MediaType: "application/octet-stream"}
		b.add(write{kind: writeDocument, doc: d})
	}
}

// unmatched makes the i-th message of the holding pen: the mail that
// matched nothing (newsletters, replies with no reference, a few
// unreadable ones), about 3% of all messages.
func (g *gen) unmatched(b *batch, i int) {
	a := g.auths[g.zipf.Uint64()]
	s := messageSpec{from: "news@" + a.Domains[0], fromName: a.Name, to: "foi@requests.example.org",
		subject: g.pick(unmatchedSubjects), text: "Please see the update below.\n\n" + g.pick(bodyTails),
		date: g.o.End.AddDays(-g.rng.IntN(365))}
	if i%50 == 2 {
		s.state = store.MailFailed
	}
	g.message(b, s)
}

// setAside marks some of the holding pen's messages as looked at by an
// editor and set aside.
func (g *gen) setAside(ctx context.Context) error {
	rows, err := g.st.Reader().QueryContext(ctx, `SELECT id FROM mail_messages WHERE state = 'unmatched' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("seed: unable to list the holding pen: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for i, id := range ids {
		if i%20 != 1 {
			continue
		}
		g.tick()
		if err := g.st.MarkMailNotFOI(ctx, id); err != nil {
			return fmt.Errorf("seed: holding pen: %w", err)
		}
	}
	return nil
}

// timeline adds one event per 100 requests (at least 5), each linked to
// released documents, refused requests (withheld, with their exemptions)
// or replies (context).
func (g *gen) timeline(ctx context.Context) error {
	n := max(5, g.o.Requests/100)
	for start := 0; start < n; start += 200 {
		g.tick()
		end := min(start+200, n)
		err := g.update(ctx, nil, func(tx *store.Tx) error {
			for i := start; i < end; i++ {
				date := g.o.End.AddDays(-g.rng.IntN(3 * 365))
				topic := topics[g.rng.IntN(len(topics))]
				title := fmt.Sprintf("%s: %s", g.pick(ukPlaces), topic.headline)
				slug := fmt.Sprintf("%s--%s-%d", date, slug(topic.headline), i+1)
				ev := timeline.New(slug, date.String(), title)
				ev.SetTags([]string{topic.tag})
				ev.SetActors([]string{g.pick(ukPlaces) + " campaign"})
				if err := ev.SetImportance(1 + g.rng.IntN(10)); err != nil {
					return err
				}
				ev.SetBody("\n" + title + ". What the released documents show, and what was withheld.\n")
				ev.SetFileName(slug + ".md")
				te := &store.TimelineEvent{Event: ev}
				if err := tx.SaveTimelineEvent(te); err != nil {
					return fmt.Errorf("timeline event %s: %w", slug, err)
				}
				g.sum.TimelineEvents++
				links := 1 + g.rng.IntN(3)
				for k := 0; k < links; k++ {
					l := store.EventLink{EventID: te.ID, Role: store.LinkReleased}
					switch x := g.rng.IntN(3); {
					case x == 0 && len(g.released) > 0:
						l.DocumentID = g.released[g.rng.IntN(len(g.released))]
					case x == 1 && len(g.withheld) > 0:
						l.RequestID, l.Role = g.withheld[g.rng.IntN(len(g.withheld))], store.LinkWithheld
					case len(g.replies) > 0:
						l.MessageID, l.Role = g.replies[g.rng.IntN(len(g.replies))], store.LinkContext
					default:
						continue
					}
					if err := tx.LinkToEvent(&l); err != nil {
						return fmt.Errorf("link on %s: %w", slug, err)
					}
					g.sum.Links++
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}

// ContentHash is the sha256 of every table's rows in order, leaving out only
// values the app draws at random by design (password hashes, public page
// slugs, audit entries' secrets and the transparency log's tree built from
// them, the timeline downloads' version) and the full-text index's segment
// layout: two databases seeded alike
// have the same hash.
func ContentHash(ctx context.Context, db *sql.DB) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return "", fmt.Errorf("seed: unable to list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, t)
	}
	rows.Close()
	h := sha256.New()
	for _, t := range tables {
		if t == "audit_tree" || t == "audit_checkpoints" {
			continue // built from the entries' random secrets
		}
		if t == "export_version" {
			continue // a version of the other tables, drawn at random (store.ExportVersion)
		}
		if t == "search_index_data" || t == "search_index_idx" || t == "public_search_data" || t == "public_search_idx" ||
			t == "request_search_index_data" || t == "request_search_index_idx" || t == "request_search_index_docsize" {
			// The full-text indexes' segments: laid out as the rows were
			// indexed and indexed again, not by what they hold (their
			// rows are search_index_content and public_search_content,
			// hashed; request_search_index, contentless, holds the same
			// words again, its rows' sizes numbered in the order they
			// were indexed).
			continue
		}
		if t == "search_terms_fill" || strings.HasPrefix(t, "search_terms_new") {
			// The words written since the background worker last moved
			// them (a bulk load writes none: the worker reads them all
			// from the index afterwards), and its progress.
			continue
		}
		if err := hashTable(ctx, db, t, h, randomByDesign); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// randomByDesign says which columns hold values the app draws at random:
// password hashes, public page slugs and audit entries' secrets.
func randomByDesign(table, col string) bool {
	return col == "password_hash" || (table == "public_pages" && col == "slug") || (table == "audit_log" && col == "secret")
}

// hashTable writes every row of table to h, in order, but for the columns
// skip names.
func hashTable(ctx context.Context, db *sql.DB, table string, h interface{ Write([]byte) (int, error) }, skipCol func(table, col string) bool) error {
	// Every column, in order, is the sort key: tables without a rowid too.
	var ncols int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?)`, table).Scan(&ncols); err != nil {
		return fmt.Errorf("seed: unable to read %s: %w", table, err)
	}
	order := make([]string, ncols)
	for i := range order {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		return fmt.Errorf("seed: unable to read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	skip := make([]bool, len(cols))
	for i, c := range cols {
		skip[i] = skipCol(table, c)
	}
	fmt.Fprintf(hashWriter{h}, "table %s %v\n", table, cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if skip[i] {
				continue
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(hashWriter{h}, "%q\x1f", fmt.Sprint(v))
		}
		h.Write([]byte{'\n'})
	}
	return rows.Err()
}

type hashWriter struct {
	h interface{ Write([]byte) (int, error) }
}

func (w hashWriter) Write(b []byte) (int, error) { return w.h.Write(b) }

func domainOf(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func lawName(l tracker.LawCode) string {
	if law, ok := tracker.LawByCode(l); ok {
		return law.Name
	}
	return string(l)
}
