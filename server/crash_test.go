package server

// The crash test: a server process is killed (SIGKILL) while an
// integration is creating; a new server process on the same store takes
// the job over when the lease expires and resumes it from its checkpoint.
//
// The applier here is the test double (a statement counter as its ledger,
// on a workspace that is a file of executed statements). It proves the
// lease take-over and the checkpoint hand-over between processes; the
// apply package's ledger (a statement ID attached to again after a kill
// between submission and end) is TestCrashApply's, with the real applier
// and the workspace emulator.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/server/store"
	"github.com/ucbootstrap/ucbootstrap/server/store/storetest"
)

// fileWorkspace appends each executed statement to a file, synced, so that
// what a killed process ran survives it.
type fileWorkspace struct{ path string }

func (w fileWorkspace) exec(sql string) {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strconv.Quote(sql) + "\n"); err != nil {
		panic(err)
	}
	if err := f.Sync(); err != nil {
		panic(err)
	}
}

func (w fileWorkspace) lines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(w.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s, err := strconv.Unquote(sc.Text())
		if err != nil {
			t.Fatalf("workspace file: %v", err)
		}
		out = append(out, s)
	}
	return out
}

// TestCrashHelper is the server process of TestCrash; it does nothing in
// a normal test run.
func TestCrashHelper(t *testing.T) {
	dsn := os.Getenv("UCB_CRASH_STORE")
	if dsn == "" {
		return
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blockAt, _ := strconv.Atoi(os.Getenv("UCB_CRASH_BLOCK_AT"))
	failAt, _ := strconv.Atoi(os.Getenv("UCB_CRASH_FAIL_AT"))
	app := &fakeApplier{ws: fileWorkspace{os.Getenv("UCB_CRASH_WORKSPACE")}, failAt: failAt, blockAt: blockAt,
		block: func(ctx context.Context) { select {} }} // until the parent kills this process
	srv, err := New(ctx, Config{
		Store: st, Keys: testRing(t), Validator: &fakeValidator{}, Applier: app,
		LeaseTTL: 3 * time.Second, PollInterval: 50 * time.Millisecond, Owner: os.Getenv("UCB_CRASH_OWNER"),
	})
	if err != nil {
		t.Fatal(err)
	}
	serveForParent(t, srv)
}

// serveForParent starts srv's jobs and serves its API on a loopback port,
// which it writes to the file UCB_CRASH_ADDR names, until the parent test
// kills the process.
func serveForParent(t *testing.T, srv *Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if err := os.WriteFile(os.Getenv("UCB_CRASH_ADDR"), []byte(ln.Addr().String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Fatal(srv.HTTPServer("").Serve(ln))
}

// crashServer runs TestCrashHelper in a new process.
type crashServer struct {
	cmd  *exec.Cmd
	addr string
}

func startCrashServer(t *testing.T, dsn, dir, owner string, blockAt, failAt int) *crashServer {
	t.Helper()
	return startHelper(t, "TestCrashHelper", dir, owner,
		"UCB_CRASH_STORE="+dsn,
		"UCB_CRASH_WORKSPACE="+filepath.Join(dir, "workspace"),
		"UCB_CRASH_BLOCK_AT="+strconv.Itoa(blockAt),
		"UCB_CRASH_FAIL_AT="+strconv.Itoa(failAt),
	)
}

// startHelper runs the test function helper in a new process, as the
// server owner, with the environment env, and waits until it listens.
func startHelper(t *testing.T, helper, dir, owner string, env ...string) *crashServer {
	t.Helper()
	addrFile := filepath.Join(dir, owner+".addr")
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), env...), "UCB_CRASH_ADDR="+addrFile, "UCB_CRASH_OWNER="+owner)
	out, err := os.Create(filepath.Join(dir, owner+".log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cs := &crashServer{cmd: cmd}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	waitFor(t, 30*time.Second, owner+" listening", func() bool {
		b, err := os.ReadFile(addrFile)
		cs.addr = string(b)
		return err == nil && len(b) > 0
	})
	return cs
}

func (cs *crashServer) kill(t *testing.T) {
	t.Helper()
	if err := cs.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cs.cmd.Wait()
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the crash test starts processes")
	}
	for _, backend := range storetest.Backends {
		for _, tc := range []struct {
			name   string
			failAt int
			want   store.Status
		}{{"completes", -1, store.Enabled}, {"fails", 5, store.CreateError}} {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				dir := t.TempDir()
				ctx := context.Background()
				dsn, st, key := crashStore(t, backend)
				ws := fileWorkspace{filepath.Join(dir, "workspace")}

				first := startCrashServer(t, dsn, dir, "first", 4, -1)
				postIntegration(t, first.addr, key, tokenPayload(ws1, true))
				// Killed once four statements ran and their checkpoint is saved
				// (the double's ledger cannot tell a statement that ran from one
				// that did not when the kill falls between the two: the apply
				// package's statement ids can, and need their own test).
				waitFor(t, 30*time.Second, "four statements checkpointed", func() bool {
					j, err := st.Job(ctx, 1)
					return err == nil && strings.Contains(string(j.Checkpoint), `{\"next\":4}`)
				})
				if n := len(ws.lines(t)); n != 4 {
					t.Fatalf("%d statements ran before the kill; want 4", n)
				}
				first.kill(t)
				rec, err := st.Get(ctx, 1)
				if err != nil || rec.Status != store.Creating {
					t.Fatalf("after the kill: %+v, %v; want creating", rec, err)
				}
				jobs, _ := st.Jobs(ctx, 1)
				if len(jobs) != 1 || jobs[0].Owner != "first" || jobs[0].Done {
					t.Fatalf("after the kill: jobs %+v; want one held by first", jobs)
				}

				startCrashServer(t, dsn, dir, "second", -1, tc.failAt)
				waitFor(t, 30*time.Second, "the job to finish", func() bool {
					rec, err = st.Get(ctx, 1)
					return err == nil && rec.Status != store.Creating
				})
				if rec.Status != tc.want {
					t.Fatalf("status %s; want %s (error %s)", rec.Status, tc.want, rec.Error)
				}
				// Nothing lost: the record keeps its validation results and
				// its credentials; the job is done, by the second server, at
				// its second attempt.
				if rec.Validation == nil || rec.Config.Token == nil {
					t.Errorf("the record lost its validation results or its token: %+v", rec)
				}
				jobs, _ = st.Jobs(ctx, 1)
				if len(jobs) != 1 || !jobs[0].Done || jobs[0].Owner != "second" || jobs[0].Attempts != 2 {
					t.Errorf("jobs %+v; want one done by second at attempt 2", jobs)
				}
				// No statement that had succeeded ran again.
				bootstrap, _ := generator.Generate(mustDecode(t, tokenPayload(ws1, true)), generator.Bootstrap)
				ran := map[string]int{}
				for _, l := range ws.lines(t) {
					ran[l]++
				}
				last := len(bootstrap.Statements)
				if tc.failAt >= 0 {
					last = tc.failAt
					if !strings.Contains(string(rec.Error), fmt.Sprintf(`"index":%d`, tc.failAt)) {
						t.Errorf("the error does not name statement %d: %s", tc.failAt, rec.Error)
					}
				}
				for i, s := range bootstrap.Statements {
					want := 0
					if i < last {
						want = 1
					}
					if n := ran["1: "+s.SQL]; n != want {
						t.Errorf("statement %d ran %d times; want %d", i, n, want)
					}
				}
			})
		}
	}
}

// crashStore opens the store of backend for a crash test, with an admin
// API key; it is closed when the test ends.
func crashStore(t *testing.T, backend string) (dsn string, st store.Store, key string) {
	t.Helper()
	dsn = storetest.DSN(t, backend)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, _, err = CreateAPIKey(context.Background(), st, "admin", store.Admin)
	if err != nil {
		t.Fatal(err)
	}
	return dsn, st, key
}

// postIntegration posts payload to the server at addr with key, and wants
// 200.
func postIntegration(t *testing.T, addr, key, payload string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+"/integrations", strings.NewReader(payload))
	req.Header.Set("Authorization", key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("POST: %d", res.StatusCode)
	}
}
