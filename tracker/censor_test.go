package tracker

import (
	"reflect"
	"testing"
)

func TestCensorRules(t *testing.T) {
	c := NewCensor([]CensorRule{
		{Scope: CensorRequest, Pattern: "Jane  Smith", Replacement: "[the requester]"},
		{Scope: CensorGlobal, Pattern: `\b07\d{3} ?\d{6}\b`, Regexp: true},
		{Scope: CensorAuthority, Pattern: "1 High Street"},
	})
	got := c.Apply("Dear JANE\nSmith, of 1 high   street, call 07700 900123.")
	if want := "Dear [the requester], of [REDACTED], call [REDACTED]."; got != want {
		t.Errorf("Apply = %q, want %q", got, want)
	}
	if !c.Changes("jane smith") || c.Changes("John Smith") {
		t.Error("Changes")
	}
	for w, want := range map[string]bool{"Smith": true, "jane": true, "07700900123": true, "high": true, "council": false, "s": false} {
		if c.Hides(w) != want {
			t.Errorf("Hides(%q) = %v", w, !want)
		}
	}
	for _, bad := range []CensorRule{{Scope: "planet", Pattern: "x"}, {Scope: CensorGlobal, Pattern: " "}, {Scope: CensorGlobal, Pattern: "(", Regexp: true},
		{Scope: CensorGlobal, Pattern: "a*", Regexp: true}, {Scope: CensorRequest, Pattern: "x"}} {
		if err := bad.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	ok := CensorRule{Scope: CensorGlobal, Pattern: "x"}
	if err := ok.Validate(); err != nil || ok.Replacement != DefaultCensorReplacement {
		t.Errorf("valid rule: %v %+v", err, ok)
	}
}

func TestScanPersonalData(t *testing.T) {
	text := `Dear Ms Jane Smith,
Thank you for your request from jane.smith@example.org. Please call our officer on 020 7946 0018
or +44 7700 900123; our US office on (202) 555-0143. Write to 1 High Street, London SW1A 1AA.
NI number AB 12 34 56 C. Reference FOI/2026/1234, dated 01/02/2026, 20 working days.`
	got := ScanPersonalData(text, []string{"Jane Smith", "1 High Street"})
	want := []PersonalFinding{
		{PersonalRequester, "Jane Smith"}, {PersonalRequester, "1 High Street"},
		{PersonalEmail, "jane.smith@example.org"},
		{PersonalPhoneUK, "020 7946 0018"}, {PersonalPhoneUK, "+44 7700 900123"},
		{PersonalPhoneUS, "(202) 555-0143"},
		{PersonalPostcode, "SW1A 1AA"},
		{PersonalNINumber, "AB 12 34 56 C"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ScanPersonalData:\n got %v\nwant %v", got, want)
	}
	if got := ScanPersonalData("The council refused under section 31(1)(a) on 2026-03-30, ref 12345678.", nil); len(got) != 0 {
		t.Errorf("false findings: %v", got)
	}
}
