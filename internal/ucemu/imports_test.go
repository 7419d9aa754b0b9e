package ucemu

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The emulator's rules are written independently of ucbootstrap's (so that
// a wrong rule shows up as a failing end-to-end test, not as two copies
// agreeing): the package imports, directly or not, no package that holds
// ucbootstrap's rule code (DECISIONS.md, layout). go list reads the module
// already on this machine; GOPROXY=off keeps it off the network.
func TestNoRuleCodeImported(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the package's imports: %v", err)
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}", ".")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	const module = "github.com/ucbootstrap/ucbootstrap/"
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"dbsql") {
		t.Fatalf("go list -deps does not list dbsql, which the emulator parses with: %q", deps)
	}
	for _, dep := range deps {
		for _, banned := range []string{"privileges", "generator", "lint", "templates"} {
			if dep == module+banned || strings.HasPrefix(dep, module+banned+"/") {
				t.Errorf("internal/ucemu imports %s, which holds ucbootstrap's rule code", dep)
			}
		}
	}
}
