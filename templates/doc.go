// Package templates holds the embedded *.sql.tmpl files that format the
// generator's scripts, and the hermetic function map they run with.
//
// Templates only format: the generator decides which statements exist and
// in which order, and hands the templates a view model of sorted slices and
// plain strings. The function map holds ident, lit and comment, which
// quote identifiers, escape literals and sanitise comment text, beside the
// builtins of text/template (printf and the like); no function reads a
// clock, randomness, the environment or a map's order, so the output is a
// pure function of the input.
package templates
