package evidence

import (
	"fmt"
	"strings"
)

// renderReadme tells the bundle's story for a person: what it holds, where
// each document came from, and how to check all of it.
func renderReadme(m *Manifest, c *collection) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	title := "foitrack evidence bundle: PUBLIC"
	if m.Kind == Confidential {
		title = "foitrack evidence bundle: CONFIDENTIAL"
	}
	p("%s\n%s\n", title, strings.Repeat("=", len(title)))
	if m.Kind == Confidential {
		p(`CONFIDENTIAL: this bundle holds everything the tracker has on its subject,
private notes, reply addresses, withheld files and all mail included. It is
for the team or a lawyer; do not publish it. Make a public bundle for that.
`)
	} else {
		p(`PUBLIC: this bundle holds only what the request's public page may show:
released documents an editor published, the other documents by name,
disposition, exemptions and sha256 only, the text of the authority's own
mail (not the raw messages) with dates, hashes and the DKIM results recorded
when it was fetched, and the timeline events.
`)
	}
	switch m.Scope.Kind {
	case "request":
		p("For request %d: %s", m.Scope.ID, m.Scope.Title)
	default:
		p("For timeline event %s: %s", m.Scope.Slug, m.Scope.Title)
	}
	p("Written %s%s.", m.CreatedAt.Format("2 January 2006 15:04 MST"), ifs(m.CreatedBy != "", " by "+m.CreatedBy))
	p("The tracker's audit log stood at entry %d, hash %s.", m.AuditHead.ID, m.AuditHead.Hash)
	p("Its transparency log's signed checkpoint (%s): %s, %d entries, root %s.", m.Checkpoint.Path, m.Checkpoint.Origin, m.Checkpoint.TreeSize, m.Checkpoint.Root)
	p("")

	p("What is in it\n-------------")
	for _, f := range m.Files {
		p("%-48s %s, %d bytes, sha256 %s", f.Path, f.Of, f.Size, f.SHA256)
	}
	p("%-48s the machine-readable account of all of this", ManifestName)
	p("%-48s sha256 of every file, manifest.json included", SumsName)
	p("")

	msgs := map[int64]Message{}
	for _, mm := range m.Messages {
		msgs[mm.ID] = mm
	}
	reqs := map[int64]Request{}
	for _, r := range m.Requests {
		reqs[r.ID] = r
	}
	p("Requests\n--------")
	for _, r := range m.Requests {
		p("Request %d: %s", r.ID, r.Title)
		p("  to %s under %s; our reference %s%s; status %s%s", r.Authority, r.Law, r.OurRef, ifs(r.TheirRef != "", ", theirs "+r.TheirRef),
			r.Status, ifs(r.Outcome != "", " ("+r.Outcome+")"))
		if r.SentOn != "" {
			p("  sent %s%s", r.SentOn, ifs(r.DueDate != "", ", response due "+r.DueDate))
		}
		if r.PublicURL != "" {
			p("  public page: %s", r.PublicURL)
		}
	}
	p("")

	p("Provenance of each document\n---------------------------")
	chains := map[int64]Chain{}
	for _, ch := range m.Provenance {
		chains[ch.DocumentID] = ch
	}
	for _, d := range m.Documents {
		r := reqs[d.RequestID]
		if d.Path == "" {
			p("Document %d, %q: %s%s (no file)", d.ID, d.Filename, d.Disposition, ifs(len(d.Exemptions) > 0, " under "+strings.Join(d.Exemptions, ", ")))
		} else {
			p("Document %d, %q (%s, %d bytes), %s%s", d.ID, d.Filename, d.MediaType, d.Size, d.Disposition,
				ifs(len(d.Exemptions) > 0, ", exemptions "+strings.Join(d.Exemptions, ", ")))
			p("  file %s, sha256 %s", d.Path, d.SHA256)
		}
		p("  answered request %d, %q, to %s", r.ID, r.Title, r.Authority)
		ch := chains[d.ID]
		if in, ok := msgs[ch.IncomingMessageID]; ok {
			p("  came as an attachment of message %d (%s)", in.ID, in.Path+in.TextPath)
			p("    From %s; Date %s; Message-ID <%s>", in.From, in.Date, in.MessageID)
			p("    Subject %s", in.Subject)
			for i, rc := range in.Received {
				p("    Received[%d]: %s", i, oneLine(rc))
			}
			if in.Mailbox != "" {
				fetched := ""
				if in.FetchedAt != nil {
					fetched = ", at " + in.FetchedAt.Format("2006-01-02 15:04:05 MST")
				}
				p("    fetched from IMAP mailbox %s, UIDVALIDITY %d, UID %d%s", in.Mailbox, in.UIDValidity, in.UID, fetched)
			}
			p("    raw message sha256 %s, %d bytes%s", in.RawSHA256, in.RawSize, ifs(in.Path == "", " (not in this bundle: its headers carry private addresses)"))
			for _, k := range in.DKIM {
				if k.Status == "none" {
					p("    DKIM: not signed")
					continue
				}
				p("    DKIM at ingest: %s, d=%s s=%s%s%s", k.Status, k.Domain, k.Selector, ifs(k.KeyRecord != "", "; key recorded in manifest.json"),
					ifs(k.Error != "", " ("+k.Error+")"))
			}
			if out, ok := msgs[ch.RepliedToMessageID]; ok {
				p("    in reply to our message %d (%s), Message-ID <%s>, %q", out.ID, out.Path, out.MessageID, out.Subject)
			}
		} else if d.MessageID == 0 {
			p("  recorded by hand (not from mail)")
		}
		for _, e := range ch.Events {
			p("  supports timeline event %s", e)
		}
	}
	p("")

	if len(m.Events) > 0 {
		p("Timeline events\n---------------")
		for _, e := range m.Events {
			p("%s  %s (%s)", e.Date, e.Title, e.Path)
			for _, l := range e.Links {
				what := fmt.Sprintf("request %d", l.RequestID)
				if l.DocumentID != 0 {
					what = fmt.Sprintf("document %d", l.DocumentID)
				} else if l.MessageID != 0 {
					what = fmt.Sprintf("message %d", l.MessageID)
				}
				p("  %s: %s%s", l.Role, what, ifs(len(l.Exemptions) > 0, " under "+strings.Join(l.Exemptions, ", ")))
			}
		}
		p("")
	}

	p(`How to check it
---------------
1. With foitrack, which needs neither the tracker's database nor the network:

       foitrack verify THIS-BUNDLE.zip

   It re-hashes every file against manifest.json and SHA256SUMS and names any
   file that changed; checks each of the %d audit entries in manifest.json
   (below); checks that each document, message and event is the one the
   audit log recorded; and, in a confidential bundle, re-verifies each DKIM
   signature against the key the mail server published when the message was
   fetched (kept in manifest.json) and checks that each document is an
   attachment of the signed message it came in.

       foitrack verify --key VERIFIER-KEY THIS-BUNDLE.zip

   also checks the signature of %s with the tracker's verifier key (shown
   on its /audit page; get it from there or from its operator, not from
   this bundle).

       foitrack verify --checkpoint LATER.txt --proof PROOF.txt THIS-BUNDLE.zip

   checks that a checkpoint the tracker published later (at
   /audit/checkpoint) is this log with entries appended and none rewritten,
   with the proof 'foitrack audit prove-consistency' makes between the two.

2. Without foitrack, after unzipping:

       sha256sum -c SHA256SUMS

   checks every file, manifest.json included.

3. The audit entries are leaves of an RFC 6962 Merkle tree (the C2SP
   tlog shape). Each leaf is canonical JSON (sorted keys, no spaces) of
   format, id, at, action, entity, entity_id and fields, where fields maps
   each field of the entry ("actor", "after.title"…) to
   sha256("foitrack-audit-field/1\n" + salt + "\n" + field + "\n" + value as
   canonical JSON), hex. An opened field gives its value and salt, so its
   commitment can be recomputed; a field not opened shows only its
   commitment, which reveals nothing of its value. The leaf hash is
   sha256(0x00 || leaf), and inclusion_proof proves it is in the tree of
   the checkpoint, a C2SP signed note (origin, size, base64 root).
`, len(m.Audit), CheckpointName)
	return b.String()
}

func ifs(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
