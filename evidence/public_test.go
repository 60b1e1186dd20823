package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// privateTrail is the provenance trail plus everything private a request
// and its event can carry, and the values that must never leave in a
// public bundle.
type privateTrail struct {
	provtest.Trail
	st       *store.Store
	ctx      context.Context
	private  map[string]string // what → value
	misfiled int64
}

func buildPrivateTrail(t *testing.T) *privateTrail {
	t.Helper()
	ctx := store.WithActor(context.Background(), "editor:alice.private@team.example")
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &privateTrail{Trail: provtest.Build(t, st), st: st, ctx: ctx, private: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := st.RequestByID(ctx, p.Request.ID)
	must(err)
	p.private["reply token"] = r.ReplyToken
	p.private["actor"] = "alice.private@team.example"

	// Private notes on the request, its tags, and a note in its history.
	r.Notes = "Source inside the council says the vendor is SRC-ZEBRA-17. Do not publish."
	r.Tags = []string{"tag-private-kestrel"}
	must(st.UpdateRequest(ctx, &r))
	p.private["request notes"] = "SRC-ZEBRA-17"
	p.private["request tag"] = "tag-private-kestrel"
	must(st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventNote, Date: tracker.MustParseDate("2026-03-31"),
		Note: "Rang the press office, spoke to HISTORY-NOTE-PLOVER"}))
	p.private["history note"] = "HISTORY-NOTE-PLOVER"

	// A withheld document that has a file (a leaked copy), a released one
	// not published yet, and a private description on the released PDF.
	wf := tracker.Document{RequestID: r.ID, Filename: "criteria-withheld.txt", Disposition: tracker.DispositionWithheld,
		Exemptions: []string{"s31(1)(a)"}, Description: "leaked copy DESC-OSPREY"}
	must(st.AddDocument(ctx, &wf, strings.NewReader("WITHHELD-FILE-CONTENT-HERON"), 0))
	p.private["withheld file"] = "WITHHELD-FILE-CONTENT-HERON"
	p.private["document description"] = "DESC-OSPREY"
	un := tracker.Document{RequestID: r.ID, Filename: "annex.txt", Disposition: tracker.DispositionReleased}
	must(st.AddDocument(ctx, &un, strings.NewReader("UNPUBLISHED-FILE-CONTENT-WREN"), 0))
	p.private["unpublished file"] = "UNPUBLISHED-FILE-CONTENT-WREN"
	must(st.SetDocumentPublished(ctx, p.DocumentID, true))

	// A private note on the event's link.
	links, err := st.EventLinkDetails(ctx, store.LinkFilter{EventIDs: []int64{p.EventID}})
	must(err)
	for _, l := range links {
		if l.ID == p.ReleasedLink {
			el := l.EventLink
			el.Note = "LINK-NOTE-CURLEW"
			must(st.UpdateEventLink(ctx, &el))
		}
	}
	p.private["link note"] = "LINK-NOTE-CURLEW"

	// Mail: an authority reply that quotes our reply address in its text;
	// a message a source sent to the reply address (filed on the request
	// by it, but not the authority's); and one marked not FOI.
	deliver := func(raw string, uid uint32) int64 {
		t.Helper()
		b := []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
		sum, size, err := st.WriteBlob(bytes.NewReader(b), 0)
		must(err)
		in := store.MailMessage{RawSHA256: sum, RawSize: size, MessageID: "m" + string(rune('a'+uid)) + "@x", Mailbox: "INBOX", UIDValidity: 1711, UID: uid,
			FetchedAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}
		must(st.Update(ctx, func(tx *store.Tx) error { return tx.InsertIncomingMail(&in) }))
		ing := &mailsync.Ingester{Store: st, Resolver: provtest.Resolver{}}
		_, err = ing.Process(ctx, in.ID)
		must(err)
		return in.ID
	}
	deliver("From: Information Rights Unit <foi@met.example.gov.uk>\nTo: foi+"+r.ReplyToken+"@foitrack.example\nSubject: Your request, Ms Jane Privet\n"+
		"Date: Wed, 01 Apr 2026 10:00:00 +0100\nMessage-ID: <ack2@met.example.gov.uk>\n\nDear Ms Jane\nPrivet, we write to foi+"+r.ReplyToken+
		"@foitrack.example about the review. Call 07700 900461.\n", 43)

	// A private request's document linked to the same event.
	pr := tracker.Request{Title: "PRIVATE-REQUEST-GANNET", AuthorityID: p.Authority.ID}
	must(st.CreateRequest(ctx, &pr, tracker.MustParseDate("2026-03-03")))
	pd := tracker.Document{RequestID: pr.ID, Filename: "private-doc-SHAG.pdf", Disposition: tracker.DispositionReleased}
	must(st.AddDocument(ctx, &pd, strings.NewReader("PRIVATE-REQUEST-FILE-SKUA"), 0))
	must(st.LinkToEvent(ctx, &store.EventLink{EventID: p.EventID, DocumentID: pd.ID, Role: store.LinkReleased, Tier: 2}))
	p.private["private request's title"] = "PRIVATE-REQUEST-GANNET"
	p.private["private request's document"] = "private-doc-SHAG"
	p.private["private request's file"] = "PRIVATE-REQUEST-FILE-SKUA"

	// Censor rules: the requester's name (this request's rule) and a phone
	// number pattern (global); the name is in the event's body too.
	must(st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorRequest, ScopeID: r.ID, Pattern: "Jane Privet"}))
	must(st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: `07700 ?\d{6}`, Regexp: true, Replacement: "[phone]"}))
	p.private["requester name"] = "Privet"
	p.private["phone number"] = "900461"
	te, err := st.TimelineEventByID(ctx, p.EventID)
	must(err)
	te.Event.SetBody(te.Event.Body() + "\nAsked by Jane Privet.\n")
	must(st.SaveTimelineEvent(ctx, &te))
	p.misfiled = deliver("From: A Source <deep.throat@whistle.example.org>\nTo: foi+"+r.ReplyToken+"@foitrack.example\nSubject: off the record\n"+
		"Date: Wed, 01 Apr 2026 11:00:00 +0100\nMessage-ID: <src@whistle.example.org>\n\nMISFILED-SOURCE-MAIL-LAPWING: ask them about the vendor.\n", 44)
	p.private["misfiled mail"] = "MISFILED-SOURCE-MAIL-LAPWING"
	p.private["misfiled sender"] = "deep.throat@whistle.example.org"
	nf := deliver("From: Parish News <news@parish.example.org>\nTo: info@foitrack.example\nSubject: newsletter\n"+
		"Date: Wed, 01 Apr 2026 12:00:00 +0100\nMessage-ID: <nl@parish.example.org>\n\nNOT-FOI-NEWSLETTER-AVOCET\n", 45)
	must(st.MarkMailNotFOI(ctx, nf))
	p.private["not-FOI mail"] = "NOT-FOI-NEWSLETTER-AVOCET"
	if m, err := st.MailMessageByID(ctx, p.misfiled); err != nil || m.RequestID != r.ID || m.State != store.MailMatched {
		t.Fatalf("the source's message is not filed on the request: %+v %v", m, err)
	}
	return p
}

func (p *privateTrail) bundle(t *testing.T, scope string, kind string) string {
	t.Helper()
	id := p.Request.ID
	if scope == "event" {
		id = p.EventID
	}
	path := filepath.Join(t.TempDir(), scope+"-"+kind+".zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.Write(p.ctx, p.st, f, scope, id, evidence.Options{BaseURL: "https://foi.example.org", Kind: kind}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// zipTexts returns every file of a zip, decompressed, and the zip's own
// bytes (its headers name the files).
func zipTexts(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"(the zip file itself)": string(raw)}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = string(b)
	}
	return out
}

// A public bundle of a request or of its event holds not one private value
// in any of its files (manifest and audit entries included), and still
// verifies; the confidential bundle of the same holds them (so the search
// can find them), says so, and verifies too.
func TestPublicBundleLeaksNothingPrivate(t *testing.T) {
	p := buildPrivateTrail(t)
	for _, scope := range []string{"request", "event"} {
		t.Run(scope, func(t *testing.T) {
			pub := p.bundle(t, scope, evidence.Public)
			files := zipTexts(t, pub)
			for what, value := range p.private {
				for name, text := range files {
					if strings.Contains(strings.ToLower(text), strings.ToLower(value)) {
						t.Errorf("public %s bundle: %s holds the %s %q", scope, name, what, value)
					}
				}
			}
			wants := []string{"PUBLIC", "LFR watchlist criteria", "Please find attached part of the information", "s31(1)(a)", "Asked by [REDACTED]."}
			if scope == "request" {
				wants = append(wants, "criteria-withheld.txt", "annex.txt", "[reply token removed]", "Dear Ms [REDACTED], we write", "Call [phone].")
			}
			for _, want := range wants {
				found := false
				for _, text := range files {
					found = found || strings.Contains(text, want)
				}
				if !found {
					t.Errorf("public %s bundle lacks %q", scope, want)
				}
			}
			vkey, err := p.st.CheckpointVerifierKey()
			if err != nil {
				t.Fatal(err)
			}
			if r, err := evidence.VerifyWith(pub, evidence.VerifyOptions{VerifierKey: vkey}); err != nil || !r.OK() {
				t.Errorf("public %s bundle does not verify with the published key: %v %v", scope, err, r.Problems)
			} else if r.Manifest.Kind != evidence.Public || (scope == "request" && len(r.Manifest.Documents) != 4) || !r.CheckpointSigned ||
				r.AuditEntries < 5 || r.AuditProven != r.AuditEntries {
				t.Errorf("public %s bundle: kind %q, %d documents, signed %v, %d/%d audit entries proven", scope, r.Manifest.Kind,
					len(r.Manifest.Documents), r.CheckpointSigned, r.AuditProven, r.AuditEntries)
			}

			conf := p.bundle(t, scope, evidence.Confidential)
			all := ""
			for _, text := range zipTexts(t, conf) {
				all += text
			}
			for _, what := range []string{"reply token", "request notes", "withheld file", "misfiled mail"} {
				if scope == "event" && what != "reply token" {
					continue // an event's bundle holds what the event links to
				}
				if !strings.Contains(all, p.private[what]) {
					t.Errorf("confidential %s bundle lacks the %s: the search above could not have found it", scope, what)
				}
			}
			if !strings.Contains(all, "CONFIDENTIAL") {
				t.Errorf("confidential %s bundle does not say it is confidential", scope)
			}
			if r := mustVerify(t, conf); !r.OK() {
				t.Errorf("confidential %s bundle does not verify: %v", scope, r.Problems)
			}
		})
	}
}

// A private request has no public bundle.
func TestPublicBundleOfPrivateRequestIsRefused(t *testing.T) {
	p := buildPrivateTrail(t)
	r, _ := p.st.RequestByID(p.ctx, p.Request.ID)
	r.Visibility = tracker.VisibilityPrivate
	if err := p.st.UpdateRequest(p.ctx, &r); err != nil {
		t.Fatal(err)
	}
	_, err := evidence.Write(p.ctx, p.st, io.Discard, "request", r.ID, evidence.Options{Kind: evidence.Public})
	if tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("public bundle of a private request: %v", err)
	}
}

// A public bundle holds the published PDF and the authority's text with the
// DKIM result recorded at ingest, and a byte flipped in any of its files is
// named in that file.
func TestPublicBundleContentsAndFlippedByte(t *testing.T) {
	p := buildPrivateTrail(t)
	path := p.bundle(t, "request", evidence.Public)
	r := mustVerify(t, path)
	pdf := "documents/" + itoa(p.DocumentID) + "-LFR deployment record.pdf"
	text := "messages/" + itoa(p.MessageID) + "-in.txt"
	names := map[string]bool{}
	for _, f := range r.Manifest.Files {
		names[f.Path] = true
	}
	if !names[pdf] || !names[text] || !names[evidence.CheckpointName] || len(names) != 6 { // the PDF, two authority texts, the event, checkpoint, README
		t.Errorf("public bundle files: %v", names)
	}
	dkim := false
	for _, m := range r.Manifest.Messages {
		if m.ID == p.MessageID && len(m.DKIM) == 1 && m.DKIM[0].Status == "pass" && m.RawSHA256 == sha(p.Raw) {
			dkim = true
		}
	}
	if !dkim {
		t.Errorf("the reply's DKIM result and raw hash are not in the manifest: %+v", r.Manifest.Messages)
	}
	for _, name := range []string{pdf, text, evidence.ManifestName, evidence.ReadmeName, evidence.CheckpointName} {
		off, size := entryRange(t, path, name)
		for _, k := range []int64{0, size / 2, size - 1} {
			r := mustVerify(t, flipped(t, path, off+k))
			if r.OK() || r.Problems[0].File != name {
				t.Errorf("%s: byte %d flipped: %v", name, k, r.Problems)
			}
		}
	}
}

// A bundle's checkpoint is checked against a later published checkpoint
// with the consistency proof between them; a wrong key, a proof for other
// checkpoints or a changed proof are each named.
func TestBundleCheckpointAgainstLaterOne(t *testing.T) {
	p := buildPrivateTrail(t)
	path := p.bundle(t, "request", evidence.Public)
	r0 := mustVerify(t, path)
	r, _ := p.st.RequestByID(p.ctx, p.Request.ID)
	r.Title += " (2026)"
	if err := p.st.UpdateRequest(p.ctx, &r); err != nil {
		t.Fatal(err)
	}
	later, err := p.st.SignCheckpoint(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := p.st.ProveConsistency(p.ctx, *r0.Checkpoint, later)
	if err != nil {
		t.Fatal(err)
	}
	vkey, _ := p.st.CheckpointVerifierKey()
	opt := evidence.VerifyOptions{VerifierKey: vkey, Later: []byte(later.Note), Proof: []byte(proof.String()), LaterName: "later.txt", ProofName: "proof.txt"}
	if rep, err := evidence.VerifyWith(path, opt); err != nil || !rep.OK() || !rep.Consistent || !rep.CheckpointSigned {
		t.Fatalf("later checkpoint with its proof: %v %+v", err, rep)
	}
	bad := func(o evidence.VerifyOptions, file, want string) {
		t.Helper()
		rep, err := evidence.VerifyWith(path, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range rep.Problems {
			if pr.File == file && strings.Contains(pr.Detail, want) {
				return
			}
		}
		t.Errorf("want a problem in %s saying %q, got %v", file, want, rep.Problems)
	}
	o := opt
	o.Proof = nil
	bad(o, "later.txt", "give the consistency proof")
	o = opt
	_, o.VerifierKey, _ = note.GenerateKey(rand.Reader, later.Origin) // same name, another key
	bad(o, evidence.CheckpointName, "not signed by that key")
	o = opt
	lines := strings.Split(proof.String(), "\n")
	if len(lines) < 4 {
		t.Fatalf("proof has no hashes: %q", proof.String())
	}
	lines[3] = strings.Repeat("A", 43) + "="
	o.Proof = []byte(strings.Join(lines, "\n"))
	bad(o, "proof.txt", "is not the log of")
}
