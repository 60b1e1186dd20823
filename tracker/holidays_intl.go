package tracker

import (
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/au"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/us"
)

// US federal holidays: the legal public holidays of 5 U.S.C. 6103(a), which is
// what 552(a)(6)(A)(i) excepts ("excepting Saturdays, Sundays, and legal public
// holidays"). A holiday on a Saturday is observed on the Friday before, one on
// a Sunday on the Monday after (6103(b), Executive Order 11582); New Year's Day
// on a Saturday is observed on Friday 31 December of the year before.
//
// rickar/cal/v2's us package is correct for these (Juneteenth from 2021); the
// names are the statute's. Inauguration Day (6103(c), only in the Washington
// area) and closures by executive order (e.g. an extra day at Christmas, a
// national day of mourning) are not legal public holidays and are not counted.
// Checked against OPM's lists for 2024–2028.
var usFederalCalendar = &ruleCalendar{
	name:        CalendarUSFederal,
	description: "Saturdays, Sundays and legal public holidays (5 U.S.C. 6103)",
	substitute:  "observed",
	rules: plainRules(
		us.NewYear,
		us.MlkDay.Clone(&cal.Holiday{Name: "Birthday of Martin Luther King, Jr."}),
		us.PresidentsDay.Clone(&cal.Holiday{Name: "Washington's Birthday"}),
		us.MemorialDay,
		us.Juneteenth.Clone(&cal.Holiday{Name: "Juneteenth National Independence Day"}),
		us.IndependenceDay,
		us.LaborDay,
		us.ColumbusDay,
		us.VeteransDay,
		us.ThanksgivingDay,
		us.ChristmasDay,
	),
	first: 2019, last: 2028,
}

// Irish public holidays (Organisation of Working Time Act 1997, Schedule 2),
// from rickar/cal/v2's ie package: New Year's Day, St Brigid's Day (from 2023:
// the first Monday of February, or 1 February when that is a Friday),
// St Patrick's Day, Easter Monday, the first Mondays of May, June and August,
// the last Monday of October, Christmas Day and St Stephen's Day, and the
// one-off 18 March 2022. Good Friday is not a public holiday in Ireland.
//
// A public holiday falling on a weekend is not moved: the Act gives employees
// a day off in lieu but makes no weekday a public holiday, and the ie package
// has no substitute days. Offices often close on the following Monday by
// custom; foitrack does not count that day, so a deadline may be one day
// earlier than an authority reckons. Checked for 2024–2026.
var irelandCalendar = &ruleCalendar{
	name:        CalendarIreland,
	description: "Saturdays, Sundays and Irish public holidays",
	substitute:  "substitute day",
	rules: plainRules(
		ie.NewYear.Clone(&cal.Holiday{Name: "New Year's Day"}),
		ie.ExtraPublicHoliday2022.Clone(&cal.Holiday{Name: "Public holiday (Covid-19 remembrance and recognition)"}),
		ie.SaintBrigidDay.Clone(&cal.Holiday{Name: "St Brigid's Day"}),
		ie.SaintPatrickDay.Clone(&cal.Holiday{Name: "St Patrick's Day"}),
		ie.EasterMonday.Clone(&cal.Holiday{Name: "Easter Monday"}),
		ie.FirstMondayMay.Clone(&cal.Holiday{Name: "May bank holiday"}),
		ie.FirstMondayJune.Clone(&cal.Holiday{Name: "June bank holiday"}),
		ie.FirstMondayAugust.Clone(&cal.Holiday{Name: "August bank holiday"}),
		ie.LastMondayInOctober.Clone(&cal.Holiday{Name: "October bank holiday"}),
		ie.ChristmasDay.Clone(&cal.Holiday{Name: "Christmas Day"}),
		ie.SaintStephenDay.Clone(&cal.Holiday{Name: "St Stephen's Day"}),
	),
	first: 2024, last: 2026,
}

// Australian national public holidays: the days that are public holidays in
// every state and territory, or nearly so, which is what the Acts
// Interpretation Act 1901 s36(2) looks to when a period's last day is a
// "holiday": New Year's Day and Australia Day (a weekend one moves to
// Monday), Good Friday, Easter Monday, Anzac Day (not moved: NSW, Victoria
// and Tasmania keep no substitute), the King's (earlier Queen's) Birthday on
// the second Monday of June (not WA or Queensland, which keep it later in the
// year), Christmas Day and Boxing Day (moved off a weekend), and the National
// Day of Mourning of 22 Sep 2022. From rickar/cal/v2's au package. State and
// territory holidays (Canberra Day, Labour Day, the ACT's Anzac Day
// substitute…) are not counted. Checked for 2024–2026.
var australiaCalendar = &ruleCalendar{
	name:        CalendarAustralia,
	description: "Saturdays, Sundays and Australian national public holidays",
	substitute:  "substitute day",
	rules: plainRules(
		au.NewYear,
		au.AustraliaDay,
		au.GoodFriday,
		au.EasterMonday,
		au.AnzacDay.Clone(&cal.Holiday{Name: "Anzac Day"}),
		au.QueensBirthday.Clone(&cal.Holiday{EndYear: 2022}),
		au.QueensBirthday.Clone(&cal.Holiday{Name: "King's Birthday", StartYear: 2023}),
		au.MourningDay2022,
		au.ChristmasDay,
		au.BoxingDay,
	),
	first: 2024, last: 2026,
}

func plainRules(hs ...*cal.Holiday) []holidayRule {
	out := make([]holidayRule, len(hs))
	for i, h := range hs {
		out[i] = holidayRule{Holiday: h}
	}
	return out
}
