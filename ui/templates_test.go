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
	err := fs.WalkDir(Templates(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Templates(), path)
		if err != nil {
			return err
		}
		if loc := inline.FindIndex(b); loc != nil {
			t.Errorf("%s: inline style (blocked by the CSP) at %q", path, b[loc[0]:min(loc[1]+40, len(b))])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
