// Package databricks reads the grants and owners of Unity Catalog
// securables from a Databricks workspace through its REST API, for the
// privilege audit of package privileges.
//
// It is a narrow client on net/http, not an SDK: it authenticates with a
// personal access token or with OAuth machine-to-machine credentials
// (golang.org/x/oauth2/clientcredentials), and it makes the few GET calls
// an audit needs — effective and direct permissions, owners, and the
// caller's identity. Requests are retried with exponential backoff on 429
// and 5xx responses (honouring Retry-After), each attempt is bounded by a
// timeout, and cancelling the context stops at once.
//
// [Fetch] asks about the securables that a set of requirements names, each
// once and with bounded concurrency; [WriteDump] and [WriteOwners] write
// what it learned in forms that [listing.Read] and
// [listing.ReadOwners] read back, so that an audit can be repeated
// offline.
//
// Credentials never appear in errors: they are held as
// [ucbootstrap.Secret], and the client sends them only in the
// Authorization header and to the token endpoint.
package databricks
