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
	w.HoldAfter(emutest.Admin, done) // the script's first statements: the validation runs as the service principal
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
	// A second run on the same record while the child runs is refused
	// before it does anything: the child holds the record's lock.
	code, out, stderrText := runCLIEnv(t, map[string]string{"DATABRICKS_TOKEN": emutest.AdminToken}, "apply", w.Path, "--insecure-loopback", "--record", record, "--deadline", "5s")
	if code != 1 || !strings.Contains(stderrText, "the record "+record+" is in use by another ucbootstrap apply") {
		t.Errorf("a second run on the record: exit %d\n%s%s", code, out, stderrText)
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

	// The killed child's lock went with it: the resumed run opens the
	// record.
	var outb, errb bytes.Buffer
	c = child("--resume")
	c.Stdout, c.Stderr = &outb, &errb
	if err := c.Run(); err != nil {
		t.Fatalf("the resumed run: %v\n%s%s", err, outb.String(), errb.String())
	}
	if !strings.HasPrefix(outb.String(), "PASS: ") || !strings.Contains(errb.String(), "had succeeded before") || !strings.Contains(errb.String(), "attached to") {
		t.Errorf("the resumed run's output:\n%s%s", outb.String(), errb.String())
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
	code, _, stderrText = runCLIEnv(t, map[string]string{"DATABRICKS_TOKEN": emutest.AdminToken}, "apply", fresh.Path, "--insecure-loopback", "--record", filepath.Join(t.TempDir(), "fresh.jsonl"))
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

// TestApplyCommand runs ucbootstrap apply as a user would: the usage
// errors, the refusal of the service principal's own token for a script
// a person runs, the dry run, a failed run's message (position, error code
// and message, what ran and what did not, the command that resumes), the
// resumed run with the audit's report, and audit --live by both paths.
func TestApplyCommand(t *testing.T) {
	w := emutest.New(t, filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml"))
	dir := t.TempDir()
	record := filepath.Join(dir, "run.jsonl")
	admin := map[string]string{"DATABRICKS_TOKEN": emutest.AdminToken}
	setUp := len(w.Executed())
	for _, c := range []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{map[string]string{"DATABRICKS_TOKEN": ""}, nil, 2, "is run by a person"},
		{map[string]string{"DATABRICKS_TOKEN": ""}, nil, 2, "set DATABRICKS_TOKEN to that person's token, or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET"},
		{admin, []string{"--kind", "edit"}, 2, "--kind edit needs --from OLD"},
		{admin, []string{"--revoke-grants"}, 2, "--revoke-grants is for --kind cleanup"},
		{admin, []string{"--record", "-"}, 2, "--record needs a file"},
		{admin, []string{"--record", w.Path}, 2, "would overwrite the payload"},
		{admin, []string{"--resume", "--record", filepath.Join(dir, "empty.jsonl")}, 2, "nothing to resume"},
		{map[string]string{"DATABRICKS_TOKEN": w.In.Config.Token.Reveal()}, []string{"--record", filepath.Join(dir, "sp.jsonl")}, 1, "belong to the service principal " + w.SP + " itself"},
		{admin, []string{"--kind", "prerequisites"}, 2, "the prerequisites script is for automatic setup"},
		{map[string]string{"DATABRICKS_TOKEN": "", "DATABRICKS_CLIENT_ID": "someone", "DATABRICKS_CLIENT_SECRET": ""}, nil, 2, "DATABRICKS_CLIENT_ID is set and DATABRICKS_CLIENT_SECRET is not"},
	} {
		code, out, stderr := runCLIEnv(t, c.env, append([]string{"apply", w.Path, "--insecure-loopback"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "config.token") {
			t.Errorf("apply %v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, stderr)
		}
	}
	t.Setenv("DATABRICKS_CLIENT_ID", "")
	if got := w.Executed()[setUp:]; len(got) != 0 {
		t.Errorf("the refused runs executed statements: %v", got)
	}
	if left, _ := filepath.Glob("*.record.jsonl"); len(left) != 0 {
		t.Errorf("the refused runs left records behind: %v", left)
	}

	// --deadline says what it does to an apply, not to an audit.
	code, out, stderr := runCLI(t, "apply", "--help")
	if code != 0 || !strings.Contains(out, "the running statements are cancelled, the record is kept") || strings.Contains(out, "unverified") {
		t.Errorf("apply --help: exit %d\n%s%s", code, out, stderr)
	}

	code, out, stderr = runCLIEnv(t, admin, "apply", w.Path, "--insecure-loopback", "--dry-run")
	s, _ := generator.Generate(w.In, generator.Bootstrap)
	if code != 0 || strings.Count(out, ";\n") != len(s.Statements) || !strings.HasPrefix(out, "-- ucbootstrap apply --dry-run: 34 of the 34 statements") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, stderr)
	}

	w.FailStatement("GRANT USE CATALOG, MANAGE ON CATALOG `main`", 1)
	code, out, stderr = runCLIEnv(t, admin, "apply", w.Path, "--insecure-loopback", "--record", record)
	for _, want := range []string{"bootstrap.sql:", "failed: error code INTERNAL_ERROR: [INTERNAL_ERROR]", "GRANT USE CATALOG, MANAGE ON CATALOG `main`",
		"statements have succeeded; failed: ", "; did not run: ", "--record " + record + " --resume"} {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("the failed run: exit %d, want 1 and %q:\n%s%s", code, want, out, stderr)
		}
	}
	code, out, stderr = runCLIEnv(t, admin, "apply", w.Path, "--insecure-loopback", "--record", record, "--resume")
	if code != 0 || !strings.HasPrefix(out, "PASS: ") || !strings.Contains(stderr, "had succeeded before") || !strings.Contains(stderr, "the live audit ran via sql") {
		t.Errorf("the resumed run: exit %d\n%s%s", code, out, stderr)
	}

	// Interrupted (here by --deadline, as by Ctrl-C): the record is kept
	// and the command that resumes is printed.
	// The emulator holds the statements after the first 12 (accepted, not
	// run): the 13th is in flight when the deadline passes, and its
	// outcome is unknown; the others did not run.
	w2 := emutest.New(t, filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml"))
	w2.HoldAfter(emutest.Admin, 12)
	record2 := filepath.Join(dir, "deadline.jsonl")
	code, out, stderr = runCLIEnv(t, admin, "apply", w2.Path, "--insecure-loopback", "--record", record2, "--deadline", "2s", "--concurrency", "1")
	for _, want := range []string{"the deadline passed (--deadline 2s) after 12 of 34 statements; did not run: 14-34; outcome unknown (", "): 13\n", "--record " + record2 + " --resume", "ucbootstrap: note: the service principal could not write the run ledger "} {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("the interrupted run: exit %d, want 1 and %q\n%s%s", code, want, out, stderr)
		}
	}
	if rec := readRecordFile(t, record2); rec == nil || rec.End == nil || rec.End.State != apply.RunInterrupted {
		t.Errorf("the interrupted run's record: %+v", rec)
	}

	// Both paths give the same report, in every format, also when others
	// hold grants on the data sources (the warehouse path does not read
	// them).
	w.Exec(emutest.Admin, "GRANT SELECT ON TABLE `hr`.`people`.`employees` TO `analysts`")
	for _, format := range []string{"text", "json"} {
		_, sqlOut, sqlErr := runCLIEnv(t, map[string]string{"DATABRICKS_TOKEN": ""}, "audit", w.Path, "--live", "--insecure-loopback", "--via", "sql", "--format", format)
		_, restOut, restErr := runCLIEnv(t, map[string]string{"DATABRICKS_TOKEN": ""}, "audit", w.Path, "--live", "--insecure-loopback", "--via", "rest", "--format", format)
		if sqlOut != restOut || sqlOut == "" || !strings.Contains(sqlErr, "ran via sql (") || !strings.Contains(restErr, "ran via rest (") {
			t.Errorf("audit --live --format %s by both paths:\n%s%s---\n%s%s", format, sqlOut, sqlErr, restOut, restErr)
		}
	}

	// A path that cannot run is not said to have run.
	data, err := os.ReadFile(w.Path)
	if err != nil {
		t.Fatal(err)
	}
	onCluster := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(onCluster, bytes.Replace(data, []byte("/sql/1.0/warehouses/8a1b2c3d4e5f6a7b"), []byte("sql/protocolv1/o/0/0123-456789-abcdefgh"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLIEnv(t, map[string]string{"DATABRICKS_TOKEN": ""}, "audit", onCluster, "--live", "--insecure-loopback", "--via", "sql")
	if code == 0 || strings.Contains(stderr, "ran via") || !strings.Contains(stderr, "needs a SQL warehouse") {
		t.Errorf("audit --via sql on a cluster: exit %d\n%s%s", code, out, stderr)
	}
}

// TestApplyPreflightMessages: the lint's errors of a hand-edited script
// are said once, refused or forced; a run interrupted in the pre-flight
// (--deadline, as Ctrl-C) says so, with the command that runs it again,
// and is not forced past.
func TestApplyPreflightMessages(t *testing.T) {
	w := emutest.New(t, filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml"))
	dir := t.TempDir()
	admin := map[string]string{"DATABRICKS_TOKEN": emutest.AdminToken}
	s, err := generator.Generate(w.In, generator.Bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := s.SQL()
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(sql, "-- 3.")
	edited := filepath.Join(dir, "edited.sql")
	if err := os.WriteFile(edited, []byte(sql[:i]+"GRANT USE CATALOG ON CATALOG `immuta` TO `analysts`;\n"+sql[i:]), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		args := []string{"apply", w.Path, "--insecure-loopback", "--script", edited, "--record", filepath.Join(dir, "edited.jsonl")}
		if force {
			args = append(args, "--force")
		}
		code, out, stderr := runCLIEnv(t, admin, args...)
		if n := strings.Count(stderr, "UCB004"); code != 1 || n != 1 {
			t.Errorf("--force %v: exit %d, the lint's error said %d times, want once:\n%s%s", force, code, n, out, stderr)
		}
	}

	w2 := emutest.New(t, filepath.Join("..", "..", "examples", "payloads", "manual-token.yaml"))
	w2.SetPolls(1<<20, 0) // the validation's statements stay queued
	setUp := len(w2.Executed())
	record := filepath.Join(dir, "preflight.jsonl")
	for _, force := range []bool{false, true} {
		args := []string{"apply", w2.Path, "--insecure-loopback", "--record", record, "--deadline", "300ms"}
		if force {
			args = append(args, "--force")
		}
		code, out, stderr := runCLIEnv(t, admin, args...)
		for _, want := range []string{"the deadline passed (--deadline 300ms) in the pre-flight", "nothing ran", "run it again with:\n  ucbootstrap apply " + w2.Path + " --insecure-loopback --record " + record + "\n"} {
			if code != 1 || !strings.Contains(stderr, want) {
				t.Errorf("--force %v: exit %d, want 1 and %q:\n%s%s", force, code, want, out, stderr)
			}
		}
		if strings.Contains(stderr, "pre-flight failed") || strings.Contains(stderr, "forced past") {
			t.Errorf("--force %v: the interruption is told as a failure:\n%s", force, stderr)
		}
	}
	if got := w2.Executed()[setUp:]; len(got) != 0 {
		t.Errorf("statements ran: %v", got)
	}
}
