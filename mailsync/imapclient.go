package mailsync

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"

	"github.com/foitrack/foitrack/tracker"
)

// TLS modes of a mailbox connection.
const (
	TLSModeImplicit = "tls"      // TLS from the first byte (port 993)
	TLSModeSTARTTLS = "starttls" // plain connection upgraded with STARTTLS before login (port 143)
	TLSModePlain    = "plain"    // no encryption: loopback hosts only (the demo, tests)
)

// MailboxConfig says where replies arrive and how to log in.
type MailboxConfig struct {
	Host     string
	Port     int    // 0: 993 for TLSModeImplicit, 143 otherwise
	TLSMode  string // TLSModeImplicit (the default when ""), TLSModeSTARTTLS or TLSModePlain
	Username string
	Password string
	Mailbox  string // "" is INBOX
	// ProcessedFolder is where processed mail is moved; "" leaves it in
	// Mailbox.
	ProcessedFolder string
	// InsecureSkipVerify accepts any server certificate. For tests against
	// a server with a self-signed certificate only.
	InsecureSkipVerify bool
}

const (
	defaultFetchBatch = 50
	dialTimeout       = 30 * time.Second
)

// Validate checks the configuration and fills in defaults (port, TLS mode,
// mailbox). A TLSModePlain configuration for a host other than a loopback
// address is refused: the password would cross the network in clear text.
func (c *MailboxConfig) Validate() error {
	var v tracker.ValidationError
	c.Host = strings.Trim(strings.TrimSpace(c.Host), "[]")
	c.TLSMode = strings.ToLower(strings.TrimSpace(c.TLSMode))
	if c.TLSMode == "" {
		c.TLSMode = TLSModeImplicit
	}
	if c.Port == 0 {
		c.Port = 143
		if c.TLSMode == TLSModeImplicit {
			c.Port = 993
		}
	}
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	switch {
	case c.Host == "":
		v.Add("host", "is required")
	case strings.ContainsAny(c.Host, " /:") && net.ParseIP(c.Host) == nil:
		v.Add("host", "must be a host name or an IP address")
	}
	if c.Port < 1 || c.Port > 65535 {
		v.Add("port", "must be between 1 and 65535")
	}
	switch c.TLSMode {
	case TLSModeImplicit, TLSModeSTARTTLS:
	case TLSModePlain:
		if c.Host != "" && !isLoopbackHost(c.Host) {
			v.Add("tls_mode", fmt.Sprintf("plain (unencrypted) IMAP is only allowed to a loopback host such as 127.0.0.1, not %s: use tls or starttls", c.Host))
		}
	default:
		v.Add("tls_mode", fmt.Sprintf("must be %s, %s or %s", TLSModeImplicit, TLSModeSTARTTLS, TLSModePlain))
	}
	if c.Username == "" {
		v.Add("username", "is required")
	}
	if c.ProcessedFolder != "" && strings.EqualFold(c.ProcessedFolder, c.Mailbox) {
		v.Add("processed_folder", "must differ from the mailbox")
	}
	return v.Err()
}

// isLoopbackHost reports whether host is a loopback IP address or
// "localhost" (which RFC 6761 reserves for loopback).
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Conn is a logged-in IMAP connection to one mailbox. It is not safe for
// concurrent use.
type Conn struct {
	cfg    MailboxConfig
	addr   string
	client *imapclient.Client
	// selected is the mailbox selected by Select, "" before.
	selected string
}

// Dial connects to the server of cfg with its TLS mode and logs in.
func Dial(cfg MailboxConfig) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{
			ServerName:         strings.Trim(cfg.Host, "[]"),
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // tests only, see MailboxConfig
		},
		Dialer:      &net.Dialer{Timeout: dialTimeout},
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
	}
	var (
		client *imapclient.Client
		err    error
	)
	switch cfg.TLSMode {
	case TLSModeImplicit:
		client, err = imapclient.DialTLS(addr, opts)
	case TLSModeSTARTTLS:
		client, err = imapclient.DialStartTLS(addr, opts)
	default:
		client, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to connect to %s (%s): %w", addr, cfg.TLSMode, err)
	}
	c := &Conn{cfg: cfg, addr: addr, client: client}
	if err := client.WaitGreeting(); err != nil {
		client.Close()
		return nil, fmt.Errorf("mailsync: no greeting from %s: %w", addr, err)
	}
	if client.Caps().Has(imap.CapLoginDisabled) {
		client.Close()
		return nil, fmt.Errorf("mailsync: %s refuses to log in on this connection (LOGINDISABLED); use tls or starttls", addr)
	}
	if err := client.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		client.Close()
		return nil, fmt.Errorf("mailsync: unable to log in to %s as %q: %w", addr, cfg.Username, err)
	}
	return c, nil
}

// Select opens mailbox read-write (so that Move can work). The caller
// compares uidValidity with its checkpoint: when it changed, every UID it
// stored for the mailbox is void and the mailbox must be rescanned from 0.
func (c *Conn) Select(mailbox string) (uidValidity, uidNext, numMessages uint32, err error) {
	data, err := c.client.Select(mailbox, nil).Wait()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("mailsync: unable to select %q on %s: %w", mailbox, c.addr, err)
	}
	if data.UIDValidity == 0 {
		return 0, 0, 0, fmt.Errorf("mailsync: %s sent no UIDVALIDITY for %q: progress cannot be checkpointed", c.addr, mailbox)
	}
	c.selected = mailbox
	return data.UIDValidity, uint32(data.UIDNext), data.NumMessages, nil
}

// FetchSince calls fn for every message of the selected mailbox whose UID
// is greater than afterUID, in ascending UID order, with its raw RFC 5322
// bytes and the server's internal date. Messages are fetched with
// BODY.PEEK[] (they stay unread) in batches of batch messages (50 when
// batch <= 0); a whole batch is read before fn is called for its messages,
// so no IMAP command is in flight while fn works, and a batch costs memory
// for its messages.
//
// FetchSince is built to be resumed: when fn returns nil for a UID, the
// caller may checkpoint that UID (with the mailbox's UIDVALIDITY); after any
// failure — fn's error, returned wrapped so errors.Is finds it, a dropped
// connection, ctx cancelled — the caller redials, selects, checks
// UIDVALIDITY and calls FetchSince with its checkpoint. Messages expunged
// meanwhile are skipped.
func (c *Conn) FetchSince(ctx context.Context, afterUID uint32, batch int, fn func(uid uint32, raw []byte, internalDate time.Time) error) error {
	if c.selected == "" {
		return errors.New("mailsync: FetchSince before Select")
	}
	if batch <= 0 {
		batch = defaultFetchBatch
	}
	// IMAP commands take no context: cancelling closes the connection,
	// which ends the command in flight.
	stop := context.AfterFunc(ctx, func() { c.client.Close() })
	defer stop()

	uids, err := c.uidsAfter(afterUID)
	if err != nil {
		return c.ctxErr(ctx, err)
	}
	for len(uids) > 0 {
		chunk := uids[:min(batch, len(uids))]
		uids = uids[len(chunk):]
		msgs, err := c.fetchBatch(chunk)
		if err != nil {
			return c.ctxErr(ctx, err)
		}
		for _, m := range msgs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(uint32(m.UID), m.raw, m.InternalDate); err != nil {
				return fmt.Errorf("mailsync: processing UID %d of %q: %w", m.UID, c.selected, err)
			}
		}
	}
	return nil
}

// ctxErr prefers the context's error: a command that failed because ctx
// closed the connection should say so.
func (c *Conn) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("mailsync: fetching from %s stopped: %w", c.addr, ctx.Err())
	}
	return err
}

// uidsAfter lists the UIDs above afterUID, ascending.
func (c *Conn) uidsAfter(afterUID uint32) ([]imap.UID, error) {
	if afterUID == ^uint32(0) {
		return nil, nil
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(afterUID+1), 0) // afterUID+1:*
	data, err := c.client.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to list messages after UID %d in %q on %s: %w", afterUID, c.selected, c.addr, err)
	}
	// "n:*" always matches the last message, even when its UID is below n.
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return uint32(u) <= afterUID })
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

type fetchedMessage struct {
	UID          imap.UID
	InternalDate time.Time
	raw          []byte
}

var bodyPeek = &imap.FetchItemBodySection{Peek: true} // BODY.PEEK[]

func (c *Conn) fetchBatch(uids []imap.UID) ([]fetchedMessage, error) {
	bufs, err := c.client.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:          true,
		InternalDate: true,
		BodySection:  []*imap.FetchItemBodySection{bodyPeek},
	}).Collect()
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to fetch UIDs %s from %q on %s: %w", imap.UIDSetNum(uids...), c.selected, c.addr, err)
	}
	msgs := make([]fetchedMessage, 0, len(bufs))
	for _, b := range bufs {
		raw := b.FindBodySection(bodyPeek)
		if b.UID == 0 || raw == nil {
			// An unsolicited FETCH (a flag change) or a message gone
			// meanwhile: nothing to pass on.
			continue
		}
		msgs = append(msgs, fetchedMessage{UID: b.UID, InternalDate: b.InternalDate, raw: raw})
	}
	slices.SortFunc(msgs, func(a, b fetchedMessage) int { return cmp.Compare(a.UID, b.UID) })
	return msgs, nil
}

// Move moves messages of the selected mailbox to folder, creating the folder
// when the server says it does not exist. Without the MOVE extension it
// copies, flags the originals \Deleted and expunges them, step by step so
// that nothing is deleted unless the copy succeeded. Without UIDPLUS that
// EXPUNGE also removes any other message already flagged \Deleted in the
// mailbox: that is what deleting means in IMAP.
func (c *Conn) Move(uids []uint32, folder string) error {
	if len(uids) == 0 {
		return nil
	}
	if c.selected == "" {
		return errors.New("mailsync: Move before Select")
	}
	set := imap.UIDSet{}
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	if c.client.Caps().Has(imap.CapMove) {
		return c.withTryCreate(folder, func() error {
			_, err := c.client.Move(set, folder).Wait()
			return err
		})
	}
	// go-imap's own fallback sends COPY, STORE and EXPUNGE at once, so a
	// failed COPY would still delete the originals.
	if err := c.withTryCreate(folder, func() error {
		_, err := c.client.Copy(set, folder).Wait()
		return err
	}); err != nil {
		return err
	}
	store := c.client.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil)
	if err := store.Close(); err != nil {
		return fmt.Errorf("mailsync: copied UIDs %s to %q but unable to flag them deleted: %w", set, folder, err)
	}
	var expunge *imapclient.ExpungeCommand
	if c.client.Caps().Has(imap.CapUIDPlus) {
		expunge = c.client.UIDExpunge(set)
	} else {
		expunge = c.client.Expunge()
	}
	if err := expunge.Close(); err != nil {
		return fmt.Errorf("mailsync: copied UIDs %s to %q but unable to expunge them: %w", set, folder, err)
	}
	return nil
}

// withTryCreate runs op, and when the server answers [TRYCREATE] creates
// folder and runs op once more.
func (c *Conn) withTryCreate(folder string, op func() error) error {
	err := op()
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeTryCreate {
		if cerr := c.client.Create(folder, nil).Wait(); cerr != nil {
			return fmt.Errorf("mailsync: unable to create folder %q on %s: %w", folder, c.addr, cerr)
		}
		err = op()
	}
	if err != nil {
		return fmt.Errorf("mailsync: unable to move messages to %q on %s: %w", folder, c.addr, err)
	}
	return nil
}

// Logout ends the session politely and closes the connection.
func (c *Conn) Logout() error {
	err := c.client.Logout().Wait()
	if cerr := c.client.Close(); err == nil && cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mailsync: logout from %s: %w", c.addr, err)
	}
	return nil
}

// Close closes the connection without logging out (after an error).
func (c *Conn) Close() error {
	return c.client.Close()
}
