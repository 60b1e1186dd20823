package tracker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/testenv"
)

func TestParseWhatDoTheyKnowLayouts(t *testing.T) {
	old := "Name,Short name,URL name,Tags,Home page,Publication scheme,Disclosure log,Notes,Created at,Updated at,Version\n" +
		"Barsetshire County Council,BCC,barsetshire_cc,local_council county_council,https://www.barsetshire.gov.uk,,,,2008-01-01 00:00:00 +0000,2008-01-01 00:00:00 +0000,1\n"
	current := "Internal ID," + old[:strings.Index(old, "\n")+1] +
		"12,Glasgow City Council,GCC,glasgow_city_council,scottish_council,https://www.glasgow.gov.uk,,,,2008-01-01 00:00:00 +0000,2008-01-01 00:00:00 +0000,4\n"
	for _, tc := range []struct {
		name, csv, wantName, wantJur string
		wantLaw                      LawCode
	}{
		{"old 11 columns", old, "Barsetshire County Council", JurisdictionEngland, UKFOIA},
		{"current with Internal ID", current, "Glasgow City Council", JurisdictionScotland, ScotFOISA},
	} {
		list, err := ParseAuthoritiesCSV(strings.NewReader(tc.csv))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(list) != 1 || list[0].Name != tc.wantName || list[0].Jurisdiction != tc.wantJur || list[0].DefaultLaw != tc.wantLaw {
			t.Fatalf("%s: %+v", tc.name, list)
		}
	}
}

func TestParseAuthoritiesCSVReportsEveryBadRow(t *testing.T) {
	csv := "Name,Short name,URL name,Tags,Home page,Notes,Jurisdiction,Default law,FOI email,Domains\n" +
		"Good Council,,good,,,,uk-wales,uk-foia,foi@good.gov.wales,\n" +
		",,nameless,,,,uk-england,,,\n" +
		"Bad Law Council,,badlaw,,,,uk-england,xx-foia,,\n" +
		"Good Council Again,,good,,,,uk-wales,,,\n" +
		"\n" +
		"Short Row,1\n"
	_, err := ParseAuthoritiesCSV(strings.NewReader(csv))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"row 3", "row 4", "row 5", "row 7", "nothing imported", "duplicates row 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestAuthoritiesCSVRoundTrip(t *testing.T) {
	in := []Authority{{Name: "Met Police", ShortName: "MPS", URLName: "met", Jurisdiction: JurisdictionEngland, DefaultLaw: UKFOIA,
		Email: "foi@met.police.uk", Tags: []string{"police"}, Notes: "Says \"no\", often, and, well…"}}
	var b strings.Builder
	if err := WriteAuthoritiesCSV(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := ParseAuthoritiesCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Notes != in[0].Notes || out[0].Email != in[0].Email || out[0].Domains[0] != "met.police.uk" {
		t.Fatalf("round trip: %+v", out)
	}
}

func TestLatin1CSV(t *testing.T) {
	// "Comhairle nan Eilean Siar" is fine in ASCII; an ISO-8859-1 é is not UTF-8.
	csv := []byte("Name,URL name\nConseil G\xe9n\xe9ral,cg\n")
	list, err := ParseAuthoritiesCSV(strings.NewReader(string(csv)))
	if err != nil || list[0].Name != "Conseil Général" {
		t.Fatalf("%+v %v", list, err)
	}
}

// The real-world samples in ../shared import (or are refused with row numbers).
func TestSharedAuthorityFixtures(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures/authorities")
	for _, name := range []string{"alaveteli-fixture-all-authorities.csv", "foi-directory-police.csv"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		list, err := ParseAuthoritiesCSV(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(list) < 4 {
			t.Fatalf("%s: only %d authorities", name, len(list))
		}
		for _, a := range list {
			if a.Name == "" || !ValidJurisdiction(a.Jurisdiction) {
				t.Fatalf("%s: bad authority %+v", name, a)
			}
		}
		if name == "foi-directory-police.csv" {
			withEmail := 0
			for _, a := range list {
				if a.Email != "" && len(a.Domains) == 1 {
					withEmail++
				}
			}
			if withEmail != len(list) {
				t.Fatalf("%s: %d of %d have an email and domain", name, withEmail, len(list))
			}
		}
	}
}

// TestCSVErrorsDoNotEchoWholeValues: a file that is not a CSV (one 1 MB
// "column") or a huge bad value gets a short message, not its bytes back.
func TestCSVErrorsDoNotEchoWholeValues(t *testing.T) {
	huge := strings.Repeat("a", 1<<20)
	cases := map[string]string{
		"header":       huge + "\n",
		"jurisdiction": "Name,Jurisdiction\nSome Council," + huge + "\n",
	}
	for name, csv := range cases {
		_, err := ParseAuthoritiesCSV(strings.NewReader(csv))
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if len(err.Error()) > 1000 || !strings.Contains(err.Error(), "…") {
			t.Errorf("%s: message of %d bytes, not clipped: %.300s", name, len(err.Error()), err)
		}
	}
	_, err := ParseAuthoritiesCSV(strings.NewReader("a,b,c,d,e,f,g,h,i,j\n"))
	if err == nil || !strings.Contains(err.Error(), "found a, b, c, d, e, f, g, h, … 10 columns in all") {
		t.Errorf("header summary: %v", err)
	}
}
