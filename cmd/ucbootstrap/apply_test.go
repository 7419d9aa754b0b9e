package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ucbootstrap/ucbootstrap/apply"
	"github.com/ucbootstrap/ucbootstrap/generator"
	"github.com/ucbootstrap/ucbootstrap/internal/emutest"
)

// readRecordFile reads a record file, nil when it is empty or missing.
func readRecordFile(t *testing.T, path string) *apply.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	rec, err := apply.ReadRecord(f)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func count(rec *apply.Record, s apply.State) int {
	n := 0
	if rec != nil {
		for _, st := range rec.Statements {
			if st.State == s {
				n++
			}
		}
	}
	return n
}

// TestApplyKilledAndResumed runs ucbootstrap apply as a child process on
// the emulator, which holds every statement submitted after the first 12
// of the script (accepted, with their IDs, not run); once the record shows
// 12 statements succeeded and the held ones submitted, the child is killed
// (SIGKILL). The record read back has them; resumed, the run attaches to
// the submitted statements instead of submitting them again and runs the
// rest: every statement of the script ran exactly once, and the metastore
// ends as after a run that was never killed.
func TestApplyKilledAndResumed(t *testing.T) {
	w := emutest.New(t, filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml"))
	const done = 12
	w.HoldAfter(1 + done) // the validation's SELECT 1, then the script's first statements
	record := filepath.Join(t.TempDir(), "run.jsonl")
	child := func(args ...string) *exec.Cmd {
		c := exec.Command("ucbootstrap", append([]string{"apply", w.Path, "--insecure-loopback", "--record", record, "--concurrency", "4"}, args...)...)
		c.Env = append(os.Environ(), "DATABRICKS_TOKEN="+emutest.AdminToken)
		return c
	}
	var stderr bytes.Buffer
	c := child()
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var rec *apply.Record
	for {
		rec = readRecordFile(t, record)
		if count(rec, apply.Succeeded) >= done && w.Held() > 0 && count(rec, apply.Submitted) == w.Held() {
			break
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			c.Wait()
			t.Fatalf("the child did not reach %d statements and the held ones: record %+v, %d held\n%s", done, rec, w.Held(), stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the child was not killed: %v", err)
	}
	rec = readRecordFile(t, record)
	submitted := count(rec, apply.Submitted)
	if count(rec, apply.Succeeded) != done || submitted == 0 || rec.End != nil {
		t.Fatalf("the record after the kill: %d succeeded, %d submitted, end %+v", count(rec, apply.Succeeded), submitted, rec.End)
	}
	w.Release()

	var out, errb bytes.Buffer
	c = child("--resume")
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		t.Fatalf("the resumed run: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.HasPrefix(out.String(), "PASS: ") || !strings.Contains(errb.String(), "had succeeded before") || !strings.Contains(errb.String(), "attached to") {
		t.Errorf("the resumed run's output:\n%s%s", out.String(), errb.String())
	}
	s, err := generator.Generate(w.In, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := apply.NewPlan(s, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range plan.Statements {
		if n := w.Executions(st.SQL); n != 1 {
			t.Errorf("statement %d ran %d times, want once: %s", st.Index+1, n, st.SQL)
		}
	}
	fresh := emutest.New(t, filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml"))
	code, _, stderrText := runCLIEnv(t, map[string]string{"DATABRICKS_TOKEN": emutest.AdminToken}, "apply", fresh.Path, "--insecure-loopback", "--record", filepath.Join(t.TempDir(), "fresh.jsonl"))
	if code != 0 {
		t.Fatalf("a run on a fresh emulator: exit %d\n%s", code, stderrText)
	}
	if a, b := fresh.State(), w.State(); a != b {
		t.Errorf("the killed and resumed run ends elsewhere than a run never killed")
	}
}

// runCLIEnv runs the CLI in this process with environment variables set
// for the test.
func runCLIEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	return runCLI(t, args...)
}
