package privileges

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Formats lists the names [Report.Write] accepts.
var Formats = []string{"text", "json", "markdown", "junit"}

// WriteOptions change how a report is written.
type WriteOptions struct {
	// Strict counts unverified requirements as failures in the summary
	// and in JUnit.
	Strict bool
	// Revoke adds the REVOKE statements that end exposure to the text and
	// Markdown fix sections.
	Revoke bool
}

// Write formats the report: "text" for a person, "json" for programs (the
// [ReportSchema] version), "markdown" for a CI step summary, "junit" with a
// test case per requirement.
func (r *Report) Write(w io.Writer, format string, o WriteOptions) error {
	var err error
	strict := o.Strict
	switch format {
	case "text":
		err = r.writeText(w, strict, o.Revoke)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	case "markdown":
		err = r.writeMarkdown(w, strict, o.Revoke)
	case "junit":
		err = r.writeJUnit(w, strict)
	default:
		return fmt.Errorf("privileges: unknown report format %q: use text, json, markdown or junit", format)
	}
	if err != nil {
		return fmt.Errorf("privileges: write %s report: %w", format, err)
	}
	return nil
}

// Summary returns the one-line verdict: "PASS: 14 satisfied, 1 unverified"
// or "FAIL: 2 missing, 1 exposure, ...".
func (r *Report) Summary(strict bool) string {
	verdict := "PASS"
	if !r.Passed(strict) {
		verdict = "FAIL"
	}
	var parts []string
	if n := r.Count(Missing); n > 0 {
		parts = append(parts, fmt.Sprintf("%d missing", n))
	}
	if n := r.Errors(); n > 0 {
		parts = append(parts, plural(n, "exposure", "exposures"))
	}
	if n := len(r.Findings) - r.Errors(); n > 0 {
		parts = append(parts, plural(n, "warning", "warnings"))
	}
	parts = append(parts, fmt.Sprintf("%d satisfied", r.Count(Satisfied)))
	if n := r.Count(Unverified); n > 0 {
		parts = append(parts, fmt.Sprintf("%d unverified", n))
	}
	return verdict + ": " + strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (r *Report) byStatus(s Status) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == s {
			out = append(out, res)
		}
	}
	return out
}

func where(g *Grant) string {
	if g == nil || g.Pos.File == "" {
		return ""
	}
	return " [" + g.Pos.String() + "]"
}

func (r *Report) writeText(w io.Writer, strict, revoke bool) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n", r.Summary(strict))
	fmt.Fprintf(&b, "service principal %s, governance catalog %s, rules %s, %d grants read\n", r.ServicePrincipal, r.Catalog, r.Rules, r.GrantsRead)
	section := func(title string, results []Result, showGrant bool) {
		if len(results) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", title, len(results))
		for _, res := range results {
			fmt.Fprintf(&b, "  %s: %s", res.Requirement.String(), res.How)
			if showGrant {
				b.WriteString(where(res.Grant))
			}
			b.WriteString("\n")
			if res.Status != Satisfied {
				fmt.Fprintf(&b, "      why: %s\n", res.Reason)
			}
		}
	}
	section("MISSING", r.byStatus(Missing), false)
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "\nFINDINGS (%d)\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %s %s: %s%s\n", f.Severity, f.Code, f.Message, where(f.Grant))
		}
	}
	section("UNVERIFIED", r.byStatus(Unverified), false)
	section("SATISFIED", r.byStatus(Satisfied), true)
	if fix := r.fixStatements(revoke); len(fix) > 0 {
		b.WriteString("\nFIX (run as a metastore admin or an owner of each securable)\n")
		for _, s := range fix {
			fmt.Fprintf(&b, "  %s;\n", s)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdEscape keeps table cells on one line and stops | from splitting them.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (r *Report) writeMarkdown(w io.Writer, strict, revoke bool) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## ucbootstrap audit: %s\n\n", r.Summary(strict))
	fmt.Fprintf(&b, "Service principal `%s`, governance catalog `%s`, rules `%s`, %d grants read.\n", r.ServicePrincipal, r.Catalog, r.Rules, r.GrantsRead)
	table := func(title string, results []Result) {
		if len(results) == 0 {
			return
		}
		if title != "" {
			fmt.Fprintf(&b, "\n### %s (%d)\n", title, len(results))
		}
		b.WriteString("\n| who | requirement | how | why |\n|---|---|---|---|\n")
		for _, res := range results {
			_, req, _ := strings.Cut(res.Requirement.String(), ": ")
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", res.Who, mdEscape(req), mdEscape(res.How), mdEscape(res.Reason))
		}
	}
	table("Missing", r.byStatus(Missing))
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "\n### Findings (%d)\n\n| severity | code | finding |\n|---|---|---|\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", f.Severity, f.Code, mdEscape(f.Message+where(f.Grant)))
		}
	}
	table("Unverified", r.byStatus(Unverified))
	if fix := r.fixStatements(revoke); len(fix) > 0 {
		b.WriteString("\n### Fix\n\n```sql\n")
		for _, s := range fix {
			b.WriteString(s + ";\n")
		}
		b.WriteString("```\n")
	}
	if sat := r.byStatus(Satisfied); len(sat) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Satisfied (%d)</summary>\n", len(sat))
		table("", sat)
		b.WriteString("\n</details>\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func (r *Report) writeJUnit(w io.Writer, strict bool) error {
	reqs := junitSuite{Name: "requirements"}
	for _, res := range r.Results {
		c := junitCase{Name: res.Requirement.String(), Classname: "ucbootstrap.audit." + strings.ReplaceAll(string(res.Who), " ", "_")}
		msg := &junitMessage{Message: res.How, Text: res.Reason}
		switch {
		case res.Status == Missing, res.Status == Unverified && strict:
			c.Failure = msg
			reqs.Failures++
		case res.Status == Unverified:
			c.Skipped = msg
			reqs.Skipped++
		default:
			c.SystemOut = res.How + where(res.Grant)
		}
		reqs.Cases = append(reqs.Cases, c)
	}
	reqs.Tests = len(reqs.Cases)
	findings := junitSuite{Name: "findings"}
	for _, f := range r.Findings {
		c := junitCase{Name: f.Code + ": " + f.Message, Classname: "ucbootstrap.audit.finding"}
		if f.Severity == SeverityError {
			c.Failure = &junitMessage{Message: f.Message, Text: f.Fix}
			findings.Failures++
		} else {
			c.SystemOut = f.Severity.String() + where(f.Grant)
		}
		findings.Cases = append(findings.Cases, c)
	}
	findings.Tests = len(findings.Cases)
	all := junitSuites{Name: "ucbootstrap audit", Suites: []junitSuite{reqs, findings}}
	for _, s := range all.Suites {
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// FixScript returns the fix as a SQL script: the GRANT and ALTER ... OWNER
// TO statements of [Report.Fix] and, with revoke, the REVOKE statements
// that end the exposure findings.
func (r *Report) FixScript(revoke bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- ucbootstrap: fix for the audit of service principal %s, governance catalog %s, rules %s\n", r.ServicePrincipal, r.Catalog, r.Rules)
	b.WriteString("-- Run as a metastore admin, or as an owner of (or MANAGE holder on) each securable.\n")
	if len(r.Fix) == 0 && (!revoke || len(r.Revoke) == 0) {
		b.WriteString("-- Nothing to fix.\n")
		return b.String()
	}
	if len(r.Fix) > 0 {
		b.WriteString("\n-- Grant what is missing\n")
		for _, s := range r.Fix {
			b.WriteString(s + ";\n")
		}
	}
	if revoke && len(r.Revoke) > 0 {
		b.WriteString("\n-- Revoke what exposes the governance catalog\n")
		for _, s := range r.Revoke {
			b.WriteString(s + ";\n")
		}
	}
	return b.String()
}

// fixStatements returns the fix, with the revokes when asked.
func (r *Report) fixStatements(revoke bool) []string {
	if !revoke {
		return r.Fix
	}
	return append(slices.Clip(r.Fix), r.Revoke...)
}
