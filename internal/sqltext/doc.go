// Package sqltext quotes names and strings for Databricks SQL. Every
// identifier and literal that the generator and the audit emit goes through
// it: [Ident] back-quotes each name part, [Literal] escapes a string, and
// [Comment] makes text safe for a "--" comment line.
package sqltext
