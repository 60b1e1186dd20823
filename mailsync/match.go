package mailsync

import (
	"regexp"
	"strings"

	"github.com/foitrack/foitrack/store"
)

// Match says which request a message is about and why.
type Match struct {
	RequestID int64
	// Rule is the rule that matched (store.MatchReplyAddress, …).
	Rule string
	// Evidence is what the rule found: the reply address, the Message-ID
	// replied to, the reference, the sender's domain.
	Evidence string
}

// replyAddressHeaders are where a message's delivery address may show up:
// the visible recipients, and the headers MTAs add with the envelope
// recipient (the only trace of it when the authority used Bcc).
var replyAddressHeaders = []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Delivered-To"}

// maxRefSearchBytes bounds how much of a body is searched for references:
// references sit in the subject and at the top of a letter, and a huge body
// must not cost a scan per request.
const maxRefSearchBytes = 64 << 10

// MatchReply finds the request msg replies to, trying the rules in order of
// strength, and reports false when none matches (the message goes to the
// holding pen):
//
//  1. the per-request reply address, foi+<reply token>@…, in To, Cc or the
//     delivery headers (Delivered-To, X-Original-To…);
//  2. In-Reply-To/References naming a Message-ID of our outgoing mail (or of
//     an earlier reply already filed on a request);
//  3. our reference (FT-2026-0001) or the authority's reference in the
//     subject or the body, when it names exactly one request (open ones win
//     over closed ones when several share it);
//  4. the sender's domain, when it belongs to authorities with exactly one
//     open request between them.
func MatchReply(tx *store.Tx, msg *ParsedMessage) (Match, bool, error) {
	// 1. Reply address.
	for _, addr := range deliveryAddresses(msg.Header) {
		token := replyToken(addr)
		if token == "" {
			continue
		}
		r, found, err := tx.RequestByReplyToken(token)
		if err != nil {
			return Match{}, false, err
		}
		if found {
			return Match{RequestID: r.ID, Rule: store.MatchReplyAddress, Evidence: addr}, true, nil
		}
	}
	// 2. The thread.
	ids := append(append([]string(nil), msg.InReplyTo...), msg.References...)
	if id, found, err := tx.RequestForMessageIDs(ids); err != nil {
		return Match{}, false, err
	} else if found {
		return Match{RequestID: id, Rule: store.MatchInReplyTo, Evidence: strings.Join(ids, " ")}, true, nil
	}
	// 3. References.
	refs, err := tx.RequestRefs()
	if err != nil {
		return Match{}, false, err
	}
	if m, ok := matchReference(refs, msg.Subject, msg.TextBody); ok {
		return m, true, nil
	}
	// 4. Sender domain.
	for _, domain := range senderDomains(msg.From.Address) {
		ids, err := tx.OpenRequestsForDomain(domain)
		if err != nil {
			return Match{}, false, err
		}
		if len(ids) == 1 {
			return Match{RequestID: ids[0], Rule: store.MatchSenderDomain, Evidence: domain}, true, nil
		}
		if len(ids) > 1 {
			break // the authority is known but the request is ambiguous: an editor decides
		}
	}
	return Match{}, false, nil
}

var addrRe = regexp.MustCompile(`[^\s<>"(),;:\[\]]+@[^\s<>"(),;:\[\]]+`)

// deliveryAddresses lists the addresses in the recipient and delivery
// headers, lower-cased, without duplicates, in header order.
func deliveryAddresses(h Header) []string {
	var out []string
	seen := map[string]bool{}
	for _, key := range replyAddressHeaders {
		for _, v := range h.Values(key) {
			for _, a := range addrRe.FindAllString(v, -1) {
				a = strings.ToLower(strings.Trim(a, ".'`"))
				if !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// replyToken returns the token of a plus-address (local+token@domain), or "".
func replyToken(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	local := addr[:at]
	plus := strings.IndexByte(local, '+')
	if plus < 0 || plus == len(local)-1 {
		return ""
	}
	return local[plus+1:]
}

// senderDomains is the sender's domain and its parents down to two labels
// (foi.council.gov.uk, council.gov.uk, gov.uk is too broad to stop at but
// harmless: no authority lists it).
func senderDomains(addr string) []string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return nil
	}
	d := strings.ToLower(strings.TrimRight(addr[at+1:], ". >"))
	var out []string
	for strings.Count(d, ".") >= 1 {
		out = append(out, d)
		d = d[strings.IndexByte(d, '.')+1:]
	}
	return out
}

// matchReference finds the requests whose references appear in subject or
// body; it matches when that is one request (or one open request).
func matchReference(refs []store.RequestRef, subject, body string) (Match, bool) {
	if len(body) > maxRefSearchBytes {
		body = body[:maxRefSearchBytes]
	}
	text := strings.ToLower(subject + "\n" + body)
	type hit struct {
		ref  store.RequestRef
		text string
	}
	var hits []hit
	for _, r := range refs {
		for _, ref := range []string{r.OurRef, r.TheirRef} {
			if usableRef(ref) && containsRef(text, strings.ToLower(ref)) {
				hits = append(hits, hit{r, ref})
				break
			}
		}
	}
	if len(hits) > 1 {
		var open []hit
		for _, h := range hits {
			if h.ref.Open {
				open = append(open, h)
			}
		}
		hits = open
	}
	if len(hits) != 1 {
		return Match{}, false
	}
	return Match{RequestID: hits[0].ref.ID, Rule: store.MatchReference, Evidence: hits[0].text}, true
}

// usableRef says whether a reference is distinctive enough to search for:
// at least 4 characters with a digit in them ("FOI" alone would match every
// reply).
func usableRef(ref string) bool {
	return len(ref) >= 4 && strings.ContainsAny(ref, "0123456789")
}

// containsRef finds ref in text as a whole token: not glued to letters or
// digits on either side, so FOI/2026/12 is not found in FOI/2026/123.
func containsRef(text, ref string) bool {
	for start := 0; ; {
		i := strings.Index(text[start:], ref)
		if i < 0 {
			return false
		}
		i += start
		end := i + len(ref)
		if (i == 0 || !isRefChar(text[i-1])) && (end == len(text) || !isRefChar(text[end])) {
			return true
		}
		start = i + 1
	}
}

func isRefChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// theirRefRe finds an authority quoting its own reference: "Our ref:
// FOI/2026/1234", "Ref: FOI/2021/0147", "[REF: 8834]", "Reference: 12345",
// "Request reference number - IR-55", "Case number: 2026-0412", "FOI ref
// 2026-0302", "FOIPA Request No.: 1601234-000". A bare "Ref" needs a colon
// or "#" after it. Preceded by "Your" or "My" it is our reference quoted
// back, and skipped.
var theirRefRe = regexp.MustCompile(`(?i)\b(our\s+ref(?:erence)?|(?:foi\s+|foipa\s+|request\s+|case\s+|file\s+)?reference|(?:foi|foipa|request|case|file)\s+ref\.?|ref(?:erence)?\s+(?:no\.?|number)|(?:case|foi|foipa|request|file)\s+(?:no\.?|number)|ref\.?\s*[:#])(?:\s+(?:no\.?|number))?\s*[:#.\-–]?\s*([A-Za-z0-9][A-Za-z0-9/_.\-]{1,40})`)

// assignedRefRe finds an authority giving the requester its reference:
// "Your reference number is FOI/2021/0147", "your request has been given the
// reference FOI-1234", "logged under reference 5521", "please quote
// reference IR-55". Here "your" is theirs.
var assignedRefRe = regexp.MustCompile(`(?i)\b(?:(?:your|the)\s+(?:request\s+|case\s+|foi\s+)?(?:reference|ref)(?:\s+(?:no\.?|number))?(?:\s+for\s+(?:this|your)\s+(?:request|case))?\s+(?:is|will\s+be)|(?:given|allocated|assigned|logged\s+(?:under|with)|registered\s+(?:under|with)|quote)\s+(?:the\s+|a\s+)?(?:reference|ref)(?:\s+(?:no\.?|number))?)\s*[:\-–]?\s*([A-Za-z0-9][A-Za-z0-9/_.\-]{1,40})`)

// LearnTheirRef reads the authority's reference for a request from the text
// of its reply (quoted lines, our own references and "Your ref" are
// skipped). It returns "" when there is none.
func LearnTheirRef(subject, body string, ours []string) string {
	if len(body) > maxRefSearchBytes {
		body = body[:maxRefSearchBytes]
	}
	for _, line := range strings.Split(subject+"\n"+body, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ">") {
			continue
		}
		type found struct {
			at  int
			ref string
		}
		var first *found
		consider := func(at int, ref string) {
			ref = strings.TrimRight(ref, ".-/_")
			if !usableRef(ref) || isOurs(ref, ours) || first != nil && first.at <= at {
				return
			}
			first = &found{at, ref}
		}
		for _, m := range assignedRefRe.FindAllStringSubmatchIndex(line, -1) {
			consider(m[0], line[m[2]:m[3]])
		}
		for _, m := range theirRefRe.FindAllStringSubmatchIndex(line, -1) {
			before := strings.ToLower(strings.TrimSpace(line[:m[0]]))
			if strings.HasSuffix(before, "your") || strings.HasSuffix(before, "my") {
				continue
			}
			consider(m[0], line[m[4]:m[5]])
		}
		if first != nil {
			return first.ref
		}
	}
	return ""
}

func isOurs(ref string, ours []string) bool {
	for _, o := range ours {
		if o != "" && strings.EqualFold(o, ref) {
			return true
		}
	}
	return false
}
