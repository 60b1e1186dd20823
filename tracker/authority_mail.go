package tracker

import "strings"

// WritesFrom reports whether mail from addr is the authority's own: the
// sender's domain, or a parent of it, is the domain of the authority's
// address or one of the domains it writes from. A public evidence bundle
// quotes only such mail, so that a message filed on a request by mistake
// (a newsletter, a source writing to us) never leaves with it.
func (a Authority) WritesFrom(addr string) bool {
	d := mailDomain(addr)
	if d == "" {
		return false
	}
	own := map[string]bool{}
	if ad := mailDomain(a.Email); ad != "" {
		own[ad] = true
	}
	for _, x := range a.Domains {
		if x = strings.ToLower(strings.Trim(strings.TrimSpace(x), ".")); x != "" {
			own[x] = true
		}
	}
	for strings.Contains(d, ".") {
		if own[d] {
			return true
		}
		d = d[strings.IndexByte(d, '.')+1:]
	}
	return false
}

func mailDomain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(addr[at+1:]), ".> "))
}
