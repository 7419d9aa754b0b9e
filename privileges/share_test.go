package privileges_test

import (
	"strings"
	"testing"

	. "github.com/ucbootstrap/ucbootstrap/privileges"
)

// TestShareGrantsAreFindings checks that grants of shares to recipients
// (information_schema.share_recipient_privileges, SHOW GRANTS ON SHARE)
// are reported once, as share grants no requirement uses, and are not
// matched, rejected or reported as anything else.
func TestShareGrantsAreFindings(t *testing.T) {
	reqs, err := Required(payload(t, "  dataSources: [main.sales]\n", false))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(reqs, seq(
		Grant{Principal: "other_org", Privilege: "SELECT", On: SecurableOf(Share, "sales_share"), Pos: Position{File: "s.csv", Line: 3}},
		Grant{Principal: "", Privilege: "SELECT", On: SecurableOf(Share, "data1"), Pos: Position{File: "s.csv", Line: 2}},
	), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	var found []Finding
	for _, f := range rep.Findings {
		found = append(found, f)
	}
	if len(found) != 1 || found[0].Code != CodeShareGrant || found[0].Severity != SeverityInfo ||
		!strings.Contains(found[0].Message, "2 share grant(s)") || !strings.Contains(found[0].Message, "s.csv:2") {
		t.Errorf("findings = %+v, want one %s finding of 2 grants, first at s.csv:2", found, CodeShareGrant)
	}
}
