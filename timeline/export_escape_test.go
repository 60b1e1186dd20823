package timeline

import (
	"encoding/json"
	"strings"
	"testing"
)

// TimelineJS shows a slide's group as HTML: a tag is text, escaped like
// the headline.
func TestTimelineJSGroupIsEscaped(t *testing.T) {
	e := New("2026-03-30--x", "2026-03-30", "Release")
	e.SetTags([]string{`<img src=x onerror=alert(1)>`, "second"})
	raw, err := MarshalTimelineJS("", "", []*Event{e})
	if err != nil {
		t.Fatal(err)
	}
	var tjs struct {
		Events []struct {
			Group string `json:"group"`
		}
	}
	if err := json.Unmarshal(raw, &tjs); err != nil {
		t.Fatal(err)
	}
	if len(tjs.Events) != 1 || tjs.Events[0].Group != "&lt;img src=x onerror=alert(1)&gt;" {
		t.Fatalf("group = %+v, want the tag escaped", tjs.Events)
	}
}

// Emphasis is text markup: it never applies inside a link's address (which
// would break the address), though it does in the link's text.
func TestHTMLEmphasisNotInsideLinkAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"[report](https://example.org/a*b*c/d**e**f)":       `<p><a href="https://example.org/a*b*c/d**e**f">report</a></p>` + "\n",
		"see [the *draft*](https://example.org/x*y*) *now*": `<p>see <a href="https://example.org/x*y*">the <em>draft</em></a> <em>now</em></p>` + "\n",
		"*a* [b](https://e.org/*c*) **d**":                  `<p><em>a</em> <a href="https://e.org/*c*">b</a> <strong>d</strong></p>` + "\n",
	} {
		if got := HTML(in); got != want {
			t.Errorf("HTML(%q)\n got %s\nwant %s", in, got, want)
		}
		if strings.Contains(HTML(in), `<em>"`) {
			t.Errorf("HTML(%q): markup inside an attribute", in)
		}
	}
}
