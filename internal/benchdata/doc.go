// Package benchdata builds the large integrations that benchmarks share, so
// that the generator and the parser are measured on the same input.
package benchdata
