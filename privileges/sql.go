package privileges

import (
	"strings"

	"github.com/ucbootstrap/ucbootstrap/internal/sqltext"
)

// GrantSQL returns the GRANT statement of privs on on to principal,
// without a semicolon: the one place that prints a GRANT. Privileges are
// written as SQL spells them ("USE CATALOG"), every name part and the
// principal back-quoted.
func GrantSQL(privs []Privilege, on Securable, principal string) string {
	return "GRANT " + privilegeList(privs) + " ON " + on.SQL() + " TO " + sqltext.Ident(principal)
}

// RevokeSQL returns the REVOKE statement of privs on on from principal,
// without a semicolon.
func RevokeSQL(privs []Privilege, on Securable, principal string) string {
	return "REVOKE " + privilegeList(privs) + " ON " + on.SQL() + " FROM " + sqltext.Ident(principal)
}

// OwnerSQL returns the ALTER ... OWNER TO statement that hands on to
// principal, without a semicolon.
func OwnerSQL(on Securable, principal string) string {
	return "ALTER " + on.SQL() + " OWNER TO " + sqltext.Ident(principal)
}

func privilegeList(privs []Privilege) string {
	names := make([]string, len(privs))
	for i, p := range privs {
		names[i] = p.SQL()
	}
	return strings.Join(names, ", ")
}
