package tracker

import "testing"

// BenchmarkComputeDeadlines measures the engine on a long UK history (the
// dashboard computes one per open request on every view).
func BenchmarkComputeDeadlines(b *testing.B) {
	law, _ := LawByCode(UKFOIA)
	history := []Event{
		{ID: 1, Kind: EventSent, Date: MustParseDate("2026-03-02")},
		{ID: 2, Kind: EventClarificationRequested, Date: MustParseDate("2026-03-05")},
		{ID: 3, Kind: EventClarificationSent, Date: MustParseDate("2026-03-09")},
		{ID: 4, Kind: EventExtensionClaimed, Date: MustParseDate("2026-04-02"), NewDueDate: MustParseDate("2026-05-01"), Reason: "public interest test"},
		{ID: 5, Kind: EventResponseReceived, Date: MustParseDate("2026-04-30"), Outcome: OutcomeRefused},
		{ID: 6, Kind: EventReviewRequested, Date: MustParseDate("2026-05-05")},
	}
	b.ReportAllocs()
	for b.Loop() {
		ds := ComputeDeadlines(law, history)
		if ds.CurrentReview().Date.IsZero() {
			b.Fatal("no review deadline")
		}
	}
}

// BenchmarkAddWorkingDays measures a 20-working-day count on the UK calendar.
func BenchmarkAddWorkingDays(b *testing.B) {
	c := CalendarFor(CalendarUK)
	from := MustParseDate("2026-12-14")
	for b.Loop() {
		AddWorkingDays(c, from, 20)
	}
}
