package diag

import (
	"encoding/json"
	"testing"
)

func TestPositionString(t *testing.T) {
	for _, c := range []struct {
		p    Position
		want string
	}{
		{Position{}, "-"},
		{Position{File: "a.sql"}, "a.sql"},
		{Position{Line: 3, Col: 4}, "3:4"},
		{Position{File: "a.sql", Line: 3}, "a.sql:3"},
		{Position{File: "a.sql", Line: 3, Col: 4, Offset: 40}, "a.sql:3:4"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.p, got, c.want)
		}
	}
}

func TestPositionJSON(t *testing.T) {
	b, err := json.Marshal(Position{File: "g.csv", Line: 2, Col: 5, Offset: 17})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"file":"g.csv","line":2,"col":5}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	b, _ = json.Marshal(Position{File: "g.csv"})
	if got, want := string(b), `{"file":"g.csv"}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{Error, Warning, Info} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%v: round trip gave %v, %v", s, back, err)
		}
	}
	if Error.String() != "error" || Warning.String() != "warning" || Info.String() != "info" {
		t.Error("severity names changed")
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity accepted fatal")
	}
	var zero Severity
	if zero != Error {
		t.Error("the zero Severity must be Error")
	}
}
