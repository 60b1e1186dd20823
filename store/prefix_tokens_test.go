package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// A prefix's tokens, kept (prefixTokens), are the scratch table's tokens
// of it, the first time and every time after; and no more than
// prefixTokensBound prefixes are kept, however many are searched.
func TestPrefixTokensAreTheTokenizersAndBounded(t *testing.T) {
	ctx := context.Background()
	for _, text := range []string{"survei", "inform", "agree", "respons", "e-mai", "Émile", "", "--", "polic", "survei"} {
		want, err := scratchTokens(ctx, []string{text})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			got, err := prefixTokens(ctx, text)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want[0]) {
				t.Fatalf("%q: kept tokens %q, the tokenizer's %q", text, got, want[0])
			}
		}
	}
	for i := range prefixTokensBound + 10 {
		if _, err := prefixTokens(ctx, fmt.Sprintf("w%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	prefixTokensKept.mu.Lock()
	n := len(prefixTokensKept.m)
	prefixTokensKept.mu.Unlock()
	if n > prefixTokensBound {
		t.Fatalf("%d prefixes' tokens kept, more than %d", n, prefixTokensBound)
	}
	if got, err := prefixTokens(ctx, "w5"); err != nil || !slices.Equal(got, []string{"w5"}) {
		t.Fatalf(`"w5" after the bound: %q, %v`, got, err)
	}
}
