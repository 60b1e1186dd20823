package ui

import (
	"io/fs"
	"regexp"
	"testing"
)

// The app's Content-Security-Policy (style-src 'self') makes browsers ignore
// inline style attributes, so a template that relies on one looks right
// only in the author's head: styles belong in static/style.css.
func TestTemplatesHaveNoInlineStyles(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=|<style[\s>]`)
	eachTemplate(t, func(path, s string) {
		if loc := inline.FindStringIndex(s); loc != nil {
			t.Errorf("%s: inline style (blocked by the CSP) at %q", path, s[loc[0]:min(loc[1]+40, len(s))])
		}
	})
}

// eachTemplate calls fn with every template's path and text.
func eachTemplate(t *testing.T, fn func(path, text string)) {
	t.Helper()
	err := fs.WalkDir(Templates(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Templates(), path)
		if err != nil {
			return err
		}
		fn(path, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every error shown next to a field is tied to it: the message is the
// "fielderrfor" partial (id NAME-error) and the field's control carries
// ariaInvalid for the same name (aria-invalid, aria-describedby pointing at
// the message), so a screen reader announces the error with the field. An
// error written out by hand (a <div class="error"> of its own, the old
// untied "fielderror" partial) is refused. The browser test checks the
// rendered pages with their errors.
func TestEveryFieldErrorIsTied(t *testing.T) {
	errFor := regexp.MustCompile(`errFor\s+\S+\s+"([^"]+)"`)
	handMade := regexp.MustCompile(`<div class="error"|template "fielderror"`)
	eachTemplate(t, func(path, s string) {
		if path != "partials/common.html" && handMade.MatchString(s) {
			t.Errorf("%s: an error message not tied to its field (%q): use {{template \"fielderrfor\" (errFor $f \"name\")}} and {{ariaInvalid $f \"name\"}} on the control",
				path, handMade.FindString(s))
		}
		for _, m := range errFor.FindAllStringSubmatch(s, -1) {
			tied := regexp.MustCompile(`ariaInvalid\s+\S+\s+"` + regexp.QuoteMeta(m[1]) + `"`)
			if !tied.MatchString(s) {
				t.Errorf("%s: the error of %q is shown but no control carries {{ariaInvalid … %q}}", path, m[1], m[1])
			}
		}
	})
}
