package lint

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// HelpURL is the page that documents every rule; a rule's URL is HelpURL
// followed by "#" and its code in lower case.
const HelpURL = "https://github.com/ucbootstrap/ucbootstrap/blob/main/lint/README.md"

func rule(code, name, doc string, run func(*Pass)) *Rule {
	return &Rule{Code: code, Name: name, Doc: doc, URL: HelpURL + "#" + strings.ToLower(code), Run: run}
}

// rules is the registry, in code order. A code is never reused.
var rules = []*Rule{
	rule("UCB001", "syntax", "script does not parse", runSyntax),
	rule("UCB002", "missingobject", "governance object no longer created", runMissingObject),
	rule("UCB003", "missinggrant", "service principal lacks a privilege it needs", runMissingGrant),
	rule("UCB004", "exposure", "governance catalog granted to another principal", runExposure),
	rule("UCB005", "ownership", "ownership not handed over, or handed over too early", runOwnership),
	rule("UCB006", "systemschema", "ineffective USE SCHEMA on the system catalog", runSystemSchema),
	rule("UCB007", "legacyprivilege", "legacy privilege name", runLegacyPrivilege),
	rule("UCB008", "workspacegroup", "grant to a workspace-local group", runWorkspaceGroup),
	rule("UCB009", "displayname", "service principal named by display name", runDisplayName),
	rule("UCB010", "inapplicable", "privilege does not apply to its securable", runInapplicable),
	rule("UCB011", "location", "storage location is not a cloud storage URI", runLocation),
	rule("UCB012", "destructive", "drop or revoke that breaks enforcement", runDestructive),
	rule("UCB013", "catalogguard", "catalog guard removed or changed", runCatalogGuard),
	rule("UCB014", "catalogname", "catalog name differs from the payload", runCatalogName),
	rule("UCB015", "samples", "grant or revoke on the read-only samples catalog", runSamples),
	rule("UCB016", "cleanup", "cleanup script no longer cleans up", runCleanup),
	rule("UCB017", "editchange", "edit no longer makes a change it calls for", runEditChange),
}

// Rules returns the rules, in code order. The caller must not modify them.
func Rules() []*Rule { return rules }

// Lookup returns the rule with the given code, or nil.
func Lookup(code string) *Rule {
	for _, r := range rules {
		if r.Code == code {
			return r
		}
	}
	return nil
}

var (
	codeRx = regexp.MustCompile(`^UCB[0-9]{3}$`)
	nameRx = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
)

// Validate checks a rule list: every code of the form UCB001 and unique,
// every name a lower-case identifier and unique, every Doc one line under
// 60 characters that does not start with a capital letter and has no
// final period, every URL [HelpURL]#code in lower case, and every Run set.
func Validate(list []*Rule) error {
	var errs []error
	codes, names := map[string]bool{}, map[string]bool{}
	for i, r := range list {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("lint: rule %d (%s): %s", i, r.Code, fmt.Sprintf(format, args...)))
		}
		if !codeRx.MatchString(r.Code) {
			bad("code %q is not of the form UCB001", r.Code)
		}
		if codes[r.Code] {
			bad("duplicate code")
		}
		codes[r.Code] = true
		if !nameRx.MatchString(r.Name) {
			bad("name %q is not a lower-case identifier", r.Name)
		}
		if names[r.Name] {
			bad("duplicate name %q", r.Name)
		}
		names[r.Name] = true
		switch d := r.Doc; {
		case d == "" || strings.ContainsAny(d, "\n\r"):
			bad("doc must be one line")
		case len(d) >= 60:
			bad("doc %q is 60 characters or more", d)
		case strings.HasSuffix(d, "."):
			bad("doc %q ends with a period", d)
		case unicode.IsUpper(rune(d[0])):
			bad("doc %q starts with a capital", d)
		}
		if want := HelpURL + "#" + strings.ToLower(r.Code); r.URL != want {
			bad("URL %q, want %q", r.URL, want)
		}
		if r.Run == nil {
			bad("no Run function")
		}
	}
	return errors.Join(errs...)
}
