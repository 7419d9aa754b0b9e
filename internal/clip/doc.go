// Package clip shortens the values a message repeats, so that a huge value
// in a payload, a grant listing or a script does not make a huge line: a
// value longer than [Max] bytes is cut at a rune boundary, and a quoted one
// says how long it was.
package clip
