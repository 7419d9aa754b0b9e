package clip

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Max is the number of bytes of a value that a message repeats.
const Max = 80

// Quote returns s quoted as strconv.Quote quotes it, cut to Max bytes with
// an ellipsis and the full length when it is longer.
func Quote(s string) string {
	if len(s) <= Max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:at(s)]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// Text returns s cut as Quote cuts it, without quotes.
func Text(s string) string {
	if len(s) <= Max {
		return s
	}
	return s[:at(s)] + "..."
}

// Args returns args with every string longer than Max cut by Text, for a
// format whose verbs (%q, %s) quote or print them.
func Args(args []any) []any {
	out, copied := args, false
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > Max {
			if !copied {
				out, copied = append([]any(nil), args...), true
			}
			out[i] = Text(s)
		}
	}
	return out
}

// at returns where a long s is cut: Max bytes, back to a rune boundary.
func at(s string) int {
	n := Max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
