package tracker

import (
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestExemptionCatalogueInvariants(t *testing.T) {
	kinds := map[string]bool{ExemptionAbsolute: true, ExemptionQualified: true, ExemptionRefusalGround: true,
		ExemptionException: true, ExemptionGeneric: true}
	for _, l := range Laws {
		list := Exemptions(l.Code)
		if len(list) == 0 {
			t.Errorf("%s: no exemptions in the catalogue", l.Code)
		}
		seen := map[string]bool{}
		for _, e := range list {
			if seen[e.Code] {
				t.Errorf("%s %s: listed twice", e.Law, e.Code)
			}
			seen[e.Code] = true
			if e.Law != l.Code || e.Title == "" || !kinds[e.Kind] {
				t.Errorf("%s %s: bad entry %+v", l.Code, e.Code, e)
			}
			if e.Parent != "" {
				if _, ok := ExemptionByCode(e.Law, e.Parent); !ok || !isAncestorCode(e.Parent, e.Code) {
					t.Errorf("%s %s: parent %q is not a catalogued ancestor", e.Law, e.Code, e.Parent)
				}
			}
			// Every canonical code is its own normal form.
			if got, ok := NormalizeExemptionCode(e.Law, e.Code); !ok || got != e.Code {
				t.Errorf("NormalizeExemptionCode(%s, %q) = %q, %v", e.Law, e.Code, got, ok)
			}
		}
	}
	if n := len(AllExemptions()); n < 150 {
		t.Errorf("AllExemptions: %d entries, want the whole catalogue", n)
	}
	// Callers get copies: changing one must not change the catalogue.
	Exemptions(UKFOIA)[0].Title = "changed"
	if e, _ := ExemptionByCode(UKFOIA, Exemptions(UKFOIA)[0].Code); e.Title == "changed" {
		t.Error("Exemptions returned the catalogue's own slice")
	}
	if got := Exemptions("xx-law"); got != nil {
		t.Errorf("unknown law: %v", got)
	}
}

// The provisions the issue names, and the absolute/qualified flags that
// matter in a complaint, are checked one by one.
func TestExemptionCatalogueContents(t *testing.T) {
	want := map[LawCode][]string{
		UKFOIA: {"s12", "s14", "s14(1)", "s14(2)", "s21", "s22", "s22A", "s23", "s24", "s26", "s27", "s28", "s29",
			"s30(1)", "s30(2)", "s31", "s31(1)(a)", "s31(1)(b)", "s31(1)(c)", "s31(1)(g)", "s32", "s33", "s34",
			"s35(1)(a)", "s35(1)(b)", "s36(2)(b)(i)", "s36(2)(b)(ii)", "s36(2)(c)", "s37", "s38(1)(a)", "s38(1)(b)",
			"s39", "s40(1)", "s40(2)", "s40(5)", "s41", "s42", "s43(1)", "s43(2)", "s44"},
		UKEIR: {"reg12(4)(a)", "reg12(4)(b)", "reg12(4)(c)", "reg12(4)(d)", "reg12(4)(e)", "reg12(5)(a)", "reg12(5)(b)",
			"reg12(5)(c)", "reg12(5)(d)", "reg12(5)(e)", "reg12(5)(f)", "reg12(5)(g)", "reg13"},
		ScotFOISA: {"s12", "s14", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "s32", "s33", "s34", "s35", "s36",
			"s37", "s38", "s38(1)(b)", "s39", "s40", "s41"},
		ScotEISR: {"reg10(4)(a)", "reg10(4)(b)", "reg10(4)(c)", "reg10(4)(d)", "reg10(4)(e)", "reg10(5)(a)", "reg10(5)(b)",
			"reg10(5)(c)", "reg10(5)(d)", "reg10(5)(e)", "reg10(5)(f)", "reg10(5)(g)", "reg11(1)", "reg11(2)"},
		USFOIA: {"(b)(1)", "(b)(2)", "(b)(3)", "(b)(4)", "(b)(5)", "(b)(6)", "(b)(7)", "(b)(7)(A)", "(b)(7)(B)",
			"(b)(7)(C)", "(b)(7)(D)", "(b)(7)(E)", "(b)(7)(F)", "(b)(8)", "(b)(9)"},
		IEFOI: {"s15", "s15(1)(a)", "s28", "s29", "s30", "s31", "s32", "s33", "s35", "s36", "s37", "s39", "s40", "s41", "s42"},
		AUFOI: {"s33", "s34", "s37", "s38", "s42", "s45", "s47", "s47B", "s47C", "s47D", "s47E", "s47F", "s47G"},
	}
	for law, codes := range want {
		for _, c := range codes {
			if _, ok := ExemptionByCode(law, c); !ok {
				t.Errorf("%s %s: missing from the catalogue", law, c)
			}
		}
	}
	kinds := []struct {
		law        LawCode
		code, kind string
	}{
		{UKFOIA, "s21", ExemptionAbsolute}, {UKFOIA, "s23", ExemptionAbsolute}, {UKFOIA, "s32", ExemptionAbsolute},
		{UKFOIA, "s34", ExemptionAbsolute}, {UKFOIA, "s40(2)", ExemptionAbsolute}, {UKFOIA, "s41", ExemptionAbsolute},
		{UKFOIA, "s44", ExemptionAbsolute}, {UKFOIA, "s36", ExemptionQualified}, {UKFOIA, "s31(1)(a)", ExemptionQualified},
		{UKFOIA, "s24", ExemptionQualified}, {UKFOIA, "s43(2)", ExemptionQualified}, {UKFOIA, "s42", ExemptionQualified},
		{UKFOIA, "s12", ExemptionRefusalGround}, {UKFOIA, "s14(1)", ExemptionRefusalGround},
		{UKEIR, "reg12(4)(b)", ExemptionException}, {ScotFOISA, "s25", ExemptionAbsolute},
		{ScotFOISA, "s38(1)(b)", ExemptionAbsolute}, {ScotFOISA, "s30(b)(i)", ExemptionQualified},
		{ScotFOISA, "s12", ExemptionRefusalGround}, {USFOIA, "(b)(5)", ExemptionGeneric},
		// EISR: reg 10 exceptions carry the public interest test (reg 10(1)(b)); reg 11 does not.
		{ScotEISR, "reg10(4)(a)", ExemptionException}, {ScotEISR, "reg10(5)(e)", ExemptionException},
		{ScotEISR, "reg11", ExemptionAbsolute}, {ScotEISR, "reg11(2)", ExemptionAbsolute},
		{IEFOI, "s15(1)(a)", ExemptionRefusalGround}, {AUFOI, "s47F", ExemptionQualified}, {AUFOI, "s42", ExemptionGeneric},
	}
	for _, k := range kinds {
		if e, _ := ExemptionByCode(k.law, k.code); e.Kind != k.kind {
			t.Errorf("%s %s: kind %q, want %q", k.law, k.code, e.Kind, k.kind)
		}
	}
	// The numbering differs between FOIA and FOISA: the titles must follow it.
	titles := []struct {
		law         LawCode
		code, title string
	}{
		{UKFOIA, "s31", "Law enforcement"}, {UKFOIA, "s38", "Health and safety"}, {UKFOIA, "s40", "Personal information"},
		{ScotFOISA, "s35", "Law enforcement"}, {ScotFOISA, "s38", "Personal information"},
		{ScotFOISA, "s30", "Prejudice to effective conduct of public affairs"}, {ScotFOISA, "s41", "Communications with His Majesty etc. and honours"},
		{IEFOI, "s37", "Personal information"}, {IEFOI, "s29", "Deliberations of FOI bodies"}, {AUFOI, "s47C", "Deliberative processes"},
		// The EISR number their exceptions two lower than the EIR: 10(5)(e) is 12(5)(e).
		{ScotEISR, "reg10(5)(e)", "Confidentiality of commercial or industrial information"}, {ScotEISR, "reg10(4)(a)", "Information not held"},
		{ScotEISR, "reg11(2)", "Personal data of third parties"},
	}
	for _, tt := range titles {
		if e, _ := ExemptionByCode(tt.law, tt.code); e.Title != tt.title {
			t.Errorf("%s %s: title %q, want %q", tt.law, tt.code, e.Title, tt.title)
		}
	}
	if e, _ := ExemptionByCode(UKFOIA, "s31(1)(a)"); e.Parent != "s31" {
		t.Errorf("s31(1)(a) parent = %q, want s31", e.Parent)
	}
	if e, _ := ExemptionByCode(ScotEISR, "reg10(5)(e)"); e.Parent != "reg10(5)" {
		t.Errorf("EISR reg10(5)(e) parent = %q, want reg10(5)", e.Parent)
	}
	if e, _ := ExemptionByCode(ScotEISR, "reg11(2)"); e.Parent != "reg11" {
		t.Errorf("EISR reg11(2) parent = %q, want reg11", e.Parent)
	}
	if e, _ := ExemptionByCode(USFOIA, "(b)(7)(C)"); e.Parent != "(b)(7)" {
		t.Errorf("(b)(7)(C) parent = %q, want (b)(7)", e.Parent)
	}
}

func TestNormalizeExemptionCode(t *testing.T) {
	tests := []struct {
		law      LawCode
		raw, out string
		ok       bool
	}{
		{UKFOIA, "section 31(1)(a)", "s31(1)(a)", true},
		{UKFOIA, "S.31 (1) (a)", "s31(1)(a)", true},
		{UKFOIA, "s31", "s31", true},
		{UKFOIA, "s.40(2)", "s40(2)", true},
		{UKFOIA, "Section 40 (2)", "s40(2)", true},
		{UKFOIA, "sec. 43(2)", "s43(2)", true},
		{UKFOIA, "s 36(2)(b)(ii)", "s36(2)(b)(ii)", true},
		{UKFOIA, "s22a", "s22A", true},
		{UKFOIA, "FOIA section 12", "s12", true},
		{UKFOIA, "s23(5)", "s23(5)", true},   // kept: the catalogue knows s23 (an NCND refusal is the subsection)
		{UKFOIA, "s40(3A)", "s40(3A)", true}, // likewise
		{UKFOIA, "s31(3)", "s31(3)", true},   // NCND subsection
		{UKFOIA, "s12 (cost)", "s12", true},  // a description, not a sub-division
		{UKEIR, "reg 12(2)", "", false},      // the presumption: nothing above it is catalogued
		{UKFOIA, "section 1", "", false},     // right of access, not an exemption
		{UKFOIA, "section 17", "", false},    // refusal notice
		{UKFOIA, "section 50", "", false},    // complaint to the ICO
		{UKFOIA, "reg 12(4)(b)", "", false},  // an EIR code is not a FOIA code
		{UKFOIA, "", "", false},
		{UKFOIA, "sections", "", false},
		{UKFOIA, "s31(1)(a) and (b)", "", false}, // a list is not a code
		{UKEIR, "reg 12(4)(b)", "reg12(4)(b)", true},
		{UKEIR, "Regulation 12 (5) (e)", "reg12(5)(e)", true},
		{UKEIR, "reg. 13", "reg13", true},
		{UKEIR, "reg13(1)", "reg13(1)", true},
		{UKEIR, "12(4)(a)", "reg12(4)(a)", true},
		{UKEIR, "EIR 12(5)(b)", "reg12(5)(b)", true},
		{UKEIR, "regulation 14", "", false}, // refusal notice
		{ScotFOISA, "section 38(1)(b)", "s38(1)(b)", true},
		{ScotFOISA, "s30(b)(i)", "s30(b)(i)", true},
		{ScotFOISA, "section 17", "", false},          // notice that information is not held
		{ScotFOISA, "regulation 10(5)(e)", "", false}, // an EISR code is not a FOISA code
		{ScotEISR, "regulation 10(5)(e)", "reg10(5)(e)", true},
		{ScotEISR, "Regulation 10 (5) (e)", "reg10(5)(e)", true},
		{ScotEISR, "reg 11(2)", "reg11(2)", true},
		{ScotEISR, "reg. 11", "reg11", true},
		{ScotEISR, "10(4)(a)", "reg10(4)(a)", true},
		{ScotEISR, "EISR 10(5)(b)", "reg10(5)(b)", true},
		{ScotEISR, "EISRs 10(4)(e)", "reg10(4)(e)", true},
		{ScotEISR, "reg 11(3A)", "reg11(3A)", true},  // kept under the catalogued provision
		{ScotEISR, "section 39(2)", "", false},       // a FOISA code is not an EISR code
		{ScotEISR, "regulation 12(5)(e)", "", false}, // the English numbering
		{ScotEISR, "regulation 16", "", false},       // review
		{UKEIR, "regulation 10(5)(e)", "", false},    // the Scottish numbering
		{USFOIA, "b7E", "(b)(7)(E)", true},
		{USFOIA, "(b)(7)(E)", "(b)(7)(E)", true},
		{USFOIA, "(b)(7)(c)", "(b)(7)(C)", true},
		{USFOIA, "Exemption 5", "(b)(5)", true},
		{USFOIA, "exemption 7(C)", "(b)(7)(C)", true},
		{USFOIA, "b(6)", "(b)(6)", true},
		{USFOIA, "b6", "(b)(6)", true},
		{USFOIA, "5 U.S.C. § 552(b)(6)", "(b)(6)", true},
		{USFOIA, "(b)(7)", "(b)(7)", true},
		{USFOIA, "552(a)(6)", "", false},
		{USFOIA, "b10", "", false},
		{IEFOI, "section 37(1)", "s37(1)", true},
		{IEFOI, "s.15(1)(a)", "s15(1)(a)", true},
		{IEFOI, "section 21", "", false}, // internal review in Ireland
		{AUFOI, "s 47F", "s47F", true},
		{AUFOI, "section 47E(d)", "s47E(d)", true},
		{AUFOI, "s47c", "s47C", true},
		{AUFOI, "section 22", "", false}, // edited copies
		{"xx-law", "s31", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeExemptionCode(tt.law, tt.raw)
		if got != tt.out || ok != tt.ok {
			t.Errorf("NormalizeExemptionCode(%s, %q) = %q, %v; want %q, %v", tt.law, tt.raw, got, ok, tt.out, tt.ok)
		}
	}
}

func TestNormalizeExemptionCodes(t *testing.T) {
	got, err := NormalizeExemptionCodes(UKFOIA, []string{"section 40(2)", " ", "S40(2)", "s.43 (2)"})
	if err != nil || !reflect.DeepEqual(got, []string{"s40(2)", "s43(2)"}) {
		t.Fatalf("got %v, %v", got, err)
	}
	got, err = NormalizeExemptionCodes(UKFOIA, []string{"s40(2)", "section 17", "s99"})
	if ErrorCode(err) != EINVALID || got != nil {
		t.Fatalf("want EINVALID and nothing, got %v, %v", got, err)
	}
	if msg := ErrorMessage(err); !strings.Contains(msg, `"section 17"`) || !strings.Contains(msg, `"s99"`) {
		t.Errorf("the message must name every bad code: %q", msg)
	}
}

func TestDetectExemptions(t *testing.T) {
	tests := []struct {
		name string
		law  LawCode
		text string
		want []string // law:code for sibling laws, else code
	}{
		{"section with subsections", UKFOIA, "The information is exempt under section 31(1)(a) of the Act.", []string{"s31(1)(a)"}},
		{"s-dot", UKFOIA, "We rely on s.31 in full.", []string{"s31"}},
		{"S40(2)", UKFOIA, "Names are withheld (S40(2)).", []string{"s40(2)"}},
		{"spaced subsection", UKFOIA, "Section 40 (2) applies to the names.", []string{"s40(2)"}},
		{"list", UKFOIA, "The information is exempt under sections 31 and 40.", []string{"s31", "s40"}},
		{"list with subsections", UKFOIA, "We have applied sections 40(2), 41 and 43(2) of the Freedom of Information Act 2000.",
			[]string{"s40(2)", "s41", "s43(2)"}},
		{"paragraph continuation", UKFOIA, "Sections 31(1)(a) and (b) are engaged.", []string{"s31(1)(a)", "s31(1)(b)"}},
		{"roman continuation", UKFOIA, "Section 36(2)(b)(i) and (ii) apply.", []string{"s36(2)(b)(i)", "s36(2)(b)(ii)"}},
		{"specific wins", UKFOIA, "Section 31(1)(a) is engaged. Section 31 is a qualified exemption.", []string{"s31(1)(a)"}},
		{"general alone is kept", UKFOIA, "Section 31 applies. Section 40(2) applies to names.", []string{"s31", "s40(2)"}},
		{"EIR in a FOIA reply", UKFOIA, "We have dealt with this under the EIR; regulation 12(5)(e) applies.", []string{"uk-eir:reg12(5)(e)"}},
		{"regulation", UKEIR, "Regulation 12(4)(b) applies, and names are withheld under reg. 13.", []string{"reg12(4)(b)", "reg13"}},
		{"regulation list", UKEIR, "We rely on regulations 12(5)(e) and 13.", []string{"reg12(5)(e)", "reg13"}},
		{"EIR short form", UKEIR, "The EIR 12(5)(b) exception applies.", []string{"reg12(5)(b)"}},
		{"exception at", UKEIR, "The exception at 12(5)(e) applies, and the exceptions in regulation 12(4)(d) and 13.", []string{"reg12(5)(e)", "reg12(4)(d)", "reg13"}},
		{"exception count", UKEIR, "Exceptions in 13 cases were applied, with the exception of 2 documents.", nil},
		{"FOISA", ScotFOISA, "The information is exempt under section 38(1)(b) of FOISA.", []string{"s38(1)(b)"}},
		{"EISR regulation", ScotEISR, "The information is excepted from disclosure under regulation 10(5)(e) of the EISRs.", []string{"reg10(5)(e)"}},
		{"EISR list", ScotEISR, "We have applied regs 10(4)(a) and 11(2).", []string{"reg10(4)(a)", "reg11(2)"}},
		{"EISR full name", ScotEISR, "Regulation 10(4)(e) of the Environmental Information (Scotland) Regulations 2004 applies.", []string{"reg10(4)(e)"}},
		{"EISR short form", ScotEISR, "The EISR 10(5)(b) exception applies.", []string{"reg10(5)(b)"}},
		{"EISR continuation", ScotEISR, "Regulations 10(5)(e) and (f) are engaged, and names are withheld under reg. 11(2).", []string{"reg10(5)(e)", "reg10(5)(f)", "reg11(2)"}},
		{"FOISA in an EISR reply", ScotEISR, "The information is exempt under section 39(2) of FOISA; regulation 10(4)(b) applies.", []string{"scot-foisa:s39(2)", "reg10(4)(b)"}},
		{"EISR in a FOISA reply", ScotFOISA, "The information is environmental, so we have applied section 39(2) of FOISA and dealt with your request under the EISRs. Regulation 10(5)(b) applies.",
			[]string{"s39(2)", "scot-eisr:reg10(5)(b)"}},
		{"EIR numbering in a FOISA reply", ScotFOISA, "We rely on regulation 12(5)(e).", nil},
		{"EISR numbering in an EIR reply", UKEIR, "We rely on regulation 10(5)(e) and section 39.", []string{"uk-foia:s39"}},
		{"EISR notices", ScotEISR, "Please provide further particulars (regulation 9(2)); you may ask for a review under regulation 16.", nil},
		{"US paren", USFOIA, "Withheld under 5 U.S.C. § 552(b)(6).", []string{"(b)(6)"}},
		{"US exemption paren", USFOIA, "Redacted pursuant to exemption (b)(7)(E).", []string{"(b)(7)(E)"}},
		{"US exemption number", USFOIA, "Withheld in full under Exemption 5.", []string{"(b)(5)"}},
		{"US exemption list", USFOIA, "Properly withheld under FOIA Exemptions 6 and 7(C).", []string{"(b)(6)", "(b)(7)(C)"}},
		{"US exemption in words", USFOIA, "The record is withheld in full under FOIA Exemption Five, the deliberative process privilege.", []string{"(b)(5)"}},
		{"US exemption list in words", USFOIA, "Names were redacted under Exemptions Six and Seven(C), and one page was referred to the FBI.", []string{"(b)(6)", "(b)(7)(C)"}},
		{"US number words elsewhere", USFOIA, "One exemption applies to three of the nine pages: Exemption 6.", []string{"(b)(6)"}},
		{"US short", USFOIA, "Names were redacted under b(6) and b7C.", []string{"(b)(6)", "(b)(7)(C)"}},
		{"US 7 and 7C", USFOIA, "Exemption 7 applies; see (b)(7)(A).", []string{"(b)(7)(A)"}},
		{"Ireland", IEFOI, "I refuse the request under section 37(1) of the FOI Act.", []string{"s37(1)"}},
		{"Australia", AUFOI, "Material was deleted under s 47F and s 47E(d).", []string{"s47F", "s47E(d)"}},

		// False positives the issue names, and others seen in real letters.
		{"s1 right of access", UKFOIA, "Under section 1 of the Act you have a right to information.", nil},
		{"s1(1)(a)", UKFOIA, "Section 1(1)(a) of the Act requires us to confirm.", nil},
		{"s10 time limit", UKFOIA, "We must respond within the time allowed by section 10.", nil},
		{"s16 advice", UKFOIA, "Under section 16 advice and assistance, you may narrow your request.", nil},
		{"s17 refusal notice", UKFOIA, "This letter is a section 17 refusal notice.", nil},
		{"s45 code", UKFOIA, "We follow the Section 45 Code of Practice.", nil},
		{"s50 complaint", UKFOIA, "You may complain to the ICO under section 50.", nil},
		{"dates and phones", UKFOIA, "Received on 31 March 2026; call 0303 123 1113 or 01632 960 412.", nil},
		{"postcode", UKFOIA, "Town Hall, Rose Hill, Chesterfield S40 2ZZ", nil},
		{"possessive", UKFOIA, "The council's 43 school crossing sites are listed.", nil},
		{"other act", UKFOIA, "Under section 29 of the Data Protection Act 2018 we may share data.", nil},
		{"other act list", UKFOIA, "Sections 40 and 41 of the Local Government Act 1972 are not relevant here.", nil},
		{"count", UKFOIA, "Section 12 was considered and 14 days later we wrote again.", []string{"s12"}},
		{"conditional", UKFOIA, "If the cost would exceed the limit in section 12, we will tell you.", nil},
		{"US 552(a)(6)", USFOIA, "Under 5 U.S.C. § 552(a)(6)(A)(i) we have 20 working days; see 552(a)(6)(B).", nil},
		{"Privacy Act", USFOIA, "Disclosure is permitted by 5 U.S.C. § 552a(b)(3) and exempt under (j)(2).", nil},
		{"FOISA notices", ScotFOISA, "This is a notice under section 17; you may ask for a review under section 20.", nil},
		{"Ireland review section", IEFOI, "You may seek an internal review under section 21 within four weeks.", nil},
		{"Australia edited copy", AUFOI, "An edited copy was prepared under section 22.", nil},

		// The requester's words quoted in the letter, and conditions.
		{"quoted request", UKFOIA, "You asked: \"How many drones? I appreciate you may rely on section 24 or section 38.\"\n\nThe pilots' names are exempt under section 40(2).",
			[]string{"s40(2)"}},
		{"curly quoted request", ScotFOISA, "Thank you for your request dated 4 March for:\n\n“minutes, unless exempt under section 30”\n\nWe withhold them under section 29(1)(a).",
			[]string{"s29(1)(a)"}},
		{"request heading block", UKFOIA, "REQUEST\nWhy did you apply section 43(2) last time?\n\nRESPONSE\nThe information is not held.", nil},
		{"quotation not the request", UKFOIA, "The report is titled \"Review of section 31 policing\" and is exempt under section 31(1)(a).", []string{"s31(1)(a)"}},
		{"please note that if", UKFOIA, "Please note that if the cost would exceed £450, the council may refuse your request under section 12.", nil},
		{"unless clause", UKFOIA, "We may be required to disclose this e-mail under the Act, unless the information is exempt under Section 40.", nil},
		{"unless clause closed", UKFOIA, "We cannot release the names unless the officers consent; section 40(2) therefore applies.", []string{"s40(2)"}},
		{"US and/or", USFOIA, "Withheld under Exemptions (b)(6) and/or (b)(7)(C).", []string{"(b)(6)", "(b)(7)(C)"}},
		{"and/or continuation", UKFOIA, "Section 38(1)(a) and/or (b) is engaged.", []string{"s38(1)(a)", "s38(1)(b)"}},
		{"by virtue of", UKFOIA, "The names are exempt under section 40(2) by virtue of section 40(3A)(a).", []string{"s40(2)"}},

		// House styles: lists with descriptions, ranges, sub-sections, quoted statute.
		{"bracketed descriptions", UKFOIA, "The information is withheld as Sections 24 (National Security) and 31 (Law Enforcement) of the Act apply.", []string{"s24", "s31"}},
		{"ampersand and descriptions", UKFOIA, "Sections 35(1)(a)&(b) (formulation of government policy) and 38(1)(b) (health and safety) apply.", []string{"s35(1)(a)", "s35(1)(b)", "s38(1)(b)"}},
		{"one-word description", ScotFOISA, "We rely on sections 36(2) (Confidentiality) and 33(1)(b) (Commercial) of FOISA.", []string{"s36(2)", "s33(1)(b)"}},
		{"description then other act", UKFOIA, "Section 29 (crime and taxation) of the Data Protection Act 2018 applies.", nil},
		{"letter range", UKFOIA, "Sections 31(1)(a)-(c) are engaged.", []string{"s31(1)(a)", "s31(1)(b)", "s31(1)(c)"}},
		{"roman range", UKFOIA, "The qualified person's opinion engages section 36(2)(b)(i) to (ii).", []string{"s36(2)(b)(i)", "s36(2)(b)(ii)"}},
		{"number range", UKFOIA, "The exemptions in sections 27 to 29 apply.", []string{"s27", "s28", "s29"}},
		{"a dash is not a range of words", UKFOIA, "Section 43(2) - Commercial interests.", []string{"s43(2)"}},
		{"s. and and", UKFOIA, "Withheld under s.31(1)(a) and (b) of the FOIA.", []string{"s31(1)(a)", "s31(1)(b)"}},
		{"sub-sections", UKFOIA, "by virtue of the following sub-sections: 23(5), 24(2) and 31(3).", []string{"s23(5)", "s24(2)", "s31(3)"}},
		{"sub-sections keyword", UKFOIA, "by virtue of sub-sections 23(5), 24(2) and 31(3) of the Act.", []string{"s23(5)", "s24(2)", "s31(3)"}},
		{"NCND kept at depth", UKFOIA, "Section 23(5) applies. Section 23 is an absolute exemption.", []string{"s23(5)"}},
		{"quoted statute", UKFOIA, "Section 31(1) provides that:\n\n\"Information which is not exempt information by virtue of section 30 is exempt information if its disclosure would prejudice (a) the prevention or detection of crime\"\n\nWe rely on section 31(1)(a).", []string{"s31(1)(a)"}},
		{"statute paraphrased", UKFOIA, "Information which is not exempt by virtue of section 30 may be exempt under section 31.", []string{"s31"}},
		{"statute quoted after states", UKEIR, "Regulation 12(4)(b) states that \"a public authority may refuse under regulation 12(5)(e)\". We refuse under regulation 12(4)(b).", []string{"reg12(4)(b)"}},
		{"Irish later subsection is the test", IEFOI, "I refuse under section 37(1). I have considered whether section 37(2) or 37(5) applies and they do not.", []string{"s37(1)"}},
		{"Irish sub-section", IEFOI, "Refused under sub-section 32(1)(a) and section 42(f) of the FOI Act.", []string{"s32(1)(a)", "s42(f)"}},
		{"US parenthesised and", USFOIA, "Withheld pursuant to (b)(6) and (b)(7)(C).", []string{"(b)(6)", "(b)(7)(C)"}},
		{"US Exemption words", USFOIA, "Pursuant to Title 5 U.S.C. § 552, Exemptions 6, 7(C) and 7(E).", []string{"(b)(6)", "(b)(7)(C)", "(b)(7)(E)"}},
		{"US Exemption 7(C)", USFOIA, "Exemption 7(C) protects records compiled for law enforcement purposes.", []string{"(b)(7)(C)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range DetectExemptions(tt.law, tt.text) {
				got = append(got, citationKey(tt.law, c))
				if c.Sentence == "" || !strings.Contains(strings.Join(strings.Fields(tt.text), " "), c.Sentence) {
					t.Errorf("%s: sentence %q not from the text", c.Code, c.Sentence)
				}
				if c.Offset < 0 || c.Offset >= len(tt.text) {
					t.Errorf("%s: offset %d out of range", c.Code, c.Offset)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DetectExemptions(%s, %q)\n got %v\nwant %v", tt.law, tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectExemptionsSentence(t *testing.T) {
	text := "Dear Ms Smith,\n\nThank you for your request. The names are exempt under s. 40(2) of the\nAct, as they are personal data. Nothing else was withheld."
	got := DetectExemptions(UKFOIA, text)
	if len(got) != 1 {
		t.Fatalf("got %+v", got)
	}
	if want := "The names are exempt under s. 40(2) of the Act, as they are personal data."; got[0].Sentence != want {
		t.Errorf("sentence %q, want %q", got[0].Sentence, want)
	}
	if !strings.HasPrefix(text[got[0].Offset:], "s. 40(2)") {
		t.Errorf("offset %d points at %q", got[0].Offset, text[got[0].Offset:])
	}
}

func TestSentences(t *testing.T) {
	text := "Our ref: FOI/1\n\nDear Sir,\nThe U.S. Department holds it under 5 U.S.C. § 552. See s. 31 and reg. 13. Done!\n- item one\n- item two"
	var got []string
	for _, s := range Sentences(text) {
		got = append(got, s.Text)
		if !strings.HasPrefix(strings.Join(strings.Fields(text[s.Start:s.End]), " "), s.Text[:min(10, len(s.Text))]) {
			t.Errorf("span %d-%d does not hold %q", s.Start, s.End, s.Text)
		}
	}
	want := []string{"Our ref: FOI/1", "Dear Sir, The U.S. Department holds it under 5 U.S.C. § 552.", "See s. 31 and reg. 13.", "Done!", "- item one", "- item two"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sentences\n got %q\nwant %q", got, want)
	}
}

// labelledReply is one file of testdata/replies or testdata/replies-round2.
type labelledReply struct {
	set        string // the folder: "replies" or "replies-round2"
	name       string
	law        LawCode
	exemptions []string // law:code for sibling laws, else code
	body       string
}

// labelledSets are the folders of labelled replies, in the order they were
// written (see their READMEs): each later set was first run unseen.
var labelledSets = []string{"replies", "replies-round2", "replies-round3"}

func readLabelledReplies(t *testing.T) []labelledReply {
	t.Helper()
	var out []labelledReply
	for _, set := range labelledSets {
		files, err := filepath.Glob(filepath.Join("testdata", set, "*.txt"))
		if err != nil || len(files) < 20 {
			t.Fatalf("labelled replies in %s: %d files, %v", set, len(files), err)
		}
		for _, f := range files {
			r := readLabelledReply(t, f)
			r.set = set
			out = append(out, r)
		}
	}
	return out
}

func readLabelledReply(t *testing.T, f string) labelledReply {
	t.Helper()
	fh, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(fh)
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	body, err := io.ReadAll(msg.Body)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := labelledReply{name: filepath.Base(f), law: LawCode(msg.Header.Get("X-Label-Law")), body: string(body)}
	if _, ok := LawByCode(r.law); !ok {
		t.Fatalf("%s: bad X-Label-Law %q", f, r.law)
	}
	for _, c := range strings.Split(msg.Header.Get("X-Label-Exemptions"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			law, code := r.law, c
			if l, cc, ok := strings.Cut(c, ":"); ok {
				law, code = LawCode(l), cc
			}
			if n, ok := NormalizeExemptionCode(law, code); !ok || !strings.HasPrefix(code, n) {
				t.Fatalf("%s: label %q is not a catalogued provision or a sub-division of one", f, c)
			}
			r.exemptions = append(r.exemptions, c)
		}
	}
	return r
}

func citationKey(requestLaw LawCode, c ExemptionCitation) string {
	if c.Law != requestLaw {
		return string(c.Law) + ":" + c.Code
	}
	return c.Code
}

// Floors set from what detection achieves on the labelled set (see the
// printed figures); a change that lowers them is a regression. The set is
// written by the project; replies 41-56 were written after detection and
// first run unseen (all 9 of their citations found, no false positive), and
// so were replies 57-80 (replies-round2: all 37 found, 6 false positives,
// precision 0.860, before the fixes); mail the project has never seen will
// do worse than this. This measures the detector on the whole body: the
// bounce in round 2 quotes our own request, whose citations Classify never
// proposes (see mailsync.TestClassifyLabelled for what a user is shown).
const (
	minDetectionPrecision = 0.95
	minDetectionRecall    = 0.95
)

// detectionScore counts citations over some labelled replies.
type detectionScore struct{ replies, tp, fp, fn int }

func (s detectionScore) String() string {
	return fmt.Sprintf("%d replies, %d cited, %d detected correctly, %d false positives, %d missed; precision %.3f, recall %.3f",
		s.replies, s.tp+s.fn, s.tp, s.fp, s.fn, s.precision(), s.recall())
}

func (s detectionScore) precision() float64 { return float64(s.tp) / float64(max(s.tp+s.fp, 1)) }
func (s detectionScore) recall() float64    { return float64(s.tp) / float64(max(s.tp+s.fn, 1)) }

// TestDetectExemptionsLabelled measures detection over the labelled replies
// and prints precision and recall, for each set and in all.
func TestDetectExemptionsLabelled(t *testing.T) {
	replies := readLabelledReplies(t)
	var all detectionScore
	bySet := map[string]*detectionScore{}
	byLaw := map[string]*detectionScore{} // "set law": each set's figures per law
	for _, r := range replies {
		perLaw := byLaw[r.set+" "+string(r.law)]
		if perLaw == nil {
			perLaw = &detectionScore{}
			byLaw[r.set+" "+string(r.law)] = perLaw
		}
		set := bySet[r.set]
		if set == nil {
			set = &detectionScore{}
			bySet[r.set] = set
		}
		want := map[string]bool{}
		for _, c := range r.exemptions {
			want[c] = true
		}
		got := map[string]bool{}
		for _, c := range DetectExemptions(r.law, r.body) {
			got[citationKey(r.law, c)] = true
		}
		var extra, missed []string
		for c := range got {
			if !want[c] {
				extra = append(extra, c)
			}
		}
		for c := range want {
			if !got[c] {
				missed = append(missed, c)
			}
		}
		tp := len(got) - len(extra)
		for _, s := range []*detectionScore{&all, set, perLaw} {
			s.replies++
			s.tp += tp
			s.fp += len(extra)
			s.fn += len(missed)
		}
		if len(extra)+len(missed) > 0 {
			sort.Strings(extra)
			sort.Strings(missed)
			t.Logf("%s/%s: false positives %v, missed %v", r.set, r.name, extra, missed)
		}
	}
	lines := []string{"exemption detection over all labelled replies: " + all.String()}
	for _, set := range labelledSets {
		lines = append(lines, fmt.Sprintf("  %s: %s", set, bySet[set]))
		for _, law := range Laws {
			if s := byLaw[set+" "+string(law.Code)]; s != nil {
				lines = append(lines, fmt.Sprintf("    %-10s %s", law.Code, s))
			}
		}
	}
	summary := strings.Join(lines, "\n")
	t.Log(summary)
	fmt.Println(summary)
	if all.precision() < minDetectionPrecision || all.recall() < minDetectionRecall {
		t.Errorf("below the floor (precision %.2f, recall %.2f)", minDetectionPrecision, minDetectionRecall)
	}
}

// Number words are read as digits in place: a look-alike letter that case
// folding matches ("ſ", the long s, in "xſix") must not move what comes after.
func TestNumberWordsKeepOffsets(t *testing.T) {
	text := "Withheld under Exemptionxſix; see (b)(5)."
	got := DetectExemptions(USFOIA, text)
	if len(got) != 1 || got[0].Code != "(b)(5)" || !strings.HasPrefix(text[got[0].Offset:], "(b)(5)") {
		t.Fatalf("detected %+v; want (b)(5) at its place in %q", got, text)
	}
	if n := numberWordsAsDigits(text); len(n) != len(text) {
		t.Errorf("rewritten text is %d bytes, the original %d", len(n), len(text))
	}
}

// A sub-division the catalogue does not list is described by the provision
// it belongs to, under its own code, so pages show "s23(5)" with s23's title.
func TestExemptionByCodeSubdivision(t *testing.T) {
	e, ok := ExemptionByCode(UKFOIA, "s23(5)")
	if !ok || e.Code != "s23(5)" || e.Parent != "s23" || e.Title == "" || e.Kind != ExemptionAbsolute {
		t.Fatalf("ExemptionByCode(s23(5)) = %+v, %v", e, ok)
	}
	if Catalogued(UKFOIA, "s23(5)") || !Catalogued(UKFOIA, "s23") {
		t.Error("Catalogued: s23(5) is not an entry of its own, s23 is")
	}
	if _, ok := ExemptionByCode(UKFOIA, "s17(1)"); ok {
		t.Error("s17(1): nothing above it is catalogued")
	}
}
