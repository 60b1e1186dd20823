package mailsync

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingResolver answers from a table and counts the questions; names not
// in it time out, or are not found when notFound says so.
type countingResolver struct {
	keys     map[string]string
	notFound bool
	asked    int
}

func (r *countingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.asked++
	if txt, ok := r.keys[name]; ok {
		return []string{txt}, nil
	}
	if r.notFound {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return nil, &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true, IsTemporary: true}
}

func TestKeyResolverCachesKeysAndPermanentAnswers(t *testing.T) {
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	base := &countingResolver{keys: map[string]string{"foi2026._domainkey.met.example.gov.uk": "v=DKIM1; p=KEY"}, notFound: true}
	k := &KeyResolver{Base: base, Now: func() time.Time { return now }}
	ctx := context.Background()
	for range 3 {
		txts, err := k.LookupTXT(ctx, "FOI2026._domainkey.met.example.gov.uk.")
		if err != nil || len(txts) != 1 || txts[0] != "v=DKIM1; p=KEY" {
			t.Fatalf("lookup = %v, %v", txts, err)
		}
		if _, err := k.LookupTXT(ctx, "gone._domainkey.example.org"); err == nil {
			t.Fatal("a missing key was found")
		}
	}
	if base.asked != 2 {
		t.Errorf("DNS asked %d times for 2 names, want 2", base.asked)
	}
	now = now.Add(2 * time.Hour) // past the TTL: asked again
	k.LookupTXT(ctx, "foi2026._domainkey.met.example.gov.uk")
	if base.asked != 3 {
		t.Errorf("after the TTL, DNS asked %d times, want 3", base.asked)
	}
}

func TestKeyResolverPausesAfterRepeatedTimeouts(t *testing.T) {
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	base := &countingResolver{keys: map[string]string{"s._domainkey.ok.example": "v=DKIM1; p=KEY"}}
	k := &KeyResolver{Base: base, Now: func() time.Time { return now }, TripAfter: 3, Cooldown: 5 * time.Minute}
	ctx := context.Background()
	for i := range 10 {
		_, err := k.LookupTXT(ctx, "x._domainkey.slow.example")
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) || !dnsErr.Temporary() {
			t.Fatalf("lookup %d: %v, want a temporary DNS error", i, err)
		}
	}
	if base.asked != 3 {
		t.Errorf("DNS asked %d times, want 3 (then paused)", base.asked)
	}
	// Paused for every name, even one that would answer…
	if _, err := k.LookupTXT(ctx, "s._domainkey.ok.example"); err == nil || base.asked != 3 {
		t.Errorf("during the pause: err %v, DNS asked %d times", err, base.asked)
	}
	// …until the cool-down is over.
	now = now.Add(6 * time.Minute)
	if txts, err := k.LookupTXT(ctx, "s._domainkey.ok.example"); err != nil || len(txts) != 1 || base.asked != 4 {
		t.Errorf("after the pause: %v %v, DNS asked %d times", txts, err, base.asked)
	}
}

// A signed message checked while DNS is paused is a temperror that says why,
// and nothing waits for a timeout.
func TestVerifyDKIMWhileDNSIsPaused(t *testing.T) {
	k := &KeyResolver{Base: &countingResolver{}, TripAfter: 1}
	k.LookupTXT(context.Background(), "trip._domainkey.example.org")
	raw := []byte("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; c=relaxed/relaxed; h=from; bh=AAAA; b=AAAA\r\n" +
		"From: foi@example.org\r\n\r\nbody\r\n")
	res := VerifyDKIM(context.Background(), raw, k)
	if len(res) != 1 || res[0].Status != DKIMTempError || res[0].Domain != "example.org" || !strings.Contains(res[0].Error, "paused") {
		t.Fatalf("results %+v, want one temperror for example.org", res)
	}
}

// blockingResolver holds its first question until release is closed and
// counts every question.
type blockingResolver struct {
	asked   atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func (r *blockingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if r.asked.Add(1) == 1 {
		close(r.entered)
		<-r.release
	}
	return []string{"v=DKIM1; p=KEY"}, nil
}

// The sync verifies several messages at once: those that need a key already
// being fetched wait for that answer instead of asking DNS again.
func TestKeyResolverAsksOnceForConcurrentLookups(t *testing.T) {
	base := &blockingResolver{entered: make(chan struct{}), release: make(chan struct{})}
	var arrived atomic.Int32
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	// Now is called as each lookup begins: it tells the test who arrived.
	k := &KeyResolver{Base: base, Now: func() time.Time { arrived.Add(1); return now }}
	const n = 8
	var wg sync.WaitGroup
	answers := make([][]string, n)
	errs := make([]error, n)
	lookup := func(i int) {
		defer wg.Done()
		answers[i], errs[i] = k.LookupTXT(context.Background(), "sel._domainkey.council.example.gov.uk")
	}
	wg.Add(1)
	go lookup(0)
	<-base.entered // the first lookup is asking DNS
	for i := 1; i < n; i++ {
		wg.Add(1)
		go lookup(i)
	}
	for arrived.Load() < n { // every other lookup has begun
		runtime.Gosched()
	}
	close(base.release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || len(answers[i]) != 1 || answers[i][0] != "v=DKIM1; p=KEY" {
			t.Fatalf("lookup %d = %v, %v", i, answers[i], errs[i])
		}
	}
	if got := base.asked.Load(); got != 1 {
		t.Fatalf("DNS asked %d times for one key, want once", got)
	}
}
