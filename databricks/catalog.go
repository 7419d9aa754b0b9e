package databricks

import (
	"context"
	"net/url"

	"github.com/ucbootstrap/ucbootstrap/privileges"
)

// CatalogInfo is what GET /api/2.1/unity-catalog/catalogs/{name} says of a
// catalog.
type CatalogInfo struct {
	Name    string `json:"name"`
	Owner   string `json:"owner"`
	Comment string `json:"comment"`
}

// Catalog describes the catalog called name. A catalog that does not exist
// is an *[APIError] for which NotFound is true; one the caller may not see
// is one for which Forbidden is true.
func (c *Client) Catalog(ctx context.Context, name string) (*CatalogInfo, error) {
	var info CatalogInfo
	sec := privileges.NewSecurable(privileges.Catalog, name)
	if err := c.get(ctx, ucPath+"catalogs/"+url.PathEscape(sec.Name), nil, sec, &info); err != nil {
		return nil, err
	}
	return &info, nil
}
