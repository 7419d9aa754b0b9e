package main

import (
	"bytes"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/internal/ucemu"
	"github.com/ucbootstrap/ucbootstrap/privileges"
	"github.com/ucbootstrap/ucbootstrap/privileges/listing"
)

var grantsRead = regexp.MustCompile(`\d+ grants read`)

var updateLive = flag.Bool("update-live", false, "rewrite testdata/live/*.txt from the live audits")

// For each example payload and each of its grant dumps in examples/grants,
// a live audit against an emulator seeded with the dump gives exactly the
// offline audit of the dump (but for the positions of the rows, which a
// live audit does not have), and the golden in testdata/live.
func TestLiveMatchesOfflineForExamples(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	cases, err := filepath.Glob(filepath.Join(root, "grants", "*", "*"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no example grant dumps (%v)", err)
	}
	for _, dir := range cases {
		example, kind := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
		t.Run(example+"/"+kind, func(t *testing.T) {
			payload := examplePayload(t, filepath.Join(root, "payloads", example))
			files, err := filepath.Glob(filepath.Join(dir, "*"))
			if err != nil {
				t.Fatal(err)
			}
			offlineArgs := []string{"audit", payload}
			s := ucemu.New(ucemu.Token("dapi0000000000000000000000000000example", liveSP),
				ucemu.OAuthClient(liveSP, "dose00000000000000000000000000example"), ucemu.Seed(11))
			defer s.Close()
			seedRequired(t, s, payload)
			for _, f := range files {
				if strings.HasPrefix(filepath.Base(f), "owners") {
					offlineArgs = append(offlineArgs, "--owners", f)
					seedOwners(t, s, f)
					continue
				}
				offlineArgs = append(offlineArgs, "--grants", f)
				seedGrants(t, s, f)
			}
			liveCode, live, liveErr := runCLI(t, "audit", pointAt(t, s, payload), "--live", "--insecure-loopback")
			offCode, offline, offErr := runCLI(t, offlineArgs...)
			if liveCode != offCode {
				t.Errorf("exit %d live, %d offline\n%s%s", liveCode, offCode, liveErr, offErr)
			}
			// A live audit reads effective permissions, inherited rows
			// included, so it counts other rows than the dump has; the
			// verdict, results, findings and fix must be the same.
			same := func(s string) string {
				return grantsRead.ReplaceAllString(positions.ReplaceAllString(s, ""), "N grants read")
			}
			if diff := cmp.Diff(same(offline), same(live)); diff != "" {
				t.Errorf("live report differs from the offline one (-offline +live):\n%s", diff)
			}
			golden := filepath.Join("testdata", "live", example+"_"+kind+".txt")
			if *updateLive {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(live), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestLiveMatchesOfflineForExamples -update-live)", err)
			}
			if diff := cmp.Diff(string(want), live); diff != "" {
				t.Errorf("live report differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

var (
	workspaceRE = regexp.MustCompile(`(workspaceUrl"?\s*:\s*"?)[^"\s,]+`)
	portRE      = regexp.MustCompile(`(\bport"?\s*:\s*)\d+`)
	authorityRE = regexp.MustCompile(`(authorityUrl"?\s*:\s*"?)https://[^"\s,]+`)
)

// pointAt writes a copy of the payload file that names the emulator as a
// local stand-in of the workspace (workspaceUrl 127.0.0.1, config.port, an
// http authorityUrl), and returns its path.
func pointAt(t *testing.T, s *ucemu.Server, payload string) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(payload)
	if err != nil {
		t.Fatal(err)
	}
	text := workspaceRE.ReplaceAllString(string(data), "${1}127.0.0.1")
	switch {
	case portRE.MatchString(text):
		text = portRE.ReplaceAllString(text, "${1}"+u.Port())
	case strings.HasSuffix(payload, ".json"):
		text = strings.Replace(text, `"127.0.0.1"`, `"127.0.0.1", "port": `+u.Port(), 1)
	default:
		text = strings.Replace(text, "workspaceUrl: 127.0.0.1", "workspaceUrl: 127.0.0.1\n  port: "+u.Port(), 1)
	}
	text = authorityRE.ReplaceAllString(text, "${1}"+s.URL+ucemu.TokenPath)
	path := filepath.Join(t.TempDir(), filepath.Base(payload))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func examplePayload(t *testing.T, base string) string {
	for _, ext := range []string{".yaml", ".json"} {
		if _, err := os.Stat(base + ext); err == nil {
			return base + ext
		}
	}
	t.Fatalf("no payload %s.yaml or .json", base)
	return ""
}

// seedRequired creates every securable the audit asks about, as a real
// metastore has them whether or not they carry grants.
func seedRequired(t *testing.T, s *ucemu.Server, payload string) {
	data, err := os.ReadFile(payload)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ucbootstrap.Decode(payload, data)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := privileges.Required(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs.List {
		if r.On.Type != privileges.Metastore {
			s.AddSecurable(emuSec(r.On))
		}
	}
	for _, schema := range ucbootstrap.GovernanceSchemas {
		s.AddSecurable(emuSec(privileges.SecurableOf(privileges.Schema, reqs.Catalog, schema)))
	}
}

func seedGrants(t *testing.T, s *ucemu.Server, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for g, err := range listing.Read(file, bytes.NewReader(data)) {
		if err != nil {
			t.Fatal(err)
		}
		if g.Hive || !g.Direct() {
			continue
		}
		s.Grant(g.Principal, string(g.Privilege), emuSec(g.On))
	}
}

func seedOwners(t *testing.T, s *ucemu.Server, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	owners, err := listing.ReadOwners(file, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for sec, o := range owners {
		s.SetOwner(emuSec(sec), o)
	}
}
