// Package liveaudit audits an integration's service principal against its
// live workspace, by one of two paths: the REST path asks the Unity
// Catalog API about each securable (two calls or more per securable), the
// warehouse path queries the information_schema views of the payload's SQL
// warehouse in a handful of statements. Both give the same facts to
// privileges.Audit, and the same report: the same grants ([Grants]), with
// privileges spelt alike (as the REST API spells them, USE_CATALOG); [Fetch] picks the path by what the payload allows
// (a warehouse in httpPath) and says which ran.
package liveaudit
