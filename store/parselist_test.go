package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

// parseListCases are stored lists of every shape: none, empty strings,
// escapes, spaces, HTML characters, non-ASCII, invalid UTF-8, control
// characters, quotes, and what is not a list of strings at all.
var parseListCases = []string{
	"[]", `[""]`, `["",""]`, `["a"]`, `["foi","police","surveillance"]`, `["a","b",""]`, `["a", "b"]`, `[ "a" ]`,
	`["a\"b"]`, `["a\\b"]`, `["\u003cb\u003e"]`, `["<b>&"]`, `["café","ünïcode 🙂"]`, "[\"a\xffb\"]", "[\"tab\there\"]",
	`["a","b"`, `"a"`, ``, `[`, `["]`, `[""]"]`, `["a"],["b"]`, `[1,2]`, `["a",1]`, `null`, `["a","b"]x`, `["a" ,"b"]`,
	`["\u2028"]`, "[\"\u2028\"]", `["a","",""]`, `["","a"]`,
}

// TestParseListIsJSONUnmarshal: parseList (with its plain lists read by
// hand) gives what json.Unmarshal gives, nil or empty alike.
func TestParseListIsJSONUnmarshal(t *testing.T) {
	for _, s := range parseListCases {
		checkParseList(t, s)
	}
}

func FuzzParseList(f *testing.F) {
	for _, s := range parseListCases {
		f.Add(s)
	}
	f.Fuzz(checkParseList)
}

func checkParseList(t *testing.T, s string) {
	var want []string
	if s == "[]" {
		want = []string{}
	} else {
		_ = json.Unmarshal([]byte(s), &want)
	}
	if got := parseList(s); !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
		t.Errorf("parseList(%q) = %#v, json.Unmarshal gives %#v", s, got, want)
	}
}
