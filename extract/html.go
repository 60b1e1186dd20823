package extract

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// htmlText is the text a reader sees in an HTML page: no markup, no script
// or style, a line break after each block element.
func htmlText(s string) (string, error) {
	z := html.NewTokenizer(strings.NewReader(s))
	var sb strings.Builder
	skip := 0 // inside script, style, head…
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != nil && err != io.EOF {
				return "", fmt.Errorf("the HTML could not be read: %w", err)
			}
			return sb.String(), nil
		case html.TextToken:
			if skip == 0 {
				sb.Write(z.Text()) // entities already decoded
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "noscript", "template", "svg":
				if tt == html.StartTagToken {
					skip++
				}
			case "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre":
				sb.WriteByte('\n')
			case "td", "th":
				sb.WriteByte('\t')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "noscript", "template", "svg":
				if skip > 0 {
					skip--
				}
			case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre":
				sb.WriteByte('\n')
			}
		}
	}
}
