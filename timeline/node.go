package timeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// The front matter is kept as a yaml.Node tree, never as a Go map: a map
// would lose the key order, the quoting and the keys foitrack does not know,
// and an import → export round trip must give back what was read.

// valueOf returns the value node of key in mapping m (nil when absent) and
// its index in m.Content (the key is at index-1).
func valueOf(m *yaml.Node, key string) (*yaml.Node, int) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], i + 1
		}
	}
	return nil, -1
}

// keyNode returns the key node of key in mapping m.
func keyNode(m *yaml.Node, key string) *yaml.Node {
	if _, i := valueOf(m, key); i > 0 {
		return m.Content[i-1]
	}
	return nil
}

// setValue replaces the value of key in m, or appends the pair.
func setValue(m *yaml.Node, key string, v *yaml.Node) {
	if _, i := valueOf(m, key); i > 0 {
		m.Content[i] = v
		return
	}
	m.Content = append(m.Content, strNode(key), v)
}

// insertAfter adds the pair key: v after the first of the keys in after that
// m has (at the end when none), or replaces the value when key exists.
func insertAfter(m *yaml.Node, key string, v *yaml.Node, after ...string) {
	if _, i := valueOf(m, key); i > 0 {
		m.Content[i] = v
		return
	}
	for _, a := range after {
		if _, i := valueOf(m, a); i > 0 {
			rest := append([]*yaml.Node{strNode(key), v}, m.Content[i+1:]...)
			m.Content = append(m.Content[:i+1], rest...)
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}

// deleteKey removes key from m; it reports whether it was there.
func deleteKey(m *yaml.Node, key string) bool {
	if _, i := valueOf(m, key); i > 0 {
		m.Content = append(m.Content[:i-1], m.Content[i+1:]...)
		return true
	}
	return false
}

// strNode is a plain string scalar (the emitter quotes it when it must).
func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// intNode is an integer scalar.
func intNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s}
}

// strSeq is a block sequence of plain strings.
func strSeq(l []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, s := range l {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

// scalarString is the text of a scalar node ("" for anything else).
func scalarString(n *yaml.Node) string {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

// stringList reads a sequence of scalars, or a single scalar as a list of one.
func stringList(n *yaml.Node) []string {
	n = resolve(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if s := scalarString(n); s != "" {
			return []string{s}
		}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if s := scalarString(c); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// maxAliasValues is how many values a front matter's aliases may add once
// expanded: the exports and the censor step copy each alias's node where
// it stands, so aliases of aliases (a "billion laughs") would turn a few
// hundred bytes into billions of values. A real event repeats a name or a
// list a few times.
const maxAliasValues = 10000

// aliasesWithinBound reports whether n's aliases, expanded, add at most
// maxAliasValues values; else the line of the alias that went over.
func aliasesWithinBound(n *yaml.Node) (int, bool) {
	added := 0
	// size counts the values under n with its aliases expanded, stopping
	// once the bound is passed (so a bomb costs no more than the bound).
	var size func(n *yaml.Node, inAlias bool) (int, bool)
	size = func(n *yaml.Node, inAlias bool) (int, bool) {
		if n == nil {
			return 0, true
		}
		if inAlias {
			if added++; added > maxAliasValues {
				return n.Line, false
			}
		}
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return 0, true
			}
			if line, ok := size(n.Alias, true); !ok {
				if inAlias {
					return line, false
				}
				return n.Line, false
			}
			return 0, true
		}
		for _, c := range n.Content {
			if line, ok := size(c, inAlias); !ok {
				return line, false
			}
		}
		return 0, true
	}
	return size(n, false)
}

// resolve follows an alias to its anchor.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// equalNode reports whether a and b hold the same data, whatever their
// style, position or comments: equal nodes may keep their original text.
func equalNode(a, b *yaml.Node) bool {
	a, b = resolve(a), resolve(b)
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case yaml.DocumentNode, yaml.SequenceNode, yaml.MappingNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := range a.Content {
			if !equalNode(a.Content[i], b.Content[i]) {
				return false
			}
		}
		return true
	case yaml.ScalarNode:
		return a.ShortTag() == b.ShortTag() && a.Value == b.Value && a.LineComment == b.LineComment
	}
	return false
}

// cloneNode deep-copies n (aliases keep pointing at the original anchors,
// which are never modified).
func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, k := range n.Content {
			c.Content[i] = cloneNode(k)
		}
	}
	return &c
}

// setScalar sets node n (a scalar) to value v with tag, keeping the node's
// quoting style when the value still reads back as the same type in it.
func setScalar(n *yaml.Node, v, tag string) *yaml.Node {
	if n != nil && n.Kind == yaml.ScalarNode && n.Value == v {
		return n
	}
	out := &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
	if n != nil && n.Kind == yaml.ScalarNode {
		out.LineComment = n.LineComment
		quoted := n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0
		if quoted && tag == "!!str" && !strings.Contains(v, "\n") {
			out.Style = n.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle)
		}
		// An unquoted date stays an unquoted date when it is replaced by another.
		if n.ShortTag() == "!!timestamp" && n.Style == 0 && tag == "!!str" && isDay(v) {
			out.Tag = "!!timestamp"
		}
	}
	return out
}

// isDay reports whether s is YYYY-MM-DD.
func isDay(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
