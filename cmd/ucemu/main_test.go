package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/validation"
)

const (
	exampleToken = "dapi0000000000000000000000000000example"
	exampleSP    = "6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"
)

// syncBuffer is a bytes.Buffer safe for the goroutine that runs ucemu.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs ucemu with args until the test ends, and returns its URL.
func start(t *testing.T, args ...string) (url string, stdout *syncBuffer, wait func() int) {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--ready-file", ready}, args...), stdout, stderr)
	}()
	var once sync.Once
	code := 0
	wait = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			t.Cleanup(func() { wait() })
			return strings.TrimSpace(string(b)), stdout, wait
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("ucemu exited with %d: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("ucemu did not start")
		}
	}
}

// The example of the README: seeded from the listings of examples/emulator,
// and set up by the bootstrap script generated for its payload (run as
// the metastore admin), the emulator passes every validation test of the
// payload.
func TestExampleValidates(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "emulator")
	data, err := os.ReadFile(filepath.Join(dir, "payload.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := ucbootstrap.Decode("payload.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := generator.Generate(in, generator.SetupKind(in))
	if err != nil {
		t.Fatal(err)
	}
	sql, err := sc.SQL()
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := filepath.Join(t.TempDir(), "bootstrap.sql")
	if err := os.WriteFile(bootstrap, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	url, stdout, wait := start(t, "--token", exampleToken+"="+exampleSP, "--metastore-admin", "admin@example.com",
		"--warehouse", "8a1b2c3d4e5f6a7b", "--system-schema", "access=ENABLE_COMPLETED",
		"--grants", filepath.Join(dir, "grants.csv"), "--owners", filepath.Join(dir, "owners.csv"),
		"--setup", bootstrap)
	// The payload names port 8765; every dial reaches this emulator.
	addr := strings.TrimPrefix(url, "http://")
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}}
	res, err := validation.Run(context.Background(), in, validation.Options{InsecureLoopback: true, HTTPClient: hc, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != validation.Passed {
		var b bytes.Buffer
		res.WriteText(&b)
		t.Errorf("the example does not validate:\n%s", b.String())
	}
	if code := wait(); code != 0 || !strings.Contains(stdout.String(), "ucemu: serving a stand-in workspace at "+url) || !strings.Contains(stdout.String(), "ucemu: stopped after") {
		t.Errorf("exit %d, stdout %q", code, stdout.String())
	}
}

func TestUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.sql")
	if err := os.WriteFile(bad, []byte("CREATE CATALOG c;\n\nCREATE SCHEMA nope.s;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "10.0.0.1:8765"}, "is not a loopback address"},
		{[]string{"--addr", "127.0.0.1:0", "--token", "abc"}, `--token "abc": want KEY=VALUE`},
		{[]string{"--addr", "127.0.0.1:0", "--setup", bad}, "--setup needs --setup-as"},
		{[]string{"--addr", "127.0.0.1:0", "--metastore-admin", "a@example.com", "--setup", bad}, "bad.sql:3:1: [NO_SUCH_CATALOG_EXCEPTION]"},
		{[]string{"--addr", "127.0.0.1:0", "--grants", "nope.csv"}, "nope.csv"},
		{[]string{"--addr", "127.0.0.1:0", "--fail", "/x=abc"}, "want PREFIX=STATUS:N"},
		{[]string{"--addr", "127.0.0.1:0", "extra"}, `unexpected argument "extra"`},
		{[]string{"--nope"}, "flag provided but not defined"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}
