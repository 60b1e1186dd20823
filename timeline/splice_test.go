package timeline

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// For every file we have and every top-level key: change that key's value
// (or add an item to its list), write the event, and check that it reads
// back as the changed data and that every other key kept its exact lines.
func TestEveryKeyEditSplicesCleanly(t *testing.T) {
	n := 0
	for _, path := range eventFiles(t) {
		orig, _ := mustParseFile(t, path)
		if orig.Format() != FormatMarkdown {
			continue
		}
		for i := 0; i+1 < len(orig.doc.Content); i += 2 {
			key := orig.doc.Content[i].Value
			ev := orig.Clone()
			v := ev.doc.Content[i+1]
			if v.Anchor != "" || v.Kind == yaml.AliasNode {
				continue // an alias elsewhere would follow the change: not a single-key edit
			}
			switch resolve(v).Kind {
			case yaml.ScalarNode:
				ev.doc.Content[i+1] = strNode("changed: value, with a colon")
			case yaml.SequenceNode:
				c := cloneNode(resolve(v))
				c.Content = append(c.Content, strNode("added item"))
				// …and the first item changed too, when there is one.
				if len(c.Content) > 1 {
					if first := c.Content[0]; first.Kind == yaml.MappingNode {
						first.Content = append(first.Content, strNode("note"), strNode("checked: yes"))
					} else {
						c.Content[0] = strNode("first item changed")
					}
				}
				ev.doc.Content[i+1] = c
			case yaml.MappingNode:
				c := cloneNode(resolve(v))
				c.Content = append(c.Content, strNode("added_key"), strNode("x"))
				ev.doc.Content[i+1] = c
			}
			text := ev.FrontMatter()
			var back yaml.Node
			if err := yaml.Unmarshal(text, &back); err != nil {
				t.Fatalf("%s, %s changed: does not parse: %v\n%s", path, key, err, text)
			}
			if !equalNode(back.Content[0], ev.doc) {
				t.Fatalf("%s, %s changed: reads back different:\n%s", path, key, text)
			}
			// Every other key's lines are still there, verbatim.
			lines := splitLines(orig.origText)
			starts, ok := pairStarts(orig.orig, lines)
			if !ok {
				continue
			}
			for j := range starts {
				if j == i/2 {
					continue
				}
				end := len(lines)
				if j+1 < len(starts) {
					end = starts[j+1] - 1
				}
				span := strings.Join(lines[starts[j]-1:end], "")
				if j == len(starts)-1 || j+1 == i/2 {
					span = strings.TrimRight(span, "\n") // its trailing blank lines may go with a changed neighbour
				}
				if !strings.Contains(string(text), span) {
					t.Errorf("%s, %s changed: key %s lost its original text:\n%s", path, key, orig.doc.Content[2*j].Value, text)
				}
			}
			n++
		}
	}
	t.Logf("%d single-key edits checked", n)
	if n < 150 {
		t.Errorf("only %d edits", n)
	}
}
