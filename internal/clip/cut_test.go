package clip

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{strings.Repeat("x", Max), `"` + strings.Repeat("x", Max) + `"`},
		{strings.Repeat("x", Max+1), `"` + strings.Repeat("x", Max) + `"... (81 bytes)`},
		// A rune that straddles the cut is left out whole.
		{strings.Repeat("x", Max-1) + "é" + "y", `"` + strings.Repeat("x", Max-1) + `"... (82 bytes)`},
	} {
		if got := Quote(c.in); got != c.want {
			t.Errorf("Quote(%d bytes) = %s, want %s", len(c.in), got, c.want)
		}
	}
}

func TestText(t *testing.T) {
	long := strings.Repeat("F", 1<<20)
	if got := Text(long); got != strings.Repeat("F", Max)+"..." {
		t.Errorf("Text of 1 MiB gave %d bytes", len(got))
	}
	if got := Text("short"); got != "short" {
		t.Errorf("Text(short) = %q", got)
	}
}

func TestArgs(t *testing.T) {
	long := strings.Repeat("F", 1000)
	in := []any{"a", long, 3}
	out := Args(in)
	if out[0] != "a" || out[1] != Text(long) || out[2] != 3 {
		t.Errorf("Args = %v", out)
	}
	if in[1] != long {
		t.Error("Args changed its argument")
	}
	if short := []any{"a", 1}; &Args(short)[0] != &short[0] {
		t.Error("Args copied arguments it did not change")
	}
	if len(Args(nil)) != 0 {
		t.Error("Args(nil) is not empty")
	}
}
