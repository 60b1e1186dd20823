package timeline

import "gopkg.in/yaml.v3"

// Censored returns a copy of the event with f applied to its body and to
// every text value of its front matter, at any depth (never to a key, nor
// to the id, the date or a foitrack link number): censor rules are applied
// to an event before it is exported to the public. A value f changes is
// written quoted when it must be.
func (e *Event) Censored(f func(string) string) *Event {
	c := e.Clone()
	c.Censor(f)
	return c
}

// Censor is Censored on the event itself, for an event its caller alone
// holds.
func (e *Event) Censor(f func(string) string) {
	censorNode(e.doc, f, true)
	e.body = f(e.body)
}

func censorNode(n *yaml.Node, f func(string) string, top bool) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if (top && (k == KeyID || k == KeyDate)) || k == KeyLink {
				continue
			}
			censorNode(n.Content[i+1], f, false)
		}
	case yaml.AliasNode:
		// An alias stands for its anchor's node, which may be a key (never
		// censored) or the original's (a copy's aliases still point into
		// the tree it was copied from): it becomes a censored copy of what
		// it stands for, or the text would leave through it untouched.
		target := cloneNode(resolve(n))
		if target == nil {
			return
		}
		target.Anchor = ""
		*n = *target
		censorNode(n, f, false)
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, x := range n.Content {
			censorNode(x, f, false)
		}
	case yaml.ScalarNode:
		if n.Tag == "" || n.Tag == "!!str" {
			if v := f(n.Value); v != n.Value {
				n.Value = v
				n.Tag = "!!str"
				if n.Style == 0 {
					n.Style = yaml.DoubleQuotedStyle // a replacement such as "[REDACTED]" would read as a list
				}
			}
		}
	}
}
