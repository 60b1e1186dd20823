package evidence

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
)

// CheckStoredMail re-derives, from each stored incoming message's raw
// bytes, the provenance its row shows — Message-ID, sender, Date header,
// Received chain — and re-verifies its DKIM signatures offline against the
// keys recorded at ingest. Those columns are written when a message is
// processed, from the raw message; so a row edited behind the app's back,
// or a recorded key or result swapped, shows up here, at the row and field.
// (A raw file that no longer has its hash is store.VerifyStoredFiles's to
// report; it is skipped here.)
func CheckStoredMail(ctx context.Context, st *store.Store) (int, []store.Problem, error) {
	var problems []store.Problem
	n := 0
	var after int64
	for {
		msgs, err := st.MailMessages(ctx, store.MailFilter{Direction: "in", Limit: 500, Cursor: store.Cursor{ID: after}})
		if err != nil {
			return n, problems, err
		}
		if len(msgs) == 0 {
			return n, problems, nil
		}
		after = msgs[len(msgs)-1].ID
		for _, m := range msgs {
			if m.RawSHA256 == "" || m.ProcessedAt.IsZero() || m.State == store.MailFailed || m.State == store.MailOverLimit {
				continue
			}
			if st.VerifyBlob(m.RawSHA256) != nil {
				continue
			}
			f, err := st.OpenBlob(m.RawSHA256)
			if err != nil {
				return n, problems, err
			}
			raw, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return n, problems, fmt.Errorf("evidence: unable to read message %d: %w", m.ID, err)
			}
			n++
			problems = append(problems, checkMessage(m, raw)...)
		}
	}
}

func checkMessage(m store.MailMessage, raw []byte) []store.Problem {
	var out []store.Problem
	where := fmt.Sprintf("mail_messages row %d", m.ID)
	differ := func(field, row, rawValue string) {
		out = append(out, store.Problem{Where: where, Detail: fmt.Sprintf("%s is %q, but the raw message (sha256 %s…) says %q",
			field, clip(row), m.RawSHA256[:12], clip(rawValue))})
	}
	pm, _ := mailsync.ParseMessage(raw, mailsync.Limits{MaxMessageBytes: int64(len(raw)) + 1})
	if pm != nil {
		if pm.MessageID != "" && pm.MessageID != m.MessageID {
			differ("message_id", m.MessageID, pm.MessageID)
		}
		if !strings.EqualFold(pm.From.Address, m.FromAddr) {
			differ("from_addr", m.FromAddr, pm.From.Address)
		}
		if pm.DateRaw != m.DateHeader {
			differ("date_header", m.DateHeader, pm.DateRaw)
		}
		if strings.Join(pm.Received, "\n") != strings.Join(m.Received, "\n") {
			differ("received_chain", strings.Join(m.Received, " | "), strings.Join(pm.Received, " | "))
		}
	}
	checks := store.ParseDKIM(m.DKIM)
	keys := map[string]string{}
	for _, k := range checks {
		if k.KeyName != "" && k.KeyRecord != "" {
			keys[k.KeyName] = k.KeyRecord
		}
	}
	if len(keys) == 0 {
		return out
	}
	now := mailsync.VerifyDKIMWithKeys(raw, keys)
	for i, k := range checks {
		if i >= len(now) || k.KeyRecord == "" {
			continue
		}
		// Only a verdict that the recorded key decides can be checked
		// offline: pass and fail.
		if (k.Status == mailsync.DKIMPass || k.Status == mailsync.DKIMFail) && now[i].Status != k.Status {
			out = append(out, store.Problem{Where: where, Detail: fmt.Sprintf("DKIM d=%s s=%s is recorded as %s, but the raw message checked against the recorded key gives %s",
				k.Domain, k.Selector, k.Status, now[i].Status)})
		}
		if now[i].Domain != "" && (now[i].Domain != k.Domain || now[i].Selector != k.Selector) {
			out = append(out, store.Problem{Where: where, Detail: fmt.Sprintf("DKIM signature %d is recorded as d=%s s=%s, but the raw message's is d=%s s=%s",
				i+1, k.Domain, k.Selector, now[i].Domain, now[i].Selector)})
		}
	}
	return out
}

func clip(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}
