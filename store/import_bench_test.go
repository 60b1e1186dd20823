package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// BenchmarkImportAuthorities40k measures `authority import` of 40,000 rows:
// into a fresh database (every row new), the file again with a changed
// column (every row an update), and once more unchanged (every row matched,
// nothing written). Each phase is reported in seconds.
func BenchmarkImportAuthorities40k(b *testing.B) {
	rows := func(website string) []tracker.Authority {
		list := make([]tracker.Authority, 40000)
		for i := range list {
			list[i] = tracker.Authority{Name: fmt.Sprintf("Council %05d", i), URLName: fmt.Sprintf("council_%05d", i),
				Jurisdiction: tracker.JurisdictionEngland, Tags: []string{"local_council"}, Website: website}
		}
		return list
	}
	phases := []struct {
		name, website string
		check         func(r [3]int) bool
	}{
		{"s/create", "", func(r [3]int) bool { return r[0] == 40000 }},
		{"s/update", "https://example.gov.uk", func(r [3]int) bool { return r[1] == 40000 }},
		{"s/unchanged", "https://example.gov.uk", func(r [3]int) bool { return r[2] == 40000 }},
	}
	took := make([]time.Duration, len(phases))
	n := 0
	for b.Loop() {
		b.StopTimer()
		st := MustOpenDB(b)
		b.StartTimer()
		for i, p := range phases {
			list := rows(p.website)
			start := time.Now()
			res, err := st.ImportAuthorities(context.Background(), list)
			took[i] += time.Since(start)
			if err != nil || !p.check([3]int{res.Created, res.Updated, res.Unchanged}) {
				b.Fatalf("%s: %+v %v", p.name, res, err)
			}
		}
		n++
	}
	for i, p := range phases {
		b.ReportMetric(took[i].Seconds()/float64(n), p.name)
	}
}
