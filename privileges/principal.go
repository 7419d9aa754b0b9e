package privileges

import "strings"

// PrincipalKind tells how a principal is named and compared.
type PrincipalKind int

// The kinds of principal.
const (
	// Group is an account group, named by its display name; compared
	// exactly (Unity Catalog group names are case-sensitive).
	Group PrincipalKind = iota
	// User is named by e-mail; compared case-insensitively.
	User
	// ServicePrincipal is named by its application ID, a UUID; compared
	// case-insensitively, as UUIDs are.
	ServicePrincipal
	// AccountUsers is the account-wide group "account users".
	AccountUsers
	// WorkspaceLocal is the workspace-local group "users" or "admins",
	// which cannot hold Unity Catalog grants.
	WorkspaceLocal
	// Deleted is the empty name under which grants to a deleted principal
	// are listed.
	Deleted
)

// isUUID reports whether s is a UUID in its 36-character text form. It is
// written out rather than a regexp because the audit asks it of every row.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// KindOf returns the kind of a principal name as the server spells it.
func KindOf(name string) PrincipalKind {
	switch {
	case strings.TrimSpace(name) == "":
		return Deleted
	case isUUID(name):
		return ServicePrincipal
	case strings.EqualFold(name, "account users"):
		return AccountUsers
	case name == "users" || name == "admins":
		return WorkspaceLocal
	case strings.Contains(name, "@"):
		return User
	}
	return Group
}

// SamePrincipal reports whether a and b name the same principal: users and
// service principals compared case-insensitively, groups exactly.
func SamePrincipal(a, b string) bool {
	if a == b {
		return true
	}
	ka, kb := KindOf(a), KindOf(b)
	if ka != kb {
		return false
	}
	switch ka {
	case User, ServicePrincipal, AccountUsers:
		return strings.EqualFold(a, b)
	}
	return false
}
