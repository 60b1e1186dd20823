package tracker

import (
	"bytes"
	"strings"
	"testing"
)

// The authorities CSV (authority export) is opened in spreadsheets: a cell
// that starts like a formula gets a quote mark in front, as in the web
// exports, and the import takes it off again, so the file still round-trips.
func TestAuthoritiesCSVIsFormulaNeutralised(t *testing.T) {
	list := []Authority{{Name: `=HYPERLINK("https://evil.example","click")`, ShortName: "+1", URLName: "x", Jurisdiction: JurisdictionEngland,
		DefaultLaw: UKFOIA, Notes: "@SUM(A1)", Website: "https://example.org", Email: "foi@example.org"}}
	var b bytes.Buffer
	if err := WriteAuthoritiesCSV(&b, list); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"\n\"=HYPERLINK", ",+1,", ",@SUM"} {
		if strings.Contains(out, bad) {
			t.Errorf("export has a live formula %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `"'=HYPERLINK(`) || !strings.Contains(out, ",'+1,") || !strings.Contains(out, "'@SUM(A1)") {
		t.Errorf("export not neutralised:\n%s", out)
	}
	back, err := ParseAuthoritiesCSV(strings.NewReader(out))
	if err != nil || len(back) != 1 || back[0].Name != list[0].Name || back[0].ShortName != "+1" || back[0].Notes != "@SUM(A1)" {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}
