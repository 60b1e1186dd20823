package mailsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Result is what storing and processing one message did.
type Result struct {
	MailID    int64
	UID       uint32
	MessageID string
	Duplicate bool   // not stored again: it was stored already
	State     string // store.MailMatched, …
	RequestID int64
	Rule      string
	Failure   string // why the message could not be read (state failed or over_limit)
	Documents int
	Applied   tracker.EventKind // the event recorded automatically, if any
	pending   bool              // stored by the sync, but processing did not finish
}

// Ingester processes stored messages: it parses them, verifies their DKIM
// signatures, matches them to a request and files them there (documents,
// classification, automatic events).
type Ingester struct {
	Store  *store.Store
	Limits Limits
	// Resolver fetches DKIM keys (nil: DNS through the shared, caching
	// KeyResolver). Tests serve their own. A sync pass verifies several
	// messages at once: it must be safe for concurrent use.
	Resolver TXTResolver
	// NoDKIM verifies no signature and asks no DNS: each is recorded "not
	// checked" (Config.DKIM "off", FOITRACK_DKIM=off).
	NoDKIM bool
	Log    *slog.Logger
}

func (in *Ingester) log() *slog.Logger {
	if in.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return in.Log
}

// errProcessed stops processing a message that another process (or a pass
// of this one) processed first.
var errProcessed = errors.New("mailsync: message processed already")

// reading is a stored message read back and understood, before anything is
// written.
type reading struct {
	msg      store.MailMessage
	pm       *ParsedMessage
	raw      []byte // nil for an over-limit message (header only)
	state    string // failed or over_limit when it could not be read whole
	failure  string
	dkim     json.RawMessage
	warnings []string
	// reply is the law-independent reading of the text for the
	// classifier (nil: worked out when filing).
	reply *replyReading
}

// read loads a stored message and parses it.
// With verifyDKIM false the DKIM results stored when the message was fetched
// are kept (a move between requests is not a new arrival: the evidence is
// what was checked then, and no DNS is asked).
func (in *Ingester) read(ctx context.Context, m store.MailMessage, verifyDKIM bool) (*reading, error) {
	if m.RawSHA256 == "" {
		return in.understand(ctx, m, nil, verifyDKIM), nil
	}
	f, err := in.Store.OpenBlob(m.RawSHA256)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to read stored message %d: %w", m.ID, err)
	}
	return in.understand(ctx, m, raw, verifyDKIM), nil
}

// understand parses a stored message whose raw bytes are at hand (nil for
// an over-limit message: only its header was fetched), verifies its DKIM
// signatures and reads its text for the classifier: all of what processing
// does that needs no transaction.
func (in *Ingester) understand(ctx context.Context, m store.MailMessage, raw []byte, verifyDKIM bool) *reading {
	rd := &reading{msg: m}
	if m.RawSHA256 == "" {
		// Over the size limit: only the header was fetched.
		rd.state, rd.failure = store.MailOverLimit, m.Error
		if rd.failure == "" {
			rd.failure = "the message was over the size limit: only its header was fetched"
		}
		pm, _ := ParseMessage([]byte(m.RawHeaders+"\r\n"), in.Limits)
		rd.pm = pm
		return rd
	}
	rd.raw = raw
	lim := in.Limits
	if int64(len(raw)) > lim.withDefaults().MaxMessageBytes {
		// Stored whole under a larger limit: it is read whole too.
		lim.MaxMessageBytes = int64(len(raw))
	}
	pm, perr := ParseMessage(raw, lim)
	rd.pm = pm
	if perr != nil {
		rd.state, rd.failure = store.MailFailed, tracker.ErrorMessage(perr)
		if tracker.ErrorCode(perr) == tracker.EINTERNAL {
			rd.failure = perr.Error()
		}
	}
	if pm != nil {
		rd.warnings = append(rd.warnings, pm.Errors...)
		if pm.LimitExceeded != "" {
			rd.warnings = append(rd.warnings, pm.LimitExceeded)
		}
		for _, a := range pm.Attachments {
			if a.LimitExceeded != "" {
				rd.warnings = append(rd.warnings, fmt.Sprintf("attachment %q was not made a document: %s", a.DisplayName(), a.LimitExceeded))
			}
		}
		if rd.state == "" {
			rd.reply = readMessageReply(pm)
		}
	}
	if !verifyDKIM {
		rd.dkim = m.DKIM
	} else if in.NoDKIM {
		rd.dkim, _ = json.Marshal(notCheckedDKIM(raw))
	} else if b, err := json.Marshal(VerifyDKIM(ctx, raw, in.Resolver)); err == nil {
		rd.dkim = b
	}
	return rd
}

// Process reads, matches and files a message stored in state new. A message
// processed already is left alone (Result.State says its state).
func (in *Ingester) Process(ctx context.Context, id int64) (Result, error) {
	m, err := in.Store.MailMessageByID(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if m.State != store.MailNew {
		return resultOf(m), nil
	}
	return in.process(ctx, m)
}

func resultOf(m store.MailMessage) Result {
	return Result{MailID: m.ID, UID: m.UID, MessageID: m.MessageID, State: m.State, RequestID: m.RequestID, Rule: m.MatchRule, Failure: m.Error}
}

// process files m, as stored (state new). A message with attachments is
// matched in a transaction of its own first, so that their content is
// written (outside any transaction) only for a message that is filed;
// any other is matched and filed in one transaction.
func (in *Ingester) process(ctx context.Context, m store.MailMessage) (Result, error) {
	rd, err := in.read(ctx, m, true)
	if err != nil {
		return Result{}, err
	}
	return in.processReading(ctx, rd)
}

// processReading files a message read by read or understand.
func (in *Ingester) processReading(ctx context.Context, rd *reading) (Result, error) {
	m := rd.msg
	canMatch := rd.pm != nil && len(rd.pm.Header) > 0
	var match Match
	var matched bool
	var files []fileBlob
	prematch := canMatch && rd.state == "" && hasDocuments(rd.pm)
	if prematch {
		err := in.Store.Update(ctx, func(tx *store.Tx) error {
			var err error
			match, matched, err = MatchReply(tx, rd.pm)
			return err
		})
		if err != nil {
			return Result{}, err
		}
		if matched {
			if files, err = in.writeAttachments(rd); err != nil {
				return Result{}, err
			}
		}
	}
	var res Result
	err := in.Store.Update(ctx, func(tx *store.Tx) error {
		if canMatch && !prematch {
			var err error
			if match, matched, err = MatchReply(tx, rd.pm); err != nil {
				return err
			}
		}
		res = Result{MailID: m.ID, UID: m.UID, MessageID: m.MessageID}
		return in.file(tx, rd, m, match, matched, files, &res)
	})
	if errors.Is(err, errProcessed) {
		cur, err := in.Store.MailMessageByID(ctx, m.ID)
		return resultOf(cur), err
	}
	if err != nil {
		return Result{}, err
	}
	in.log().Info("mail processed", "id", m.ID, "state", res.State, "request", res.RequestID, "rule", res.Rule, "documents", res.Documents)
	return res, nil
}

// giveUp marks a stored message failed without reading it.
func (in *Ingester) giveUp(ctx context.Context, id int64, reason string) (Result, error) {
	var res Result
	err := in.Store.Update(ctx, func(tx *store.Tx) error {
		m, err := tx.MailByID(id)
		if err != nil {
			return err
		}
		res = resultOf(m)
		if m.State != store.MailNew {
			return nil
		}
		p := store.MailProcessing{State: store.MailFailed, Error: reason, Warnings: m.Warnings, TextBody: m.TextBody, HTMLBody: m.HTMLBody}
		if err := tx.SetMailProcessed(m, p); err != nil {
			return err
		}
		res.State, res.Failure = store.MailFailed, reason
		return nil
	})
	return res, err
}

// Assign files a message from the holding pen (unmatched, or kept raw after
// a failure) on a request chosen by an editor; it is then processed like a
// matched reply (match rule manual).
func (in *Ingester) Assign(ctx context.Context, id, requestID int64) (Result, error) {
	m, err := in.Store.MailMessageByID(ctx, id)
	if err != nil {
		return Result{}, err
	}
	switch {
	case m.RequestID != 0:
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "this message is filed on a request already")
	case m.State == store.MailNew:
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "this message is still being processed; try again in a moment")
	}
	if _, err := in.Store.RequestByID(ctx, requestID); err != nil {
		return Result{}, err
	}
	rd, err := in.read(ctx, m, true)
	if err != nil {
		return Result{}, err
	}
	var files []fileBlob
	if rd.state == "" {
		if files, err = in.writeAttachments(rd); err != nil {
			return Result{}, err
		}
	}
	var res Result
	err = in.Store.Update(ctx, func(tx *store.Tx) error {
		m, err := tx.SetMailRequest(id, requestID)
		if err != nil {
			return err
		}
		res = Result{MailID: m.ID, UID: m.UID, MessageID: m.MessageID}
		return in.file(tx, rd, m, Match{RequestID: requestID, Rule: store.MatchManual, Evidence: store.Actor(ctx)}, true, files, &res)
	})
	if errors.Is(err, errProcessed) {
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "this message was filed meanwhile")
	}
	return res, err
}

// File files a message on request toRequestID, or puts it back in the
// holding pen when toRequestID is 0: the one action behind the web app's
// filing and moving, `foitrack mail file` and the API. A message in the
// holding pen is filed as Assign does; a filed one is moved (see Move).
func (in *Ingester) File(ctx context.Context, id, toRequestID int64) (Result, error) {
	m, err := in.Store.MailMessageByID(ctx, id)
	if err != nil {
		return Result{}, err
	}
	switch {
	case m.Direction != "in":
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "message %d is one we sent: it stays with its request", id)
	case m.RequestID == 0 && toRequestID == 0:
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "message %d is not on any request already", id)
	case m.RequestID == 0:
		return in.Assign(ctx, id, toRequestID)
	case m.RequestID == toRequestID:
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "message %d is on that request already", id)
	}
	return in.Move(ctx, id, toRequestID)
}

// Move moves a filed message to another request, or back to the holding pen
// (toRequestID 0), in one transaction: the events recorded from it leave its
// old request's history (store.DetachMail), its documents go with it (or are
// deleted, back to the holding pen: filing it again makes them anew from the
// raw mail), and on the new request it is read again under that request's
// law, its proposal made there (an acknowledgement recorded there at once, as
// for any reply) and the authority's reference learned.
func (in *Ingester) Move(ctx context.Context, id, toRequestID int64) (Result, error) {
	m, err := in.Store.MailMessageByID(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if m.RequestID == 0 {
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "message %d is not filed on a request (file it from the holding pen)", id)
	}
	var rd *reading
	if toRequestID != 0 {
		if _, err := in.Store.RequestByID(ctx, toRequestID); err != nil {
			return Result{}, err
		}
		if rd, err = in.read(ctx, m, false); err != nil {
			return Result{}, err
		}
	}
	var res Result
	err = in.Store.Update(ctx, func(tx *store.Tx) error {
		before, err := tx.DetachMail(id)
		if err != nil {
			return err
		}
		if before.RequestID != m.RequestID {
			return errProcessed // moved meanwhile
		}
		res = Result{MailID: id, UID: before.UID, MessageID: before.MessageID, State: store.MailUnmatched}
		if toRequestID == 0 {
			_, err := tx.DeleteMailDocuments(id)
			return err
		}
		moved, err := tx.MoveMailDocuments(id, toRequestID)
		if err != nil {
			return err
		}
		cur, err := tx.SetMailRequest(id, toRequestID)
		if err != nil {
			return err
		}
		if err := in.file(tx, rd, cur, Match{RequestID: toRequestID, Rule: store.MatchManual, Evidence: store.Actor(ctx)}, true, nil, &res); err != nil {
			return err
		}
		res.Documents = moved
		return nil
	})
	if errors.Is(err, errProcessed) {
		return Result{}, tracker.Errorf(tracker.ECONFLICT, "this message was filed or moved meanwhile")
	}
	return res, err
}

// fileBlob is an attachment written to the blob store ahead of the
// transaction that records its document.
type fileBlob struct {
	att  *Attachment
	sum  string
	size int64
}

// writeAttachments stores the content of the attachments that become
// documents. It runs before the transaction (like the raw message), so the
// transaction never waits on file I/O; a blob whose transaction never
// commits is an unreferenced file, not a half-recorded document.
func (in *Ingester) writeAttachments(rd *reading) ([]fileBlob, error) {
	var out []fileBlob
	seen := map[string]bool{}
	for _, a := range documentAttachments(rd.pm) {
		if seen[a.SHA256] {
			continue // the same file attached twice is one document
		}
		seen[a.SHA256] = true
		sum, size, err := in.Store.WriteBlob(bytes.NewReader(a.Content), 0)
		if err != nil {
			return nil, err
		}
		out = append(out, fileBlob{att: a, sum: sum, size: size})
	}
	return out, nil
}

// hasDocuments reports whether any attachment of pm becomes a document.
func hasDocuments(pm *ParsedMessage) bool {
	return len(documentAttachments(pm)) > 0
}

// documentAttachments returns the attachments of pm that become documents
// (see isDocument). A delivery failure or a read receipt has none: its parts
// are the mail server's report and our own message sent back, not anything
// the authority released.
func documentAttachments(pm *ParsedMessage) []*Attachment {
	if _, bounce := deliveryFailure(pm.Header, pm.Subject); bounce || reportType(pm.Header) == "disposition-notification" {
		return nil
	}
	var out []*Attachment
	for i := range pm.Attachments {
		if a := &pm.Attachments[i]; isDocument(a) {
			out = append(out, a)
		}
	}
	return out
}

// isDocument says whether an attachment becomes a document: any file with
// content, except the images a mail client embeds in an HTML body (logos,
// signatures), which are inline parts referenced by Content-ID.
func isDocument(a *Attachment) bool {
	if a.Content == nil || a.LimitExceeded != "" || len(a.Content) == 0 {
		return false
	}
	if a.Inline && a.ContentID != "" && strings.HasPrefix(a.SniffedType+a.DeclaredType, "image/") {
		return false
	}
	return true
}

// file records everything processing decided, in the caller's transaction.
func (in *Ingester) file(tx *store.Tx, rd *reading, m store.MailMessage, match Match, matched bool, files []fileBlob, res *Result) error {
	pm := rd.pm
	p := store.MailProcessing{State: rd.state, Error: rd.failure, DKIM: rd.dkim, Warnings: rd.warnings}
	if pm != nil {
		p.MessageID, p.InReplyTo, p.References = pm.MessageID, strings.Join(pm.InReplyTo, " "), pm.References
		p.Subject, p.FromAddr, p.FromName = pm.Subject, pm.From.Address, pm.From.Name
		p.To, p.Cc = addressList(pm.To), addressList(pm.Cc)
		p.SentAt, p.DateHeader, p.Received = pm.Date, pm.DateRaw, pm.Received
		p.TextBody, p.HTMLBody = pm.TextBody, pm.HTMLBody
		if p.References == nil {
			p.References = []string{}
		}
	}
	if matched {
		p.RequestID, p.MatchRule = match.RequestID, match.Rule
		res.RequestID, res.Rule = match.RequestID, match.Rule
	}
	if p.State == "" {
		p.State = store.MailUnmatched
		if matched {
			p.State = store.MailMatched
		}
	}
	res.State, res.Failure = p.State, p.Error
	if rd.state == "" && pm != nil {
		r := tracker.Request{}
		var law tracker.LawCode
		var err error
		if matched {
			if r, err = tx.RequestByID(match.RequestID); err != nil {
				return err
			}
			law = r.Law
		} else if law, err = senderLaw(tx, pm.From.Address); err != nil {
			return err
		}
		prop := proposeFor(pm, r, law, rd.msg, rd.reply)
		if matched {
			if err := in.fileOnRequest(tx, rd, r, files, &prop, res); err != nil {
				return err
			}
		}
		b, err := json.Marshal(prop)
		if err != nil {
			return fmt.Errorf("mailsync: unable to encode classification: %w", err)
		}
		p.Classification, p.ProposalState = b, prop.State
		p.Warnings = rd.warnings
	}
	if err := tx.SetMailProcessed(m, p); tracker.ErrorCode(err) == tracker.ECONFLICT {
		return errProcessed
	} else if err != nil {
		return err
	}
	return nil
}

// fileOnRequest turns a matched reply's attachments into documents, learns
// the authority's reference and records the events applied automatically.
func (in *Ingester) fileOnRequest(tx *store.Tx, rd *reading, r tracker.Request, files []fileBlob, prop *Proposal, res *Result) error {
	pm := rd.pm
	received := rd.msg.FetchedAt
	if !pm.Date.IsZero() {
		received = pm.Date
	}
	for _, f := range files {
		mediaType := f.att.DeclaredType
		if mediaType == "" || mediaType == "application/octet-stream" {
			mediaType = f.att.SniffedType
		}
		d := tracker.Document{
			RequestID: r.ID, MessageID: rd.msg.ID,
			Filename:    f.att.DisplayName(), // metadata only: the blob is named by its hash
			MediaType:   mediaType,
			SniffedType: f.att.SniffedType,
			Size:        f.size, SHA256: f.sum,
			Disposition: tracker.DispositionReleased,
			Description: fmt.Sprintf("Attached to %q from %s, %s", truncate(pm.Subject, 120), pm.From.String(), received.Format("2 Jan 2006")),
		}
		if err := tx.AddDocument(&d); err != nil {
			return err
		}
		res.Documents++
	}
	if r.TheirRef == "" {
		if ref := LearnTheirRef(pm.Subject, pm.TextBody, []string{r.OurRef}); ref != "" {
			if _, err := tx.LearnTheirRef(r.ID, ref); err != nil {
				return err
			}
		}
	}
	if prop.ProposedEvent == "" || !AutoApplicable(prop.Kind) {
		return nil
	}
	// Acknowledgements, automatic replies and bounces are recorded at once
	// when the lifecycle allows it (see AutoApplicable); anything else waits
	// for an editor. A refused event is rolled back to the savepoint and
	// stays a proposal.
	e := prop.event(r.ID, rd.msg.ID)
	e.Note = strings.TrimSpace("Recorded automatically from the reply. " + e.Note)
	if _, err := tx.ExecContext(tx.Context(), `SAVEPOINT auto_event`); err != nil {
		return fmt.Errorf("mailsync: unable to record event: %w", err)
	}
	if err := tx.AddEvent(&e); err != nil {
		code := tracker.ErrorCode(err)
		if code != tracker.ECONFLICT && code != tracker.EINVALID {
			return err
		}
		if _, err := tx.ExecContext(tx.Context(), `ROLLBACK TO auto_event`); err != nil {
			return fmt.Errorf("mailsync: unable to roll back event: %w", err)
		}
		prop.Note = "not recorded automatically: " + tracker.ErrorMessage(err)
		return nil
	}
	if _, err := tx.ExecContext(tx.Context(), `RELEASE auto_event`); err != nil {
		return fmt.Errorf("mailsync: unable to record event: %w", err)
	}
	prop.State, prop.EventID = store.ProposalApplied, e.ID
	res.Applied = e.Kind
	return nil
}

func addressList(l []Address) []string {
	out := make([]string, 0, len(l))
	for _, a := range l {
		out = append(out, a.String())
	}
	return out
}
