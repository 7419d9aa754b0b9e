// Package suggest finds the nearest of a few known words to a misspelt one,
// for "did you mean" hints.
package suggest
