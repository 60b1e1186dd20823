package mailsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Source is the IMAP side of a sync pass: one connection, logged in.
// imapSource (on imapclient.go's client) is the real one.
type Source interface {
	// Select opens mailbox and returns its UIDVALIDITY.
	Select(ctx context.Context, mailbox string) (uidValidity uint32, err error)
	// List returns the UID and RFC822.SIZE of every message with a UID
	// above since, in UID order.
	List(ctx context.Context, since uint32) ([]MessageInfo, error)
	// FetchRaw calls fn with each whole raw message of uids, in UID order.
	FetchRaw(ctx context.Context, uids []uint32, fn func(uid uint32, raw []byte) error) error
	// FetchHeaders calls fn with the header block of each message of uids.
	FetchHeaders(ctx context.Context, uids []uint32, fn func(uid uint32, header []byte) error) error
	// MoveUpTo moves every message with a UID up to uid to folder (creating it when missing).
	MoveUpTo(ctx context.Context, uid uint32, folder string) error
	Close() error
}

// MessageInfo is what the sync needs to know of a message before fetching it.
type MessageInfo struct {
	UID  uint32
	Size int64
}

// Progress is reported after each message of a pass.
type Progress struct {
	Done, Total int
	UID         uint32
}

// Failure is a message that could not be stored or read, and why.
type Failure struct {
	UID       uint32 `json:"uid"`
	MessageID string `json:"message_id"`
	Reason    string `json:"reason"`
}

// Summary is what a sync pass did. Its numbers add up on every path,
// an interrupted pass too: Fetched + Resumed = Matched + Unmatched + Failed
// + Pending (see AddsUp); Duplicates were not stored again and are apart.
type Summary struct {
	RunID      int64     `json:"run_id"`
	Fetched    int       `json:"fetched"`    // messages newly stored
	Matched    int       `json:"matched"`    // …of which filed on a request
	Unmatched  int       `json:"unmatched"`  // …of which left in the holding pen
	Duplicates int       `json:"duplicates"` // skipped: stored already (a rescan after a UIDVALIDITY change)
	Failed     int       `json:"failed"`     // …of which kept raw but not readable, or over the size limit
	Resumed    int       `json:"resumed"`    // stored by an earlier, interrupted pass and processed in this one
	Pending    int       `json:"pending"`    // stored by this pass but not processed: it was interrupted (the next pass processes them)
	Failures   []Failure `json:"failures"`
	Retries    int       `json:"retries"` // reconnections after a dropped connection
	Rescan     bool      `json:"rescan"`
}

// Syncer runs sync passes of one mailbox into the store.
type Syncer struct {
	Store  *store.Store
	Config Config
	// Dial connects and logs in (default: DialSource, over imapclient.go).
	Dial func(ctx context.Context, cfg Config) (Source, error)
	// Ingest processes stored messages; its zero value is usable.
	Ingest Ingester
	// Progress, when set, is called after each message.
	Progress func(Progress)
	Log      *slog.Logger
	// MaxAttempts is how many times in a row a connection may fail without
	// progress before the pass gives up (default 6); Backoff the first wait
	// (default 1s), doubled each time up to MaxBackoff (default 30s).
	MaxAttempts int
	Backoff     time.Duration
	MaxBackoff  time.Duration
	// BatchBytes bounds the size of one FETCH of whole messages (default 8 MiB).
	BatchBytes int64
}

// running is held by the pass under way.
var running sync.Mutex

func (s *Syncer) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Run runs one pass: it records a mail_sync_runs row, first processes what
// an interrupted pass stored but did not process, then fetches everything
// above the checkpoint, reconnecting with backoff when the connection drops.
func (s *Syncer) Run(ctx context.Context) (Summary, error) {
	var sum Summary
	cfg := s.Config
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return sum, err
	}
	if !cfg.Enabled() {
		return sum, tracker.Errorf(tracker.EINVALID, "no mailbox is configured (set the IMAP host in the mail settings or FOITRACK_IMAP_HOST)")
	}
	// One pass at a time: in a process, the scheduled job and "sync now" in
	// the web app share this lock (cron's SkipIfStillRunning only knows its
	// own runs); across processes (`foitrack sync` beside `serve`), a file
	// lock beside the database. Without them a second pass would stay
	// correct, the database refusing what is stored already, but fetch in
	// vain and count it all as duplicates.
	if !running.TryLock() {
		return sum, tracker.Errorf(tracker.ECONFLICT, "a mail sync is running already")
	}
	defer running.Unlock()
	if path := s.Store.Path(); path != "" && path != ":memory:" {
		release, err := lockSyncFile(path + ".sync-lock")
		if err != nil {
			return sum, err
		}
		defer release()
	}
	run := store.MailSyncRun{}
	if err := s.Store.StartMailSyncRun(ctx, &run); err != nil {
		return sum, err
	}
	sum.RunID = run.ID
	err := s.run(ctx, cfg, &sum)
	run.Fetched, run.Matched, run.Unmatched, run.Duplicates, run.Failed = sum.Fetched, sum.Matched, sum.Unmatched, sum.Duplicates, sum.Failed
	run.Resumed, run.Pending = sum.Resumed, sum.Pending
	if err != nil {
		run.Error = err.Error()
	}
	// Record the outcome even when ctx was cancelled (a shutdown mid-pass).
	if ferr := s.Store.FinishMailSyncRun(context.WithoutCancel(ctx), &run); ferr != nil && err == nil {
		err = ferr
	}
	return sum, err
}

func (s *Syncer) run(ctx context.Context, cfg Config, sum *Summary) error {
	s.Ingest.Store = s.Store
	s.Ingest.Limits = cfg.Limits()
	s.Ingest.NoDKIM = s.Ingest.NoDKIM || !cfg.DKIMChecked()
	if s.Ingest.Log == nil {
		s.Ingest.Log = s.Log
	}
	// What a crash between storing and processing left behind.
	ids, err := s.Store.MailIDsToProcess(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		// A message whose processing stopped the program (out of memory,
		// killed) must not stop every later pass: after maxProcessAttempts
		// it is kept raw, as failed.
		attempts, err := s.Store.NoteMailProcessAttempt(ctx, id)
		if err != nil {
			return err
		}
		var res Result
		if attempts > maxProcessAttempts {
			res, err = s.Ingest.giveUp(ctx, id, fmt.Sprintf("processing did not finish in %d attempts: the message is kept raw", maxProcessAttempts))
		} else {
			res, err = s.Ingest.Process(ctx, id)
		}
		if err != nil {
			return err
		}
		sum.count(res, true)
	}

	maxAttempts, initial, maxDelay := s.MaxAttempts, s.Backoff, s.MaxBackoff
	if maxAttempts <= 0 {
		maxAttempts = 6
	}
	if initial <= 0 {
		initial = time.Second
	}
	if maxDelay <= 0 {
		maxDelay = 30 * time.Second
	}
	delay := initial
	for failures := 0; ; {
		before := sum.Fetched + sum.Duplicates
		err := s.pass(ctx, cfg, sum)
		if err == nil {
			return nil
		}
		if !retryable(err) || ctx.Err() != nil {
			return err
		}
		if sum.Fetched+sum.Duplicates > before {
			failures, delay = 0, initial // progress was made: start counting again
		}
		failures++
		if failures >= maxAttempts {
			return fmt.Errorf("mailsync: giving up after %d failed attempts: %w", failures, err)
		}
		sum.Retries++
		s.log().Warn("mail sync: connection lost, retrying", "err", err, "wait", delay, "attempt", failures)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, maxDelay)
	}
}

// maxProcessAttempts is how often processing a stored message is retried
// after the program stopped during it.
const maxProcessAttempts = 3

// AddsUp reports whether every message the pass stored or took up is
// accounted for once.
func (sum Summary) AddsUp() bool {
	return sum.Fetched+sum.Resumed == sum.Matched+sum.Unmatched+sum.Failed+sum.Pending
}

// count adds one message's result: one fetched by this pass (stored now, or
// a duplicate) or, with resumed, one an interrupted pass stored.
func (sum *Summary) count(r Result, resumed bool) {
	switch {
	case r.Duplicate:
		sum.Duplicates++
		return
	case resumed:
		sum.Resumed++
	default:
		sum.Fetched++
	}
	switch {
	case r.pending:
		sum.Pending++
	case r.Failure != "":
		sum.Failed++
		sum.Failures = append(sum.Failures, Failure{UID: r.UID, MessageID: r.MessageID, Reason: r.Failure})
	case r.RequestID != 0:
		sum.Matched++
	default:
		sum.Unmatched++
	}
}

// connError marks an error of the connection (as opposed to one of the
// store or of the configuration): the pass reconnects and resumes.
type connError struct{ err error }

func (e connError) Error() string { return e.err.Error() }
func (e connError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var ce connError
	if !errors.As(err, &ce) || tracker.ErrorCode(err) != tracker.EINTERNAL {
		return false // not the connection, or a configuration error (tracker.Error)
	}
	// The server answered: a refused login or a missing mailbox will not
	// mend by itself. Anything else (a reset, EOF, a timeout, a server
	// restarting and refusing connections) may.
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code != imap.ResponseCodeUnavailable && ie.Code != imap.ResponseCodeServerBug {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || ie != nil || isConnText(err)
}

// isConnText recognises connection failures that reach us only as text
// (the IMAP client reports some with errors.New).
func isConnText(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection reset", "broken pipe", "connection refused", "closed", "eof", "timeout", "unexpected bye"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// pass is one connection's worth of work.
func (s *Syncer) pass(ctx context.Context, cfg Config, sum *Summary) error {
	dial := s.Dial
	if dial == nil {
		dial = DialSource
	}
	src, err := dial(ctx, cfg)
	if err != nil {
		return connError{err}
	}
	defer src.Close()
	uv, err := src.Select(ctx, cfg.Mailbox)
	if err != nil {
		return connError{fmt.Errorf("mailsync: unable to open mailbox %q: %w", cfg.Mailbox, err)}
	}
	cp, found, err := s.Store.MailCheckpoint(ctx, cfg.Mailbox)
	if err != nil {
		return err
	}
	var since uint32
	if found && cp.UIDValidity == uv {
		since = cp.LastUID
	} else if found {
		// The server renumbered the mailbox: every message is fetched
		// again and recognised by its Message-ID and raw hash.
		s.log().Warn("mail sync: UIDVALIDITY changed, rescanning the mailbox", "mailbox", cfg.Mailbox, "was", cp.UIDValidity, "now", uv)
		sum.Rescan = true
		if err := s.Store.Update(ctx, func(tx *store.Tx) error { return tx.SaveMailCheckpoint(cfg.Mailbox, uv, 0) }); err != nil {
			return err
		}
	}
	list, err := src.List(ctx, since)
	if err != nil {
		return connError{fmt.Errorf("mailsync: unable to list messages: %w", err)}
	}
	total := len(list)
	done := 0
	var mu sync.Mutex // sum, done and the Progress calls, from both stages
	count := func(res Result, reported bool) {
		mu.Lock()
		defer mu.Unlock()
		sum.count(res, false)
		if reported {
			done++
			if s.Progress != nil {
				s.Progress(Progress{Done: done, Total: total, UID: res.UID})
			}
		}
	}
	cur := newCursor(list, since)
	if cur.dedupe, err = s.Store.MailUnderOtherUIDValidity(ctx, cfg.Mailbox, uv); err != nil {
		return err
	}
	batchBytes := s.BatchBytes
	if batchBytes <= 0 {
		batchBytes = 8 << 20
	}
	if err := s.pipeline(ctx, cfg, uv, src, cur, batches(list, cfg.MaxMessageBytes, batchBytes), count); err != nil {
		return err
	}
	if cfg.ProcessedFolder != "" {
		cp, found, err := s.Store.MailCheckpoint(ctx, cfg.Mailbox)
		if err != nil {
			return err
		}
		if found && cp.UIDValidity == uv && cp.LastUID > 0 {
			// After the commit, never before: a message is moved only once
			// it is safely stored — on the disk, not only committed, so
			// that a power cut cannot take back what the inbox no longer
			// holds — and moving again is harmless.
			if err := s.Store.Flush(); err != nil {
				return err
			}
			if err := src.MoveUpTo(ctx, cp.LastUID, cfg.ProcessedFolder); err != nil {
				return connError{fmt.Errorf("mailsync: unable to move stored mail to %q: %w", cfg.ProcessedFolder, err)}
			}
		}
	}
	return nil
}

// storeError carries an error of the store out of a fetch callback, so that
// it is not mistaken for a connection failure.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type batch struct {
	uids      []uint32
	sizes     map[uint32]int64
	overLimit bool
}

// batches groups the messages to fetch: whole messages in runs of at most
// batchBytes (or one message when it is bigger), over-limit messages
// (headers only) on their own, all in UID order so that the checkpoint
// moves forward one message at a time.
func batches(list []MessageInfo, maxMessage, batchBytes int64) []batch {
	sort.Slice(list, func(i, j int) bool { return list[i].UID < list[j].UID })
	var out []batch
	var cur *batch
	var curBytes int64
	for _, m := range list {
		over := m.Size > maxMessage
		if cur == nil || cur.overLimit != over || (!over && curBytes+m.Size > batchBytes && len(cur.uids) > 0) || len(cur.uids) >= 200 {
			out = append(out, batch{sizes: map[uint32]int64{}, overLimit: over})
			cur, curBytes = &out[len(out)-1], 0
		}
		cur.uids = append(cur.uids, m.UID)
		cur.sizes[m.UID] = m.Size
		curBytes += m.Size
	}
	return out
}

// cursor tracks which listed messages are stored, so that the checkpoint
// only ever covers UIDs all of whose predecessors are stored too, whatever
// order the server answers a FETCH in.
type cursor struct {
	order []uint32 // the listed UIDs, ascending
	done  map[uint32]bool
	next  int    // index of the first listed UID not stored yet
	since uint32 // the checkpoint the pass started from
	// dedupe: the mailbox has messages stored under an earlier UIDVALIDITY,
	// so each message is looked for by content (see FindDuplicateMail).
	dedupe bool
}

func newCursor(list []MessageInfo, since uint32) *cursor {
	c := &cursor{done: map[uint32]bool{}, since: since}
	for _, m := range list {
		c.order = append(c.order, m.UID)
	}
	sort.Slice(c.order, func(i, j int) bool { return c.order[i] < c.order[j] })
	return c
}

// checkpointWith returns the checkpoint once uid is stored too (not yet
// recorded: see markStored).
func (c *cursor) checkpointWith(uid uint32) uint32 {
	next := c.next
	for next < len(c.order) && (c.done[c.order[next]] || c.order[next] == uid) {
		next++
	}
	if next == 0 {
		return c.since
	}
	return c.order[next-1]
}

func (c *cursor) markStored(uid uint32) {
	c.done[uid] = true
	for c.next < len(c.order) && c.done[c.order[c.next]] {
		c.next++
	}
}

// insert adds the message row and moves the checkpoint in one transaction,
// or, for a message already stored (under an earlier UIDVALIDITY, or under
// this one when a FETCH answered out of order held the checkpoint back),
// only moves the checkpoint.
func (s *Syncer) insert(ctx context.Context, m *store.MailMessage, cur *cursor) (duplicate bool, err error) {
	checkpoint := cur.checkpointWith(m.UID)
	err = s.Store.Update(ctx, func(tx *store.Tx) error {
		duplicate = false
		if cur.dedupe {
			_, dup, err := tx.FindDuplicateMail(m.Mailbox, m.UIDValidity, m.MessageID, m.RawSHA256, m.RawSize, m.RawHeaders)
			if err != nil {
				return err
			}
			duplicate = dup
		}
		if !duplicate {
			// The UNIQUE (mailbox, uidvalidity, uid) key refuses a message
			// stored already (a FETCH answered out of order held the
			// checkpoint back): it is counted as a duplicate.
			err := tx.InsertIncomingMail(m)
			if tracker.ErrorCode(err) == tracker.ECONFLICT {
				duplicate = true
			} else if err != nil {
				return err
			}
		}
		return tx.SaveMailCheckpoint(m.Mailbox, m.UIDValidity, checkpoint)
	})
	if err != nil {
		return false, storeError{err}
	}
	cur.markStored(m.UID)
	return duplicate, nil
}

// maxStoredHeaderBytes bounds the header block kept in raw_headers.
const maxStoredHeaderBytes = 256 << 10

// headerBlock returns the header of a raw message: everything up to the
// first empty line (at most maxStoredHeaderBytes).
func headerBlock(raw []byte) []byte {
	end := len(raw)
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 && i+len(sep) < end {
			end = i + len(sep)
		}
	}
	if bytes.HasPrefix(raw, []byte("\r\n")) || bytes.HasPrefix(raw, []byte("\n")) {
		end = 0 // no header at all
	}
	if end > maxStoredHeaderBytes {
		end = maxStoredHeaderBytes
	}
	return raw[:end]
}

// quickMessageID reads the Message-ID from a header block without parsing
// the message (the parser runs after the message is safely stored).
func quickMessageID(header []byte) string {
	for _, f := range unfoldHeader(header) {
		if strings.EqualFold(f.Key, "Message-Id") {
			v := strings.TrimSpace(f.Value)
			if ids := msgIDList(v); len(ids) > 0 {
				return ids[0]
			}
			return strings.Trim(v, "<>")
		}
	}
	return ""
}

// unfoldHeader splits a header block into fields, leniently.
func unfoldHeader(header []byte) Header {
	var h Header
	for _, line := range strings.Split(strings.ReplaceAll(string(header), "\r\n", "\n"), "\n") {
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h) > 0 {
			h[len(h)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h = append(h, HeaderField{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return h
}
