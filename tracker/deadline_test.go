package tracker

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every expected date below was counted by hand on a calendar and checked
// against the official lists (gov.uk bank holidays, OPM, gov.ie, the
// Australian national holidays); none was produced by the code under test.
func TestCalculateDueDates(t *testing.T) {
	d := MustParseDate
	tests := []struct {
		name string
		in   CalculatorInput
		// statutory is the Response date, due the date in force (Current).
		statutory, due string
		longOverdue    string   // "" to skip
		skipped        []string // holidays on weekdays not counted in the response period
	}{
		{
			// The issue's example: 20th working day after Mon 2 Mar 2026, not
			// counting Tue 17 Mar (St Patrick's Day, Northern Ireland).
			name: "FOIA over St Patrick's Day", in: CalculatorInput{Law: UKFOIA, Received: d("2026-03-02")},
			statutory: "2026-03-31", due: "2026-03-31", longOverdue: "2026-04-30", skipped: []string{"2026-03-17"},
		},
		{
			// Good Friday 29 Mar and Easter Monday 1 Apr 2024 both stop the clock under FOIA...
			name: "FOIA across Easter 2024", in: CalculatorInput{Law: UKFOIA, Received: d("2024-03-28")},
			statutory: "2024-04-29", due: "2024-04-29", skipped: []string{"2024-03-29", "2024-04-01"},
		},
		{
			// ...but Easter Monday is not a bank holiday in Scotland, so FOISA is 3 days earlier.
			name: "FOISA across Easter 2024", in: CalculatorInput{Law: ScotFOISA, Received: d("2024-03-28")},
			statutory: "2024-04-26", due: "2024-04-26", skipped: []string{"2024-03-29"},
		},
		{
			// An English council: 25, 26 Dec, 1 Jan and Scotland's 2 Jan all
			// stop the clock (counting England's holidays only would give Thu 16 Jan).
			name: "FOIA across Christmas and 2 January", in: CalculatorInput{Law: UKFOIA, Received: d("2024-12-16")},
			statutory: "2025-01-17", due: "2025-01-17",
			skipped: []string{"2024-12-25", "2024-12-26", "2025-01-01", "2025-01-02"},
		},
		{
			name: "EIR across Christmas 2026 substitute days", in: CalculatorInput{Law: UKEIR, Received: d("2026-12-14")},
			statutory: "2027-01-15", due: "2027-01-15",
			// Boxing Day substitute Mon 28 Dec, New Year's Day, 2 January substitute Mon 4 Jan.
			skipped: []string{"2026-12-25", "2026-12-28", "2027-01-01", "2027-01-04"},
		},
		{
			// 27 and 28 Dec 2027 substitutes, Mon 3 Jan 2028 (New Year's Day
			// substitute) and Tue 4 Jan 2028 (2 January substitute).
			name: "FOIA across Christmas 2027", in: CalculatorInput{Law: UKFOIA, Received: d("2027-12-13")},
			statutory: "2028-01-14", due: "2028-01-14",
			skipped: []string{"2027-12-27", "2027-12-28", "2028-01-03", "2028-01-04"},
		},
		{
			// 12 July 2026 is a Sunday: Mon 13 Jul is the Northern Ireland substitute day.
			name: "FOIA over the 12 July substitute", in: CalculatorInput{Law: UKFOIA, Received: d("2026-07-01")},
			statutory: "2026-07-30", due: "2026-07-30", skipped: []string{"2026-07-13"},
		},
		{
			name: "FOISA ignores 12 July", in: CalculatorInput{Law: ScotFOISA, Received: d("2026-07-01")},
			statutory: "2026-07-29", due: "2026-07-29",
		},
		{
			// St Andrew's Day, Mon 30 Nov 2026, counts for an English council too.
			name: "FOIA over St Andrew's Day", in: CalculatorInput{Law: UKFOIA, Received: d("2026-11-16")},
			statutory: "2026-12-15", due: "2026-12-15", skipped: []string{"2026-11-30"},
		},
		{
			name: "FOISA over St Andrew's Day", in: CalculatorInput{Law: ScotFOISA, Received: d("2026-11-16")},
			statutory: "2026-12-15", due: "2026-12-15", skipped: []string{"2026-11-30"},
		},
		{
			// EISR count Scotland's bank holidays only (reg 2(1), FOISA s73).
			// Received Fri 18 Dec 2026; from Mon 21 Dec: 21-24 Dec (4), Fri 25
			// Christmas, Mon 28 Boxing Day substitute, 29-31 Dec (7), Fri 1 Jan
			// 2027, Mon 4 Jan the substitute for Sat 2 Jan, 5-8 Jan (11), 11-15
			// Jan (16), 18-21 Jan (20): Thu 21 Jan 2027.
			name: "EISR across Christmas 2026", in: CalculatorInput{Law: ScotEISR, Received: d("2026-12-18")},
			statutory: "2027-01-21", due: "2027-01-21", longOverdue: "2027-02-18",
			skipped: []string{"2026-12-25", "2026-12-28", "2027-01-01", "2027-01-04"},
		},
		{
			// Easter 2026 in Scotland: Good Friday (3 Apr) is a bank holiday,
			// Easter Monday (6 Apr) is not. Received Fri 20 Mar (after St
			// Patrick's Day, which Scotland does not keep anyway); from Mon 23 Mar:
			// 23-27 Mar (5), 30 Mar-2 Apr (9), Fri 3 Apr skipped, Mon 6 Apr counts
			// (10), 7-10 Apr (14), 13-17 Apr (19), Mon 20 Apr (20).
			name: "EISR across Easter 2026", in: CalculatorInput{Law: ScotEISR, Received: d("2026-03-20")},
			statutory: "2026-04-20", due: "2026-04-20", skipped: []string{"2026-04-03"},
		},
		{
			// The same dates under the English EIR: Easter Monday stops the clock too.
			name: "EIR, same dates as the EISR Easter case", in: CalculatorInput{Law: UKEIR, Received: d("2026-03-20")},
			statutory: "2026-04-21", due: "2026-04-21", skipped: []string{"2026-04-03", "2026-04-06"},
		},
		{
			// Further particulars (reg 9(4)) received Wed 11 Mar are the new date
			// of receipt: from Thu 12 Mar, 12-13 (2), 16-20 (7; 17 Mar is no
			// Scottish holiday), 23-27 (12), 30 Mar-2 Apr (16), Good Friday
			// skipped, 6-9 Apr (20): Thu 9 Apr.
			name: "EISR further particulars restart the count",
			in: CalculatorInput{Law: ScotEISR, Received: d("2026-03-02"),
				ClarificationRequested: d("2026-03-05"), ClarificationReceived: d("2026-03-11")},
			statutory: "2026-04-09", due: "2026-04-09", skipped: []string{"2026-04-03"},
		},
		{
			// Reg 7(1): statutory Mon 30 Mar 2026 (from Tue 3 Mar, no Scottish
			// holiday); 20 more: 31 Mar-2 Apr (3), Good Friday skipped, 6-10 Apr
			// (8), 13-17 (13), 20-24 (18), 27-28 Apr (20): Tue 28 Apr.
			name: "EISR reg 7 extension to a date", in: CalculatorInput{Law: ScotEISR, Received: d("2026-03-02"), ExtendedTo: d("2026-04-28")},
			statutory: "2026-03-30", due: "2026-04-28",
		},
		{
			name: "FOIA over the state funeral 2022", in: CalculatorInput{Law: UKFOIA, Received: d("2022-09-12")},
			statutory: "2022-10-11", due: "2022-10-11", skipped: []string{"2022-09-19"},
		},
		{
			name: "FOIA over the coronation 2023", in: CalculatorInput{Law: UKFOIA, Received: d("2023-05-02")},
			statutory: "2023-06-01", due: "2023-06-01", skipped: []string{"2023-05-08", "2023-05-29"},
		},
		{
			// The clarification received Wed 11 Mar is the new date of receipt;
			// Good Friday and Easter Monday 2026 fall in the new period.
			name: "FOIA clarification restarts the count",
			in: CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"),
				ClarificationRequested: d("2026-03-05"), ClarificationReceived: d("2026-03-11")},
			statutory: "2026-04-13", due: "2026-04-13", skipped: []string{"2026-03-17", "2026-04-03", "2026-04-06"},
		},
		{
			// Fees notice Mon 9 Mar, fee received Mon 16 Mar: the 6 working days
			// 9–13 and 16 Mar are disregarded (s10(2)); 31 Mar + 6 working days
			// (1, 2, 7, 8, 9, 10 Apr) = Fri 10 Apr.
			name:      "FOIA fees notice pauses the count",
			in:        CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), FeeNotice: d("2026-03-09"), FeePaid: d("2026-03-16")},
			statutory: "2026-04-10", due: "2026-04-10", longOverdue: "2026-05-11", // Mon 4 May skipped
			skipped: []string{"2026-03-17", "2026-04-03", "2026-04-06"},
		},
		{
			// Thanksgiving Thu 26 Nov 2026; the Friday after is a working day.
			name: "US FOIA across Thanksgiving", in: CalculatorInput{Law: USFOIA, Received: d("2026-11-16")},
			statutory: "2026-12-15", due: "2026-12-15", skipped: []string{"2026-11-26"},
		},
		{
			// +10 working days for unusual circumstances: 16–18, 21–24, 28–30 Dec (Christmas Fri 25 Dec).
			name: "US FOIA unusual circumstances", in: CalculatorInput{Law: USFOIA, Received: d("2026-11-16"), Unusual: true},
			statutory: "2026-12-15", due: "2026-12-30", longOverdue: "2027-01-29",
		},
		{
			// Independence Day 2026 is a Saturday: observed Fri 3 Jul.
			name: "US FOIA over the observed Independence Day", in: CalculatorInput{Law: USFOIA, Received: d("2026-06-22")},
			statutory: "2026-07-21", due: "2026-07-21", skipped: []string{"2026-07-03"},
		},
		{
			// Christmas 2027 observed Fri 24 Dec, New Year's Day 2028 observed Fri 31 Dec 2027.
			name: "US FOIA over Christmas 2027 observed", in: CalculatorInput{Law: USFOIA, Received: d("2027-12-13")},
			statutory: "2028-01-12", due: "2028-01-12", skipped: []string{"2027-12-24", "2027-12-31"},
		},
		{
			// Tolling: the request for clarification Mon 9 Mar to the answer Fri 13 Mar
			// (5 working days) is disregarded: Mon 30 Mar + 5 = Mon 6 Apr.
			name: "US FOIA clarification tolls the count",
			in: CalculatorInput{Law: USFOIA, Received: d("2026-03-02"),
				ClarificationRequested: d("2026-03-09"), ClarificationReceived: d("2026-03-13")},
			statutory: "2026-04-06", due: "2026-04-06",
		},
		{
			// 30 days after Thu 5 Mar 2026 is Sat 4 Apr; Sun 5, and Mon 6 (Easter
			// Monday) are not working days either: Tue 7 Apr.
			name: "Australia last day on a weekend and a holiday", in: CalculatorInput{Law: AUFOI, Received: d("2026-03-05")},
			statutory: "2026-04-07", due: "2026-04-07", skipped: []string{"2026-04-06"},
		},
		{
			// 30 days after Wed 26 Nov 2025 is Fri 26 Dec, Boxing Day: Mon 29 Dec.
			name: "Australia last day on Boxing Day", in: CalculatorInput{Law: AUFOI, Received: d("2025-11-26")},
			statutory: "2025-12-29", due: "2025-12-29", skipped: []string{"2025-12-26"},
		},
		{
			// 60 days after 5 Mar is Mon 4 May 2026, a working day.
			name: "Australia extension of 30 days", in: CalculatorInput{Law: AUFOI, Received: d("2026-03-05"), Unusual: true},
			statutory: "2026-04-07", due: "2026-05-04",
		},
		{
			// Ireland: St Patrick's Day and Easter Monday stop the clock; Good Friday does not.
			name: "Ireland across St Patrick's Day and Easter", in: CalculatorInput{Law: IEFOI, Received: d("2026-03-09")},
			statutory: "2026-04-08", due: "2026-04-08", skipped: []string{"2026-03-17", "2026-04-06"},
		},
		{
			name: "UK FOIA, same dates as the Irish case", in: CalculatorInput{Law: UKFOIA, Received: d("2026-03-09")},
			statutory: "2026-04-09", due: "2026-04-09", skipped: []string{"2026-03-17", "2026-04-03", "2026-04-06"},
		},
		{
			// s14: 4 more weeks = 20 working days, over the May bank holiday (Mon 4 May).
			name: "Ireland s14 extension", in: CalculatorInput{Law: IEFOI, Received: d("2026-03-09"), Unusual: true},
			statutory: "2026-04-08", due: "2026-05-07",
		},
		{
			name: "FOIA public interest extension to a date", in: CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), ExtendedTo: d("2026-04-28")},
			statutory: "2026-03-31", due: "2026-04-28",
		},
		{
			// Received on a Saturday: Monday is the first working day.
			name: "FOIA received on a Saturday", in: CalculatorInput{Law: UKFOIA, Received: d("2026-03-07")},
			statutory: "2026-04-08", due: "2026-04-08", skipped: []string{"2026-03-17", "2026-04-03", "2026-04-06"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Calculate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.Response.Date.String(); got != tt.statutory {
				t.Errorf("statutory due %s, want %s\n%s", got, tt.statutory, ds.Response.Explanation)
			}
			if got := ds.Current().Date.String(); got != tt.due {
				t.Errorf("due in force %s, want %s\n%s", got, tt.due, ds.Current().Explanation)
			}
			if tt.longOverdue != "" && ds.LongOverdue.Date.String() != tt.longOverdue {
				t.Errorf("long overdue after %s, want %s", ds.LongOverdue.Date, tt.longOverdue)
			}
			if tt.skipped != nil {
				var got []string
				for _, s := range ds.Response.Skipped {
					got = append(got, s.Date.String())
					if !strings.Contains(ds.Response.Explanation, s.String()) {
						t.Errorf("explanation does not name %s:\n%s", s, ds.Response.Explanation)
					}
				}
				if strings.Join(got, ",") != strings.Join(tt.skipped, ",") {
					t.Errorf("skipped %v, want %v", got, tt.skipped)
				}
			}
			if !strings.Contains(ds.Response.Explanation, ds.Response.Date.Long()) {
				t.Errorf("explanation does not give the due date %s:\n%s", ds.Response.Date.Long(), ds.Response.Explanation)
			}
		})
	}
}

func TestIssueExampleExplanation(t *testing.T) {
	ds, err := Calculate(CalculatorInput{Law: UKFOIA, Received: MustParseDate("2026-03-02")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Received Mon 2 Mar 2026.",
		"Due Tue 31 Mar 2026, the 20th working day after the date of receipt (FOIA 2000 s10(1)).",
		"Not counted: weekends and Tue 17 Mar 2026, St Patrick's Day (Northern Ireland bank holiday).",
		"FOIA s10(6)", "bank holidays in any part of the UK, wherever the authority is.",
	} {
		if !strings.Contains(ds.Response.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, ds.Response.Explanation)
		}
	}
	if len(ds.Warnings) != 0 {
		t.Errorf("unexpected warnings %q", ds.Warnings)
	}
}

func TestPauseExplanations(t *testing.T) {
	d := MustParseDate
	ds, err := Calculate(CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), FeeNotice: d("2026-03-09"), FeePaid: d("2026-03-16")})
	if err != nil {
		t.Fatal(err)
	}
	want := "the 6 working days from Mon 9 Mar 2026 (fees notice) to Mon 16 Mar 2026 (fee received), both included (FOIA s10(2))"
	if !strings.Contains(ds.Response.Explanation, want) {
		t.Errorf("explanation lacks %q:\n%s", want, ds.Response.Explanation)
	}
	ds, err = Calculate(CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), ClarificationRequested: d("2026-03-05"), ClarificationReceived: d("2026-03-11")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"received it on Wed 11 Mar 2026, which is the new date of receipt", "the 20th working day after the new date of receipt"} {
		if !strings.Contains(ds.Response.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, ds.Response.Explanation)
		}
	}
	if !ds.Received.Equal(d("2026-03-11")) || !ds.Sent.Equal(d("2026-03-02")) {
		t.Errorf("Sent %s, Received %s", ds.Sent, ds.Received)
	}
}

func TestExtensionWarnings(t *testing.T) {
	d := MustParseDate
	tests := []struct {
		law        LawCode
		extendedTo string
		unusual    bool
		excessive  bool
	}{
		// Statutory Tue 31 Mar 2026; 20 working days later is Thu 30 Apr (Good Friday, Easter Monday between).
		{UKFOIA, "2026-04-30", false, false},
		{UKFOIA, "2026-05-01", false, true},
		{UKFOIA, "2026-05-15", false, true},
		{UKEIR, "2026-04-30", false, false},
		{UKEIR, "2026-05-01", false, true},
		// EISR: statutory Mon 30 Mar (Scotland has no 17 Mar); 20 working days
		// later, Easter Monday counting, is Tue 28 Apr (see TestCalculateDueDates).
		{ScotEISR, "2026-04-28", false, false},
		{ScotEISR, "2026-04-29", false, true},
		// US: 10 working days after Mon 30 Mar 2026 is Mon 13 Apr.
		{USFOIA, "2026-04-13", false, false},
		{USFOIA, "2026-04-14", false, true},
	}
	for _, tt := range tests {
		ds, err := Calculate(CalculatorInput{Law: tt.law, Received: d("2026-03-02"), ExtendedTo: d(tt.extendedTo), Unusual: tt.unusual})
		if err != nil {
			t.Fatal(err)
		}
		if got := ds.Current().Date.String(); got != tt.extendedTo {
			t.Errorf("%s to %s: due in force %s", tt.law, tt.extendedTo, got)
		}
		excessive := strings.Contains(ds.Extended.Warning, "Excessive")
		if excessive != tt.excessive {
			t.Errorf("%s to %s: excessive = %v, want %v (warning %q)", tt.law, tt.extendedTo, excessive, tt.excessive, ds.Extended.Warning)
		}
		if excessive && len(ds.Warnings) == 0 {
			t.Errorf("%s to %s: the warning is not in Deadlines.Warnings", tt.law, tt.extendedTo)
		}
	}
}

func histEvent(kind EventKind, date string) Event {
	return Event{Kind: kind, Date: MustParseDate(date)}
}

func TestFOISAHasNoExtension(t *testing.T) {
	law, _ := LawByCode(ScotFOISA)
	ext := histEvent(EventExtensionClaimed, "2026-03-20")
	ext.NewDueDate, ext.Reason = MustParseDate("2026-04-20"), "public interest test"
	ds := ComputeDeadlines(law, []Event{histEvent(EventSent, "2026-03-02"), ext})
	// FOISA: 17 Mar is not a holiday in Scotland; Good Friday 3 Apr is after the due date.
	if got := ds.Current().Date.String(); got != "2026-03-30" {
		t.Errorf("due in force %s, want 2026-03-30 (the statutory date)", got)
	}
	if !ds.Extended.IsZero() || len(ds.Warnings) != 1 || !strings.Contains(ds.Warnings[0], "allows none") {
		t.Errorf("Extended %+v, warnings %q", ds.Extended, ds.Warnings)
	}
	if _, err := Calculate(CalculatorInput{Law: ScotFOISA, Received: MustParseDate("2026-03-02"), ExtendedTo: MustParseDate("2026-04-20")}); ErrorCode(err) != EINVALID {
		t.Errorf("Calculate FOISA extension: err %v, want EINVALID", err)
	}
}

func TestCalculateRejectsBadInput(t *testing.T) {
	d := MustParseDate
	tests := []struct {
		name  string
		in    CalculatorInput
		field string
	}{
		{"unknown law", CalculatorInput{Law: "uk-xyz", Received: d("2026-03-02")}, "law"},
		{"no receipt", CalculatorInput{Law: UKFOIA}, "received"},
		{"fee paid before notice", CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), FeeNotice: d("2026-03-09"), FeePaid: d("2026-03-06")}, "fee_paid"},
		{"fee paid without notice", CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), FeePaid: d("2026-03-06")}, "fee_notice"},
		{"fee notice before receipt", CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), FeeNotice: d("2026-02-27"), FeePaid: d("2026-03-06")}, "fee_notice"},
		{"clarification before receipt", CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), ClarificationReceived: d("2026-03-01")}, "clarification_received"},
		{"US clarification needs the request date", CalculatorInput{Law: USFOIA, Received: d("2026-03-02"), ClarificationReceived: d("2026-03-10")}, "clarification_requested"},
		{"unusual for UK FOIA", CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), Unusual: true}, "extension"},
		{"extended to before receipt", CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), ExtendedTo: d("2026-03-01")}, "extended_to"},
	}
	for _, tt := range tests {
		_, err := Calculate(tt.in)
		if ErrorCode(err) != EINVALID {
			t.Errorf("%s: err %v, want EINVALID", tt.name, err)
			continue
		}
		var e *Error
		if !asError(err, &e) || e.Fields[tt.field] == "" {
			t.Errorf("%s: no message for field %q in %v", tt.name, tt.field, err)
		}
	}
	// Dates that no lifecycle allows: a fee notice while a clarification is awaited.
	_, err := Calculate(CalculatorInput{Law: UKFOIA, Received: d("2026-03-02"), ClarificationRequested: d("2026-03-04"),
		ClarificationReceived: d("2026-03-20"), FeeNotice: d("2026-03-10"), FeePaid: d("2026-03-12")})
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "possible history") {
		t.Errorf("overlapping pauses: err %v, want EINVALID", err)
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

func TestOpenPauseStopsTheClock(t *testing.T) {
	law, _ := LawByCode(UKFOIA)
	ds := ComputeDeadlines(law, []Event{histEvent(EventSent, "2026-03-02"), histEvent(EventFeeNotice, "2026-03-09")})
	if !ds.Response.Date.IsZero() || !ds.Current().Date.IsZero() {
		t.Errorf("due %s while the fee is awaited", ds.Response.Date)
	}
	// 3, 4, 5 and 6 Mar were counted before the notice on Mon 9 Mar.
	if !strings.Contains(ds.Response.Explanation, "with 4 of 20 working days used") {
		t.Errorf("explanation: %s", ds.Response.Explanation)
	}
	st := ds.Standing(MustParseDate("2026-04-20"))
	if st.Code != StandingPaused || st.Date.String() != "2026-03-09" {
		t.Errorf("standing %+v, want paused since 2026-03-09", st)
	}

	ds = ComputeDeadlines(law, []Event{histEvent(EventSent, "2026-03-02"), histEvent(EventClarificationRequested, "2026-03-05")})
	if !ds.Response.Date.IsZero() || !strings.Contains(ds.Response.Explanation, "start again from the day it receives the answer") {
		t.Errorf("awaiting clarification: due %s, %s", ds.Response.Date, ds.Response.Explanation)
	}
	if st := ds.Standing(MustParseDate("2026-04-20")); st.Code != StandingPaused {
		t.Errorf("standing %+v, want paused", st)
	}
}

func TestUSOnlyOneClarificationTolls(t *testing.T) {
	law, _ := LawByCode(USFOIA)
	ds := ComputeDeadlines(law, []Event{
		histEvent(EventSent, "2026-03-02"),
		histEvent(EventClarificationRequested, "2026-03-09"), histEvent(EventClarificationSent, "2026-03-13"),
		histEvent(EventClarificationRequested, "2026-03-16"), histEvent(EventClarificationSent, "2026-03-20"),
	})
	// Only the first pause (5 working days) counts: Mon 6 Apr as in the single case.
	if got := ds.Response.Date.String(); got != "2026-04-06" {
		t.Errorf("due %s, want 2026-04-06", got)
	}
	if len(ds.Warnings) != 1 || !strings.Contains(ds.Warnings[0], "only one request for clarification") {
		t.Errorf("warnings %q", ds.Warnings)
	}
}

func TestReviewAndRegulatorDeadlines(t *testing.T) {
	foia, _ := LawByCode(UKFOIA)
	resp := histEvent(EventResponseReceived, "2026-04-10")
	resp.Outcome = OutcomeRefused
	outcome := histEvent(EventReviewOutcome, "2026-06-05")
	outcome.Outcome = OutcomeUpheld
	ds := ComputeDeadlines(foia, []Event{histEvent(EventSent, "2026-03-02"), resp, histEvent(EventReviewRequested, "2026-04-13"), outcome})
	checks := []struct {
		name string
		got  Deadline
		want string
	}{
		// 40 working days after Fri 10 Apr 2026, over the May bank holidays (4 and 25 May).
		{"review ask-by", ds.ReviewAskBy, "2026-06-09"},
		// 20 working days after Mon 13 Apr: Tue 12 May; 40: Wed 10 Jun.
		{"review due", ds.ReviewDue, "2026-05-12"},
		{"review due max", ds.ReviewDueMax, "2026-06-10"},
		{"review long overdue", ds.ReviewLongOverdue, "2026-06-10"},
		// ICO: 3 months after the review outcome of Fri 5 Jun.
		{"regulator window", ds.RegulatorWindow, "2026-09-05"},
	}
	for _, c := range checks {
		if c.got.Date.String() != c.want {
			t.Errorf("%s = %s, want %s (%s)", c.name, c.got.Date, c.want, c.got.Explanation)
		}
		if c.got.Explanation == "" || !strings.Contains(c.got.Explanation, c.got.Date.Long()) {
			t.Errorf("%s: explanation %q does not give the date", c.name, c.got.Explanation)
		}
	}
	if st := ds.Standing(MustParseDate("2026-06-20")); st.Code != StandingAnswered || st.Date.String() != "2026-06-05" {
		t.Errorf("standing after the review outcome: %+v", st)
	}

	// FOISA: 6 months, and a month without the day ends on its last day.
	foisa, _ := LawByCode(ScotFOISA)
	resp = histEvent(EventResponseReceived, "2026-08-31")
	resp.Outcome = OutcomeRefused
	ds = ComputeDeadlines(foisa, []Event{histEvent(EventSent, "2026-08-03"), resp})
	if got := ds.RegulatorWindow.Date.String(); got != "2027-02-28" {
		t.Errorf("FOISA window after 31 Aug 2026 = %s, want 2027-02-28", got)
	}

	// US: appeal within 90 calendar days; decision in 20 working days.
	us, _ := LawByCode(USFOIA)
	resp = histEvent(EventResponseReceived, "2026-04-10")
	resp.Outcome = OutcomeReleasedInPart
	ds = ComputeDeadlines(us, []Event{histEvent(EventSent, "2026-02-02"), resp})
	if got := ds.ReviewAskBy.Date.String(); got != "2026-07-09" {
		t.Errorf("US appeal ask-by = %s, want 2026-07-09", got)
	}
	if !ds.RegulatorWindow.IsZero() {
		t.Errorf("US has no regulator window, got %+v", ds.RegulatorWindow)
	}
	ds = ComputeDeadlines(us, []Event{histEvent(EventSent, "2026-02-02"), histEvent(EventResponseReceived, "2026-02-25"), histEvent(EventReviewRequested, "2026-03-02")})
	// The response above has no outcome: the lifecycle refuses it, so it is ignored with a warning.
	if len(ds.Warnings) == 0 || !strings.Contains(ds.Warnings[0], "ignored") {
		t.Errorf("warnings %q", ds.Warnings)
	}
	if got := ds.ReviewDue.Date.String(); got != "2026-03-30" {
		t.Errorf("US appeal decision due %s, want 2026-03-30", got)
	}
	if got := ds.ReviewLongOverdue.Date.String(); got != "2026-04-27" {
		t.Errorf("US appeal long overdue after %s, want 2026-04-27", got)
	}
	// Unusual circumstances on appeal: +10 working days.
	ext := histEvent(EventExtensionClaimed, "2026-03-20")
	ext.Reason = "unusual circumstances"
	ds = ComputeDeadlines(us, []Event{histEvent(EventSent, "2026-02-02"), histEvent(EventReviewRequested, "2026-03-02"), ext})
	if got := ds.CurrentReview().Date.String(); got != "2026-04-13" {
		t.Errorf("US appeal extended to %s, want 2026-04-13", got)
	}

	// Ireland: ask within 4 weeks (20 working days), decided in 3 weeks (15).
	ie, _ := LawByCode(IEFOI)
	resp = histEvent(EventResponseReceived, "2026-04-08")
	resp.Outcome = OutcomeRefused
	ds = ComputeDeadlines(ie, []Event{histEvent(EventSent, "2026-03-09"), resp, histEvent(EventReviewRequested, "2026-05-08")})
	if got := ds.ReviewAskBy.Date.String(); got != "2026-05-07" {
		t.Errorf("IE review ask-by %s, want 2026-05-07", got)
	}
	if got := ds.ReviewDue.Date.String(); got != "2026-05-29" {
		t.Errorf("IE review due %s, want 2026-05-29", got)
	}

	// Australia: the OAIC window is 60 days; Sat 6 Jun 2026 → Mon 8 Jun is
	// the King's Birthday → Tue 9 Jun. Internal review asked within 30 days.
	au, _ := LawByCode(AUFOI)
	resp = histEvent(EventResponseReceived, "2026-04-07")
	resp.Outcome = OutcomeRefused
	ds = ComputeDeadlines(au, []Event{histEvent(EventSent, "2026-03-05"), resp})
	if got := ds.RegulatorWindow.Date.String(); got != "2026-06-09" {
		t.Errorf("AU regulator window %s, want 2026-06-09 (%s)", got, ds.RegulatorWindow.Explanation)
	}
	if got := ds.ReviewAskBy.Date.String(); got != "2026-05-07" {
		t.Errorf("AU review ask-by %s, want 2026-05-07", got)
	}
}

func TestFOIAReviewExtension(t *testing.T) {
	foia, _ := LawByCode(UKFOIA)
	resp := histEvent(EventResponseReceived, "2026-04-10")
	resp.Outcome = OutcomeRefused
	for _, tt := range []struct {
		to        string
		excessive bool
	}{{"2026-06-10", false}, {"2026-06-11", true}} {
		ext := histEvent(EventExtensionClaimed, "2026-05-01")
		ext.NewDueDate = MustParseDate(tt.to)
		ds := ComputeDeadlines(foia, []Event{histEvent(EventSent, "2026-03-02"), resp, histEvent(EventReviewRequested, "2026-04-13"), ext})
		if got := ds.CurrentReview().Date.String(); got != tt.to {
			t.Errorf("review in force %s, want %s", got, tt.to)
		}
		if (ds.ReviewExtended.Warning != "") != tt.excessive {
			t.Errorf("review extended to %s: warning %q, excessive want %v", tt.to, ds.ReviewExtended.Warning, tt.excessive)
		}
		// The response deadline is not touched by a review extension.
		if ds.Extended.IsZero() == false {
			t.Errorf("a review extension changed the response deadline: %+v", ds.Extended)
		}
	}
}

func TestStanding(t *testing.T) {
	foia, _ := LawByCode(UKFOIA)
	sent := []Event{histEvent(EventSent, "2026-03-02")} // due Tue 31 Mar 2026, long overdue after Thu 30 Apr
	ds := ComputeDeadlines(foia, sent)
	tests := []struct {
		today string
		code  StandingCode
		days  int
	}{
		{"2026-03-02", StandingOnTime, 20},
		{"2026-03-25", StandingOnTime, 4},
		{"2026-03-26", StandingDueSoon, 3},
		{"2026-03-28", StandingDueSoon, 2}, // a Saturday: Mon 30 and Tue 31 left
		{"2026-03-30", StandingDueSoon, 1},
		{"2026-03-31", StandingDueToday, 0},
		{"2026-04-01", StandingOverdue, 1},
		{"2026-04-07", StandingOverdue, 3}, // Good Friday and Easter Monday are not late days
		{"2026-04-30", StandingOverdue, 20},
		{"2026-05-01", StandingLongOverdue, 21},
	}
	for _, tt := range tests {
		st := ds.Standing(MustParseDate(tt.today))
		if st.Code != tt.code || st.WorkingDays != tt.days || st.Date.String() != "2026-03-31" {
			t.Errorf("on %s: %+v, want %s with %d working days", tt.today, st, tt.code, tt.days)
		}
		if st.Text == "" {
			t.Errorf("on %s: no text", tt.today)
		}
	}

	if st := ComputeDeadlines(foia, nil).Standing(MustParseDate("2026-03-02")); st.Code != StandingNotStarted {
		t.Errorf("no history: %+v", st)
	}
	resp := histEvent(EventResponseReceived, "2026-03-20")
	resp.Outcome = OutcomeReleasedInFull
	if st := ComputeDeadlines(foia, append(sent, resp)).Standing(MustParseDate("2026-05-01")); st.Code != StandingAnswered || st.Date.String() != "2026-03-20" {
		t.Errorf("answered: %+v", st)
	}
	if st := ComputeDeadlines(foia, append(sent, histEvent(EventWithdrawn, "2026-03-10"))).Standing(MustParseDate("2026-05-01")); st.Code != StandingClosed || st.Date.String() != "2026-03-10" {
		t.Errorf("withdrawn: %+v", st)
	}
	// While a review is under way, the standing is about the review decision (due Tue 12 May 2026).
	review := append(append([]Event(nil), sent...), resp, histEvent(EventReviewRequested, "2026-04-13"))
	st := ComputeDeadlines(foia, review).Standing(MustParseDate("2026-05-13"))
	if st.Code != StandingOverdue || st.Date.String() != "2026-05-12" || st.WorkingDays != 1 {
		t.Errorf("review overdue: %+v", st)
	}
	if got := ComputeDeadlines(foia, review).NextDue().Date.String(); got != "2026-05-12" {
		t.Errorf("NextDue during review = %s", got)
	}
}

func TestCoverageWarning(t *testing.T) {
	ds, err := Calculate(CalculatorInput{Law: UKFOIA, Received: MustParseDate("2027-12-13")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Warnings) != 1 || !strings.Contains(ds.Warnings[0], "2028") {
		t.Errorf("warnings %q, want one about 2028", ds.Warnings)
	}
	ds, _ = Calculate(CalculatorInput{Law: UKFOIA, Received: MustParseDate("2026-03-02")})
	if len(ds.Warnings) != 0 {
		t.Errorf("warnings %q, want none", ds.Warnings)
	}
}

func TestDeadlinesJSON(t *testing.T) {
	ds, err := Calculate(CalculatorInput{Law: UKFOIA, Received: MustParseDate("2026-03-02")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	resp, _ := got["response"].(map[string]any)
	if resp["date"] != "2026-03-31" || resp["from"] != "2026-03-02" {
		t.Errorf("response JSON %v", resp)
	}
	if lo, _ := got["long_overdue"].(map[string]any); lo["date"] != "2026-04-30" {
		t.Errorf("long_overdue JSON %v", got["long_overdue"])
	}
	for _, absent := range []string{"extended", "review_due", "stopped", "regulator_window"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s present in %s", absent, b)
		}
	}
	var back Deadlines
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Current().Date.Equal(ds.Current().Date) || back.Standing(MustParseDate("2026-04-01")).Code != StandingOverdue {
		t.Errorf("round trip lost the deadline: %+v", back.Current())
	}
}

func TestUKExtensionWithoutDate(t *testing.T) {
	foia, _ := LawByCode(UKFOIA)
	ext := histEvent(EventExtensionClaimed, "2026-03-30")
	ext.Reason = "public interest test"
	ds := ComputeDeadlines(foia, []Event{histEvent(EventSent, "2026-03-02"), ext})
	// No date given: the Code's 20 working days are assumed, Tue 31 Mar → Thu 30 Apr.
	if got := ds.Current().Date.String(); got != "2026-04-30" {
		t.Errorf("due in force %s, want 2026-04-30", got)
	}
	if !strings.Contains(ds.Extended.Warning, "gives no date") || strings.Contains(ds.Extended.Warning, "Excessive") {
		t.Errorf("warning %q", ds.Extended.Warning)
	}
	if !strings.Contains(ds.Extended.Explanation, "(public interest test)") {
		t.Errorf("explanation %q", ds.Extended.Explanation)
	}
}

// An EISR extension notice without a date: reg 7(1)'s 20 more working days
// are assumed, and the requester is told to ask for the date.
func TestEISRExtensionWithoutDate(t *testing.T) {
	eisr, _ := LawByCode(ScotEISR)
	ext := histEvent(EventExtensionClaimed, "2026-03-20")
	ext.Reason = "volume and complexity"
	ds := ComputeDeadlines(eisr, []Event{histEvent(EventSent, "2026-03-02"), ext})
	// Mon 30 Mar + 20 working days, Good Friday skipped and Easter Monday counted: Tue 28 Apr.
	if got := ds.Current().Date.String(); got != "2026-04-28" {
		t.Errorf("due in force %s, want 2026-04-28\n%s", got, ds.Current().Explanation)
	}
	if !strings.Contains(ds.Extended.Warning, "gives no date") || !strings.Contains(ds.Extended.Explanation, "reg 7(1)") {
		t.Errorf("warning %q, explanation %q", ds.Extended.Warning, ds.Extended.Explanation)
	}
	// The length is the authority's to set, up to the limit: a fixed-length
	// extension is refused as for the EIR.
	if _, err := Calculate(CalculatorInput{Law: ScotEISR, Received: MustParseDate("2026-03-02"), Unusual: true}); ErrorCode(err) != EINVALID {
		t.Errorf("Calculate EISR unusual: err %v, want EINVALID", err)
	}
}

// EISR review (reg 16): asked within 40 working days, decided within 20 with
// no further extension; then 6 months to apply to the Scottish Information
// Commissioner (reg 17 applies FOISA Part 4).
func TestEISRReviewDeadlines(t *testing.T) {
	eisr, _ := LawByCode(ScotEISR)
	resp := histEvent(EventResponseReceived, "2026-04-10")
	resp.Outcome = OutcomeRefused
	resp.Exemptions = []string{"reg10(5)(e)"}
	outcome := histEvent(EventReviewOutcome, "2026-06-05")
	outcome.Outcome = OutcomeUpheld
	ds := ComputeDeadlines(eisr, []Event{histEvent(EventSent, "2026-03-02"), resp, histEvent(EventReviewRequested, "2026-04-13"), outcome})
	checks := []struct {
		name string
		got  Deadline
		want string
	}{
		// 40 working days after Fri 10 Apr 2026, Scotland's May bank holidays
		// (Mon 4 and Mon 25 May) skipped: 13 Apr-1 May (15), 5-29 May (33),
		// 1-5 Jun (38), 8-9 Jun (40): Tue 9 Jun.
		{"review ask-by", ds.ReviewAskBy, "2026-06-09"},
		// 20 working days after Mon 13 Apr: 14 Apr-1 May (14), 4 May skipped,
		// 5-8 May (18), 11-12 May (20): Tue 12 May.
		{"review due", ds.ReviewDue, "2026-05-12"},
		// 20 working days after that: 13-22 May (8), 25 May skipped, 26 May-5
		// Jun (17), 8-10 Jun (20): Wed 10 Jun.
		{"review long overdue", ds.ReviewLongOverdue, "2026-06-10"},
		// 6 months after the review outcome of Fri 5 Jun.
		{"regulator window", ds.RegulatorWindow, "2026-12-05"},
	}
	for _, c := range checks {
		if c.got.Date.String() != c.want {
			t.Errorf("%s = %s, want %s (%s)", c.name, c.got.Date, c.want, c.got.Explanation)
		}
	}
	// Reg 16(4) sets 20 working days and no outer limit beyond them.
	if !ds.ReviewDueMax.IsZero() {
		t.Errorf("EISR review has no later limit, got %+v", ds.ReviewDueMax)
	}
	if eisr.Regulator != "Scottish Information Commissioner" || eisr.RegulatorURL != "https://www.foi.scot/appeal" {
		t.Errorf("regulator %q %q", eisr.Regulator, eisr.RegulatorURL)
	}
}

func TestComplaintAboutNoResponse(t *testing.T) {
	foia, _ := LawByCode(UKFOIA)
	ds := ComputeDeadlines(foia, []Event{histEvent(EventSent, "2026-03-02"), histEvent(EventRegulatorComplaint, "2026-05-05")})
	st := ds.Standing(MustParseDate("2026-05-05"))
	if st.Code != StandingLongOverdue || st.Date.String() != "2026-03-31" {
		t.Errorf("standing %+v, want long overdue against Tue 31 Mar 2026", st)
	}
	if !ds.RegulatorWindow.IsZero() {
		t.Errorf("regulator window without any contact: %+v", ds.RegulatorWindow)
	}
}
