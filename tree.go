package ucbootstrap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The payload is first read into a small tree of nodes that keeps the
// position of every key and value, whichever the syntax; the model is then
// filled from the tree, so JSON and YAML give the same diagnostics.

type nodeKind int

const (
	mappingNode nodeKind = iota
	sequenceNode
	stringNode
	numberNode
	boolNode
	nullNode
)

func (k nodeKind) String() string {
	return [...]string{"an object", "a list", "a string", "a number", "a boolean", "null"}[k]
}

type node struct {
	kind    nodeKind
	pos     Position
	text    string // scalar value: the string, the number as written, "true"/"false"
	entries []entry
	items   []*node
}

type entry struct {
	key    string
	keyPos Position
	value  *node
}

// MaxPayloadSize is the largest payload [Decode] reads.
const MaxPayloadSize = 32 << 20

// maxDepth bounds nesting, so that hostile input cannot exhaust the stack.
const maxDepth = 64

// readTree parses data as JSON when its first non-blank byte is '{' or '[',
// and as YAML otherwise.
func readTree(file string, data []byte) (*node, Diagnostics) {
	if len(data) > MaxPayloadSize {
		return nil, Diagnostics{{Pos: Position{File: file}, Message: fmt.Sprintf("payload is %d bytes, more than the %d a payload may have", len(data), MaxPayloadSize),
			Hint: "pass the integration payload itself, not a dump or an archive"}}
	}
	if d, ok := checkText(file, data); !ok {
		return nil, Diagnostics{d}
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || isOnlyComments(trimmed) {
		return nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1}, Message: "payload is empty",
			Hint: "write an object with type, autoBootstrap and config; see examples/payloads"}}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return readJSON(file, data)
	}
	return readYAML(file, data)
}

// checkText rejects input that is not UTF-8 text (binary files, NUL bytes),
// at the first offending byte.
func checkText(file string, data []byte) (Diagnostic, bool) {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		bad := r == utf8.RuneError && size == 1
		if bad || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			what := fmt.Sprintf("control character %U", r)
			if bad {
				what = fmt.Sprintf("byte 0x%02x that is not UTF-8", data[i])
			}
			return Diagnostic{Pos: Position{File: file, Line: line, Col: col},
				Message: "payload is not text: " + what,
				Hint:    "a payload is a JSON or YAML text file in UTF-8"}, false
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col += size
		}
		i += size
	}
	return Diagnostic{}, true
}

func isOnlyComments(data []byte) bool {
	for _, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if len(l) > 0 && l[0] != '#' && !bytes.Equal(l, []byte("---")) {
			return false
		}
	}
	return true
}

// lineIndex converts byte offsets into positions.
type lineIndex struct {
	file   string
	starts []int
}

func newLineIndex(file string, data []byte) *lineIndex {
	ix := &lineIndex{file: file, starts: []int{0}}
	for i, b := range data {
		if b == '\n' {
			ix.starts = append(ix.starts, i+1)
		}
	}
	return ix
}

func (ix *lineIndex) pos(off int) Position {
	lo, hi := 0, len(ix.starts)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ix.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return Position{File: ix.file, Line: lo + 1, Col: off - ix.starts[lo] + 1}
}

// jsonReader builds the tree from encoding/json tokens. A token's start is
// found by skipping blanks and separators after the end of the one before.
type jsonReader struct {
	data []byte
	dec  *json.Decoder
	ix   *lineIndex
	last int
}

type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return e.msg }

func readJSON(file string, data []byte) (*node, Diagnostics) {
	r := &jsonReader{data: data, dec: json.NewDecoder(bytes.NewReader(data)), ix: newLineIndex(file, data)}
	r.dec.UseNumber()
	n, err := r.value(0)
	if err == nil {
		if _, e := r.dec.Token(); e != io.EOF {
			err = &jsonError{off: r.start(), msg: "unexpected content after the payload object"}
		}
	}
	if err != nil {
		return nil, Diagnostics{r.syntaxDiag(err)}
	}
	return n, nil
}

func (r *jsonReader) syntaxDiag(err error) Diagnostic {
	off, msg := len(r.data), err.Error()
	var se *json.SyntaxError
	var je *jsonError
	switch {
	case errors.As(err, &je):
		off = je.off
	case errors.As(err, &se):
		off = int(se.Offset) - 1
		msg = strings.TrimPrefix(se.Error(), "json: ")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "unexpected end of the file"
	}
	if off < 0 {
		off = 0
	}
	return Diagnostic{Pos: r.ix.pos(off), Message: "JSON syntax error: " + msg,
		Hint: "check the quotes, commas and braces around here"}
}

func (r *jsonReader) start() int {
	i := r.last
	for i < len(r.data) {
		switch r.data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (r *jsonReader) token() (json.Token, int, error) {
	off := r.start()
	t, err := r.dec.Token()
	r.last = int(r.dec.InputOffset())
	return t, off, err
}

func (r *jsonReader) value(depth int) (*node, error) {
	t, off, err := r.token()
	if err != nil {
		return nil, err
	}
	return r.valueFrom(t, off, depth)
}

func (r *jsonReader) valueFrom(t json.Token, off, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &jsonError{off: off, msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	n := &node{pos: r.ix.pos(off)}
	switch t := t.(type) {
	case json.Delim:
		if t == '[' {
			n.kind = sequenceNode
			for r.dec.More() {
				item, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			_, _, err := r.token()
			return n, err
		}
		if t != '{' {
			return nil, &jsonError{off: off, msg: fmt.Sprintf("unexpected %q", string(t))}
		}
		n.kind = mappingNode
		seen := map[string]bool{}
		for r.dec.More() {
			kt, koff, err := r.token()
			if err != nil {
				return nil, err
			}
			key, ok := kt.(string)
			if !ok {
				return nil, &jsonError{off: koff, msg: "object key is not a string"}
			}
			if seen[key] {
				return nil, &jsonError{off: koff, msg: fmt.Sprintf("key %q appears twice in the same object", key)}
			}
			seen[key] = true
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.entries = append(n.entries, entry{key: key, keyPos: r.ix.pos(koff), value: v})
		}
		_, _, err := r.token()
		return n, err
	case string:
		n.kind, n.text = stringNode, t
	case json.Number:
		n.kind, n.text = numberNode, string(t)
	case bool:
		n.kind, n.text = boolNode, strconv.FormatBool(t)
	case nil:
		n.kind = nullNode
	}
	return n, nil
}

// readYAML builds the tree from the goccy/go-yaml AST.
func readYAML(file string, data []byte) (f *node, ds Diagnostics) {
	defer func() {
		// The YAML parser is third-party code fed with hostile input: a
		// panic in it must become a diagnostic, never a crash.
		if p := recover(); p != nil {
			f, ds = nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1},
				Message: fmt.Sprintf("YAML parser failed: %v", p), Hint: "simplify the YAML or send the payload as JSON"}}
		}
	}()
	parsed, err := parser.ParseBytes(data, 0)
	if err != nil {
		pos := Position{File: file, Line: 1, Col: 1}
		msg := err.Error()
		var se *yaml.SyntaxError
		if errors.As(err, &se) && se.Token != nil {
			pos = tokenPos(file, se.Token.Position)
			msg = se.Message
		}
		return nil, Diagnostics{{Pos: pos, Message: "YAML syntax error: " + msg,
			Hint: "check the indentation and quoting around here"}}
	}
	var docs []ast.Node
	for _, d := range parsed.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if _, ok := d.Body.(*ast.CommentGroupNode); !ok {
			docs = append(docs, d.Body)
		}
	}
	if len(docs) == 0 {
		return nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1}, Message: "payload is empty",
			Hint: "write an object with type, autoBootstrap and config; see examples/payloads"}}
	}
	if len(docs) > 1 {
		return nil, Diagnostics{{Pos: tokenPos(file, docs[1].GetToken().Position), Message: "payload has more than one YAML document",
			Hint: "keep one payload a file; remove the second '---' section"}}
	}
	y := &yamlReader{file: file, anchors: map[string]ast.Node{}}
	n := y.convert(docs[0], 0)
	if len(y.diags) > 0 {
		return nil, y.diags
	}
	return n, nil
}

type yamlReader struct {
	file    string
	anchors map[string]ast.Node
	diags   Diagnostics
}

func tokenPos(file string, p *token.Position) Position {
	if p == nil {
		return Position{File: file, Line: 1, Col: 1}
	}
	return Position{File: file, Line: max(p.Line, 1), Col: max(p.Column, 1)}
}

func (y *yamlReader) fail(n ast.Node, msg, hint string) *node {
	y.diags = append(y.diags, Diagnostic{Pos: tokenPos(y.file, n.GetToken().Position), Message: msg, Hint: hint})
	return &node{kind: nullNode}
}

func (y *yamlReader) convert(an ast.Node, depth int) *node {
	if depth > maxDepth {
		return y.fail(an, fmt.Sprintf("payload is nested more than %d levels deep", maxDepth), "")
	}
	pos := tokenPos(y.file, an.GetToken().Position)
	switch v := an.(type) {
	case *ast.MappingNode:
		return y.mapping(pos, v.Values, depth)
	case *ast.MappingValueNode:
		return y.mapping(pos, []*ast.MappingValueNode{v}, depth)
	case *ast.SequenceNode:
		n := &node{kind: sequenceNode, pos: pos}
		for _, item := range v.Values {
			n.items = append(n.items, y.convert(item, depth+1))
		}
		return n
	case *ast.AnchorNode:
		y.anchors[v.Name.String()] = v.Value
		return y.convert(v.Value, depth+1)
	case *ast.AliasNode:
		target, ok := y.anchors[v.Value.String()]
		if !ok {
			return y.fail(an, fmt.Sprintf("alias *%s names no anchor defined before it", v.Value.String()), "define the anchor (&name) first")
		}
		n := y.convert(target, depth+1)
		return n
	case *ast.TagNode:
		return y.convert(v.Value, depth+1)
	case *ast.StringNode:
		return &node{kind: stringNode, pos: pos, text: v.Value}
	case *ast.LiteralNode:
		return &node{kind: stringNode, pos: pos, text: v.Value.Value}
	case *ast.IntegerNode:
		return &node{kind: numberNode, pos: pos, text: v.GetToken().Value}
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return &node{kind: numberNode, pos: pos, text: v.GetToken().Value}
	case *ast.BoolNode:
		return &node{kind: boolNode, pos: pos, text: strconv.FormatBool(v.Value)}
	case *ast.NullNode:
		return &node{kind: nullNode, pos: pos}
	}
	return y.fail(an, fmt.Sprintf("unsupported YAML construct (%s)", an.Type()), "use plain mappings, lists and scalars")
}

func (y *yamlReader) mapping(pos Position, values []*ast.MappingValueNode, depth int) *node {
	n := &node{kind: mappingNode, pos: pos}
	seen := map[string]bool{}
	for _, mv := range values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			y.fail(mv.Key, "merge keys (<<) are not supported", "write the fields out")
			continue
		}
		k := y.convert(mv.Key, depth+1)
		if k.kind == mappingNode || k.kind == sequenceNode {
			y.fail(mv.Key, "a key must be a plain string", "")
			continue
		}
		key := k.text
		if seen[key] {
			y.fail(mv.Key, fmt.Sprintf("key %q appears twice in the same mapping", key), "remove one of them")
			continue
		}
		seen[key] = true
		var v *node
		if mv.Value == nil {
			v = &node{kind: nullNode, pos: k.pos}
		} else {
			v = y.convert(mv.Value, depth+1)
		}
		n.entries = append(n.entries, entry{key: key, keyPos: k.pos, value: v})
	}
	return n
}
