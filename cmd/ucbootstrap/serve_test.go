package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestServeScripts runs testdata/serve/*.txtar: ucbootstrap serve started
// as a process, called with real curl in the form of the vendor's
// examples. Scripts that need a workspace (the validation tests, apply and
// the workspace emulator) run only when serveBackends provides them: the
// condition [backends].
func TestServeScripts(t *testing.T) {
	if _, err := os.Stat("/usr/bin/curl"); err != nil && os.Getenv("CI") == "" {
		t.Skip("no curl on this machine; CI installs it")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "serve"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"envfile":    cmdEnvfile,
			"envsubst":   cmdEnvsubst,
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

// cmdEnvfile waits (up to 30s) for a file and sets a variable to its
// content, trimmed; when that is HOST:PORT, VAR_PORT is set to the port:
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
			if _, port, err := net.SplitHostPort(v); err == nil {
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

// cmdEnvsubst writes a file with the $VARs of another expanded:
//
//	envsubst IN OUT
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envsubst IN OUT")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), 0o644))
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
