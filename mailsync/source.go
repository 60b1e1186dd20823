package mailsync

import (
	"context"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
)

// connSource is the Source of a sync pass over imapclient.go's Conn. The
// Conn gives dialling (TLS modes, loopback-only plain), Select, whole-message
// fetches and Move; the sync adds what Conn does not offer: listing the
// messages with their sizes, so that an over-limit message is never
// downloaded, and fetching only a header.
type connSource struct {
	c    *Conn
	stop func() bool
}

// DialSource connects and logs in with cfg (the password read from its
// variable or file). Cancelling ctx closes the connection.
func DialSource(ctx context.Context, cfg Config) (Source, error) {
	password, err := cfg.Password()
	if err != nil {
		return nil, err
	}
	c, err := Dial(cfg.mailboxConfig(password))
	if err != nil {
		return nil, err
	}
	return &connSource{c: c, stop: context.AfterFunc(ctx, func() { c.Close() })}, nil
}

func (s *connSource) Select(ctx context.Context, mailbox string) (uint32, error) {
	uv, _, _, err := s.c.Select(mailbox)
	return uv, err
}

// List fetches UID and RFC822.SIZE of since+1:*.
func (s *connSource) List(ctx context.Context, since uint32) ([]MessageInfo, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(since+1), 0)
	msgs, err := s.c.client.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to list messages after UID %d: %w", since, err)
	}
	out := make([]MessageInfo, 0, len(msgs))
	for _, m := range msgs {
		if uint32(m.UID) > since { // "n:*" always names the last message, even below n
			out = append(out, MessageInfo{UID: uint32(m.UID), Size: m.RFC822Size})
		}
	}
	return out, nil
}

func (s *connSource) FetchRaw(ctx context.Context, uids []uint32, fn func(uid uint32, raw []byte) error) error {
	list := make([]imap.UID, len(uids))
	for i, u := range uids {
		list[i] = imap.UID(u)
	}
	msgs, err := s.c.fetchBatch(list)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := fn(uint32(m.UID), m.raw); err != nil {
			return err
		}
	}
	return nil
}

var headerPeek = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true} // BODY.PEEK[HEADER]

func (s *connSource) FetchHeaders(ctx context.Context, uids []uint32, fn func(uid uint32, header []byte) error) error {
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	bufs, err := s.c.client.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{headerPeek}}).Collect()
	if err != nil {
		return fmt.Errorf("mailsync: unable to fetch headers of UIDs %s: %w", set, err)
	}
	byUID := map[uint32][]byte{}
	for _, b := range bufs {
		if h := b.FindBodySection(headerPeek); b.UID != 0 && h != nil {
			byUID[uint32(b.UID)] = h
		}
	}
	for _, u := range uids { // in the order asked (UID order), whatever order the server answered in
		if h, ok := byUID[u]; ok {
			if err := fn(u, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// MoveUpTo moves every message still in the mailbox with a UID up to uid.
func (s *connSource) MoveUpTo(ctx context.Context, uid uint32, folder string) error {
	all, err := s.c.uidsAfter(0)
	if err != nil {
		return err
	}
	var uids []uint32
	for _, u := range all {
		if uint32(u) <= uid {
			uids = append(uids, uint32(u))
		}
	}
	return s.c.Move(uids, folder)
}

func (s *connSource) Close() error {
	s.stop()
	done := make(chan error, 1)
	go func() { done <- s.c.Logout() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		return s.c.Close()
	}
}
