package dbsql

import "strings"

// This file parses names, literals, property lists, argument lists and types.

func (p *parser) parseIdent() Ident { return p.parseIdentWhat("identifier") }

func (p *parser) parseIdentWhat(what string) Ident {
	x := Ident{NamePos: p.pos, NameEnd: p.pos + Pos(len(p.lit))}
	switch p.tok {
	case IDENT:
		x.Name = p.lit
	case QUOTEDIDENT:
		x.Name = unquoteIdent(p.lit)
	default:
		p.errorExpected(what)
	}
	p.next()
	return x
}

// parseWord parses a bare word such as a language or format name; Name is
// upper case.
func (p *parser) parseWord() Ident {
	if p.tok != IDENT {
		p.errorExpected("name")
	}
	x := Ident{NamePos: p.pos, NameEnd: p.pos + Pos(len(p.lit)), Name: upper(p.lit)}
	p.next()
	return x
}

func (p *parser) parseQualifiedName() *QualifiedName {
	if p.is("IDENTIFIER") {
		if tok, _ := p.peek(); tok == LPAREN {
			panic(keepOpaque{}) // IDENTIFIER(expression): the name is known when the statement runs
		}
	}
	x := p.names.new()
	x.Parts = p.idents.list(3)
	x.Parts = append(x.Parts, p.parseIdentWhat("name"))
	for p.tok == DOT {
		p.next()
		x.Parts = append(x.Parts, p.parseIdent())
	}
	return x
}

// parseString parses a string literal; adjacent literals are
// concatenated, as in 'it”s'.
func (p *parser) parseString() *StringLit {
	if p.tok != STRING {
		p.errorExpected("string")
	}
	x := p.strs.new()
	x.ValuePos, x.Value = p.pos, unquoteString(p.lit)
	p.next()
	for p.tok == STRING {
		x.Value += unquoteString(p.lit)
		p.next()
	}
	x.ValueEnd = p.prevEnd
	return x
}

func (p *parser) parsePropertyList() *PropertyList {
	x := p.propLists.new()
	x.Lparen = p.expect(LPAREN)
	if p.tok != RPAREN {
		for {
			x.List = append(x.List, p.parseProperty())
			if p.tok != COMMA {
				break
			}
			p.next()
		}
	}
	x.Rparen = p.expect(RPAREN)
	return x
}

func (p *parser) parseProperty() *Property {
	x := p.props.new()
	x.KeyPos = p.pos
	switch p.tok {
	case STRING:
		x.Key = unquoteString(p.lit)
		p.next()
	case IDENT, QUOTEDIDENT:
		n := p.parseQualifiedName()
		x.Key = n.String()
	default:
		p.errorExpected("property key")
	}
	if p.tok == EQ {
		p.next()
	}
	if p.tok == IDENT {
		if tok, _ := p.peek(); tok == LPAREN || tok == DOT {
			// A function call, such as secret('scope', 'key').
			sp := p.parseExprSpan()
			x.Expr = &sp
			x.EndPos = p.prevEnd
			return x
		}
	}
	if p.tok != COMMA && p.tok != RPAREN {
		v := p.literals.new()
		*v = Literal{ValuePos: p.pos, ValueEnd: p.pos + Pos(len(p.lit)), Kind: p.tok}
		switch p.tok {
		case STRING:
			v.Value = unquoteString(p.lit)
		case NUMBER, IDENT:
			v.Value = p.lit
		case SUB:
			p.next()
			if p.tok != NUMBER {
				p.errorExpected("number")
			}
			v.Kind, v.Value = NUMBER, "-"+p.lit
			v.ValueEnd = p.pos + Pos(len(p.lit))
		default:
			p.errorExpected("property value")
		}
		p.next()
		x.Value = v
	}
	x.EndPos = p.prevEnd
	return x
}

// parseArgs parses a parenthesised list of columns and constants.
func (p *parser) parseArgs() []*Literal {
	p.expect(LPAREN)
	list := []*Literal{}
	if p.tok != RPAREN {
		for {
			x := p.literals.new()
			*x = Literal{ValuePos: p.pos, ValueEnd: p.pos + Pos(len(p.lit)), Kind: p.tok}
			switch p.tok {
			case IDENT:
				x.Value = p.lit
			case QUOTEDIDENT:
				x.Kind, x.Value = IDENT, unquoteIdent(p.lit)
			case STRING:
				x.Value = unquoteString(p.lit)
			case NUMBER:
				x.Value = p.lit
			default:
				p.errorExpected("column or constant")
			}
			p.next()
			list = append(list, x)
			if p.tok != COMMA {
				break
			}
			p.next()
		}
	}
	p.expect(RPAREN)
	return list
}

// parseIdentList parses ( ident, ... ).
func (p *parser) parseIdentList() []Ident {
	p.expect(LPAREN)
	list := make([]Ident, 0, 2)
	for {
		list = append(list, p.parseIdent())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return list
}

// parseExprSpan consumes an expression and returns its span. The
// expression ends before a ',', ')' or ';' outside parentheses, or before
// one of the keywords stop outside parentheses.
func (p *parser) parseExprSpan(stop ...string) Span {
	from := p.pos
	depth := 0
loop:
	for p.tok != EOF && p.tok != SEMICOLON {
		if depth == 0 {
			if p.tok == COMMA || p.tok == RPAREN {
				break
			}
			for _, kw := range stop {
				if p.is(kw) {
					break loop
				}
			}
		}
		switch p.tok {
		case LPAREN:
			depth++
		case RPAREN:
			depth--
		}
		p.next()
	}
	if p.pos == from {
		p.errorExpected("expression")
	}
	return p.span(from, p.prevEnd)
}

// parseType parses a data type.
func (p *parser) parseType() *Type {
	if p.tok != IDENT {
		p.errorExpected("type")
	}
	t := p.types.new()
	t.NamePos, t.Name = p.pos, upper(p.lit)
	p.next()
	if t.Name == "INTERVAL" {
		// INTERVAL YEAR [TO MONTH], INTERVAL DAY [TO SECOND], ...
		for p.tok == IDENT && intervalWords[strings.ToUpper(p.lit)] {
			t.Name += " " + strings.ToUpper(p.lit)
			p.next()
		}
	}
	switch t.Name {
	case "ARRAY", "MAP", "STRUCT":
		if t.Name == "STRUCT" && p.tok == NE && p.lit == "<>" {
			p.next() // STRUCT<>, scanned as the operator <>
			t.Fields = []*StructField{}
			break
		}
		if p.tok != LT {
			p.errorExpected("'<'")
		}
		p.next()
		switch t.Name {
		case "ARRAY":
			t.Elems = []*Type{p.parseType()}
		case "MAP":
			k := p.parseType()
			p.expect(COMMA)
			t.Elems = []*Type{k, p.parseType()}
		case "STRUCT":
			t.Fields = []*StructField{}
			if p.tok != GT {
				for {
					t.Fields = append(t.Fields, p.parseStructField())
					if p.tok != COMMA {
						break
					}
					p.next()
				}
			}
		}
		p.expect(GT)
	default:
		if p.tok == LPAREN {
			p.next()
			for {
				if p.tok != NUMBER {
					p.errorExpected("number")
				}
				t.Params = append(t.Params, p.lit)
				p.next()
				if p.tok != COMMA {
					break
				}
				p.next()
			}
			p.expect(RPAREN)
		}
	}
	t.EndPos = p.prevEnd
	return t
}

var intervalWords = map[string]bool{"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true, "TO": true}

func (p *parser) parseStructField() *StructField {
	f := &StructField{Name: p.parseIdent()}
	if p.tok == COLON {
		p.next()
	}
	f.Type = p.parseType()
	for {
		switch {
		case p.is("NOT"):
			p.next()
			p.expectKw("NULL")
			f.NotNull = true
		case p.is("COMMENT"):
			pos := p.pos
			p.next()
			p.once(pos, f.Comment != nil, "COMMENT")
			f.Comment = p.parseString()
		default:
			f.EndPos = p.prevEnd
			return f
		}
	}
}
