package tracker

import "strings"

// LawCode names an access-to-information law.
type LawCode string

const (
	UKFOIA    LawCode = "uk-foia"
	UKEIR     LawCode = "uk-eir"
	ScotFOISA LawCode = "scot-foisa"
	ScotEISR  LawCode = "scot-eisr"
	USFOIA    LawCode = "us-foia"
	IEFOI     LawCode = "ie-foi"
	AUFOI     LawCode = "au-foi"
)

// DayUnit is how a statutory period is counted.
type DayUnit string

const (
	WorkingDays  DayUnit = "working_days"
	CalendarDays DayUnit = "calendar_days"
)

// Law describes one access-to-information regime: its periods, the calendar it
// counts working days on, and who enforces it.
type Law struct {
	Code      LawCode `json:"code"`
	Name      string  `json:"name"`
	ShortName string  `json:"short_name"`
	Citation  string  `json:"citation"` // the section that sets the time limit
	// ResponsePeriod in Unit counted from the day after receipt.
	ResponsePeriod int     `json:"response_period"`
	Unit           DayUnit `json:"unit"`
	// Calendar names the holidays that are not working days (see Calendar).
	Calendar string `json:"calendar"`
	// WorkingDayRule cites where the law says which days are not working days.
	WorkingDayRule string `json:"working_day_rule"`
	// LastDayRule, for periods in calendar days, cites the rule that moves a
	// last day falling on a weekend or holiday to the next working day; empty
	// when the last day stays put.
	LastDayRule string `json:"last_day_rule,omitempty"`
	// Clarification: what a request for clarification does to the clock.
	Clarification     ClarificationEffect `json:"clarification"`
	ClarificationRule string              `json:"clarification_rule"`
	// FeeRule cites why the days between a fees notice and payment are disregarded.
	FeeRule string `json:"fee_rule"`
	// Extension: what the law allows, in words, and the most days (in Unit) it
	// may add before foitrack flags it as excessive.
	ExtensionRule    string `json:"extension_rule"`
	MaxExtensionDays int    `json:"max_extension_days"`
	// ExtensionDefaultDays (in Unit) is what an extension claimed without a new
	// date adds: US unusual circumstances 10, Ireland's s14 4 weeks, Australia
	// 30 days; for UK laws, which set no fixed length, the Code's limit is assumed.
	ExtensionDefaultDays int `json:"extension_default_days"`
	// Internal review (or appeal): how long the requester has to ask, and how
	// long the authority has to decide (DecideMax: the outer limit, if any).
	ReviewName       string  `json:"review_name"`
	ReviewAskDays    int     `json:"review_ask_days"`
	ReviewAskUnit    DayUnit `json:"review_ask_unit"`
	ReviewDecideDays int     `json:"review_decide_days"`
	ReviewDecideMax  int     `json:"review_decide_max"`
	ReviewDecideUnit DayUnit `json:"review_decide_unit"`
	Regulator        string  `json:"regulator"`
	RegulatorURL     string  `json:"regulator_url"`
	// RegulatorWindowMonths: how long after the last substantive contact a
	// complaint should normally be made (ICO: 3 months; SIC: 6 months).
	// RegulatorWindowDays is used instead where the law counts days (OAIC: 60).
	RegulatorWindowMonths int `json:"regulator_window_months"`
	RegulatorWindowDays   int `json:"regulator_window_days,omitempty"`

	// What the next-action advice cites (see nextaction.go). Where a rule is
	// guidance rather than statute, the citation says so.
	//
	// ReviewAskRule: where the window to ask for a review comes from.
	ReviewAskRule string `json:"review_ask_rule"`
	// ReviewDecideRule: where the time for the review decision comes from.
	ReviewDecideRule string `json:"review_decide_rule"`
	// RegulatorRule: the right to complain and the window for it.
	RegulatorRule string `json:"regulator_rule"`
	// RegulatorLateRule: the right to go to the regulator when the review
	// is not decided in time (the window then runs from the day it was due).
	RegulatorLateRule string `json:"regulator_late_rule"`
	// RegulatorDirect: the regulator may be asked without an internal
	// review first (Australia: IC review, s54L). Elsewhere the review comes first.
	RegulatorDirect bool `json:"regulator_direct,omitempty"`
	// RegulatorDecideMonths: the time the regulator has to decide, where
	// the law sets one (FOISA s49(3)(b): 4 months).
	RegulatorDecideMonths int    `json:"regulator_decide_months,omitempty"`
	RegulatorDecideRule   string `json:"regulator_decide_rule,omitempty"`
	// Appeal against the regulator's decision: to whom, within how many
	// calendar days of the decision, and the rule. No AppealDays: the law
	// gives no window foitrack can count.
	AppealTo   string `json:"appeal_to,omitempty"`
	AppealDays int    `json:"appeal_days,omitempty"`
	AppealRule string `json:"appeal_rule,omitempty"`
	// FeePayMonths: the fee must be paid within this many months beginning
	// with the day of the fees notice, or the authority need not answer.
	FeePayMonths int    `json:"fee_pay_months,omitempty"`
	FeePayRule   string `json:"fee_pay_rule,omitempty"`
}

// ClarificationEffect is what a request for clarification does to the clock.
type ClarificationEffect string

const (
	// ClarificationRestarts: the day the clarification is received becomes the
	// new date of receipt and the count starts again (FOIA s1(3), EIR reg 9(4)).
	ClarificationRestarts ClarificationEffect = "restart"
	// ClarificationPauses: the days from the request for clarification to the
	// answer are disregarded, as for a fees notice (US FOIA tolling).
	ClarificationPauses ClarificationEffect = "pause"
)

// Laws is every supported law, in display order.
var Laws = []Law{
	{
		Code: UKFOIA, Name: "Freedom of Information Act 2000", ShortName: "FOIA", Citation: "FOIA 2000 s10(1)",
		ResponsePeriod: 20, Unit: WorkingDays, Calendar: CalendarUK,
		WorkingDayRule: "FOIA s10(6)", Clarification: ClarificationRestarts, ClarificationRule: "FOIA s1(3) and s10(6)",
		FeeRule: "FOIA s10(2)", ExtensionDefaultDays: 20,
		ExtensionRule:    "FOIA s10(3): such time as is reasonable to consider the public interest; ICO guidance: no more than 20 further working days (guidance, not statute)",
		MaxExtensionDays: 20,
		ReviewName:       "internal review", ReviewAskDays: 40, ReviewAskUnit: WorkingDays,
		ReviewDecideDays: 20, ReviewDecideMax: 40, ReviewDecideUnit: WorkingDays,
		Regulator: "Information Commissioner's Office (ICO)", RegulatorURL: "https://ico.org.uk/make-a-complaint/",
		RegulatorWindowMonths: 3,
		ReviewAskRule:         "the s45 Code of Practice, part 5 (guidance, not statute: FOIA itself sets no time to ask)",
		ReviewDecideRule:      "the s45 Code of Practice, part 5: 20 working days, at most 40 where the review is complex (guidance, not statute)",
		RegulatorRule:         "FOIA s50; the ICO normally expects an internal review first and a complaint within 3 months of the last meaningful contact with the authority (ICO guidance, not statute)",
		RegulatorLateRule:     "FOIA s50; the ICO accepts a complaint when the internal review has not been decided in time (ICO guidance, not statute)",
		AppealTo:              "First-tier Tribunal (Information Rights)", AppealDays: 28,
		AppealRule:   "FOIA s57; within 28 days of the date the decision notice was sent (Tribunal Procedure (First-tier Tribunal) (General Regulatory Chamber) Rules 2009, r22)",
		FeePayMonths: 3, FeePayRule: "FOIA s9(2)",
	},
	{
		Code: UKEIR, Name: "Environmental Information Regulations 2004", ShortName: "EIR", Citation: "EIR 2004 reg 5(2)",
		ResponsePeriod: 20, Unit: WorkingDays, Calendar: CalendarUK,
		WorkingDayRule: "EIR reg 2(1) (FOIA s10(6))", Clarification: ClarificationRestarts, ClarificationRule: "EIR reg 9(4)",
		FeeRule: "EIR reg 8 (advance payment)", ExtensionDefaultDays: 20,
		ExtensionRule:    "reg 7(1): up to 40 working days where the request is complex and voluminous",
		MaxExtensionDays: 20,
		ReviewName:       "reconsideration (reg 11)", ReviewAskDays: 40, ReviewAskUnit: WorkingDays,
		ReviewDecideDays: 40, ReviewDecideMax: 40, ReviewDecideUnit: WorkingDays,
		Regulator: "Information Commissioner's Office (ICO)", RegulatorURL: "https://ico.org.uk/make-a-complaint/",
		RegulatorWindowMonths: 3,
		ReviewAskRule:         "EIR reg 11(2)",
		ReviewDecideRule:      "EIR reg 11(4)",
		RegulatorRule:         "FOIA s50 as applied by EIR reg 18; the ICO normally expects a complaint within 3 months of the last meaningful contact with the authority (ICO guidance, not statute)",
		RegulatorLateRule:     "FOIA s50 as applied by EIR reg 18; the ICO accepts a complaint when the reconsideration has not been decided in time (ICO guidance, not statute)",
		AppealTo:              "First-tier Tribunal (Information Rights)", AppealDays: 28,
		AppealRule: "FOIA s57 as applied by EIR reg 18; within 28 days of the date the decision notice was sent (Tribunal Procedure (First-tier Tribunal) (General Regulatory Chamber) Rules 2009, r22)",
	},
	{
		Code: ScotFOISA, Name: "Freedom of Information (Scotland) Act 2002", ShortName: "FOISA", Citation: "FOISA s10(1)",
		ResponsePeriod: 20, Unit: WorkingDays, Calendar: CalendarScotland,
		WorkingDayRule: "FOISA s73", Clarification: ClarificationRestarts, ClarificationRule: "FOISA s1(3) and s10(1)(b)",
		FeeRule:          "FOISA s10(2)",
		ExtensionRule:    "no general extension; s10(1) is a hard limit",
		MaxExtensionDays: 0,
		ReviewName:       "review (s20/s21)", ReviewAskDays: 40, ReviewAskUnit: WorkingDays,
		ReviewDecideDays: 20, ReviewDecideMax: 20, ReviewDecideUnit: WorkingDays,
		Regulator: "Scottish Information Commissioner", RegulatorURL: "https://www.foi.scot/appeal",
		RegulatorWindowMonths: 6,
		ReviewAskRule:         "FOISA s20(5)",
		ReviewDecideRule:      "FOISA s21(1)",
		RegulatorRule:         "FOISA s47(1) and s47(4)(a): within 6 months after receiving the review response",
		RegulatorLateRule:     "FOISA s47(4)(b): within 6 months after the time for the review response ran out",
		RegulatorDecideMonths: 4, RegulatorDecideRule: "FOISA s49(3)(b): within 4 months of receiving the application, or such other period as is reasonable",
		AppealTo: "Court of Session (on a point of law)", AppealDays: 42,
		AppealRule:   "FOISA s56; within 42 days of the decision notice (Rules of the Court of Session, r41.20)",
		FeePayMonths: 3, FeePayRule: "FOISA s9(4)",
	},
	{
		// Scotland's EIR (SSI 2004/520). Reg 9(4) (the further particulars are
		// treated as the date of the request) was checked against the text on
		// legislation.gov.uk; the other references (reg 2(1) and FOISA s73, reg
		// 5(2)(a), reg 7(1), reg 8, reg 16(4), reg 17) are as the brief gave them,
		// not checked against the regulations' text.
		Code: ScotEISR, Name: "Environmental Information (Scotland) Regulations 2004", ShortName: "EISR", Citation: "EISR reg 5(2)(a)",
		ResponsePeriod: 20, Unit: WorkingDays, Calendar: CalendarScotland,
		WorkingDayRule: "EISR reg 2(1) (FOISA s73)", Clarification: ClarificationRestarts, ClarificationRule: "EISR reg 9(4) (further particulars)",
		FeeRule: "EISR reg 8", ExtensionDefaultDays: 20,
		ExtensionRule:    "reg 7(1): up to 20 more working days where the volume and complexity of the information make 20 impracticable",
		MaxExtensionDays: 20,
		ReviewName:       "review (reg 16)", ReviewAskDays: 40, ReviewAskUnit: WorkingDays,
		ReviewDecideDays: 20, ReviewDecideMax: 20, ReviewDecideUnit: WorkingDays,
		// Reg 17 applies Part 4 of FOISA: appeal to the Commissioner as under FOISA.
		Regulator: "Scottish Information Commissioner", RegulatorURL: "https://www.foi.scot/appeal",
		RegulatorWindowMonths: 6,
		ReviewAskRule:         "EISR reg 16(2)",
		ReviewDecideRule:      "EISR reg 16(4)",
		RegulatorRule:         "EISR reg 17 applying FOISA s47(4)(a): within 6 months after receiving the review response",
		RegulatorLateRule:     "EISR reg 17 applying FOISA s47(4)(b): within 6 months after the time for the review response ran out",
		RegulatorDecideMonths: 4, RegulatorDecideRule: "EISR reg 17 applying FOISA s49(3)(b): within 4 months of receiving the application, or such other period as is reasonable",
		AppealTo: "Court of Session (on a point of law)", AppealDays: 42,
		AppealRule: "EISR reg 17 applying FOISA s56; within 42 days of the decision notice (Rules of the Court of Session, r41.20)",
	},
	{
		Code: USFOIA, Name: "Freedom of Information Act (5 U.S.C. 552)", ShortName: "US FOIA", Citation: "5 U.S.C. 552(a)(6)(A)(i)",
		ResponsePeriod: 20, Unit: WorkingDays, Calendar: CalendarUSFederal,
		WorkingDayRule: "5 U.S.C. 552(a)(6)(A)(i)", Clarification: ClarificationPauses, ClarificationRule: "552(a)(6)(A)(ii)(I)",
		FeeRule: "552(a)(6)(A)(ii)(II)", ExtensionDefaultDays: 10,
		ExtensionRule:    "552(a)(6)(B): 10 more working days in unusual circumstances, with written notice",
		MaxExtensionDays: 10,
		ReviewName:       "administrative appeal", ReviewAskDays: 90, ReviewAskUnit: CalendarDays,
		ReviewDecideDays: 20, ReviewDecideMax: 20, ReviewDecideUnit: WorkingDays,
		Regulator: "Office of Government Information Services (OGIS) / federal court", RegulatorURL: "https://www.archives.gov/ogis",
		RegulatorWindowMonths: 0,
		ReviewAskRule:         "5 U.S.C. 552(a)(6)(A)(i)(III)(aa): at least 90 days after the adverse determination (the agency's own rules may allow longer)",
		ReviewDecideRule:      "5 U.S.C. 552(a)(6)(A)(ii)",
		RegulatorRule:         "OGIS mediation (5 U.S.C. 552(h)(3)), voluntary and with no deadline, or a suit in federal district court (552(a)(4)(B)), generally within 6 years (28 U.S.C. 2401(a))",
		RegulatorLateRule:     "5 U.S.C. 552(a)(6)(C)(i): when the appeal is not decided in time, remedies are treated as exhausted and you may go to court (or ask OGIS to mediate)",
	},
	{
		Code: IEFOI, Name: "Freedom of Information Act 2014 (Ireland)", ShortName: "FOI Act 2014 (IE)", Citation: "FOI Act 2014 s13(1)",
		ResponsePeriod: 20, Unit: WorkingDays, Calendar: CalendarIreland,
		// Unverified reading: a request amended with the body's help (s15(4)) is
		// treated as received on the day it is amended, as under FOIA s1(3).
		WorkingDayRule: "FOI Act 2014 s2 (\"week\")", Clarification: ClarificationRestarts, ClarificationRule: "FOI Act 2014 s15(4) (amended request)",
		FeeRule: "FOI Act 2014 s27", ExtensionDefaultDays: 20,
		ExtensionRule:    "s14: up to 4 further weeks where the request covers many records",
		MaxExtensionDays: 20,
		ReviewName:       "internal review (s21)", ReviewAskDays: 20, ReviewAskUnit: WorkingDays,
		ReviewDecideDays: 15, ReviewDecideMax: 15, ReviewDecideUnit: WorkingDays,
		Regulator: "Office of the Information Commissioner (OIC)", RegulatorURL: "https://www.oic.ie/",
		RegulatorWindowMonths: 6,
		ReviewAskRule:         "FOI Act 2014 s21",
		ReviewDecideRule:      "FOI Act 2014 s21",
		RegulatorRule:         "FOI Act 2014 s22: apply to the Information Commissioner within 6 months of the review decision",
		RegulatorLateRule:     "FOI Act 2014 s21 and s22: a review not decided in time counts as a refusal, which may be taken to the Information Commissioner within 6 months",
		AppealTo:              "High Court (on a point of law)", AppealDays: 56,
		AppealRule: "FOI Act 2014 s24: within 8 weeks of the Commissioner's decision",
	},
	{
		Code: AUFOI, Name: "Freedom of Information Act 1982 (Australia)", ShortName: "FOI Act 1982 (AU)", Citation: "FOI Act 1982 s15(5)(b)",
		ResponsePeriod: 30, Unit: CalendarDays, Calendar: CalendarAustralia,
		WorkingDayRule: "Acts Interpretation Act 1901 s36(2)", LastDayRule: "Acts Interpretation Act 1901 s36(2)",
		// Unverified reading: the request consultation period is not counted in
		// the 30 days (s24AB), and a charge notice suspends them (s31).
		Clarification: ClarificationPauses, ClarificationRule: "FOI Act 1982 s24AB(8)",
		FeeRule: "FOI Act 1982 s31", ExtensionDefaultDays: 30,
		ExtensionRule:    "s15AA/s15AB/s15(6)-(8): 30 more days by agreement or for consultation",
		MaxExtensionDays: 30,
		ReviewName:       "internal review (s54)", ReviewAskDays: 30, ReviewAskUnit: CalendarDays,
		ReviewDecideDays: 30, ReviewDecideMax: 30, ReviewDecideUnit: CalendarDays,
		Regulator: "Office of the Australian Information Commissioner (OAIC)", RegulatorURL: "https://www.oaic.gov.au/",
		RegulatorWindowDays: 60, // s54S(1): 60 days after notice of the decision
		ReviewAskRule:       "FOI Act 1982 s54B: within 30 days after notice of the decision",
		ReviewDecideRule:    "FOI Act 1982 s54C",
		RegulatorRule:       "FOI Act 1982 s54S(1): IC review within 60 days after notice of the decision (s54L: an internal review is not required first)",
		RegulatorLateRule:   "FOI Act 1982 s54D: an internal review not decided in time is deemed to affirm the decision, which may go to IC review",
		RegulatorDirect:     true,
		AppealTo:            "Administrative Review Tribunal", AppealDays: 28,
		AppealRule: "FOI Act 1982 s57A; within 28 days of the IC review decision (the tribunal's rules)",
	},
}

// AReview is the law's review with its article, for a sentence: "an
// internal review", "a review (s20/s21)".
func (l Law) AReview() string {
	if l.ReviewName == "" {
		return ""
	}
	if strings.ContainsRune("aeiou", rune(l.ReviewName[0])) {
		return "an " + l.ReviewName
	}
	return "a " + l.ReviewName
}

// LawByCode looks a law up by its code.
func LawByCode(code LawCode) (Law, bool) {
	for _, l := range Laws {
		if l.Code == code {
			return l, true
		}
	}
	return Law{}, false
}

// Calendar names.
const (
	CalendarUK        = "uk-any" // a bank holiday in any part of the UK (FOIA s10(6))
	CalendarScotland  = "uk-scotland"
	CalendarUSFederal = "us-federal"
	CalendarIreland   = "ie"
	CalendarAustralia = "au" // national public holidays (Commonwealth)
)
