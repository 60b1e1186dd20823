package timeline

import (
	"encoding/binary"
	"errors"

	"gopkg.in/yaml.v3"
)

// A markdown event's front matter is parsed when it is written, and the
// store keeps the node tree yaml.v3 made of it beside the text (Nodes), so
// that reading the event back (LoadStored) copies the tree out of its
// encoding instead of parsing YAML: yaml.v3's parse of each event's front
// matter was two fifths of a timeline download's writing. The encoding
// holds every field of every node (positions and comments too), so the
// tree read back is the very tree yaml.v3 makes of the text
// (TestStoredNodesAreYAMLv3's): the event behaves as if it were parsed.
//
// The encoding: a version byte, the number of nodes, then each node in
// preorder as Kind, Style, Tag, Value, Anchor, the preorder index of its
// alias target plus one (0: none), HeadComment, LineComment, FootComment,
// Line, Column, and its number of children plus one (0: Content is nil),
// followed by the children. Numbers are unsigned varints; strings their
// length, then their bytes.

const nodesVersion = 1

// Nodes is the node tree of a markdown event's stored front matter (as
// Stored gives it), encoded for LoadStored; nil when there is nothing to
// keep (a JSON event: Load reads its object as before) or when the text
// does not parse into a mapping (Load reports that on reading).
func Nodes(format, frontMatter string) []byte {
	if format == FormatJSON {
		return nil
	}
	var d yaml.Node
	if err := yaml.Unmarshal([]byte(frontMatter), &d); err != nil {
		return nil
	}
	if len(d.Content) != 1 || d.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return encodeNodes(d.Content[0])
}

// LoadStored is Load, with the node tree Nodes kept of the front matter:
// it is read from there when it is given and sound, else the text is parsed.
func LoadStored(format, frontMatter, nodes, body string) (*Event, error) {
	if format != FormatJSON && nodes != "" {
		if orig, err := decodeNodes(nodes, nil); err == nil && orig[0].Kind == yaml.MappingNode {
			// The tree the setters change is decoded again rather than
			// copied (cloneNode's allocations were two thirds of reading
			// an event), its aliases pointing into the original as a
			// copy's do.
			doc, _ := decodeNodes(nodes, orig)
			return &Event{doc: &doc[0], orig: &orig[0], origText: []byte(frontMatter), origFormat: FormatMarkdown, body: body}, nil
		}
	}
	return Load(format, frontMatter, body)
}

func encodeNodes(root *yaml.Node) []byte {
	index := map[*yaml.Node]int{}
	var count func(n *yaml.Node)
	count = func(n *yaml.Node) {
		index[n] = len(index)
		for _, c := range n.Content {
			count(c)
		}
	}
	count(root)
	b := []byte{nodesVersion}
	b = binary.AppendUvarint(b, uint64(len(index)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var enc func(n *yaml.Node) bool
	enc = func(n *yaml.Node) bool {
		alias := 0
		if n.Alias != nil {
			i, ok := index[n.Alias]
			if !ok {
				return false // an alias out of the tree: never made by yaml.v3
			}
			alias = i + 1
		}
		if n.Line < 0 || n.Column < 0 {
			return false
		}
		b = binary.AppendUvarint(b, uint64(n.Kind))
		b = binary.AppendUvarint(b, uint64(n.Style))
		str(n.Tag)
		str(n.Value)
		str(n.Anchor)
		b = binary.AppendUvarint(b, uint64(alias))
		str(n.HeadComment)
		str(n.LineComment)
		str(n.FootComment)
		b = binary.AppendUvarint(b, uint64(n.Line))
		b = binary.AppendUvarint(b, uint64(n.Column))
		if n.Content == nil {
			b = append(b, 0)
		} else {
			b = binary.AppendUvarint(b, uint64(len(n.Content))+1)
		}
		for _, c := range n.Content {
			if !enc(c) {
				return false
			}
		}
		return true
	}
	if !enc(root) {
		return nil
	}
	return b
}

var errNodes = errors.New("timeline: stored nodes are not sound")

// decodeNodes reads encodeNodes' encoding: the nodes in preorder, the
// root first. The strings of the tree are substrings of s; all nodes are
// allocated at once, and the children's slices are carved out of one array
// (each capped at its length, so that a setter's append copies rather than
// write over its neighbour's). Aliases point into aliasTo when it is given
// (a tree decoded from the same s), as cloneNode's copy's point into its
// original.
func decodeNodes(s string, aliasTo []yaml.Node) ([]yaml.Node, error) {
	pos := 0
	num := func() uint64 {
		var x uint64
		for shift := uint(0); pos < len(s) && shift < 64; shift += 7 {
			c := s[pos]
			pos++
			x |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return x
			}
		}
		pos = len(s) + 1 // broken: caught below
		return 0
	}
	str := func() string {
		n := num()
		if pos > len(s) || n > uint64(len(s)-pos) {
			pos = len(s) + 1
			return ""
		}
		v := s[pos : pos+int(n)]
		pos += int(n)
		return v
	}
	if len(s) == 0 || s[0] != nodesVersion {
		return nil, errNodes
	}
	pos = 1
	total := num()
	// Every node takes at least 12 bytes: a count beyond that is corrupt
	// (and must not size an allocation).
	if total == 0 || pos > len(s) || total > uint64(len(s)/12) {
		return nil, errNodes
	}
	nodes := make([]yaml.Node, total)
	if aliasTo == nil {
		aliasTo = nodes
	} else if len(aliasTo) != len(nodes) {
		return nil, errNodes
	}
	kids := make([]*yaml.Node, total-1)
	next, used := 0, 0
	var dec func(depth int) *yaml.Node
	dec = func(depth int) *yaml.Node {
		if next >= len(nodes) || depth > 10000 || pos > len(s) {
			pos = len(s) + 1
			return nil
		}
		n := &nodes[next]
		next++
		n.Kind = yaml.Kind(num())
		n.Style = yaml.Style(num())
		n.Tag, n.Value, n.Anchor = str(), str(), str()
		if a := num(); a > 0 {
			if a > total {
				pos = len(s) + 1
				return nil
			}
			n.Alias = &aliasTo[a-1]
		}
		n.HeadComment, n.LineComment, n.FootComment = str(), str(), str()
		n.Line, n.Column = int(num()), int(num())
		c := num()
		if c == 0 {
			return n
		}
		c--
		if c > uint64(len(kids)-used) || pos > len(s) {
			pos = len(s) + 1
			return nil
		}
		n.Content = kids[used : used+int(c) : used+int(c)]
		used += int(c)
		for i := range n.Content {
			if n.Content[i] = dec(depth + 1); n.Content[i] == nil {
				return nil
			}
		}
		return n
	}
	root := dec(0)
	if root == nil || pos != len(s) || next != len(nodes) {
		return nil, errNodes
	}
	return nodes, nil
}
