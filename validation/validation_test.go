package validation

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/databricks"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/sqlexec"
)

var update = flag.Bool("update", false, "rewrite the want.json and want.txt sections of testdata/*.txtar")

const (
	testAdmin      = "admin@example.com"
	testAdminToken = "dapi-admin-token"
)

// TestGoldens runs each testdata/*.txtar: an emulator set up by its
// "emulator" lines and its "setup.sql" (run as the metastore admin
// admin@example.com, or as the principal of a "-- as P" line, with
// {{script KIND}} standing for the script of that kind generated for the
// payload and {{fingerprint}} for its fingerprint), then the
// validation of its "payload.yaml", whose results must be "want.json" and
// "want.txt". Every address the client dials reaches the emulator, so that
// the payload (and its fingerprint) does not depend on the port.
func TestGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]string{}
			for _, f := range ar.Files {
				sections[f.Name] = string(f.Data)
			}
			in, err := ucbootstrap.Decode("payload.yaml", []byte(sections["payload.yaml"]))
			if err != nil {
				t.Fatalf("payload: %v", err)
			}
			s := emulatorFor(t, in, sections["emulator"], expand(t, in, sections["setup.sql"]))
			res, err := Run(context.Background(), in, testOptions(s))
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.MarshalIndent(res, "", "  ")
			var txt bytes.Buffer
			if err := res.WriteText(&txt); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{"want.json": string(js) + "\n", "want.txt": txt.String()}
			if *update {
				for name, data := range got {
					found := false
					for i := range ar.Files {
						if ar.Files[i].Name == name {
							ar.Files[i].Data, found = []byte(data), true
						}
					}
					if !found {
						ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(data)})
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range []string{"want.json", "want.txt"} {
				if diff := cmp.Diff(sections[name], got[name]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
			}
			if strings.Contains(got["want.json"]+got["want.txt"], in.Config.Token.Reveal()) && in.Config.Token.Reveal() != "" {
				t.Error("the results hold the token")
			}
		})
	}
}

var scriptRE = regexp.MustCompile(`\{\{script ([a-z]+)\}\}`)

// expand replaces {{script KIND}} in a setup script with the script of
// that kind generated for the payload, and {{fingerprint}} with the
// payload's fingerprint.
func expand(t *testing.T, in *ucbootstrap.Integration, setup string) string {
	t.Helper()
	setup = strings.ReplaceAll(setup, "{{fingerprint}}", in.Fingerprint())
	return scriptRE.ReplaceAllStringFunc(setup, func(m string) string {
		kind, err := generator.ParseKind(scriptRE.FindStringSubmatch(m)[1])
		if err != nil {
			t.Fatal(err)
		}
		sc, err := generator.Generate(in, kind)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := sc.SQL()
		if err != nil {
			t.Fatal(err)
		}
		return sql
	})
}

// emulatorFor starts an emulator that knows the payload's token (as the
// service principal), a metastore admin, the warehouse wh and the cluster
// of the test payloads and has the "emulator" lines' options, runs the
// setup script, then injects the lines' faults.
func emulatorFor(t *testing.T, in *ucbootstrap.Integration, lines, setupSQL string) *ucemu.Server {
	t.Helper()
	opts := []ucemu.Option{
		ucemu.MetastoreAdmin(testAdmin), ucemu.Token(testAdminToken, testAdmin),
		ucemu.Warehouse("8a1b2c3d4e5f6a7b", "RUNNING"), ucemu.Cluster("0101-abc123", "RUNNING"), ucemu.StartPolls(1),
	}
	if tok := in.Config.Token.Reveal(); tok != "" && !strings.Contains(lines, "refuse-payload-token") {
		opts = append(opts, ucemu.Token(tok, in.Config.ServicePrincipalID()))
	}
	var later []func(*ucemu.Server)
	for _, line := range strings.Split(lines, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		n := func(i int) int {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				t.Fatalf("emulator line %q: %v", line, err)
			}
			return v
		}
		switch {
		case f[0] == "refuse-payload-token" && len(f) == 1:
		case f[0] == "warehouse" && len(f) == 3:
			opts = append(opts, ucemu.Warehouse(f[1], f[2]))
		case f[0] == "cluster" && len(f) == 3:
			opts = append(opts, ucemu.Cluster(f[1], f[2]))
		case f[0] == "system-schema" && len(f) == 3:
			opts = append(opts, ucemu.SystemSchema(f[1], f[2]))
		case f[0] == "token" && len(f) == 3:
			opts = append(opts, ucemu.Token(f[1], f[2]))
		case f[0] == "member" && len(f) == 3:
			opts = append(opts, ucemu.Member(f[1], f[2]))
		case f[0] == "unassigned" && len(f) == 2:
			k := n(1)
			later = append(later, func(s *ucemu.Server) { s.Unassign(k) })
		case f[0] == "fail" && len(f) >= 4:
			status, count := n(len(f)-2), n(len(f)-1)
			prefix := strings.Join(f[1:len(f)-2], " ")
			later = append(later, func(s *ucemu.Server) { s.Fail(prefix, status, count) })
		case f[0] == "running-polls" && len(f) == 2:
			opts = append(opts, ucemu.RunningPolls(n(1)))
		case f[0] == "fail-statement" && len(f) >= 3:
			count, text := n(1), strings.Join(f[2:], " ")
			later = append(later, func(s *ucemu.Server) { s.FailStatement(text, count) })
		case f[0] == "forbid" && len(f) == 3:
			sec := ucemu.Sec(f[1], f[2])
			later = append(later, func(s *ucemu.Server) { s.Forbid(sec) })
		default:
			t.Fatalf("unknown emulator line %q", line)
		}
	}
	s := ucemu.New(opts...)
	t.Cleanup(s.Close)
	setup(t, s, setupSQL)
	for _, f := range later {
		f(s)
	}
	return s
}

// setup runs the statements of a script on the emulator.
func setup(t *testing.T, s *ucemu.Server, script string) {
	t.Helper()
	if err := s.ExecScript(testAdmin, "setup.sql", []byte(script)); err != nil {
		t.Fatal(err)
	}
}

// testOptions reach the emulator whatever address the payload names, with
// fast polls and retries.
func testOptions(s *ucemu.Server) Options {
	addr := strings.TrimPrefix(s.URL, "http://")
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return Options{
		Getenv:           func(string) string { return "" },
		InsecureLoopback: true,
		HTTPClient:       &http.Client{Transport: tr},
		MetastoreWait:    20 * time.Millisecond,
		pollEvery:        time.Millisecond,
		configure: func(c *databricks.Config) {
			c.MinBackoff, c.MaxBackoff = time.Millisecond, 2*time.Millisecond
		},
		sql: func(o *sqlexec.Options) {
			o.MinPoll, o.MaxPoll, o.MinBackoff, o.MaxBackoff = time.Millisecond, 2*time.Millisecond, time.Millisecond, 2*time.Millisecond
		},
	}
}
