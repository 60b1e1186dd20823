package tracker

import (
	"fmt"
	"regexp"
	"strings"
)

// Kinds of exemption. The words follow each law's own vocabulary so that
// they match what a refusal letter says.
const (
	// ExemptionAbsolute: no public interest test (FOIA s2(3), FOISA s2(2)).
	ExemptionAbsolute = "absolute"
	// ExemptionQualified: withheld only if the public interest in withholding
	// outweighs the public interest in disclosure (and Australia's
	// conditional exemptions, which work the same way).
	ExemptionQualified = "qualified"
	// ExemptionRefusalGround: the request is refused as a whole (cost,
	// vexatious, repeated, records not found) rather than information exempted.
	ExemptionRefusalGround = "refusal-ground"
	// ExemptionException: an EIR exception (all subject to the public interest).
	ExemptionException = "exception"
	// ExemptionGeneric: laws that do not sort exemptions into absolute and
	// qualified in this way (US FOIA, Ireland, Australia's Division 2).
	ExemptionGeneric = "exemption"
)

// Exemption is one entry of the catalogue: a provision a public body can cite
// to withhold information or refuse a request.
type Exemption struct {
	Law LawCode `json:"law"`
	// Code is canonical: "s31(1)(a)", "reg12(4)(b)", "(b)(7)(C)", "s47F".
	Code  string `json:"code"`
	Title string `json:"title"`
	// Kind is one of the Exemption* kinds.
	Kind string `json:"kind"`
	// Parent is the nearest catalogued provision this one belongs to ("s31"
	// for "s31(1)(a)"), or "" for a top-level one.
	Parent      string `json:"parent,omitempty"`
	Description string `json:"description,omitempty"`
}

type exemptionCatalogue struct {
	all   []Exemption
	byLaw map[LawCode][]Exemption
	index map[LawCode]map[string]int // law -> code -> position in all
}

var catalogue = buildCatalogue()

func buildCatalogue() *exemptionCatalogue {
	c := &exemptionCatalogue{byLaw: map[LawCode][]Exemption{}, index: map[LawCode]map[string]int{}}
	for _, l := range exemptionRowsByLaw {
		c.index[l.law] = map[string]int{}
		for _, r := range l.rows {
			c.index[l.law][r.code] = len(c.all)
			c.all = append(c.all, Exemption{Law: l.law, Code: r.code, Title: r.title, Kind: r.kind, Description: r.description})
		}
	}
	for i := range c.all {
		e := &c.all[i]
		for p := parentCode(e.Code); p != ""; p = parentCode(p) {
			if _, ok := c.index[e.Law][p]; ok {
				e.Parent = p
				break
			}
		}
		c.byLaw[e.Law] = append(c.byLaw[e.Law], *e)
	}
	return c
}

// parentCode drops the last "(…)" of a code: "s31(1)(a)" -> "s31(1)" -> "s31" -> "".
func parentCode(code string) string {
	if !strings.HasSuffix(code, ")") {
		return ""
	}
	i := strings.LastIndexByte(code, '(')
	if i <= 0 {
		return ""
	}
	return code[:i]
}

// isAncestorCode reports whether general is a proper ancestor of specific
// ("s31" of "s31(1)(a)", but not "s3" of "s31").
func isAncestorCode(general, specific string) bool {
	return strings.HasPrefix(specific, general+"(")
}

// Exemptions returns the catalogue of one law, in statute order (nil for an unknown law).
func Exemptions(law LawCode) []Exemption {
	return append([]Exemption(nil), catalogue.byLaw[law]...)
}

// AllExemptions returns the whole catalogue, law by law in the order of Laws.
func AllExemptions() []Exemption {
	return append([]Exemption(nil), catalogue.all...)
}

// ExemptionByCode looks up a canonical code (see NormalizeExemptionCode for
// what a person types). A sub-division the catalogue does not list
// ("s23(5)" when only s23 is) is described by the nearest listed provision
// above it: the entry comes back with the code asked for and that provision
// as its Parent, so a page shows "s23(5) Information supplied by … security
// matters" rather than nothing or a shallower code.
func ExemptionByCode(law LawCode, code string) (Exemption, bool) {
	if i, ok := catalogue.index[law][code]; ok {
		return catalogue.all[i], true
	}
	for p := parentCode(code); p != ""; p = parentCode(p) {
		if i, ok := catalogue.index[law][p]; ok {
			e := catalogue.all[i]
			e.Code, e.Parent, e.Description = code, p, ""
			return e, true
		}
	}
	return Exemption{}, false
}

// Catalogued reports whether code is itself an entry of law's catalogue (not
// only a sub-division of one).
func Catalogued(law LawCode, code string) bool {
	_, ok := catalogue.index[law][code]
	return ok
}

// refWords are the words people put before a reference: "FOIA", "5 U.S.C. §
// 552", "exemption", then "section", "s.", "ss", "regulation", "reg."…
// (submatch 1 is the prefix, 2 the keyword). Spaces are removed before
// matching, so "S.31 (1) (a)" arrives here as "s.31(1)(a)".
var refWords = regexp.MustCompile(`^((?:the)?(?:foisa|foia|foiact|eirs?|eisrs?|5u\.?s\.?c\.?|§+|552)*(?:exemptions?|exceptions?)?)` +
	`(sections?|secs?\.?|ss\.?|s\.?|regulations?|regs?\.?|r\.)?`)

// sectionRef is a UK/Irish/Australian style reference once its words are
// gone: a number with an optional letter suffix (22A, 47F) and any number of
// bracketed sub-divisions: 31(1)(a), 36(2)(b)(ii), 40(3A).
var sectionRef = regexp.MustCompile(`^(\d{1,3})([a-z])?((?:\([0-9a-z]{1,4}\))*)$`)

// usRef is a US FOIA exemption once its words are gone, in each of the forms
// agencies use: (b)(7)(c), b(7)(c), b7c, b7(c), 7(c), 7c, 5.
// Brackets may be unbalanced: a match cut short at a word boundary ("b(7)(c").
var usRef = regexp.MustCompile(`^(?:\(b\)|b)?\(?([1-9])\)?\(?([a-f])?\)?$`)

var groupRe = regexp.MustCompile(`\(([0-9a-z]{1,4})\)`)

// NormalizeExemptionCode turns what a person types ("section 31(1)(a)",
// "S.31 (1) (a)", "s31", "b7E", "(b)(7)(E)", "Exemption 5", "reg 12(4)(b)")
// into the catalogue's canonical code for law. A sub-division is kept as
// written when the catalogue lists a provision it belongs to: "s23(5)" stays
// "s23(5)" (a neither-confirm-nor-deny refusal is exactly the subsection),
// "s37(1)" under the Irish Act stays "s37(1)". Only a group that is not a
// sub-division at all ("s12(cost)") is dropped, with what follows it. It
// reports false when no provision above the code is in the catalogue ("s17",
// "section 1", "reg12(2)").
func NormalizeExemptionCode(law LawCode, raw string) (string, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(raw), ""))
	words := refWords.FindStringSubmatch(s)
	s = strings.TrimSuffix(s[len(words[0]):], ".")
	// "reg 12(4)(b)" is never a FOIA section, nor "section 13" an EIR regulation.
	regulation := strings.HasPrefix(words[2], "r") || strings.Contains(words[1], "eir") || strings.Contains(words[1], "eisr")
	if regulation && !regulationLaw(law) || strings.HasPrefix(words[2], "s") && (regulationLaw(law) || law == USFOIA) {
		return "", false
	}
	var code string
	if law == USFOIA {
		m := usRef.FindStringSubmatch(s)
		if m == nil {
			return "", false
		}
		code = "(b)(" + m[1] + ")"
		if m[2] != "" {
			code += "(" + strings.ToUpper(m[2]) + ")"
		}
	} else {
		m := sectionRef.FindStringSubmatch(s)
		if m == nil {
			return "", false
		}
		prefix := "s"
		if regulationLaw(law) {
			prefix = "reg"
		}
		code = prefix + m[1] + strings.ToUpper(m[2])
		for _, g := range groupRe.FindAllStringSubmatch(m[3], -1) {
			if !subdivisionGroup.MatchString(g[1]) {
				break
			}
			code += "(" + canonicalGroup(g[1]) + ")"
		}
	}
	for p := code; p != ""; p = parentCode(p) {
		if _, ok := catalogue.index[law][p]; ok {
			return code, true
		}
	}
	return "", false
}

// subdivisionGroup is what statutes put in brackets: a subsection number
// with an optional letter suffix ("1", "3A", "5B"), a paragraph letter ("a",
// "aa"), or a roman numeral ("ii", "iv").
var subdivisionGroup = regexp.MustCompile(`^(?:\d{1,2}[a-z]{0,2}|[a-z]{1,2}|[ivx]{1,5})$`)

// regulationLaw reports whether a law's provisions are regulations ("reg12(4)(a)")
// rather than sections.
func regulationLaw(law LawCode) bool {
	return law == UKEIR || law == ScotEISR
}

// canonicalGroup writes a sub-division as statutes do: numbered subsections
// keep an upper-case suffix ("3A"), paragraphs and roman numerals are lower case.
func canonicalGroup(g string) string {
	if g[0] >= '0' && g[0] <= '9' {
		return strings.ToUpper(g)
	}
	return g
}

// NormalizeExemptionCodes normalises a list of codes a person entered for
// law, dropping blanks and duplicates. Unknown codes are an EINVALID error
// that names them all, and nothing is returned, so a half-valid list is never
// recorded.
func NormalizeExemptionCodes(law LawCode, raw []string) ([]string, error) {
	var out, bad []string
	seen := map[string]bool{}
	for _, r := range raw {
		if strings.TrimSpace(r) == "" {
			continue
		}
		code, ok := NormalizeExemptionCode(law, r)
		if !ok {
			bad = append(bad, quote(strings.TrimSpace(r)))
			continue
		}
		if !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	if len(bad) > 0 {
		msg := fmt.Sprintf("unknown exemption %s for %s: not in the catalogue (see the Exemptions page, or foitrack exemptions)", strings.Join(bad, ", "), law)
		return nil, &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"exemptions": msg}}
	}
	return out, nil
}
