package mailsync

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// KeyResolver sits between DKIM verification and DNS. It remembers each key
// (and each permanent "no such key") for a while, since an authority's
// replies are all signed with the same key, and it stops asking a DNS that
// keeps timing out: without that, a sync on a machine whose resolver drops
// packets would wait the full timeout for every signed message. A key not
// fetched is a DKIM temperror, recorded with the message like any other.
type KeyResolver struct {
	Base TXTResolver
	// TTL is how long an answer is kept (default 1 hour).
	TTL time.Duration
	// TripAfter consecutive temporary failures stop lookups for Cooldown
	// (defaults 3 and 5 minutes).
	TripAfter int
	Cooldown  time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu       sync.Mutex
	answers  map[string]keyAnswer
	inflight map[string]*keyLookup
	failures int
	openTill time.Time
}

// keyLookup is a lookup under way: the sync verifies several messages at
// once, and a batch of replies from one authority all wait for the same
// key, asked of DNS once.
type keyLookup struct {
	done chan struct{}
	txts []string
	err  error
}

type keyAnswer struct {
	txts    []string
	err     error // a permanent error (no such name, no TXT record)
	expires time.Time
}

// errDNSUnavailable says why a lookup was not even tried.
var errDNSUnavailable = errors.New("DNS is not answering: key lookups paused after repeated timeouts")

func (k *KeyResolver) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// LookupTXT answers from the cache, or asks Base unless lookups are paused.
func (k *KeyResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	key := normalizeDNSName(name)
	now := k.now()
	k.mu.Lock()
	if a, ok := k.answers[key]; ok && now.Before(a.expires) {
		k.mu.Unlock()
		return a.txts, a.err
	}
	if now.Before(k.openTill) {
		k.mu.Unlock()
		// Temporary, so that go-msgauth reports a temperror.
		return nil, &net.DNSError{Err: errDNSUnavailable.Error(), Name: name, IsTemporary: true}
	}
	if l, ok := k.inflight[key]; ok {
		k.mu.Unlock()
		select {
		case <-l.done:
			return l.txts, l.err
		case <-ctx.Done():
			return nil, &net.DNSError{Err: ctx.Err().Error(), Name: name, IsTemporary: true}
		}
	}
	if k.inflight == nil {
		k.inflight = map[string]*keyLookup{}
	}
	l := &keyLookup{done: make(chan struct{})}
	k.inflight[key] = l
	k.mu.Unlock()

	base := k.Base
	if base == nil {
		base = net.DefaultResolver
	}
	txts, err := base.LookupTXT(ctx, key)

	k.mu.Lock()
	defer k.mu.Unlock()
	l.txts, l.err = txts, err
	delete(k.inflight, key)
	close(l.done)
	if k.answers == nil {
		k.answers = map[string]keyAnswer{}
	}
	if err != nil && isTemporaryDNS(err) {
		k.failures++
		trip := k.TripAfter
		if trip <= 0 {
			trip = 3
		}
		if k.failures >= trip {
			cool := k.Cooldown
			if cool <= 0 {
				cool = 5 * time.Minute
			}
			k.openTill, k.failures = now.Add(cool), 0
		}
		return txts, err
	}
	k.failures = 0
	ttl := k.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	k.answers[key] = keyAnswer{txts: txts, err: err, expires: now.Add(ttl)}
	return txts, err
}

// isTemporaryDNS tells a failure worth retrying later (a timeout, a server
// failure, a cancelled context) from a permanent answer.
func isTemporaryDNS(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary || dnsErr.IsTimeout || !dnsErr.IsNotFound
	}
	return true
}

// defaultKeyResolver serves every Ingester without a resolver of its own,
// so the cache and the pause outlast one sync pass.
var defaultKeyResolver = &KeyResolver{}
