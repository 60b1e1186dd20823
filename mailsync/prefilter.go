package mailsync

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The classifier reads every sentence of every reply against some fifty
// phrases (cues). Most sentences contain none of them, and Go's regexp
// engine has no literal prefilter for a case-insensitive pattern that
// starts with \b: each cue was run in full on each sentence (28% of a sync's
// time). A prefiltered pattern first checks that the sentence contains one
// of the words any match must contain, a substring search on the sentence
// case-folded once.

// prefiltered is a regular expression with the words one of which every
// match contains.
type prefiltered struct {
	re *regexp.Regexp
	// need holds folded strings (see fold); a text that contains none of
	// them cannot match. nil: no such words could be found, re always runs.
	need []string
}

// prefilter works out the words of re.
func prefilter(re *regexp.Regexp) prefiltered {
	p := prefiltered{re: re}
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return p
	}
	if need, ok := required(tree.Simplify()); ok && len(need) <= maxNeed {
		p.need = need
	}
	return p
}

// maxNeed bounds the alternatives checked: past it the search costs more
// than it saves.
const maxNeed = 24

// match reports whether re matches text; folded is fold(text).
func (p prefiltered) match(text, folded string) bool {
	if p.need != nil && !containsAny(folded, p.need) {
		return false
	}
	return p.re.MatchString(text)
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// required returns strings (folded) one of which every match of re
// contains, or false when there is no such set (a pattern that can match
// without any literal text).
func required(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		return []string{fold(string(re.Rune))}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// Every part must match: any part's words will do; the longest
		// shortest word filters best.
		var best []string
		for _, sub := range re.Sub {
			if need, ok := required(sub); ok && (best == nil || shortest(need) > shortest(best)) {
				best = need
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			need, ok := required(sub)
			if !ok {
				return nil, false
			}
			all = append(all, need...)
		}
		return all, len(all) > 0
	}
	return nil, false
}

func shortest(l []string) int {
	n := -1
	for _, s := range l {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// fold maps each rune to the smallest rune it matches case-insensitively
// (unicode.SimpleFold's orbit, as (?i) does): a text matched by a
// case-insensitive literal contains, folded, the literal folded. ASCII
// letters become upper case ("k", "K" and the Kelvin sign "K" all "K").
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(foldRune(r))
		i += n
	}
	return b.String()
}

func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}
