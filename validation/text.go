package validation

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the results for a person: a line per test, "status
// name: message" (with the result of a passed test that has one), then the
// overall status and the count of each status.
func (r *Results) WriteText(w io.Writer) error {
	var b strings.Builder
	counts := map[Status]int{}
	for _, t := range r.ValidationTests {
		counts[t.Status]++
		fmt.Fprintf(&b, "%-8s %s: %s", t.Status, t.Name, t.Message)
		if t.Status == Passed && t.Result != nil && t.Name == ConnectionTest {
			j, _ := json.Marshal(t.Result)
			fmt.Fprintf(&b, " %s", j)
		}
		b.WriteByte('\n')
	}
	var parts []string
	for _, s := range []Status{Passed, Warning, Failed, Skipped} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(&b, "validation %s: %s\n", r.Status, strings.Join(parts, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}
