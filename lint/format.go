package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/diag"
)

// Formats lists the formats [Write] accepts.
var Formats = []string{"text", "json", "sarif"}

// JSONSchema is the version of the JSON form that [Write] gives.
const JSONSchema = "ucbootstrap.lint/v2"

// Write formats diagnostics: "text" writes one "file:line:col: CODE
// message" line each; "json" an object with the [JSONSchema] version, the
// files linted and the diagnostics; "sarif" a SARIF 2.1.0 log with the
// metadata of every rule and no timestamps. files names the scripts
// linted, in order, for the JSON and SARIF forms.
func Write(w io.Writer, format string, files []string, diags []Diagnostic) error {
	var err error
	switch format {
	case "text":
		for _, d := range diags {
			if _, err = fmt.Fprintln(w, d.String()); err != nil {
				break
			}
		}
	case "json":
		err = encode(w, jsonReport(files, diags))
	case "sarif":
		err = encode(w, sarifLog(files, diags))
	default:
		return fmt.Errorf("lint: unknown format %q: use text, json or sarif", format)
	}
	if err != nil {
		return fmt.Errorf("lint: write %s: %w", format, err)
	}
	return nil
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type jsonDiagnostic struct {
	Pos      diag.Position `json:"pos"`
	End      diag.Position `json:"end"`
	Code     string        `json:"code"`
	Rule     string        `json:"rule"`
	Severity diag.Severity `json:"severity"`
	Message  string        `json:"message"`
	URL      string        `json:"url"`
}

type jsonLint struct {
	Schema      string           `json:"schema"`
	Files       []string         `json:"files"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
}

func jsonReport(files []string, diags []Diagnostic) jsonLint {
	r := jsonLint{Schema: JSONSchema, Files: files, Diagnostics: []jsonDiagnostic{}}
	if r.Files == nil {
		r.Files = []string{}
	}
	for _, d := range diags {
		jd := jsonDiagnostic{Pos: d.Pos, End: d.End,
			Code: d.Code, Severity: d.Severity, Message: d.Message}
		if rule := Lookup(d.Code); rule != nil {
			jd.Rule, jd.URL = rule.Name, rule.URL
		}
		if d.Severity == SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
		r.Diagnostics = append(r.Diagnostics, jd)
	}
	return r
}

// The SARIF 2.1.0 log, as far as code scanning reads it.
type (
	sarif struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool      sarifTool       `json:"tool"`
		Artifacts []sarifArtifact `json:"artifacts"`
		Results   []sarifResult   `json:"results"`
		Columns   string          `json:"columnKind"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string       `json:"id"`
		Name             string       `json:"name"`
		ShortDescription sarifMessage `json:"shortDescription"`
		HelpURI          string       `json:"helpUri"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifArtifact struct {
		Location sarifArtifactLocation `json:"location"`
	}
	sarifArtifactLocation struct {
		URI string `json:"uri"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		Artifact sarifArtifactLocation `json:"artifactLocation"`
		Region   sarifRegion           `json:"region"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
)

func sarifLog(files []string, diags []Diagnostic) sarif {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "ucbootstrap lint", InformationURI: HelpURL}},
		// Columns count bytes, as dbsql positions do; SARIF has no
		// byte column kind, and the scripts are mostly ASCII.
		Columns:   "utf16CodeUnits",
		Artifacts: []sarifArtifact{},
		Results:   []sarifResult{},
	}
	index := map[string]int{}
	for i, r := range Rules() {
		index[r.Code] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: r.Code, Name: r.Name, ShortDescription: sarifMessage{r.Doc}, HelpURI: r.URL})
	}
	for _, f := range files {
		run.Artifacts = append(run.Artifacts, sarifArtifact{sarifArtifactLocation{fileURI(f)}})
	}
	for _, d := range diags {
		level := "error"
		if d.Severity == SeverityWarning {
			level = "warning"
		}
		region := sarifRegion{StartLine: max(d.Pos.Line, 1), StartColumn: max(d.Pos.Col, 1)}
		if d.End.Line > 0 && d.End.Offset > d.Pos.Offset {
			region.EndLine, region.EndColumn = d.End.Line, d.End.Col
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: d.Code, RuleIndex: index[d.Code], Level: level, Message: sarifMessage{d.Message},
			Locations: []sarifLocation{{sarifPhysical{Artifact: sarifArtifactLocation{fileURI(d.Pos.File)}, Region: region}}},
		})
	}
	return sarif{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
}

// fileURI returns a file name as the URI SARIF wants: a relative reference
// with forward slashes and percent-encoding for a relative path ("<stdin>"
// becomes "%3Cstdin%3E"), a file: URI for an absolute one.
func fileURI(name string) string {
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive: file:///C:/...
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}
