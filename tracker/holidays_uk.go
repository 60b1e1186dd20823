package tracker

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"
)

// UK bank holidays, by nation.
//
// FOIA s10(6) (and EIR reg 2(1), which borrows it) makes every day other than
// a Saturday, a Sunday, Christmas Day, Good Friday or a bank holiday under the
// Banking and Financial Dealings Act 1971 "in any part of the United Kingdom" a
// working day; FOISA s73 counts only Scotland's. So the holidays are kept per
// nation and merged: CalendarUK takes all of them, CalendarScotland only
// Scotland's.
//
// Sources: rickar/cal/v2's gb package for the holidays common to the nations
// (with its one-offs: 8 May 2020 VE Day in place of the early May holiday,
// 2 and 3 Jun 2022 for the Platinum Jubilee, 8 May 2023 for the coronation),
// re-named as gov.uk names them. It has no Scottish or Northern Irish holidays
// and misses 19 Sep 2022, so those are defined here with the library's types:
//   - Scotland: 2 January, first Monday of August (in place of the last),
//     St Andrew's Day, and no Easter Monday;
//   - Northern Ireland: St Patrick's Day and 12 July (Battle of the Boyne);
//   - one-off holidays by royal proclamation, in ukProclamations below.
//
// Substitute days follow the gov.uk lists: a holiday on a Saturday or Sunday
// moves to the next weekday that is not already a holiday (Christmas on a
// Sunday moves to Tuesday 27th because Boxing Day holds Monday 26th).
//
// Checked against gov.uk's published list (bank-holidays.json) for 2019–2027,
// the years the one-off table below is known to be complete for. Later years
// follow the regular rules only; add any new proclamation to ukProclamations.

var (
	// Substitute-day rules. A holiday that is the first of a pair (New Year's
	// Day, St Andrew's Day, St Patrick's Day, 12 July) moves to Monday.
	ukWeekendToMonday = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}
	// Christmas Day and Boxing Day: on a weekend, two days later. That gives
	// gov.uk's pattern every year: Sat 25 → Mon 27 and Sun 26 → Tue 28; Sun 25 →
	// Tue 27 (Boxing Day keeps Mon 26); Sat 26 → Mon 28.
	ukChristmasPair = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 2}}
	// 2 January (Scotland) follows New Year's Day: on a Saturday to Monday 4th,
	// on a Sunday to Tuesday 4th, and on a Monday (New Year's Day's substitute
	// day) to Tuesday 3rd.
	ukSecondJanuaryAlt = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 2}, {Day: time.Monday, Offset: 1}}
)

// ukProclamations are one-off bank holidays made by royal proclamation under
// the Banking and Financial Dealings Act 1971 s1(3) that rickar/cal/v2 lacks.
// Complete for 2019–2027 (checked against gov.uk); extend when one is announced.
var ukProclamations = []struct {
	date  string
	name  string
	where region
}{
	{"2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II", regionAllUK},
}

var ukRules = func() []holidayRule {
	named := func(h *cal.Holiday, name string, alt []cal.AltDay) *cal.Holiday {
		return h.Clone(&cal.Holiday{Name: name, Observed: alt})
	}
	rules := []holidayRule{
		{named(gb.NewYear, "New Year's Day", ukWeekendToMonday), regionAllUK},
		{&cal.Holiday{Name: "2nd January", Month: time.January, Day: 2, Func: cal.CalcDayOfMonth, Observed: ukSecondJanuaryAlt}, regionScotland},
		{&cal.Holiday{Name: "St Patrick's Day", Month: time.March, Day: 17, Func: cal.CalcDayOfMonth, Observed: ukWeekendToMonday}, regionNorthernIreland},
		{named(gb.GoodFriday, "Good Friday", nil), regionAllUK},
		{named(gb.EasterMonday, "Easter Monday", nil), regionEnglandWales | regionNorthernIreland},
		{named(gb.EarlyMay, "Early May bank holiday", nil), regionAllUK},
		{named(gb.VEDay, "Early May bank holiday (VE day)", nil), regionAllUK},
		{named(gb.CoronationDay, "Bank holiday for the coronation of King Charles III", nil), regionAllUK},
		{named(gb.SpringHoliday, "Spring bank holiday", nil), regionAllUK},
		{named(gb.SpringHoliday2022, "Spring bank holiday", nil), regionAllUK},
		{named(gb.PlatinumJubilee, "Platinum Jubilee bank holiday", nil), regionAllUK},
		{&cal.Holiday{Name: "Battle of the Boyne (Orangemen's Day)", Month: time.July, Day: 12, Func: cal.CalcDayOfMonth, Observed: ukWeekendToMonday}, regionNorthernIreland},
		{named(gb.SummerHolidayScotland, "Summer bank holiday", nil), regionScotland},
		{named(gb.SummerHoliday, "Summer bank holiday", nil), regionEnglandWales | regionNorthernIreland},
		{&cal.Holiday{Name: "St Andrew's Day", Month: time.November, Day: 30, Func: cal.CalcDayOfMonth, Observed: ukWeekendToMonday}, regionScotland},
		{named(gb.ChristmasDay, "Christmas Day", ukChristmasPair), regionAllUK},
		{named(gb.BoxingDay, "Boxing Day", ukChristmasPair), regionAllUK},
	}
	for _, p := range ukProclamations {
		d := MustParseDate(p.date)
		rules = append(rules, holidayRule{&cal.Holiday{
			Name: p.name, Month: d.Month(), Day: d.Day(), Func: cal.CalcDayOfMonth,
			StartYear: d.Year(), EndYear: d.Year(),
		}, p.where})
	}
	return rules
}()

// ukRegionNote says where a bank holiday applies, for the uk-any calendar.
func ukRegionNote(r region) string {
	switch r {
	case regionAllUK:
		return "all of the UK"
	case regionEnglandWales:
		return "England and Wales bank holiday"
	case regionScotland:
		return "Scotland bank holiday"
	case regionNorthernIreland:
		return "Northern Ireland bank holiday"
	case regionEnglandWales | regionNorthernIreland:
		return "bank holiday in England, Wales and Northern Ireland"
	case regionEnglandWales | regionScotland:
		return "bank holiday in England, Wales and Scotland"
	case regionScotland | regionNorthernIreland:
		return "bank holiday in Scotland and Northern Ireland"
	}
	return ""
}

func ukRulesIn(r region) []holidayRule {
	var out []holidayRule
	for _, h := range ukRules {
		if h.where&r != 0 {
			out = append(out, holidayRule{h.Holiday, h.where & r})
		}
	}
	return out
}

var ukAnyCalendar = &ruleCalendar{
	name:        CalendarUK,
	description: "Saturdays, Sundays, Christmas Day, Good Friday and bank holidays in any part of the UK",
	substitute:  "substitute day",
	rules:       ukRules,
	annotate:    ukRegionNote,
	first:       2019, last: 2027,
}

var scotlandCalendar = &ruleCalendar{
	name:        CalendarScotland,
	description: "Saturdays, Sundays, Christmas Day, Good Friday and Scotland's bank holidays",
	substitute:  "substitute day",
	rules:       ukRulesIn(regionScotland),
	first:       2019, last: 2027,
}
