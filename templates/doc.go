// Package templates holds the embedded *.sql.tmpl files that format the
// generator's scripts, and the hermetic function map they run with.
//
// Templates only format: the generator decides which statements exist and
// in which order, and hands the templates a view model of sorted slices and
// plain strings. The function map is an explicit allow-list of
// github.com/Masterminds/sprig/v3 functions (no clock, randomness, crypto,
// environment or map-order functions) plus ident, lit and comment, which
// quote identifiers, escape literals and sanitise comment text; output is
// therefore a pure function of the input.
package templates
