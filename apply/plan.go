package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/diag"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

// A Statement is one statement of the script a run executes.
type Statement struct {
	// Index is the statement's 0-based index in its script.
	Index int `json:"index"`
	// SQL is the statement as it is sent, without its final semicolon.
	SQL string `json:"sql"`
	// Pos is where it starts in its script.
	Pos diag.Position `json:"pos"`
	// Section is the section of the generated script it belongs to; for a
	// statement of a hand-edited script that is not one of the generated
	// script's, the section of the statement before it.
	Section generator.Section `json:"section"`
	// Step is what it does, for the order it must keep; Known is false for
	// a statement of a hand-edited script that the generated script does
	// not have, which then runs alone.
	Step  privileges.Step `json:"step"`
	Known bool            `json:"known"`
	// Hash is the SHA-256 of SQL, and Cumulative the SHA-256 chain of the
	// hashes of the statements up to this one ("sha256:..." both): a
	// statement whose Cumulative is unchanged has the same script before it.
	Hash       string `json:"hash"`
	Cumulative string `json:"cumulative"`
	// Idempotent says that running it again is harmless.
	Idempotent bool `json:"idempotent"`
}

// A Plan is the script a run executes, split into statements with what
// each does.
type Plan struct {
	Kind generator.Kind `json:"kind"`
	// Name is the script's name in positions: the hand-edited file, or
	// "<kind>.sql" for the generated script, whose text is what
	// ucbootstrap generate prints.
	Name string `json:"name"`
	// Script is the generated script; for a hand-edited one, the script
	// it is checked against.
	Script *generator.Script `json:"-"`
	// SQL is the text of the script that runs.
	SQL string `json:"-"`
	// Edited is true for a hand-edited script.
	Edited     bool        `json:"edited"`
	Statements []Statement `json:"statements"`
	// Fingerprint is the cumulative hash of the last statement: the same
	// for the same statements in the same order, whatever the comments
	// and blank space between them.
	Fingerprint string `json:"fingerprint"`
}

// ScriptName is the name positions give a generated script of a kind.
func ScriptName(k generator.Kind) string { return string(k) + ".sql" }

// NewPlan splits a generated script into statements. With src, the plan
// runs src (a hand-edited script named name) instead: each of its
// statements that the generated script has takes that statement's step
// and section; any other runs alone, after everything before it and
// before everything after it.
func NewPlan(s *generator.Script, name string, src []byte) (*Plan, error) {
	if s == nil {
		return nil, fmt.Errorf("apply: no script")
	}
	p := &Plan{Kind: s.Kind, Script: s, Name: name, Edited: src != nil}
	if p.Name == "" {
		p.Name = ScriptName(s.Kind)
	}
	text := string(src)
	if src == nil {
		sql, err := s.SQL()
		if err != nil {
			return nil, fmt.Errorf("apply: %w", err)
		}
		text = sql
	}
	p.SQL = text
	stmts, err := sqlexec.Split(p.Name, []byte(text))
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if src == nil && len(stmts) != len(s.Statements) {
		return nil, fmt.Errorf("apply: the rendered %s script has %d statements, the script %d", s.Kind, len(stmts), len(s.Statements))
	}
	generated := map[string]generator.Statement{}
	for _, g := range s.Statements {
		generated[normalize(g.SQL)] = g
	}
	section := generator.SectionGuard
	if len(s.Statements) > 0 {
		section = s.Statements[0].Section
	}
	cum := ""
	for i, st := range stmts {
		ps := Statement{Index: i, SQL: st.Text, Pos: st.Pos, Idempotent: st.Idempotent, Section: section}
		var g generator.Statement
		var ok bool
		if src == nil {
			g, ok = s.Statements[i], true
		} else {
			g, ok = generated[normalize(st.Text)]
		}
		if ok {
			ps.Section, ps.Step, ps.Known = g.Section, g.Step, true
			section = g.Section
		}
		ps.Hash = hash(ps.SQL)
		cum = chain(cum, ps.Hash)
		ps.Cumulative = cum
		p.Statements = append(p.Statements, ps)
	}
	p.Fingerprint = cum
	if p.Fingerprint == "" {
		p.Fingerprint = hash("")
	}
	return p, nil
}

// normalize folds the blank space of a statement, so that a hand-edited
// script that only re-indents a statement keeps its step.
func normalize(sql string) string { return strings.Join(strings.Fields(sql), " ") }

// hash returns "sha256:" and the hex SHA-256 of s.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// chain returns the cumulative hash after prev: the SHA-256 of the
// previous cumulative hash and the statement's hash, one a line.
func chain(prev, h string) string { return hash(prev + "\n" + h) }

// A phase is a run of consecutive statements of one section: phases run
// one after another, in script order.
type phase struct {
	section generator.Section
	stmts   []int // indexes into Plan.Statements
}

// phases splits the plan into phases.
func (p *Plan) phases() []phase {
	var out []phase
	for i, st := range p.Statements {
		if n := len(out); n == 0 || out[n-1].section != st.Section {
			out = append(out, phase{section: st.Section})
		}
		out[len(out)-1].stmts = append(out[len(out)-1].stmts, i)
	}
	return out
}

// dependencies returns, for each statement of a phase (by position in
// ph.stmts), the positions of the earlier statements it must wait for. It
// reads the steps, never the SQL text:
//
//   - a statement whose step is not known, and a step that only reads
//     (the guards), runs alone: it waits for everything before it, and
//     everything after it waits for it;
//   - statements on one securable keep their order;
//   - a statement waits for the statements before it on the securables
//     that contain its own (a schema's for a table, the catalog's for a
//     schema, the metastore's for anything): a catalog is created before
//     its schemas, a schema before its tables;
//   - a statement waits for the statements before it on the securables
//     its own contains: the ownership of a table is handed over before
//     its schema's, the schema's before the catalog's;
//   - creating a function waits for every table and function created
//     before it, which its body may read or call.
//
// Each list is sorted; the graph has no cycle, since every edge points
// back in script order.
func dependencies(p *Plan, ph phase) [][]int {
	deps := make([][]int, len(ph.stmts))
	lastOn := map[privileges.Securable]int{}
	// below holds, per securable, the statements on what it contains since
	// the last statement on itself.
	below := map[privileges.Securable][]int{}
	var since []int // since the last barrier
	barrier := -1
	var creates []int // tables and functions created
	for j, idx := range ph.stmts {
		st := &p.Statements[idx]
		if !st.Known || st.Step.Kind == privileges.StepRead || st.Step.Kind == "" {
			d := slices.Clone(since)
			if barrier >= 0 {
				d = append(d, barrier)
			}
			deps[j] = sorted(d)
			barrier, since, creates = j, nil, nil
			clear(lastOn)
			clear(below)
			continue
		}
		var d []int
		if barrier >= 0 {
			d = append(d, barrier)
		}
		on := st.Step.On.Canonical()
		if l, ok := lastOn[on]; ok {
			d = append(d, l)
		}
		ups := containers(on)
		for _, a := range ups {
			if l, ok := lastOn[a]; ok {
				d = append(d, l)
			}
		}
		d = append(d, below[on]...)
		delete(below, on)
		if st.Step.Kind == privileges.StepCreate || st.Step.Kind == privileges.StepCreateCatalog {
			if on.Type == privileges.Function {
				d = append(d, creates...)
			}
			if on.Type == privileges.Function || on.Type == privileges.Table {
				creates = append(creates, j)
			}
		}
		lastOn[on] = j
		for _, a := range ups {
			below[a] = append(below[a], j)
		}
		since = append(since, j)
		deps[j] = sorted(d)
	}
	return deps
}

// containers returns the securables that contain s, the nearest first,
// the metastore last (which contains everything).
func containers(s privileges.Securable) []privileges.Securable {
	if s.Type == privileges.Metastore {
		return nil
	}
	return append(s.Ancestors(), privileges.Securable{Type: privileges.Metastore})
}

// sorted sorts and removes duplicates.
func sorted(xs []int) []int {
	slices.Sort(xs)
	return slices.Compact(xs)
}
