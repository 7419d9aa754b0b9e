package ucbootstrap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"

	"github.com/ucbootstrap/ucbootstrap/internal/clip"
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

// MaxPayloadSize is the largest payload [Decode] reads. A payload is a few
// kilobytes; 8 MiB leaves room for some 200 000 data sources.
const MaxPayloadSize = 8 << 20

// Limits that hostile input reaches long before a payload does. They keep
// Decode fast (the YAML parser slows down more than linearly on some deep
// or wide shapes) and its stack shallow.
const (
	// maxDepth bounds nesting.
	maxDepth = 64
	// maxKeys bounds the number of keys in the whole payload; a payload
	// has a few dozen.
	maxKeys = 1000
	// maxBlockColumn bounds the column of a YAML list dash or complex-key
	// mark outside brackets: deeper block nesting needs a larger column.
	maxBlockColumn = 2*maxDepth + 1
	// maxDecorations bounds the YAML anchors, aliases and tags.
	maxDecorations = 1000
	// maxDocuments bounds the YAML document markers (--- and ...).
	maxDocuments = 16
)

// readTree parses data as JSON when its first non-blank byte is '{' or '[',
// and as YAML otherwise.
func readTree(file string, data []byte) (*node, Diagnostics) {
	if len(data) > MaxPayloadSize {
		return nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1},
			Message: fmt.Sprintf("payload is %d bytes, more than the %d a payload may have", len(data), MaxPayloadSize),
			Hint:    "pass the integration payload itself, not a dump or an archive"}}
	}
	if d, ok := checkText(file, data); !ok {
		return nil, Diagnostics{d}
	}
	const bom = "\ufeff"
	hasBOM := bytes.HasPrefix(data, []byte(bom))
	if hasBOM {
		// A byte order mark is allowed. For JSON, blanks in its place
		// keep the columns of line 1; YAML would read them as
		// indentation, so it reads the text after the mark, and the
		// positions on line 1 are moved past it.
		data = append([]byte("   "), data[len(bom):]...)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || isOnlyComments(trimmed) {
		msg := "payload is empty"
		if len(trimmed) > 0 {
			msg = "payload has only comments"
		}
		return nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1}, Message: msg,
			Hint: "write an object with type, autoBootstrap and config; see examples/payloads"}}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return readJSON(file, data)
	}
	if !hasBOM {
		return readYAML(file, data)
	}
	tree, ds := readYAML(file, data[len(bom):])
	shiftLine1(tree, len(bom))
	for i := range ds {
		if ds[i].Pos.Line == 1 {
			ds[i].Pos.Col += len(bom)
		}
	}
	return tree, ds
}

// shiftLine1 moves the columns of the positions on line 1 by n bytes.
func shiftLine1(n *node, by int) {
	if n == nil {
		return
	}
	if n.pos.Line == 1 {
		n.pos.Col += by
	}
	for i := range n.entries {
		if n.entries[i].keyPos.Line == 1 {
			n.entries[i].keyPos.Col += by
		}
		shiftLine1(n.entries[i].value, by)
	}
	for _, it := range n.items {
		shiftLine1(it, by)
	}
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
	keys int
}

// A jsonError is a problem found by the reader rather than encoding/json.
type jsonError struct {
	off  int
	msg  string
	hint string
}

func (e *jsonError) Error() string { return e.msg }

func readJSON(file string, data []byte) (*node, Diagnostics) {
	r := &jsonReader{data: data, dec: json.NewDecoder(bytes.NewReader(data)), ix: newLineIndex(file, data)}
	r.dec.UseNumber()
	n, err := r.value(0)
	if err == nil {
		if _, e := r.dec.Token(); e != io.EOF {
			err = &jsonError{off: r.start(), msg: "unexpected content after the payload object",
				hint: "a payload is one JSON object; remove what follows its closing brace"}
		}
	}
	if err != nil {
		return nil, Diagnostics{r.syntaxDiag(err)}
	}
	return n, nil
}

func (r *jsonReader) syntaxDiag(err error) Diagnostic {
	hint := "check the quotes, commas and braces around here"
	var je *jsonError
	if errors.As(err, &je) {
		if je.hint == "" {
			je.hint = hint
		}
		return Diagnostic{Pos: r.ix.pos(je.off), Message: "JSON syntax error: " + je.msg, Hint: je.hint}
	}
	// The offsets of the streaming decoder's errors count only some of the
	// bytes; a whole-input scan gives the byte the error is at.
	off, msg := len(r.data), "unexpected end of the file"
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(r.data, new(json.RawMessage)), &se) {
		msg = strings.TrimPrefix(se.Error(), "json: ")
		if se.Offset < int64(len(r.data)) {
			off = int(se.Offset) - 1
		}
		if msg == "unexpected end of JSON input" {
			msg = "unexpected end of the file"
		}
	} else if errors.As(err, &se) {
		msg = strings.TrimPrefix(se.Error(), "json: ")
		off = int(se.Offset)
	}
	if strings.HasPrefix(msg, "unexpected end") {
		hint = "close every brace and bracket, and every string's quote"
	}
	off = min(max(off, 0), len(r.data))
	return Diagnostic{Pos: r.ix.pos(off), Message: "JSON syntax error: " + msg, Hint: hint}
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
		return nil, &jsonError{off: off, msg: fmt.Sprintf("nested more than %d levels deep", maxDepth),
			hint: "a payload nests a few levels; send the payload itself"}
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
				return nil, &jsonError{off: koff, msg: fmt.Sprintf("key %s appears twice in the same object", clip.Quote(key)), hint: "remove one of them"}
			}
			seen[key] = true
			if r.keys++; r.keys > maxKeys {
				return nil, &jsonError{off: koff, msg: fmt.Sprintf("more than %d keys", maxKeys),
					hint: "a payload has a few dozen keys; send the payload itself"}
			}
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
	y := &yamlReader{file: file, data: data, ix: newLineIndex(file, data), anchors: map[string]ast.Node{},
		budget: len(data) + 1000}
	defer func() {
		// The YAML parser is third-party code fed with hostile input: a
		// panic in it must become a diagnostic, never a crash.
		if p := recover(); p != nil {
			f, ds = nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1},
				Message: fmt.Sprintf("YAML parser failed: %v", p), Hint: "simplify the YAML or send the payload as JSON"}}
		}
	}()
	tokens, d := y.tokenize()
	if d != nil {
		return nil, Diagnostics{*d}
	}
	parsed, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, Diagnostics{y.syntaxDiag(err)}
	}
	var docs []*ast.DocumentNode
	for _, d := range parsed.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if _, ok := d.Body.(*ast.CommentGroupNode); !ok {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return nil, Diagnostics{{Pos: Position{File: file, Line: 1, Col: 1}, Message: "payload is empty",
			Hint: "write an object with type, autoBootstrap and config; see examples/payloads"}}
	}
	if len(docs) > 1 {
		at := docs[1].Body.GetToken()
		if docs[1].Start != nil {
			at = docs[1].Start
		}
		return nil, Diagnostics{y.secondDocument(at)}
	}
	n := y.convert(docs[0].Body, 0)
	if len(y.diags) > 0 {
		return nil, y.diags
	}
	return n, nil
}

type yamlReader struct {
	file    string
	data    []byte
	ix      *lineIndex
	anchors map[string]ast.Node
	diags   Diagnostics
	// budget is the number of nodes left to convert; aliases must not
	// expand a small file into a huge tree.
	budget int
	// alias is the outermost alias being expanded, if any.
	alias ast.Node
}

func (y *yamlReader) secondDocument(at *token.Token) Diagnostic {
	return Diagnostic{Pos: y.pos(at.Position), Message: "payload has more than one YAML document",
		Hint: "keep one payload a file; remove the second document"}
}

// tokenize scans the whole input, stopping at the first invalid token and
// at the first sign of input that would make the parser slow or deep (see
// the limits above), or of a second document.
func (y *yamlReader) tokenize() (token.Tokens, *Diagnostic) {
	var sc scanner.Scanner
	sc.Init(string(y.data))
	var tokens token.Tokens
	var st scanState
	for {
		sub, err := sc.Scan()
		for _, tk := range sub {
			if tk.Type == token.InvalidType {
				break
			}
			if d := y.check(&st, tk); d != nil {
				return nil, d
			}
		}
		tokens.Add(sub...)
		if err == io.EOF {
			return tokens, nil
		}
		if err != nil {
			d := Diagnostic{Pos: Position{File: y.file, Line: 1, Col: 1}, Message: "YAML syntax error",
				Hint: "check the indentation and quoting around here"}
			if len(sub) > 0 {
				tk := sub[len(sub)-1]
				d = y.syntaxDiag(&yaml.SyntaxError{Message: tk.Error, Token: tk})
			}
			return nil, &d
		}
	}
}

// scanState counts what the limits bound, while tokenize scans.
type scanState struct {
	keys, decorations, markers, flow int
	content                          bool         // a token of the first document was seen
	end                              *token.Token // the --- or ... that ended the first document
}

func (y *yamlReader) check(st *scanState, tk *token.Token) *Diagnostic {
	limit := func(msg string) *Diagnostic {
		return &Diagnostic{Pos: y.pos(tk.Position), Message: msg,
			Hint: "a payload nests a few levels and has a few dozen keys; send the payload itself"}
	}
	switch tk.Type {
	case token.CommentType, token.DirectiveType:
		return nil
	case token.DocumentHeaderType, token.DocumentEndType:
		if st.markers++; st.markers > maxDocuments {
			return limit(fmt.Sprintf("payload has more than %d document markers (--- or ...)", maxDocuments))
		}
		if st.content && st.end == nil {
			st.end = tk
		}
		return nil
	case token.SequenceStartType, token.MappingStartType:
		if st.flow++; st.flow > maxDepth {
			return limit(fmt.Sprintf("payload is nested more than %d levels deep", maxDepth))
		}
	case token.SequenceEndType, token.MappingEndType:
		st.flow = max(st.flow-1, 0)
	case token.MappingValueType:
		if st.keys++; st.keys > maxKeys {
			return limit(fmt.Sprintf("payload has more than %d keys", maxKeys))
		}
	case token.SequenceEntryType, token.MappingKeyType:
		if st.flow == 0 && tk.Position != nil && tk.Position.Column > maxBlockColumn {
			return limit(fmt.Sprintf("payload is nested more than %d levels deep", maxDepth))
		}
	case token.AnchorType, token.AliasType, token.TagType:
		if st.decorations++; st.decorations > maxDecorations {
			return limit(fmt.Sprintf("payload has more than %d anchors, aliases and tags", maxDecorations))
		}
	}
	if st.end != nil {
		d := y.secondDocument(st.end)
		return &d
	}
	st.content = true
	return nil
}

// yamlDuplicateRE matches the parser's message for a repeated key.
var yamlDuplicateRE = regexp.MustCompile(`^mapping key (".*") already defined at \[(\d+):\d+\]$`)

// syntaxDiag turns a parser error into a diagnostic, with the parser's
// terse messages reworded where the cause is clear. It never quotes the
// parser's full error text, which shows source lines (and so could show a
// secret).
func (y *yamlReader) syntaxDiag(err error) Diagnostic {
	d := Diagnostic{Pos: Position{File: y.file, Line: 1, Col: 1}, Message: "YAML syntax error",
		Hint: "check the indentation and quoting around here"}
	var se *yaml.SyntaxError
	if !errors.As(err, &se) {
		if first, _, _ := strings.Cut(err.Error(), "\n"); first != "" {
			d.Message += ": " + first
		}
		return d
	}
	msg := se.Message
	if se.Token != nil {
		d.Pos = y.pos(se.Token.Position)
	}
	switch m := yamlDuplicateRE.FindStringSubmatch(msg); {
	case m != nil:
		d.Message = fmt.Sprintf("key %s appears twice in the same mapping; the first is on line %s", m[1], m[2])
		d.Hint = "remove one of them"
		return d
	case strings.HasSuffix(msg, "is a reserved character"):
		d.Message = "YAML syntax error: a value starts with " + strings.TrimSuffix(msg, " is a reserved character") + ", which YAML reserves"
		d.Hint = "quote the value"
		return d
	case strings.HasPrefix(msg, "could not find end character of"):
		d.Message += ": " + msg
		d.Hint = "close the quote"
		return d
	case strings.Contains(msg, "'\t'"):
		d.Message = "YAML syntax error: a tab character; YAML does not allow tabs for indentation"
		d.Hint = "indent with spaces"
		return d
	case msg == "mapping value is not allowed in this context" && se.Token != nil && se.Token.Position != nil &&
		se.Token.Next != nil && se.Token.Next.Position != nil && se.Token.Next.Type == token.MappingValueType &&
		se.Token.Next.Position.Line > se.Token.Position.Line && se.Token.Next.Position.Line <= len(y.ix.starts):
		// "key: value" followed by a line indented deeper, which YAML
		// reads as more of the value, up to its colon.
		line := se.Token.Next.Position.Line
		d.Pos = y.firstNonBlank(line)
		d.Message = "YAML syntax error: this line is indented more than the key above it, so YAML reads it as part of that key's value"
		d.Hint = "indent it like the key above it, or nest it under a key that has no value"
		return d
	}
	if md, ok := y.markdownLink(d.Pos.Line); ok {
		return md
	}
	if msg == "value is not allowed in this context" {
		d.Hint = "check that it is indented like the keys it belongs with"
	}
	d.Message += ": " + msg
	return d
}

// yamlMarkdownRE matches a line "key: [text](url)": a Markdown link pasted
// unquoted, which YAML reads as a list followed by more text.
var yamlMarkdownRE = regexp.MustCompile(`^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*:\s*)(\[([^\]]*)\]\(([^)]*)\))\s*(?:#.*)?$`)

// markdownLink returns the diagnostic of a Markdown link pasted unquoted
// on the line, if the line holds one.
func (y *yamlReader) markdownLink(line int) (Diagnostic, bool) {
	if line < 1 || line > len(y.ix.starts) {
		return Diagnostic{}, false
	}
	start := y.ix.starts[line-1]
	end := bytes.IndexByte(y.data[start:], '\n')
	if end < 0 {
		end = len(y.data) - start
	}
	text := strings.TrimRight(string(y.data[start:start+end]), "\r")
	m := yamlMarkdownRE.FindStringSubmatch(text)
	if m == nil {
		return Diagnostic{}, false
	}
	key, linkText, target := m[2], m[5], m[6]
	value := hostOf(linkText)
	if value == "" {
		value = hostOf(target)
	}
	hint := "write the value alone: " + key + ": " + linkText
	if key == "workspaceUrl" {
		hint = hintHost(value, "write the workspace host, as in dbc-1234abcd-5678.cloud.databricks.com")
	}
	col := len(m[1]) + len(m[2]) + len(m[3]) + 1
	field := key
	if m[1] != "" && slices.Contains(configKeys, key) {
		field = "config." + key // indented: the keys of config are the ones that take URLs
	}
	return Diagnostic{Pos: Position{File: y.file, Line: line, Col: col}, Field: field,
		Message: "is a Markdown link, probably copied from the documentation, which YAML cannot read unquoted",
		Hint:    hint}, true
}

// pos converts a parser position, whose column counts characters, into a
// Position, whose column counts bytes.
func (y *yamlReader) pos(p *token.Position) Position {
	if p == nil || p.Line < 1 || p.Line > len(y.ix.starts) {
		return Position{File: y.file, Line: 1, Col: 1}
	}
	start := y.ix.starts[p.Line-1]
	off := start
	for i := 1; i < p.Column && off < len(y.data) && y.data[off] != '\n'; i++ {
		_, size := utf8.DecodeRune(y.data[off:])
		off += size
	}
	return Position{File: y.file, Line: p.Line, Col: off - start + 1}
}

// firstNonBlank returns the position of the first non-blank byte of a line.
func (y *yamlReader) firstNonBlank(line int) Position {
	start := y.ix.starts[line-1]
	off := start
	for off < len(y.data) && (y.data[off] == ' ' || y.data[off] == '\t') {
		off++
	}
	return Position{File: y.file, Line: line, Col: off - start + 1}
}

func (y *yamlReader) fail(n ast.Node, msg, hint string) *node {
	pos := Position{File: y.file, Line: 1, Col: 1}
	if tk := n.GetToken(); tk != nil {
		pos = y.pos(tk.Position)
	}
	y.diags = append(y.diags, Diagnostic{Pos: pos, Message: msg, Hint: hint})
	return &node{kind: nullNode}
}

func (y *yamlReader) convert(an ast.Node, depth int) *node {
	if an == nil || an.GetToken() == nil {
		return &node{kind: nullNode, pos: Position{File: y.file, Line: 1, Col: 1}}
	}
	if depth > maxDepth {
		return y.fail(an, fmt.Sprintf("payload is nested more than %d levels deep", maxDepth), "a payload nests a few levels; send the payload itself")
	}
	if y.budget--; y.budget < 0 {
		if y.budget == -1 {
			at := an
			if y.alias != nil {
				at = y.alias
			}
			return y.fail(at, "aliases expand the payload to too many values", "write the values out instead of using aliases")
		}
		return &node{kind: nullNode}
	}
	pos := y.pos(an.GetToken().Position)
	switch v := an.(type) {
	case *ast.MappingNode:
		// A block mapping is where its first key is; a flow mapping is
		// where its brace is.
		if !v.IsFlowStyle && len(v.Values) > 0 && v.Values[0].Key != nil {
			pos = y.pos(v.Values[0].Key.GetToken().Position)
		}
		return y.mapping(pos, v.Values, depth)
	case *ast.MappingValueNode:
		if v.Key != nil {
			pos = y.pos(v.Key.GetToken().Position)
		}
		return y.mapping(pos, []*ast.MappingValueNode{v}, depth)
	case *ast.SequenceNode:
		n := &node{kind: sequenceNode, pos: pos}
		for _, item := range v.Values {
			if y.budget < 0 {
				break
			}
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
		if y.alias == nil {
			y.alias = v
			defer func() { y.alias = nil }()
		}
		return y.convert(target, depth+1)
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
		if y.budget < 0 {
			break
		}
		if mv == nil || mv.Key == nil {
			continue
		}
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			y.fail(mv.Key, "merge keys (<<) are not supported", "write the fields out")
			continue
		}
		k := y.convert(mv.Key, depth+1)
		if k.kind == mappingNode || k.kind == sequenceNode {
			y.fail(mv.Key, "a key must be a plain string", "write the key as a word, such as catalog")
			continue
		}
		key := k.text
		if seen[key] {
			y.fail(mv.Key, fmt.Sprintf("key %s appears twice in the same mapping", clip.Quote(key)), "remove one of them")
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
