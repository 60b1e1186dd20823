package mailsync

import (
	"slices"
	"testing"

	"github.com/foitrack/foitrack/store"
)

func TestLearnTheirRef(t *testing.T) {
	cases := []struct{ subject, body, want string }{
		{"", "Dear X,\nOur ref: FOI/2026/1234\nThanks", "FOI/2026/1234"},
		{"Reference: FOI/2026/1234", "", "FOI/2026/1234"},
		{"", "Your ref: FT-2026-0001\nOur reference: IR-55.", "IR-55"},
		{"", "Request reference number - 2026-0412", "2026-0412"},
		{"", "Your reference: FT-2026-0001", ""},
		{"", "With reference to your request of 3 March", ""},
		{"", "> Our ref: OLD/1\nThanks", ""},
		{"", "Case number: FT-2026-0001", ""}, // our own reference, quoted back
		{"", "Ref: FOI/2021/0147\nDear Ms Smith,", "FOI/2021/0147"},
		{"RE: Request for information [REF: 8834]", "", "8834"},
		{"", "Thank you for your request. Your reference number is FOI/2021/0147.", "FOI/2021/0147"},
		{"", "Your request has been given the reference FOI-3310; please quote it.", "FOI-3310"},
		{"", "It has been logged under reference 5521 and will be answered by 2 April.", "5521"},
		{"", "The reference for your request is IR/26/91.", "IR/26/91"},
		{"", "Please quote reference NC/FOI/5521 in any correspondence.", "NC/FOI/5521"},
		{"FOI ref 2026-0302 - Agency nursing spend", "", "2026-0302"},
		{"FOIPA Request No.: 1601234-000", "", "1601234-000"},
		{"", "Your ref: FT-2026-0001\nRef: 77/XY", "77/XY"},
		{"", "Your reference number is FT-2026-0001 (ours)", ""}, // our reference quoted back
		{"", "We refer to your letter of 3 March 2026.", ""},
		{"", "Ref: your email", ""},
	}
	for _, c := range cases {
		if got := LearnTheirRef(c.subject, c.body, []string{"FT-2026-0001"}); got != c.want {
			t.Errorf("LearnTheirRef(%q, %q) = %q, want %q", c.subject, c.body, got, c.want)
		}
	}
}

func TestReplyToken(t *testing.T) {
	cases := map[string]string{
		"foi+abc123@example.org":      "abc123",
		"foi+abc+def@example.org":     "abc+def",
		"foi@example.org":             "",
		"foi+@example.org":            "",
		"not an address":              "",
		"x+y@sub.domain.example.org.": "y",
	}
	for addr, want := range cases {
		if got := replyToken(addr); got != want {
			t.Errorf("replyToken(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestDeliveryAddressesReadsEveryRecipientHeader(t *testing.T) {
	h := Header{
		{Key: "To", Value: `"Smith, Jo" <Jo.Smith@Example.org>, other@example.org`},
		{Key: "Cc", Value: "undisclosed-recipients:;"},
		{Key: "Delivered-To", Value: "foi+tok1@example.org"},
		{Key: "X-Original-To", Value: "<foi+tok2@example.org>"},
		{Key: "Delivered-To", Value: "foi+TOK1@example.org"},
		{Key: "Subject", Value: "foi+not@example.org"},
	}
	want := []string{"jo.smith@example.org", "other@example.org", "foi+tok1@example.org", "foi+tok2@example.org"}
	if got := deliveryAddresses(h); !slices.Equal(got, want) {
		t.Fatalf("deliveryAddresses = %v, want %v", got, want)
	}
}

func TestSenderDomains(t *testing.T) {
	got := senderDomains("Clerk@FOI.Mail.Council.gov.uk")
	want := []string{"foi.mail.council.gov.uk", "mail.council.gov.uk", "council.gov.uk", "gov.uk"}
	if !slices.Equal(got, want) {
		t.Fatalf("senderDomains = %v, want %v", got, want)
	}
	if senderDomains("no-at-sign") != nil || senderDomains("x@localhost") != nil {
		t.Fatal("a domain without a dot was offered")
	}
}

func TestMatchReference(t *testing.T) {
	refs := []store.RequestRef{
		{ID: 1, OurRef: "FT-2026-0001", TheirRef: "FOI/2026/12", Open: true},
		{ID: 2, OurRef: "FT-2026-0002", TheirRef: "FOI/2026/123", Open: true},
		{ID: 3, OurRef: "FT-2025-0003", TheirRef: "CASE-77", Open: false},
		{ID: 4, OurRef: "FT-2026-0004", TheirRef: "CASE-77", Open: true},
		{ID: 5, OurRef: "FT-2026-0005", TheirRef: "77", Open: true},   // too short to search for
		{ID: 6, OurRef: "FT-2026-0006", TheirRef: "FOIA", Open: true}, // no digit
	}
	cases := []struct {
		subject, body string
		want          int64
	}{
		{"Re: your request FT-2026-0001", "", 1},
		{"", "Our ref: foi/2026/123.", 2},            // case-insensitive, punctuation after
		{"FOI/2026/12", "", 1},                       // not taken for FOI/2026/123
		{"FOI/2026/1234", "", 0},                     // glued to more digits: neither
		{"xFT-2026-0001", "", 0},                     // glued to a letter
		{"Case CASE-77", "", 4},                      // the open one wins over the closed one
		{"FT-2026-0001 and FT-2026-0002", "", 0},     // two open requests: ambiguous
		{"Reference 77", "", 0},                      // too short
		{"Your FOIA request", "", 0},                 // no digit
		{"", "ref FT-2026-0004 in the body only", 4}, // the body counts too
	}
	for _, c := range cases {
		m, ok := matchReference(refs, c.subject, c.body)
		if c.want == 0 && ok || c.want != 0 && (!ok || m.RequestID != c.want || m.Rule != store.MatchReference) {
			t.Errorf("matchReference(%q, %q) = %+v %v, want request %d", c.subject, c.body, m, ok, c.want)
		}
	}
}
