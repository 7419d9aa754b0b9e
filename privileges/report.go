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
	// Gate says when the audit passes, for the verdict of every format.
	Gate
	// Revoke adds the REVOKE statements that end exposure to the fix, as
	// statements; without it they are shown commented out.
	Revoke bool
}

// Write formats the report: "text" for a person, "json" for programs (the
// [ReportSchema] version, with the verdict and summary of the gate),
// "markdown" for a CI step summary, "junit" with a test case per
// requirement and finding (and a failing one for the verdict when the
// audit fails for a reason no other case shows, such as a partial run). Every format says the
// same: the verdict, what is missing, unverified (and why), exposed, and
// the fix.
func (r *Report) Write(w io.Writer, format string, o WriteOptions) error {
	var err error
	switch format {
	case "text":
		err = r.writeText(w, o)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		verdict := "pass"
		if !r.Passed(o.Gate) {
			verdict = "fail"
		}
		err = enc.Encode(struct {
			*Report
			Verdict string `json:"verdict"`
			Summary string `json:"summary"`
		}{r, verdict, r.Summary(o.Gate)})
	case "markdown":
		err = r.writeMarkdown(w, o)
	case "junit":
		err = r.writeJUnit(w, o.Gate)
	default:
		return fmt.Errorf("privileges: unknown report format %q: use text, json, markdown or junit", format)
	}
	if err != nil {
		return fmt.Errorf("privileges: write %s report: %w", format, err)
	}
	return nil
}

// Summary returns the one-line verdict under the gate: "PASS: 14
// satisfied, 1 unverified" or "FAIL: 2 missing, 1 exposure, ...". It says
// why a report without a missing requirement or an exposure fails: a
// partial run, nothing verified, requirements whose grants could not be
// read. PASS never comes with nothing satisfied.
func (r *Report) Summary(g Gate) string {
	verdict := "PASS"
	if !r.Passed(g) {
		verdict = "FAIL"
	}
	var parts []string
	if n := r.Count(Missing); n > 0 {
		parts = append(parts, fmt.Sprintf("%d missing", n))
	}
	if n := r.Errors(); n > 0 {
		parts = append(parts, plural(n, "exposure", "exposures"))
	}
	if n := r.countSeverity(SeverityWarning); n > 0 {
		parts = append(parts, plural(n, "warning", "warnings"))
	}
	if n := r.countSeverity(SeverityInfo); n > 0 {
		parts = append(parts, fmt.Sprintf("%d info", n))
	}
	parts = append(parts, fmt.Sprintf("%d satisfied", r.Count(Satisfied)))
	if n := r.Count(Unverified); n > 0 {
		u := fmt.Sprintf("%d unverified", n)
		if k := r.countCause(Unverified, CauseUnreadable); k > 0 {
			u += fmt.Sprintf(" (%d unreadable)", k)
		}
		parts = append(parts, u)
	}
	out := verdict + ": " + strings.Join(parts, ", ")
	switch {
	case r.Partial != "":
		out += "; partial: " + r.Partial
	case r.nothingVerified():
		out += "; nothing could be verified"
	case verdict == "FAIL" && r.Count(Missing) == 0 && r.Errors() == 0 && !g.Strict:
		out += "; the grants of some securables could not be read (--allow-unverified lets that pass)"
	}
	return out
}

// countSeverity counts the findings of a severity.
func (r *Report) countSeverity(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
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

func (r *Report) writeText(w io.Writer, o WriteOptions) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n", r.Summary(o.Gate))
	fmt.Fprintf(&b, "service principal %s, governance catalog %s, rules %s, %d grants read\n", r.ServicePrincipal, r.Catalog, r.Rules, r.GrantsRead)
	if r.Partial != "" {
		fmt.Fprintf(&b, "PARTIAL: %s: the securables not asked about are unverified, not missing; audit again for a full report\n", r.Partial)
	}
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
			if f.Fix != "" {
				fmt.Fprintf(&b, "      fix: %s;\n", f.Fix)
			}
		}
	}
	section("UNVERIFIED", r.byStatus(Unverified), false)
	section("SATISFIED", r.byStatus(Satisfied), true)
	if fix := r.fixStatements(o.Revoke); len(fix) > 0 {
		b.WriteString("\nFIX (run as a metastore admin or an owner of each securable)\n")
		for _, s := range fix {
			fmt.Fprintf(&b, "  %s;\n", s)
		}
	}
	if len(r.Revoke) > 0 && !o.Revoke {
		b.WriteString("\nThe REVOKE statements that end the exposure are in the findings; --revoke adds them to the fix.\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdEscape keeps table cells on one line and stops | from splitting them.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (r *Report) writeMarkdown(w io.Writer, o WriteOptions) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## ucbootstrap audit: %s\n\n", mdEscape(r.Summary(o.Gate)))
	fmt.Fprintf(&b, "Service principal `%s`, governance catalog `%s`, rules `%s`, %d grants read.\n", r.ServicePrincipal, r.Catalog, r.Rules, r.GrantsRead)
	if r.Partial != "" {
		fmt.Fprintf(&b, "\n**Partial:** %s: the securables not asked about are unverified, not missing; audit again for a full report.\n", mdEscape(r.Partial))
	}
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
		fmt.Fprintf(&b, "\n### Findings (%d)\n\n| severity | code | finding | fix |\n|---|---|---|---|\n", len(r.Findings))
		for _, f := range r.Findings {
			fix := ""
			if f.Fix != "" {
				fix = "`` " + mdEscape(f.Fix) + " ``"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Severity, f.Code, mdEscape(f.Message+where(f.Grant)), fix)
		}
	}
	table("Unverified", r.byStatus(Unverified))
	if fix := r.fixStatements(o.Revoke); len(fix) > 0 {
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

func (r *Report) writeJUnit(w io.Writer, g Gate) error {
	reqs := junitSuite{Name: "requirements"}
	for _, res := range r.Results {
		c := junitCase{Name: res.Requirement.String(), Classname: "ucbootstrap.audit." + strings.ReplaceAll(string(res.Who), " ", "_")}
		msg := &junitMessage{Message: res.How, Text: res.Reason}
		switch {
		case res.Status == Missing, res.Status == Unverified && (g.Strict || res.Cause == CauseUnreadable && !g.AllowUnverified):
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
	// A report that fails for a reason no case shows (a partial run,
	// nothing verified) fails in JUnit too, with a case for the verdict.
	if !r.Passed(g) && reqs.Failures == 0 && r.Errors() == 0 {
		reqs.Cases = append(reqs.Cases, junitCase{Name: "verdict", Classname: "ucbootstrap.audit.verdict",
			Failure: &junitMessage{Message: r.Summary(g), Text: r.Partial}})
		reqs.Failures++
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
			if f.Fix != "" {
				c.SystemOut += " fix: " + f.Fix
			}
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
// TO statements of [Report.Fix], and the REVOKE statements that end the
// exposure findings, each under the finding it ends: as statements with
// o.Revoke, commented out otherwise. It says what it cannot fix: a
// securable that does not exist, a partial run, requirements it could not
// verify. It says "Nothing to fix." only for an audit that passes.
func (r *Report) FixScript(o WriteOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- ucbootstrap: fix for the audit of service principal %s, governance catalog %s, rules %s\n", comment(r.ServicePrincipal), comment(r.Catalog), r.Rules)
	b.WriteString("-- Run as a metastore admin, or as an owner of (or MANAGE holder on) each securable.\n")
	fmt.Fprintf(&b, "-- Verdict: %s\n", comment(r.Summary(o.Gate)))
	if r.Partial != "" {
		fmt.Fprintf(&b, "-- The run was partial (%s): audit again for the whole fix.\n", comment(r.Partial))
	}
	if len(r.Fix) > 0 {
		b.WriteString("\n-- Grant what is missing\n")
		for _, s := range r.Fix {
			b.WriteString(s + ";\n")
		}
	}
	var absent []string
	for _, res := range r.Results {
		if res.Status == Missing && res.Cause == CauseNotFound && !slices.Contains(absent, res.How) {
			absent = append(absent, res.How)
		}
	}
	if len(absent) > 0 {
		b.WriteString("\n-- Missing, and nothing can be granted: check the names in the payload, or create them\n")
		for _, why := range absent {
			fmt.Fprintf(&b, "-- %s\n", comment(why))
		}
	}
	exposures := 0
	for _, f := range r.Findings {
		if f.Code == CodeExposure && f.Fix != "" {
			exposures++
		}
	}
	if exposures > 0 {
		if o.Revoke {
			b.WriteString("\n-- Revoke what exposes the governance catalog\n")
		} else {
			b.WriteString("\n-- Revoke what exposes the governance catalog: uncomment the REVOKE statements, or audit with --revoke\n")
		}
		seen := map[string]bool{}
		for _, f := range r.Findings {
			if f.Code != CodeExposure || f.Fix == "" || seen[f.Fix] {
				continue
			}
			seen[f.Fix] = true
			fmt.Fprintf(&b, "-- exposure: %s\n", comment(f.Message))
			if o.Revoke {
				b.WriteString(f.Fix + ";\n")
			} else {
				b.WriteString(commentOut(f.Fix + ";"))
			}
		}
	}
	if unverified := r.Count(Unverified); unverified > 0 && !r.Passed(o.Gate) {
		fmt.Fprintf(&b, "\n-- %d requirement(s) could not be verified: see the report\n", unverified)
	}
	if len(r.Fix) == 0 && len(absent) == 0 && exposures == 0 && r.Passed(o.Gate) {
		b.WriteString("-- Nothing to fix.\n")
	}
	return b.String()
}

// commentOut turns a statement into comment lines, every line of it: a
// quoted identifier may hold a line break.
func commentOut(stmt string) string {
	lines := strings.FieldsFunc(strings.ReplaceAll(stmt, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("-- " + l + "\n")
	}
	return b.String()
}

// comment makes s safe in a one-line SQL comment: a line break or control
// character (a principal may be named anything) would end the comment.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}

// fixStatements returns the fix, with the revokes when asked.
func (r *Report) fixStatements(revoke bool) []string {
	if !revoke {
		return r.Fix
	}
	return append(slices.Clip(r.Fix), r.Revoke...)
}
