package tracker

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/internal/testenv"
)

func TestCalendarForEveryLaw(t *testing.T) {
	for _, l := range Laws {
		c := CalendarFor(l.Calendar)
		if c == nil {
			t.Fatalf("%s: no calendar %q", l.Code, l.Calendar)
		}
		if c.Name() != l.Calendar {
			t.Errorf("%s: CalendarFor(%q).Name() = %q", l.Code, l.Calendar, c.Name())
		}
		if first, last := c.Coverage(); first > 2024 || last < 2026 {
			t.Errorf("%s: coverage %d–%d, want at least 2024–2026", l.Calendar, first, last)
		}
	}
	if c := CalendarFor("mars"); c != nil {
		t.Errorf("CalendarFor(unknown) = %v, want nil", c.Name())
	}
}

// Hand-written from gov.uk, OPM, gov.ie/citizensinformation.ie and the
// Australian government's public holiday lists; the later UK years follow the
// regular rules (Easter 2028: 16 Apr, 2029: 1 Apr, 2030: 21 Apr).
var knownDays = []struct {
	cal  string
	date string
	// want is a substring of the holiday's name; "" means a working day.
	want string
}{
	// uk-any: every nation's bank holidays, with the nation named.
	{CalendarUK, "2024-01-01", "New Year's Day (all of the UK)"},
	{CalendarUK, "2024-01-02", "2nd January (Scotland bank holiday)"},
	{CalendarUK, "2024-03-18", "St Patrick's Day (substitute day; Northern Ireland bank holiday)"},
	{CalendarUK, "2024-03-29", "Good Friday"},
	{CalendarUK, "2024-04-01", "Easter Monday (bank holiday in England, Wales and Northern Ireland)"},
	{CalendarUK, "2024-05-06", "Early May bank holiday"},
	{CalendarUK, "2024-05-27", "Spring bank holiday"},
	{CalendarUK, "2024-07-12", "Battle of the Boyne"},
	{CalendarUK, "2024-08-05", "Summer bank holiday (Scotland bank holiday)"},
	{CalendarUK, "2024-08-26", "Summer bank holiday (bank holiday in England, Wales and Northern Ireland)"},
	{CalendarUK, "2024-12-02", "St Andrew's Day (substitute day; Scotland bank holiday)"},
	{CalendarUK, "2024-12-25", "Christmas Day"},
	{CalendarUK, "2024-12-26", "Boxing Day"},
	{CalendarUK, "2024-12-24", ""},
	{CalendarUK, "2024-12-27", ""},
	{CalendarUK, "2025-01-02", "2nd January"},
	{CalendarUK, "2025-03-17", "St Patrick's Day"},
	{CalendarUK, "2025-07-14", "Battle of the Boyne (Orangemen's Day) (substitute day; Northern Ireland bank holiday)"},
	{CalendarUK, "2025-12-01", "St Andrew's Day (substitute day"},
	{CalendarUK, "2026-03-17", "St Patrick's Day (Northern Ireland bank holiday)"},
	{CalendarUK, "2026-07-13", "Battle of the Boyne"},
	{CalendarUK, "2026-08-03", "Summer bank holiday (Scotland"},
	{CalendarUK, "2026-11-30", "St Andrew's Day (Scotland bank holiday)"},
	{CalendarUK, "2026-12-28", "Boxing Day (substitute day; all of the UK)"},
	{CalendarUK, "2026-12-24", ""},
	{CalendarUK, "2026-12-29", ""},
	{CalendarUK, "2027-01-04", "2nd January (substitute day"},
	{CalendarUK, "2027-03-29", "Easter Monday"},
	{CalendarUK, "2027-11-30", "St Andrew's Day"},
	{CalendarUK, "2027-12-27", "Christmas Day (substitute day"},
	{CalendarUK, "2027-12-28", "Boxing Day (substitute day"},
	// One-offs by proclamation.
	{CalendarUK, "2020-05-08", "VE day"},
	{CalendarUK, "2020-05-04", ""}, // the early May holiday moved to VE Day
	{CalendarUK, "2022-06-02", "Spring bank holiday"},
	{CalendarUK, "2022-06-03", "Platinum Jubilee"},
	{CalendarUK, "2022-05-30", ""}, // the spring holiday moved to 2 June
	{CalendarUK, "2022-09-19", "State Funeral of Queen Elizabeth II"},
	{CalendarUK, "2023-05-08", "coronation of King Charles III"},
	// Regular rules beyond the published lists.
	{CalendarUK, "2028-01-03", "New Year's Day (substitute day"},
	{CalendarUK, "2028-01-04", "2nd January (substitute day"},
	{CalendarUK, "2028-04-14", "Good Friday"},
	{CalendarUK, "2028-04-17", "Easter Monday"},
	{CalendarUK, "2029-03-19", "St Patrick's Day (substitute day"},
	{CalendarUK, "2029-03-30", "Good Friday"},
	{CalendarUK, "2029-04-02", "Easter Monday"},
	{CalendarUK, "2030-03-18", "St Patrick's Day (substitute day"},
	{CalendarUK, "2030-04-19", "Good Friday"},
	{CalendarUK, "2030-04-22", "Easter Monday"},
	{CalendarUK, "2030-12-02", "St Andrew's Day (substitute day"},

	// Scotland only: no Easter Monday, no St Patrick's Day, no 12 July, its own summer holiday.
	{CalendarScotland, "2024-01-02", "2nd January"},
	{CalendarScotland, "2024-03-18", ""},
	{CalendarScotland, "2024-03-29", "Good Friday"},
	{CalendarScotland, "2024-04-01", ""},
	{CalendarScotland, "2024-07-12", ""},
	{CalendarScotland, "2024-08-05", "Summer bank holiday"},
	{CalendarScotland, "2024-08-26", ""},
	{CalendarScotland, "2024-12-02", "St Andrew's Day (substitute day)"},
	{CalendarScotland, "2026-03-17", ""},
	{CalendarScotland, "2026-07-13", ""},
	{CalendarScotland, "2026-11-30", "St Andrew's Day"},
	{CalendarScotland, "2026-12-28", "Boxing Day (substitute day)"},
	{CalendarScotland, "2022-09-19", "State Funeral"},

	// US federal (OPM), with Saturday → Friday and Sunday → Monday.
	{CalendarUSFederal, "2024-01-01", "New Year's Day"},
	{CalendarUSFederal, "2024-01-15", "Martin Luther King"},
	{CalendarUSFederal, "2024-02-19", "Washington's Birthday"},
	{CalendarUSFederal, "2024-05-27", "Memorial Day"},
	{CalendarUSFederal, "2024-06-19", "Juneteenth"},
	{CalendarUSFederal, "2024-07-04", "Independence Day"},
	{CalendarUSFederal, "2024-09-02", "Labor Day"},
	{CalendarUSFederal, "2024-10-14", "Columbus Day"},
	{CalendarUSFederal, "2024-11-11", "Veterans Day"},
	{CalendarUSFederal, "2024-11-28", "Thanksgiving Day"},
	{CalendarUSFederal, "2024-11-29", ""}, // the day after is not a legal public holiday
	{CalendarUSFederal, "2024-12-25", "Christmas Day"},
	{CalendarUSFederal, "2025-01-20", "Martin Luther King"},
	{CalendarUSFederal, "2025-02-17", "Washington's Birthday"},
	{CalendarUSFederal, "2025-05-26", "Memorial Day"},
	{CalendarUSFederal, "2025-06-19", "Juneteenth"},
	{CalendarUSFederal, "2025-07-04", "Independence Day"},
	{CalendarUSFederal, "2025-09-01", "Labor Day"},
	{CalendarUSFederal, "2025-10-13", "Columbus Day"},
	{CalendarUSFederal, "2025-11-11", "Veterans Day"},
	{CalendarUSFederal, "2025-11-27", "Thanksgiving Day"},
	{CalendarUSFederal, "2026-07-03", "Independence Day (observed)"},
	{CalendarUSFederal, "2026-11-26", "Thanksgiving Day"},
	{CalendarUSFederal, "2026-12-24", ""},
	{CalendarUSFederal, "2026-03-17", ""},
	{CalendarUSFederal, "2027-06-18", "Juneteenth National Independence Day (observed)"},
	{CalendarUSFederal, "2027-07-05", "Independence Day (observed)"},
	{CalendarUSFederal, "2027-12-24", "Christmas Day (observed)"},
	{CalendarUSFederal, "2027-12-31", "New Year's Day (observed)"},
	{CalendarUSFederal, "2028-11-10", "Veterans Day (observed)"},

	// Ireland: St Brigid's Day from 2023; Good Friday is not a public holiday.
	{CalendarIreland, "2025-01-01", "New Year's Day"},
	{CalendarIreland, "2025-02-03", "St Brigid's Day"},
	{CalendarIreland, "2025-03-17", "St Patrick's Day"},
	{CalendarIreland, "2025-04-18", ""},
	{CalendarIreland, "2025-04-21", "Easter Monday"},
	{CalendarIreland, "2025-05-05", "May bank holiday"},
	{CalendarIreland, "2025-06-02", "June bank holiday"},
	{CalendarIreland, "2025-08-04", "August bank holiday"},
	{CalendarIreland, "2025-10-27", "October bank holiday"},
	{CalendarIreland, "2025-12-25", "Christmas Day"},
	{CalendarIreland, "2025-12-26", "St Stephen's Day"},
	{CalendarIreland, "2026-02-02", "St Brigid's Day"},
	{CalendarIreland, "2026-03-17", "St Patrick's Day"},
	{CalendarIreland, "2026-04-03", ""},
	{CalendarIreland, "2026-04-06", "Easter Monday"},
	{CalendarIreland, "2026-06-01", "June bank holiday"},
	{CalendarIreland, "2026-10-26", "October bank holiday"},
	{CalendarIreland, "2027-02-01", "St Brigid's Day"},
	{CalendarIreland, "2030-02-01", "St Brigid's Day"}, // 1 February on a Friday
	{CalendarIreland, "2022-03-18", "Public holiday"},
	{CalendarIreland, "2022-02-07", ""}, // before St Brigid's Day was a holiday
	// Documented choice: a public holiday on a weekend is not moved (OWTA 1997).
	{CalendarIreland, "2024-03-18", ""},

	// Australia, national holidays.
	{CalendarAustralia, "2025-01-01", "New Year's Day"},
	{CalendarAustralia, "2025-01-27", "Australia Day (substitute day)"},
	{CalendarAustralia, "2025-04-18", "Good Friday"},
	{CalendarAustralia, "2025-04-21", "Easter Monday"},
	{CalendarAustralia, "2025-04-25", "Anzac Day"},
	{CalendarAustralia, "2025-06-09", "King's Birthday"},
	{CalendarAustralia, "2025-12-25", "Christmas Day"},
	{CalendarAustralia, "2025-12-26", "Boxing Day"},
	{CalendarAustralia, "2026-01-26", "Australia Day"},
	{CalendarAustralia, "2026-04-27", ""}, // Anzac Day on a Saturday: no national substitute
	{CalendarAustralia, "2026-06-08", "King's Birthday"},
	{CalendarAustralia, "2026-12-28", "Boxing Day (substitute day)"},
	{CalendarAustralia, "2022-06-13", "Queen's Birthday"},
	{CalendarAustralia, "2022-09-22", "National Day of Mourning"},
}

func TestKnownHolidays(t *testing.T) {
	for _, k := range knownDays {
		c := CalendarFor(k.cal)
		d := MustParseDate(k.date)
		name, ok := c.Holiday(d)
		if k.want == "" {
			if ok || !c.IsWorkingDay(d) {
				t.Errorf("%s %s (%s): got holiday %q, want a working day", k.cal, k.date, d.Weekday(), name)
			}
			continue
		}
		if !ok || !strings.Contains(name, k.want) {
			t.Errorf("%s %s: Holiday = %q, %v; want a name containing %q", k.cal, k.date, name, ok, k.want)
		}
		if c.IsWorkingDay(d) {
			t.Errorf("%s %s: IsWorkingDay = true on %q", k.cal, k.date, name)
		}
	}
}

// govUKBankHolidays is the layout of https://www.gov.uk/bank-holidays.json.
type govUKBankHolidays map[string]struct {
	Division string `json:"division"`
	Events   []struct {
		Title string `json:"title"`
		Date  string `json:"date"`
		Notes string `json:"notes"`
	} `json:"events"`
}

// TestUKCalendarsAgainstGovUK checks every weekday of the published years:
// listed in any division ⇔ not a working day under uk-any; listed for Scotland
// ⇔ not a working day under uk-scotland.
func TestUKCalendarsAgainstGovUK(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures")
	raw, err := os.ReadFile(filepath.Join(dir, "bank-holidays.json"))
	if err != nil {
		t.Fatal(err)
	}
	var official govUKBankHolidays
	if err := json.Unmarshal(raw, &official); err != nil {
		t.Fatal(err)
	}
	divisions := map[string]region{
		"england-and-wales": regionEnglandWales, "scotland": regionScotland, "northern-ireland": regionNorthernIreland,
	}
	listed := map[Date]region{}
	first, last := 9999, 0
	for key, div := range official {
		r, ok := divisions[key]
		if !ok {
			t.Fatalf("unexpected division %q", key)
		}
		if len(div.Events) < 70 {
			t.Fatalf("%s: only %d events", key, len(div.Events))
		}
		for _, ev := range div.Events {
			d := MustParseDate(ev.Date)
			listed[d] |= r
			first, last = min(first, d.Year()), max(last, d.Year())
		}
	}
	if first != 2019 || last != 2027 {
		t.Fatalf("fixture covers %d–%d, want 2019–2027", first, last)
	}
	uk, scot := CalendarFor(CalendarUK), CalendarFor(CalendarScotland)
	checked := 0
	for d := NewDate(first, time.January, 1); d.Year() <= last; d = d.AddDays(1) {
		where := listed[d]
		if d.IsWeekend() {
			if where != 0 {
				t.Errorf("%s: gov.uk lists a weekend day", d)
			}
			continue
		}
		checked++
		name, hol := uk.Holiday(d)
		if hol != (where != 0) || uk.IsWorkingDay(d) != (where == 0) {
			t.Errorf("uk-any %s %s: Holiday = %q, %v; gov.uk lists it in %s", d, d.Weekday(), name, hol, regionNames(where))
		}
		if hol && where != 0 {
			if note := ukRegionNote(where); !strings.Contains(name, note) {
				t.Errorf("uk-any %s: name %q does not say %q", d, name, note)
			}
		}
		sname, shol := scot.Holiday(d)
		inScot := where&regionScotland != 0
		if shol != inScot || scot.IsWorkingDay(d) != !inScot {
			t.Errorf("uk-scotland %s %s: Holiday = %q, %v; gov.uk lists it in %s", d, d.Weekday(), sname, shol, regionNames(where))
		}
	}
	if checked < 9*260 {
		t.Fatalf("checked only %d weekdays", checked)
	}
}

func regionNames(r region) string {
	if r == 0 {
		return "no division"
	}
	var n []string
	for _, x := range []struct {
		r    region
		name string
	}{{regionEnglandWales, "england-and-wales"}, {regionScotland, "scotland"}, {regionNorthernIreland, "northern-ireland"}} {
		if r&x.r != 0 {
			n = append(n, x.name)
		}
	}
	return strings.Join(n, ", ")
}

// TestUSCalendarAgainstOPM checks every weekday of 2026–2028 against the
// published federal holiday list.
func TestUSCalendarAgainstOPM(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures")
	raw, err := os.ReadFile(filepath.Join(dir, "holidays", "us-federal-holidays-2026-2028.json"))
	if err != nil {
		t.Fatal(err)
	}
	var official struct {
		Holidays []struct {
			Date string `json:"date"`
			Name string `json:"name"`
		} `json:"holidays"`
	}
	if err := json.Unmarshal(raw, &official); err != nil {
		t.Fatal(err)
	}
	if len(official.Holidays) < 30 {
		t.Fatalf("only %d holidays in the fixture", len(official.Holidays))
	}
	listed := map[Date]string{}
	for _, h := range official.Holidays {
		listed[MustParseDate(h.Date)] = h.Name
	}
	us := CalendarFor(CalendarUSFederal)
	for d := NewDate(2026, time.January, 1); d.Year() <= 2028; d = d.AddDays(1) {
		if d.IsWeekend() {
			continue
		}
		want, isHol := listed[d]
		got, hol := us.Holiday(d)
		if hol != isHol || us.IsWorkingDay(d) == isHol {
			t.Errorf("us-federal %s %s: Holiday = %q, %v; OPM: %q", d, d.Weekday(), got, hol, want)
		}
		if hol && strings.Contains(want, "observed") != strings.Contains(got, "observed") {
			t.Errorf("us-federal %s: %q vs OPM %q: observed or not?", d, got, want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	uk := CalendarFor(CalendarUK)
	tests := []struct {
		from string
		n    int
		want string
		skip []string
	}{
		{"2026-03-02", 0, "2026-03-02", nil},
		{"2026-03-02", 1, "2026-03-03", nil},
		{"2026-03-06", 1, "2026-03-09", nil},                    // Friday → Monday
		{"2026-03-07", 1, "2026-03-09", nil},                    // from a Saturday: Monday is the 1st
		{"2026-03-16", 1, "2026-03-18", []string{"2026-03-17"}}, // over St Patrick's Day
		{"2026-03-02", 20, "2026-03-31", []string{"2026-03-17"}},
		// Thu 2 Apr 2026 → Good Friday, weekend, Easter Monday → Tue 7 Apr.
		{"2026-04-02", 1, "2026-04-07", []string{"2026-04-03", "2026-04-06"}},
		{"2024-12-24", 4, "2025-01-03", []string{"2024-12-25", "2024-12-26", "2025-01-01", "2025-01-02"}},
	}
	for _, tt := range tests {
		got, skipped := AddWorkingDays(uk, MustParseDate(tt.from), tt.n)
		if got.String() != tt.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
		var sk []string
		for _, s := range skipped {
			sk = append(sk, s.Date.String())
			if s.Name == "" {
				t.Errorf("skipped %s has no name", s.Date)
			}
		}
		if strings.Join(sk, ",") != strings.Join(tt.skip, ",") {
			t.Errorf("AddWorkingDays(%s, %d) skipped %v, want %v", tt.from, tt.n, sk, tt.skip)
		}
		if tt.n > 0 {
			if n := WorkingDaysBetween(uk, MustParseDate(tt.from), got); n != tt.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, got, n, tt.n)
			}
		}
	}
	if n := WorkingDaysBetween(uk, MustParseDate("2026-03-31"), MustParseDate("2026-03-02")); n != 0 {
		t.Errorf("WorkingDaysBetween backwards = %d, want 0", n)
	}
}

// The calendars are shared by every request; they must be safe to use from
// many goroutines at once (run with -race).
func TestCalendarConcurrentUse(t *testing.T) {
	uk := CalendarFor(CalendarUK)
	done := make(chan Date)
	for i := range 8 {
		go func() {
			d, _ := AddWorkingDays(uk, NewDate(2030+i%3, time.March, 2), 20)
			done <- d
		}()
	}
	for range 8 {
		if d := <-done; d.IsZero() {
			t.Error("zero date")
		}
	}
}
