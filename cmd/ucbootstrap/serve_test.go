package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestServeScripts runs testdata/serve/*.txtar: ucbootstrap serve started
// as a process, called with real curl in the form of the vendor's
// examples, with the workspace emulator (cmd/ucemu, built here and put on
// the scripts' PATH) as the workspace. Scripts that need an applier run
// only when serveBackends provides one: the condition [applier].
func TestServeScripts(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil && os.Getenv("CI") == "" {
		t.Skip("no curl on this machine; CI installs it")
	}
	bin := buildUcemu(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "serve"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"envfile":    cmdEnvfile,
			"envsubst":   cmdEnvsubst,
			"envre":      cmdEnvre,
			"freeport":   cmdFreeport,
			"waitstatus": cmdWaitStatus,
			"exitcode":   cmdExitcode,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "validator", "applier":
				v, a := serveBackends(backendOptions{insecureLoopback: true})
				return cond == "validator" && v != nil || cond == "applier" && a != nil, nil
			}
			return false, nil
		},
	})
}

// buildUcemu builds the workspace emulator into a directory of its own and
// returns the directory.
func buildUcemu(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the serve scripts build cmd/ucemu: %v", err)
	}
	dir := t.TempDir()
	out, err := exec.Command(goCmd, "build", "-o", filepath.Join(dir, "ucemu"), "github.com/ucbootstrap/ucbootstrap/cmd/ucemu").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/ucemu: %v\n%s", err, out)
	}
	return dir
}

// cmdEnvfile waits (up to 30s) for a file and sets a variable to its
// content, trimmed; when that is HOST:PORT or a URL with a port, VAR_PORT
// is set to the port:
//
//	envfile VAR FILE
func cmdEnvfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile VAR FILE")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(ts.MkAbs(args[1]))
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			v := strings.TrimSpace(string(b))
			ts.Setenv(args[0], v)
			hostport := v
			if u, err := url.Parse(v); err == nil && u.Host != "" {
				hostport = u.Host
			}
			if _, port, err := net.SplitHostPort(hostport); err == nil {
				ts.Setenv(args[0]+"_PORT", port)
			}
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("envfile: %s did not appear: %v", args[1], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdEnvsubst writes a file with the $VARs of another expanded, the
// VAR=VALUE arguments first:
//
//	envsubst IN OUT [VAR=VALUE...]
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: envsubst IN OUT [VAR=VALUE...]")
	}
	set := map[string]string{}
	for _, a := range args[2:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("envsubst: %q is not VAR=VALUE", a)
		}
		set[k] = v
	}
	lookup := func(k string) string {
		if v, ok := set[k]; ok {
			return v
		}
		return ts.Getenv(k)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(os.Expand(ts.ReadFile(args[0]), lookup)), 0o644))
}

// cmdEnvre sets a variable to the first submatch of a regular expression
// in a file:
//
//	envre VAR FILE REGEXP
func cmdEnvre(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: envre VAR FILE REGEXP")
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile(args[1]))
	if len(m) < 2 {
		ts.Fatalf("envre: no match of %s in %s", args[2], args[1])
	}
	ts.Setenv(args[0], m[1])
}

// cmdFreeport sets a variable to a free port of 127.0.0.1, for a process
// whose port must be known before it starts (the emulator: the payload,
// and the fingerprint of its setup script, name the port):
//
//	freeport VAR
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ts.Check(ln.Close())
	ts.Setenv(args[0], port)
}

// cmdWaitStatus polls GET $HOST/integrations/ID/status with $KEY until the
// status is STATUS (up to 60s):
//
//	waitstatus ID STATUS
func cmdWaitStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitstatus ID STATUS")
	}
	deadline := time.Now().Add(60 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		req, err := http.NewRequest("GET", "http://"+ts.Getenv("HOST")+"/integrations/"+args[0]+"/status", nil)
		ts.Check(err)
		req.Header.Set("Authorization", ts.Getenv("KEY"))
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			var body struct{ Status string }
			json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			if last = body.Status; last == args[1] {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("waitstatus: integration %s is %q, not %s", args[0], last, args[1])
}
