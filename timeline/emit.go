package timeline

import (
	"bytes"
	"strings"

	"gopkg.in/yaml.v3"
)

// Writing front matter back.
//
// What was read and has not changed is written back as the very lines it was
// read from: the renderer walks the top-level keys (and the items of a
// top-level list), copies the original text of every one whose data is
// unchanged, and emits only what changed or is new. That keeps an unchanged
// file byte-for-byte identical, and an edited one's diff to the lines edited,
// whatever tool wrote it (PyYAML folds long lines at 80 columns and puts list
// items at the key's column; other tools indent them; yaml.v3 does neither).

// emitter writes YAML block style for the nodes foitrack makes or changes;
// scalars are quoted by yaml.v3 itself, so they always read back the same.
type emitter struct {
	// seqIndent puts a list's "- " two columns right of its key (yaml.v3,
	// prettier) rather than at the key's column (PyYAML).
	seqIndent bool
}

// detectEmitter copies the list indentation of an existing mapping.
func detectEmitter(m *yaml.Node) emitter {
	if m == nil || m.Kind != yaml.MappingNode {
		return emitter{}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && v.Line > k.Line {
			return emitter{seqIndent: v.Column > k.Column}
		}
	}
	return emitter{}
}

// mapping writes the pairs of block mapping m at indent.
func (em emitter) mapping(b *bytes.Buffer, m *yaml.Node, indent int) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		em.pair(b, m.Content[i], m.Content[i+1], indent, true)
	}
}

// isBlock reports whether n is written over several lines of its own (a
// non-empty collection not in flow style).
func isBlock(n *yaml.Node) bool {
	return (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && len(n.Content) > 0 && n.Style&yaml.FlowStyle == 0
}

// pair writes "key: value"; pad says whether to indent the first line (not
// when it follows a "- " on the same line).
func (em emitter) pair(b *bytes.Buffer, k, v *yaml.Node, indent int, pad bool) {
	if k.HeadComment != "" {
		for i, l := range strings.Split(k.HeadComment, "\n") {
			if i > 0 || pad {
				b.WriteString(strings.Repeat(" ", indent))
			}
			b.WriteString(l + "\n")
			pad = true
		}
	}
	if pad {
		b.WriteString(strings.Repeat(" ", indent))
	}
	b.WriteString(inline(k, indent))
	b.WriteByte(':')
	if isBlock(v) && v.Anchor != "" {
		b.WriteString(" &" + v.Anchor)
	}
	switch {
	case isBlock(v) && v.Kind == yaml.MappingNode:
		b.WriteByte('\n')
		em.mapping(b, v, indent+2)
	case isBlock(v) && v.Kind == yaml.SequenceNode:
		b.WriteByte('\n')
		at := indent
		if em.seqIndent {
			at += 2
		}
		for _, item := range v.Content {
			em.item(b, item, at)
		}
	default:
		b.WriteString(" " + inline(v, indent) + "\n")
	}
}

// item writes one "- value" of a block sequence at indent.
func (em emitter) item(b *bytes.Buffer, v *yaml.Node, indent int) {
	b.WriteString(strings.Repeat(" ", indent) + "-")
	if isBlock(v) && v.Anchor != "" {
		// An anchored block collection in a list starts on the next line.
		b.WriteString(" &" + v.Anchor + "\n")
		if v.Kind == yaml.MappingNode {
			em.mapping(b, v, indent+2)
		} else {
			for _, c := range v.Content {
				em.item(b, c, indent+2)
			}
		}
		return
	}
	switch {
	case isBlock(v) && v.Kind == yaml.MappingNode:
		b.WriteByte(' ')
		for i := 0; i+1 < len(v.Content); i += 2 {
			em.pair(b, v.Content[i], v.Content[i+1], indent+2, i > 0)
		}
	case isBlock(v) && v.Kind == yaml.SequenceNode:
		b.WriteByte('\n')
		for _, c := range v.Content {
			em.item(b, c, indent+2)
		}
	default:
		b.WriteString(" " + inline(v, indent) + "\n")
	}
}

// inline is the text of a scalar, alias, empty or flow collection as the
// value of a mapping key at indent, as yaml.v3 writes it (a block scalar's
// lines are indented under the key).
func inline(n *yaml.Node, indent int) string {
	if n.Kind == yaml.AliasNode {
		return "*" + n.Value
	}
	c := *n
	c.HeadComment, c.FootComment = "", ""
	if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
		c.Style |= yaml.FlowStyle
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{strNode("k"), &c}}
	if err := enc.Encode(doc); err != nil {
		// Only a node the parser could never produce gets here.
		return `""`
	}
	enc.Close()
	s := strings.TrimSuffix(strings.TrimPrefix(buf.String(), "k: "), "\n")
	s = strings.TrimPrefix(s, "k:") // "k:\n  |-" never happens for scalars, but be safe
	if indent > 0 {
		s = strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", indent))
	}
	return s
}

// emitMapping writes m afresh.
func emitMapping(m *yaml.Node, em emitter) []byte {
	var b bytes.Buffer
	em.mapping(&b, m, 0)
	return b.Bytes()
}

// splitLines splits text into lines that keep their line ends.
func splitLines(text []byte) []string {
	var out []string
	s := string(text)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s+"\n")
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// renderMapping writes doc, copying from origText (the text orig was parsed
// from) every top-level pair, and every item of a top-level list, whose data
// has not changed.
func renderMapping(doc, orig *yaml.Node, origText []byte) []byte {
	em := detectEmitter(orig)
	if doc == nil {
		return nil
	}
	lines := splitLines(origText)
	starts, ok := pairStarts(orig, lines)
	if !ok {
		return emitMapping(doc, em)
	}
	span := func(j int) []string { // the lines of orig's j-th pair
		end := len(lines)
		if j+1 < len(starts) {
			end = starts[j+1] - 1
		}
		return lines[starts[j]-1 : end]
	}
	var b bytes.Buffer
	for _, l := range lines[:starts[0]-1] {
		b.WriteString(l) // comments before the first key
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		j := -1
		for x := 0; x+1 < len(orig.Content); x += 2 {
			if orig.Content[x].Value == k.Value {
				j = x / 2
				break
			}
		}
		if j < 0 {
			em.pair(&b, k, v, 0, true)
			continue
		}
		ok, ov := orig.Content[2*j], orig.Content[2*j+1]
		if equalNode(v, ov) && k.HeadComment == ok.HeadComment {
			for _, l := range span(j) {
				b.WriteString(l)
			}
			continue
		}
		if v.Kind == yaml.SequenceNode && isBlock(v) && isBlock(ov) && ov.Kind == yaml.SequenceNode {
			if renderSeq(&b, k, v, ov, span(j), em) {
				continue
			}
		}
		em.pair(&b, k, v, 0, true)
	}
	return b.Bytes()
}

// pairStarts returns the first line (1-based, in lines) of each top-level
// pair of orig, or false when orig's text cannot be cut into pairs by lines
// (a flow mapping, two keys on one line, keys not at the left margin).
func pairStarts(orig *yaml.Node, lines []string) ([]int, bool) {
	if orig == nil || orig.Kind != yaml.MappingNode || orig.Style&yaml.FlowStyle != 0 || len(orig.Content) == 0 {
		return nil, false
	}
	var starts []int
	for i := 0; i+1 < len(orig.Content); i += 2 {
		k := orig.Content[i]
		if k.Column != 1 || k.Line < 1 || k.Line > len(lines) || (len(starts) > 0 && k.Line <= starts[len(starts)-1]) {
			return nil, false
		}
		starts = append(starts, k.Line)
	}
	return starts, true
}

// renderSeq writes key: and the items of v, copying each item equal to one
// of ov's from its original lines (lines: the pair's span in the original).
// It returns false, having written nothing, when ov's items cannot be cut out
// of the text.
func renderSeq(b *bytes.Buffer, k, v, ov *yaml.Node, lines []string, em emitter) bool {
	base := k.Line // line number of lines[0]
	var starts []int
	for _, it := range ov.Content {
		l := it.Line - base // index in lines
		if l <= 0 || l >= len(lines) || !strings.HasPrefix(strings.TrimLeft(lines[l], " "), "-") ||
			(len(starts) > 0 && l <= starts[len(starts)-1]) {
			return false
		}
		starts = append(starts, l)
	}
	itemLines := func(j int) []string {
		end := len(lines)
		if j+1 < len(starts) {
			end = starts[j+1]
		}
		return lines[starts[j]:end]
	}
	// The key line as it was (it may carry a comment) when the key is unchanged.
	head := lines[:starts[0]]
	for _, l := range head {
		b.WriteString(l)
	}
	// Items go where the file put them (the node's column is its anchor's
	// when it has one, not its dash's).
	first := lines[starts[0]]
	indent := len(first) - len(strings.TrimLeft(first, " "))
	used := make([]bool, len(ov.Content))
	for _, it := range v.Content {
		found := -1
		for j, o := range ov.Content {
			if !used[j] && equalNode(it, o) {
				found = j
				break
			}
		}
		if found < 0 {
			em.item(b, it, indent)
			continue
		}
		used[found] = true
		il := itemLines(found)
		// A copied last item may carry the blank lines that ended the
		// list; they are kept only when it is still last.
		if found == len(ov.Content)-1 && it != v.Content[len(v.Content)-1] {
			for len(il) > 1 && strings.TrimSpace(il[len(il)-1]) == "" {
				il = il[:len(il)-1]
			}
		}
		for _, l := range il {
			b.WriteString(l)
		}
	}
	return true
}
