package mailsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-msgauth/dkim"
)

// TXTResolver looks up DNS TXT records. *net.Resolver implements it; tests
// serve their own keys.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// DKIM result statuses, named as in RFC 8601 Authentication-Results.
const (
	DKIMPass      = "pass"      // the signature verified
	DKIMFail      = "fail"      // the message or its header was changed after signing
	DKIMTempError = "temperror" // the key could not be fetched now; retrying may succeed
	DKIMPermError = "permerror" // the signature or key is unusable (malformed, revoked, missing)
	DKIMNone      = "none"      // the message has no DKIM signature
	// DKIMNotChecked: verification is turned off (Config.DKIM): the
	// signature is neither good nor bad, it was not looked at.
	DKIMNotChecked = "not_checked"
)

// notCheckedDKIM is what a message's signatures are recorded as when DKIM
// verification is turned off: each "not checked", with its domain and
// selector, without any lookup.
func notCheckedDKIM(raw []byte) []DKIMResult {
	sigs := dkimSignatureTags(raw)
	if len(sigs) == 0 {
		return []DKIMResult{{Status: DKIMNone}}
	}
	out := make([]DKIMResult, 0, len(sigs))
	for _, s := range sigs {
		out = append(out, DKIMResult{Domain: s.domain, Selector: s.selector, KeyName: dkimKeyName(s.selector, s.domain),
			Status: DKIMNotChecked, Error: "not checked: DKIM verification is turned off (FOITRACK_DKIM=off or the mail settings)"})
	}
	return out
}

// DKIMResult is the verification of one DKIM-Signature header field.
type DKIMResult struct {
	Domain     string // the signing domain (d=)
	Selector   string // the key selector (s=)
	Identifier string // the agent or user identifier (i=), "@"+Domain by default
	Status     string // DKIMPass, DKIMFail, DKIMTempError, DKIMPermError or DKIMNone
	Error      string // why the status is not pass; "" for pass and none
	// KeyName is the DNS name of the key: "<selector>._domainkey.<domain>".
	KeyName string
	// KeyRecord is the TXT record the signature was checked against, as
	// served; "" when none was obtained. Kept with the message, it lets
	// VerifyDKIMWithKeys re-verify offline, after the domain has rotated or
	// withdrawn its key.
	KeyRecord string
}

const (
	maxDKIMSignatures = 5 // a message with more is verified on its first 5 only
	dkimLookupTimeout = 15 * time.Second
)

// VerifyDKIM verifies every DKIM signature of raw, fetching keys through
// resolver (DNS through a shared KeyResolver when nil). It returns one result per
// signature, in header order, or a single DKIMNone result when the message
// is not signed. It never fails as a whole: problems are results.
func VerifyDKIM(ctx context.Context, raw []byte, resolver TXTResolver) []DKIMResult {
	if resolver == nil {
		resolver = defaultKeyResolver
	}
	ctx, cancel := context.WithTimeout(ctx, dkimLookupTimeout)
	defer cancel()
	return verifyDKIM(raw, func(name string) ([]string, error) {
		// The error is passed on as it is: go-msgauth tells a temporary
		// failure from a permanent one by asserting net.Error on it.
		return resolver.LookupTXT(ctx, name)
	})
}

// VerifyDKIMWithKeys re-verifies raw offline against keys recorded earlier
// (DKIMResult.KeyName -> DKIMResult.KeyRecord). A signature whose key is not
// in keys is a DKIMPermError.
func VerifyDKIMWithKeys(raw []byte, keys map[string]string) []DKIMResult {
	byName := make(map[string]string, len(keys))
	for name, txt := range keys {
		byName[normalizeDNSName(name)] = txt
	}
	return verifyDKIM(raw, func(name string) ([]string, error) {
		txt, ok := byName[normalizeDNSName(name)]
		if !ok {
			return nil, fmt.Errorf("no recorded key for %s", name)
		}
		return []string{txt}, nil
	})
}

func normalizeDNSName(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// dkimKeyName is where a DKIM public key is published.
func dkimKeyName(selector, domain string) string {
	return selector + "._domainkey." + domain
}

// keyRecorder wraps a TXT lookup and remembers the records it returned, so
// each result can carry the key it was checked against. go-msgauth verifies
// several signatures concurrently, hence the lock.
type keyRecorder struct {
	lookup func(name string) ([]string, error)
	mu     sync.Mutex
	seen   map[string][]string
}

func (k *keyRecorder) LookupTXT(name string) ([]string, error) {
	txts, err := k.lookup(name)
	if err == nil {
		k.mu.Lock()
		k.seen[normalizeDNSName(name)] = txts
		k.mu.Unlock()
	}
	return txts, err
}

func verifyDKIM(raw []byte, lookup func(name string) ([]string, error)) []DKIMResult {
	sigs := dkimSignatureTags(raw)
	if len(sigs) == 0 {
		return []DKIMResult{{Status: DKIMNone}}
	}
	if !hasHeaderEnd(raw) {
		// A message that is all header has an empty body; go-msgauth
		// wants the blank line that says so.
		raw = append(bytes.Clone(raw), "\r\n\r\n"...)
	}
	rec := &keyRecorder{lookup: lookup, seen: map[string][]string{}}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT:        rec.LookupTXT,
		MaxVerifications: maxDKIMSignatures,
	})
	tooMany := errors.Is(err, dkim.ErrTooManySignatures)
	if err != nil && !tooMany {
		// The header could not be read, or a verification failed in an
		// unexpected way; go-msgauth then clears that verification's
		// error, so no result of this run can be trusted as a pass.
		out := make([]DKIMResult, 0, len(sigs))
		for _, s := range sigs {
			out = append(out, DKIMResult{Domain: s.domain, Selector: s.selector, KeyName: dkimKeyName(s.selector, s.domain),
				Status: DKIMTempError, Error: "dkim: unable to verify: " + err.Error()})
		}
		return out
	}

	out := make([]DKIMResult, 0, len(sigs))
	for i, v := range verifs {
		r := DKIMResult{Domain: v.Domain, Identifier: v.Identifier}
		if i < len(sigs) {
			r.Selector = sigs[i].selector
			if r.Domain == "" {
				r.Domain = sigs[i].domain
			}
		}
		if r.Domain != "" && r.Selector != "" {
			r.KeyName = dkimKeyName(r.Selector, r.Domain)
			if txts := rec.seen[normalizeDNSName(r.KeyName)]; len(txts) == 1 {
				r.KeyRecord = txts[0]
			}
		}
		switch {
		case v.Err == nil:
			r.Status = DKIMPass
		case dkim.IsTempFail(v.Err):
			r.Status = DKIMTempError
		case dkim.IsPermFail(v.Err):
			r.Status = DKIMPermError
		default:
			r.Status = DKIMFail
		}
		if v.Err != nil {
			r.Error = v.Err.Error()
		}
		out = append(out, r)
	}
	if tooMany {
		for _, s := range sigs[min(len(verifs), len(sigs)):] {
			out = append(out, DKIMResult{Domain: s.domain, Selector: s.selector, KeyName: dkimKeyName(s.selector, s.domain),
				Status: DKIMPermError, Error: fmt.Sprintf("not verified: the message has more than %d signatures", maxDKIMSignatures)})
		}
	}
	return out
}

type dkimTags struct{ domain, selector string }

// dkimSignatureTags returns the d= and s= tags of every DKIM-Signature
// field, in header order, reading the header the way go-msgauth does (every
// line that is not a continuation starts a field), so that results and tags
// line up.
func dkimSignatureTags(raw []byte) []dkimTags {
	var fields []string
	for line := range bytes.Lines(raw) {
		l := strings.TrimRight(string(line), "\r\n")
		if l == "" {
			break
		}
		if (l[0] == ' ' || l[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1] += l
			continue
		}
		fields = append(fields, l)
	}
	var sigs []dkimTags
	for _, f := range fields {
		k, v, ok := strings.Cut(f, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "DKIM-Signature") {
			continue
		}
		var t dkimTags
		for _, tag := range strings.Split(v, ";") {
			name, value, _ := strings.Cut(tag, "=")
			value = strings.Join(strings.Fields(value), "")
			switch strings.TrimSpace(name) {
			case "d":
				t.domain = value
			case "s":
				t.selector = value
			}
		}
		sigs = append(sigs, t)
	}
	return sigs
}

func hasHeaderEnd(raw []byte) bool {
	return bytes.HasPrefix(raw, []byte("\n")) || bytes.HasPrefix(raw, []byte("\r\n")) ||
		bytes.Contains(raw, []byte("\n\n")) || bytes.Contains(raw, []byte("\n\r\n"))
}
