package mailsync

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// fakeDNS serves TXT records from a map, like a zone the test controls.
type fakeDNS struct {
	mu      sync.Mutex
	records map[string][]string
	err     error // returned for every lookup when set
	lookups []string
}

func (d *fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lookups = append(d.lookups, name)
	if d.err != nil {
		return nil, d.err
	}
	txts, ok := d.records[name]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return txts, nil
}

func (d *fakeDNS) set(name string, txts ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records[name] = txts
}

const dkimTestMessage = "From: FOI Team <foi@council.example.gov.uk>\r\n" +
	"To: foi+k7d2q9@foitrack.example.org\r\n" +
	"Subject: Your request FOI/2026/1234\r\n" +
	"Date: Tue, 3 Mar 2026 10:14:58 +0000\r\n" +
	"Message-ID: <signed-1@council.example.gov.uk>\r\n" +
	"\r\n" +
	"We refuse the request under section 31(1)(a).\r\n"

type dkimKey struct {
	name   string
	signer crypto.Signer
	txt    string // the DNS TXT record publishing its public key
}

func newDKIMKeys(t *testing.T) []dkimKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return []dkimKey{
		{"ed25519", priv, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		{"rsa", rsaKey, "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)},
	}
}

func dkimSign(t *testing.T, msg []byte, domain, selector string, signer crypto.Signer) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain:                 domain,
		Selector:               selector,
		Signer:                 signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestVerifyDKIM(t *testing.T) {
	for _, key := range newDKIMKeys(t) {
		t.Run(key.name, func(t *testing.T) {
			signed := dkimSign(t, []byte(dkimTestMessage), "council.example.gov.uk", "foi2026", key.signer)
			dns := &fakeDNS{records: map[string][]string{}}
			dns.set("foi2026._domainkey.council.example.gov.uk", key.txt)

			res := VerifyDKIM(t.Context(), signed, dns)
			want := DKIMResult{
				Domain: "council.example.gov.uk", Selector: "foi2026", Identifier: "@council.example.gov.uk",
				Status: DKIMPass, KeyName: "foi2026._domainkey.council.example.gov.uk", KeyRecord: key.txt,
			}
			if len(res) != 1 || res[0] != want {
				t.Fatalf("VerifyDKIM = %+v, want %+v", res, want)
			}

			for _, tamper := range []struct{ what, from, to string }{
				{"body", "section 31(1)(a)", "section 31(1)(b)"},
				{"signed header", "FOI/2026/1234", "FOI/2026/1235"},
			} {
				changed := bytes.Replace(signed, []byte(tamper.from), []byte(tamper.to), 1)
				if bytes.Equal(changed, signed) {
					t.Fatalf("%s: nothing replaced", tamper.what)
				}
				res := VerifyDKIM(t.Context(), changed, dns)
				if len(res) != 1 || res[0].Status != DKIMFail || res[0].Error == "" || res[0].KeyRecord != key.txt {
					t.Errorf("%s changed: %+v, want fail checked against the key", tamper.what, res)
				}
			}

			// The domain rotates its key: live verification fails, the
			// recorded key still proves what the message was when it came.
			dns.set("foi2026._domainkey.council.example.gov.uk", newDKIMKeys(t)[0].txt)
			if res := VerifyDKIM(t.Context(), signed, dns); res[0].Status == DKIMPass {
				t.Errorf("verified against a rotated key: %+v", res)
			}
			keys := map[string]string{want.KeyName: want.KeyRecord}
			if res := VerifyDKIMWithKeys(signed, keys); len(res) != 1 || res[0] != want {
				t.Errorf("offline re-verification = %+v, want %+v", res, want)
			}
			if res := VerifyDKIMWithKeys(bytes.Replace(signed, []byte("refuse"), []byte("release"), 1), keys); res[0].Status != DKIMFail {
				t.Errorf("offline re-verification of a changed message = %+v, want fail", res)
			}
			if res := VerifyDKIMWithKeys(signed, map[string]string{"FOI2026._DOMAINKEY.Council.Example.Gov.UK.": want.KeyRecord}); res[0].Status != DKIMPass {
				t.Errorf("key names are DNS names, case-insensitive: %+v", res)
			}
			if res := VerifyDKIMWithKeys(signed, nil); res[0].Status != DKIMPermError || !strings.Contains(res[0].Error, "no recorded key") {
				t.Errorf("no recorded key: %+v, want permerror", res)
			}
		})
	}
}

func TestVerifyDKIMStatuses(t *testing.T) {
	key := newDKIMKeys(t)[0]
	signed := dkimSign(t, []byte(dkimTestMessage), "council.example.gov.uk", "s1", key.signer)

	if res := VerifyDKIM(t.Context(), []byte(dkimTestMessage), &fakeDNS{}); len(res) != 1 || res[0] != (DKIMResult{Status: DKIMNone}) {
		t.Errorf("unsigned message: %+v, want one none", res)
	}

	tempDNS := &fakeDNS{err: &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true, IsTemporary: true}}
	if res := VerifyDKIM(t.Context(), signed, tempDNS); res[0].Status != DKIMTempError || res[0].Selector != "s1" || res[0].KeyRecord != "" {
		t.Errorf("DNS timeout: %+v, want temperror", res)
	}

	missing := &fakeDNS{records: map[string][]string{}}
	if res := VerifyDKIM(t.Context(), signed, missing); res[0].Status != DKIMPermError || res[0].Domain != "council.example.gov.uk" {
		t.Errorf("no key in DNS: %+v, want permerror", res)
	}
	if len(missing.lookups) != 1 || missing.lookups[0] != "s1._domainkey.council.example.gov.uk" {
		t.Errorf("looked up %q", missing.lookups)
	}

	revoked := &fakeDNS{records: map[string][]string{"s1._domainkey.council.example.gov.uk": {"v=DKIM1; k=ed25519; p="}}}
	if res := VerifyDKIM(t.Context(), signed, revoked); res[0].Status != DKIMPermError || !strings.Contains(res[0].Error, "revoked") {
		t.Errorf("revoked key: %+v, want permerror", res)
	}

	garbled := append([]byte("DKIM-Signature: v=1; d=example.org; s=x; nonsense\r\n"), dkimTestMessage...)
	if res := VerifyDKIM(t.Context(), garbled, &fakeDNS{}); len(res) != 1 || res[0].Status != DKIMPermError || res[0].Domain != "example.org" {
		t.Errorf("malformed signature: %+v, want permerror", res)
	}
}

func TestVerifyDKIMTwoSignatures(t *testing.T) {
	keys := newDKIMKeys(t)
	// The authority signs, then its outsourced mail filter signs again.
	signed := dkimSign(t, []byte(dkimTestMessage), "council.example.gov.uk", "inner", keys[0].signer)
	signed = dkimSign(t, signed, "filter.example.net", "outer", keys[1].signer)

	dns := &fakeDNS{records: map[string][]string{
		"inner._domainkey.council.example.gov.uk": {keys[0].txt},
		"outer._domainkey.filter.example.net":     {keys[1].txt},
	}}
	res := VerifyDKIM(t.Context(), signed, dns)
	if len(res) != 2 {
		t.Fatalf("got %d results, want 2: %+v", len(res), res)
	}
	// Header order: the last signature added is on top.
	if res[0].Selector != "outer" || res[0].Domain != "filter.example.net" || res[0].KeyRecord != keys[1].txt || res[0].Status != DKIMPass {
		t.Errorf("first result = %+v", res[0])
	}
	if res[1].Selector != "inner" || res[1].Domain != "council.example.gov.uk" || res[1].KeyRecord != keys[0].txt || res[1].Status != DKIMPass {
		t.Errorf("second result = %+v", res[1])
	}
}
