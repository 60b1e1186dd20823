package timeline

import (
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// parseSimpleYAML reads the front matter most events have (block mappings
// and lists of plain or quoted one-line scalars, as foitrack and the usual
// tools write them) into the very tree yaml.Unmarshal makes of it, node for
// node, positions and tags included (TestSimpleYAMLIsYAMLv3 holds it to
// that). Anything else (comments, anchors, tags, block or multi-line
// scalars, escapes, flow collections with items, numbers other than plain
// integers, a CR, a tab…) it leaves to yaml.v3: ok is false. Reading every
// event with yaml.v3 was two fifths of a timeline download's work.
func parseSimpleYAML(text string) (doc *yaml.Node, ok bool) {
	if !simplePrintable(text) {
		return nil, false
	}
	p := &simpleParser{}
	for i, n := 0, 1; i < len(text); n++ {
		end := strings.IndexByte(text[i:], '\n')
		if end < 0 {
			end = len(text) - i
		}
		line := text[i : i+end]
		i += end + 1
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		if ind == len(line) {
			continue // blank
		}
		if line[len(line)-1] == ' ' {
			return nil, false
		}
		p.lines = append(p.lines, simpleLine{indent: ind, text: line[ind:], n: n})
	}
	if len(p.lines) == 0 || p.lines[0].indent != 0 {
		return nil, false
	}
	m := p.mapping(0)
	if m == nil || p.i != len(p.lines) {
		return nil, false
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: m.Line, Column: m.Column, Content: []*yaml.Node{m}}, true
}

// simpleLine is a line that is not blank: its indent, the text after it
// and its number (from 1).
type simpleLine struct {
	indent int
	text   string
	n      int
}

type simpleParser struct {
	lines []simpleLine
	i     int
}

// key splits "key: rest" or "key:" into its key and rest.
func simpleKey(s string) (key, rest string, ok bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '-') {
			i++
			continue
		}
		break
	}
	if i == 0 || i == len(s) || s[i] != ':' {
		return "", "", false
	}
	if i+1 == len(s) {
		return s[:i], "", true
	}
	if s[i+1] != ' ' {
		return "", "", false
	}
	return s[:i], s[i+2:], true
}

// mapping reads the block mapping whose keys are at indent, from the
// current line; nil if it is not one this parser reads.
func (p *simpleParser) mapping(indent int) *yaml.Node {
	first := p.lines[p.i]
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.n, Column: first.indent + 1}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil
		}
		key, rest, ok := simpleKey(l.text)
		if !ok {
			if len(m.Content) == 0 {
				return nil
			}
			break // a list's next item, at the same indent as a mapping in it
		}
		for j := 0; j < len(m.Content); j += 2 {
			if m.Content[j].Value == key {
				return nil // repeated
			}
		}
		k := simpleScalar(key, l.n, l.indent+1)
		if k == nil {
			return nil
		}
		var v *yaml.Node
		if rest != "" {
			// Spaces after the colon: the value's column is after them.
			sp := 0
			for sp < len(rest) && rest[sp] == ' ' {
				sp++
			}
			v = simpleScalar(rest[sp:], l.n, l.indent+len(key)+3+sp)
			p.i++
			if v == nil || p.i < len(p.lines) && p.lines[p.i].indent > indent {
				return nil // a multi-line scalar, or an error
			}
		} else {
			p.i++
			if p.i == len(p.lines) {
				return nil // null
			}
			next := p.lines[p.i]
			switch {
			case next.indent == indent && isItem(next.text):
				v = p.sequence(indent) // "key:\n- item", the list at the key's column
			case next.indent > indent && isItem(next.text):
				v = p.sequence(next.indent)
			case next.indent > indent:
				v = p.mapping(next.indent)
			}
			if v == nil {
				return nil
			}
		}
		m.Content = append(m.Content, k, v)
	}
	return m
}

func isItem(s string) bool { return strings.HasPrefix(s, "- ") }

// sequence reads the block list whose "- " are at indent.
func (p *simpleParser) sequence(indent int) *yaml.Node {
	first := p.lines[p.i]
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.n, Column: first.indent + 1}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent != indent || !isItem(l.text) {
			if l.indent > indent {
				return nil
			}
			break
		}
		sp := 2
		for sp < len(l.text) && l.text[sp] == ' ' {
			sp++
		}
		item := simpleLine{indent: l.indent + sp, text: l.text[sp:], n: l.n}
		var v *yaml.Node
		if _, _, ok := simpleKey(item.text); ok || isItem(item.text) {
			// A mapping (or a list) in the item, from the text after "- ".
			p.lines[p.i] = item
			if ok {
				v = p.mapping(item.indent)
			} else {
				v = p.sequence(item.indent)
			}
		} else {
			v = simpleScalar(item.text, item.n, item.indent+1)
			p.i++
			if v != nil && p.i < len(p.lines) && p.lines[p.i].indent > indent {
				return nil
			}
		}
		if v == nil {
			return nil
		}
		s.Content = append(s.Content, v)
	}
	return s
}

// simpleScalar is a one-line scalar (or an empty flow list or mapping) at
// line and column, as yaml.v3 reads it; nil if it is not one this parser
// reads.
func simpleScalar(s string, line, col int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Line: line, Column: col}
	switch s[0] {
	case '\'':
		var b strings.Builder
		i := 1
		for {
			j := strings.IndexByte(s[i:], '\'')
			if j < 0 {
				return nil // goes on on the next line
			}
			b.WriteString(s[i : i+j])
			i += j + 1
			if i < len(s) && s[i] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			break
		}
		if i != len(s) {
			return nil
		}
		n.Tag, n.Value, n.Style = "!!str", b.String(), yaml.SingleQuotedStyle
		return n
	case '"':
		j := strings.IndexAny(s[1:], `"\`)
		if j < 0 || s[1+j] != '"' || 2+j != len(s) {
			return nil // escapes, or more than one line
		}
		n.Tag, n.Value, n.Style = "!!str", s[1:1+j], yaml.DoubleQuotedStyle
		return n
	case '[', '{':
		switch s {
		case "[]":
			return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: line, Column: col}
		case "{}":
			return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: line, Column: col}
		}
		return nil
	case '-', '?', ':', ',', ']', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`':
		return nil
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return nil
	}
	tag := simplePlainTag(s)
	if tag == "" {
		return nil
	}
	n.Tag, n.Value = tag, s
	return n
}

// simplePlainTag is the tag yaml.v3 resolves a plain scalar to (see its
// resolve.go), or "" for those left to it.
func simplePlainTag(s string) string {
	switch c := s[0]; {
	case c >= '0' && c <= '9':
		if isDigits(s) && (len(s) == 1 || c != '0') && len(s) <= 18 {
			return "!!int"
		}
		if len(s) > 4 && isDigits(s[:4]) && s[4] == '-' {
			// A timestamp as yaml.v3 reads one (its parseTimestamp), else
			// text: no number has a "-" after four digits.
			for _, format := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00",
				"2006-1-2 15:4:5.999999999", "2006-1-2"} {
				if _, err := time.Parse(format, s); err == nil {
					return "!!timestamp"
				}
			}
			return "!!str"
		}
		return ""
	case c == '+' || c == '.' || strings.HasPrefix(s, "<<"):
		return "" // a number, or a merge key
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		switch s {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "~", "null", "Null", "NULL":
			return "!!null"
		}
	}
	return "!!str"
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// simplePrintable says whether text holds only what yaml.v3 reads as
// printable characters and LF line ends: no other control character, CR,
// tab, byte order mark, NEL or Unicode line or paragraph separator, and
// valid UTF-8.
func simplePrintable(text string) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r >= 0xd800 && r < 0xe000 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}
