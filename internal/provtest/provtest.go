// Package provtest builds, for tests, the evidence trail foitrack exists to
// keep: a public request to a police force, our request mail, a reply signed
// with DKIM (by a key the test makes and serves from a fake DNS, as the mail
// sync's resolver allows) carrying a PDF, ingested by the real mail sync
// code, and a timeline event the PDF is linked to as released evidence, with
// a withheld document beside it.
package provtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// PDF is a small but well-formed PDF document.
var PDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n")

// Key is a DKIM signing key and its DNS record.
type Key struct {
	Domain, Selector string
	Private          ed25519.PrivateKey
	Record           string // the TXT record: v=DKIM1; k=ed25519; p=…
}

// NewKey makes an Ed25519 DKIM key for domain.
func NewKey(t testing.TB, domain, selector string) Key {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Key{Domain: domain, Selector: selector, Private: priv,
		Record: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

// Name is where the key is published.
func (k Key) Name() string { return k.Selector + "._domainkey." + k.Domain }

// Resolver serves DKIM keys from memory.
type Resolver map[string]string

// LookupTXT implements mailsync.TXTResolver.
func (r Resolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txt, ok := r[strings.TrimSuffix(strings.ToLower(name), ".")]; ok {
		return []string{txt}, nil
	}
	return nil, fmt.Errorf("no TXT record for %s", name)
}

// Sign DKIM-signs a message with the key.
func Sign(t testing.TB, k Key, msg []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain: k.Domain, Selector: k.Selector, Signer: k.Private,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "Content-Type", "MIME-Version"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Trail is what Build made.
type Trail struct {
	Key          Key
	Authority    tracker.Authority
	Request      tracker.Request
	PublicSlug   string
	OutgoingID   int64  // our request mail
	MessageID    int64  // the signed reply
	Raw          []byte // the reply as received
	DocumentID   int64  // the PDF it carried
	WithheldID   int64  // a document the authority withheld (no file)
	EventID      int64  // the timeline event
	ReleasedLink int64
	WithheldLink int64
}

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// Build makes the whole trail in st.
func Build(t testing.TB, st *store.Store) Trail {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test:provtest")
	var tr Trail
	tr.Key = NewKey(t, "met.example.gov.uk", "foi2026")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	tr.Authority = tracker.Authority{Name: "Metropolitan Police Service", ShortName: "The Met", Jurisdiction: tracker.JurisdictionEngland,
		Email: "foi@met.example.gov.uk"}
	must(st.CreateAuthority(ctx, &tr.Authority))
	tr.Request = tracker.Request{Title: "Live facial recognition watchlists", Body: "Please send the criteria for adding people to LFR watchlists.",
		AuthorityID: tr.Authority.ID, Visibility: tracker.VisibilityPublic}
	must(st.CreateRequest(ctx, &tr.Request, tracker.MustParseDate("2026-03-02")))
	var err error
	tr.PublicSlug, err = st.EnsurePublicSlug(ctx, tr.Request.ID)
	must(err)

	// Our request, as the outbound code stores it.
	outMsg := crlf("From: FOI Team <foi+" + tr.Request.ReplyToken + "@foitrack.example>\nTo: foi@met.example.gov.uk\n" +
		"Subject: Freedom of Information request - LFR watchlists [" + tr.Request.OurRef + "]\n" +
		"Date: Mon, 02 Mar 2026 09:00:00 +0000\nMessage-ID: <req-lfr@foitrack.example>\n\nPlease send the criteria.\n")
	sum, size, err := st.WriteBlob(bytes.NewReader(outMsg), 0)
	must(err)
	out := store.OutgoingMessage{RequestID: tr.Request.ID, Purpose: "request", MessageID: "req-lfr@foitrack.example",
		Subject: "Freedom of Information request - LFR watchlists", From: "foi+" + tr.Request.ReplyToken + "@foitrack.example",
		To: []string{"foi@met.example.gov.uk"}, EnvelopeFrom: "foi@foitrack.example", Recipients: []string{"foi@met.example.gov.uk"},
		RawSHA256: sum, RawSize: size}
	must(st.CreateOutgoing(ctx, &out))
	_, err = st.MarkOutgoingSent(ctx, out.ID, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), nil)
	must(err)
	tr.OutgoingID = out.ID

	// The reply, signed by the force's mail server.
	pdf64 := base64.StdEncoding.EncodeToString(PDF)
	reply := crlf("Received: from mx1.met.example.gov.uk (mx1.met.example.gov.uk [192.0.2.10])\n\tby mx.foitrack.example with ESMTPS id 4Qx; Mon, 30 Mar 2026 14:02:11 +0100\n" +
		"Received: from exch01.met.example.gov.uk ([10.1.2.3]) by mx1.met.example.gov.uk; Mon, 30 Mar 2026 14:02:09 +0100\n" +
		"From: Information Rights Unit <foi@met.example.gov.uk>\nTo: foi+" + tr.Request.ReplyToken + "@foitrack.example\n" +
		"Subject: RE: Freedom of Information request - LFR watchlists - Our ref: 01/FOI/26/012345\n" +
		"Date: Mon, 30 Mar 2026 14:02:00 +0100\nMessage-ID: <reply-012345@met.example.gov.uk>\nIn-Reply-To: <req-lfr@foitrack.example>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n" +
		"--b1\nContent-Type: text/plain; charset=utf-8\n\nDear requester,\n\nPlease find attached part of the information. " +
		"The watchlist criteria are withheld under section 31(1)(a).\n\nInformation Rights Unit\n" +
		"--b1\nContent-Type: application/pdf; name=\"LFR deployment record.pdf\"\nContent-Disposition: attachment; filename=\"LFR deployment record.pdf\"\n" +
		"Content-Transfer-Encoding: base64\n\n" + pdf64 + "\n--b1--\n")
	tr.Raw = Sign(t, tr.Key, reply)
	sum, size, err = st.WriteBlob(bytes.NewReader(tr.Raw), 0)
	must(err)
	in := store.MailMessage{RawSHA256: sum, RawSize: size, MessageID: "reply-012345@met.example.gov.uk", Mailbox: "INBOX",
		UIDValidity: 1711, UID: 42, FetchedAt: time.Date(2026, 3, 30, 13, 5, 0, 0, time.UTC)}
	must(st.Update(ctx, func(tx *store.Tx) error { return tx.InsertIncomingMail(&in) }))
	ing := &mailsync.Ingester{Store: st, Resolver: Resolver{tr.Key.Name(): tr.Key.Record}}
	res, err := ing.Process(ctx, in.ID)
	must(err)
	if res.RequestID != tr.Request.ID || res.Documents != 1 {
		t.Fatalf("the reply was not filed on its request with its PDF: %+v", res)
	}
	tr.MessageID = in.ID
	docs, err := st.Documents(ctx, store.DocumentFilter{MessageID: in.ID})
	must(err)
	if len(docs) != 1 {
		t.Fatalf("%d documents from the reply", len(docs))
	}
	tr.DocumentID = docs[0].ID

	withheld := tracker.Document{RequestID: tr.Request.ID, Filename: "LFR watchlist criteria", Description: "LFR watchlist criteria",
		Disposition: tracker.DispositionWithheld, Exemptions: []string{"section 31(1)(a)"}}
	must(st.AddDocument(ctx, &withheld, nil, 0))
	tr.WithheldID = withheld.ID

	ev := timeline.New("2026-03-30--met-partly-discloses-lfr-records", "2026-03-30", "Met discloses LFR deployment records but withholds watchlist criteria")
	must(ev.SetImportance(7))
	ev.SetTags([]string{"facial-recognition", "met-police", "foi"})
	ev.SetActors([]string{"Metropolitan Police Service"})
	ev.SetBody("The Met released its deployment record and refused the watchlist criteria.")
	te := &store.TimelineEvent{Event: ev}
	must(st.SaveTimelineEvent(ctx, te))
	tr.EventID = te.ID

	rel := store.EventLink{EventID: te.ID, DocumentID: tr.DocumentID, Role: store.LinkReleased, Tier: 1}
	must(st.LinkToEvent(ctx, &rel))
	wh := store.EventLink{EventID: te.ID, DocumentID: tr.WithheldID, Role: store.LinkWithheld}
	must(st.LinkToEvent(ctx, &wh))
	tr.ReleasedLink, tr.WithheldLink = rel.ID, wh.ID
	return tr
}
