package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// JSON event files are read into the same yaml.Node tree as front matter, so
// that key order survives and one set of accessors serves both formats. They
// are written the way the collection's tooling writes them (Python's
// json.dumps with indent=2), so an unchanged file also round-trips exactly.

// parseJSONNode reads one JSON value into a node tree. Nodes carry the line
// they start on, for error messages.
func parseJSONNode(data []byte) (*yaml.Node, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		return 1 + bytes.Count(data[:off], []byte("\n"))
	}
	var value func() (*yaml.Node, error)
	value = func() (*yaml.Node, error) {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, jsonError(err, lineAt)
		}
		// InputOffset is before the separator and spaces that precede the
		// token; count the line at the token itself.
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		line := lineAt(off)
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
				seen := map[string]bool{}
				for d.More() {
					k, err := value()
					if err != nil {
						return nil, err
					}
					if seen[k.Value] {
						return nil, &lineError{k.Line, fmt.Sprintf("key %q repeated", k.Value)}
					}
					seen[k.Value] = true
					v, err := value()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, k, v)
				}
				if _, err := d.Token(); err != nil {
					return nil, jsonError(err, lineAt)
				}
				return n, nil
			case '[':
				n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
				for d.More() {
					v, err := value()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, v)
				}
				if _, err := d.Token(); err != nil {
					return nil, jsonError(err, lineAt)
				}
				return n, nil
			}
			return nil, &lineError{line, fmt.Sprintf("unexpected %q", t)}
		case string:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t, Line: line}, nil
		case json.Number:
			tag := "!!int"
			if strings.ContainsAny(string(t), ".eE") {
				tag = "!!float"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t), Line: line}, nil
		case bool:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t), Line: line}, nil
		case nil:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
		}
		return nil, &lineError{line, "unexpected JSON token"}
	}
	n, err := value()
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &lineError{lineAt(d.InputOffset()), "text after the JSON value"}
	}
	return n, nil
}

// lineError is a problem at a line of the input.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func jsonError(err error, lineAt func(int64) int) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &lineError{lineAt(se.Offset), "invalid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &lineError{lineAt(math.MaxInt32), "invalid JSON: unexpected end of file"}
	}
	return &lineError{0, "invalid JSON: " + err.Error()}
}

// jsonWriter writes nodes as JSON.
type jsonWriter struct {
	pretty      bool // indent=2, ", " and ": " as Python's json.dumps(indent=2)
	ensureASCII bool // \uXXXX for every non-ASCII character
}

func (w jsonWriter) write(b *bytes.Buffer, n *yaml.Node, indent int) {
	n = resolve(n)
	nl := func(ind int) {
		if w.pretty {
			b.WriteByte('\n')
			for ; ind > len(jsonIndent); ind -= len(jsonIndent) {
				b.WriteString(jsonIndent)
			}
			b.WriteString(jsonIndent[:ind])
		}
	}
	switch {
	case n == nil:
		b.WriteString("null")
	case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
		w.write(b, n.Content[0], indent)
	case n.Kind == yaml.MappingNode:
		if len(n.Content) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(indent + 2)
			w.str(b, scalarKey(n.Content[i]))
			b.WriteByte(':')
			if w.pretty {
				b.WriteByte(' ')
			}
			w.write(b, n.Content[i+1], indent+2)
		}
		nl(indent)
		b.WriteByte('}')
	case n.Kind == yaml.SequenceNode:
		if len(n.Content) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(indent + 2)
			w.write(b, c, indent+2)
		}
		nl(indent)
		b.WriteByte(']')
	default:
		w.scalar(b, n)
	}
}

// jsonIndent is spaces to indent with (a new string for each line was a
// tenth of a timeline download's JSON writing).
const jsonIndent = "                                "

// scalarKey is a mapping key as a string (keys are scalars in event files).
func scalarKey(n *yaml.Node) string {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	var b bytes.Buffer
	jsonWriter{}.write(&b, n, 0)
	return b.String()
}

// scalar writes a scalar by its YAML type, as yaml.v3 reads it: numbers,
// booleans and null as such, everything else (dates included) as a string.
func (w jsonWriter) scalar(b *bytes.Buffer, n *yaml.Node) {
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool":
		if n.Tag == "!!int" && plainDecimal(n.Value) {
			// What Decode would make of it, written back (decoding each
			// event's importance was a fifth of writing it).
			b.WriteString(n.Value)
			return
		}
		if n.Line == 0 && json.Valid([]byte(n.Value)) {
			// Made by foitrack or read from JSON: already JSON.
			b.WriteString(n.Value)
			return
		}
		var v any
		if err := n.Decode(&v); err == nil {
			switch x := v.(type) {
			case int:
				b.WriteString(strconv.Itoa(x))
				return
			case int64:
				b.WriteString(strconv.FormatInt(x, 10))
				return
			case uint64:
				b.WriteString(strconv.FormatUint(x, 10))
				return
			case float64:
				if !math.IsInf(x, 0) && !math.IsNaN(x) {
					if json.Valid([]byte(n.Value)) {
						b.WriteString(n.Value) // keep 1.50 as written
					} else {
						b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
					}
					return
				}
			case bool:
				b.WriteString(strconv.FormatBool(x))
				return
			}
		}
	case "!!null":
		b.WriteString("null")
		return
	}
	w.str(b, n.Value)
}

// plainDecimal says whether s is an integer as strconv.Itoa writes it, of
// at most 18 digits (an int64 whichever way it is read).
func plainDecimal(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if d == "" || len(d) > 18 || d[0] == '0' && len(d) > 1 || s == "-0" {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// str writes a JSON string escaped as Python's json module does.
func (w jsonWriter) str(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		// The run of characters written as they are, at once.
		j := i
		for j < len(s) && (s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\' || s[j] >= utf8.RuneSelf && !w.ensureASCII) {
			if s[j] >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(s[j:])
				if r == utf8.RuneError && size == 1 {
					break // written as U+FFFD, below
				}
				j += size
				continue
			}
			j++
		}
		if j > i {
			b.WriteString(s[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r == 0x7f && w.ensureASCII:
			fmt.Fprintf(b, `\u%04x`, r)
		case r >= 0x80 && w.ensureASCII:
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// nodeJSON is n as compact JSON (for the database and the audit log).
func nodeJSON(n *yaml.Node) string {
	var b bytes.Buffer
	jsonWriter{}.write(&b, n, 0)
	return b.String()
}

// NodeToJSON is n as compact JSON, keys in their order.
func NodeToJSON(n *yaml.Node) string { return nodeJSON(n) }
