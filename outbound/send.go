package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Purpose is why a letter is sent, and so the lifecycle event it records.
type Purpose string

const (
	PurposeRequest    Purpose = "request"
	PurposeChaser     Purpose = "chaser"
	PurposeReview     Purpose = "internal_review"
	PurposeComplaint  Purpose = "regulator_complaint"
	PurposeClarifying Purpose = "clarification"
)

// Purposes lists every purpose with a label, in lifecycle order.
var Purposes = []struct {
	Purpose Purpose
	Label   string
}{
	{PurposeRequest, "Request"},
	{PurposeClarifying, "Clarification"},
	{PurposeChaser, "Chaser"},
	{PurposeReview, "Internal review request"},
	{PurposeComplaint, "Complaint to the regulator"},
}

// Label is the human name of the purpose.
func (p Purpose) Label() string {
	for _, x := range Purposes {
		if x.Purpose == p {
			return x.Label
		}
	}
	return string(p)
}

// EventKind is the lifecycle event that a send of this purpose records.
func (p Purpose) EventKind() (tracker.EventKind, bool) {
	switch p {
	case PurposeRequest:
		return tracker.EventSent, true
	case PurposeClarifying:
		return tracker.EventClarificationSent, true
	case PurposeChaser:
		return tracker.EventChaserSent, true
	case PurposeReview:
		return tracker.EventReviewRequested, true
	case PurposeComplaint:
		return tracker.EventRegulatorComplaint, true
	}
	return "", false
}

// Letter is what a user sends about a request.
type Letter struct {
	RequestID int64
	Purpose   Purpose
	// To defaults to the authority's FOI address.
	To      []mail.Address
	Cc      []mail.Address
	Subject string
	Body    string
	// Note is kept on the lifecycle event.
	Note string
}

// Sender sends letters about requests. It never marks anything sent that
// the SMTP server did not accept.
type Sender struct {
	Store  *store.Store
	Mailer Mailer
	Config Config
	// Now is the clock (the Date header and the day of sending).
	Now func() time.Time
	// Location is where the day of sending is counted (default time.Local).
	Location *time.Location
	// MaxBodyBytes bounds a letter (default 200 KB).
	MaxBodyBytes int
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Today is the day of sending, in the sender's location.
func (s *Sender) Today() tracker.Date { return s.dayOf(s.now()) }

// dayOf is the day of t in the sender's location.
func (s *Sender) dayOf(t time.Time) tracker.Date {
	loc := s.Location
	if loc == nil {
		loc = time.Local
	}
	return tracker.DateOf(t.In(loc))
}

// CheckAllowed reports (as an ECONFLICT domain error) why a letter of this
// purpose cannot be recorded on the request today, before anything is sent.
func (s *Sender) CheckAllowed(ctx context.Context, requestID int64, p Purpose) error {
	kind, ok := p.EventKind()
	if !ok {
		return tracker.Errorf(tracker.EINVALID, "unknown letter purpose %q", p)
	}
	history, err := s.Store.Events(ctx, requestID)
	if err != nil {
		return err
	}
	history = append(history, tracker.Event{Kind: kind, Date: s.Today()})
	tracker.SortEvents(history)
	if _, err := tracker.Replay(history); err != nil {
		return tracker.Errorf(tracker.ECONFLICT, "cannot send a %s now: %s", strings.ToLower(p.Label()), tracker.ErrorMessage(err))
	}
	return nil
}

// Send composes the letter, keeps it as an outgoing message of the request,
// and hands it to the SMTP server. When the server accepts it the message is
// marked sent and the lifecycle event is recorded, dated today; when it does
// not, the message is kept as failed with the server's error (returned as a
// *SendError) and can be retried. The stored message is returned either way
// once it has been recorded.
func (s *Sender) Send(ctx context.Context, l Letter) (store.OutgoingMessage, error) {
	var m store.OutgoingMessage
	if s.Mailer == nil || s.Config.Host == "" {
		return m, ErrNotConfigured
	}
	max := s.MaxBodyBytes
	if max <= 0 {
		max = 200_000
	}
	var v tracker.ValidationError
	l.Subject = oneLine(l.Subject)
	if l.Subject == "" {
		v.Add("subject", "a subject is required")
	} else if len(l.Subject) > 400 {
		v.Add("subject", "at most 400 characters")
	}
	if strings.TrimSpace(l.Body) == "" {
		v.Add("body", "the letter is empty")
	} else if len(l.Body) > max {
		v.Add("body", fmt.Sprintf("at most %d bytes", max))
	}
	if err := v.Err(); err != nil {
		return m, err
	}
	r, err := s.Store.RequestByID(ctx, l.RequestID)
	if err != nil {
		return m, err
	}
	if err := s.CheckAllowed(ctx, r.ID, l.Purpose); err != nil {
		return m, err
	}
	if len(l.To) == 0 {
		a, err := s.Store.AuthorityByID(ctx, r.AuthorityID)
		if err != nil {
			return m, err
		}
		if a.Email == "" {
			return m, &tracker.Error{Code: tracker.EINVALID, Message: fmt.Sprintf("%s has no FOI email address: add one to the authority or type the address", a.Name),
				Fields: map[string]string{"to": "required: the authority has no address"}}
		}
		l.To = []mail.Address{{Name: a.Name, Address: a.Email}}
	}
	for _, a := range append(append([]mail.Address(nil), l.To...), l.Cc...) {
		if strings.ContainsAny(a.Address, "\r\n<>") || !strings.Contains(a.Address, "@") {
			return m, &tracker.Error{Code: tracker.EINVALID, Message: fmt.Sprintf("%q is not an email address", a.Address), Fields: map[string]string{"to": "not an email address"}}
		}
	}

	// Thread the letter under what we sent before, so the authority's mail
	// client (and its reply's In-Reply-To) keeps the correspondence together.
	earlier, err := s.Store.OutgoingMessages(ctx, store.OutgoingFilter{RequestID: r.ID, State: store.OutSent})
	if err != nil {
		return m, err
	}
	now := s.now()
	msg := Message{
		From:      mail.Address{Name: s.Config.FromName, Address: s.Config.From},
		To:        l.To,
		Cc:        l.Cc,
		ReplyTo:   &mail.Address{Name: s.Config.FromName, Address: s.Config.ReplyAddress(r.ReplyToken)},
		Subject:   l.Subject,
		Body:      l.Body,
		Date:      now,
		MessageID: NewMessageID(now, domainOf(s.Config.From)),
	}
	for _, e := range earlier {
		if e.MessageID != "" {
			msg.References = append(msg.References, e.MessageID)
		}
	}
	if n := len(msg.References); n > 0 {
		msg.InReplyTo = msg.References[n-1]
		if n > 10 {
			msg.References = append(msg.References[:1:1], msg.References[n-9:]...)
		}
	}
	raw, err := Compose(msg)
	if err != nil {
		return m, err
	}
	sum, size, err := s.Store.WriteBlob(bytes.NewReader(raw), 0)
	if err != nil {
		return m, err
	}
	m = store.OutgoingMessage{
		RequestID: r.ID, Purpose: string(l.Purpose), MessageID: msg.MessageID, InReplyTo: msg.InReplyTo,
		References: msg.References, Subject: msg.Subject, From: s.Config.From, FromName: s.Config.FromName,
		To: addrList(l.To), Cc: addrList(l.Cc), EnvelopeFrom: s.Config.From,
		Recipients: append(addrList(l.To), addrList(l.Cc)...), RawSHA256: sum, RawSize: size, TextBody: l.Body,
	}
	if err := s.Store.CreateOutgoing(ctx, &m); err != nil {
		return m, err
	}
	return s.deliver(ctx, m, raw, l.Note)
}

// Retry hands a failed message to the server again, byte for byte the same
// (same Message-ID), and records the event when it is accepted.
func (s *Sender) Retry(ctx context.Context, messageID int64) (store.OutgoingMessage, error) {
	if s.Mailer == nil || s.Config.Host == "" {
		return store.OutgoingMessage{}, ErrNotConfigured
	}
	m, err := s.Store.ClaimOutgoingRetry(ctx, messageID)
	if err != nil {
		return m, err
	}
	f, err := s.Store.OpenBlob(m.RawSHA256)
	if err != nil {
		s.Store.MarkOutgoingFailed(ctx, m.ID, "the stored message is missing: "+err.Error())
		return m, err
	}
	raw, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		s.Store.MarkOutgoingFailed(ctx, m.ID, "the stored message cannot be read: "+err.Error())
		return m, fmt.Errorf("outbound: unable to read stored message: %w", err)
	}
	return s.deliver(ctx, m, raw, "")
}

// deliver sends a queued message and records the outcome.
func (s *Sender) deliver(ctx context.Context, m store.OutgoingMessage, raw []byte, note string) (store.OutgoingMessage, error) {
	if err := s.Store.OutgoingAttempt(ctx, m.ID); err != nil {
		return m, err
	}
	// The outcome must be recorded even when the caller's context ends
	// mid-send (a closed browser tab): use one that is not cancelled.
	rec := context.WithoutCancel(ctx)
	if err := s.Mailer.Send(ctx, m.EnvelopeFrom, m.Recipients, raw); err != nil {
		if merr := s.Store.MarkOutgoingFailed(rec, m.ID, err.Error()); merr != nil {
			return m, errors.Join(err, merr)
		}
		m.State, m.Error = store.OutSendFailed, err.Error()
		m.Attempts++
		return m, err
	}
	sentAt := s.now()
	m.Attempts++
	m, err := s.recordSent(m, sentAt, note, func(e *tracker.Event) (error, error) {
		return s.Store.MarkOutgoingSent(rec, m.ID, sentAt, e)
	})
	var ee *EventError
	if err != nil && !errors.As(err, &ee) {
		// The server has the message; our record of it failed. Say so plainly:
		// a retry would send it twice.
		return m, fmt.Errorf("outbound: the mail server accepted the message but it could not be marked sent: %w", err)
	}
	return m, err
}

// recordSent records that the server accepted m at sentAt, with the
// lifecycle event its purpose stands for, dated the day of sentAt: the one
// way a send is recorded, whether the acceptance was seen (deliver) or
// confirmed by a person after an interrupted send (MarkInterruptedSent).
// mark writes it (the event nil when the purpose records none) and returns
// the event's own error apart, as store.MarkOutgoingSent does.
func (s *Sender) recordSent(m store.OutgoingMessage, sentAt time.Time, note string, mark func(e *tracker.Event) (eventErr, err error)) (store.OutgoingMessage, error) {
	var e *tracker.Event
	if kind, ok := Purpose(m.Purpose).EventKind(); ok {
		if note == "" {
			note = sentNote(m)
		}
		e = &tracker.Event{RequestID: m.RequestID, Kind: kind, Date: s.dayOf(sentAt), Note: note}
	}
	eventErr, err := mark(e)
	if err != nil {
		return m, err
	}
	m.State, m.Error, m.SentAt, m.Interrupted = store.OutSent, "", sentAt.UTC(), false
	if e != nil && eventErr == nil {
		m.EventID = e.ID
	}
	if eventErr != nil {
		return m, &EventError{Err: eventErr}
	}
	return m, nil
}

// sentNote is the lifecycle event's note for a message sent by email.
func sentNote(m store.OutgoingMessage) string {
	return fmt.Sprintf("Sent by email to %s (Message-ID <%s>).", strings.Join(m.To, ", "), m.MessageID)
}

// MarkInterruptedSent records a person's word that an interrupted message
// (store.SendInterruptedAfter) reached the server: they found it in the
// sent mail, or the authority confirmed it. It is recorded as a send the
// server accepted at its last attempt, lifecycle event included; why they
// know goes to the audit log and the event's note. No mail server is needed.
// attemptedAt is the attempt the person was shown (OutgoingMessage.AttemptedAt).
func (s *Sender) MarkInterruptedSent(ctx context.Context, messageID int64, attemptedAt time.Time, why string) (store.OutgoingMessage, error) {
	m, err := s.Store.Outgoing(ctx, messageID)
	if err != nil {
		return m, err
	}
	why = oneLine(why)
	if len(why) > 500 {
		return m, &tracker.Error{Code: tracker.EINVALID, Message: "say how you know in at most 500 characters",
			Fields: map[string]string{"note": "at most 500 characters"}}
	}
	note := strings.TrimSuffix(sentNote(m), ".") + "; the send was interrupted and marked sent by hand"
	if why != "" {
		note += ": " + why
	}
	return s.recordSent(m, attemptedAt, note+".", func(e *tracker.Event) (error, error) {
		return s.Store.ResolveInterruptedSent(ctx, m.ID, attemptedAt, e, why)
	})
}

// SendInterruptedAgain gives up on an interrupted message's last attempt and
// hands it to the server again through Retry: byte for byte the same, same
// Message-ID. It may reach the authority twice, if the first attempt did.
// attemptedAt is the attempt the person was shown.
func (s *Sender) SendInterruptedAgain(ctx context.Context, messageID int64, attemptedAt time.Time) (store.OutgoingMessage, error) {
	if s.Mailer == nil || s.Config.Host == "" {
		return store.OutgoingMessage{}, ErrNotConfigured
	}
	if err := s.Store.ReleaseInterrupted(ctx, messageID, attemptedAt); err != nil {
		return store.OutgoingMessage{}, err
	}
	return s.Retry(ctx, messageID)
}

// EventError: the message was sent, but its lifecycle event could not be
// recorded (the history changed meanwhile); record it by hand.
type EventError struct{ Err error }

func (e *EventError) Error() string {
	return "the message was sent, but the event could not be recorded: " + tracker.ErrorMessage(e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

func addrList(l []mail.Address) []string {
	out := make([]string, len(l))
	for i, a := range l {
		out[i] = a.Address
	}
	return out
}
