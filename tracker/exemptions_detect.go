package tracker

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ExemptionCitation is an exemption cited in the text of a reply.
type ExemptionCitation struct {
	// Law is the law the code belongs to. It is the request's law, except that
	// UK FOIA and EIR replies are read for both, and so are FOISA and EISR
	// replies: authorities often answer a FOIA request under the EIR (FOIA s39,
	// FOISA s39(2)) and the reverse.
	Law  LawCode `json:"law"`
	Code string  `json:"code"`
	// Sentence is the sentence the citation came from, whitespace collapsed.
	Sentence string `json:"sentence"`
	// Offset is the byte offset of the citation in the text.
	Offset int `json:"offset"`
}

// citationSyntax is one way a law's provisions are cited.
type citationSyntax struct {
	law LawCode
	// lead finds a keyword and the first reference (submatch 1).
	lead *regexp.Regexp
	// next continues a list ("sections 31 and 40", "Exemptions 6 and 7(C)"):
	// anchored at the end of the previous reference, submatch 1 is the next one.
	next *regexp.Regexp
	// numberWords: the syntax reads "Exemption Five" as "Exemption 5".
	numberWords bool
}

// A reference: a number with an optional letter suffix (22A, 47F), then
// bracketed sub-divisions with optional spaces: "31(1)(a)", "40 (2)", "36(2)(b)(ii)".
// A bracketed group is a subsection number ("1", "3A"), a paragraph letter
// ("a", "aa") or a roman numeral ("ii"); "(Law Enforcement)" and "(cost)"
// are descriptions, not sub-divisions.
const sectionRefPattern = `\d{1,3}[A-Za-z]?\b(?:\s*\(\s*` + subGroup + `\s*\))*`

const subGroup = `(?:\d{1,2}[A-Za-z]{0,2}|[A-Za-z]{1,2}|[ivxIVX]{1,5})`

// Sub-divisions alone continue the previous reference: "31(1)(a) and (b)".
const subdivisionPattern = `(?:\s*\(\s*` + subGroup + `\s*\))+`

// A list separator: ",", "and", "or", "and/or", "&", "/" (and ", and").
const listSeparator = `\s*(?:,\s*(?:and|or)?|and\s*/\s*or|and|or|&|/)\s*`

var (
	// "section 31(1)(a)", "Section 40 (2)", "s.31", "S40(2)", "s 47F", "ss. 40",
	// "sections 31 and 40". A bare "s" must be followed by the number (with at
	// most a dot and spaces), which keeps out words ending in s.
	sectionSyntax = struct{ lead, next *regexp.Regexp }{
		lead: regexp.MustCompile(`(?i)\b(?:sections?:?|secs?\.|ss\.?|s\.?)\s*(` + sectionRefPattern + `)`),
		next: regexp.MustCompile(`(?i)^` + listSeparator + `(?:(?:sections?|ss?\.?)\s*)?(` + sectionRefPattern + `|` + subdivisionPattern + `)`),
	}
	// "regulation 12(4)(b)", "reg. 13", "regs 12(5)(e) and 13", "EIR 12(5)(b)",
	// "EISR 10(5)(e)", "the exception at 12(5)(e)".
	regulationSyntax = struct{ lead, next *regexp.Regexp }{
		lead: regexp.MustCompile(`(?i)\b(?:regulations?|regs?\.?|eirs?|eisrs?|exceptions?\s+(?:at|in|under)(?:\s+regulation)?)\s*(` + sectionRefPattern + `)`),
		next: regexp.MustCompile(`(?i)^` + listSeparator + `(?:(?:regulations?|regs?\.?)\s*)?(` + sectionRefPattern + `|` + subdivisionPattern + `)`),
	}
	// US FOIA, three forms. "(b)(6)", "(b)(7)(C)", "§ 552(b)(6)": the (b) is
	// lower case in every agency letter, and requiring it keeps out
	// 552(a)(6)(B) and the like.
	usParenLead = regexp.MustCompile(`(\(b\)\s*\([1-9]\)(?:\s*\([A-Fa-f]\))?)`)
	// The short forms on redaction stamps: "b6", "b(6)", "b7C", "b7(C)", "b(7)(C)".
	usShortLead = regexp.MustCompile(`\b(b\(?[1-9]\)?(?:\(?[A-Fa-f]\)?)?)\b`)
	// "Exemption 5", "Exemptions 6 and 7(C)", "FOIA exemption (b)(7)(E)".
	usWordLead = regexp.MustCompile(`(?i)\bexemptions?\s+((?:\(b\)\s*)?\(?[1-9]\)?(?:\s*\([A-F]\)|[A-F]\b)?)`)
	usWordNext = regexp.MustCompile(`(?i)^` + listSeparator + `(?:exemptions?\s+)?((?:\(b\)\s*)?\(?[1-9]\)?(?:\s*\([A-F]\)|[A-F]\b)?|\([A-F]\))`)

	// A description in brackets after a reference, which the list goes on
	// after: "Sections 24 (National Security) and 31 (Law Enforcement)",
	// "35(1)(a) & (b) (law enforcement) and 38(1)(b) (personal information)".
	// It has a space in it or a word of five letters or more, so it is never
	// a sub-division such as "(ii)".
	listDescription = regexp.MustCompile(`^\s*\((?:[^()\n]*[A-Za-z][^()\n]*\s[^()\n]*|[A-Za-z][A-Za-z'’-]{4,}[^()\n]*)\)`)
	// A range: "36(2)(b)(i)-(ii)", "31(1)(a) to (c)", "sections 27-29".
	rangeNext = regexp.MustCompile(`(?i)^\s*(?:-|–|—|to|through)\s*(?:(?:sections?|ss?\.?|regulations?|regs?\.?)\s*)?(` + sectionRefPattern + `|` + subdivisionPattern + `)`)
)

// citationSyntaxes lists, per request law, how citations are written and
// which law's catalogue they are looked up in.
var citationSyntaxes = map[LawCode][]citationSyntax{
	UKFOIA: {
		{law: UKFOIA, lead: sectionSyntax.lead, next: sectionSyntax.next},
		{law: UKEIR, lead: regulationSyntax.lead, next: regulationSyntax.next},
	},
	UKEIR: {
		{law: UKEIR, lead: regulationSyntax.lead, next: regulationSyntax.next},
		{law: UKFOIA, lead: sectionSyntax.lead, next: sectionSyntax.next},
	},
	// A Scottish authority often answers a FOISA request under the EISR (FOISA
	// s39(2)) and the reverse, as in England.
	ScotFOISA: {
		{law: ScotFOISA, lead: sectionSyntax.lead, next: sectionSyntax.next},
		{law: ScotEISR, lead: regulationSyntax.lead, next: regulationSyntax.next},
	},
	ScotEISR: {
		{law: ScotEISR, lead: regulationSyntax.lead, next: regulationSyntax.next},
		{law: ScotFOISA, lead: sectionSyntax.lead, next: sectionSyntax.next},
	},
	IEFOI: {{law: IEFOI, lead: sectionSyntax.lead, next: sectionSyntax.next}},
	AUFOI: {{law: AUFOI, lead: sectionSyntax.lead, next: sectionSyntax.next}},
	USFOIA: {
		{law: USFOIA, lead: usParenLead, next: nil},
		{law: USFOIA, lead: usShortLead, next: nil},
		{law: USFOIA, lead: usWordLead, next: usWordNext, numberWords: true},
	},
}

var (
	// A number followed by a unit is a count, not a section: "sections 12 and
	// 14 days", "section 40 and 3 officers".
	countAfter = regexp.MustCompile(`(?i)^\s+(?:working\s+|calendar\s+)?(?:days?|weeks?|months?|years?|hours?|per\s*cent|%|pages?|records?|documents?|requests?|officers?|staff|people|times|cases|instances|occasions)\b`)
	// A UK postcode's second half after "S40" (Chesterfield) or "S1" (Sheffield).
	postcodeAfter = regexp.MustCompile(`^\s\d[A-Za-z]{2}\b`)
	// "… of the Data Protection Act 2018": a section of some other law. The
	// name is whatever sits between "of the" and "Act"/"Regulations".
	// Statute quoted in the letter names provisions it does not claim:
	// "Information which is not exempt information by virtue of section 30
	// is exempt information if…" (s31(1)), "is not exempt under section 40".
	notExemptBefore = regexp.MustCompile(`(?i)\bnot\s+exempt(?:\s+information)?\s+(?:by\s+virtue\s+of|under)\s*$`)
	otherLawAfter   = regexp.MustCompile(`^\s*,?\s*of\s+the\s+([^.;:\n]{0,80}?)\b(?:Act|Regulations|Order|Rules)\b`)
	// Names that mean the access law itself: "the Act", "the FOI Act", "the
	// Freedom of Information (Scotland) Act", "the Environmental Information Regulations".
	accessLawName = regexp.MustCompile(`(?i)^\s*$|freedom\s+of\s+information|environmental\s+information|\bfoi|\beir`)
)

// DetectExemptions finds the exemptions cited in the text of a reply under
// law: "section 31(1)(a)", "s.31", "S40(2)", "Section 40 (2)", "sections 31
// and 40", "regulation 12(4)(b)", "reg. 13", "exemption (b)(7)(E)", "Exemption
// 5", "b(6)", "5 U.S.C. § 552(b)(6)". Only provisions in the catalogue count,
// which keeps out the sections every letter mentions without claiming
// anything (s1 right of access, s10 time limit, s16 advice, s17 refusal
// notice, s45 Code of Practice, s50 complaint; 552(a)(6)). Also left out:
// sections of other Acts ("section 29 of the Data Protection Act"), counts
// ("sections 12 and 14 days"), postcodes ("Chesterfield S40 2ZZ"), possessives
// ("the council's 43 schools"), and mentions in a conditional sentence ("If the
// cost would exceed the limit in section 12, we will…"), which announce what
// might happen rather than claim an exemption.
//
// Each code is reported once, at its first citation. The most specific code
// wins: when "s31(1)(a)" is cited, a bare "s31" elsewhere in the same reply is
// taken to mean the same exemption and is not reported separately; a bare
// "s31" is reported only when no sub-division of s31 is cited anywhere. The
// result is in text order.
//
// Not the authority's words either, so left out: the request as the letter
// quotes it (see notTheirWords), where requesters often name the exemptions
// they expect ("I appreciate you may rely on section 24"). The quoted
// history of a thread is the caller's to remove (mailsync.QuotedFolded).
func DetectExemptions(law LawCode, text string) []ExemptionCitation {
	var found []foundCitation
	quoted := append(notTheirWords(text), statuteQuoted(text)...)
	original := text
	list := 0 // numbers each list of references, see finishCitations
	for _, syn := range citationSyntaxes[law] {
		text = original
		if syn.numberWords {
			text = numberWordsAsDigits(original)
		}
		for _, m := range syn.lead.FindAllStringSubmatchIndex(text, -1) {
			start, refStart, refEnd := m[0], m[2], m[3]
			if skipLead(text, start, refStart) || quoted.contains(start) {
				continue
			}
			refs := []refAt{{text[refStart:refEnd], refStart, refEnd}}
			end := refEnd
			for syn.next != nil {
				at := end
				if d := listDescription.FindStringIndex(text[at:]); d != nil {
					at += d[1]
				}
				isRange := false
				n := rangeNext.FindStringSubmatchIndex(text[at:])
				if n != nil && syn.numberWords { // US exemptions are not written as ranges
					n = nil
				}
				if n != nil {
					isRange = true
				} else if n = syn.next.FindStringSubmatchIndex(text[at:]); n == nil {
					break
				}
				r := refAt{text[at+n[2] : at+n[3]], at + n[2], at + n[3]}
				if countAfter.MatchString(text[r.end:]) {
					break
				}
				prev := refs[len(refs)-1]
				if strings.HasPrefix(r.text, "(") { // "(b)" after "31(1)(a) and"
					r.text = replaceSubdivisions(prev.text, r.text)
				}
				if isRange {
					for _, between := range rangeBetween(prev.text, r.text) {
						refs = append(refs, refAt{between, r.start, r.end})
					}
				}
				refs = append(refs, r)
				end = r.end
			}
			after := text[end:]
			if d := listDescription.FindStringIndex(after); d != nil {
				after = after[d[1]:]
			}
			if foreignLaw(after) {
				continue
			}
			list++
			for _, r := range refs {
				if countAfter.MatchString(text[r.end:]) || postcodeAfter.MatchString(text[r.end:]) {
					continue
				}
				code, ok := NormalizeExemptionCode(syn.law, r.text)
				if !ok {
					continue
				}
				off := r.start
				if r.start == refStart {
					off = start // the first reference is reported where its keyword starts
				}
				found = append(found, foundCitation{ExemptionCitation{Law: syn.law, Code: code, Offset: off}, list})
			}
		}
	}
	return finishCitations(original, found)
}

// numberWord is a number from one to nine written as a word, as some
// agencies write their exemptions ("Exemption Five", "Exemptions Six and
// Seven(C)").
var numberWord = regexp.MustCompile(`(?i)\b(?:one|two|three|four|five|six|seven|eight|nine)\b`)

// numberWordsAsDigits writes each number word as its digit, padded with
// spaces to the word's length so that every offset stays that of the
// original text. The syntaxes still decide what is a citation: a number
// needs "exemption" before it or a list it continues, and "and one page"
// is a count (see countAfter).
func numberWordsAsDigits(text string) string {
	return numberWord.ReplaceAllStringFunc(text, func(w string) string {
		// (?i) also matches look-alikes such as "ſix" (long s), which
		// ToLower keeps: those are found by case folding.
		for word, digit := range numberWordDigits {
			if strings.EqualFold(w, word) {
				return digit + strings.Repeat(" ", len(w)-len(digit))
			}
		}
		return w
	})
}

var numberWordDigits = map[string]string{"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9"}

// span is a byte range of a text, end exclusive.
type span struct{ start, end int }

type spans []span

func (ss spans) contains(off int) bool {
	for _, s := range ss {
		if off >= s.start && off < s.end {
			return true
		}
	}
	return false
}

// The request as a reply quotes it.
var (
	// What introduces the quotation: "in which you asked:", "I note you seek
	// access to the following information:", "Thank you for your request
	// dated 4 March for:", "You requested “…”".
	requestIntro = regexp.MustCompile(`(?i)(?:\byou(?:r)?\b[^"“”.]{0,60}\b(?:ask(?:ed)?|request(?:ed|ing)?|seek(?:ing)?|sought|wrote|application)\b|\b(?:request(?:ed)?|asked|sought|question|as follows)\b[^"“”.]{0,80}:)[^"“”]{0,120}$`)
	// A heading line over the quoted request ("REQUEST", "Your request:",
	// "Request for information") and the heading that ends it ("RESPONSE",
	// "Our response:", "Decision").
	requestHeading  = regexp.MustCompile(`(?im)^[ \t*]*(?:your |the |original )?(?:request|question)s?(?: for information| details)?[ \t]*:?[ \t*]*$`)
	responseHeading = regexp.MustCompile(`(?im)^[ \t*]*(?:our |the |my |\w+'s )?(?:response|reply|answer|decision)s?\b[^\n.]{0,40}$`)
	quoteLimit      = 4000 // bytes: a quoted request is not a whole letter
)

// notTheirWords finds the request as the reply quotes it: a quotation
// introduced as what the requester asked ("You asked: “…”"), or the lines
// between a "Request" heading and a "Response" heading.
func notTheirWords(text string) spans {
	out := quotationsAfter(text, requestIntro, 200)
	for _, h := range requestHeading.FindAllStringIndex(text, -1) {
		rest := text[h[1]:min(len(text), h[1]+quoteLimit)]
		if r := responseHeading.FindStringIndex(rest); r != nil {
			out = append(out, span{h[0], h[1] + r[0]})
		}
	}
	return out
}

type refAt struct {
	text       string
	start, end int
}

// skipLead rejects a match whose context shows it is not a citation.
func skipLead(text string, start, refStart int) bool {
	before := text[:start]
	// "the council's 43 schools": the "s" is a possessive.
	if strings.HasSuffix(before, "'") || strings.HasSuffix(before, "’") {
		return true
	}
	if notExemptBefore.MatchString(before) {
		return true
	}
	// "5 U.S.C. § 552a(b)" is the Privacy Act, not a FOIA exemption.
	if strings.HasSuffix(strings.TrimRight(before, " "), "552a") {
		return true
	}
	return false
}

// foreignLaw reports whether the text after a list of references names a law
// other than the access law ("of the Local Government Act 1972").
func foreignLaw(after string) bool {
	m := otherLawAfter.FindStringSubmatch(after)
	return m != nil && !accessLawName.MatchString(m[1])
}

// replaceSubdivisions applies a continuation made only of sub-divisions to
// the previous reference: ("31(1)(a)", "(b)") -> "31(1)(b)";
// ("36(2)(b)(i)", "(ii)") -> "36(2)(b)(ii)".
func replaceSubdivisions(prev, subs string) string {
	prevGroups := subdivisionRe.FindAllStringIndex(prev, -1)
	n := len(subdivisionRe.FindAllString(subs, -1))
	if n > len(prevGroups) {
		return subs
	}
	if n == 0 {
		return prev
	}
	return prev[:prevGroups[len(prevGroups)-n][0]] + strings.Join(strings.Fields(subs), "")
}

var subdivisionRe = regexp.MustCompile(`\(\s*[0-9A-Za-z]{1,4}\s*\)`)

// foundCitation is a citation and the list of references it was read from
// (one number per keyword and the references that continue it).
type foundCitation struct {
	ExemptionCitation
	list int
}

// finishCitations keeps one citation per code (the first), drops codes that a
// more specific cited code belongs to, drops citations in conditional
// sentences, drops later mentions of a provision's other subsections (see
// siblingMention), and fills in the sentences.
func finishCitations(text string, found []foundCitation) []ExemptionCitation {
	sort.SliceStable(found, func(i, j int) bool { return found[i].Offset < found[j].Offset })
	sentences := Sentences(text)
	type key struct {
		law  LawCode
		code string
	}
	seen := map[key]bool{}
	var kept []ExemptionCitation
	var keptFound []foundCitation
	for _, c := range found {
		s := sentenceAt(sentences, c.Offset)
		if ConditionalSentence(s.Text) || unlessBefore(text[min(s.Start, c.Offset):c.Offset]) || seen[key{c.Law, c.Code}] ||
			siblingMention(c, keptFound) {
			continue
		}
		seen[key{c.Law, c.Code}] = true
		c.Sentence = s.Text
		kept = append(kept, c.ExemptionCitation)
		keptFound = append(keptFound, c)
	}
	var out []ExemptionCitation
	for _, c := range kept {
		general := false
		for _, o := range kept {
			if o.Law == c.Law && isAncestorCode(c.Code, o.Code) {
				general = true
				break
			}
		}
		if !general {
			out = append(out, c)
		}
	}
	return out
}

// conditionalOpener matches sentences that describe what might happen rather
// than what has been decided: "If…", "Should…", "Where…", "In some cases…",
// also after "Please note that" or "However,".
var conditionalOpener = regexp.MustCompile(`(?i)^["'“(]?\s*(?:(?:please\s+)?(?:note|be\s+aware|be\s+advised)(?:\s+that)?,?\s+|however,?\s+|also,?\s+)?(?:if|should|where|whether|unless|in\s+the\s+event|in\s+some\s+cases|occasionally|sometimes)\b`)

// unlessClause matches an "unless" clause still open at the end of the text
// before a citation: "we may have to disclose this e-mail, unless the
// information is exempt under section 40" names a condition, not a claim.
var unlessClause = regexp.MustCompile(`(?i)\bunless\b[^;:]{0,150}$`)

func unlessBefore(s string) bool { return unlessClause.MatchString(s) }

// ConditionalSentence reports whether a sentence starts as a condition ("If
// any exemptions apply, we will tell you"), so that what it mentions is not a
// decision.
func ConditionalSentence(s string) bool {
	return conditionalOpener.MatchString(s)
}

// Sentence is a sentence of a reply and where it is in the text.
type Sentence struct {
	Text       string // whitespace collapsed, at most maxSentence runes
	Start, End int    // byte offsets in the original text
}

const maxSentence = 600

// abbreviations end in a full stop without ending a sentence (the word before
// the stop, lower case, without its own dots).
var abbreviations = map[string]bool{
	"s": true, "ss": true, "sec": true, "secs": true, "reg": true, "regs": true, "para": true, "paras": true,
	"no": true, "nos": true, "eg": true, "ie": true, "cf": true, "vs": true, "v": true, "art": true, "p": true, "pp": true,
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "usc": true, "us": true, "approx": true, "ref": true,
}

// listItemStart matches the start of a line that begins a new item: a bullet,
// "1.", "2)", "(a) ".
var listItemStart = regexp.MustCompile(`^[ \t]*(?:[-*•–]\s|\d{1,2}[.)]\s|\([a-z0-9]{1,3}\)\s)`)

// Sentences splits text into sentences: at a full stop, question or
// exclamation mark followed by space and a capital letter (unless the word
// before is an abbreviation such as "s." or "U.S.C."), at blank lines, and
// before list items. Letters are full of headings and lists without full
// stops; treating each paragraph and item as a unit keeps them apart.
func Sentences(text string) []Sentence {
	var out []Sentence
	start := 0
	emit := func(end int) {
		if s := collapse(text[start:end]); s != "" {
			out = append(out, Sentence{Text: s, Start: start + leadingSpace(text[start:end]), End: end})
		}
		start = end
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\n':
			blankLine := strings.HasPrefix(strings.TrimLeft(text[i+1:], " \t\r"), "\n")
			if blankLine || listItemStart.MatchString(text[i+1:]) {
				emit(i + 1)
			}
		case c == '.' || c == '!' || c == '?':
			if endsSentence(text, i) {
				emit(i + 1)
			}
		}
	}
	emit(len(text))
	return out
}

// endsSentence decides whether the stop at text[i] ends a sentence.
func endsSentence(text string, i int) bool {
	j := i + 1
	for j < len(text) && strings.ContainsRune(`"')”’`, rune(text[j])) {
		j++
	}
	if j >= len(text) || (text[j] != ' ' && text[j] != '\n' && text[j] != '\t' && text[j] != '\r') {
		return j >= len(text)
	}
	next, _ := utf8.DecodeRuneInString(strings.TrimLeft(text[j:], " \t\r\n\"'“‘("))
	if !unicode.IsUpper(next) {
		return false
	}
	if text[i] != '.' {
		return true
	}
	// The word before the stop, e.g. "s" in "s. 31", "U.S.C" in "U.S.C. 552".
	k := i
	for k > 0 && text[k-1] != ' ' && text[k-1] != '\n' && text[k-1] != '(' && text[k-1] != '\t' {
		k--
	}
	word := strings.ToLower(strings.ReplaceAll(text[k:i], ".", ""))
	return !abbreviations[word] && !(len(word) == 1 && unicode.IsLetter(rune(word[0])))
}

func sentenceAt(sentences []Sentence, off int) Sentence {
	i := sort.Search(len(sentences), func(i int) bool { return sentences[i].End > off })
	if i < len(sentences) {
		return sentences[i]
	}
	return Sentence{}
}

func collapse(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxSentence {
		r := []rune(s)
		s = string(r[:maxSentence]) + "…"
	}
	return s
}

func leadingSpace(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t\r\n"))
}

// siblingMention reports whether c names a sub-division the catalogue does
// not list, of a provision an earlier list already cited at another
// sub-division: "exempt under s.40(2) by virtue of s.40(3A)(a)", "refused
// under section 37(1) … I have considered whether section 37(2) or 37(5)
// applies", "the public interest under section 36(3)". Such later mentions
// are the conditions and tests of the exemption claimed, not claims of their
// own. References in the same list ("s.31(1)(a) and (b)") are all claims.
func siblingMention(c foundCitation, earlier []foundCitation) bool {
	if Catalogued(c.Law, c.Code) {
		return false
	}
	top := topCode(c.Code)
	for _, o := range earlier {
		if o.Law == c.Law && o.list != c.list && topCode(o.Code) == top && o.Code != top &&
			!isAncestorCode(o.Code, c.Code) && !isAncestorCode(c.Code, o.Code) {
			return true
		}
	}
	return false
}

// topCode is a code without its sub-divisions: "s40(3A)(a)" -> "s40".
func topCode(code string) string {
	for p := parentCode(code); p != ""; p = parentCode(p) {
		code = p
	}
	return code
}

// rangeBetween lists the references strictly between the two ends of a
// range: ("36(2)(b)(i)", "36(2)(b)(iii)") -> ["36(2)(b)(ii)"]; ("31(1)(a)",
// "31(1)(d)") -> ["31(1)(b)", "31(1)(c)"]; ("27", "29") -> ["28"]. The ends
// differ only in their last part (a number, a letter or a roman numeral), and
// a range wider than ten is not a range but something else (nothing listed).
func rangeBetween(from, to string) []string {
	from, to = strings.Join(strings.Fields(from), ""), strings.Join(strings.Fields(to), "")
	fi, ti := lastPart(from), lastPart(to)
	if from[:fi] != to[:ti] {
		return nil
	}
	prefix, a, b := from[:fi], strings.Trim(from[fi:], "()"), strings.Trim(to[ti:], "()")
	wrap := func(v string) string {
		if fi > 0 && from[fi] == '(' {
			return prefix + "(" + v + ")"
		}
		return prefix + v
	}
	var out []string
	if x, y, ok := romanPair(a, b); ok {
		for i := x + 1; i < y && i-x <= 10; i++ {
			r := romanNumerals[i]
			if a != strings.ToLower(a) {
				r = strings.ToUpper(r)
			}
			out = append(out, wrap(r))
		}
		return out
	}
	if len(a) == 1 && len(b) == 1 && unicode.IsLetter(rune(a[0])) && unicode.IsLetter(rune(b[0])) && b[0] > a[0] && b[0]-a[0] <= 10 {
		for c := a[0] + 1; c < b[0]; c++ {
			out = append(out, wrap(string(c)))
		}
		return out
	}
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil && y > x && y-x <= 10 {
		for i := x + 1; i < y; i++ {
			out = append(out, wrap(strconv.Itoa(i)))
		}
	}
	return out
}

// lastPart is where the last bracketed group of a reference starts, or 0
// when it has none ("36(2)(b)(ii)" -> 8, "27" -> 0).
func lastPart(ref string) int {
	if strings.HasSuffix(ref, ")") {
		if i := strings.LastIndexByte(ref, '('); i >= 0 {
			return i
		}
	}
	return 0
}

var romanNumerals = []string{"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}

// romanPair reads both ends of a range as roman numerals, when both are and
// at least one is more than a single letter (so "(a)-(c)" is letters, and
// "(i)-(v)" is roman).
func romanPair(a, b string) (int, int, bool) {
	idx := func(s string) int {
		for i, r := range romanNumerals {
			if i > 0 && strings.EqualFold(r, s) {
				return i
			}
		}
		return 0
	}
	x, y := idx(a), idx(b)
	if x == 0 || y == 0 || y <= x || (len(a) == 1 && len(b) == 1 && !(strings.EqualFold(a, "i") && strings.ContainsAny(strings.ToLower(b), "vx"))) {
		return 0, 0, false
	}
	return x, y, true
}

// statuteIntro is what introduces the statute quoted in a letter: "Section
// 31(1) provides that:", "the Act states:", "which reads as follows:".
var statuteIntro = regexp.MustCompile(`(?i)\b(?:provides?|provided|states?|stated|says|reads?|defines?|sets?\s+out|as\s+follows|the\s+wording\s+is)\b(?:\s+that)?\s*:?\s*$`)

// statuteQuoted finds the statute a letter quotes: a quotation right after
// words that introduce it. What it names is the law's text, not the
// authority's claim (the claim is the citation that introduces it).
func statuteQuoted(text string) spans {
	return quotationsAfter(text, statuteIntro, 120)
}

// quotationsAfter finds the quotations ("…" or “…”, at most quoteLimit
// long) whose preceding lookback bytes end in words intro matches.
func quotationsAfter(text string, intro *regexp.Regexp, lookback int) spans {
	var out spans
	for i := 0; i < len(text); {
		j := strings.IndexAny(text[i:], "\"“")
		if j < 0 {
			break
		}
		open := i + j
		_, w := utf8.DecodeRuneInString(text[open:])
		k := strings.IndexAny(text[open+w:], "\"”")
		if k < 0 {
			break
		}
		end := open + w + k + 1
		if intro.MatchString(text[max(0, open-lookback):open]) && end-open <= quoteLimit {
			out = append(out, span{open, end})
		}
		i = end
	}
	return out
}
