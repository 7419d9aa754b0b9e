// Package databricks reads the grants and owners of Unity Catalog
// securables from a Databricks workspace through its REST API, for the
// privilege audit of package privileges.
//
// It is a narrow client on net/http, not an SDK: it authenticates with a
// personal access token or with OAuth machine-to-machine credentials
// (golang.org/x/oauth2/clientcredentials), and it makes the few GET calls
// an audit needs — effective and direct permissions, owners, and the
// caller's identity. Only what may succeed on retry is retried, with
// exponential backoff: 429 and 5xx responses (honouring Retry-After; not 501
// or 505), reset connections and timeouts. A refused connection, an unknown
// host, an untrusted certificate, plain HTTP where https is expected and an
// HTML page (a login page) fail at once with a message that says what to
// check. Each attempt, the token request included, is bounded by a timeout,
// and cancelling the context stops at once.
//
// The client speaks https. [Config.InsecureLoopback] is the one way to speak
// plain HTTP, to a local stand-in of a workspace (such as the emulator) on a
// loopback address; it is refused for any other host. [Config.Port] (or a
// port in the host) is honoured.
//
// [Fetch] asks about the securables that a set of requirements names, each
// once and with bounded concurrency; [WriteDump] and [WriteOwners] write
// what it learned (the securables it could not describe included) in forms
// that [listing.Read] (with [listing.Failures]) and [listing.ReadOwners]
// read back, so that an audit can be repeated offline with the same report.
//
// Credentials never appear in errors: they are held as
// [ucbootstrap.Secret], the client sends them only in the Authorization
// header and to the token endpoint, and every message from the server is
// cleared of them with [ucbootstrap.Redact] (a server may echo the request).
package databricks
