package tracker

// The exemptions catalogue, shipped in the binary. Titles follow the headings
// of each Act (they are what refusal letters quote); where a law's own wording
// is long, the title is the usual short form. A row's Parent is worked out
// when the catalogue is built (see buildCatalogue), never written by hand.
//
// Sources: FOIA 2000 Part II; EIR 2004 regs 12-13; FOISA 2002 Part 2, s12 and
// s14; EISR 2004 regs 10-11; 5 U.S.C. 552(b); FOI Act 2014 (Ireland) s15 and Part 4; FOI Act 1982
// (Cth) s24, s24A and Part IV.

type exemptionRow struct {
	code, kind, title, description string
}

var ukFOIAExemptions = []exemptionRow{
	{"s12", ExemptionRefusalGround, "Cost of compliance exceeds the appropriate limit",
		"The authority estimates that finding and extracting the information would cost more than the appropriate limit (£600 for central government, £450 for other authorities, at £25 an hour)."},
	{"s12(1)", ExemptionRefusalGround, "Cost of complying exceeds the appropriate limit", ""},
	{"s12(2)", ExemptionRefusalGround, "Cost of confirming or denying exceeds the appropriate limit", ""},
	{"s14", ExemptionRefusalGround, "Vexatious or repeated requests", ""},
	{"s14(1)", ExemptionRefusalGround, "Vexatious request", "The request, not the requester, is vexatious: a burden out of proportion to its value."},
	{"s14(2)", ExemptionRefusalGround, "Repeated request", "An identical or substantially similar request from the same person, without a reasonable interval since the last one was answered."},
	{"s21", ExemptionAbsolute, "Information accessible to applicant by other means", "The information is reasonably accessible to the requester already, e.g. published."},
	{"s22", ExemptionQualified, "Information intended for future publication", ""},
	{"s22A", ExemptionQualified, "Research", "Information from a continuing programme of research intended for publication."},
	{"s23", ExemptionAbsolute, "Information supplied by, or relating to, bodies dealing with security matters", ""},
	{"s24", ExemptionQualified, "National security", ""},
	{"s26", ExemptionQualified, "Defence", ""},
	{"s27", ExemptionQualified, "International relations", ""},
	{"s28", ExemptionQualified, "Relations within the United Kingdom", ""},
	{"s29", ExemptionQualified, "The economy", ""},
	{"s30", ExemptionQualified, "Investigations and proceedings conducted by public authorities", ""},
	{"s30(1)", ExemptionQualified, "Investigations and proceedings conducted by public authorities",
		"Information held for criminal investigations or proceedings the authority has a duty or power to conduct."},
	{"s30(2)", ExemptionQualified, "Investigations and proceedings: confidential sources",
		"Information obtained for investigations or proceedings that relates to confidential sources."},
	{"s31", ExemptionQualified, "Law enforcement", "Applies only where s30 does not."},
	{"s31(1)(a)", ExemptionQualified, "Law enforcement: prevention or detection of crime", ""},
	{"s31(1)(b)", ExemptionQualified, "Law enforcement: apprehension or prosecution of offenders", ""},
	{"s31(1)(c)", ExemptionQualified, "Law enforcement: administration of justice", ""},
	{"s31(1)(d)", ExemptionQualified, "Law enforcement: assessment or collection of any tax or duty", ""},
	{"s31(1)(e)", ExemptionQualified, "Law enforcement: operation of immigration controls", ""},
	{"s31(1)(f)", ExemptionQualified, "Law enforcement: security and good order in prisons", ""},
	{"s31(1)(g)", ExemptionQualified, "Law enforcement: a public authority's functions for the purposes in s31(2)",
		"For example ascertaining whether anyone has failed to comply with the law, or regulatory action."},
	{"s31(1)(h)", ExemptionQualified, "Law enforcement: civil proceedings arising from s31(2) investigations", ""},
	{"s31(1)(i)", ExemptionQualified, "Law enforcement: Scottish fatal accident inquiries", ""},
	{"s32", ExemptionAbsolute, "Court records, etc.", ""},
	{"s33", ExemptionQualified, "Audit functions", ""},
	{"s34", ExemptionAbsolute, "Parliamentary privilege", ""},
	{"s35", ExemptionQualified, "Formulation of government policy, etc.", "Government departments only."},
	{"s35(1)(a)", ExemptionQualified, "Formulation or development of government policy", ""},
	{"s35(1)(b)", ExemptionQualified, "Ministerial communications", ""},
	{"s35(1)(c)", ExemptionQualified, "Advice by the Law Officers", ""},
	{"s35(1)(d)", ExemptionQualified, "Operation of any Ministerial private office", ""},
	{"s36", ExemptionQualified, "Prejudice to effective conduct of public affairs",
		"Needs the reasonable opinion of a qualified person. Absolute for information held by the House of Commons or the House of Lords; qualified for every other authority."},
	{"s36(2)(a)", ExemptionQualified, "Prejudice to the collective responsibility of Ministers", ""},
	{"s36(2)(b)(i)", ExemptionQualified, "Inhibit the free and frank provision of advice", ""},
	{"s36(2)(b)(ii)", ExemptionQualified, "Inhibit the free and frank exchange of views for the purposes of deliberation", ""},
	{"s36(2)(c)", ExemptionQualified, "Otherwise prejudice the effective conduct of public affairs", ""},
	{"s37", ExemptionQualified, "Communications with His Majesty, etc. and honours",
		"Absolute for communications with the Sovereign, the heir to the Throne and the second in line; qualified for other Royal Household communications and for honours."},
	{"s37(1)(b)", ExemptionQualified, "Conferring of honours or dignities", ""},
	{"s38", ExemptionQualified, "Health and safety", ""},
	{"s38(1)(a)", ExemptionQualified, "Endanger the physical or mental health of any individual", ""},
	{"s38(1)(b)", ExemptionQualified, "Endanger the safety of any individual", ""},
	{"s39", ExemptionQualified, "Environmental information", "The request is answered under the Environmental Information Regulations 2004 instead."},
	{"s40", ExemptionAbsolute, "Personal information",
		"Absolute for the requester's own personal data and for third-party personal data whose disclosure would breach the data protection principles; some other limbs involve a public interest test."},
	{"s40(1)", ExemptionAbsolute, "The requester's own personal data", "To be requested as a subject access request instead."},
	{"s40(2)", ExemptionAbsolute, "Personal data of third parties", "Absolute where disclosure would breach the data protection principles."},
	{"s40(5)", ExemptionAbsolute, "Neither confirm nor deny: personal data", "Mostly absolute; some limbs of s40(5B) involve a public interest test."},
	{"s41", ExemptionAbsolute, "Information provided in confidence", ""},
	{"s42", ExemptionQualified, "Legal professional privilege", ""},
	{"s43", ExemptionQualified, "Commercial interests", ""},
	{"s43(1)", ExemptionQualified, "Trade secrets", ""},
	{"s43(2)", ExemptionQualified, "Prejudice to commercial interests", ""},
	{"s44", ExemptionAbsolute, "Prohibitions on disclosure", "Disclosure is prohibited by or under another enactment, or would be contempt of court."},
}

// EIR exceptions are all subject to the public interest test (reg 12(1)(b))
// and a presumption in favour of disclosure (reg 12(2)); reg 13 mostly not.
var ukEIRExemptions = []exemptionRow{
	{"reg12(4)", ExemptionException, "Exceptions relating to the request or the information (reg 12(4))", ""},
	{"reg12(4)(a)", ExemptionException, "Information not held", "The authority does not hold the information when the request is received."},
	{"reg12(4)(b)", ExemptionException, "Manifestly unreasonable request", "Includes requests that are vexatious or would cost too much (the EIR has no cost limit of its own)."},
	{"reg12(4)(c)", ExemptionException, "Request formulated in too general a manner", "Only once the authority has offered advice and assistance (reg 9)."},
	{"reg12(4)(d)", ExemptionException, "Material still in the course of completion, unfinished documents or incomplete data", ""},
	{"reg12(4)(e)", ExemptionException, "Internal communications", ""},
	{"reg12(5)", ExemptionException, "Exceptions where disclosure would adversely affect an interest (reg 12(5))", ""},
	{"reg12(5)(a)", ExemptionException, "International relations, defence, national security or public safety", ""},
	{"reg12(5)(b)", ExemptionException, "Course of justice, fair trial, or criminal or disciplinary inquiries", ""},
	{"reg12(5)(c)", ExemptionException, "Intellectual property rights", ""},
	{"reg12(5)(d)", ExemptionException, "Confidentiality of proceedings", "Where the confidentiality is provided by law."},
	{"reg12(5)(e)", ExemptionException, "Confidentiality of commercial or industrial information", "Where the confidentiality is provided by law to protect a legitimate economic interest."},
	{"reg12(5)(f)", ExemptionException, "Interests of the person who provided the information", "Information supplied voluntarily, with no obligation to supply it."},
	{"reg12(5)(g)", ExemptionException, "Protection of the environment to which the information relates", ""},
	{"reg13", ExemptionAbsolute, "Personal data", "Third-party personal data, with reg 12(3); like FOIA s40(2), no public interest test where disclosure would breach the data protection principles (reg 13(1)(a) with 13(2A), as amended in 2018)."},
}

// FOISA's harm test is "substantial prejudice"; its numbering differs from
// FOIA's (s38 is personal information here, s30 public affairs).
var scotFOISAExemptions = []exemptionRow{
	{"s12", ExemptionRefusalGround, "Excessive cost of compliance", "The cost of complying would exceed the prescribed amount (£600)."},
	{"s14", ExemptionRefusalGround, "Vexatious or repeated requests", ""},
	{"s14(1)", ExemptionRefusalGround, "Vexatious request", ""},
	{"s14(2)", ExemptionRefusalGround, "Repeated request", ""},
	{"s25", ExemptionAbsolute, "Information otherwise accessible", ""},
	{"s26", ExemptionAbsolute, "Prohibitions on disclosure", ""},
	{"s27", ExemptionQualified, "Information intended for future publication", ""},
	{"s28", ExemptionQualified, "Relations within the United Kingdom", ""},
	{"s29", ExemptionQualified, "Formulation of Scottish Administration policy etc.", ""},
	{"s30", ExemptionQualified, "Prejudice to effective conduct of public affairs", ""},
	{"s30(a)", ExemptionQualified, "Prejudice to the collective responsibility of the Scottish Ministers", ""},
	{"s30(b)(i)", ExemptionQualified, "Inhibit substantially the free and frank provision of advice", ""},
	{"s30(b)(ii)", ExemptionQualified, "Inhibit substantially the free and frank exchange of views for the purposes of deliberation", ""},
	{"s30(c)", ExemptionQualified, "Otherwise prejudice substantially the effective conduct of public affairs", ""},
	{"s31", ExemptionQualified, "National security and defence", ""},
	{"s32", ExemptionQualified, "International relations", ""},
	{"s33", ExemptionQualified, "Commercial interests and the economy", ""},
	{"s33(1)(a)", ExemptionQualified, "Trade secrets", ""},
	{"s33(1)(b)", ExemptionQualified, "Substantial prejudice to commercial interests", ""},
	{"s34", ExemptionQualified, "Investigations by Scottish public authorities and proceedings arising out of such investigations", ""},
	{"s35", ExemptionQualified, "Law enforcement", ""},
	{"s35(1)(a)", ExemptionQualified, "Law enforcement: prevention or detection of crime", ""},
	{"s35(1)(b)", ExemptionQualified, "Law enforcement: apprehension or prosecution of offenders", ""},
	{"s35(1)(g)", ExemptionQualified, "Law enforcement: a public authority's functions for the purposes in s35(2)", ""},
	{"s36", ExemptionQualified, "Confidentiality", "s36(1) is qualified; s36(2) is absolute."},
	{"s36(1)", ExemptionQualified, "Confidentiality of communications (legal professional privilege)", ""},
	{"s36(2)", ExemptionAbsolute, "Information provided in confidence", ""},
	{"s37", ExemptionAbsolute, "Court records, etc.", ""},
	{"s38", ExemptionAbsolute, "Personal information", "Mostly absolute; some limbs involve a public interest test."},
	{"s38(1)(a)", ExemptionAbsolute, "The requester's own personal data", ""},
	{"s38(1)(b)", ExemptionAbsolute, "Personal data of third parties", "Absolute where disclosure would breach the data protection principles."},
	{"s38(1)(c)", ExemptionAbsolute, "Personal census information", ""},
	{"s38(1)(d)", ExemptionAbsolute, "A deceased person's health record", ""},
	{"s39", ExemptionQualified, "Health, safety and the environment", ""},
	{"s39(1)", ExemptionQualified, "Endanger the physical or mental health or the safety of an individual", ""},
	{"s39(2)", ExemptionQualified, "Environmental information", "Answered under the Environmental Information (Scotland) Regulations 2004 instead."},
	{"s40", ExemptionQualified, "Audit functions", ""},
	{"s41", ExemptionQualified, "Communications with His Majesty etc. and honours", ""},
}

// Scotland's EIR: the reg 10(4) and 10(5) exceptions apply only where the
// public interest in maintaining them outweighs that in disclosure (reg
// 10(1)(b)), with a presumption in favour of disclosure (reg 10(2)). Reg 11
// (personal data) has no such test, so it is marked absolute, like FOISA s38,
// and a review letter does not argue the public interest for it.
var scotEISRExemptions = []exemptionRow{
	{"reg10(4)", ExemptionException, "Exceptions relating to the request or the information (reg 10(4))", ""},
	{"reg10(4)(a)", ExemptionException, "Information not held", "The authority does not hold the information when the request is received."},
	{"reg10(4)(b)", ExemptionException, "Manifestly unreasonable request", "Includes requests that are vexatious or would cost too much (the EISR set no cost limit of their own)."},
	{"reg10(4)(c)", ExemptionException, "Request formulated in too general a manner", "Only once the authority has asked for further particulars and helped to provide them (reg 9)."},
	{"reg10(4)(d)", ExemptionException, "Material still in the course of completion, unfinished documents or incomplete data", ""},
	{"reg10(4)(e)", ExemptionException, "Internal communications", ""},
	{"reg10(5)", ExemptionException, "Exceptions where disclosure would, or would be likely to, prejudice substantially an interest (reg 10(5))", ""},
	{"reg10(5)(a)", ExemptionException, "International relations, defence, national security or public safety", ""},
	{"reg10(5)(b)", ExemptionException, "Course of justice, fair trial, or criminal or disciplinary inquiries", ""},
	{"reg10(5)(c)", ExemptionException, "Intellectual property rights", ""},
	{"reg10(5)(d)", ExemptionException, "Confidentiality of proceedings", "Where the confidentiality is provided for by law."},
	{"reg10(5)(e)", ExemptionException, "Confidentiality of commercial or industrial information", "Where the confidentiality is provided for by law to protect a legitimate economic interest."},
	{"reg10(5)(f)", ExemptionException, "Interests of the person who provided the information", "Information supplied voluntarily, with no obligation to supply it."},
	{"reg10(5)(g)", ExemptionException, "Protection of the environment to which the information relates", ""},
	{"reg11", ExemptionAbsolute, "Personal data", "No public interest test under reg 10(1)(b); works like FOISA s38."},
	{"reg11(1)", ExemptionAbsolute, "The requester's own personal data", "Dealt with under data protection law (a subject access request) instead."},
	{"reg11(2)", ExemptionAbsolute, "Personal data of third parties", "Where disclosure would breach the data protection principles."},
}

// US FOIA has no absolute/qualified split; agencies apply a foreseeable-harm
// standard to most exemptions.
var usFOIAExemptions = []exemptionRow{
	{"(b)(1)", ExemptionGeneric, "Classified national defense or foreign policy information", ""},
	{"(b)(2)", ExemptionGeneric, "Internal personnel rules and practices of an agency", ""},
	{"(b)(3)", ExemptionGeneric, "Information specifically exempted from disclosure by statute", "The letter should name the statute."},
	{"(b)(4)", ExemptionGeneric, "Trade secrets and confidential commercial or financial information", ""},
	{"(b)(5)", ExemptionGeneric, "Inter-agency or intra-agency privileged memorandums or letters",
		"Deliberative process, attorney work-product and attorney-client privileges."},
	{"(b)(6)", ExemptionGeneric, "Personnel, medical and similar files: clearly unwarranted invasion of personal privacy", ""},
	{"(b)(7)", ExemptionGeneric, "Records or information compiled for law enforcement purposes", ""},
	{"(b)(7)(A)", ExemptionGeneric, "Law enforcement: interference with enforcement proceedings", ""},
	{"(b)(7)(B)", ExemptionGeneric, "Law enforcement: deprive a person of a fair trial or impartial adjudication", ""},
	{"(b)(7)(C)", ExemptionGeneric, "Law enforcement: unwarranted invasion of personal privacy", ""},
	{"(b)(7)(D)", ExemptionGeneric, "Law enforcement: identity of a confidential source", ""},
	{"(b)(7)(E)", ExemptionGeneric, "Law enforcement: techniques, procedures and guidelines", "Where disclosure could reasonably be expected to risk circumvention of the law."},
	{"(b)(7)(F)", ExemptionGeneric, "Law enforcement: endanger the life or physical safety of any individual", ""},
	{"(b)(8)", ExemptionGeneric, "Examination, operating or condition reports about financial institutions", ""},
	{"(b)(9)", ExemptionGeneric, "Geological and geophysical information concerning wells", ""},
}

// Ireland: s15 administrative refusals and the Part 4 exempt records. s34
// (ministerial certificates) and s38 (third-party consultation) are procedure,
// not exemptions, and are left out.
var ieFOIExemptions = []exemptionRow{
	{"s15", ExemptionRefusalGround, "Refusal on administrative grounds", ""},
	{"s15(1)(a)", ExemptionRefusalGround, "Records do not exist or cannot be found", "After all reasonable steps to find them have been taken."},
	{"s15(1)(b)", ExemptionRefusalGround, "Request does not contain sufficient particulars", ""},
	{"s15(1)(c)", ExemptionRefusalGround, "Substantial and unreasonable interference with work", "Because of the number or nature of the records."},
	{"s15(1)(d)", ExemptionRefusalGround, "Information already in the public domain", ""},
	{"s15(1)(g)", ExemptionRefusalGround, "Frivolous or vexatious request", "Or part of a pattern of manifestly unreasonable requests."},
	{"s15(1)(i)", ExemptionRefusalGround, "Records already released", ""},
	{"s28", ExemptionGeneric, "Meetings of the Government", ""},
	{"s29", ExemptionGeneric, "Deliberations of FOI bodies", "Subject to a public interest test."},
	{"s30", ExemptionGeneric, "Functions and negotiations of FOI bodies", ""},
	{"s31", ExemptionGeneric, "Parliamentary, court and certain other matters", ""},
	{"s31(1)(a)", ExemptionGeneric, "Legal professional privilege", ""},
	{"s32", ExemptionGeneric, "Law enforcement and public safety", ""},
	{"s33", ExemptionGeneric, "Security, defence and international relations", ""},
	{"s35", ExemptionGeneric, "Information obtained in confidence", ""},
	{"s36", ExemptionGeneric, "Commercially sensitive information", ""},
	{"s37", ExemptionGeneric, "Personal information", ""},
	{"s39", ExemptionGeneric, "Research and natural resources", ""},
	{"s40", ExemptionGeneric, "Financial and economic interests of the State and of FOI bodies", ""},
	{"s41", ExemptionGeneric, "Enactments relating to non-disclosure of records", ""},
	{"s42", ExemptionGeneric, "Restriction of Act", "Records to which the Act does not apply at all."},
}

// Australia: Division 2 exempt documents (no public interest test) are kind
// "exemption"; Division 3 conditional exemptions, which give way unless access
// would on balance be contrary to the public interest (s11A(5)), are "qualified".
var auFOIExemptions = []exemptionRow{
	{"s24", ExemptionRefusalGround, "Practical refusal reason", "The request would substantially and unreasonably divert resources, or does not identify the documents (s24AA)."},
	{"s24A", ExemptionRefusalGround, "Documents cannot be found or do not exist", ""},
	{"s33", ExemptionGeneric, "Documents affecting national security, defence or international relations", ""},
	{"s34", ExemptionGeneric, "Cabinet documents", ""},
	{"s37", ExemptionGeneric, "Documents affecting enforcement of law and protection of public safety", ""},
	{"s38", ExemptionGeneric, "Documents to which secrecy provisions of enactments apply", ""},
	{"s42", ExemptionGeneric, "Documents subject to legal professional privilege", ""},
	{"s45", ExemptionGeneric, "Documents containing material obtained in confidence", ""},
	{"s45A", ExemptionGeneric, "Parliamentary Budget Office documents", ""},
	{"s46", ExemptionGeneric, "Documents disclosure of which would be contempt of Parliament or contempt of court", ""},
	{"s47", ExemptionGeneric, "Documents disclosing trade secrets or commercially valuable information", ""},
	{"s47A", ExemptionGeneric, "Electoral rolls and related documents", ""},
	{"s47B", ExemptionQualified, "Commonwealth-State relations", "Conditional exemption."},
	{"s47C", ExemptionQualified, "Deliberative processes", "Conditional exemption."},
	{"s47D", ExemptionQualified, "Financial or property interests of the Commonwealth", "Conditional exemption."},
	{"s47E", ExemptionQualified, "Certain operations of agencies", "Conditional exemption."},
	{"s47E(a)", ExemptionQualified, "Effectiveness of procedures or methods for tests, examinations or audits", ""},
	{"s47E(b)", ExemptionQualified, "Attainment of the objects of tests, examinations or audits", ""},
	{"s47E(c)", ExemptionQualified, "Management or assessment of personnel", ""},
	{"s47E(d)", ExemptionQualified, "Proper and efficient conduct of the operations of an agency", ""},
	{"s47F", ExemptionQualified, "Personal privacy", "Conditional exemption."},
	{"s47G", ExemptionQualified, "Business", "Conditional exemption."},
	{"s47H", ExemptionQualified, "Research", "Conditional exemption."},
	{"s47J", ExemptionQualified, "The economy", "Conditional exemption."},
}

var exemptionRowsByLaw = []struct {
	law  LawCode
	rows []exemptionRow
}{
	{UKFOIA, ukFOIAExemptions},
	{UKEIR, ukEIRExemptions},
	{ScotFOISA, scotFOISAExemptions},
	{ScotEISR, scotEISRExemptions},
	{USFOIA, usFOIAExemptions},
	{IEFOI, ieFOIExemptions},
	{AUFOI, auFOIExemptions},
}
