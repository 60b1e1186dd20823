package mailsync

import (
	"regexp"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/tracker"
)

// The prefilter may only skip a pattern that cannot match: over every
// sentence of the labelled replies and of the benchmark's made-up replies,
// and the same sentences with letters that (?i) matches outside ASCII (the
// long s, the Kelvin sign), each filtered pattern says what the pattern
// itself says.
func TestPrefilterNeverRejectsAMatch(t *testing.T) {
	var texts []string
	for _, r := range readLabelledReplies(t) {
		texts = append(texts, r.subject, r.body)
	}
	for i := 0; i < 30; i++ {
		pm, err := ParseMessage(seed.SampleReply(i), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, pm.Subject, pm.TextBody)
	}
	odd := strings.NewReplacer("s", "ſ", "k", "\u212a", "K", "\u212a")
	var sentences []string
	for _, text := range texts {
		for _, s := range tracker.Sentences(text) {
			sentences = append(sentences, s.Text, odd.Replace(s.Text), strings.ToUpper(s.Text))
		}
	}
	filters := map[string]prefiltered{"may/might": mayMightFilter, "negated": negatedFilter, "aboutRights": aboutRightsFilter,
		"apology": apologyFilter, "bounceText": bounceTextFilter, "outOfOffice": outOfOfficeFilter}
	for i, c := range cues {
		filters[c.re.String()] = cueFilters[i]
	}
	matches := 0
	for name, f := range filters {
		for _, s := range sentences {
			want := f.re.MatchString(s)
			if got := f.match(s, fold(s)); got != want {
				t.Errorf("%s on %q: prefiltered %v, the pattern %v (needs one of %q)", name, s, got, want, f.need)
			}
			if want {
				matches++
			}
		}
	}
	if matches < 500 {
		t.Fatalf("only %d matches over %d sentences: the test checks too little", matches, len(sentences))
	}
	// Every cue has words to look for: none runs on every sentence.
	for i, c := range cues {
		if cueFilters[i].need == nil {
			t.Errorf("cue %s has no prefilter", c.re)
		}
	}
}

func TestRequiredWords(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    []string // nil: no filter
	}{
		{`(?i)\bvexatious\b`, []string{"VEXATIOUS"}},
		{`(?i)\b(?:we|I) have (?:now )?received your`, []string{"RECEIVED YOUR"}},
		{`(?i)\buph(?:o|e)ld(?:s|ing)?\b|\baffirm(?:s|ed|ing)?\b`, []string{"UPH", "AFFIRM"}},
		{`(?i)\bredact(?:ed|ion)?\b|x*`, nil}, // an alternative needs no letter
		{`(?i)a?b?`, nil},
		{`(?i)(?:foo)+bar{2,}`, []string{"FOO"}},
	} {
		p := prefilter(regexp.MustCompile(tc.pattern))
		if strings.Join(p.need, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: needs %q, want %q", tc.pattern, p.need, tc.want)
		}
	}
	if got := fold("ſta\u212aed Σσς"); got != fold("STAKED σσσ") || !strings.HasPrefix(got, "STAKED ") {
		t.Errorf("fold: %q, %q", got, fold("STAKED σσσ"))
	}
}
