package tracker

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Censor rules, like WhatDoTheyKnow's: text replacements applied to
// everything foitrack shows or gives to the public (the public request page,
// public evidence bundles, timeline exports), never to what the team sees.
// A rule is global, or belongs to one authority or one request.

// Censor rule scopes.
const (
	CensorGlobal    = "global"
	CensorAuthority = "authority"
	CensorRequest   = "request"
)

// DefaultCensorReplacement replaces a match when a rule gives none.
const DefaultCensorReplacement = "[REDACTED]"

// Limits on a rule: a pattern is for a name, an address, a number, not a
// document.
const (
	MaxCensorPattern     = 500
	MaxCensorReplacement = 100
)

// CensorRule replaces Pattern (literal text, matched without regard to
// case, or a Go regular expression when Regexp) by Replacement.
type CensorRule struct {
	ID          int64  `json:"id"`
	Scope       string `json:"scope"`    // global, authority or request
	ScopeID     int64  `json:"scope_id"` // the authority or request; 0 when global
	Pattern     string `json:"pattern"`
	Regexp      bool   `json:"regexp"`
	Replacement string `json:"replacement"`
	Note        string `json:"note"` // why (private)
}

// Validate checks a rule before it is stored and fills the default
// replacement.
func (r *CensorRule) Validate() error {
	var v ValidationError
	switch r.Scope {
	case CensorGlobal:
		r.ScopeID = 0
	case CensorAuthority, CensorRequest:
		if r.ScopeID <= 0 {
			v.Add("scope_id", "the "+r.Scope+" the rule belongs to is missing")
		}
	default:
		v.Add("scope", "a rule is global, or for an authority or a request")
	}
	if strings.TrimSpace(r.Pattern) == "" {
		v.Add("pattern", "the text (or pattern) to replace is missing")
	} else if len(r.Pattern) > MaxCensorPattern {
		v.Add("pattern", fmt.Sprintf("at most %d characters", MaxCensorPattern))
	} else if r.Regexp {
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			v.Add("pattern", "not a regular expression: "+err.Error())
		} else if re.MatchString("") {
			v.Add("pattern", "it matches empty text, so it would match everywhere")
		}
	}
	if r.Replacement == "" {
		r.Replacement = DefaultCensorReplacement
	}
	if len(r.Replacement) > MaxCensorReplacement {
		v.Add("replacement", fmt.Sprintf("at most %d characters", MaxCensorReplacement))
	}
	return v.Err()
}

// Censor is a set of rules ready to apply.
type Censor struct {
	res      []*regexp.Regexp
	with     []string
	literals []string // the literal rules' texts, lower case, for Hides
}

// NewCensor compiles rules (global first, then authority, then request; a
// rule that does not compile is skipped: Validate refused it when it was
// stored). Literal rules match case-insensitively, and a literal's runs of
// space match any run of space, so "1 High Street" matches across a line
// break.
func NewCensor(rules []CensorRule) *Censor {
	sorted := append([]CensorRule(nil), rules...)
	rank := map[string]int{CensorGlobal: 0, CensorAuthority: 1, CensorRequest: 2}
	sort.SliceStable(sorted, func(i, j int) bool { return rank[sorted[i].Scope] < rank[sorted[j].Scope] })
	c := &Censor{}
	for _, r := range sorted {
		pat := r.Pattern
		if !r.Regexp {
			words := strings.Fields(pat)
			for i, w := range words {
				words[i] = regexp.QuoteMeta(w)
			}
			if len(words) == 0 {
				continue
			}
			c.literals = append(c.literals, strings.ToLower(strings.Join(strings.Fields(r.Pattern), " ")))
			pat = `(?i)` + strings.Join(words, `\s+`)
		}
		re, err := regexp.Compile(pat)
		if err != nil || re.MatchString("") {
			continue
		}
		with := r.Replacement
		if with == "" {
			with = DefaultCensorReplacement
		}
		c.res = append(c.res, re)
		c.with = append(c.with, with)
	}
	return c
}

// Apply replaces every match of every rule, in order.
func (c *Censor) Apply(s string) string {
	if c == nil {
		return s
	}
	for i, re := range c.res {
		s = re.ReplaceAllLiteralString(s, c.with[i])
	}
	return s
}

// Changes says whether Apply would change s.
func (c *Censor) Changes(s string) bool {
	if c == nil {
		return false
	}
	for _, re := range c.res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// Hides says whether a search word would find text a rule hides: the word
// is part of a literal rule's text, or a pattern rule matches inside it.
// A public search that finds something by such a word must not show it
// (that alone would say the hidden text is there).
func (c *Censor) Hides(word string) bool {
	if c == nil {
		return false
	}
	w := strings.ToLower(strings.TrimSpace(word))
	if len([]rune(w)) < 2 {
		return false
	}
	for _, l := range c.literals {
		if strings.Contains(l, w) {
			return true
		}
	}
	for _, re := range c.res {
		if re.MatchString(w) {
			return true
		}
	}
	return false
}

// Empty says whether there is no rule.
func (c *Censor) Empty() bool { return c == nil || len(c.res) == 0 }
