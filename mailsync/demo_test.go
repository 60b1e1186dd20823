package mailsync

import (
	"context"
	"os"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The demo's first sync fills requests, documents and the holding pen, each
// reply matched by the rule it was written for.
func TestDemoFirstSync(t *testing.T) {
	ctx := store.WithActor(context.Background(), "demo")
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t.Setenv(demoPasswordEnv, "") // restored after the test; StartDemo sets it
	d, err := StartDemo(ctx, st, os.Setenv)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if s := d.Summary; s.Fetched != 5 || s.Matched != 4 || s.Unmatched != 1 || s.Failed != 0 {
		t.Fatalf("first sync: %+v", s)
	}
	msgs, err := st.MailMessages(ctx, store.MailFilter{Direction: "in"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		request string
		rule    string
		kind    ReplyKind
	}{
		{"council", store.MatchReplyAddress, ReplyAcknowledgement},
		{"council", store.MatchReference, ReplyRefusal}, // by the reference learned from the acknowledgement
		{"police", store.MatchInReplyTo, ReplyPartialRelease},
		{"department", store.MatchSenderDomain, ReplyExtensionNotice},
		{"", "", ""},
	}
	if len(msgs) != len(want) {
		t.Fatalf("%d messages stored", len(msgs))
	}
	for i, w := range want {
		m := msgs[i]
		if m.RequestID != d.Requests[w.request].ID || m.MatchRule != w.rule {
			t.Errorf("message %d (%s): request %d rule %q, want %s by %q", i+1, m.Subject, m.RequestID, m.MatchRule, w.request, w.rule)
		}
		if p, _ := ReadProposal(m); w.kind != "" && p.Kind != w.kind {
			t.Errorf("message %d (%s): classified %s, want %s (%s)", i+1, m.Subject, p.Kind, w.kind, p.Reason)
		}
	}
	council, _ := st.RequestByID(ctx, d.Requests["council"].ID)
	if council.TheirRef != "FOI/2026/0412" || council.Status != tracker.StatusAwaitingResponse {
		t.Fatalf("council request: ref %q status %s", council.TheirRef, council.Status)
	}
	if p, _ := ReadProposal(msgs[1]); p.State != store.ProposalProposed || len(p.Exemptions) == 0 || p.Exemptions[0].Code != "s31(1)(a)" {
		t.Fatalf("refusal proposal %+v", p)
	}
	docs, _ := st.Documents(ctx, store.DocumentFilter{RequestID: d.Requests["police"].ID})
	if len(docs) != 1 || docs[0].Filename != "stop-and-search-2025.pdf" || docs[0].SniffedType != "application/pdf" {
		t.Fatalf("police documents %+v", docs)
	}
	if n, _ := st.UnmatchedMailCount(ctx); n != 1 {
		t.Fatalf("holding pen %d", n)
	}
}
