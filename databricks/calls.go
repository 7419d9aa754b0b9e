package databricks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

// ucPath is the root of the Unity Catalog API.
const ucPath = "/api/2.1/unity-catalog/"

// maxPages bounds the pages of one listing, against a server that never
// stops handing out page tokens.
const maxPages = 100000

// restType returns the securable type as the permissions endpoints spell
// it in their path: lower case, with underscores.
func restType(t privileges.SecurableType) string {
	switch t {
	case privileges.View, privileges.MaterializedView:
		return "table"
	case privileges.ServiceCredential:
		return "credential"
	}
	return strings.ToLower(strings.ReplaceAll(string(t), " ", "_"))
}

// escapeName returns the full name with each part path-escaped.
func escapeName(s privileges.Securable) string {
	parts := s.Parts()
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, ".")
}

// MetastoreID returns the ID of the metastore assigned to the workspace
// (GET /api/2.1/unity-catalog/current-metastore-assignment), which the
// permissions endpoints take as the metastore's full name. It is fetched
// once and remembered.
func (c *Client) MetastoreID(ctx context.Context) (string, error) {
	c.meta.mu.Lock()
	id := c.meta.id
	c.meta.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var resp struct {
		MetastoreID string `json:"metastore_id"`
	}
	if err := c.get(ctx, ucPath+"current-metastore-assignment", nil, privileges.Securable{}, &resp); err != nil {
		return "", err
	}
	if resp.MetastoreID == "" {
		return "", fmt.Errorf("databricks: the workspace has no metastore assigned")
	}
	c.meta.mu.Lock()
	c.meta.id = resp.MetastoreID
	c.meta.mu.Unlock()
	return resp.MetastoreID, nil
}

// securablePath returns "{type}/{full_name}" of a permissions endpoint.
func (c *Client) securablePath(ctx context.Context, s privileges.Securable) (string, error) {
	if s.Type == privileges.Metastore {
		id, err := c.MetastoreID(ctx)
		if err != nil {
			return "", err
		}
		return "metastore/" + url.PathEscape(id), nil
	}
	if s.Name == "" {
		return "", fmt.Errorf("databricks: %s has no name", s.Type)
	}
	return restType(s.Type) + "/" + escapeName(s), nil
}

// A restPrivilege is a privilege of a permissions response: a string, or
// an effective-permissions object.
type restPrivilege struct {
	Privilege         string `json:"privilege"`
	InheritedFromType string `json:"inherited_from_type,omitempty"`
	InheritedFromName string `json:"inherited_from_name,omitempty"`
}

// UnmarshalJSON reads a string or an object.
func (p *restPrivilege) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		*p = restPrivilege{}
		return json.Unmarshal(b, &p.Privilege)
	}
	type plain restPrivilege
	return json.Unmarshal(b, (*plain)(p))
}

type permissionsPage struct {
	Assignments []struct {
		Principal  string          `json:"principal"`
		Privileges []restPrivilege `json:"privileges"`
	} `json:"privilege_assignments"`
	NextPageToken string `json:"next_page_token"`
}

// EffectivePermissions returns the grants that hold on s, inherited ones
// included (GET /api/2.1/unity-catalog/effective-permissions/{type}/{name}),
// reading every page. An inherited grant has [privileges.Grant.InheritedFrom]
// set; a grant to a deleted principal has an empty Principal. The order is
// the server's.
func (c *Client) EffectivePermissions(ctx context.Context, s privileges.Securable) ([]privileges.Grant, error) {
	return c.permissions(ctx, "effective-permissions/", s)
}

// Permissions returns the grants made directly on s (GET
// /api/2.1/unity-catalog/permissions/{type}/{name}), reading every page.
func (c *Client) Permissions(ctx context.Context, s privileges.Securable) ([]privileges.Grant, error) {
	return c.permissions(ctx, "permissions/", s)
}

func (c *Client) permissions(ctx context.Context, endpoint string, s privileges.Securable) ([]privileges.Grant, error) {
	sp, err := c.securablePath(ctx, s)
	if err != nil {
		return nil, err
	}
	path := ucPath + endpoint + sp
	// max_results=0 asks the server to page with its own page size; left
	// out, the server returns everything at once, which it may stop doing.
	q := url.Values{"max_results": {"0"}}
	var grants []privileges.Grant
	seen := map[string]bool{}
	for range maxPages {
		var page permissionsPage
		if err := c.get(ctx, path, q, s, &page); err != nil {
			return grants, err
		}
		for _, a := range page.Assignments {
			for _, p := range a.Privileges {
				g, err := grantOf(a.Principal, s, p)
				if err != nil {
					return grants, err
				}
				grants = append(grants, g)
			}
		}
		// A page may be empty and still carry a token: only its absence
		// ends the listing.
		if page.NextPageToken == "" {
			return grants, nil
		}
		if seen[page.NextPageToken] {
			return grants, fmt.Errorf("databricks: %s: the server repeated page token %q", s, page.NextPageToken)
		}
		seen[page.NextPageToken] = true
		q.Set("page_token", page.NextPageToken)
	}
	return grants, fmt.Errorf("databricks: %s: more than %d pages", s, maxPages)
}

// grantOf returns the grant of one privilege of a REST assignment, as
// listing.Read reads it.
func grantOf(principal string, on privileges.Securable, p restPrivilege) (privileges.Grant, error) {
	g, err := listing.RESTGrant(principal, on, p.Privilege, p.InheritedFromType, p.InheritedFromName)
	if err != nil {
		return g, fmt.Errorf("databricks: %w", err)
	}
	return g, nil
}

// ownerPath returns the path of the GET endpoint that describes s.
func (c *Client) ownerPath(ctx context.Context, s privileges.Securable) (string, error) {
	var coll string
	switch s.Type {
	case privileges.Metastore:
		id, err := c.MetastoreID(ctx)
		if err != nil {
			return "", err
		}
		return ucPath + "metastores/" + url.PathEscape(id), nil
	case privileges.Catalog:
		coll = "catalogs/"
	case privileges.Schema:
		coll = "schemas/"
	case privileges.Table, privileges.View, privileges.MaterializedView:
		coll = "tables/"
	case privileges.Volume:
		coll = "volumes/"
	case privileges.Function:
		coll = "functions/"
	case privileges.ExternalLocation:
		coll = "external-locations/"
	case privileges.StorageCredential, privileges.ServiceCredential:
		coll = "credentials/"
	case privileges.Connection:
		coll = "connections/"
	case privileges.Share:
		coll = "shares/"
	default:
		return "", fmt.Errorf("databricks: no owner endpoint for %s", s.Type)
	}
	if s.Name == "" {
		return "", fmt.Errorf("databricks: %s has no name", s.Type)
	}
	return ucPath + coll + escapeName(s), nil
}

// Owner returns the owner of s, as GET /api/2.1/unity-catalog/catalogs/{name}
// (schemas/{full_name}, tables/{full_name} and so on) reports it.
func (c *Client) Owner(ctx context.Context, s privileges.Securable) (string, error) {
	path, err := c.ownerPath(ctx, s)
	if err != nil {
		return "", err
	}
	var resp struct {
		Owner string `json:"owner"`
	}
	if err := c.get(ctx, path, nil, s, &resp); err != nil {
		return "", err
	}
	return resp.Owner, nil
}

// Me returns the caller as grants name it (GET
// /api/2.0/preview/scim/v2/Me): the application ID of a service principal,
// or the user name of a user.
func (c *Client) Me(ctx context.Context) (string, error) {
	var resp struct {
		UserName      string `json:"userName"`
		ApplicationID string `json:"applicationId"`
	}
	if err := c.get(ctx, "/api/2.0/preview/scim/v2/Me", nil, privileges.Securable{}, &resp); err != nil {
		return "", err
	}
	if resp.ApplicationID != "" {
		return resp.ApplicationID, nil
	}
	if resp.UserName == "" {
		return "", fmt.Errorf("databricks: SCIM Me names neither a user nor a service principal")
	}
	return resp.UserName, nil
}
