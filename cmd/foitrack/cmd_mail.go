package main

import (
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"mail list", "list stored mail: the holding pen, a request's mail, or all", mailList})
	register(command{"mail show", "show a message: headers, text, classification, proposal, documents, DKIM, provenance", mailShow})
	register(command{"mail file", "file a message on a request, move it to another, or put it back in the holding pen", mailFile})
}

func mailList(env *Env, args []string) error {
	fs := newFlags(env, "mail list", "[--holding-pen] [--request ID] [--json]")
	pen := fs.Bool("holding-pen", false, "only the mail waiting in the holding pen")
	requestID := fs.Int64("request", 0, "only the mail of this request")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *pen && *requestID != 0 {
		return usagef("give --holding-pen or --request, not both")
	}
	if *requestID < 0 {
		return usagef("%d is not a request ID", *requestID)
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	f := store.MailFilter{RequestID: *requestID}
	if *pen {
		f.Direction, f.State = "in", store.MailUnmatched
	}
	if *requestID != 0 {
		if _, err := st.RequestByID(env.Ctx, *requestID); err != nil {
			return err
		}
	}
	msgs, err := mailsync.ListMessages(env.Ctx, st, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, msgs)
	}
	if len(msgs) == 0 {
		fmt.Fprintln(env.Stdout, "no mail")
		return nil
	}
	for _, m := range msgs {
		where := "holding pen"
		switch {
		case m.RequestID != 0:
			where = m.RequestOurRef
		case !m.InHoldingPen:
			where = m.State
		}
		kind := m.Kind
		if kind == "" {
			kind = "-"
		}
		fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", m.ID, orDash(firstNonEmpty(m.SentAt, m.FetchedAt)), where, kind, orDash(m.From), orDash(m.Subject))
	}
	return nil
}

func mailShow(env *Env, args []string) error {
	fs := newFlags(env, "mail show", "ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "message")
	if err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	v, err := mailsync.ViewMessage(env.Ctx, st, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, v)
	}
	w := env.Stdout
	fmt.Fprintf(w, "message %d: %s\n", v.ID, orDash(v.Subject))
	fmt.Fprintf(w, "From:       %s\n", orDash(v.Headers.From))
	fmt.Fprintf(w, "To:         %s\n", orDash(strings.Join(v.Headers.To, ", ")))
	if len(v.Headers.Cc) > 0 {
		fmt.Fprintf(w, "Cc:         %s\n", strings.Join(v.Headers.Cc, ", "))
	}
	fmt.Fprintf(w, "Date:       %s\n", orDash(v.Headers.Date))
	fmt.Fprintf(w, "Message-ID: %s\n", orDash(v.Headers.MessageID))
	switch {
	case v.RequestID != 0:
		fmt.Fprintf(w, "Filed on:   request %d, %s %s (%s)\n", v.RequestID, v.RequestOurRef, v.RequestTitle, v.MatchRule)
	case v.InHoldingPen:
		fmt.Fprintln(w, "Filed on:   nothing: waiting in the holding pen")
	default:
		fmt.Fprintf(w, "Filed on:   nothing (%s)\n", v.State)
	}
	if v.Error != "" {
		fmt.Fprintf(w, "Error:      %s\n", v.Error)
	}
	if c := v.Classification; c != nil {
		fmt.Fprintf(w, "Reads as:   %s (%s)\n", c.Label, c.Reason)
		if c.Sentence != "" {
			fmt.Fprintf(w, "            “%s”\n", c.Sentence)
		}
		for _, e := range c.Exemptions {
			fmt.Fprintf(w, "Exemption:  %s %s\n", e.Code, e.Title)
		}
		if c.Proposal.Event != "" {
			fmt.Fprintf(w, "Proposes:   %s %s (%s)\n", c.Proposal.Event, c.Proposal.Outcome, orDash(c.Proposal.State))
		}
	}
	for _, d := range v.Documents {
		fmt.Fprintf(w, "Document:   %d %s (%s, %d bytes, sha256 %s)\n", d.ID, d.Filename, d.MediaType, d.Size, orDash(d.SHA256))
	}
	for _, d := range v.DKIM {
		fmt.Fprintf(w, "DKIM:       %s d=%s s=%s %s\n", d.Status, d.Domain, d.Selector, d.Error)
	}
	p := v.Provenance
	fmt.Fprintf(w, "Provenance: mailbox %s, UIDVALIDITY %d, UID %d, fetched %s, %d bytes, sha256 %s\n",
		orDash(p.Mailbox), p.UIDValidity, p.UID, orDash(p.FetchedAt), p.RawSize, orDash(p.RawSHA256))
	for _, r := range p.Received {
		fmt.Fprintf(w, "Received:   %s\n", r)
	}
	for _, warn := range v.Warnings {
		fmt.Fprintf(w, "Warning:    %s\n", warn)
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(v.Text))
	return nil
}

func mailFile(env *Env, args []string) error {
	fs := newFlags(env, "mail file", "ID (--request N | --holding-pen)")
	requestID := fs.Int64("request", 0, "the request to file it on (or move it to)")
	pen := fs.Bool("holding-pen", false, "put it back in the holding pen")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "message")
	if err != nil {
		return err
	}
	if (*requestID != 0) == *pen || *requestID < 0 {
		return usagef("give --request N or --holding-pen")
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	cfg, err := mailsync.LoadConfig(env.Ctx, st)
	if err != nil {
		return err
	}
	in := cfg.Ingester(st, nil)
	res, err := in.File(env.Ctx, id, *requestID)
	if err != nil {
		return err
	}
	if *pen {
		fmt.Fprintf(env.Stdout, "message %d: back in the holding pen\n", id)
		return nil
	}
	msg := fmt.Sprintf("message %d: filed on request %d", id, *requestID)
	if res.Documents > 0 {
		msg += fmt.Sprintf(", with %d documents", res.Documents)
	}
	if res.Applied != "" {
		msg += "; recorded: " + res.Applied.Label()
	}
	fmt.Fprintln(env.Stdout, msg)
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
